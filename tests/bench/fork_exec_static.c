/* tests/bench/fork_exec_static.c - fork + execve of a static binary (/bin/busybox
 * true: no interpreter, no libraries) + waitpid. */
#include <sys/wait.h>
#include <unistd.h>
#include "bench.h"

static int run(long n, void *arg)
{
	static char *const argv[] = { "true", NULL };
	char **envp = arg;
	for (long i = 0; i < n; i++) {
		int st;
		pid_t pid = fork();
		if (pid < 0) BENCH_FAIL("fork");
		if (pid == 0) {
			execve("/bin/busybox", argv, envp);
			_exit(127);
		}
		if (waitpid(pid, &st, 0) != pid) BENCH_FAIL("waitpid");
		if (!WIFEXITED(st) || WEXITSTATUS(st)) {
			fprintf(stderr, "bench: busybox true status %#x\n", st);
			return -1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	extern char **environ;
	return bench_main("fork_exec_static", argc, argv, 300, run, environ);
}
