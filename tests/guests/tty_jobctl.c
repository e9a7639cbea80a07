/* tests/guests/tty_jobctl.c - terminal job control ids on a pseudo-terminal: a
 * child makes itself a session leader with the pty as controlling terminal, moves a
 * grandchild's group to the foreground; tcgetpgrp/tcgetsid (TIOCGPGRP, TIOCGSID)
 * from inside and, through the master, from outside the session name those
 * processes; tcsetpgrp (TIOCSPGRP) errors: no such group ESRCH, another session's
 * group EPERM. */
#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
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

/* results the session leader sends back, in order */
enum { R_CTTY, R_PGRP_SELF, R_SID_SELF, R_SETFG, R_PGRP_G, R_NOGROUP, R_OTHERSESSION, R_N };
static const char *rnames[R_N] = {
	"child: TIOCSCTTY made the pty its controlling terminal",
	"child: tcgetpgrp == its own pid (session leader's group in the foreground)",
	"child: tcgetsid == its own pid",
	"child: tcsetpgrp(grandchild's group) succeeded",
	"child: tcgetpgrp == the grandchild's pid",
	"child: tcsetpgrp(999999): ESRCH",
	"child: tcsetpgrp(a group of another session): EPERM",
};

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	alarm(30);
	int master, slave;
	if (openpty(&master, &slave, NULL, NULL, NULL)) { printf("openpty failed\n"); return 2; }
	int res[2], go[2];
	if (pipe(res) || pipe(go)) return 2;
	pid_t me = getpid();
	pid_t c = fork();
	if (c == 0) {
		char r[R_N];
		char x;
		memset(r, 'n', sizeof r);
		close(master);
		signal(SIGTTOU, SIG_IGN);
		setsid();
		r[R_CTTY] = ioctl(slave, TIOCSCTTY, 0) == 0 ? 'y' : 'n';
		r[R_PGRP_SELF] = tcgetpgrp(slave) == getpid() ? 'y' : 'n';
		r[R_SID_SELF] = tcgetsid(slave) == getpid() ? 'y' : 'n';
		pid_t g = fork();
		if (g == 0) { setpgid(0, 0); for (;;) pause(); }
		setpgid(g, g);
		r[R_SETFG] = tcsetpgrp(slave, g) == 0 ? 'y' : 'n';
		r[R_PGRP_G] = tcgetpgrp(slave) == g ? 'y' : 'n';
		errno = 0;
		r[R_NOGROUP] = tcsetpgrp(slave, 999999) == -1 && errno == ESRCH ? 'y' : 'n';
		errno = 0;
		r[R_OTHERSESSION] = tcsetpgrp(slave, getppid()) == -1 && errno == EPERM ? 'y' : 'n';
		if (write(res[1], r, sizeof r) != sizeof r) _exit(2);
		if (write(res[1], &g, sizeof g) != sizeof g) _exit(2);
		/* stay (with the grandchild in the foreground) until the parent looked */
		if (read(go[0], &x, 1) != 1) _exit(3);
		kill(g, SIGKILL);
		waitpid(g, NULL, 0);
		_exit(0);
	}
	close(slave);
	char r[R_N];
	pid_t g = -1;
	if (read(res[0], r, sizeof r) != sizeof r || read(res[0], &g, sizeof g) != sizeof g) {
		printf("no report from the child\n");
		return 2;
	}
	for (int i = 0; i < R_N; i++) check(r[i] == 'y', rnames[i]);
	/* from outside the session, through the master side */
	check(tcgetpgrp(master) == g, "parent: tcgetpgrp(master) == the grandchild's pid");
	pid_t sid = -1;
	check(ioctl(master, TIOCGSID, &sid) == 0 && sid == c, "parent: TIOCGSID(master) == the child's pid");
	check(getsid(0) != c && getpid() == me, "parent: in another session");
	if (write(go[1], "g", 1) != 1) return 2;
	int st;
	waitpid(c, &st, 0);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child exited 0");
	return failures ? 1 : 0;
}
