/* tests/guests/sigmask.c - signal masks: sigprocmask, sigpending, sigsuspend;
 * standard signals coalesce while blocked, real-time ones queue; the mask is inherited
 * by fork and kept by exec, pending signals are not inherited; SIGKILL/SIGSTOP cannot
 * be blocked; a signal blocked in one thread goes to another. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
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

static volatile sig_atomic_t count_usr1, count_rt, order_pos;
static volatile int order[8];
static volatile pid_t handled_tid;
static void on_sig(int sig)
{
	if (sig == SIGUSR1) count_usr1++;
	else count_rt++;
	if (order_pos < 8) order[order_pos++] = sig;
	handled_tid = (pid_t)syscall(SYS_gettid);
}

static int is_blocked(int sig)
{
	sigset_t cur;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	return sigismember(&cur, sig);
}

static int is_pending(int sig)
{
	sigset_t p;
	sigpending(&p);
	return sigismember(&p, sig);
}

static void *blocked_thread(void *arg)
{
	(void)arg;
	/* this thread blocks SIGUSR2 (set before creation, inherited); it just waits */
	struct timespec ts = { 0, 100 * 1000 * 1000 };
	nanosleep(&ts, NULL);
	return NULL;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 2 && !strcmp(argv[1], "after-exec")) {
		check(is_blocked(SIGUSR1), "after exec: SIGUSR1 still blocked");
		check(!is_blocked(SIGUSR2), "after exec: SIGUSR2 still unblocked");
		check(signal(SIGTERM, SIG_DFL) == SIG_IGN, "after exec: ignored SIGTERM still ignored");
		check(signal(SIGUSR2, SIG_DFL) == SIG_DFL, "after exec: handled SIGUSR2 reset to default");
		check(is_pending(SIGUSR1), "after exec: pending SIGUSR1 still pending");
		return 0;
	}
	alarm(30);
	struct sigaction sa = { 0 };
	sa.sa_handler = on_sig;
	/* handlers one at a time (an empty sa_mask would nest the frames of signals
	 * pending together, running them in reverse) */
	sigfillset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sigaction(SIGRTMIN, &sa, NULL);
	sigaction(SIGRTMIN + 1, &sa, NULL);

	sigset_t s, old;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	sigaddset(&s, SIGRTMIN);
	sigaddset(&s, SIGRTMIN + 1);
	sigaddset(&s, SIGKILL);
	sigaddset(&s, SIGSTOP);
	check(sigprocmask(SIG_BLOCK, &s, &old) == 0, "sigprocmask(SIG_BLOCK) succeeded");
	check(is_blocked(SIGUSR1) && is_blocked(SIGRTMIN), "SIGUSR1 and SIGRTMIN blocked");
	check(!is_blocked(SIGKILL) && !is_blocked(SIGSTOP), "SIGKILL and SIGSTOP cannot be blocked");

	/* blocked signals stay pending; standard ones coalesce, real-time ones queue */
	kill(getpid(), SIGUSR1);
	kill(getpid(), SIGUSR1);
	union sigval v = { 0 };
	sigqueue(getpid(), SIGRTMIN + 1, v);
	sigqueue(getpid(), SIGRTMIN, v);
	sigqueue(getpid(), SIGRTMIN, v);
	sigqueue(getpid(), SIGRTMIN, v);
	check(count_usr1 == 0 && count_rt == 0, "no handler ran while blocked");
	check(is_pending(SIGUSR1) && is_pending(SIGRTMIN) && is_pending(SIGRTMIN + 1),
	      "sigpending shows the blocked signals");
	check(!is_pending(SIGUSR2), "sigpending does not show an unsent signal");

	/* fork: the mask is inherited, the pending set is not */
	pid_t pid = fork();
	if (pid == 0) _exit(is_blocked(SIGUSR1) && !is_pending(SIGUSR1) ? 0 : 1);
	int st;
	waitpid(pid, &st, 0);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "fork: child inherits the mask, not the pending signals");

	/* sigsuspend with an empty mask delivers the lowest pending signal (the handler
	 * blocks all others), then restores the mask */
	sigset_t empty;
	sigemptyset(&empty);
	errno = 0;
	int rc = sigsuspend(&empty);
	check(rc == -1 && errno == EINTR, "sigsuspend returned EINTR");
	check(count_usr1 == 1 && count_rt == 0, "sigsuspend delivered SIGUSR1 (lowest) alone");
	check(is_blocked(SIGUSR1) && is_blocked(SIGRTMIN), "mask restored after sigsuspend");
	check(!is_pending(SIGUSR1) && is_pending(SIGRTMIN), "SIGUSR1 coalesced, SIGRTMIN still pending");
	/* unblocking delivers the rest before sigprocmask returns */
	sigprocmask(SIG_SETMASK, &old, NULL);
	check(count_usr1 == 1, "two blocked SIGUSR1 delivered once");
	check(count_rt == 4, "four queued real-time signals delivered four times");
	int in_order = order_pos == 5 && order[0] == SIGUSR1 && order[4] == SIGRTMIN + 1;
	for (int i = 1; i < 4; i++) if (order[i] != SIGRTMIN) in_order = 0;
	check(in_order, "delivered in order: SIGUSR1, SIGRTMIN x3, SIGRTMIN+1");
	check(!is_pending(SIGRTMIN) && !is_pending(SIGRTMIN + 1), "nothing pending any more");
	sigprocmask(SIG_SETMASK, &s, NULL);

	/* SIG_UNBLOCK delivers a pending signal before sigprocmask returns */
	kill(getpid(), SIGUSR1);
	check(count_usr1 == 1, "still blocked: not delivered");
	sigset_t u;
	sigemptyset(&u);
	sigaddset(&u, SIGUSR1);
	sigprocmask(SIG_UNBLOCK, &u, NULL);
	check(count_usr1 == 2, "SIG_UNBLOCK delivered the pending SIGUSR1");
	sigprocmask(SIG_SETMASK, &s, NULL);

	/* a signal to the process skips the thread that blocks it */
	sigset_t u2;
	sigemptyset(&u2);
	sigaddset(&u2, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &u2, NULL);
	pthread_t t;
	pthread_create(&t, NULL, blocked_thread, NULL);
	pthread_sigmask(SIG_UNBLOCK, &u2, NULL);
	handled_tid = 0;
	kill(getpid(), SIGUSR2);
	check(handled_tid == (pid_t)syscall(SYS_gettid), "process signal went to the thread not blocking it");
	pthread_join(t, NULL);

	/* exec keeps the mask, pending signals and ignored dispositions */
	signal(SIGTERM, SIG_IGN);
	kill(getpid(), SIGUSR1);
	pid = fork();
	if (pid == 0) {
		kill(getpid(), SIGUSR1);
		execl("/proc/self/exe", "sigmask", "after-exec", (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &st, 0);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "exec'd child saw mask, pending and dispositions kept");
	return failures ? 1 : 0;
}
