/* tests/bench/fork_exec_wait.c - fork + execve("/bin/true") + waitpid. */
#include "bench.h"

static int run(long n, void *arg)
{
	static char *const argv[] = { "true", NULL };
	return bench_fork_exec(n, "/bin/true", argv, arg);
}

int main(int argc, char **argv)
{
	extern char **environ;
	return bench_main("fork_exec_wait", argc, argv, 300, run, environ);
}
