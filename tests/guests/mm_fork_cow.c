/* tests/guests/mm_fork_cow.c - fork's copy-on-write isolation and its exceptions:
 * private regions (2000 mmap'd pages, a 600-page malloc block, a brk heap of small blocks)
 * written by the child and by the parent after fork, each side keeping its own
 * data (checksums printed); a grandchild; fork after partial writes (never-touched
 * pages stay zero on both sides); MAP_SHARED|MAP_ANONYMOUS memory seen both ways
 * and by a grandchild; MADV_DONTFORK (absent in the child), MADV_WIPEONFORK (zero
 * in the child and its children); vfork's child writing the parent's memory;
 * private and shared file mappings written by a child; mprotect, munmap and brk in
 * a child leaving the parent alone. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define NP 2000
#define NBIG 600	/* pages of the big malloc block (> the mmap threshold) */
static long pg;
static int failures;

static int check(int ok, const char *what)
{
	printf("%s: %s\n", what, ok ? "yes" : "no");
	if (!ok) {
		failures++;
		fprintf(stderr, "check failed: %s\n", what);	/* shown by the test harness */
	}
	return ok;
}

/* word j of page i is a function of (seed, i, j) */
static void fill(void *p, long npages, uint64_t seed)
{
	uint64_t *w = p;
	long n = npages * pg / 8;
	for (long k = 0; k < n; k++) w[k] = seed * 0x9E3779B97F4A7C15ULL + (uint64_t)k;
}
static void fill_pages(void *p, long first, long step, long npages, uint64_t seed)
{
	for (long i = first; i < npages; i += step) {
		uint64_t *w = (uint64_t *)((char *)p + i * pg);
		for (long j = 0; j < pg / 8; j++) w[j] = seed * 0x9E3779B97F4A7C15ULL + (uint64_t)(i * pg / 8 + j);
	}
}
static uint64_t csum(const void *p, size_t bytes)
{
	const uint64_t *w = p;
	uint64_t h = 1469598103934665603ULL;
	for (size_t k = 0; k < bytes / 8; k++) h = (h ^ w[k]) * 1099511628211ULL;
	return h;
}
static int is_zero(const void *p, size_t bytes)
{
	const uint64_t *w = p;
	for (size_t k = 0; k < bytes / 8; k++) if (w[k]) return 0;
	return 1;
}

/* the child's verdict comes back as its exit status */
static void reap(pid_t pid, const char *what)
{
	int st;
	if (waitpid(pid, &st, 0) != pid) { perror("waitpid"); exit(2); }
	char b[160];
	snprintf(b, sizeof b, "%s: exited 0", what);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0, b);
}
static void child_exit(void) { _exit(failures ? 1 : 0); }

static void sync_send(int fd) { if (write(fd, "x", 1) != 1) _exit(9); }
static void sync_wait(int fd) { char c; if (read(fd, &c, 1) != 1) _exit(9); }

static sigjmp_buf env;
static volatile int segv_code;
static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)sig; (void)uc;
	segv_code = si->si_code;
	siglongjmp(env, 1);
}

static volatile int vfork_global;

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	alarm(30);
	pg = sysconf(_SC_PAGESIZE);
	size_t len = (size_t)NP * pg;
	pid_t pid;
	int a[2], b[2];
	if (pipe(a) || pipe(b)) return 2;

	/* 1. an mmap'd private region: the child writes every page */
	char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	fill(m, NP, 1);
	uint64_t s1 = csum(m, len);
	printf("mmap region checksum: %016llx\n", (unsigned long long)s1);
	if ((pid = fork()) == 0) {
		check(csum(m, len) == s1, "child sees the parent's mmap'd data");
		fill(m, NP, 2);
		printf("child's checksum after writing every page: %016llx\n", (unsigned long long)csum(m, len));
		child_exit();
	}
	reap(pid, "child writing every page");
	check(csum(m, len) == s1, "parent's mmap'd data unchanged by the child's writes");

	/* 2. the parent writes every page while the child holds the old copy */
	if ((pid = fork()) == 0) {
		sync_wait(a[0]);
		check(csum(m, len) == s1, "child's copy unchanged by the parent's writes");
		child_exit();
	}
	fill(m, NP, 3);
	uint64_t s3 = csum(m, len);
	sync_send(a[1]);
	reap(pid, "child checking after the parent wrote");
	printf("parent's checksum after writing every page: %016llx\n", (unsigned long long)s3);

	/* 3. malloc'd memory: a big block (mmap'd by malloc) and a brk heap of small ones */
	size_t blen = (size_t)NBIG * pg;
	char *big = malloc(blen);
	enum { NBLK = 20000 };
	static uint64_t *blk[NBLK];
	fill(big, NBIG, 10);
	for (int i = 0; i < NBLK; i++) {
		blk[i] = malloc(48);
		for (int j = 0; j < 6; j++) blk[i][j] = (uint64_t)i * 6 + j;
	}
	uint64_t sb = csum(big, blen);
	if ((pid = fork()) == 0) {
		int ok = csum(big, blen) == sb;
		for (int i = 0; i < NBLK; i++) ok &= blk[i][5] == (uint64_t)i * 6 + 5;
		check(ok, "child sees the parent's malloc'd data");
		fill(big, NBIG, 11);
		for (int i = 0; i < NBLK; i++) for (int j = 0; j < 6; j++) blk[i][j] = ~0ULL;
		free(blk[7]);
		blk[7] = malloc(48);	/* the child's heap goes its own way */
		child_exit();
	}
	reap(pid, "child writing malloc'd memory");
	int ok = csum(big, blen) == sb;
	for (int i = 0; i < NBLK; i++) for (int j = 0; j < 6; j++) ok &= blk[i][j] == (uint64_t)i * 6 + j;
	check(ok, "parent's malloc'd data (big block and 20000 small ones) unchanged");
	if ((pid = fork()) == 0) {
		sync_wait(a[0]);
		int ok2 = csum(big, blen) == sb;
		for (int i = 0; i < NBLK; i++) ok2 &= blk[i][0] == (uint64_t)i * 6;
		check(ok2, "child's malloc'd data unchanged by the parent's writes");
		child_exit();
	}
	fill(big, NBIG, 12);
	for (int i = 0; i < NBLK; i++) blk[i][0] = 0;
	sync_send(a[1]);
	reap(pid, "child checking malloc'd memory");

	/* 4. a grandchild */
	fill(m, NP, 4);
	uint64_t s4 = csum(m, len);
	if ((pid = fork()) == 0) {
		pid_t g = fork();
		if (g == 0) {
			check(csum(m, len) == s4, "grandchild sees the original data");
			fill(m, NP, 5);
			printf("grandchild's checksum after writing: %016llx\n", (unsigned long long)csum(m, len));
			child_exit();
		}
		reap(g, "grandchild");
		check(csum(m, len) == s4, "child's data unchanged by the grandchild");
		fill(m, NP, 6);
		child_exit();
	}
	reap(pid, "child of the grandchild test");
	check(csum(m, len) == s4, "parent's data unchanged by child and grandchild");

	/* 5. fork after partial writes: odd pages written before fork, even never touched */
	char *pw = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	fill_pages(pw, 1, 2, NP, 7);
	uint64_t odd = 0;
	for (long i = 1; i < NP; i += 2) odd ^= csum(pw + i * pg, pg);
	if ((pid = fork()) == 0) {
		uint64_t o = 0;
		int zero = 1;
		for (long i = 1; i < NP; i += 2) o ^= csum(pw + i * pg, pg);
		for (long i = 0; i < NP; i += 2) zero &= is_zero(pw + i * pg, pg);
		check(o == odd, "partial: child sees the pages written before fork");
		check(zero, "partial: child reads zero from the pages never touched");
		fill_pages(pw, 0, 2, NP, 8);	/* the untouched ones */
		fill_pages(pw, 1, 4, NP, 9);	/* half of the touched ones */
		child_exit();
	}
	reap(pid, "partial: child");
	uint64_t o = 0;
	int zero = 1;
	for (long i = 1; i < NP; i += 2) o ^= csum(pw + i * pg, pg);
	for (long i = 0; i < NP; i += 2) zero &= is_zero(pw + i * pg, pg);
	check(o == odd, "partial: parent's written pages unchanged");
	check(zero, "partial: parent's untouched pages still zero");
	munmap(pw, len);

	/* 6. MAP_SHARED|MAP_ANONYMOUS: both ways, and a grandchild */
	size_t slen = 64 * pg;
	char *sh = mmap(NULL, slen, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	fill(sh, 64, 20);
	if ((pid = fork()) == 0) {
		check(csum(sh, slen) == (fill(m, 64, 20), csum(m, slen)), "shared: child sees the parent's data");
		fill(sh, 64, 21);
		sync_send(b[1]);
		sync_wait(a[0]);
		fill(m, 64, 22);
		check(csum(sh, slen) == csum(m, slen), "shared: child sees the parent's later writes");
		pid_t g = fork();
		if (g == 0) {
			strcpy(sh + 5 * pg, "from the grandchild");
			child_exit();
		}
		reap(g, "shared: grandchild");
		child_exit();
	}
	sync_wait(b[0]);
	fill(m, 64, 21);
	check(csum(sh, slen) == csum(m, slen), "shared: parent sees the child's writes");
	fill(sh, 64, 22);
	sync_send(a[1]);
	reap(pid, "shared: child");
	check(!strcmp(sh + 5 * pg, "from the grandchild"), "shared: parent sees the grandchild's write");

	/* 7. MADV_DONTFORK: not there in the child; MADV_DOFORK brings it back */
	char *d = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(d, 'd', 4 * pg);
	check(madvise(d, 4 * pg, MADV_DONTFORK) == 0, "madvise MADV_DONTFORK");
	if ((pid = fork()) == 0) {
		unsigned char v[4];
		errno = 0;
		check(mincore(d, 4 * pg, v) == -1 && errno == ENOMEM, "DONTFORK: mincore in the child is ENOMEM");
		struct sigaction sa = { 0 };
		sa.sa_sigaction = on_segv;
		sa.sa_flags = SA_SIGINFO;
		sigaction(SIGSEGV, &sa, NULL);
		volatile int faulted = 0;
		if (!sigsetjmp(env, 1)) (void)*(volatile char *)(d + pg);
		else faulted = 1;
		check(faulted && segv_code == SEGV_MAPERR, "DONTFORK: access in the child is SIGSEGV/SEGV_MAPERR");
		void *again = mmap(d, 4 * pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		check(again == d, "DONTFORK: the range is free in the child");
		child_exit();
	}
	reap(pid, "DONTFORK: child");
	check(d[0] == 'd' && d[4 * pg - 1] == 'd', "DONTFORK: the parent keeps the data");
	madvise(d, 4 * pg, MADV_DOFORK);
	if ((pid = fork()) == 0) {
		check(d[pg] == 'd', "DOFORK: the child has the data again");
		child_exit();
	}
	reap(pid, "DOFORK: child");

	/* 8. MADV_WIPEONFORK: zero in the child (and in its children), kept in the parent */
	char *w = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(w, 'w', 4 * pg);
	check(madvise(w, 4 * pg, MADV_WIPEONFORK) == 0, "madvise MADV_WIPEONFORK");
	if ((pid = fork()) == 0) {
		check(is_zero(w, 4 * pg), "WIPEONFORK: the child reads zero");
		memset(w, 'c', 4 * pg);
		pid_t g = fork();
		if (g == 0) {
			check(is_zero(w, 4 * pg), "WIPEONFORK: the grandchild reads zero too");
			child_exit();
		}
		reap(g, "WIPEONFORK: grandchild");
		check(w[0] == 'c', "WIPEONFORK: the child keeps its own writes");
		child_exit();
	}
	reap(pid, "WIPEONFORK: child");
	check(w[0] == 'w' && w[4 * pg - 1] == 'w', "WIPEONFORK: the parent keeps the data");
	madvise(w, 4 * pg, MADV_KEEPONFORK);
	if ((pid = fork()) == 0) {
		check(w[0] == 'w', "KEEPONFORK: the child has the data");
		child_exit();
	}
	reap(pid, "KEEPONFORK: child");

	/* 9. vfork: the child runs in the parent's memory */
	vfork_global = 1;
	m[0] = 'p';
	pid = vfork();
	if (pid == 0) {
		vfork_global = 42;
		m[0] = 'v';
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	check(vfork_global == 42, "vfork: the child's write to a global is seen by the parent");
	check(m[0] == 'v', "vfork: the child's write to mmap'd memory is seen by the parent");

	/* 10. file mappings written by a child */
	char path[] = "/tmp/mm_forkXXXXXX";
	int fd = mkstemp(path);
	unlink(path);
	char fbuf[4096];
	memset(fbuf, 'F', sizeof fbuf);
	for (int i = 0; i < 4; i++) if (write(fd, fbuf, sizeof fbuf) != (ssize_t)sizeof fbuf) return 2;
	char *fp = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	char *fs = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	fp[pg] = 'P';	/* one page already private in the parent */
	if ((pid = fork()) == 0) {
		check(fp[0] == 'F' && fp[pg] == 'P', "file: the child sees the parent's private mapping");
		memset(fp, 'C', 4 * pg);
		fs[2 * pg] = 'S';
		child_exit();
	}
	reap(pid, "file: child");
	check(fp[0] == 'F' && fp[pg] == 'P' && fp[3 * pg] == 'F', "file: the parent's private mapping unchanged by the child");
	char c = 0;
	check(pread(fd, &c, 1, 0) == 1 && c == 'F', "file: the file unchanged by the child's private writes");
	check(fs[2 * pg] == 'S', "file: the child's shared-mapping write is seen by the parent");
	check(pread(fd, &c, 1, 2 * pg) == 1 && c == 'S', "file: the child's shared-mapping write reached the file");
	/* (Linux also shows that write through the parent's never-written private page,
	 * which is the page cache's page; Persona's private file pages are copies until
	 * issue 8: not checked here, see docs/memory.md, Limits) */
	munmap(fp, 4 * pg);
	munmap(fs, 4 * pg);
	close(fd);

	/* 11. mprotect, munmap and brk in a child */
	char *ro = mmap(NULL, 2 * pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	m[pg] = 'q';
	char *brk0 = sbrk(0);
	if ((pid = fork()) == 0) {
		mprotect(ro, 2 * pg, PROT_READ | PROT_WRITE);
		ro[0] = 'r';
		mprotect(m, pg * 2, PROT_NONE);
		munmap(m + 2 * pg, pg);
		char *nb = sbrk(16 * pg);
		memset(nb, 'b', 16 * pg);
		check(sbrk(0) == brk0 + 16 * pg, "child: brk grown by 16 pages");
		child_exit();
	}
	reap(pid, "mprotect/munmap/brk: child");
	check(ro[0] == 0, "parent's read-only page still zero after the child wrote its copy");
	check(m[pg] == 'q', "parent's page readable after the child's mprotect PROT_NONE");
	m[2 * pg] = 'z';
	check(m[2 * pg] == 'z', "parent's page mapped after the child's munmap");
	check(sbrk(0) == brk0, "parent's break unchanged by the child's sbrk");
	return failures ? 1 : 0;
}
