/* tests/guests/shim_mem.c - syscalls trapped only for the memory manager (a pointer
 * into Persona-managed memory), which under --trap=shim the shim runs itself after
 * touching their memory. Buffers are fresh anonymous pages (not yet present: the
 * touch must fault them in), copy-on-write pages after fork, read-only pages and
 * bad pointers (EFAULT, as Linux). Each call is made many times from one call site,
 * so that the site is patched. Prints facts only: the same natively and under
 * Persona.
 *
 *   shim_mem SECTION    sections: io iovec fresh xattr futex pool efault fork */
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#define N 300

static int fails;

static void check(const char *what, int ok, int i)
{
	if (!ok && fails++ < 5) printf("FAIL %s (round %d, errno %d)\n", what, i, errno);
}

static char *fresh(size_t len)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

/* read and write through a pipe, from and into fresh pages each round */
static void io(void)
{
	int p[2];
	check("pipe", pipe(p) == 0, 0);
	for (int i = 0; i < N; i++) {
		char *src = fresh(8192), *dst = fresh(8192);
		for (int k = 0; k < 100; k++) src[4090 + k] = (char)(i + k);
		check("write", write(p[1], src + 4090, 100) == 100, i);
		check("read", read(p[0], dst + 4050, 100) == 100, i);
		check("same bytes", !memcmp(src + 4090, dst + 4050, 100), i);
		munmap(src, 8192);
		munmap(dst, 8192);
	}
	/* a file read into fresh pages spanning several pages */
	int fd = open("/etc/passwd", O_RDONLY);
	char ref[4096];
	ssize_t n = read(fd, ref, sizeof ref);
	for (int i = 0; i < N; i++) {
		char *b = fresh(3 * 4096);
		check("pread", pread(fd, b + 4000, (size_t)n, 0) == n && !memcmp(b + 4000, ref, (size_t)n), i);
		munmap(b, 3 * 4096);
	}
	close(fd);
	printf("io: %s\n", fails ? "wrong" : "ok");
}

/* glibc's read tests __libc_single_threaded first: patched while the process has
 * one thread, its stub must take the cancellable path once a second thread exists
 * (and the site there works too) */
/* (buffers in fresh pages: a stack buffer is the host's memory, whose calls are not
 * trapped at all) */
static void *reader(void *arg)
{
	int *p = arg;
	char *c = fresh(4096);
	for (int i = 0; i < N; i++) check("thread read", read(p[0], c, 1) == 1 && *c == (char)i, i);
	munmap(c, 4096);
	return NULL;
}

static void read_threads(void)
{
	int p[2], q[2];
	char *c = fresh(4096), *d = c + 2048;
	check("pipes", pipe(p) == 0 && pipe(q) == 0, 0);
	for (int i = 0; i < N; i++) {
		*c = (char)i;
		check("write", write(p[1], c, 1) == 1 && read(p[0], d, 1) == 1 && *d == *c, i);
	}
	pthread_t th;
	check("thread", pthread_create(&th, NULL, reader, q) == 0, 0);
	for (int i = 0; i < N; i++) {
		*c = (char)i;
		check("write to the thread", write(q[1], c, 1) == 1, i);
		check("write", write(p[1], c, 1) == 1 && read(p[0], d, 1) == 1 && *d == *c, i);
	}
	pthread_join(th, NULL);
	munmap(c, 4096);
	printf("read_threads: %s\n", fails ? "wrong" : "ok");
}

static void iovec(void)
{
	int p[2];
	check("pipe", pipe(p) == 0, 0);
	for (int i = 0; i < N; i++) {
		char *a = fresh(4096), *b = fresh(4096), *c = fresh(8192);
		memset(a, 'a', 10);
		memset(b, 'b', 20);
		struct iovec *w = (struct iovec *)(c + 4096 - 16);	/* the array spans two pages */
		w[0] = (struct iovec){ a, 10 };
		w[1] = (struct iovec){ b, 20 };
		check("writev", writev(p[1], w, 2) == 30, i);
		char *x = fresh(4096), *y = fresh(8192);
		struct iovec r[2] = { { x + 4090, 6 }, { y + 4093, 24 } };
		check("readv", readv(p[0], r, 2) == 30, i);
		check("readv bytes", !memcmp(x + 4090, "aaaaaa", 6) && !memcmp(y + 4093, "aaaabbbbbbbbbbbbbbbbbbbb", 24), i);
		munmap(a, 4096); munmap(b, 4096); munmap(c, 8192); munmap(x, 4096); munmap(y, 8192);
	}
	printf("iovec: %s\n", fails ? "wrong" : "ok");
}

/* structures the kernel writes: pipe2's pair, uname, getcwd, clock_gettime */
static void fresh_structs(void)
{
	for (int i = 0; i < N; i++) {
		char *page = fresh(4096);
		int *fds = (int *)(page + 4088);
		check("pipe2", syscall(SYS_pipe2, fds, O_CLOEXEC) == 0 && fds[0] > 2 && fds[1] > 2, i);
		close(fds[0]);
		close(fds[1]);
		munmap(page, 4096);
		char *cwd = fresh(4096);
		check("getcwd", syscall(SYS_getcwd, cwd, 4096) > 0 && cwd[0] == '/', i);
		munmap(cwd, 4096);
		char *ts = fresh(4096);
		check("clock_getres", syscall(SYS_clock_getres, CLOCK_MONOTONIC, ts) == 0, i);
		munmap(ts, 4096);
	}
	printf("fresh: %s\n", fails ? "wrong" : "ok");
}

static void xattr(void)
{
	for (int i = 0; i < N; i++) {
		char *b = fresh(4096);
		ssize_t n = lgetxattr("/etc/passwd", "user.persona-none", b, 64);
		check("lgetxattr ENODATA", n < 0 && (errno == ENODATA || errno == ENOTSUP), i);
		n = listxattr("/etc", b + 4000, 96);
		check("listxattr", n >= 0 || errno == ERANGE || errno == ENOTSUP, i);
		munmap(b, 4096);
	}
	printf("xattr: %s\n", fails ? "wrong" : "ok");
}

/* futex words in fresh pages, waited on and woken across threads */
static uint32_t *word;

static void *waker(void *arg)
{
	(void)arg;
	for (int i = 0; i < N; i++) {
		while (__atomic_load_n(word, __ATOMIC_ACQUIRE) != (uint32_t)(2 * i + 1))
			syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, 2 * i, NULL, NULL, 0);
		__atomic_store_n(word, 2 * i + 2, __ATOMIC_RELEASE);
		syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	}
	return NULL;
}

static void futex(void)
{
	word = (uint32_t *)(fresh(4096) + 64);
	pthread_t th;
	pthread_create(&th, NULL, waker, NULL);
	for (int i = 0; i < N; i++) {
		__atomic_store_n(word, 2 * i + 1, __ATOMIC_RELEASE);
		syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
		while (__atomic_load_n(word, __ATOMIC_ACQUIRE) != (uint32_t)(2 * i + 2))
			syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, 2 * i + 1, NULL, NULL, 0);
	}
	pthread_join(th, NULL);
	struct timespec *ts = (struct timespec *)(fresh(4096) + 4080);
	ts->tv_sec = 0;
	ts->tv_nsec = 1000;
	for (int i = 0; i < 50; i++)
		check("futex timeout", syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, *word, ts, NULL, 0) < 0 &&
		      errno == ETIMEDOUT, i);
	printf("futex: %s\n", fails ? "wrong" : "ok");
}

/* descriptor 1023 is never open natively; under Persona it is the frame pool's */
static void pool(void)
{
	char *b = fresh(4096);
	struct iovec v = { b, 10 };
	for (int i = 0; i < N; i++) {
		check("read 1023", read(1023, b, 10) < 0 && errno == EBADF, i);
		check("write 1023", write(1023, b, 10) < 0 && errno == EBADF, i);
		check("readv 1023", readv(1023, &v, 1) < 0 && errno == EBADF, i);
		check("fgetxattr 1023", fgetxattr(1023, "user.x", b, 10) < 0 && errno == EBADF, i);
	}
	printf("pool: %s\n", fails ? "wrong" : "ok");
}

/* bad and read-only buffers: EFAULT, nothing consumed where Linux consumes nothing */
static void efault(void)
{
	int fd = open("/etc/passwd", O_RDONLY), p[2];
	check("pipe", pipe(p) == 0, 0);
	char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char ok[16];
	for (int i = 0; i < N; i++) {
		check("read(bad)", syscall(SYS_read, fd, 8L, 10) < 0 && errno == EFAULT, i);
		check("read(read-only)", read(fd, ro, 10) < 0 && errno == EFAULT, i);
		check("write(bad)", syscall(SYS_write, p[1], 16L, 10) < 0 && errno == EFAULT, i);
		check("pread(ok)", pread(fd, ok, 4, 0) == 4, i);
		check("getcwd(bad)", syscall(SYS_getcwd, (void *)4096, 100) < 0 && errno == EFAULT, i);
		struct iovec v = { (void *)24, 10 };
		check("readv(bad base)", readv(fd, &v, 1) < 0 && errno == EFAULT, i);
		check("readv(bad array)", syscall(SYS_readv, fd, 32L, 1) < 0 && errno == EFAULT, i);
	}
	close(fd);
	printf("efault: %s\n", fails ? "wrong" : "ok");
}

/* after fork the parent's and the child's pages are copy-on-write: reads into them
 * must give each process its own copy */
static void cow_fork(void)
{
	char *b = fresh(4 * 4096);
	memset(b, 'x', 4 * 4096);
	int fd = open("/etc/passwd", O_RDONLY);
	char ref[64];
	check("ref", pread(fd, ref, sizeof ref, 0) == sizeof ref, 0);
	for (int i = 0; i < 20; i++) {
		pid_t pid = fork();
		if (pid == 0) {
			for (int k = 0; k < 50; k++) {
				if (pread(fd, b + 4096 * (k % 4) + 100, sizeof ref, 0) != sizeof ref) _exit(1);
				if (memcmp(b + 4096 * (k % 4) + 100, ref, sizeof ref)) _exit(2);
			}
			_exit(0);
		}
		int st;
		waitpid(pid, &st, 0);
		check("child", WIFEXITED(st) && WEXITSTATUS(st) == 0, i);
		check("parent's pages unchanged", b[100] == 'x' && b[4096 + 100] == 'x', i);
		check("parent read", pread(fd, b + 8192 + 100, sizeof ref, 0) == sizeof ref, i);
		memset(b + 8192 + 100, 'x', sizeof ref);
	}
	close(fd);
	printf("fork: %s\n", fails ? "wrong" : "ok");
}

int main(int argc, char **argv)
{
	static const struct { const char *name; void (*fn)(void); } sections[] = {
		{ "io", io }, { "read_threads", read_threads }, { "iovec", iovec }, { "fresh", fresh_structs }, { "xattr", xattr },
		{ "futex", futex }, { "pool", pool }, { "efault", efault }, { "fork", cow_fork },
	};
	for (unsigned i = 0; i < sizeof sections / sizeof *sections; i++)
		if (argc > 1 && !strcmp(argv[1], sections[i].name)) {
			sections[i].fn();
			return fails ? 1 : 0;
		}
	fprintf(stderr, "usage: shim_mem io|iovec|fresh|xattr|futex|pool|efault|fork\n");
	return 2;
}
