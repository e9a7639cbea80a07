/* core/shim.h - the in-guest fast path, supervisor side (docs/shim.md).
 *
 * With --trap=shim every guest process whose image the loader built gets the shim
 * (libc-shim/) mapped at SHIM_BASE (libc-shim/shim_abi.h) and each of its threads a
 * channel. A syscall of the shim's class (shim_in_class) is trapped the ptrace way
 * the first time a call site makes it; then the site is patched to jump into the
 * shim, which answers later calls there itself (the caller's own ids: values the
 * supervisor writes in the channel and keeps current) or asks the supervisor
 * through the channel without a ptrace stop (trap_shim.c). Everything else still takes the ptrace path.
 *
 * Why patching and not a SIGSYS handler: a traced process stops in the tracer for
 * every signal it is sent, SIGSYS included, so under ptrace a SIGSYS round trip costs
 * a ptrace stop plus the signal frame (measured in docs/shim.md).
 *
 * Thread: tracer thread only. */
#ifndef PERSONA_SHIM_H
#define PERSONA_SHIM_H
#include <stdbool.h>
#include <stdint.h>
#include <signal.h>
#include "core/filter.h"
#include "core/task.h"

extern bool shim_enabled;	/* --trap=shim */

/* Checks the embedded blob (a damaged one is logged) and what the mode needs: the
 * memory manager and the loader (-EINVAL without them; the event loop checks
 * io_uring's futex waits). 0 or -errno. Before the filter is built. */
int shim_init(void);
/* The syscalls the shim takes: id queries whose handlers neither block, inject,
 * nor change anything (they may run twice: once in the channel, once traced). */
bool shim_in_class(long nr);
/* The syscalls whose call sites are patched: the class, the path calls the shim
 * runs natively when their path does not concern /proc, and the calls trapped only
 * for the memory manager (docs/shim.md). */
bool shim_patchable(long nr);
/* For the filter: the instruction pointer seccomp sees for the shim's own syscall
 * instruction, and the numbers allowed from there with their descriptor arguments
 * (the shim's futex calls and gettid, its statfs/fstatfs directory test, the class
 * run natively on a SHIM_NATIVE reply, the path and memory calls). */
uint64_t shim_gadget_ip(void);
const struct shim_native *shim_native_nrs(unsigned *n);
/* A fault the memory manager could not resolve, of task t in a SIGSEGV or SIGBUS
 * stop: when it was the shim reading or touching guest memory the guest named (its
 * exception table), t is sent to the fixup that makes the shim give the call to the
 * ptrace path, and true is returned: nothing is delivered. */
bool shim_fault_fixup(struct task *t, const siginfo_t *si);

/* Lifecycle (core/lifecycle.c, core/task.c). shim_exec: the loader's image hook (t's
 * new image is in its tables, its host calls about to run as one batch): maps a fresh
 * shim in the same batch. shim_clone: at the
 * clone event. shim_first_stop: at the child's first stop (a fork child gets its own
 * copy of the shim; every task a channel). shim_task_gone: idempotent. */
void shim_exec(struct task *t);
void shim_clone(struct task *parent, struct task *child, unsigned long flags);
void shim_first_stop(struct task *t);
void shim_task_gone(struct task *t);
/* t installs a seccomp filter or strict mode (services/pm/policy.c): from now on
 * every call of t's process, and of its future children, reaches the kernel at its
 * own site, so the guest's filter sees it (patched sites jump straight back). */
void shim_guest_seccomp(struct task *t);
/* The parent, process group or session of process `leader` changed (core/task.c):
 * the answers its threads' shims give themselves are rewritten. */
void shim_ids_changed(struct task *leader);
/* The clear_child_tid address t's set_tid_address gave the kernel through the shim
 * (which answers that call itself), 0 if none: read from the guest's page, a hint
 * (services/mm/kwrite.c keeps that page writable). */
uint64_t shim_clear_tid(struct task *t);
uint64_t shim_rseq_area(struct task *t);		/* the same for rseq */
void shim_forget_rseq(struct task *t);		/* the kernel's rseq changed elsewhere */
/* t's heap changed (brk, exec, fork): the break the shim answers brk(0) with. */
void shim_brk_changed(struct task *t);
/* The break as t's shim left it (it shrinks the heap itself when allowed): false if
 * t has no shim. Read from the guest's page: the memory manager checks it. */
bool shim_heap_break(struct task *t, uint64_t *brk);
/* Before t resumes: whether its shim may shrink the heap (mm_heap_shrinkable). */
void shim_heap_publish(struct task *t);

/* At a seccomp stop of a class syscall, after its handler ran and before the
 * reply: patches the call site if it is one the shim can take (trap_shim.c). */
void shim_after_trap(struct task *t);
/* A completion of the ring's wait on a channel (core/evloop.c): `tag` as given to
 * evloop_futex_wait, `res` its result. */
void shim_channel_event(uint64_t tag, int res);
/* --stats */
void shim_print_stats(void);
#endif
