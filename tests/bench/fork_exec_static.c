/* tests/bench/fork_exec_static.c - fork + execve of a static binary (/bin/busybox
 * true: no interpreter, no libraries) + waitpid. */
#include "bench.h"

static int run(long n, void *arg)
{
	static char *const argv[] = { "true", NULL };
	return bench_fork_exec(n, "/bin/busybox", argv, arg);
}

int main(int argc, char **argv)
{
	extern char **environ;
	return bench_main("fork_exec_static", argc, argv, 300, run, environ);
}
