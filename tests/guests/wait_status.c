/* tests/guests/wait_status.c - every kind of wait result: exited, signaled, stopped
 * (WUNTRACED), continued (WCONTINUED), waitid with WNOWAIT then the real reap,
 * WNOHANG with nothing to report, ECHILD, wait by process group. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
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

static void *idle_thread(void *arg)
{
	for (;;) pause();
	return arg;
}

static pid_t child_that_waits(void)
{
	pid_t pid = fork();
	if (pid == 0) { for (;;) pause(); }
	return pid;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	alarm(30);
	int st;
	pid_t pid, w;

	/* exited */
	pid = fork();
	if (pid == 0) _exit(42);
	w = waitpid(pid, &st, 0);
	check(w == pid, "waitpid returned the child's pid");
	check(WIFEXITED(st) && WEXITSTATUS(st) == 42, "WIFEXITED, status 42");

	/* signaled */
	pid = child_that_waits();
	kill(pid, SIGTERM);
	w = waitpid(pid, &st, 0);
	check(w == pid && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM && !WCOREDUMP(st),
	      "WIFSIGNALED by SIGTERM, no core");

	/* stopped, continued, then killed */
	pid = child_that_waits();
	kill(pid, SIGSTOP);
	w = waitpid(pid, &st, WUNTRACED);
	check(w == pid && WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP, "WUNTRACED: WIFSTOPPED by SIGSTOP");
	w = waitpid(pid, &st, WUNTRACED | WNOHANG);
	check(w == 0, "a stop is reported once");
	kill(pid, SIGCONT);
	w = waitpid(pid, &st, WCONTINUED);
	check(w == pid && WIFCONTINUED(st), "WCONTINUED: WIFCONTINUED");
	w = waitpid(pid, &st, WNOHANG | WCONTINUED);
	check(w == 0, "WNOHANG with a running child returns 0");
	kill(pid, SIGKILL);
	w = waitpid(pid, &st, 0);
	check(w == pid && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "then killed by SIGKILL");

	/* a stopped child killed without being continued */
	pid = child_that_waits();
	kill(pid, SIGSTOP);
	w = waitpid(pid, &st, WUNTRACED);
	check(w == pid && WIFSTOPPED(st), "stopped again");
	kill(pid, SIGKILL);
	w = waitpid(pid, &st, 0);
	check(w == pid && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "a stopped child dies of SIGKILL");

	/* a multi-threaded child: the whole group stops and continues */
	pid = fork();
	if (pid == 0) {
		pthread_t t;
		for (int i = 0; i < 3; i++) pthread_create(&t, NULL, idle_thread, NULL);
		raise(SIGSTOP);
		_exit(6);
	}
	w = waitpid(pid, &st, WUNTRACED);
	check(w == pid && WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP, "threaded child stopped itself");
	kill(pid, SIGCONT);
	w = waitpid(pid, &st, 0);
	check(w == pid && WIFEXITED(st) && WEXITSTATUS(st) == 6, "threaded child continued and exited 6");
	if (w != pid) waitpid(pid, &st, 0);

	/* a child that stops itself */
	pid = fork();
	if (pid == 0) { raise(SIGTSTP); _exit(5); }
	w = waitpid(pid, &st, WUNTRACED);
	check(w == pid && WIFSTOPPED(st) && WSTOPSIG(st) == SIGTSTP, "child stopped itself with SIGTSTP");
	kill(pid, SIGCONT);
	w = waitpid(pid, &st, 0);
	check(w == pid && WIFEXITED(st) && WEXITSTATUS(st) == 5, "continued, it exited 5");
	if (w != pid) waitpid(pid, &st, 0);	/* (do not leave it to the next checks) */

	/* waitid: stopped and continued as siginfo */
	siginfo_t si;
	pid = child_that_waits();
	kill(pid, SIGSTOP);
	memset(&si, 0, sizeof si);
	check(waitid(P_PID, pid, &si, WSTOPPED) == 0, "waitid(WSTOPPED) succeeded");
	check(si.si_pid == pid && si.si_code == CLD_STOPPED && si.si_status == SIGSTOP && si.si_signo == SIGCHLD,
	      "waitid: CLD_STOPPED by SIGSTOP from the child");
	kill(pid, SIGCONT);
	memset(&si, 0, sizeof si);
	waitid(P_PID, pid, &si, WCONTINUED);
	check(si.si_pid == pid && si.si_code == CLD_CONTINUED, "waitid: CLD_CONTINUED from the child");
	kill(pid, SIGKILL);
	/* WNOWAIT leaves the zombie for a later wait */
	memset(&si, 0, sizeof si);
	waitid(P_PID, pid, &si, WEXITED | WNOWAIT);
	check(si.si_pid == pid && si.si_code == CLD_KILLED && si.si_status == SIGKILL,
	      "waitid(WNOWAIT): CLD_KILLED by SIGKILL");
	memset(&si, 0, sizeof si);
	waitid(P_ALL, 0, &si, WEXITED | WNOWAIT);
	check(si.si_pid == pid, "waitid(P_ALL, WNOWAIT) reports it again");
	memset(&si, 0, sizeof si);
	check(waitid(P_PID, pid, &si, WEXITED) == 0 && si.si_pid == pid && si.si_code == CLD_KILLED,
	      "waitid(WEXITED) reaps it");
	errno = 0;
	check(waitid(P_PID, pid, &si, WEXITED | WNOHANG) == -1 && errno == ECHILD,
	      "then it is gone: ECHILD");

	/* waitid WNOHANG with nothing to report: si_pid 0 */
	pid = child_that_waits();
	memset(&si, 0xff, sizeof si);
	check(waitid(P_PID, pid, &si, WEXITED | WNOHANG) == 0 && si.si_pid == 0,
	      "waitid(WNOHANG) on a running child: 0 and si_pid 0");
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);

	/* exited child through waitid: CLD_EXITED */
	pid = fork();
	if (pid == 0) _exit(3);
	memset(&si, 0, sizeof si);
	waitid(P_ALL, 0, &si, WEXITED);
	check(si.si_pid == pid && si.si_code == CLD_EXITED && si.si_status == 3, "waitid: CLD_EXITED with 3");

	/* wait by process group: -pgid and P_PGID */
	pid_t g = fork();
	if (g == 0) { setpgid(0, 0); _exit(21); }
	setpgid(g, g);
	pid_t other = fork();
	if (other == 0) _exit(22);
	w = waitpid(-g, &st, 0);
	check(w == g && WEXITSTATUS(st) == 21, "waitpid(-pgid) reaped the group's member");
	if (w != g) waitpid(g, &st, 0);
	pid_t g2 = fork();
	if (g2 == 0) { setpgid(0, 0); _exit(23); }
	setpgid(g2, g2);
	memset(&si, 0, sizeof si);
	waitid(P_PGID, g2, &si, WEXITED);
	check(si.si_pid == g2 && si.si_status == 23, "waitid(P_PGID) reaped the group's member");
	if (si.si_pid != g2) waitpid(g2, &st, 0);
	w = waitpid(0, &st, 0);
	check(w == other && WEXITSTATUS(st) == 22, "waitpid(0) reaped the child in our group");
	if (w != other) waitpid(other, &st, 0);

	/* wait4 with rusage */
	pid = fork();
	if (pid == 0) _exit(0);
	struct rusage ru;
	check(wait4(pid, &st, 0, &ru) == pid, "wait4 with rusage returned the pid");

	/* nothing left */
	errno = 0;
	check(wait(&st) == -1 && errno == ECHILD, "wait with no children: ECHILD");
	errno = 0;
	check(waitpid(-1, &st, WNOHANG) == -1 && errno == ECHILD, "waitpid(WNOHANG) with no children: ECHILD");
	errno = 0;
	check(waitpid(999999, &st, 0) == -1 && errno == ECHILD, "waitpid(999999): ECHILD");
	errno = 0;
	check(waitpid(getpid(), &st, WNOHANG) == -1 && errno == ECHILD, "waitpid(getpid()): ECHILD");
	errno = 0;
	check(waitid(P_PID, 0, &si, WEXITED) == -1 && errno == EINVAL, "waitid(P_PID, 0): EINVAL");
	errno = 0;
	check(waitpid(-1, &st, 0x1000) == -1 && errno == EINVAL, "waitpid with bad options: EINVAL");
	return failures ? 1 : 0;
}
