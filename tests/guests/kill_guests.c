/* tests/guests/kill_guests.c - kill between processes: parent kills child (default
 * action, handled signal, kill(pid, 0)), child kills parent, a process group is
 * killed with kill(-pgid), and dead or non-existent pids give ESRCH. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
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

static volatile sig_atomic_t got_usr1;
static void on_usr1(int sig) { (void)sig; got_usr1 = 1; }

/* a child that says it is ready (its handlers are set) then waits to be killed */
static pid_t spawn_waiter(int exit_on_usr1)
{
	int p[2];
	char c;
	if (pipe(p)) return -1;
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		got_usr1 = 0;
		if (exit_on_usr1) signal(SIGUSR1, on_usr1);
		if (write(p[1], "r", 1) != 1) _exit(2);
		while (!got_usr1) pause();
		_exit(11);
	}
	close(p[1]);
	if (read(p[0], &c, 1) != 1) pid = -1;
	close(p[0]);
	return pid;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	alarm(30);
	int st;

	/* parent kills child: default action */
	pid_t pid = spawn_waiter(0);
	check(kill(pid, 0) == 0, "kill(child, 0) succeeds while it lives");
	check(kill(pid, SIGTERM) == 0, "kill(child, SIGTERM) succeeds");
	check(waitpid(pid, &st, 0) == pid && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM,
	      "child killed by SIGTERM");
	errno = 0;
	check(kill(pid, 0) == -1 && errno == ESRCH, "kill(reaped child, 0) fails with ESRCH");

	/* parent signals child: handled */
	pid = spawn_waiter(1);
	kill(pid, SIGUSR1);
	check(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 11,
	      "child handled SIGUSR1 and exited 11");

	/* a zombie can still be signalled (kill succeeds) until it is reaped */
	pid = fork();
	if (pid == 0) _exit(0);
	siginfo_t si;
	waitid(P_PID, pid, &si, WEXITED | WNOWAIT);
	check(kill(pid, 0) == 0, "kill(zombie, 0) succeeds");
	check(getpgid(pid) == getpgrp() && getsid(pid) == getsid(0), "getpgid and getsid of a zombie");
	waitpid(pid, NULL, 0);

	/* child kills parent */
	signal(SIGUSR1, on_usr1);
	sigset_t b, old;
	sigemptyset(&b);
	sigaddset(&b, SIGUSR1);
	sigprocmask(SIG_BLOCK, &b, &old);
	got_usr1 = 0;
	pid = fork();
	if (pid == 0) _exit(kill(getppid(), SIGUSR1) == 0 ? 0 : 1);
	while (!got_usr1) sigsuspend(&old);
	check(got_usr1, "child's kill(getppid(), SIGUSR1) reached the parent");
	waitpid(pid, &st, 0);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child's kill(getppid()) returned 0");
	sigprocmask(SIG_SETMASK, &old, NULL);

	/* kill a whole process group */
	pid_t a = spawn_waiter(0);
	setpgid(a, a);
	pid_t c = fork();
	if (c == 0) { setpgid(0, a); for (;;) pause(); }
	setpgid(c, a);
	check(getpgid(c) == a, "second child joined the first child's group");
	check(kill(-a, SIGKILL) == 0, "kill(-pgid, SIGKILL) succeeds");
	int n = 0;
	for (int i = 0; i < 2; i++) {
		pid_t w = wait(&st);
		if ((w == a || w == c) && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL) n++;
	}
	check(n == 2, "both group members killed by SIGKILL");

	/* pids that name no process */
	errno = 0;
	check(kill(999999, 0) == -1 && errno == ESRCH, "kill(999999, 0) fails with ESRCH");
	errno = 0;
	check(kill(999999, SIGKILL) == -1 && errno == ESRCH, "kill(999999, SIGKILL) fails with ESRCH");
	errno = 0;
	check(kill(-999999, 0) == -1 && errno == ESRCH, "kill(-999999, 0) fails with ESRCH");
	errno = 0;
	check(kill(-a, 0) == -1 && errno == ESRCH, "kill(-reaped group, 0) fails with ESRCH");
	errno = 0;
	check(kill(getpid(), 1000) == -1 && errno == EINVAL, "kill with an invalid signal: EINVAL");
	check(kill(getpid(), 0) == 0, "kill(getpid(), 0) succeeds");
	return failures ? 1 : 0;
}
