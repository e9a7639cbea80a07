/* loader/image.h - a checked executable waiting for its exec event, and the
 * building of the new address space from it (loader/image.c). */
#ifndef PERSONA_LOADER_IMAGE_H
#define PERSONA_LOADER_IMAGE_H
#include "core/task.h"

struct exec_image;
/* Validates the ELF at fd (taken) and its interpreter. NULL with *err (Linux's
 * errno) when execve must fail. `execfn` is the name the guest passed (AT_EXECFN). */
struct exec_image *image_prepare(int fd, const char *hostpath, const char *execfn, int *err);
void image_free(struct exec_image *img);
const char *loader_stub_path(void);
#endif
