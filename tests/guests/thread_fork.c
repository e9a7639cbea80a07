/* tests/guests/thread_fork.c - fork from a non-main thread: the child's parent is
 * the process (getppid() == getpid() of every thread), any thread may wait for it,
 * and it keeps that parent after the forking thread exits. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
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

static pid_t main_pid, forked;
static int sync_pipe[2], report_pipe[2];

static void *forking_thread(void *arg)
{
	(void)arg;
	forked = fork();
	if (forked == 0) {
		char c;
		/* wait until the forking thread is gone */
		if (read(sync_pipe[0], &c, 1) != 1) _exit(2);
		int ok = getppid() == main_pid;
		if (write(report_pipe[1], &ok, sizeof ok) != sizeof ok) _exit(3);
		_exit(ok ? 0 : 1);
	}
	return NULL;
}

static void *waiting_thread(void *arg)
{
	(void)arg;
	int st;
	pid_t w = waitpid(forked, &st, 0);
	return (void *)(long)(w == forked && WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	alarm(30);
	main_pid = getpid();
	if (pipe(sync_pipe) || pipe(report_pipe)) return 2;
	pthread_t t;
	pthread_create(&t, NULL, forking_thread, NULL);
	pthread_join(t, NULL);	/* the forking thread has exited */
	check(forked > 0, "fork from a thread succeeded");
	if (write(sync_pipe[1], "g", 1) != 1) return 2;
	int ok = 0;
	if (read(report_pipe[0], &ok, sizeof ok) != sizeof ok) ok = 0;
	check(ok, "child's getppid() == the process's pid, after the forking thread exited");
	pthread_create(&t, NULL, waiting_thread, NULL);
	void *res;
	pthread_join(t, &res);
	check(res != NULL, "another thread reaped the child");
	errno = 0;
	check(waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD, "no children left");
	return failures ? 1 : 0;
}
