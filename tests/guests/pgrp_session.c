/* tests/guests/pgrp_session.c - process groups and sessions: setpgid from parent
 * and child, joining a group, a group that outlives its leader, setsid and getsid,
 * and the errors (EPERM for a session leader or a group of another session, EACCES
 * after the child exec'd, ESRCH for a pid that is not a child). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static pid_t idle_child(void)
{
	pid_t pid = fork();
	if (pid == 0) { for (;;) pause(); }
	return pid;
}

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	alarm(30);
	pid_t me = getpid();
	pid_t mygrp = getpgrp(), mysid = getsid(0);
	check(getpgid(0) == mygrp, "getpgid(0) == getpgrp()");
	check(getpgid(me) == mygrp, "getpgid(getpid()) == getpgrp()");
	check(getsid(me) == mysid, "getsid(getpid()) == getsid(0)");

	/* a child starts in our group and session */
	pid_t a = idle_child();
	check(getpgid(a) == mygrp, "child starts in the parent's group");
	check(getsid(a) == mysid, "child starts in the parent's session");

	/* its own group */
	check(setpgid(a, a) == 0, "setpgid(child, child) succeeded");
	check(getpgid(a) == a, "getpgid(child) == child's pid");
	check(getsid(a) == mysid, "still in the parent's session");
	check(setpgid(a, 0) == 0 && getpgid(a) == a, "setpgid(child, 0) is the same");

	/* another child joins it, from the child's side */
	int p[2];
	char c;
	if (pipe(p)) return 2;
	pid_t b = fork();
	if (b == 0) {
		int ok = setpgid(0, a) == 0 && getpgrp() == a && getpgid(0) == a;
		_exit(ok ? 0 : 1);
	}
	int st;
	waitpid(b, &st, 0);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child's setpgid(0, other child's group) succeeded");

	/* a group outlives its leader while a member remains */
	pid_t m = idle_child();
	check(setpgid(m, a) == 0 && getpgid(m) == a, "member joined the group");
	reap(a);
	check(getpgid(m) == a, "the group keeps its id after its leader is reaped");
	pid_t n = idle_child();
	check(setpgid(n, a) == 0 && getpgid(n) == a, "a new member can join the leaderless group");
	check(kill(-a, SIGKILL) == 0, "kill(-leaderless group) succeeded");
	int killed = 0;
	for (int i = 0; i < 2; i++) {
		pid_t w = wait(&st);
		if ((w == m || w == n) && WIFSIGNALED(st)) killed++;
	}
	check(killed == 2, "both members killed");
	pid_t o = idle_child();
	errno = 0;
	check(setpgid(o, a) == -1 && errno == EPERM, "joining a group that no longer exists: EPERM");
	reap(o);

	/* setsid in a child */
	if (pipe(p)) return 2;
	pid_t s = fork();
	if (s == 0) {
		close(p[0]);
		pid_t sid = setsid();
		int ok = sid == getpid() && getsid(0) == getpid() && getpgrp() == getpid() &&
			 getppid() == me;
		errno = 0;
		ok = ok && setsid() == -1 && errno == EPERM;	/* already a session leader */
		errno = 0;
		ok = ok && setpgid(0, me) == -1 && errno == EPERM;	/* another session's group */
		if (write(p[1], ok ? "y" : "n", 1) != 1) _exit(2);
		for (;;) pause();
	}
	close(p[1]);
	if (read(p[0], &c, 1) != 1) c = '?';
	close(p[0]);
	check(c == 'y', "child: setsid() == getpid() == getsid(0) == getpgrp(); second setsid EPERM");
	check(getsid(s) == s, "parent: getsid(child) == child's pid");
	check(getpgid(s) == s, "parent: getpgid(child) == child's pid");
	check(getsid(0) == mysid, "parent's own session unchanged");
	errno = 0;
	check(setpgid(s, s) == -1 && errno == EPERM, "setpgid on a session leader: EPERM");
	pid_t t = idle_child();
	errno = 0;
	check(setpgid(t, s) == -1 && errno == EPERM, "setpgid into another session's group: EPERM");
	reap(t);
	reap(s);

	/* a group leader cannot setsid */
	pid_t l = fork();
	if (l == 0) {
		setpgid(0, 0);
		errno = 0;
		_exit(setsid() == -1 && errno == EPERM ? 0 : 1);
	}
	waitpid(l, &st, 0);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "setsid by a group leader: EPERM");

	/* after exec the parent may no longer move the child */
	if (pipe(p)) return 2;
	pid_t e = fork();
	if (e == 0) {
		dup2(p[0], 0);
		close(p[0]);
		close(p[1]);
		execlp("cat", "cat", (char *)NULL);
		_exit(127);
	}
	close(p[0]);
	/* wait until it exec'd: its /proc/PID/exe changes */
	char exe[64], path[256] = "";
	snprintf(exe, sizeof exe, "/proc/%d/exe", e);
	for (int i = 0; i < 2000; i++) {
		ssize_t k = readlink(exe, path, sizeof path - 1);
		path[k > 0 ? k : 0] = 0;
		if (strstr(path, "cat")) break;
		usleep(1000);
	}
	errno = 0;
	check(setpgid(e, e) == -1 && errno == EACCES, "setpgid on a child after its exec: EACCES");
	close(p[1]);
	waitpid(e, NULL, 0);

	/* errors */
	errno = 0;
	check(setpgid(999999, 0) == -1 && errno == ESRCH, "setpgid(999999): ESRCH");
	errno = 0;
	check(setpgid(0, -1) == -1 && errno == EINVAL, "setpgid(0, -1): EINVAL");
	errno = 0;
	check(getpgid(999999) == -1 && errno == ESRCH, "getpgid(999999): ESRCH");
	errno = 0;
	check(getsid(999999) == -1 && errno == ESRCH, "getsid(999999): ESRCH");
	return failures ? 1 : 0;
}
