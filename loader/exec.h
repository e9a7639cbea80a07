/* loader/exec.h - execve performed by the personality.
 *
 * A guest's execve/execveat is checked here as Linux's do_execveat_common and
 * binfmt handlers would (the file exists, is a regular executable file, a `#!`
 * script's interpreter chain is at most BINPRM_MAX_RECURSION deep, the ELF file and
 * its interpreter are valid: loader/elf.h), each failure with Linux's errno and the
 * guest's old image intact. Then the host execs the stub (loader/stub.c) with the
 * final argv and envp, and at the exec event loader_build_image() maps the program
 * and its interpreter through the memory manager, writes the auxiliary vector and
 * sets the registers.
 *
 * Thread: tracer thread only. */
#ifndef PERSONA_LOADER_EXEC_H
#define PERSONA_LOADER_EXEC_H
#include <stdbool.h>
#include <stdint.h>
#include "core/sysreq.h"
#include "core/task.h"

extern bool loader_enabled;	/* --exec=persona (default with the memory manager) */

/* Finds the stub next to the persona binary. 0 or -ENOENT. */
int loader_init(void);
/* The handlers of execve and execveat (core/syscall_table.c rows). */
long loader_sys_execve(struct sysreq *r, uint64_t path, uint64_t argv, uint64_t envp);
long loader_sys_execveat(struct sysreq *r, int dirfd, uint64_t path, uint64_t argv, uint64_t envp, int flags);
/* At the exec event of task t (the thread group's survivor): builds the image of
 * the exec the loader checked, if t has one pending; otherwise the host's image
 * (adopted by mm_exec) stands. */
void loader_build_image(struct task *t);
/* Called by loader_build_image once the new image is in t's tables, before the host
 * calls that map it run (they run as one batch: a hook's own host mappings join it).
 * The shim maps its region here (core/shim.h). */
void loader_set_image_hook(void (*fn)(struct task *t));
/* Drops a pending exec of t (its task is gone). */
void loader_forget(struct task *t);
#endif
