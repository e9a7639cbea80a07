/* tests/guests/segv.c - faults delivered as signals with the kernel's siginfo:
 * an access to an unmapped page is SIGSEGV/SEGV_MAPERR with si_addr the faulting
 * address, a write to a read-only page SEGV_ACCERR, integer division by zero
 * SIGFPE/FPE_INTDIV, ud2 SIGILL/ILL_ILLOPN; an unhandled fault kills the process. */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
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

static sigjmp_buf env;
static siginfo_t last;
static void handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig; (void)uc;
	last = *si;
	siglongjmp(env, 1);
}

static volatile int zero = 0, seven = 7;

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	alarm(30);
	struct sigaction sa = { 0 };
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
	sigaction(SIGILL, &sa, NULL);
	long pg = sysconf(_SC_PAGESIZE);

	/* an unmapped page */
	char *p = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(p, pg);
	volatile char *bad = p + 123;
	if (!sigsetjmp(env, 1)) {
		*bad = 1;
		check(0, "write to an unmapped page faulted");
	} else {
		check(last.si_signo == SIGSEGV, "unmapped page: SIGSEGV");
		check(last.si_code == SEGV_MAPERR, "unmapped page: si_code SEGV_MAPERR");
		check(last.si_addr == (void *)bad, "unmapped page: si_addr is the faulting address");
	}

	/* near NULL */
	if (!sigsetjmp(env, 1)) {
		(void)*(volatile int *)(uintptr_t)16;
		check(0, "read near NULL faulted");
	} else {
		check(last.si_signo == SIGSEGV && last.si_code == SEGV_MAPERR && last.si_addr == (void *)16,
		      "read at address 16: SIGSEGV, SEGV_MAPERR, si_addr 16");
	}

	/* a read-only page */
	char *ro = mmap(NULL, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!sigsetjmp(env, 1)) {
		((volatile char *)ro)[77] = 1;
		check(0, "write to a read-only page faulted");
	} else {
		check(last.si_signo == SIGSEGV, "read-only page: SIGSEGV");
		check(last.si_code == SEGV_ACCERR, "read-only page: si_code SEGV_ACCERR");
		check(last.si_addr == ro + 77, "read-only page: si_addr is the faulting address");
	}

	/* PROT_NONE is ACCERR too */
	mprotect(ro, pg, PROT_NONE);
	if (!sigsetjmp(env, 1)) {
		(void)((volatile char *)ro)[5];
		check(0, "read of a PROT_NONE page faulted");
	} else {
		check(last.si_code == SEGV_ACCERR && last.si_addr == ro + 5,
		      "PROT_NONE page: SEGV_ACCERR at the address");
	}

	/* integer division by zero */
	if (!sigsetjmp(env, 1)) {
		volatile int x = seven / zero;
		(void)x;
		check(0, "division by zero trapped");
	} else {
		check(last.si_signo == SIGFPE && last.si_code == FPE_INTDIV, "division by zero: SIGFPE, FPE_INTDIV");
	}

	/* an invalid instruction */
	if (!sigsetjmp(env, 1)) {
		__asm__ volatile("ud2");
		check(0, "ud2 trapped");
	} else {
		check(last.si_signo == SIGILL && last.si_code == ILL_ILLOPN, "ud2: SIGILL, ILL_ILLOPN");
	}

	/* kill(self, SIGSEGV) is not a fault: SI_USER from ourselves */
	if (!sigsetjmp(env, 1)) {
		kill(getpid(), SIGSEGV);
		check(0, "kill(self, SIGSEGV) delivered");
	} else {
		check(last.si_code == SI_USER && last.si_pid == getpid(), "kill(self, SIGSEGV): SI_USER from getpid()");
	}

	/* unhandled: the process dies of it */
	pid_t pid = fork();
	if (pid == 0) {
		struct rlimit no_core = { 0, 0 };
		setrlimit(RLIMIT_CORE, &no_core);
		signal(SIGSEGV, SIG_DFL);
		*bad = 1;
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "unhandled fault: child killed by SIGSEGV");
	/* a blocked fault signal cannot be held off: the kernel forces it (kills) */
	pid = fork();
	if (pid == 0) {
		struct rlimit no_core = { 0, 0 };
		setrlimit(RLIMIT_CORE, &no_core);
		sigset_t b;
		sigemptyset(&b);
		sigaddset(&b, SIGSEGV);
		sigprocmask(SIG_BLOCK, &b, NULL);
		*bad = 1;
		_exit(0);
	}
	waitpid(pid, &st, 0);
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "blocked SIGSEGV fault: child killed by SIGSEGV");
	return failures ? 1 : 0;
}
