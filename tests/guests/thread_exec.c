/* tests/guests/thread_exec.c - execve from a thread that is not the main thread.
 * Linux kills the other threads and the exec'ing thread takes over the process's pid
 * (de_thread): the new image has the old pid, one thread whose tid is that pid, and
 * the same parent; the parent's wait reports the process under its original pid. */
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
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

static int count_tasks(void)
{
	DIR *d = opendir("/proc/self/task");
	int n = 0;
	struct dirent *e;
	if (!d) return -1;
	while ((e = readdir(d))) if (e->d_name[0] != '.') n++;
	closedir(d);
	return n;
}

static char pidbuf[32], ppidbuf[32], tidbuf[32];
static void *exec_thread(void *arg)
{
	(void)arg;
	snprintf(tidbuf, sizeof tidbuf, "%ld", (long)syscall(SYS_gettid));
	execl("/proc/self/exe", "thread_exec", "after", pidbuf, ppidbuf, tidbuf, (char *)NULL);
	_exit(127);
}

static void *sleeper(void *arg)
{
	for (;;) pause();
	return arg;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 5 && !strcmp(argv[1], "after")) {
		pid_t old_pid = atoi(argv[2]), old_ppid = atoi(argv[3]), old_tid = atoi(argv[4]);
		check(old_tid != old_pid, "the exec'ing thread was not the main thread");
		check(getpid() == old_pid, "after exec: getpid() is the process's old pid");
		check(syscall(SYS_gettid) == getpid(), "after exec: gettid() == getpid()");
		check(getppid() == old_ppid, "after exec: same parent");
		check(count_tasks() == 1, "after exec: one thread in /proc/self/task");
		char buf[64];
		ssize_t n = readlink("/proc/self", buf, sizeof buf - 1);
		buf[n > 0 ? n : 0] = 0;
		check(atoi(buf) == getpid(), "after exec: /proc/self is getpid()");
		return 12;
	}
	alarm(30);
	pid_t pid = fork();
	if (pid == 0) {
		snprintf(pidbuf, sizeof pidbuf, "%d", getpid());
		snprintf(ppidbuf, sizeof ppidbuf, "%d", getppid());
		pthread_t s1, s2, e;
		pthread_create(&s1, NULL, sleeper, NULL);
		pthread_create(&s2, NULL, sleeper, NULL);
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
		pthread_create(&e, NULL, exec_thread, NULL);
		for (;;) pause();
	}
	int st;
	pid_t w = waitpid(pid, &st, 0);
	check(w == pid, "parent: wait returned the original pid");
	check(WIFEXITED(st) && WEXITSTATUS(st) == 12, "parent: exit status of the new image");
	return failures ? 1 : 0;
}
