/* tests/bench/fork_wait.c - fork + waitpid; the child does _exit(0). */
#include <sys/wait.h>
#include <unistd.h>
#include "bench.h"

static int run(long n, void *arg)
{
	(void)arg;
	for (long i = 0; i < n; i++) {
		int st;
		pid_t pid = fork();
		if (pid < 0) BENCH_FAIL("fork");
		if (pid == 0) _exit(0);
		if (waitpid(pid, &st, 0) != pid) BENCH_FAIL("waitpid");
		if (!WIFEXITED(st) || WEXITSTATUS(st)) {
			fprintf(stderr, "bench: child status %#x\n", st);
			return -1;
		}
	}
	return 0;
}

int main(int argc, char **argv) { return bench_main("fork_wait", argc, argv, 1000, run, NULL); }
