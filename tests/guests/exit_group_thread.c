/* tests/guests/exit_group_thread.c - a process ended from a thread other than main.
 * Each case runs in a child; the parent checks the wait status:
 *   exit() from a second thread while main waits in pthread_join;
 *   the raw exit_group syscall from a second thread while main sleeps in pause();
 *   main calls pthread_exit, the last thread exits later with exit(44);
 *   every thread (main included) calls pthread_exit: status 0;
 *   a second thread faults: the whole process dies of SIGSEGV. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
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

static void nap(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

static pid_t main_pid;

static void *t_exit(void *arg) { nap(20); exit((int)(long)arg); }
static void *t_exit_group(void *arg) { nap(20); syscall(SYS_exit_group, (int)(long)arg); return NULL; }
static void *t_late_exit(void *arg)
{
	nap(50);
	/* the leader has exited (it is a zombie until we go): ids still work */
	if (getpid() != main_pid) exit(90);
	if (kill(getpid(), 0) != 0) exit(91);
	exit((int)(long)arg);
}
static void *t_return(void *arg) { nap(20); return arg; }
static void *t_fault(void *arg) { nap(20); *(volatile int *)arg = 1; return NULL; }

static int run_case(int which)
{
	pid_t pid = fork();
	if (pid == 0) {
		struct rlimit no_core = { 0, 0 };
		setrlimit(RLIMIT_CORE, &no_core);
		main_pid = getpid();
		pthread_t t, t2;
		switch (which) {
		case 0:
			pthread_create(&t, NULL, t_exit, (void *)42L);
			pthread_join(t, NULL);
			_exit(100);
		case 1:
			pthread_create(&t, NULL, t_exit_group, (void *)43L);
			for (;;) pause();
		case 2:
			pthread_create(&t, NULL, t_late_exit, (void *)44L);
			pthread_exit(NULL);
		case 3:
			pthread_create(&t, NULL, t_return, NULL);
			pthread_create(&t2, NULL, t_return, NULL);
			pthread_exit(NULL);
		case 4:
			pthread_create(&t, NULL, t_fault, NULL);
			for (;;) pause();
		}
		_exit(101);
	}
	int st;
	if (waitpid(pid, &st, 0) != pid) return -1;
	return st;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	alarm(30);
	int st = run_case(0);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 42, "exit(42) from a second thread: parent sees exit 42");
	st = run_case(1);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 43, "exit_group(43) from a second thread: parent sees exit 43");
	st = run_case(2);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 44, "main pthread_exit, last thread exit(44): parent sees exit 44");
	st = run_case(3);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "all threads pthread_exit: parent sees exit 0");
	st = run_case(4);
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "fault in a second thread: parent sees SIGSEGV");
	return failures ? 1 : 0;
}
