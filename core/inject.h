/* core/inject.h - make a stopped guest execute a syscall of the supervisor's choosing.
 *
 * The memory manager (injected mmap of frame-pool pages) and the loader build on this.
 * Precondition: `t` is in a ptrace-stop. At a seccomp stop the trapped syscall is
 * first skipped (one extra stop); the request in flight stays answerable with
 * trap_reply() afterwards. Each injected syscall is one PTRACE_SINGLESTEP over a
 * `syscall` instruction of the guest's own mm (the trapped one, or one found in the
 * vDSO), with the guest's registers saved and restored around it. A signal that
 * arrives meanwhile is held and re-sent afterwards.
 *
 * Thread: tracer thread only. */
#ifndef PERSONA_INJECT_H
#define PERSONA_INJECT_H
#include <stdint.h>
#include "core/task.h"

/* Runs syscall `nr` with `args` in `t`. Returns its result (>= 0 or -errno from the
 * guest's kernel view), or -ESRCH if the task died, -ENOEXEC if no syscall
 * instruction could be found in its address space. */
long inject_syscall(struct task *t, long nr, const uint64_t args[6]);
#endif
