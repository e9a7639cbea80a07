/* tests/bench/yield_pingpong.c - sched_yield between two CPU-bound processes on one
 * CPU: each yields in a loop, so on one CPU every yield is a context switch to the
 * other. One op is one yield of the parent (with the child's, two switches). Run
 * natively under `taskset -c 0` and under `persona run --cpus 1`. */
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include "bench.h"

static int run(long n, void *arg)
{
	int st;
	(void)arg;
	pid_t pid = fork();
	if (pid < 0) BENCH_FAIL("fork");
	if (pid == 0) {
		for (;;) sched_yield();
	}
	for (long i = 0; i < n; i++) sched_yield();
	kill(pid, SIGKILL);
	if (waitpid(pid, &st, 0) != pid) BENCH_FAIL("waitpid");
	return 0;
}

int main(int argc, char **argv) { return bench_main("yield_pingpong", argc, argv, 20000, run, NULL); }
