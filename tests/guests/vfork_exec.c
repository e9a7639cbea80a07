/* tests/guests/vfork_exec.c - vfork then exec, vfork then _exit, posix_spawn.
 * The exec'd image is this program again ("child" mode), which checks that exec kept
 * its pid and parent. */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;
static int failures;
static void check(int ok, const char *what)
{
	printf("%s: %s\n", what, ok ? "yes" : "no");
	if (!ok) {
		failures++;
		fprintf(stderr, "check failed: %s\n", what);	/* shown by the test harness */
	}
}

static volatile pid_t child_seen_pid;

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 4 && !strcmp(argv[1], "child")) {
		/* argv[2]: our pid before exec, argv[3]: our parent's */
		check(getpid() == atoi(argv[2]), "exec'd child: pid kept across exec");
		check(getppid() == atoi(argv[3]), "exec'd child: parent kept across exec");
		return 33;
	}
	alarm(30);
	char self[32], ppid[32];
	snprintf(ppid, sizeof ppid, "%d", getpid());
	pid_t pid = vfork();
	if (pid == 0) {
		child_seen_pid = getpid();
		snprintf(self, sizeof self, "%d", getpid());
		execl("/proc/self/exe", "vfork_exec", "child", self, ppid, (char *)NULL);
		_exit(127);
	}
	/* the exec'd child prints: reap it before printing anything */
	int st;
	pid_t w = waitpid(pid, &st, 0);
	check(pid > 0, "vfork succeeded");
	check(pid == child_seen_pid, "vfork returned the child's getpid");
	check(w == pid, "waitpid returned the vforked pid");
	check(WIFEXITED(st) && WEXITSTATUS(st) == 33, "exec'd child's exit status seen");

	/* vfork, then _exit without exec */
	pid = vfork();
	if (pid == 0) _exit(5);
	check(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 5,
	      "vfork+_exit(5) seen by the parent");

	/* vfork, exec of a missing file, _exit(127) */
	pid = vfork();
	if (pid == 0) {
		execl("/nonexistent/program", "x", (char *)NULL);
		_exit(errno == ENOENT ? 127 : 126);
	}
	check(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 127,
	      "failed exec in a vfork child reports ENOENT");

	/* posix_spawn (glibc: clone(CLONE_VM|CLONE_VFORK)) */
	char *sargv[] = { "sh", "-c", "exit 9", NULL };
	pid_t sp;
	int rc = posix_spawn(&sp, "/bin/sh", NULL, NULL, sargv, environ);
	check(rc == 0, "posix_spawn succeeded");
	check(waitpid(sp, &st, 0) == sp && WIFEXITED(st) && WEXITSTATUS(st) == 9,
	      "posix_spawn child's pid and status seen");
	rc = posix_spawn(&sp, "/nonexistent/program", NULL, NULL, sargv, environ);
	check(rc == ENOENT, "posix_spawn of a missing file reports ENOENT");
	return failures ? 1 : 0;
}
