/* core/sysreq.h - a trapped syscall as a request, and its reply.
 *
 * However a syscall was trapped (a ptrace seccomp stop, or a request on the in-guest
 * shim's shared-memory channel: core/trap_shim.c), it reaches handlers as a struct
 * sysreq. A handler answers
 * by returning:
 *   - a result (>= 0, or -errno): the syscall is emulated, the guest sees that value;
 *   - SYSRET_NATIVE: run the syscall natively, with any arguments the handler
 *     rewrote (sysreq_set_arg) and, if it set one, an exit hook that sees and may
 *     change the native result (sysreq_on_exit);
 *   - SYSRET_BLOCK: the task now blocks in the personality; someone later calls
 *     sysreq_complete() with the result.
 * Handlers never touch registers or ptrace: the trap backend (trap.h) applies replies.
 *
 * Thread: requests are created, handled and answered on the tracer thread. */
#ifndef PERSONA_SYSREQ_H
#define PERSONA_SYSREQ_H
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>

struct task;
struct sysreq;

#define SYSRET_NATIVE	(LONG_MIN)
#define SYSRET_BLOCK	(LONG_MIN + 1)

/* Called at syscall exit with the native result; returns the result the guest sees. */
typedef long (*sysreq_exit_fn)(struct sysreq *req, long result);

struct sysreq {
	struct task *task;
	long nr;
	uint64_t args[6];	/* as the guest passed them; rewritten by sysreq_set_arg */
	uint64_t orig_args[6];	/* as the guest passed them, never rewritten (tracing) */
	uint64_t ip;		/* address just after the syscall instruction */
	uint64_t sp;		/* guest stack pointer at the call */
	uint64_t scratch;	/* lowest guest address used by sysreq_push (0 = none yet) */
	uint8_t args_dirty;	/* bit i: args[i] was rewritten */
	bool nr_dirty;		/* run native_nr instead of nr (sysreq_set_nr) */
	bool hold_exit;		/* a native call whose exit stop is needed (a lock held) */
	bool args_final;	/* rewritten arguments need no exit stop: the call never
				 * restarts (mmap, mprotect), and the guest keeps the
				 * rewritten registers (an exit stop would cost more than
				 * it is worth: glibc's and ld.so's wrappers return at
				 * once; other calls get theirs back at the exit stop) */
	long native_nr;
	sysreq_exit_fn on_exit;
	uint64_t data[4];	/* handler state carried to the exit hook */
};

static inline void sysreq_set_arg(struct sysreq *r, int i, uint64_t v)
{
	r->args[i] = v;
	r->args_dirty |= 1u << i;
}
/* Runs another syscall natively in place of the guest's (brk done as an mmap): the
 * guest and the tracer still see `nr`; an exit hook turns the result into nr's. */
static inline void sysreq_set_nr(struct sysreq *r, long nr) { r->native_nr = nr; r->nr_dirty = true; }
static inline void sysreq_on_exit(struct sysreq *r, sysreq_exit_fn fn) { r->on_exit = fn; }

/* Copies len bytes onto the guest stack below the red zone and returns their guest
 * address (0 on EFAULT): the way to pass a rewritten path or struct to a native call
 * without touching the guest's own memory. Valid until the syscall returns. */
uint64_t sysreq_push(struct sysreq *r, const void *data, unsigned long len);

/* Answers a request that returned SYSRET_BLOCK. */
void sysreq_complete(struct task *t, long result);
#endif
