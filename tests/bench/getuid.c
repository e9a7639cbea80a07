/* tests/bench/getuid.c - raw getuid syscall loop: untrapped under Persona (the seccomp
 * filter runs on every syscall but returns ALLOW), traced by strace. */
#include <sys/syscall.h>
#include <unistd.h>
#include "bench.h"

static int run(long n, void *arg)
{
	long want = (long)getuid();
	(void)arg;
	for (long i = 0; i < n; i++)
		if (syscall(SYS_getuid) != want) BENCH_FAIL("getuid");
	return 0;
}

int main(int argc, char **argv) { return bench_main("getuid", argc, argv, 2000000, run, NULL); }
