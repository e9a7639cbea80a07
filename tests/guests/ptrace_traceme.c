/* tests/guests/ptrace_traceme.c - prints what PTRACE_TRACEME and PTRACE_ATTACH (to a
 * child) return. Natively both succeed; under Persona, which already traces every
 * guest, Linux would refuse a second tracer: EPERM. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

static void report(const char *what, long rc)
{
	if (rc == 0) printf("%s: ok\n", what);
	else printf("%s: %s\n", what, strerrorname_np(errno));
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	alarm(30);
	/* in a child, so that natively the program itself is not left traced */
	pid_t pid = fork();
	if (pid == 0) {
		errno = 0;
		long rc = ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		report("PTRACE_TRACEME", rc);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	pid = fork();
	if (pid == 0) { for (;;) pause(); }
	errno = 0;
	long rc = ptrace(PTRACE_ATTACH, pid, NULL, NULL);
	report("PTRACE_ATTACH to a child", rc);
	if (rc == 0) {
		waitpid(pid, NULL, 0);
		ptrace(PTRACE_DETACH, pid, NULL, NULL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return 0;
}
