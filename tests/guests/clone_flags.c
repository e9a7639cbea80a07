/* tests/guests/clone_flags.c - raw clone and clone3 flags that involve pids:
 * CLONE_PARENT (the new process is a sibling: our parent reaps it),
 * CLONE_PARENT_SETTID / CLONE_CHILD_SETTID (the new pid written to memory),
 * an exit signal other than SIGCHLD (only __WCLONE/__WALL waits see it), clone3. */
#include <errno.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
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

/* fork-like raw clone (no new stack: the child continues on a copy of ours) */
static long raw_clone(unsigned long flags, pid_t *ptid, pid_t *ctid)
{
	return syscall(SYS_clone, flags, NULL, ptid, ctid, 0);
}

static pid_t ptid_slot, ctid_slot;
static void on_usr1(int sig) { (void)sig; }

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	alarm(30);
	if (argc == 2 && !strcmp(argv[1], "clone-parent-self")) {
		/* for Persona-only tests: the init of a pid namespace may not CLONE_PARENT */
		long pid = raw_clone(CLONE_PARENT | SIGCHLD, NULL, NULL);
		if (pid == 0) _exit(0);
		printf("CLONE_PARENT from this process: %s\n", pid > 0 ? "ok" : strerrorname_np(errno));
		return 0;
	}
	int st;
	pid_t me = getpid();

	/* CLONE_PARENT_SETTID | CLONE_CHILD_SETTID */
	ptid_slot = ctid_slot = 0;
	long pid = raw_clone(CLONE_PARENT_SETTID | CLONE_CHILD_SETTID | SIGCHLD, &ptid_slot, &ctid_slot);
	if (pid == 0) {
		/* (the parent's slot is written in the parent's memory only) */
		int ok = ctid_slot == getpid() && getppid() == me;
		_exit(ok ? 0 : 1);
	}
	check(pid > 0 && ptid_slot == pid, "CLONE_PARENT_SETTID: parent's slot holds the returned pid");
	check(ctid_slot == 0, "CLONE_CHILD_SETTID wrote only the child's copy");
	waitpid((pid_t)pid, &st, 0);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "CLONE_CHILD_SETTID: child's slot holds its getpid()");

	/* CLONE_PARENT from a child: the grandchild becomes our child */
	int p[2];
	if (pipe(p)) return 2;
	pid_t mid = fork();
	if (mid == 0) {
		long g = raw_clone(CLONE_PARENT | SIGCHLD, NULL, NULL);
		if (g == 0) _exit(getppid() == me ? 66 : 67);
		if (write(p[1], &g, sizeof g) != sizeof g) _exit(2);
		errno = 0;
		/* it is not ours to wait for */
		_exit(waitpid((pid_t)g, NULL, 0) == -1 && errno == ECHILD ? 0 : 1);
	}
	long g = 0;
	if (read(p[0], &g, sizeof g) != sizeof g) return 2;
	int got_mid = 0, got_g = 0;
	for (int i = 0; i < 2; i++) {
		pid_t w = wait(&st);
		if (w == mid && WIFEXITED(st) && WEXITSTATUS(st) == 0) got_mid = 1;
		if (w == g && WIFEXITED(st) && WEXITSTATUS(st) == 66) got_g = 1;
	}
	check(got_mid, "CLONE_PARENT: the cloning child could not wait for its sibling");
	check(got_g, "CLONE_PARENT: we reaped the sibling, which saw us as its parent");

	/* exit signal 0: invisible to plain waits, seen with __WALL */
	pid = raw_clone(0, NULL, NULL);
	if (pid == 0) _exit(8);
	errno = 0;
	check(waitpid((pid_t)pid, &st, 0) == -1 && errno == ECHILD, "no exit signal: plain waitpid gives ECHILD");
	check(waitpid((pid_t)pid, &st, __WALL) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 8,
	      "no exit signal: waitpid(__WALL) reaps it");
	signal(SIGUSR1, on_usr1);
	pid = raw_clone(SIGUSR1, NULL, NULL);
	if (pid == 0) _exit(9);
	check(waitpid((pid_t)pid, &st, __WCLONE) == pid && WEXITSTATUS(st) == 9,
	      "exit signal SIGUSR1: waitpid(__WCLONE) reaps it");

	/* clone3 */
	struct clone_args ca;
	memset(&ca, 0, sizeof ca);
	ptid_slot = 0;
	ca.flags = CLONE_PARENT_SETTID;
	ca.parent_tid = (uint64_t)(uintptr_t)&ptid_slot;
	ca.exit_signal = SIGCHLD;
	pid = syscall(SYS_clone3, &ca, sizeof ca);
	if (pid == 0) _exit(getppid() == me ? 10 : 11);
	check(pid > 0 && ptid_slot == pid, "clone3: CLONE_PARENT_SETTID slot holds the returned pid");
	check(waitpid((pid_t)pid, &st, 0) == pid && WEXITSTATUS(st) == 10, "clone3 child saw us as parent");
	return failures ? 1 : 0;
}
