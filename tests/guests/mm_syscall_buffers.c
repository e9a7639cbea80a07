/* tests/guests/mm_syscall_buffers.c - the kernel reading and writing memory the
 * program never touched (a memory manager that maps pages on first fault must
 * make them appear for syscalls too): read() from a pipe and a file into fresh
 * buffers, write() and readv() and stat() and a dozen other calls with untouched
 * buffers, paths in untouched pages, untouched private/shared file mappings as
 * buffers, read() into pages shared copy-on-write with a fork child (either side);
 * and the partial cases: buffers running into a PROT_NONE / PROT_READ / unmapped
 * page for pipes, files, sockets and /dev/null (EFAULT or a short count, as Linux
 * does it), /proc/self/mem and process_vm_readv/writev on ourselves. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ANY (-100000)
static long pg;
static int failures;
static void fail(const char *what)
{
	failures++;
	fprintf(stderr, "check failed: %s\n", what);	/* shown by the test harness */
}
static void check(int ok, const char *what)
{
	printf("%s: %s\n", what, ok ? "yes" : "no");
	if (!ok) fail(what);
}
/* "name: N" or "name: ENAME"; expect is the count, -errno, or ANY */
static void result(const char *name, long r, int err, long expect)
{
	long got = r < 0 ? -err : r;
	if (r < 0) printf("%s: %s\n", name, strerrorname_np(err));
	else printf("%s: %ld\n", name, r);
	if (expect != ANY && got != expect) fail(name);
}
#define R(name, expect, call) do { errno = 0; long r_ = (long)(call); result(name, r_, errno, expect); } while (0)

static char *fresh(size_t npages, int prot)
{
	char *p = mmap(NULL, npages * pg, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) { perror("mmap"); exit(2); }
	return p;
}
static int all(const char *p, size_t n, int c)
{
	for (size_t i = 0; i < n; i++) if ((unsigned char)p[i] != c) return 0;
	return 1;
}
static int pattern_ok(const char *p, size_t n, size_t from)
{
	for (size_t i = 0; i < n; i++) if (p[i] != (char)('a' + (from + i) % 23)) return 0;
	return 1;
}
static void drain(int fd)
{
	char b[4096];
	int fl = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	while (read(fd, b, sizeof b) > 0) {}
	fcntl(fd, F_SETFL, fl);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	alarm(30);
	pg = sysconf(_SC_PAGESIZE);
	int pfd[2];
	if (pipe(pfd)) return 2;
	char path[] = "/tmp/mm_sysbufXXXXXX";
	int fd = mkstemp(path);
	static char pat[4 * 4096];
	for (size_t i = 0; i < sizeof pat; i++) pat[i] = (char)('a' + i % 23);
	if (fd < 0 || write(fd, pat, sizeof pat) != (ssize_t)sizeof pat) return 2;

	/* reads into never-touched anonymous memory */
	char *b = fresh(4, PROT_READ | PROT_WRITE);
	if (write(pfd[1], pat, 10000) != 10000) return 2;
	R("read() from a pipe into an untouched 3-page buffer", 10000, read(pfd[0], b + 100, 3 * pg));
	check(pattern_ok(b + 100, 10000, 0) && all(b, 100, 0), "the pipe data landed, the rest is zero");
	char *b2 = fresh(4, PROT_READ | PROT_WRITE);
	R("pread() from a file into an untouched buffer spanning 4 pages", 12000, pread(fd, b2 + 3000, 12000, 5));
	check(pattern_ok(b2 + 3000, 12000, 5), "the file data landed");
	char *b3 = fresh(2, PROT_READ | PROT_WRITE), *b4 = fresh(2, PROT_READ | PROT_WRITE);
	struct iovec iov[2] = { { b3 + pg - 10, 20 }, { b4 + 7, pg + 100 } };
	R("preadv() into two untouched iovecs", 20 + pg + 100, preadv(fd, iov, 2, 0));
	check(pattern_ok(b3 + pg - 10, 20, 0) && pattern_ok(b4 + 7, pg + 100, 20), "both iovecs filled in order");
	char *b5 = fresh(2, PROT_READ | PROT_WRITE), *b6 = fresh(2, PROT_READ | PROT_WRITE);
	if (write(pfd[1], pat, 300) != 300) return 2;
	struct iovec iov2[2] = { { b5 + pg - 50, 100 }, { b6, 200 } };
	R("readv() from a pipe into two untouched iovecs", 300, readv(pfd[0], iov2, 2));
	check(pattern_ok(b5 + pg - 50, 100, 0) && pattern_ok(b6, 200, 100), "readv: both iovecs filled");

	/* writes from never-touched memory: zeros */
	char *z = fresh(3, PROT_READ | PROT_WRITE);
	R("write() of 2 untouched pages to a pipe", 2 * pg, write(pfd[1], z + pg / 2, 2 * pg));
	static char got[3 * 4096];
	memset(got, 1, sizeof got);
	R("read back", 2 * pg, read(pfd[0], got, sizeof got));
	check(all(got, 2 * pg, 0), "an untouched buffer writes zeros");
	char *z2 = fresh(2, PROT_READ | PROT_WRITE);
	struct iovec wv[2] = { { z2, 10 }, { z2 + pg + 5, 10 } };
	R("writev() from two untouched iovecs", 20, writev(pfd[1], wv, 2));
	drain(pfd[0]);

	/* the kernel filling structs in never-touched memory */
	char *s = fresh(4, PROT_READ | PROT_WRITE);
	struct stat *st = (struct stat *)(s + pg - 40);	/* straddles two pages */
	R("stat() into an untouched buffer", 0, stat(path, st));
	check(st->st_size == (off_t)sizeof pat && S_ISREG(st->st_mode), "stat: size and type right");
	R("fstat() into an untouched buffer", 0, fstat(fd, (struct stat *)(s + 2 * pg - 8)));
	int *fds = (int *)(s + 3 * pg - 4);
	R("pipe() into an untouched int[2] straddling pages", 0, pipe(fds));
	check(fds[0] > 2 && fds[1] > 2 && fds[0] != fds[1], "pipe: two descriptors");
	close(fds[0]);
	close(fds[1]);
	char *s2 = fresh(8, PROT_READ | PROT_WRITE);
	R("clock_gettime() (vDSO) into an untouched timespec", 0, clock_gettime(CLOCK_MONOTONIC, (struct timespec *)(s2 + 8)));
	check(((struct timespec *)(s2 + 8))->tv_sec > 0 || ((struct timespec *)(s2 + 8))->tv_nsec > 0, "clock_gettime: a time");
	R("syscall clock_gettime into an untouched timespec", 0, syscall(SYS_clock_gettime, CLOCK_REALTIME, s2 + pg + 8));
	R("gettimeofday() into an untouched timeval", 0, gettimeofday((struct timeval *)(s2 + 2 * pg), NULL));
	R("uname() into an untouched buffer", 0, uname((struct utsname *)(s2 + 3 * pg - 100)));
	check(!strcmp(((struct utsname *)(s2 + 3 * pg - 100))->sysname, "Linux"), "uname: sysname Linux");
	R("getrandom() into an untouched buffer", 64, getrandom(s2 + 4 * pg - 32, 64, 0));
	struct sigaction *old = (struct sigaction *)(s2 + 5 * pg - 16);
	R("sigaction() old action into an untouched buffer", 0, sigaction(SIGUSR1, NULL, old));
	check(old->sa_handler == SIG_DFL, "sigaction: SIG_DFL");
	check(getcwd(s2 + 5 * pg + 10, 4096) == s2 + 5 * pg + 10 && s2[5 * pg + 10] == '/', "getcwd() into an untouched buffer");
	check(syscall(SYS_sched_getaffinity, 0, 128, s2 + 6 * pg - 64) > 0, "sched_getaffinity() into an untouched buffer");
	struct pollfd *pf = (struct pollfd *)(s2 + 7 * pg);
	pf->fd = -1;
	R("poll() on an fd -1 in a fresh page", 0, poll(pf, 1, 0));
	char *s3 = fresh(2, PROT_READ | PROT_WRITE);
	int dfd = open("/tmp", O_RDONLY | O_DIRECTORY);
	long nd = syscall(SYS_getdents64, dfd, s3 + pg - 100, 4096);
	check(nd > 0, "getdents64() into an untouched buffer: entries");
	close(dfd);
	check(readlink("/proc/self/exe", s3 + 2 * pg - 2, 1) == 1 && s3[2 * pg - 2] == '/', "readlink() into an untouched buffer");
	uint32_t *fw = (uint32_t *)fresh(1, PROT_READ | PROT_WRITE);
	R("futex WAIT on an untouched word (expecting 1)", -EAGAIN, syscall(SYS_futex, fw, FUTEX_WAIT_PRIVATE, 1, NULL, NULL, 0));
	R("futex WAKE on an untouched word", 0, syscall(SYS_futex, fw + 100, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0));
	uint32_t *fsh = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	R("futex WAIT on an untouched shared word (expecting 1)", -EAGAIN, syscall(SYS_futex, fsh, FUTEX_WAIT, 1, NULL, NULL, 0));
	const char *emptypath = fresh(1, PROT_READ);
	R("open() of a path in an untouched page (\"\")", -ENOENT, open(emptypath, O_RDONLY));
	R("stat() of a path in an untouched page (\"\")", -ENOENT, stat(emptypath, st));
	int sv[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	if (write(sv[0], "hello", 5) != 5) return 2;
	char *s4 = fresh(2, PROT_READ | PROT_WRITE);
	struct iovec riov = { s4 + pg - 2, 5 };
	struct msghdr *mh = (struct msghdr *)(s4 + pg + 64);
	mh->msg_iov = &riov;
	mh->msg_iovlen = 1;
	R("recvmsg() into an untouched buffer", 5, recvmsg(sv[1], mh, 0));
	check(!memcmp(s4 + pg - 2, "hello", 5), "recvmsg: the data");

	/* untouched file mappings as buffers */
	char *fp = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	R("write() from an untouched private file mapping", 300, write(pfd[1], fp + pg - 100, 300));
	R("read back", 300, read(pfd[0], got, 300));
	check(pattern_ok(got, 300, pg - 100), "the file's bytes were written");
	memcpy(got, "NEWDATA", 7);
	if (write(pfd[1], got, 7) != 7) return 2;
	R("read() into an untouched private file mapping", 7, read(pfd[0], fp + 3, 7));
	char c8[8] = { 0 };
	check(!memcmp(fp + 3, "NEWDATA", 7) && pread(fd, c8, 7, 3) == 7 && pattern_ok(c8, 7, 3),
	      "the private mapping changed, the file did not");
	int fd2 = open(path, O_RDWR);
	char *fs = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd2, 2 * pg);
	if (write(pfd[1], "SHARED", 6) != 6) return 2;
	R("read() into an untouched shared file mapping", 6, read(pfd[0], fs + 10, 6));
	check(pread(fd, c8, 6, 2 * pg + 10) == 6 && !memcmp(c8, "SHARED", 6), "the file got the data");
	munmap(fs, pg);
	close(fd2);
	if (pwrite(fd, pat + 2 * pg + 10, 6, 2 * pg + 10) != 6) return 2;	/* the pattern again */

	/* fork: read() into pages now shared copy-on-write */
	char *cw = fresh(4, PROT_READ | PROT_WRITE);
	memset(cw, 'o', 4 * pg);
	int go[2], back[2];
	if (pipe(go) || pipe(back)) return 2;
	pid_t pid = fork();
	if (pid == 0) {
		char x;
		if (read(go[0], &x, 1) != 1) _exit(9);
		int ok = all(cw, 4 * pg, 'o');
		/* the child reads into its copy-on-write pages too */
		ok &= pread(fd, cw + pg - 5, 2 * pg, 0) == 2 * pg && pattern_ok(cw + pg - 5, 2 * pg, 0);
		if (write(back[1], "x", 1) != 1) _exit(9);
		_exit(ok ? 0 : 1);
	}
	R("parent pread() into copy-on-write pages", 3 * pg, pread(fd, cw + 100, 3 * pg, 0));
	check(pattern_ok(cw + 100, 3 * pg, 0) && all(cw, 100, 'o'), "parent: the data landed");
	if (write(go[1], "x", 1) != 1) return 2;
	char x;
	if (read(back[0], &x, 1) != 1) return 2;
	int wst;
	waitpid(pid, &wst, 0);
	check(WIFEXITED(wst) && WEXITSTATUS(wst) == 0, "child: its copy unchanged, and its own read() worked");
	check(pattern_ok(cw + 100, 3 * pg, 0), "parent: unchanged by the child's read()");

	/* buffers running into an inaccessible page */
	char *e = fresh(3, PROT_READ | PROT_WRITE);
	memset(e, 'e', 3 * pg);
	mprotect(e + pg, pg, PROT_NONE);
	munmap(e + 2 * pg, pg);
	char *edge = e + pg - 100;	/* 100 good bytes, then PROT_NONE */
	int nul = open("/dev/null", O_WRONLY);
	char tpath[] = "/tmp/mm_sysbuf2XXXXXX";
	int tf = mkstemp(tpath);
	unlink(tpath);
	R("write() of 200 bytes running into PROT_NONE, to a pipe", ANY, write(pfd[1], edge, 200));
	drain(pfd[0]);
	R("write() of 200 bytes running into PROT_NONE, to a file", ANY, write(tf, edge, 200));
	R("write() of 200 bytes running into PROT_NONE, to a socket", ANY, write(sv[0], edge, 200));
	{
		int fl = fcntl(sv[1], F_GETFL);
		fcntl(sv[1], F_SETFL, fl | O_NONBLOCK);
		R("bytes that reached the socket", ANY, read(sv[1], got, sizeof got));
	}
	R("write() of 200 bytes running into PROT_NONE, to /dev/null", 200, write(nul, edge, 200));
	R("write() entirely from PROT_NONE, to a pipe", -EFAULT, write(pfd[1], e + pg, 10));
	R("write() entirely from PROT_NONE, to a file", -EFAULT, write(tf, e + pg, 10));
	R("write() from an unmapped page, to a pipe", -EFAULT, write(pfd[1], e + 2 * pg, 10));
	char *u = fresh(2, PROT_READ | PROT_WRITE);
	munmap(u + pg, pg);
	R("write() of 200 bytes running into an unmapped page, to a file", ANY, write(tf, u + pg - 100, 200));
	R("write() of 200 bytes running into an unmapped page, to a pipe", ANY, write(pfd[1], u + pg - 100, 200));
	drain(pfd[0]);
	char *ro = fresh(2, PROT_READ | PROT_WRITE);
	mprotect(ro + pg, pg, PROT_READ);
	if (write(pfd[1], pat, 200) != 200) return 2;
	R("read() of 200 bytes running into PROT_READ, from a pipe", ANY, read(pfd[0], ro + pg - 100, 200));
	drain(pfd[0]);
	R("pread() of 200 bytes running into PROT_READ, from a file", ANY, pread(fd, ro + pg - 100, 200, 0));
	check(pattern_ok(ro + pg - 100, 100, 0) || all(ro + pg - 100, 100, 0), "the writable part holds the data or nothing");
	R("read() entirely into PROT_READ, from a file", -EFAULT, pread(fd, ro + pg, 10, 0));
	R("stat() into PROT_READ", -EFAULT, stat(path, (struct stat *)(ro + pg)));
	R("stat() with a path in PROT_NONE", -EFAULT, stat(e + pg, (struct stat *)s));
	R("clock_gettime syscall into PROT_READ", -EFAULT, syscall(SYS_clock_gettime, CLOCK_MONOTONIC, ro + pg));

	/* the program's own memory through the kernel's remote-access paths */
	char *pv = fresh(2, PROT_READ | PROT_WRITE), *pl = fresh(2, PROT_READ | PROT_WRITE);
	struct iovec liov = { pl + 10, pg }, riov2 = { pv + 20, pg };
	R("process_vm_readv() of our own untouched memory", pg, syscall(SYS_process_vm_readv, getpid(), &liov, 1, &riov2, 1, 0));
	check(all(pl + 10, pg, 0), "process_vm_readv: zeros");
	memset(pl, 'L', 2 * pg);
	char *pw = fresh(2, PROT_READ | PROT_WRITE);
	struct iovec wiov = { pw + 30, pg };
	R("process_vm_writev() into our own untouched memory", pg, syscall(SYS_process_vm_writev, getpid(), &liov, 1, &wiov, 1, 0));
	check(all(pw + 30, pg, 'L') && pw[29] == 0, "process_vm_writev: the data landed");
	int mem = open("/proc/self/mem", O_RDWR);
	/* (reads and writes of never-touched or read-only pages through /proc/self/mem
	 * reach the host's reservation, not Persona's frames: not checked here, see
	 * docs/memory.md, Limits) */
	R("pread() of /proc/self/mem at an unmapped page", -EIO, pread(mem, got, 10, (off_t)(uintptr_t)(e + 2 * pg)));

	unlink(path);
	return failures ? 1 : 0;
}
