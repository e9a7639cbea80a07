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
#define NR_set_tid_address 218
#define NR_brk		12
#define NR_munmap	11
#define NR_rseq		334
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
 * The supervisor's handlers of the path calls (services/procfs/paths.c, resolve.c)
 * change a call only when the kernel's resolution of its path reaches /proc (or one
 * of sysfs's CPU lists): everything else runs natively, unchanged. Where a path
 * goes is the kernel's answer, not its text (a symlink to /proc, a directory or
 * cwd reached through one, ".." after one), so the shim asks the kernel too, and
 * runs the call on what the kernel resolved:
 *  - the path is resolved once, by openat2 with RESOLVE_NO_XDEV from the call's
 *    own directory: a walk that would cross a mount (into /proc, but also into
 *    /dev or a tmpfs) fails with EXDEV and goes to the ptrace path;
 *  - the descriptor it gives is on the mount the walk started from: fstatfs says
 *    whether that is procfs or sysfs (then the ptrace path too);
 *  - the call itself runs on that descriptor (open: openat2 is the call; stat,
 *    statx, access, readlink: their *at form with AT_EMPTY_PATH), so another
 *    thread that swaps a directory for a symlink cannot make it walk elsewhere.
 * Anything else, and any doubt, goes back to the site's `syscall`: the ptrace path,
 * which gives the exact answer. */

#define AT_FDCWD	(-100)
#define AT_SYMLINK_NOFOLLOW	0x100
#define AT_EACCESS	0x200
#define AT_NO_AUTOMOUNT	0x800
#define AT_EMPTY_PATH	0x1000
#define AT_STATX_SYNC_TYPE	0x6000
#define O_CREAT		0100
#define O_EXCL		0200
#define O_NOFOLLOW	0400000
#define O_CLOEXEC	02000000
#define O_PATH		010000000
#define O_TMPFILE	020000000	/* __O_TMPFILE: what WILL_CREATE tests */
#define O_PATH_FLAGS	(0200000 /* O_DIRECTORY */ | O_NOFOLLOW | O_PATH | O_CLOEXEC)
#define VALID_OPEN_FLAGS 037777703	/* the kernel's VALID_OPEN_FLAGS on x86-64 */
#define RESOLVE_NO_XDEV	0x01
#define PROC_SUPER_MAGIC 0x9fa0
#define SYSFS_MAGIC	0x62656572
#define EINVAL		22
#define ENOENT		2
#define EXDEV		18
#define EMFILE		24
#define ENFILE		23
#define EFAULT		14
#define SHIM_PATH_MAX	256	/* longer paths take the ptrace path (stack use) */
#define NR_open		2
#define NR_close	3
#define NR_stat		4
#define NR_lstat	6
#define NR_access	21
#define NR_dup		32
#define NR_readlink	89
#define NR_getdents64	217
#define NR_openat	257
#define NR_newfstatat	262
#define NR_readlinkat	267
#define NR_faccessat	269
#define NR_statx	332
#define NR_openat2	437
#define NR_faccessat2	439

/* 1 when an absolute path names /proc or /sys from the root as written (no ".."):
 * sent to the ptrace path at once (the kernel's test below would say EXDEV) */
static int lexically_special(const char *p)
{
	for (const char *q = p; *q; ) {
		while (*q == '/') q++;
		const char *c = q;
		while (*q && *q != '/') q++;
		if (q - c == 2 && c[0] == '.' && c[1] == '.') return 0;
	}
	while (*p == '/') p++;
	return (p[0] == 'p' && p[1] == 'r' && p[2] == 'o' && p[3] == 'c' && (!p[4] || p[4] == '/')) ||
	       (p[0] == 's' && p[1] == 'y' && p[2] == 's' && p[3] == '/');
}

/* 1 when p is one name: not "." or "..", no slash */
static int single_name(const char *p)
{
	if (p[0] == '.' && (!p[1] || (p[1] == '.' && !p[2]))) return 0;
	for (; *p; p++)
		if (*p == '/') return 0;
	return 1;
}

struct linux_statfs { long f_type; long rest[14]; };
struct open_how { uint64_t flags, mode, resolve; };

struct linux_stat { uint64_t st_dev; uint64_t rest[17]; };	/* x86-64 struct stat: 144 bytes */

/* 1 when descriptor fd (what a path gave) is on procfs or sysfs; its stat in *st.
 * Both have anonymous devices (major 0); a file system on a block device cannot be
 * either, and its statfs (ext4's sums its counters) is not needed. */
static int special_fs_st(long fd, struct linux_stat *st)
{
	struct linux_statfs sf;
	if (shim_raw_syscall(NR_newfstatat, fd, (long)"", (long)st, AT_EMPTY_PATH, 0, 0) < 0) return 0;
	if ((st->st_dev >> 8 & 0xfff) != 0) return 0;
	if (shim_raw_syscall(NR_fstatfs, fd, (long)&sf, 0, 0, 0, 0) < 0) return 0;
	return sf.f_type == PROC_SUPER_MAGIC || sf.f_type == SYSFS_MAGIC;
}

static int special_fs(long fd)
{
	struct linux_stat st;
	return special_fs_st(fd, &st);
}

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

/* The resolution's outcome as the call's result: r (a descriptor, or the error of
 * a walk that stayed on its starting mount, which the call itself would meet), or
 * 1 in *traced when the ptrace path must answer: the walk crossed a mount
 * (EXDEV), ended on procfs or sysfs, started there (an error from a relative
 * path: its directory is looked at), or ran out of descriptors (the call itself
 * needs none). */
static long resolved(long r, int relative, long dirfd, struct linux_stat *st, int *traced)
{
	if (r >= 0) {
		if (!special_fs_st(r, st)) return r;
		shim_raw_syscall(NR_close, r, 0, 0, 0, 0, 0);
	} else if (r != -EXDEV && r != -EMFILE && r != -ENFILE && !(relative && !dir_plain(dirfd))) {
		return r;
	}
	*traced = 1;
	return r;
}

/* A path call (or getdents64) run natively here when the supervisor would not
 * change it: its path is the spec's STR argument, relative to its first descriptor
 * argument (none: the cwd); 0 in r.done sends it to the ptrace path. */
static struct shim_result path_syscall(struct shim_data *d, long nr, const long *a,
				       const struct shim_spec *s)
{
	struct shim_result r = { 0, 0 };
	long budget = TOUCH_MAX, dirfd = AT_FDCWD;
	int pathi = -1, traced = 0;
	for (int i = 0; i < 6; i++)
		if (s->arg[i] >> 12 == SPEC_STR) pathi = i;
	if (s->fds) {
		dirfd = (long)(int)a[__builtin_ctz(s->fds)];
		if (dirfd == d->pool_fd) goto traced;	/* "closed": EBADF there */
	}
	for (int i = 0; i < 6; i++)		/* the output buffers */
		if (i != pathi && s->arg[i] && touch_arg(d, a, s->arg[i], i, &budget) < 0) goto traced;
	if (pathi < 0) {	/* getdents64: a listing of /proc goes to the supervisor */
		/* on a duplicate: another thread cannot dup2 a /proc directory over the
		 * number between the test and the call (same open file, same offset) */
		long fd = shim_raw_syscall(NR_dup, dirfd, 0, 0, 0, 0, 0);
		if (fd < 0) goto traced;	/* EBADF, EMFILE: the ptrace path says */
		if (special_fs(fd)) {
			shim_raw_syscall(NR_close, fd, 0, 0, 0, 0, 0);
			goto traced;
		}
		r.ret = shim_raw_syscall(nr, fd, a[1], a[2], 0, 0, 0);
		shim_raw_syscall(NR_close, fd, 0, 0, 0, 0, 0);
		goto done;
	}
	char path[SHIM_PATH_MAX];
	long n = shim_copy_str(path, (const char *)a[pathi], sizeof path);
	if (n < 0) goto traced;		/* a bad pointer (EFAULT there) or too long */
	if (path[0] == '/' && lexically_special(path)) goto traced;
	if (!n) {	/* fstat (AT_EMPTY_PATH) through a shared wrapper, or ENOENT: no walk */
		r.ret = shim_raw_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
		goto done;
	}
	int relative = path[0] != '/';
	long flags = 0, o;
	struct open_how how = { 0, 0, RESOLVE_NO_XDEV };
	/* the call's own flags: those that follow a last symlink or not, and those its
	 * *at form on a descriptor takes; anything else goes to ptrace */
	switch (nr) {
	case NR_open: case NR_openat:
		/* openat2 is the call, with open's flags as the kernel's build_open_how
		 * makes them (openat2 refuses what open ignores) */
		flags = nr == NR_open ? a[1] : a[2];
		how.flags = (uint64_t)(unsigned)flags & VALID_OPEN_FLAGS;
		if (how.flags & O_PATH) how.flags &= O_PATH_FLAGS;
		if (how.flags & (O_CREAT | O_TMPFILE))
			how.mode = (uint64_t)(nr == NR_open ? a[2] : a[3]) & 07777;
		r.ret = shim_raw_syscall(NR_openat2, nr == NR_open ? AT_FDCWD : dirfd, a[pathi], (long)&how,
					 sizeof how, 0, 0);
		struct linux_stat st;
		r.ret = resolved(r.ret, relative, dirfd, &st, &traced);
		if (traced) goto traced;
		goto done;
	case NR_stat: case NR_access: case NR_faccessat: break;
	case NR_lstat: case NR_readlink: case NR_readlinkat: flags = AT_SYMLINK_NOFOLLOW; break;
	case NR_newfstatat: flags = a[3]; if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT)) goto traced; break;
	case NR_statx: flags = a[2];
		if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE)) goto traced;
		break;
	case NR_faccessat2: flags = a[3]; if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EACCESS)) goto traced; break;
	default: goto traced;
	}
	/* The common stat of a name in a directory (tar, find, ls): one lookup, no
	 * symlink followed. Its result can be on procfs or sysfs only if the directory
	 * was (or the name is a mount point of one): a result on a block device's file
	 * system (major != 0; procfs and sysfs have anonymous devices) touched neither.
	 * Anything else is done again the long way below. */
	if ((flags & AT_SYMLINK_NOFOLLOW) && single_name(path)) {
		if (nr == NR_statx) {
			uint32_t major = 0;
			r.ret = shim_raw_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
			if (r.ret == 0 && shim_copy_mem(&major, (const char *)a[4] + 136, 4) == 0 && major)
				goto done;
		} else if (nr == NR_newfstatat || nr == NR_lstat) {
			struct linux_stat st;
			r.ret = nr == NR_lstat ? shim_raw_syscall(NR_newfstatat, AT_FDCWD, a[0], (long)&st, flags, 0, 0)
					       : shim_raw_syscall(nr, a[0], a[1], (long)&st, flags, 0, 0);
			if (r.ret == 0 && (st.st_dev >> 8 & 0xfff)) {
				r.ret = shim_copy_mem((void *)a[nr == NR_lstat ? 1 : 2], &st, sizeof st) < 0 ? -EFAULT : 0;
				goto done;
			}
		}
	}
	if ((nr == NR_access || nr == NR_faccessat || nr == NR_faccessat2) &&
	    (nr == NR_access ? a[1] : a[2]) & ~7L)
		goto traced;	/* EINVAL, before the walk */
	if ((int)(nr == NR_readlink ? a[2] : nr == NR_readlinkat ? a[3] : 1) <= 0) goto traced;	/* EINVAL */
	how.flags = O_PATH | O_CLOEXEC | (flags & AT_SYMLINK_NOFOLLOW ? O_NOFOLLOW : 0);
	o = shim_raw_syscall(NR_openat2, pathi == 0 ? AT_FDCWD : dirfd, a[pathi], (long)&how, sizeof how, 0, 0);
	if (nr == NR_statx && o >= 0) {
		/* statx's own result says where the file is (stx_dev_major): the fstat
		 * of the procfs test is not needed (ls -l: 3 calls instead of 4). Into
		 * a buffer here, so that a call sent to ptrace wrote nothing. */
		uint64_t sx[256 / 8];
		r.ret = shim_raw_syscall(NR_statx, o, (long)"", AT_EMPTY_PATH | (flags & ~AT_SYMLINK_NOFOLLOW),
					 a[3], (long)sx, 0);
		uint32_t major = r.ret == 0 ? (uint32_t)sx[136 / 8] : 0;	/* stx_dev_major */
		if (major == 0 && special_fs(o)) {
			shim_raw_syscall(NR_close, o, 0, 0, 0, 0, 0);
			goto traced;
		}
		if (r.ret == 0 && shim_copy_mem((void *)a[4], sx, sizeof sx) < 0) r.ret = -EFAULT;
		shim_raw_syscall(NR_close, o, 0, 0, 0, 0, 0);
		goto done;
	}
	struct linux_stat st;
	o = resolved(o, relative, dirfd, &st, &traced);
	if (traced) goto traced;
	if (o < 0) {
		r.ret = o;
		goto done;
	}
	switch (nr) {
	case NR_stat: case NR_lstat: case NR_newfstatat:	/* resolved() made it */
		r.ret = shim_copy_mem((void *)a[nr == NR_newfstatat ? 2 : 1], &st, sizeof st) < 0 ? -EFAULT : 0;
		break;
	case NR_statx:
		r.ret = shim_raw_syscall(NR_statx, o, (long)"", AT_EMPTY_PATH | (flags & ~AT_SYMLINK_NOFOLLOW),
					 a[3], a[4], 0);
		break;
	case NR_access:
		r.ret = shim_raw_syscall(NR_faccessat2, o, (long)"", a[1], AT_EMPTY_PATH, 0, 0);
		break;
	case NR_faccessat: case NR_faccessat2:
		r.ret = shim_raw_syscall(NR_faccessat2, o, (long)"", a[2], AT_EMPTY_PATH | (flags & AT_EACCESS), 0, 0);
		break;
	case NR_readlink: case NR_readlinkat: {
		long buf = nr == NR_readlink ? a[1] : a[2], size = nr == NR_readlink ? a[2] : a[3];
		r.ret = shim_raw_syscall(NR_readlinkat, o, (long)"", buf, size, 0, 0);
		if (r.ret == -ENOENT) r.ret = -EINVAL;	/* not a symlink: readlink's answer */
		break;
	}
	}
	shim_raw_syscall(NR_close, o, 0, 0, 0, 0, 0);
done:
	/* The memory manager may have taken a page back since the touch (another
	 * thread's reclaim): the kernel's EFAULT comes before any effect for these
	 * calls, so the ptrace path may run the call again and answer for good. */
	if (r.ret == -EFAULT) goto traced;
	d->path_native++;
	r.done = 1;
	return r;
traced:
	d->path_traced++;
	r.done = 0;
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
	if (nr == NR_brk) {
		/* a query (an address below the heap's start: Linux answers the break
		 * and changes nothing); a shrink, when the supervisor allows it, is
		 * done here: the pages are unmapped as Linux unmaps them, then the new
		 * break is left in the data page, where the supervisor finds it at the
		 * process's next stop (services/mm/mmap.c mm_heap_sync); a growth takes
		 * the ptrace path */
		uint64_t start = d->start_brk, cur = d->brk, want = (uint64_t)args[0];
		if (!start) return r;
		if (want >= start && want <= cur && d->heap_shrink) {
			uint64_t from = (want + 4095) & ~4095UL, to = (cur + 4095) & ~4095UL;
			if (from < to && shim_raw_syscall(NR_munmap, (long)from, (long)(to - from), 0, 0, 0, 0))
				return r;
			d->brk = want;
			cur = want;
		} else if (want >= start) {
			return r;
		}
		c->served_here++;
		r.ret = (long)cur;
		r.done = 1;
		return r;
	}
	if (nr == NR_rseq) {
		/* glibc's registration (flags 0, the 32-byte area, aligned), as the
		 * supervisor's handler takes it without an exit stop: the area is made
		 * present first (the kernel writes it on the way back), and its address
		 * kept in the channel for the memory manager */
		uint64_t area = (uint64_t)args[0];
		if (!(have & SHIM_HAVE_TID) || args[2] || args[1] != 32 || !area || (area & 31) ||
		    area >= d->uaccess_floor || shim_touch((void *)area, 32) < 0)
			return r;
		r.ret = shim_raw_syscall(NR_rseq, args[0], args[1], args[2], args[3], 0, 0);
		if (r.ret == 0) c->rseq_area = area;
		r.done = 1;
		return r;
	}
	int32_t v = 0;
	int local = 1;
	if (nr == NR_getpid && (have & SHIM_HAVE_PID)) v = c->vpid;
	else if (nr == NR_gettid && (have & SHIM_HAVE_TID)) v = c->vtid;
	else if (nr == NR_getppid && (have & SHIM_HAVE_PPID)) v = c->vppid;
	else if (nr == NR_getpgrp && (have & SHIM_HAVE_PGRP)) v = c->vpgrp;
	else if (nr == NR_getpgid && (int)args[0] == 0 && (have & SHIM_HAVE_PGRP)) v = c->vpgrp;
	else if (nr == NR_getsid && (int)args[0] == 0 && (have & SHIM_HAVE_SID)) v = c->vsid;
	else if (nr == NR_set_tid_address && (have & SHIM_HAVE_TID)) {
		/* the kernel records the address; the tid it returns is the host's, the
		 * guest's is here. The memory manager learns the address from the
		 * channel (the page must stay writable for the kernel's write at exit). */
		c->clear_tid = (uint64_t)args[0];
		shim_raw_syscall(NR_set_tid_address, args[0], 0, 0, 0, 0, 0);
		v = c->vtid;
	} else local = 0;
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
