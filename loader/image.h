/* loader/image.h - a checked executable waiting for its exec event, and the
 * building of the new address space from it (loader/image.c). */
#ifndef PERSONA_LOADER_IMAGE_H
#define PERSONA_LOADER_IMAGE_H
#include <stdbool.h>
#include <stdint.h>
#include "core/task.h"

struct exec_image;
/* Validates the ELF at fd (taken) and its interpreter. NULL with *err (Linux's
 * errno) when execve must fail. `execfn` is the name the guest passed (AT_EXECFN). */
struct exec_image *image_prepare(int fd, const char *hostpath, const char *execfn, int *err);
void image_free(struct exec_image *img);
const char *loader_stub_path(void);
/* The stub's batch routine and table (core/inject.h's batches), and the range
 * [lo, hi) its segments occupy; false if the stub has none. */
bool loader_stub_batch(uint64_t *code, uint64_t *table, uint64_t *lo, uint64_t *hi);
#endif
