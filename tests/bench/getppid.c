/* tests/bench/getppid.c - raw getppid syscall loop: trapped and emulated by Persona,
 * an answer from the supervisor's task table (under --trap=shim: given by the shim
 * in the guest from the value the supervisor keeps current there, once the call
 * site is patched). */
#include <sys/syscall.h>
#include <unistd.h>
#include "bench.h"

static int run(long n, void *arg)
{
	(void)arg;
	for (long i = 0; i < n; i++)
		if (syscall(SYS_getppid) < 0) BENCH_FAIL("getppid");
	return 0;
}

int main(int argc, char **argv) { return bench_main("getppid", argc, argv, 20000, run, NULL); }
