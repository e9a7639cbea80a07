/* tests/guests/proc_listing.c - listing /proc and /proc/self/task with getdents64
 * through buffers of several sizes (down to one entry per call): every child and
 * thread appears exactly once, no name is listed twice, and a buffer too small for
 * any entry gives EINVAL. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int failures;
static void check(int ok, const char *what)
{
	printf("%s: %s\n", what, ok ? "yes" : "no");
	if (!ok) {
		failures++;
		fprintf(stderr, "check failed: %s\n", what);	/* shown by the test harness */
	}
}

#define NKIDS 150
#define NTHREADS 20

struct dent64 { unsigned long long ino; long long off; unsigned short reclen; unsigned char type; char name[]; };

/* Lists `dir` with getdents64 calls of `bufsize` bytes into names (up to max).
 * Returns the count, or -errno of the first failing call. */
static int list(const char *dir, int bufsize, char (*names)[32], int max)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	if (fd < 0) return -errno;
	char *buf = malloc(bufsize);
	int n = 0;
	for (;;) {
		long got = syscall(SYS_getdents64, fd, buf, bufsize);
		if (got < 0) { n = -errno; break; }
		if (got == 0) break;
		for (long pos = 0; pos < got; ) {
			struct dent64 *d = (void *)(buf + pos);
			if (n < max) snprintf(names[n], sizeof names[0], "%s", d->name);
			n++;
			pos += d->reclen;
		}
	}
	free(buf);
	close(fd);
	return n;
}

static int count_name(char (*names)[32], int n, long num)
{
	char s[32];
	int c = 0;
	snprintf(s, sizeof s, "%ld", num);
	for (int i = 0; i < n; i++) if (!strcmp(names[i], s)) c++;
	return c;
}

static int no_duplicates(char (*names)[32], int n)
{
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			if (!strcmp(names[i], names[j])) return 0;
	return 1;
}

static pthread_barrier_t bar;
static pid_t tids[NTHREADS];
static void *thread_fn(void *arg)
{
	tids[(long)arg] = (pid_t)syscall(SYS_gettid);
	pthread_barrier_wait(&bar);	/* all started */
	pthread_barrier_wait(&bar);	/* main listed */
	return NULL;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	alarm(30);
	static char names[20000][32];
	pid_t kids[NKIDS];
	for (int i = 0; i < NKIDS; i++) {
		kids[i] = fork();
		if (kids[i] == 0) { for (;;) pause(); }
	}
	int sizes[] = { 65536, 1024, 100, 48 };
	char what[128];
	for (unsigned s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
		int n = list("/proc", sizes[s], names, 20000);
		int each_once = n > 0;
		for (int i = 0; i < NKIDS && each_once; i++) if (count_name(names, n, kids[i]) != 1) each_once = 0;
		snprintf(what, sizeof what, "/proc in %d-byte reads: every child listed once", sizes[s]);
		check(each_once, what);
		snprintf(what, sizeof what, "/proc in %d-byte reads: ourselves and self listed once", sizes[s]);
		int selfc = 0;
		for (int i = 0; i < n; i++) if (!strcmp(names[i], "self")) selfc++;
		check(n > 0 && count_name(names, n, getpid()) == 1 && selfc == 1, what);
		snprintf(what, sizeof what, "/proc in %d-byte reads: no name listed twice", sizes[s]);
		check(n > 0 && no_duplicates(names, n), what);
	}
	int n = list("/proc", 8, names, 20000);
	check(n == -EINVAL, "/proc with an 8-byte buffer: EINVAL");

	/* reaped children disappear from the listing */
	for (int i = 0; i < NKIDS / 2; i++) { kill(kids[i], SIGKILL); waitpid(kids[i], NULL, 0); }
	n = list("/proc", 1024, names, 20000);
	int gone = n > 0, kept = n > 0;
	for (int i = 0; i < NKIDS; i++) {
		int c = count_name(names, n, kids[i]);
		if (i < NKIDS / 2 && c != 0) gone = 0;
		if (i >= NKIDS / 2 && c != 1) kept = 0;
	}
	check(gone && kept, "/proc after reaping half: exactly the live children listed");
	for (int i = NKIDS / 2; i < NKIDS; i++) { kill(kids[i], SIGKILL); waitpid(kids[i], NULL, 0); }

	/* threads */
	pthread_barrier_init(&bar, NULL, NTHREADS + 1);
	pthread_t th[NTHREADS];
	for (long i = 0; i < NTHREADS; i++) pthread_create(&th[i], NULL, thread_fn, (void *)i);
	pthread_barrier_wait(&bar);
	for (unsigned s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
		n = list("/proc/self/task", sizes[s], names, 20000);
		int ok = n == NTHREADS + 3 && count_name(names, n, getpid()) == 1;	/* + "." ".." */
		for (int i = 0; i < NTHREADS && ok; i++) if (count_name(names, n, tids[i]) != 1) ok = 0;
		snprintf(what, sizeof what, "/proc/self/task in %d-byte reads: every thread listed once", sizes[s]);
		check(ok, what);
	}
	pthread_barrier_wait(&bar);
	for (int i = 0; i < NTHREADS; i++) pthread_join(th[i], NULL);
	return failures ? 1 : 0;
}
