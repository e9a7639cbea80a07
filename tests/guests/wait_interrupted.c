/* tests/guests/wait_interrupted.c - a wait for one particular child while other
 * children come and go. Their SIGCHLD (ignored by default, or handled with
 * SA_RESTART) must not disturb the wait: it keeps waiting for the named child. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static pid_t child_exiting_after(int ms, int code)
{
	pid_t pid = fork();
	if (pid == 0) {
		struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
		nanosleep(&ts, NULL);
		_exit(code);
	}
	return pid;
}

static volatile sig_atomic_t sigchld_count;
static void on_chld(int sig) { (void)sig; sigchld_count++; }

static void round_of(const char *how)
{
	char what[160];
	int st;
	siginfo_t si;

	/* waitpid(pid) while a sibling exits first */
	pid_t slow = child_exiting_after(150, 1);
	pid_t fast = child_exiting_after(0, 2);
	errno = 0;
	pid_t w = waitpid(slow, &st, 0);
	snprintf(what, sizeof what, "%s: waitpid(slow child) returned it while a sibling exited", how);
	check(w == slow && WIFEXITED(st) && WEXITSTATUS(st) == 1, what);
	if (w < 0) printf("  (waitpid failed: %s)\n", strerrorname_np(errno));
	waitpid(fast, NULL, 0);

	/* waitid(P_PID) likewise */
	slow = child_exiting_after(150, 3);
	fast = child_exiting_after(0, 4);
	memset(&si, 0, sizeof si);
	errno = 0;
	int rc = waitid(P_PID, slow, &si, WEXITED);
	snprintf(what, sizeof what, "%s: waitid(P_PID, slow child) returned it while a sibling exited", how);
	check(rc == 0 && si.si_pid == slow && si.si_status == 3, what);
	if (rc < 0) printf("  (waitid failed: %s)\n", strerrorname_np(errno));
	waitpid(fast, NULL, 0);

	/* waitpid(-pgid) likewise */
	slow = fork();
	if (slow == 0) {
		setpgid(0, 0);
		struct timespec ts = { 0, 150 * 1000000L };
		nanosleep(&ts, NULL);
		_exit(5);
	}
	setpgid(slow, slow);
	fast = child_exiting_after(0, 6);
	errno = 0;
	w = waitpid(-slow, &st, 0);
	snprintf(what, sizeof what, "%s: waitpid(-pgid) returned the group's child while another exited", how);
	check(w == slow && WIFEXITED(st) && WEXITSTATUS(st) == 5, what);
	if (w < 0) printf("  (waitpid failed: %s)\n", strerrorname_np(errno));
	waitpid(fast, NULL, 0);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	alarm(30);
	round_of("SIGCHLD default");
	struct sigaction sa = { 0 };
	sa.sa_handler = on_chld;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
	round_of("SIGCHLD handled with SA_RESTART");
	check(sigchld_count > 0, "the SIGCHLD handler ran");
	return failures ? 1 : 0;
}
