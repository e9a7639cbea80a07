/* tests/guests/orphan_subreaper.c - orphans go to the nearest subreaper.
 * This program forks S, which makes itself a child subreaper (PR_SET_CHILD_SUBREAPER)
 * and forks A; A forks G and G2 and exits. G's parent becomes S - natively and in a
 * pid namespace alike, since S is closer than any init - and S reaps both. G2 set
 * PR_SET_PDEATHSIG and gets its signal, sent as from A, when A dies. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
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

static volatile sig_atomic_t pdeath_got;
static volatile pid_t pdeath_from;
static void on_pdeath(int sig, siginfo_t *si, void *uc)
{
	(void)sig; (void)uc;
	pdeath_from = si->si_pid;
	pdeath_got = 1;
}

/* polls until getppid() != old; 0 on timeout */
static int wait_reparent(pid_t old)
{
	for (int i = 0; i < 5000; i++) {
		if (getppid() != old) return 1;
		struct timespec ts = { 0, 1000000 };
		nanosleep(&ts, NULL);
	}
	return 0;
}

#define G_OK 30		/* G saw getppid() == S */
#define G2_OK 31	/* G2 got SIGUSR1 from A, then saw getppid() == S */
#define A_OK 40

static void run_a(pid_t s, int report)
{
	pid_t a = getpid();
	int ready[2];
	char r;
	if (pipe(ready)) _exit(2);
	pid_t g = fork();
	if (g == 0) {
		if (!wait_reparent(a)) _exit(20);
		_exit(getppid() == s ? G_OK : 21);
	}
	pid_t g2 = fork();
	if (g2 == 0) {
		struct sigaction sa = { 0 };
		sa.sa_sigaction = on_pdeath;
		sa.sa_flags = SA_SIGINFO;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGUSR1, &sa, NULL);
		sigset_t b, old;
		sigemptyset(&b);
		sigaddset(&b, SIGUSR1);
		sigprocmask(SIG_BLOCK, &b, &old);
		prctl(PR_SET_PDEATHSIG, SIGUSR1);
		if (getppid() != a) _exit(22);
		if (write(ready[1], "r", 1) != 1) _exit(23);
		while (!pdeath_got) sigsuspend(&old);
		if (pdeath_from != a) _exit(24);
		if (!wait_reparent(a)) _exit(25);
		_exit(getppid() == s ? G2_OK : 26);
	}
	/* G2 armed its parent-death signal; tell S the pids, then die */
	if (read(ready[0], &r, 1) != 1) _exit(3);
	pid_t ids[2] = { g, g2 };
	if (write(report, ids, sizeof ids) != sizeof ids) _exit(4);
	_exit(A_OK);
}

/* S: the subreaper; it prints the checks */
static int run_s(void)
{
	pid_t s = getpid();
	check(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0, "prctl(PR_SET_CHILD_SUBREAPER) succeeded");
	int is = 0;
	prctl(PR_GET_CHILD_SUBREAPER, &is);
	check(is == 1, "PR_GET_CHILD_SUBREAPER reads 1");
	int report[2];
	if (pipe(report)) return 2;
	pid_t a = fork();
	if (a == 0) {
		close(report[0]);
		run_a(s, report[1]);
	}
	close(report[1]);
	pid_t ids[2] = { -1, -1 };
	if (read(report[0], ids, sizeof ids) != sizeof ids) printf("no report from the middle child\n");
	int st, code[3] = { -1, -1, -1 };
	for (int i = 0; i < 3; i++) {
		pid_t w = wait(&st);
		int c = WIFEXITED(st) ? WEXITSTATUS(st) : 1000 + WTERMSIG(st);
		if (w == a) code[0] = c;
		else if (w == ids[0]) code[1] = c;
		else if (w == ids[1]) code[2] = c;
		else printf("wait returned an unknown pid (%s)\n", w < 0 ? "error" : "positive");
	}
	check(code[0] == A_OK, "subreaper reaped its child, which exited after forking");
	if (code[1] != G_OK) printf("orphan's code: %d\n", code[1]);
	check(code[1] == G_OK, "orphan's getppid() became the subreaper's getpid(), subreaper reaped it");
	if (code[2] != G2_OK) printf("second orphan's code: %d\n", code[2]);
	check(code[2] == G2_OK, "parent-death signal's si_pid is the dead parent; orphan reparented too");
	errno = 0;
	check(wait(NULL) == -1 && errno == ECHILD, "no children left");
	return failures ? 1 : 0;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	alarm(30);
	pid_t s = fork();
	if (s == 0) _exit(run_s());
	int st;
	waitpid(s, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 2;
}
