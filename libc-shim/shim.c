/* libc-shim/shim.c - the shim's C part: answers a syscall in the guest when it can,
 * else asks the supervisor through the thread's channel (shim_abi.h).
 *
 * Freestanding: no libc, no TLS, no globals written (the data page is the only
 * writable memory). Runs on the guest's stack below its red zone, with signals as
 * the guest has them: a signal handler that makes a call while its thread's channel
 * is in use finds it busy and takes the ptrace path, so channels never nest. */
#include <stdint.h>
#include "libc-shim/shim_abi.h"

#define NR_getpid	39
#define NR_getppid	110
#define NR_getpgrp	111
#define NR_getpgid	121
#define NR_getsid	124
#define NR_gettid	186
#define NR_futex	202
#define FUTEX_WAIT_BITSET	9
#define FUTEX_WAKE_BITSET	10
/* bitsets: the supervisor's ring waits on 1, the guest on 2, so neither side's
 * wake-up wakes itself */
#define WAKE_SUPERVISOR	1
#define WAKE_GUEST	2

struct shim_result { long ret; long done; };

long shim_raw_syscall(long nr, long a0, long a1, long a2, long a3, long a4, long a5);

static struct shim_chan *my_chan(struct shim_data *d)
{
	int32_t tid = (int32_t)shim_raw_syscall(NR_gettid, 0, 0, 0, 0, 0, 0);
	uint32_t n = d->nchan < SHIM_NCHAN ? d->nchan : SHIM_NCHAN;
	for (uint32_t i = 0; i < n; i++)
		if (d->chan[i].tid == tid) return &d->chan[i];
	return 0;
}

static inline void cpu_relax(void) { __asm__ volatile("pause" ::: "memory"); }

/* The CPU this thread runs on, as the vDSO's getcpu reads it without RDPID: the
 * limit of the per-CPU GDT entry (selector 15 * 8 + 3) holds the CPU number. */
static inline uint32_t this_cpu(void)
{
	uint32_t p;
	__asm__ volatile("lsl %1, %0" : "=r"(p) : "r"(15 * 8 + 3));
	return p & 0xfff;
}

/* Posts the request and waits for the reply: a short spin (the supervisor may be
 * awake on the other CPU), then FUTEX_WAIT on the state word. */
static void ask(struct shim_data *d, struct shim_chan *c, long nr, const long *args)
{
	c->nr = nr;
	for (int i = 0; i < 6; i++) c->args[i] = (uint64_t)args[i];
	c->requests++;
	__atomic_store_n(&c->state, SHIM_REQ, __ATOMIC_RELEASE);
	shim_raw_syscall(NR_futex, (long)&c->state, FUTEX_WAKE_BITSET, 1, 0, 0, WAKE_SUPERVISOR);
	/* spinning against a supervisor on this same CPU only delays it */
	uint32_t spin = this_cpu() == d->sup_cpu ? 0 : d->spin;
	for (uint32_t i = 0; i < spin; i++) {
		if (__atomic_load_n(&c->state, __ATOMIC_ACQUIRE) == SHIM_DONE) return;
		cpu_relax();
	}
	while (__atomic_load_n(&c->state, __ATOMIC_ACQUIRE) != SHIM_DONE) {
		c->waiting = 1;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		shim_raw_syscall(NR_futex, (long)&c->state, FUTEX_WAIT_BITSET, SHIM_REQ, 0, 0, WAKE_GUEST);
		c->waiting = 0;
	}
}

struct shim_result shim_syscall(long nr, const long *args)
{
	struct shim_data *d = (struct shim_data *)SHIM_DATA;
	struct shim_result r = { 0, 0 };
	if (d->magic != SHIM_MAGIC) return r;
	struct shim_chan *c = my_chan(d);
	if (!c) return r;
	/* answers the supervisor keeps in the channel are given here */
	uint32_t have = c->have;
	int32_t v = 0;
	int local = 1;
	if (nr == NR_getpid && (have & SHIM_HAVE_PID)) v = c->vpid;
	else if (nr == NR_gettid && (have & SHIM_HAVE_TID)) v = c->vtid;
	else if (nr == NR_getppid && (have & SHIM_HAVE_PPID)) v = c->vppid;
	else if (nr == NR_getpgrp && (have & SHIM_HAVE_PGRP)) v = c->vpgrp;
	else if (nr == NR_getpgid && (int)args[0] == 0 && (have & SHIM_HAVE_PGRP)) v = c->vpgrp;
	else if (nr == NR_getsid && (int)args[0] == 0 && (have & SHIM_HAVE_SID)) v = c->vsid;
	else local = 0;
	if (local) {
		c->served_here++;
		r.ret = v;
		r.done = 1;
		return r;
	}
	uint32_t idle = SHIM_IDLE;
	if (!__atomic_compare_exchange_n(&c->state, &idle, SHIM_BUSY, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return r;	/* nested in a signal handler, or not ours: the ptrace path */
	ask(d, c, nr, args);
	uint32_t action = c->action;
	long ret = c->ret;
	__atomic_store_n(&c->state, SHIM_IDLE, __ATOMIC_RELEASE);
	if (action == SHIM_RET) {
		r.ret = ret;
		r.done = 1;
	} else if (action == SHIM_NATIVE) {
		r.ret = shim_raw_syscall(nr, args[0], args[1], args[2], args[3], args[4], args[5]);
		r.done = 1;
	}
	return r;	/* SHIM_TRACED, or garbage: the site's own syscall */
}
