/* tests/guests/await_signals.c - says "ready", then reports the next N signals
 * (SIGUSR1, SIGUSR2, SIGTERM, SIGHUP) it receives with their si_code and raw si_pid:
 * for Persona-only tests of signals sent from outside the namespace, whose sender
 * a guest must see as pid 0. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static volatile sig_atomic_t got;
static siginfo_t last;
static void handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig; (void)uc;
	last = *si;
	got = 1;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	alarm(30);
	int n = argc > 1 ? atoi(argv[1]) : 1;
	int sigs[] = { SIGUSR1, SIGUSR2, SIGTERM, SIGHUP };
	sigset_t block, old;
	sigemptyset(&block);
	struct sigaction sa = { 0 };
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		sigaction(sigs[i], &sa, NULL);
		sigaddset(&block, sigs[i]);
	}
	sigprocmask(SIG_BLOCK, &block, &old);
	printf("ready\n");
	for (int i = 0; i < n; i++) {
		got = 0;
		while (!got) sigsuspend(&old);
		printf("signal %d si_code %d si_pid %d\n", last.si_signo, last.si_code, last.si_pid);
	}
	return 0;
}
