/* tests/guests/autoreap.c - children of a parent that ignores SIGCHLD (SIG_IGN, or
 * SA_NOCLDWAIT) are reaped by the kernel: wait blocks until they are all gone, then
 * fails with ECHILD, and their pids name nothing any more (kill, /proc). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

static void on_chld(int sig) { (void)sig; }

static void round_of(const char *how)
{
	char what[160];
	pid_t kids[3];
	for (int i = 0; i < 3; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			struct timespec ts = { 0, (i * 20) * 1000000L };
			nanosleep(&ts, NULL);
			_exit(i);
		}
	}
	errno = 0;
	int rc = wait(NULL);
	snprintf(what, sizeof what, "%s: wait() waited for all, then ECHILD", how);
	check(rc == -1 && errno == ECHILD, what);
	int gone = 1, no_proc = 1;
	for (int i = 0; i < 3; i++) {
		char path[64];
		struct stat st;
		errno = 0;
		if (kill(kids[i], 0) != -1 || errno != ESRCH) gone = 0;
		snprintf(path, sizeof path, "/proc/%d", kids[i]);
		if (stat(path, &st) == 0) no_proc = 0;
	}
	snprintf(what, sizeof what, "%s: kill(child, 0) fails with ESRCH for each", how);
	check(gone, what);
	snprintf(what, sizeof what, "%s: no /proc/CHILD left", how);
	check(no_proc, what);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	alarm(30);
	signal(SIGCHLD, SIG_IGN);
	round_of("SIGCHLD ignored");
	struct sigaction sa = { 0 };
	sa.sa_handler = on_chld;
	sa.sa_flags = SA_NOCLDWAIT | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
	round_of("SA_NOCLDWAIT");
	/* back to default: children are zombies until waited for */
	signal(SIGCHLD, SIG_DFL);
	pid_t pid = fork();
	if (pid == 0) _exit(3);
	int st;
	check(waitpid(pid, &st, 0) == pid && WEXITSTATUS(st) == 3, "SIGCHLD default: child reaped by waitpid");
	return failures ? 1 : 0;
}
