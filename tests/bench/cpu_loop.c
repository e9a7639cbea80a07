/* tests/bench/cpu_loop.c - a CPU-bound loop with no syscalls: under Persona it pays only
 * for the supervisor's tick (its interrupt and softirq run on the host CPUs too), so
 * persona/native is the tick's overhead. One op is 1000 multiply-adds. */
#include "bench.h"

static volatile unsigned long sink;

static int run(long n, void *arg)
{
	unsigned long x = sink;
	(void)arg;
	for (long i = 0; i < n; i++)
		for (int k = 0; k < 1000; k++) x = x * 6364136223846793005ul + 1442695040888963407ul;
	sink = x;
	return 0;
}

int main(int argc, char **argv) { return bench_main("cpu_loop", argc, argv, 20000, run, NULL); }
