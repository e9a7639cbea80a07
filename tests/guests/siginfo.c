/* tests/guests/siginfo.c - the siginfo of signals between processes, as seen by
 * SA_SIGINFO handlers: si_pid names the sender by the pid the receiver knows it by,
 * si_code tells how it was sent. */
#include <errno.h>
#include <pthread.h>
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

static volatile sig_atomic_t got;
static siginfo_t last;
static void handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig; (void)uc;
	last = *si;
	got++;
}

static void install(int sig)
{
	struct sigaction sa = { 0 };
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static void block(int sig, int how)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, sig);
	sigprocmask(how, &s, NULL);
}

/* waits in sigsuspend, with only `sig` unblocked, until the handler ran `n` times in
 * total (one signal at a time: two pending signals would nest their handlers) */
static void await_sig(int sig, int n)
{
	sigset_t mask;
	sigfillset(&mask);
	sigdelset(&mask, sig);
	while (got < n) sigsuspend(&mask);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	alarm(30);
	int sync[2];
	char c;
	install(SIGUSR1);
	install(SIGUSR2);
	install(SIGRTMIN);
	block(SIGUSR1, SIG_BLOCK);
	block(SIGUSR2, SIG_BLOCK);
	block(SIGRTMIN, SIG_BLOCK);

	/* parent -> child: kill */
	if (pipe(sync)) return 2;
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid == 0) {
		close(sync[0]);
		if (write(sync[1], "r", 1) != 1) _exit(2);
		await_sig(SIGUSR1, 1);
		check(last.si_signo == SIGUSR1, "child: si_signo is SIGUSR1");
		check(last.si_code == SI_USER, "child: kill from parent has si_code SI_USER");
		check(last.si_pid == getppid(), "child: si_pid == getppid()");
		check(last.si_pid == parent, "child: si_pid == parent's getpid()");
		check(last.si_uid == getuid(), "child: si_uid == getuid()");
		/* sigqueue from the parent */
		await_sig(SIGRTMIN, 2);
		check(last.si_signo == SIGRTMIN && last.si_code == SI_QUEUE, "child: sigqueue has si_code SI_QUEUE");
		check(last.si_pid == getppid(), "child: sigqueue's si_pid == getppid()");
		check(last.si_value.sival_int == 1234, "child: sigqueue's value arrived");
		/* child -> parent */
		kill(getppid(), SIGUSR2);
		_exit(7);
	}
	close(sync[1]);
	if (read(sync[0], &c, 1) != 1) return 2;
	kill(pid, SIGUSR1);
	union sigval v = { .sival_int = 1234 };
	/* the child may still be in its handler: sigqueue is queued, not lost */
	sigqueue(pid, SIGRTMIN, v);
	await_sig(SIGUSR2, 1);	/* the child's SIGUSR2 */
	int st;
	waitpid(pid, &st, 0);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 7, "child exited 7 after its checks");
	check(last.si_signo == SIGUSR2 && last.si_code == SI_USER, "parent: child's kill is SI_USER");
	check(last.si_pid == pid, "parent: si_pid == the pid fork returned");

	/* to itself: kill is SI_USER, raise (tgkill) is SI_TKILL */
	got = 0;
	kill(getpid(), SIGUSR1);
	await_sig(SIGUSR1, 1);
	check(last.si_code == SI_USER && last.si_pid == getpid(), "kill(getpid()): SI_USER from getpid()");
	raise(SIGUSR1);
	await_sig(SIGUSR1, 2);
	check(last.si_code == SI_TKILL && last.si_pid == getpid(), "raise: SI_TKILL from getpid()");
	sigqueue(getpid(), SIGUSR1, v);
	await_sig(SIGUSR1, 3);
	check(last.si_code == SI_QUEUE && last.si_pid == getpid() && last.si_value.sival_int == 1234,
	      "sigqueue(getpid()): SI_QUEUE from getpid() with the value");
	pthread_sigqueue(pthread_self(), SIGUSR1, v);
	await_sig(SIGUSR1, 4);
	check(last.si_code == SI_QUEUE && last.si_pid == getpid(),
	      "pthread_sigqueue(self): SI_QUEUE from getpid()");

	/* SIGCHLD: si_pid is the child, si_code how it ended */
	install(SIGCHLD);
	block(SIGCHLD, SIG_BLOCK);
	got = 0;
	pid = fork();
	if (pid == 0) _exit(3);
	await_sig(SIGCHLD, 1);
	check(last.si_signo == SIGCHLD && last.si_code == CLD_EXITED && last.si_status == 3,
	      "SIGCHLD: CLD_EXITED with status 3");
	check(last.si_pid == pid, "SIGCHLD: si_pid == the exited child");
	waitpid(pid, NULL, 0);
	pid = fork();
	if (pid == 0) for (;;) pause();
	kill(pid, SIGKILL);
	await_sig(SIGCHLD, 2);
	check(last.si_code == CLD_KILLED && last.si_status == SIGKILL && last.si_pid == pid,
	      "SIGCHLD: CLD_KILLED by SIGKILL from the killed child");
	waitpid(pid, NULL, 0);

	/* a timer's signal carries no pid */
	timer_t tm;
	struct sigevent sev = { 0 };
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = SIGUSR1;
	sev.sigev_value.sival_int = 77;
	got = 0;
	if (timer_create(CLOCK_MONOTONIC, &sev, &tm) == 0) {
		struct itimerspec its = { { 0, 0 }, { 0, 1000000 } };
		timer_settime(tm, 0, &its, NULL);
		await_sig(SIGUSR1, 1);
		check(last.si_code == SI_TIMER && last.si_value.sival_int == 77, "timer: SI_TIMER with its value");
		timer_delete(tm);
	} else {
		check(0, "timer_create");
	}
	return failures ? 1 : 0;
}
