/* libc-shim/shim.c - the shim's C part: answers a syscall in the guest when it can,
 * else asks the supervisor through the thread's channel (shim_abi.h).
 *
 * Freestanding: no libc, no TLS, no globals written (the data page is the only
 * writable memory). Runs on the guest's stack below its red zone, with signals as
 * the guest has them: a signal handler that makes a call while its thread's channel
 * is in use finds it busy and takes the ptrace path, so channels never nest. */
#include <stdint.h>
#include "libc-shim/shim_abi.h"

#define NR_statfs	137
#define NR_fstatfs	138
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
long shim_copy_str(char *dst, const char *src, long max);
long shim_touch(void *p, long len);
long shim_probe_read(const void *p, long len);
long shim_strlen_probe(const char *p, long max);
long shim_copy_mem(void *dst, const void *src, long n);

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

/* --- path calls ---------------------------------------------------------------
 * The supervisor's handlers of the path calls (services/procfs/paths.c) change a
 * call only when its path, made absolute and normalised lexically, is under /proc
 * (or is one of sysfs's CPU lists): everything else runs natively, unchanged. The
 * shim makes the same test here, conservatively, and runs the plain calls itself
 * from its allowed syscall instruction; the others, and any doubt, go back to the
 * site's `syscall`: the ptrace path, which gives the exact answer. */

#define AT_FDCWD	(-100)
#define PROC_SUPER_MAGIC 0x9fa0
#define SYSFS_MAGIC	0x62656572
#define EFAULT		14
#define SHIM_PATH_MAX	256	/* longer paths take the ptrace path (stack use) */

static int is_name(const char *c, long n, const char *name)
{
	long i = 0;
	for (; i < n && name[i]; i++)
		if (c[i] != name[i]) return 0;
	return i == n && !name[i];
}

/* 1 when the path cannot name anything the supervisor translates, whatever
 * directory it is relative to: its lexical normal form does not start with a
 * component "proc" or "sys", and, relative, it never climbs above its start (that
 * would depend on the directory's ancestors) */
static int lexically_plain(const char *p)
{
	int absolute = *p == '/', depth = 0;
	const char *first = 0;
	long flen = 0;
	while (*p) {
		while (*p == '/') p++;
		const char *c = p;
		while (*p && *p != '/') p++;
		long n = p - c;
		if (!n || (n == 1 && c[0] == '.')) continue;
		if (n == 2 && c[0] == '.' && c[1] == '.') {
			if (depth > 0) depth--;
			else if (!absolute) return 0;
			continue;
		}
		if (depth++ == 0) { first = c; flen = n; }
	}
	if (depth && (is_name(first, flen, "proc") || is_name(first, flen, "sys"))) return 0;
	return 1;
}

struct linux_statfs { long f_type; long rest[14]; };

/* 1 when the directory a relative path starts from is neither procfs nor sysfs.
 * An error (EBADF, ...) says 1: the native call reports it as Linux would. */
static int dir_plain(long dirfd)
{
	struct linux_statfs sf;
	long e = dirfd == AT_FDCWD ? shim_raw_syscall(NR_statfs, (long)".", (long)&sf, 0, 0, 0, 0)
				   : shim_raw_syscall(NR_fstatfs, dirfd, (long)&sf, 0, 0, 0, 0);
	if (e < 0) return 1;
	return sf.f_type != PROC_SUPER_MAGIC && sf.f_type != SYSFS_MAGIC;
}

/* --- calls trapped only for the memory manager ---------------------------------
 * A syscall without a handler is trapped when a pointer argument lies in
 * Persona-managed memory, so that the pages the kernel will read or write are made
 * present first (services/mm/uaccess.c). The shim does the same here by touching
 * them (its faults are the memory manager's ordinary faults), following the rules of
 * the spec table the supervisor wrote, and runs the call itself. The supervisor puts
 * these calls in the class only when no swap device can take a page back between the
 * touch and the call; the kernel's answer, EFAULT included, is then final, as for a
 * native call (a call that consumed input before failing must not run twice). */

#define TOUCH_MAX	(2L << 20)	/* as the memory manager's PREFAULT_MAX */

struct iov { uint64_t base, len; };

static long spec_len(unsigned param, const long *a)
{
	if (param & SPEC_FIXED) return param & (SPEC_FIXED - 1);
	return a[param & 7] * (long)(param >> 3);
}

/* Makes the memory argument i of spec s present (and writable for OUT); 0, or < 0
 * when a probe faulted (the ptrace path will say EFAULT) */
static long touch_arg(const struct shim_data *d, const long *a, unsigned spec, int i, long *budget)
{
	unsigned kind = spec >> 12, param = spec & 0xfff;
	uint64_t p = (uint64_t)a[i];
	/* the host's memory needs nothing (an iovec array there may still name
	 * managed buffers: it is read) */
	if (!p || (p >= d->uaccess_floor && kind != SPEC_IOV_IN && kind != SPEC_IOV_OUT)) return 0;
	switch (kind) {
	case SPEC_IN: case SPEC_OUT: {
		long len = spec_len(param, a);
		if (len <= 0) return 0;
		if (len > *budget) len = *budget;
		*budget -= len;
		return kind == SPEC_IN ? shim_probe_read((void *)p, len) : shim_touch((void *)p, len);
	}
	case SPEC_STR:
		return shim_strlen_probe((const char *)p, (long)param << 8) == SHIM_PROBE_FAULT ? -1 : 0;
	case SPEC_IOV_IN: case SPEC_IOV_OUT: {
		long n = a[param & 7];
		if (n <= 0) return 0;
		if (n > 1024) n = 1024;		/* IOV_MAX: the kernel says EINVAL */
		for (long k = 0; k < n && *budget > 0; k++) {
			struct iov v;
			if (shim_copy_mem(&v, (const void *)(p + 16 * k), sizeof v) < 0) return -1;
			long len = (long)v.len;
			if (!v.base || len <= 0 || v.base >= d->uaccess_floor) continue;
			if (len > *budget) len = *budget;
			*budget -= len;
			long e = kind == SPEC_IOV_IN ? shim_probe_read((void *)v.base, len)
						     : shim_touch((void *)v.base, len);
			if (e < 0) return e;
		}
		return 0;
	}
	}
	return 0;
}

/* A path call (or getdents64) run natively here when the supervisor would not
 * change it: its path is the spec's STR argument, relative to its first descriptor
 * argument (none: the cwd); 0 in r.done sends it to the ptrace path. */
static struct shim_result path_syscall(struct shim_data *d, long nr, const long *a,
				       const struct shim_spec *s)
{
	struct shim_result r = { 0, 0 };
	long budget = TOUCH_MAX, dirfd = AT_FDCWD;
	int pathi = -1;
	for (int i = 0; i < 6; i++)
		if (s->arg[i] >> 12 == SPEC_STR) pathi = i;
	if (s->fds) {
		dirfd = (long)(int)a[__builtin_ctz(s->fds)];
		if (dirfd == d->pool_fd) goto traced;	/* "closed": EBADF there */
	}
	if (pathi >= 0) {
		char path[SHIM_PATH_MAX];
		long n = shim_copy_str(path, (const char *)a[pathi], sizeof path);
		if (n < 0) goto traced;		/* a bad pointer (EFAULT there) or too long */
		if (!lexically_plain(path)) goto traced;
		if (n && path[0] != '/' && !dir_plain(dirfd)) goto traced;
	} else if (!dir_plain(dirfd)) {		/* getdents64: a listing of /proc */
		goto traced;
	}
	for (int i = 0; i < 6; i++)		/* the output buffers */
		if (i != pathi && s->arg[i] && touch_arg(d, a, s->arg[i], i, &budget) < 0) goto traced;
	r.ret = shim_raw_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	/* The memory manager may have taken a page back since the touch (another
	 * thread's reclaim): the kernel's EFAULT comes before any effect for these
	 * calls, so the ptrace path may run the call again and answer for good. */
	if (r.ret == -EFAULT) goto traced;
	d->path_native++;
	r.done = 1;
	return r;
traced:
	d->path_traced++;
	return r;
}

/* futex: the word is read and written (atomically) by the kernel; the timeout is
 * a pointer for the waits, the fifth argument a second word for the requeues and
 * WAKE_OP (elsewhere these are numbers) */
static long futex_touch(const long *a)
{
	long cmd = a[1] & 127;	/* without FUTEX_PRIVATE_FLAG and FUTEX_CLOCK_REALTIME */
	if (shim_touch((void *)a[0], 4) < 0) return -1;
	if ((cmd == 0 || cmd == 6 || cmd == 9 || cmd == 11 || cmd == 13) && a[3] &&
	    shim_probe_read((const void *)a[3], 16) < 0)
		return -1;
	if ((cmd == 3 || cmd == 4 || cmd == 5 || cmd == 11 || cmd == 12) && a[4] &&
	    shim_touch((void *)a[4], 4) < 0)
		return -1;
	return 0;
}

static struct shim_result generic_syscall(struct shim_data *d, long nr, const long *a,
					  const struct shim_spec *s)
{
	struct shim_result r = { 0, 0 };
	long budget = TOUCH_MAX;
	if ((s->flags & SPEC_FUTEX) && futex_touch(a) < 0) goto traced;
	for (int i = 0; i < 6; i++)
		if (((s->fds >> i) & 1) && (int)a[i] == d->pool_fd) goto traced;	/* EBADF there */
	for (int i = 0; i < 6; i++)
		if (s->arg[i] && touch_arg(d, a, s->arg[i], i, &budget) < 0) goto traced;
	r.ret = shim_raw_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	r.done = 1;
	d->generic_native++;
	return r;
traced:
	d->generic_traced++;
	return r;
}

struct shim_result shim_syscall(long nr, const long *args)
{
	struct shim_data *d = (struct shim_data *)SHIM_DATA;
	struct shim_result r = { 0, 0 };
	if (d->magic != SHIM_MAGIC) return r;
	const struct shim_spec *spec = (const struct shim_spec *)SHIM_SPEC + nr;
	if (spec->flags & SPEC_PATH) return path_syscall(d, nr, args, spec);
	if (spec->flags & SPEC_GENERIC) return generic_syscall(d, nr, args, spec);
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
