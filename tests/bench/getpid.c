/* tests/bench/getpid.c - raw getpid syscall loop (trapped and emulated under Persona).
 * syscall(SYS_getpid) bypasses any libc caching: every iteration enters the kernel. */
#include <sys/syscall.h>
#include <unistd.h>
#include "bench.h"

static int run(long n, void *arg)
{
	(void)arg;
	for (long i = 0; i < n; i++)
		if (syscall(SYS_getpid) <= 0) BENCH_FAIL("getpid");
	return 0;
}

int main(int argc, char **argv) { return bench_main("getpid", argc, argv, 20000, run, NULL); }
