/* tests/bench/first_touch.c - first touch of fresh anonymous memory: one op is one
 * page (mmap of ITERATIONS pages, a write to each, munmap). Natively the host kernel
 * takes a page fault per page; under Persona each fault is a SIGSEGV stop and an
 * injected mmap of pool frames, amortised by fault-around. */
#include <sys/mman.h>
#include <unistd.h>
#include "bench.h"

static int run(long n, void *arg)
{
	(void)arg;
	long pg = sysconf(_SC_PAGESIZE);
	volatile char *p = mmap(NULL, (size_t)n * pg, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) BENCH_FAIL("mmap");
	for (long i = 0; i < n; i++) p[i * pg] = 1;
	if (munmap((void *)p, (size_t)n * pg)) BENCH_FAIL("munmap");
	return 0;
}

int main(int argc, char **argv) { return bench_main("first_touch", argc, argv, 65536, run, NULL); }
