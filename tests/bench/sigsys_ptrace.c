/* tests/bench/sigsys_ptrace.c - why the shim is not a SIGSYS handler (docs/shim.md):
 * a getppid trapped by the process's own filter (SECCOMP_RET_TRAP) and answered by
 * its SIGSYS handler, timed untraced and then traced by a parent that only resumes
 * each stop, as Persona's guests are traced. Prints, per mode, one line
 *     sigsys_untraced NS_PER_CALL   /   sigsys_traced NS_PER_CALL STOPS
 * Not run by `make bench` (it measures the host, not Persona):
 *     build/bench/sigsys_ptrace [CALLS] */
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)si;
	((ucontext_t *)uc)->uc_mcontext.gregs[REG_RAX] = 42;
}

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* the child: handler, filter, the loop; prints its figure */
static int child(const char *name, long n)
{
	struct sigaction sa = { 0 };
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSYS, &sa, NULL);
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { 4, f };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog)) {
		perror("seccomp");
		return 1;
	}
	double t0 = now_ns();
	for (long i = 0; i < n; i++)
		if (syscall(SYS_getppid) != 42) return 1;
	printf("%s %.1f", name, (now_ns() - t0) / n);
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 20000;
	for (int traced = 0; traced < 2; traced++) {
		fflush(stdout);
		pid_t p = fork();
		if (p == 0) {
			if (traced) raise(SIGSTOP);	/* until the parent has seized it */
			_exit(child(traced ? "sigsys_traced" : "sigsys_untraced", n));
		}
		int st, stops = 0;
		if (traced) {
			waitpid(p, &st, WUNTRACED);
			ptrace(PTRACE_SEIZE, p, 0, 0);
			kill(p, SIGCONT);
			while (waitpid(p, &st, __WALL) > 0 && WIFSTOPPED(st)) {
				int sig = WSTOPSIG(st);
				stops += sig == SIGSYS;
				/* a signal-delivery-stop: deliver it, as Persona does */
				ptrace(PTRACE_CONT, p, 0, sig == SIGSYS || sig == SIGCONT ? sig : 0);
			}
		} else {
			waitpid(p, &st, 0);
		}
		if (!WIFEXITED(st) || WEXITSTATUS(st)) return 1;
		if (traced) printf(" %d", stops);
		printf("\n");
	}
	return 0;
}
