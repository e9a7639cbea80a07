/* tests/bench/getsid.c - getsid(own pid) loop: trapped and emulated by Persona (the
 * pid is named, so the filter traps it); under --trap=shim a request on the shim's
 * channel to the supervisor, without a ptrace stop, once the call site is patched. */
#include <sys/syscall.h>
#include <unistd.h>
#include "bench.h"

static int run(long n, void *arg)
{
	long pid = getpid();
	(void)arg;
	for (long i = 0; i < n; i++)
		if (syscall(SYS_getsid, pid) < 0) BENCH_FAIL("getsid");
	return 0;
}

int main(int argc, char **argv) { return bench_main("getsid", argc, argv, 20000, run, NULL); }
