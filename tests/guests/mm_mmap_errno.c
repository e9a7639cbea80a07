/* tests/guests/mm_mmap_errno.c - the exact result and errno of Linux's memory
 * syscalls on their edge cases: mmap, munmap, mprotect, mremap, brk/sbrk, madvise,
 * mincore, mlock/mlock2/munlock/mlockall and msync. One line per case, "case: ok" or
 * "case: ENAME", plus "case: yes/no" lines for the side effects (contents kept or
 * zeroed, ranges mapped or not, addresses honoured). Every call goes through
 * syscall(2) so that glibc's own argument checks do not hide the kernel's.
 * Layouts are made deterministic by carving mappings out of a PROT_NONE reservation
 * (fixed neighbours, nothing merges by accident); no raw address is printed.
 * Cases whose result differs between kernel versions or privileges are printed but
 * not checked (ANY). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef PROT_SEM
#define PROT_SEM 0x8
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif
#ifndef MAP_SYNC
#define MAP_SYNC 0x80000
#endif
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif
#ifndef MADV_COLD
#define MADV_COLD 20
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#endif
#ifndef MADV_GUARD_REMOVE
#define MADV_GUARD_REMOVE 103
#endif
#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT 1
#endif
#ifndef MCL_ONFAULT
#define MCL_ONFAULT 4
#endif

#define ANY (-1000)	/* no expectation: print what Linux does */

static long pg;
static int failures;
static int pfd[2];
static char tmpdir[] = "/tmp/mm_errnoXXXXXX";
static char fpath[128];

static const char *ename(int e)
{
	const char *n = strerrorname_np(e);
	return n ? n : "E?";
}

static void fail(const char *what)
{
	failures++;
	fprintf(stderr, "check failed: %s\n", what);	/* shown by the test harness */
}

/* one syscall's outcome: "name: ok" or "name: ENAME", checked against expect */
static long last;
static void result(const char *name, long ret, int err, int expect)
{
	int got = ret == -1 ? err : 0;
	last = ret;
	if (got) printf("%s: %s\n", name, ename(got));
	else printf("%s: ok\n", name);
	if (expect != ANY && got != expect) {
		char b[256];
		snprintf(b, sizeof b, "%s: expected %s", name, expect ? ename(expect) : "ok");
		fail(b);
	}
}
#define T(name, expect, ...) do {				\
		errno = 0;					\
		long r_ = syscall(__VA_ARGS__);			\
		result(name, r_, errno, expect);		\
	} while (0)

/* a yes/no fact; checked when expect is 0 or 1, printed only when ANY */
static void fact(const char *name, int ok, int expect)
{
	printf("%s: %s\n", name, ok ? "yes" : "no");
	if (expect != ANY && !!ok != expect) fail(name);
}

static char *xmmap(void *a, size_t len, int prot, int flags, int fd, long off)
{
	return (char *)syscall(SYS_mmap, a, len, prot, flags, fd, off);
}
#define BAD ((char *)-1)

/* probes that go through the kernel (read/write on a pipe), so that they neither
 * fault nor change the memory: 0 not readable, 1 read-only, 2 read-write */
static int access_of(void *p)
{
	char c;
	if (write(pfd[1], p, 1) != 1) return 0;
	if (read(pfd[0], &c, 1) != 1) exit(3);
	if (write(pfd[1], &c, 1) != 1) exit(3);
	if (read(pfd[0], p, 1) == 1) return 2;
	if (read(pfd[0], &c, 1) != 1) exit(3);
	return 1;
}
/* 1 if the page holding p is mapped (mincore does not fail with ENOMEM) */
static int mapped(void *p)
{
	unsigned char v;
	return syscall(SYS_mincore, (uintptr_t)p & ~(uintptr_t)(pg - 1), 1, &v) == 0;
}
static int all_bytes(const char *p, size_t n, int c)
{
	for (size_t i = 0; i < n; i++) if ((unsigned char)p[i] != c) return 0;
	return 1;
}

/* the reservation everything is carved from: NRES pages, PROT_NONE */
#define NRES 96
static char *res;
static char *at(int page) { return res + page * pg; }
static char *carve(int page, int n, int prot)
{
	char *p = xmmap(at(page), n * pg, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (p != at(page)) { perror("carve"); exit(2); }
	return p;
}
static char *carve_shared(int page, int n)
{
	char *p = xmmap(at(page), n * pg, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (p != at(page)) { perror("carve_shared"); exit(2); }
	return p;
}
static void unmap(int page, int n) { syscall(SYS_munmap, at(page), n * pg); }
/* back to the reservation's PROT_NONE (a hole in the reservation is reserved again) */
static void reset(void)
{
	syscall(SYS_munlock, res, NRES * pg);
	if (xmmap(res, NRES * pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0) != res)
		exit(2);
}

static void test_mmap(void)
{
	int rdfd = open(fpath, O_RDONLY), wrfd = open(fpath, O_WRONLY), rwfd = open(fpath, O_RDWR);
	int dirfd = open(tmpdir, O_RDONLY | O_DIRECTORY), pathfd = open(fpath, O_PATH);
	int closedfd = open(fpath, O_RDONLY);
	close(closedfd);
	const int RW = PROT_READ | PROT_WRITE, PA = MAP_PRIVATE | MAP_ANONYMOUS;
	char *p;

	T("mmap len 0", EINVAL, SYS_mmap, 0, 0, RW, PA, -1, 0);
	T("mmap len 1", 0, SYS_mmap, 0, 1, RW, PA, -1, 0);
	p = (char *)last;
	fact("mmap len 1: the whole page is read-write", access_of(p + pg - 1) == 2, 1);
	syscall(SYS_munmap, p, 1);
	fact("munmap len 1: the whole page is unmapped", !mapped(p + pg - 1), 1);
	T("mmap len SIZE_MAX", ENOMEM, SYS_mmap, 0, SIZE_MAX, RW, PA, -1, 0);
	T("mmap len SIZE_MAX-4095 (page aligned)", ENOMEM, SYS_mmap, 0, SIZE_MAX - 4095, RW, PA, -1, 0);
	T("mmap len 2^62", ENOMEM, SYS_mmap, 0, 1UL << 62, RW, PA, -1, 0);
	T("mmap len 2^62 MAP_NORESERVE", ENOMEM, SYS_mmap, 0, 1UL << 62, RW, PA | MAP_NORESERVE, -1, 0);
	T("mmap MAP_FIXED unaligned addr", EINVAL, SYS_mmap, at(1) + 1, pg, RW, PA | MAP_FIXED, -1, 0);
	T("mmap MAP_FIXED_NOREPLACE unaligned addr", EINVAL, SYS_mmap, at(1) + 1, pg, RW, PA | MAP_FIXED_NOREPLACE, -1, 0);
	T("mmap unaligned offset, anonymous", EINVAL, SYS_mmap, 0, pg, RW, PA, -1, 100);
	T("mmap unaligned offset, file", EINVAL, SYS_mmap, 0, pg, PROT_READ, MAP_PRIVATE, rdfd, 100);
	T("mmap negative offset, file", ANY, SYS_mmap, 0, pg, PROT_READ, MAP_PRIVATE, rdfd, -4096L);
	if (last != -1) syscall(SYS_munmap, last, pg);

	/* MAP_TYPE */
	T("mmap MAP_SHARED|MAP_PRIVATE anonymous", EINVAL, SYS_mmap, 0, pg, RW, MAP_SHARED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	T("mmap MAP_SHARED|MAP_PRIVATE file (= MAP_SHARED_VALIDATE)", 0, SYS_mmap, 0, pg, PROT_READ, MAP_SHARED | MAP_PRIVATE, rdfd, 0);
	if (last != -1) syscall(SYS_munmap, last, pg);
	T("mmap neither MAP_SHARED nor MAP_PRIVATE, anonymous", EINVAL, SYS_mmap, 0, pg, RW, MAP_ANONYMOUS, -1, 0);
	T("mmap neither MAP_SHARED nor MAP_PRIVATE, file", EINVAL, SYS_mmap, 0, pg, PROT_READ, 0, rdfd, 0);
	T("mmap map type 0x0f", EINVAL, SYS_mmap, 0, pg, RW, 0x0f | MAP_ANONYMOUS, -1, 0);
	T("mmap MAP_SHARED_VALIDATE with an unknown flag, file", EOPNOTSUPP, SYS_mmap, 0, pg, PROT_READ, MAP_SHARED_VALIDATE | 0x200000, rdfd, 0);
	T("mmap MAP_SHARED with an unknown flag, file", 0, SYS_mmap, 0, pg, PROT_READ, MAP_SHARED | 0x200000, rdfd, 0);
	if (last != -1) syscall(SYS_munmap, last, pg);
	T("mmap MAP_PRIVATE with an unknown flag, anonymous", 0, SYS_mmap, 0, pg, RW, PA | 0x200000, -1, 0);
	if (last != -1) syscall(SYS_munmap, last, pg);
	T("mmap MAP_SHARED_VALIDATE|MAP_SYNC, regular file", EOPNOTSUPP, SYS_mmap, 0, pg, PROT_READ, MAP_SHARED_VALIDATE | MAP_SYNC, rdfd, 0);
	T("mmap MAP_SHARED|MAP_SYNC, regular file", ANY, SYS_mmap, 0, pg, PROT_READ, MAP_SHARED | MAP_SYNC, rdfd, 0);
	if (last != -1) syscall(SYS_munmap, last, pg);

	/* prot */
	T("mmap prot 0x10 (unknown bit)", ANY, SYS_mmap, 0, pg, RW | 0x10, PA, -1, 0);
	if (last != -1) syscall(SYS_munmap, last, pg);
	T("mmap prot PROT_SEM", ANY, SYS_mmap, 0, pg, RW | PROT_SEM, PA, -1, 0);
	if (last != -1) syscall(SYS_munmap, last, pg);
	T("mmap prot PROT_GROWSDOWN", ANY, SYS_mmap, 0, pg, RW | PROT_GROWSDOWN, PA, -1, 0);
	if (last != -1) syscall(SYS_munmap, last, pg);
	T("mmap PROT_NONE", 0, SYS_mmap, 0, pg, PROT_NONE, PA, -1, 0);
	fact("mmap PROT_NONE: not readable by the kernel", access_of((char *)last) == 0, 1);
	syscall(SYS_munmap, last, pg);
	T("mmap PROT_READ|PROT_WRITE|PROT_EXEC anonymous", 0, SYS_mmap, 0, pg, RW | PROT_EXEC, PA, -1, 0);
	syscall(SYS_munmap, last, pg);

	/* descriptors */
	T("mmap fd -1 without MAP_ANONYMOUS", EBADF, SYS_mmap, 0, pg, PROT_READ, MAP_PRIVATE, -1, 0);
	T("mmap a closed fd", EBADF, SYS_mmap, 0, pg, PROT_READ, MAP_PRIVATE, closedfd, 0);
	T("mmap MAP_ANONYMOUS with a closed fd (fd ignored)", 0, SYS_mmap, 0, pg, RW, PA, closedfd, 0);
	syscall(SYS_munmap, last, pg);
	T("mmap a directory fd", ENODEV, SYS_mmap, 0, pg, PROT_READ, MAP_PRIVATE, dirfd, 0);
	T("mmap a pipe fd", ENODEV, SYS_mmap, 0, pg, PROT_READ, MAP_PRIVATE, pfd[0], 0);
	T("mmap an O_PATH fd", EBADF, SYS_mmap, 0, pg, PROT_READ, MAP_PRIVATE, pathfd, 0);
	T("mmap PROT_WRITE MAP_SHARED of an O_RDONLY file", EACCES, SYS_mmap, 0, pg, RW, MAP_SHARED, rdfd, 0);
	T("mmap PROT_READ MAP_SHARED of an O_RDONLY file", 0, SYS_mmap, 0, pg, PROT_READ, MAP_SHARED, rdfd, 0);
	syscall(SYS_munmap, last, pg);
	T("mmap PROT_WRITE MAP_PRIVATE of an O_RDONLY file", 0, SYS_mmap, 0, pg, RW, MAP_PRIVATE, rdfd, 0);
	syscall(SYS_munmap, last, pg);
	T("mmap PROT_READ MAP_PRIVATE of an O_WRONLY file", EACCES, SYS_mmap, 0, pg, PROT_READ, MAP_PRIVATE, wrfd, 0);
	T("mmap PROT_WRITE MAP_SHARED of an O_WRONLY file", EACCES, SYS_mmap, 0, pg, PROT_WRITE, MAP_SHARED, wrfd, 0);
	T("mmap PROT_NONE MAP_PRIVATE of an O_WRONLY file", EACCES, SYS_mmap, 0, pg, PROT_NONE, MAP_PRIVATE, wrfd, 0);
	T("mmap PROT_WRITE MAP_SHARED of an O_RDWR file", 0, SYS_mmap, 0, pg, RW, MAP_SHARED, rwfd, 0);
	syscall(SYS_munmap, last, pg);
	T("mmap a file at an offset beyond its end", 0, SYS_mmap, 0, pg, PROT_READ, MAP_PRIVATE, rdfd, 64 * pg);
	syscall(SYS_munmap, last, pg);
	T("mmap MAP_GROWSDOWN|MAP_SHARED anonymous", EINVAL, SYS_mmap, 0, pg, RW, MAP_SHARED | MAP_ANONYMOUS | MAP_GROWSDOWN, -1, 0);
	T("mmap MAP_GROWSDOWN private anonymous", 0, SYS_mmap, 0, 4 * pg, RW, PA | MAP_GROWSDOWN, -1, 0);
	syscall(SYS_munmap, last, 4 * pg);

	/* placement: hints, MAP_FIXED, MAP_FIXED_NOREPLACE */
	reset();
	p = carve(10, 3, RW);
	memset(p, 0x5a, 3 * pg);
	unmap(20, 8);
	T("mmap hint at a free page-aligned address", 0, SYS_mmap, at(20), pg, RW, PA, -1, 0);
	fact("mmap hint: the hint is honoured", (char *)last == at(20), 1);
	syscall(SYS_munmap, last, pg);
	T("mmap hint at a free unaligned address", 0, SYS_mmap, at(22) + 0x123, pg, RW, PA, -1, 0);
	printf("mmap unaligned hint: returned %s\n", (char *)last == at(22) ? "the hint rounded down" :
	       (char *)last == at(23) ? "the hint rounded up" : "elsewhere");
	syscall(SYS_munmap, last, pg);
	T("mmap hint at a busy address", 0, SYS_mmap, at(10), pg, RW, PA, -1, 0);
	fact("mmap busy hint: placed elsewhere", (char *)last != at(10) && (char *)last != BAD, 1);
	fact("mmap busy hint: the old mapping is untouched", all_bytes(p, 3 * pg, 0x5a), 1);
	syscall(SYS_munmap, last, pg);
	T("mmap MAP_FIXED_NOREPLACE over an existing mapping", EEXIST, SYS_mmap, at(10), pg, RW, PA | MAP_FIXED_NOREPLACE, -1, 0);
	T("mmap MAP_FIXED_NOREPLACE overlapping the end of a mapping", EEXIST, SYS_mmap, at(9), 2 * pg, RW, PA | MAP_FIXED_NOREPLACE, -1, 0);
	T("mmap MAP_FIXED_NOREPLACE over the PROT_NONE reservation", EEXIST, SYS_mmap, at(30), pg, RW, PA | MAP_FIXED_NOREPLACE, -1, 0);
	T("mmap MAP_FIXED_NOREPLACE into a hole", 0, SYS_mmap, at(21), 2 * pg, RW, PA | MAP_FIXED_NOREPLACE, -1, 0);
	fact("mmap MAP_FIXED_NOREPLACE: placed exactly", (char *)last == at(21), 1);
	fact("mmap MAP_FIXED_NOREPLACE: the old mapping is untouched", all_bytes(p, 3 * pg, 0x5a), 1);
	T("mmap MAP_FIXED over the middle of a mapping", 0, SYS_mmap, at(11), pg, RW, PA | MAP_FIXED, -1, 0);
	fact("mmap MAP_FIXED: placed exactly", (char *)last == at(11), 1);
	fact("mmap MAP_FIXED: the replaced page reads zero", all_bytes(at(11), pg, 0), 1);
	fact("mmap MAP_FIXED: the pages around it are kept", all_bytes(at(10), pg, 0x5a) && all_bytes(at(12), pg, 0x5a), 1);
	T("mmap MAP_FIXED with addr+len wrapping", ENOMEM, SYS_mmap, at(10), -(uintptr_t)at(10), RW, PA | MAP_FIXED, -1, 0);
	fact("mmap MAP_FIXED failure leaves the old mapping", all_bytes(at(10), pg, 0x5a), 1);
	T("mmap MAP_FIXED in the kernel half", ENOMEM, SYS_mmap, 1UL << 63, pg, RW, PA | MAP_FIXED, -1, 0);
	T("mmap MAP_FIXED at address 0", ANY, SYS_mmap, 0, pg, RW, PA | MAP_FIXED, -1, 0);
	if (last == 0) syscall(SYS_munmap, 0, pg);
	T("mmap MAP_FIXED_NOREPLACE at address 0", ANY, SYS_mmap, 0, pg, RW, PA | MAP_FIXED_NOREPLACE, -1, 0);
	if (last == 0) syscall(SYS_munmap, 0, pg);
	T("mmap MAP_32BIT", 0, SYS_mmap, 0, pg, RW, PA | MAP_32BIT, -1, 0);
	fact("mmap MAP_32BIT: below 2 GiB", (uintptr_t)last + pg <= (1UL << 31), 1);
	syscall(SYS_munmap, last, pg);
	T("mmap MAP_POPULATE", 0, SYS_mmap, 0, 4 * pg, RW, PA | MAP_POPULATE, -1, 0);
	unsigned char vec[64];
	fact("mmap MAP_POPULATE: mincore reports every page resident",
	     syscall(SYS_mincore, last, 4 * pg, vec) == 0 && (vec[0] & vec[1] & vec[2] & vec[3] & 1), 1);
	syscall(SYS_munmap, last, 4 * pg);
	T("mmap MAP_LOCKED", ANY, SYS_mmap, 0, pg, RW, PA | MAP_LOCKED, -1, 0);
	if (last != -1) syscall(SYS_munmap, last, pg);

	close(rdfd); close(wrfd); close(rwfd); close(dirfd); close(pathfd);
}

static void test_munmap(void)
{
	reset();
	char *p = carve(10, 4, PROT_READ | PROT_WRITE);
	memset(p, 0x11, 4 * pg);
	T("munmap len 0", EINVAL, SYS_munmap, at(10), 0);
	T("munmap unaligned addr", EINVAL, SYS_munmap, at(10) + 8, pg);
	T("munmap addr+len wrapping", EINVAL, SYS_munmap, at(10), -(uintptr_t)at(10));
	T("munmap len 2^62", EINVAL, SYS_munmap, at(10), 1UL << 62);
	T("munmap in the kernel half", EINVAL, SYS_munmap, 1UL << 63, pg);
	fact("munmap failures leave the mapping", all_bytes(p, 4 * pg, 0x11), 1);
	T("munmap of the middle page", 0, SYS_munmap, at(11), pg);
	fact("munmap middle: that page is unmapped", !mapped(at(11)), 1);
	fact("munmap middle: the pages around it are kept", all_bytes(at(10), pg, 0x11) && all_bytes(at(12), 2 * pg, 0x11), 1);
	T("munmap of an unmapped range", 0, SYS_munmap, at(11), pg);
	T("munmap unaligned len", 0, SYS_munmap, at(12), 1);
	fact("munmap unaligned len: the whole page is unmapped", !mapped(at(12) + pg - 1), 1);
	fact("munmap unaligned len: the next page is kept", all_bytes(at(13), pg, 0x11), 1);
	T("munmap across mappings and holes", 0, SYS_munmap, at(8), 8 * pg);
	fact("munmap across: everything in the range is unmapped",
	     !mapped(at(8)) && !mapped(at(10)) && !mapped(at(13)) && !mapped(at(15)), 1);
	fact("munmap across: the reservation after the range is kept", mapped(at(16)), 1);
}

static void test_mprotect(void)
{
	const int RW = PROT_READ | PROT_WRITE;
	reset();
	char *p = carve(10, 3, RW);
	memset(p, 0x22, 3 * pg);
	T("mprotect unaligned addr", EINVAL, SYS_mprotect, at(10) + 1, pg, PROT_READ);
	T("mprotect len 0", 0, SYS_mprotect, at(10), 0, PROT_READ);
	fact("mprotect len 0: nothing changes", access_of(at(10)) == 2, 1);
	T("mprotect len 0 at an unaligned addr", EINVAL, SYS_mprotect, at(10) + 1, 0, PROT_READ);
	T("mprotect addr+len wrapping", ENOMEM, SYS_mprotect, at(10), -(uintptr_t)at(10), PROT_READ);
	T("mprotect unknown prot bit 0x10", EINVAL, SYS_mprotect, at(10), pg, PROT_READ | 0x10);
	T("mprotect PROT_SEM", ANY, SYS_mprotect, at(10), pg, RW | PROT_SEM);
	T("mprotect PROT_GROWSDOWN on a non-stack mapping", EINVAL, SYS_mprotect, at(10), pg, PROT_READ | PROT_GROWSDOWN);
	T("mprotect PROT_GROWSUP", EINVAL, SYS_mprotect, at(10), pg, PROT_READ | PROT_GROWSUP);
	T("mprotect PROT_GROWSDOWN|PROT_GROWSUP", EINVAL, SYS_mprotect, at(10), pg, PROT_READ | PROT_GROWSDOWN | PROT_GROWSUP);
	fact("mprotect failures change nothing", access_of(at(10)) == 2 && access_of(at(12)) == 2, 1);
	T("mprotect unaligned len", 0, SYS_mprotect, at(10), 1, PROT_READ);
	fact("mprotect unaligned len: the whole first page is read-only", access_of(at(10) + pg - 1) == 1, 1);
	fact("mprotect unaligned len: the next page is still writable", access_of(at(11)) == 2, 1);
	T("mprotect PROT_NONE", 0, SYS_mprotect, at(10), 3 * pg, PROT_NONE);
	fact("mprotect PROT_NONE: not readable", access_of(at(11)) == 0, 1);
	T("mprotect PROT_READ|PROT_WRITE|PROT_EXEC", 0, SYS_mprotect, at(10), 3 * pg, RW | PROT_EXEC);
	fact("mprotect cycle keeps the contents", all_bytes(p, 3 * pg, 0x22), 1);
	unmap(11, 1);
	T("mprotect of the unmapped page", ENOMEM, SYS_mprotect, at(11), pg, PROT_READ);
	T("mprotect over a hole", ENOMEM, SYS_mprotect, at(10), 3 * pg, PROT_READ);
	printf("mprotect over a hole: the page before the hole: %s\n",
	       access_of(at(10)) == 1 ? "read-only (changed)" : "read-write (unchanged)");
	printf("mprotect over a hole: the page after the hole: %s\n",
	       access_of(at(12)) == 1 ? "read-only (changed)" : "read-write (unchanged)");
	T("mprotect starting in a hole", ENOMEM, SYS_mprotect, at(11), 2 * pg, PROT_READ);

	/* a MAP_GROWSDOWN mapping accepts PROT_GROWSDOWN */
	reset();
	unmap(40, 8);
	T("mmap MAP_GROWSDOWN for mprotect", 0, SYS_mmap, at(44), 4 * pg, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN | MAP_FIXED, -1, 0);
	T("mprotect PROT_GROWSDOWN on a MAP_GROWSDOWN mapping", ANY, SYS_mprotect, at(46), pg, PROT_READ | PROT_GROWSDOWN);
	printf("mprotect PROT_GROWSDOWN: the lowest page became %s\n",
	       access_of(at(44)) == 1 ? "read-only" : access_of(at(44)) == 2 ? "read-write" : "inaccessible");

	/* file mappings */
	int rdfd = open(fpath, O_RDONLY);
	char *s = xmmap(NULL, pg, PROT_READ, MAP_SHARED, rdfd, 0);
	T("mprotect PROT_WRITE on a MAP_SHARED mapping of an O_RDONLY file", EACCES, SYS_mprotect, s, pg, RW);
	T("mprotect PROT_EXEC on a MAP_SHARED mapping of an O_RDONLY file", 0, SYS_mprotect, s, pg, PROT_READ | PROT_EXEC);
	syscall(SYS_munmap, s, pg);
	s = xmmap(NULL, pg, PROT_READ, MAP_PRIVATE, rdfd, 0);
	T("mprotect PROT_WRITE on a MAP_PRIVATE mapping of an O_RDONLY file", 0, SYS_mprotect, s, pg, RW);
	syscall(SYS_munmap, s, pg);
	close(rdfd);
}

static void test_mremap(void)
{
	const int RW = PROT_READ | PROT_WRITE;
	reset();
	char *p = carve(10, 2, RW);
	for (int i = 0; i < 2; i++) memset(p + i * pg, 'a' + i, pg);
	T("mremap unaligned old address", EINVAL, SYS_mremap, at(10) + 1, pg, 2 * pg, 0, 0);
	T("mremap unknown flag", EINVAL, SYS_mremap, at(10), pg, pg, 0x40, 0);
	T("mremap MREMAP_FIXED without MREMAP_MAYMOVE", EINVAL, SYS_mremap, at(10), pg, pg, MREMAP_FIXED, at(30));
	T("mremap new_len 0", EINVAL, SYS_mremap, at(10), pg, 0, 0, 0);
	T("mremap new_len 0 with MREMAP_MAYMOVE", EINVAL, SYS_mremap, at(10), pg, 0, MREMAP_MAYMOVE, 0);
	T("mremap old_len 0 on a private mapping", ANY, SYS_mremap, at(10), 0, pg, MREMAP_MAYMOVE, 0);
	if (last != -1) syscall(SYS_munmap, last, pg);
	T("mremap of a PROT_NONE mapping, same size", 0, SYS_mremap, at(20), pg, pg, 0, 0);
	unmap(12, 2);
	T("mremap of an unmapped page", EFAULT, SYS_mremap, at(12), pg, pg, 0, 0);
	T("mremap same size, old_len beyond the mapping's end", ANY, SYS_mremap, at(10), 3 * pg, 3 * pg, 0, 0);
	T("mremap grow, old_len beyond the mapping's end", EFAULT, SYS_mremap, at(10), 3 * pg, 4 * pg, 0, 0);
	T("mremap grow with MREMAP_MAYMOVE, old_len beyond the mapping's end", EFAULT, SYS_mremap, at(10), 3 * pg, 4 * pg, MREMAP_MAYMOVE, 0);
	fact("mremap beyond the end: nothing changed", mapped(at(10)) && mapped(at(11)) && !mapped(at(12)) &&
	     all_bytes(at(10), pg, 'a') && all_bytes(at(11), pg, 'b'), 1);
	T("mremap same size", 0, SYS_mremap, at(10), 2 * pg, 2 * pg, 0, 0);
	fact("mremap same size: same address", (char *)last == at(10), 1);
	T("mremap grow in place into free space", 0, SYS_mremap, at(10), 2 * pg, 3 * pg, 0, 0);
	fact("mremap grow in place: same address", (char *)last == at(10), 1);
	fact("mremap grow in place: the old pages kept, the new page zero",
	     all_bytes(at(10), pg, 'a') && all_bytes(at(11), pg, 'b') && all_bytes(at(12), pg, 0), 1);
	memset(at(12), 'c', pg);
	/* page 13 is free, 14 is the reservation: growing by 2 pages is blocked */
	T("mremap grow blocked, without MREMAP_MAYMOVE", ENOMEM, SYS_mremap, at(10), 3 * pg, 5 * pg, 0, 0);
	fact("mremap failed grow: the mapping is unchanged", mapped(at(12)) && !mapped(at(13)) &&
	     all_bytes(at(10), pg, 'a') && all_bytes(at(12), pg, 'c'), 1);
	T("mremap grow blocked, with MREMAP_MAYMOVE", 0, SYS_mremap, at(10), 3 * pg, 5 * pg, MREMAP_MAYMOVE, 0);
	char *q = (char *)last;
	fact("mremap move: a new address", q != at(10) && q != BAD, 1);
	fact("mremap move: contents preserved, the grown part zero",
	     q != BAD && all_bytes(q, pg, 'a') && all_bytes(q + pg, pg, 'b') && all_bytes(q + 2 * pg, pg, 'c') &&
	     all_bytes(q + 3 * pg, 2 * pg, 0), 1);
	fact("mremap move: the old range is unmapped", !mapped(at(10)) && !mapped(at(11)) && !mapped(at(12)), 1);
	T("mremap shrink", 0, SYS_mremap, q, 5 * pg, 2 * pg, 0, 0);
	fact("mremap shrink: same address", (char *)last == q, 1);
	fact("mremap shrink: the tail is unmapped", !mapped(q + 2 * pg) && !mapped(q + 4 * pg), 1);
	fact("mremap shrink: the head is kept", all_bytes(q, pg, 'a') && all_bytes(q + pg, pg, 'b'), 1);
	T("mremap unaligned old_len (rounded up)", 0, SYS_mremap, q, 2 * pg - 100, 2 * pg, 0, 0);
	fact("mremap unaligned old_len: same address", (char *)last == q, 1);

	/* MREMAP_FIXED */
	char *d = carve(30, 3, RW);
	memset(d, 'z', 3 * pg);
	T("mremap MREMAP_FIXED unaligned new address", EINVAL, SYS_mremap, q, 2 * pg, 2 * pg, MREMAP_MAYMOVE | MREMAP_FIXED, at(30) + 8);
	T("mremap MREMAP_FIXED overlapping the old range", EINVAL, SYS_mremap, q, 2 * pg, 2 * pg, MREMAP_MAYMOVE | MREMAP_FIXED, q + pg);
	T("mremap MREMAP_FIXED over an existing mapping", 0, SYS_mremap, q, 2 * pg, 2 * pg, MREMAP_MAYMOVE | MREMAP_FIXED, at(30));
	fact("mremap MREMAP_FIXED: at the given address", (char *)last == at(30), 1);
	fact("mremap MREMAP_FIXED: contents moved", all_bytes(at(30), pg, 'a') && all_bytes(at(31), pg, 'b'), 1);
	fact("mremap MREMAP_FIXED: the rest of the replaced mapping is kept", all_bytes(at(32), pg, 'z'), 1);
	fact("mremap MREMAP_FIXED: the old range is unmapped", !mapped(q) && !mapped(q + pg), 1);
	T("mremap MREMAP_FIXED growing", 0, SYS_mremap, at(30), pg, 2 * pg, MREMAP_MAYMOVE | MREMAP_FIXED, at(50));
	fact("mremap MREMAP_FIXED growing: old page moved, new page zero",
	     (char *)last == at(50) && all_bytes(at(50), pg, 'a') && all_bytes(at(51), pg, 0), 1);
	fact("mremap of the first page only: the second stays behind", !mapped(at(30)) && all_bytes(at(31), pg, 'b'), 1);
	T("mremap grow, old range spanning two mappings", EFAULT, SYS_mremap, at(31), 2 * pg, 3 * pg, MREMAP_MAYMOVE, 0);
	T("mremap same size, old range spanning two mappings", ANY, SYS_mremap, at(31), 2 * pg, 2 * pg, MREMAP_MAYMOVE, 0);
	fact("mremap same size spanning two mappings: nothing moved", (char *)last == at(31) &&
	     all_bytes(at(31), pg, 'b') && all_bytes(at(32), pg, 'z'), ANY);
	T("mremap MREMAP_FIXED of a range spanning two mappings", ANY, SYS_mremap, at(31), 2 * pg, 2 * pg, MREMAP_MAYMOVE | MREMAP_FIXED, at(70));
	if (last != -1)
		fact("mremap MREMAP_FIXED spanning two mappings: both moved", (char *)last == at(70) &&
		     all_bytes(at(70), pg, 'b') && all_bytes(at(71), pg, 'z') && !mapped(at(31)) && !mapped(at(32)), 1);
	T("mremap new_len 2^62 with MREMAP_MAYMOVE", ANY, SYS_mremap, at(31), pg, 1UL << 62, MREMAP_MAYMOVE, 0);

	/* MREMAP_DONTUNMAP */
	reset();
	p = carve(10, 2, RW);
	memset(p, 'd', 2 * pg);
	T("mremap MREMAP_DONTUNMAP without MREMAP_MAYMOVE", EINVAL, SYS_mremap, p, 2 * pg, 2 * pg, MREMAP_DONTUNMAP, 0);
	T("mremap MREMAP_DONTUNMAP changing size", EINVAL, SYS_mremap, p, 2 * pg, 3 * pg, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0);
	T("mremap MREMAP_DONTUNMAP private anonymous", ANY, SYS_mremap, p, 2 * pg, 2 * pg, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0);
	if (last != -1) {
		q = (char *)last;
		fact("mremap MREMAP_DONTUNMAP: the new range has the contents", all_bytes(q, 2 * pg, 'd'), 1);
		fact("mremap MREMAP_DONTUNMAP: the old range is still mapped and reads zero",
		     mapped(p) && all_bytes(p, 2 * pg, 0), 1);
		syscall(SYS_munmap, q, 2 * pg);
	}

	/* old_len 0 on a shared mapping: a second mapping of the same pages */
	char *sh = carve_shared(60, 1);
	strcpy(sh, "shared");
	T("mremap old_len 0 on a shared mapping without MREMAP_MAYMOVE", ANY, SYS_mremap, sh, 0, pg, 0, 0);
	T("mremap old_len 0 on a shared mapping with MREMAP_MAYMOVE", 0, SYS_mremap, sh, 0, pg, MREMAP_MAYMOVE, 0);
	if (last != -1) {
		q = (char *)last;
		fact("mremap old_len 0: a new address", q != sh, 1);
		fact("mremap old_len 0: the original is still mapped", mapped(sh), 1);
		strcpy(q, "alias");
		fact("mremap old_len 0: both map the same memory", !strcmp(sh, "alias"), 1);
		syscall(SYS_munmap, q, pg);
	}
}

static void test_brk(void)
{
	/* glibc caches the break for sbrk: restore it exactly before using sbrk */
	uintptr_t b0 = syscall(SYS_brk, 0);
	void *s0 = sbrk(0);
	uintptr_t b1 = syscall(SYS_brk, 0);
	fact("brk(0) returns the current break (== sbrk(0))", (void *)b0 == s0, 1);
	fact("brk(0) twice: the same", b0 == b1, 1);
	uintptr_t base = (b0 + pg - 1) & ~(uintptr_t)(pg - 1);	/* the page after the break's */
	uintptr_t r = syscall(SYS_brk, base + 3 * pg);
	fact("brk grow by 3 pages returns the new break", r == base + 3 * pg, 1);
	fact("brk(0) after growing", (uintptr_t)syscall(SYS_brk, 0) == base + 3 * pg, 1);
	fact("brk grown memory reads zero", all_bytes((char *)base, 3 * pg, 0), 1);
	memset((char *)base, 0x77, 3 * pg);
	fact("brk grown memory is writable", all_bytes((char *)base, 3 * pg, 0x77), 1);
	r = syscall(SYS_brk, base + pg + 100);
	fact("brk shrink to an unaligned value returns it exactly", r == base + pg + 100, 1);
	fact("brk shrink: the page holding the break is kept", all_bytes((char *)base + pg, pg, 0x77), 1);
	fact("brk shrink: the pages after it are unmapped", !mapped((char *)base + 2 * pg), 1);
	r = syscall(SYS_brk, base + 3 * pg);
	fact("brk regrow returns the new break", r == base + 3 * pg, 1);
	fact("brk regrow: the re-added page reads zero", all_bytes((char *)base + 2 * pg, pg, 0), 1);
	fact("brk regrow: the kept page keeps its data", all_bytes((char *)base + pg, pg, 0x77), 1);
	r = syscall(SYS_brk, 4096);
	fact("brk below the heap start fails: returns the current break", r == base + 3 * pg, 1);
	r = syscall(SYS_brk, 1UL << 62);
	fact("brk to 2^62 fails: returns the current break", r == base + 3 * pg, 1);
	r = syscall(SYS_brk, (uintptr_t)-4096);
	fact("brk into the kernel half fails: returns the current break", r == base + 3 * pg, 1);
	/* a mapping right after the break blocks it */
	char *blk = xmmap((char *)base + 5 * pg, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (blk == (char *)base + 5 * pg) {
		r = syscall(SYS_brk, base + 6 * pg);
		fact("brk grow over a mapping fails: returns the current break", r == base + 3 * pg, 1);
		r = syscall(SYS_brk, base + 5 * pg);
		fact("brk grow to the start of a mapping fails (a page must stay free)", r == base + 3 * pg, 1);
		r = syscall(SYS_brk, base + 4 * pg);
		fact("brk grow to one page before a mapping", r == base + 4 * pg, 1);
		syscall(SYS_munmap, blk, pg);
	} else {
		printf("brk: no room after the break (skipped)\n");
	}
	r = syscall(SYS_brk, b0);
	fact("brk back to the start value", r == b0, 1);
	fact("brk shrink back: the pages beyond are unmapped", !mapped((char *)base + pg), 1);

	/* sbrk */
	char *o = sbrk(0);
	char *a = sbrk(3 * pg);
	fact("sbrk(n) returns the old break", a == o, 1);
	fact("sbrk(0) after sbrk(n) is old+n", sbrk(0) == o + 3 * pg, 1);
	fact("sbrk(0) agrees with brk(0)", (uintptr_t)syscall(SYS_brk, 0) == (uintptr_t)(o + 3 * pg), 1);
	memset(a, 1, 3 * pg);
	char *c = sbrk(-(intptr_t)(2 * pg));
	fact("sbrk(-n) returns the old break", c == o + 3 * pg, 1);
	fact("sbrk(0) after sbrk(-n)", sbrk(0) == o + pg, 1);
	errno = 0;
	void *huge = sbrk((intptr_t)1 << 62);
	fact("sbrk(2^62) fails with ENOMEM", huge == (void *)-1 && errno == ENOMEM, 1);
	fact("sbrk failure leaves the break", sbrk(0) == o + pg, 1);
	sbrk(-(intptr_t)pg);
	fact("sbrk back to the start", sbrk(0) == o, 1);
}

static void test_madvise(void)
{
	const int RW = PROT_READ | PROT_WRITE;
	reset();
	char *p = carve(10, 4, RW);
	memset(p, 0x33, 4 * pg);
	T("madvise bad advice 12345", EINVAL, SYS_madvise, p, pg, 12345);
	T("madvise unaligned addr", EINVAL, SYS_madvise, p + 1, pg, MADV_NORMAL);
	T("madvise len 0", 0, SYS_madvise, p, 0, MADV_DONTNEED);
	fact("madvise len 0 MADV_DONTNEED: nothing zeroed", all_bytes(p, pg, 0x33), 1);
	T("madvise addr+len wrapping", ANY, SYS_madvise, p, -(uintptr_t)p, MADV_NORMAL);
	T("madvise MADV_NORMAL", 0, SYS_madvise, p, 4 * pg, MADV_NORMAL);
	T("madvise MADV_RANDOM", 0, SYS_madvise, p, 4 * pg, MADV_RANDOM);
	T("madvise MADV_SEQUENTIAL", 0, SYS_madvise, p, 4 * pg, MADV_SEQUENTIAL);
	T("madvise MADV_WILLNEED", 0, SYS_madvise, p, 4 * pg, MADV_WILLNEED);
	T("madvise MADV_DONTDUMP", 0, SYS_madvise, p, 4 * pg, MADV_DONTDUMP);
	T("madvise MADV_DODUMP", 0, SYS_madvise, p, 4 * pg, MADV_DODUMP);
	T("madvise MADV_COLD", 0, SYS_madvise, p, 4 * pg, MADV_COLD);
	T("madvise MADV_PAGEOUT", 0, SYS_madvise, p, 4 * pg, MADV_PAGEOUT);
	fact("madvise MADV_COLD/MADV_PAGEOUT keep the contents", all_bytes(p, 4 * pg, 0x33), 1);
	T("madvise MADV_HUGEPAGE", ANY, SYS_madvise, p, 4 * pg, MADV_HUGEPAGE);
	T("madvise MADV_NOHUGEPAGE", ANY, SYS_madvise, p, 4 * pg, MADV_NOHUGEPAGE);
	T("madvise MADV_DONTFORK", 0, SYS_madvise, p, 4 * pg, MADV_DONTFORK);
	T("madvise MADV_DOFORK", 0, SYS_madvise, p, 4 * pg, MADV_DOFORK);
	T("madvise MADV_WIPEONFORK private anonymous", 0, SYS_madvise, p, 4 * pg, MADV_WIPEONFORK);
	T("madvise MADV_KEEPONFORK", 0, SYS_madvise, p, 4 * pg, MADV_KEEPONFORK);
	T("madvise MADV_FREE private anonymous", 0, SYS_madvise, at(13), pg, MADV_FREE);
	T("madvise MADV_REMOVE private anonymous", EINVAL, SYS_madvise, p, pg, MADV_REMOVE);
	T("madvise MADV_DONTNEED private anonymous", 0, SYS_madvise, at(11), pg, MADV_DONTNEED);
	fact("MADV_DONTNEED private anonymous: the page reads zero", all_bytes(at(11), pg, 0), 1);
	fact("MADV_DONTNEED private anonymous: the neighbours are kept",
	     all_bytes(at(10), pg, 0x33) && all_bytes(at(12), pg, 0x33), 1);
	T("madvise MADV_DONTNEED unaligned len", 0, SYS_madvise, at(10), 1, MADV_DONTNEED);
	fact("MADV_DONTNEED unaligned len: the whole page reads zero", all_bytes(at(10), pg, 0), 1);
	T("madvise MADV_POPULATE_READ", ANY, SYS_madvise, p, 4 * pg, MADV_POPULATE_READ);
	T("madvise MADV_POPULATE_WRITE", ANY, SYS_madvise, p, 4 * pg, MADV_POPULATE_WRITE);
	fact("MADV_POPULATE_*: the contents are kept", all_bytes(at(12), pg, 0x33), 1);

	/* holes */
	unmap(14, 1);
	memset(p, 0x44, 4 * pg);
	T("madvise MADV_NORMAL over a hole", ENOMEM, SYS_madvise, at(12), 4 * pg, MADV_NORMAL);
	T("madvise MADV_WILLNEED over a hole", ENOMEM, SYS_madvise, at(12), 4 * pg, MADV_WILLNEED);
	T("madvise MADV_DONTNEED over a hole", ENOMEM, SYS_madvise, at(12), 4 * pg, MADV_DONTNEED);
	printf("MADV_DONTNEED over a hole: the page before the hole %s\n",
	       all_bytes(at(13), pg, 0) ? "was zeroed" : "kept its data");
	T("madvise MADV_DONTNEED of an unmapped page", ENOMEM, SYS_madvise, at(14), pg, MADV_DONTNEED);
	T("madvise MADV_NORMAL of an unmapped page", ENOMEM, SYS_madvise, at(14), pg, MADV_NORMAL);
	T("madvise MADV_POPULATE_READ over a hole", ENOMEM, SYS_madvise, at(13), 2 * pg, MADV_POPULATE_READ);
	T("madvise bad advice over a hole", EINVAL, SYS_madvise, at(13), 2 * pg, 12345);

	/* protections */
	carve(20, 1, PROT_READ);
	carve(21, 1, PROT_NONE);
	T("madvise MADV_POPULATE_WRITE on PROT_READ", ANY, SYS_madvise, at(20), pg, MADV_POPULATE_WRITE);
	T("madvise MADV_POPULATE_READ on PROT_READ", 0, SYS_madvise, at(20), pg, MADV_POPULATE_READ);
	T("madvise MADV_POPULATE_READ on PROT_NONE", ANY, SYS_madvise, at(21), pg, MADV_POPULATE_READ);
	T("madvise MADV_DONTNEED on PROT_NONE", 0, SYS_madvise, at(21), pg, MADV_DONTNEED);

	/* guard regions (Linux 6.13+) */
	char *g = carve(24, 3, RW);
	memset(g, 0x66, 3 * pg);
	T("madvise MADV_GUARD_INSTALL", ANY, SYS_madvise, at(25), pg, MADV_GUARD_INSTALL);
	if (last == 0) {
		fact("MADV_GUARD_INSTALL: the page is inaccessible to the kernel", access_of(at(25)) == 0, 1);
		fact("MADV_GUARD_INSTALL: still mapped for mincore", mapped(at(25)), 1);
		fact("MADV_GUARD_INSTALL: the neighbours are kept", all_bytes(at(24), pg, 0x66) && all_bytes(at(26), pg, 0x66), 1);
		T("madvise MADV_GUARD_REMOVE", 0, SYS_madvise, at(25), pg, MADV_GUARD_REMOVE);
		fact("MADV_GUARD_REMOVE: the page reads zero", all_bytes(at(25), pg, 0), 1);
	}

	/* shared anonymous */
	char *s = carve_shared(30, 2);
	memset(s, 0x55, 2 * pg);
	T("madvise MADV_DONTNEED shared anonymous", 0, SYS_madvise, s, 2 * pg, MADV_DONTNEED);
	fact("MADV_DONTNEED shared anonymous: the data is kept", all_bytes(s, 2 * pg, 0x55), 1);
	T("madvise MADV_FREE shared anonymous", EINVAL, SYS_madvise, s, pg, MADV_FREE);
	T("madvise MADV_WIPEONFORK shared anonymous", EINVAL, SYS_madvise, s, pg, MADV_WIPEONFORK);
	T("madvise MADV_REMOVE shared anonymous", 0, SYS_madvise, s, pg, MADV_REMOVE);
	fact("MADV_REMOVE shared anonymous: the page reads zero", all_bytes(s, pg, 0), 1);
	fact("MADV_REMOVE shared anonymous: the next page is kept", all_bytes(s + pg, pg, 0x55), 1);

	/* private file mapping: DONTNEED drops the private copy, the file shows again */
	int fd = open(fpath, O_RDONLY);
	char *f = xmmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	memset(f, '#', 2 * pg);
	T("madvise MADV_DONTNEED private file mapping", 0, SYS_madvise, f, pg, MADV_DONTNEED);
	fact("MADV_DONTNEED private file mapping: the file's data shows again", all_bytes(f, pg, 'F'), 1);
	fact("MADV_DONTNEED private file mapping: the other page keeps its private data", all_bytes(f + pg, pg, '#'), 1);
	T("madvise MADV_REMOVE private file mapping", EACCES, SYS_madvise, f, pg, MADV_REMOVE);
	syscall(SYS_munmap, f, 2 * pg);
	close(fd);

	/* locked */
	char *l = carve(40, 1, RW);
	l[0] = 1;
	if (syscall(SYS_mlock, l, pg) == 0) {
		T("madvise MADV_DONTNEED on an mlocked page", EINVAL, SYS_madvise, l, pg, MADV_DONTNEED);
		T("madvise MADV_FREE on an mlocked page", EINVAL, SYS_madvise, l, pg, MADV_FREE);
		T("madvise MADV_PAGEOUT on an mlocked page", ANY, SYS_madvise, l, pg, MADV_PAGEOUT);
		syscall(SYS_munlock, l, pg);
	}
}

static void test_mincore(void)
{
	unsigned char vec[16];
	reset();
	char *p = carve(10, 16, PROT_READ | PROT_WRITE);
	T("mincore unaligned addr", EINVAL, SYS_mincore, p + 1, pg, vec);
	T("mincore len 0", 0, SYS_mincore, p, 0, vec);
	T("mincore bad vector", EFAULT, SYS_mincore, p, pg, (void *)8);
	T("mincore vector in a PROT_NONE page", EFAULT, SYS_mincore, p, pg, at(30));	/* PROT_NONE */
	T("mincore of the PROT_NONE reservation", 0, SYS_mincore, at(30), pg, vec);
	unmap(26, 2);
	T("mincore of an unmapped page", ENOMEM, SYS_mincore, at(26), pg, vec);
	T("mincore partly over a hole", ENOMEM, SYS_mincore, at(25), 2 * pg, vec);
	T("mincore addr+len wrapping", ENOMEM, SYS_mincore, p, -(uintptr_t)p, vec);
	int touched[] = { 0, 3, 4, 9, 15 };
	for (int i = 0; i < 5; i++) p[touched[i] * pg + 17] = 1;
	T("mincore of 16 pages, 5 touched", 0, SYS_mincore, p, 16 * pg, vec);
	int all = 1;
	for (int i = 0; i < 5; i++) all &= vec[touched[i]] & 1;
	fact("mincore: every touched page reports 1", all, 1);
	T("mincore unaligned len", 0, SYS_mincore, p + 3 * pg, pg / 2, vec);
	fact("mincore unaligned len: one entry, 1", vec[0] & 1, 1);
	syscall(SYS_madvise, p, 16 * pg, MADV_DONTNEED);
	syscall(SYS_mincore, p, 16 * pg, vec);
	all = 1;
	for (int i = 0; i < 16; i++) all &= !(vec[i] & 1);
	fact("mincore after MADV_DONTNEED: every page reports 0", all, 1);
}

static void test_mlock(void)
{
	reset();
	char *p = carve(10, 4, PROT_READ | PROT_WRITE);
	memset(p, 1, 4 * pg);
	T("mlock", 0, SYS_mlock, p, 4 * pg);
	T("munlock", 0, SYS_munlock, p, 4 * pg);
	T("mlock len 0", 0, SYS_mlock, p, 0);
	T("munlock len 0", 0, SYS_munlock, p, 0);
	T("mlock unaligned addr", 0, SYS_mlock, p + 5, 10);
	T("munlock unaligned addr", 0, SYS_munlock, p + 5, 10);
	T("mlock addr+len wrapping", ANY, SYS_mlock, p, -(uintptr_t)p);
	unmap(12, 1);
	T("mlock over a hole", ENOMEM, SYS_mlock, p, 4 * pg);
	T("munlock over a hole", ENOMEM, SYS_munlock, p, 4 * pg);
	T("mlock of an unmapped page", ENOMEM, SYS_mlock, at(12), pg);
	T("munlock of an unmapped page", ENOMEM, SYS_munlock, at(12), pg);
	T("mlock2 bad flags", EINVAL, SYS_mlock2, p, pg, 2);
	T("mlock2 MLOCK_ONFAULT", 0, SYS_mlock2, p, pg, MLOCK_ONFAULT);
	T("mlock2 flags 0", 0, SYS_mlock2, p, pg, 0);
	T("munlock after mlock2", 0, SYS_munlock, p, pg);
	carve(20, 1, PROT_NONE);
	T("mlock of a PROT_NONE mapping", ANY, SYS_mlock, at(20), pg);
	syscall(SYS_munlock, at(20), pg);
	T("mlockall(0)", EINVAL, SYS_mlockall, 0);
	T("mlockall(MCL_ONFAULT)", EINVAL, SYS_mlockall, MCL_ONFAULT);
	T("mlockall(0x100)", EINVAL, SYS_mlockall, 0x100);
	T("munlockall", 0, SYS_munlockall);
	fact("mlock/munlock keep the contents", all_bytes(p, 2 * pg, 1) && all_bytes(at(13), pg, 1), 1);
}

static void test_msync(void)
{
	reset();
	char *p = carve(10, 3, PROT_READ | PROT_WRITE);
	T("msync bad flags 0x100", EINVAL, SYS_msync, p, pg, 0x100);
	T("msync MS_ASYNC|MS_SYNC", EINVAL, SYS_msync, p, pg, MS_ASYNC | MS_SYNC);
	T("msync unaligned addr", EINVAL, SYS_msync, p + 1, pg, MS_SYNC);
	T("msync len 0", 0, SYS_msync, p, 0, MS_SYNC);
	T("msync flags 0", 0, SYS_msync, p, pg, 0);
	T("msync MS_SYNC anonymous", 0, SYS_msync, p, 3 * pg, MS_SYNC);
	T("msync MS_ASYNC anonymous", 0, SYS_msync, p, 3 * pg, MS_ASYNC);
	T("msync MS_INVALIDATE anonymous", 0, SYS_msync, p, 3 * pg, MS_INVALIDATE);
	T("msync unaligned len", 0, SYS_msync, p, 1, MS_SYNC);
	T("msync addr+len wrapping", ANY, SYS_msync, p, -(uintptr_t)p, MS_SYNC);
	unmap(11, 1);
	T("msync over a hole", ENOMEM, SYS_msync, p, 3 * pg, MS_SYNC);
	T("msync of an unmapped page", ENOMEM, SYS_msync, at(11), pg, MS_SYNC);
	T("msync MS_ASYNC over a hole", ENOMEM, SYS_msync, p, 3 * pg, MS_ASYNC);
	if (syscall(SYS_mlock, p, pg) == 0) {
		T("msync MS_INVALIDATE on an mlocked page", EBUSY, SYS_msync, p, pg, MS_INVALIDATE);
		T("msync MS_SYNC on an mlocked page", 0, SYS_msync, p, pg, MS_SYNC);
		syscall(SYS_munlock, p, pg);
	}
	/* a shared file mapping: the written data reaches the file */
	int fd = open(fpath, O_RDWR);
	char *f = xmmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, pg);
	memcpy(f, "synced", 6);
	T("msync MS_SYNC shared file mapping", 0, SYS_msync, f, pg, MS_SYNC);
	char buf[8] = { 0 };
	fact("msync: the file has the data", pread(fd, buf, 6, pg) == 6 && !memcmp(buf, "synced", 6), 1);
	memcpy(f, "FFFFFF", 6);
	syscall(SYS_munmap, f, pg);
	close(fd);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	alarm(30);
	pg = sysconf(_SC_PAGESIZE);
	if (pipe(pfd) || !mkdtemp(tmpdir)) return 2;
	snprintf(fpath, sizeof fpath, "%s/file", tmpdir);
	int fd = open(fpath, O_RDWR | O_CREAT | O_TRUNC, 0600);
	char fill[4096];
	memset(fill, 'F', sizeof fill);
	for (int i = 0; i < 4; i++) if (write(fd, fill, sizeof fill) != (ssize_t)sizeof fill) return 2;
	close(fd);
	res = xmmap(NULL, NRES * pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (res == BAD) return 2;

	test_mmap();
	test_munmap();
	test_mprotect();
	test_mremap();
	test_brk();
	test_madvise();
	test_mincore();
	test_mlock();
	test_msync();

	unlink(fpath);
	rmdir(tmpdir);
	return failures ? 1 : 0;
}
