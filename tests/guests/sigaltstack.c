/* tests/guests/sigaltstack.c - handlers on an alternate signal stack: an SA_ONSTACK
 * handler runs on it (its locals are inside it, sigaltstack reports SS_ONSTACK),
 * one without SA_ONSTACK does not; a stack overflow is caught on the alternate
 * stack; the setting is inherited by fork. */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
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

#define ALT_SIZE (64 * 1024)
static char *alt;
static volatile int on_alt, flag_onstack, ran;

static void handler(int sig)
{
	(void)sig;
	char local;
	stack_t cur;
	uintptr_t p = (uintptr_t)&local;
	on_alt = p >= (uintptr_t)alt && p < (uintptr_t)alt + ALT_SIZE;
	sigaltstack(NULL, &cur);
	flag_onstack = (cur.ss_flags & SS_ONSTACK) != 0;
	ran = 1;
}

static void overflow_handler(int sig)
{
	char local;
	uintptr_t p = (uintptr_t)&local;
	int ok = sig == SIGSEGV && p >= (uintptr_t)alt && p < (uintptr_t)alt + ALT_SIZE;
	_exit(ok ? 7 : 8);
}

static volatile int depth_limit = 1 << 30;
static int recurse(int n)
{
	volatile char pad[1024];
	pad[0] = (char)n;
	if (n >= depth_limit) return 0;
	return recurse(n + 1) + pad[0];
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	alarm(30);
	alt = malloc(ALT_SIZE);
	stack_t ss = { .ss_sp = alt, .ss_size = ALT_SIZE, .ss_flags = 0 };
	check(sigaltstack(&ss, NULL) == 0, "sigaltstack installed");
	stack_t cur;
	sigaltstack(NULL, &cur);
	check(cur.ss_sp == alt && cur.ss_size == ALT_SIZE && !(cur.ss_flags & (SS_ONSTACK | SS_DISABLE)),
	      "sigaltstack reads back, not on it outside a handler");

	struct sigaction sa = { 0 };
	sa.sa_handler = handler;
	sa.sa_flags = SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_flags = 0;
	sigaction(SIGUSR2, &sa, NULL);

	raise(SIGUSR1);
	check(ran && on_alt, "SA_ONSTACK handler ran on the alternate stack");
	check(flag_onstack, "sigaltstack in the handler reports SS_ONSTACK");
	ran = 0;
	raise(SIGUSR2);
	check(ran && !on_alt && !flag_onstack, "handler without SA_ONSTACK ran on the normal stack");

	/* inherited by fork: the child's handler runs on (its copy of) the same stack */
	pid_t pid = fork();
	if (pid == 0) {
		ran = 0;
		raise(SIGUSR1);
		_exit(ran && on_alt ? 0 : 1);
	}
	int st;
	waitpid(pid, &st, 0);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "fork child's handler ran on the inherited alternate stack");

	/* a stack overflow can only be handled on the alternate stack */
	pid = fork();
	if (pid == 0) {
		struct rlimit no_core = { 0, 0 }, stack = { 1 << 20, 1 << 20 };
		setrlimit(RLIMIT_CORE, &no_core);
		setrlimit(RLIMIT_STACK, &stack);
		sa.sa_handler = overflow_handler;
		sa.sa_flags = SA_ONSTACK;
		sigaction(SIGSEGV, &sa, NULL);
		recurse(0);
		_exit(9);
	}
	waitpid(pid, &st, 0);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 7, "stack overflow caught by a handler on the alternate stack");

	ss.ss_flags = SS_DISABLE;
	sigaltstack(&ss, NULL);
	sigaltstack(NULL, &cur);
	check(cur.ss_flags & SS_DISABLE, "sigaltstack disabled");
	return failures ? 1 : 0;
}
