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
 * instruction could be found in its address space. While a batch is open (below)
 * the call is queued instead. */
long inject_syscall(struct task *t, long nr, const uint64_t args[6]);

/* The vDSO of t's new image is at `base` (AT_SYSINFO_EHDR): its syscall
 * instruction is known without reading /proc/PID/maps. */
void inject_set_vdso(struct task *t, uint64_t base);

/* Batched injection: the calls of a batch run in one stop, by a routine in the
 * guest that executes a table of them and stops on int3 (the stub's _start,
 * loader/stub/stub.c, while a new image is built). While t->batch is set, the memory
 * manager's injected calls are queued there instead of run (services/mm/install.c):
 * each returns at once what it returns when it succeeds (mmap: its MAP_FIXED
 * address; the others: 0), so it must be one whose success is not in doubt, and
 * nothing may depend on the host having run it before inject_batch_end(). */
struct inject_op {		/* the routine's table entry: 64 bytes */
	uint64_t nr, args[6];
	int64_t ret;
};
#define INJECT_BATCH_MAX 64
struct inject_batch {
	uint64_t code;		/* the routine: r12 = table, r13 = count; ends on int3 */
	uint64_t table;		/* guest memory for INJECT_BATCH_MAX entries, writable */
	unsigned n;
	int err;		/* the first failure of a batch already run */
	struct inject_op op[INJECT_BATCH_MAX];
};
/* Starts queueing t's injected calls in b (code and table set by the caller). */
void inject_batch_begin(struct task *t, struct inject_batch *b);
/* Queues a call (a full batch is run first); returns its predicted result. */
long inject_queue(struct task *t, long nr, const uint64_t args[6]);
/* Stops queueing and runs what is queued; t's registers are kept. Returns 0, the
 * first queued call's -errno, or -ESRCH if the task died. */
int inject_batch_end(struct task *t);
#endif
