/* tests/bench/nanosleep.c - wake-up latency of nanosleep(1 ms): how late the sleeper
 * runs again after its deadline. Prints "nanosleep_1ms MEDIAN_NS" and
 * "nanosleep_1ms_p99 P99_NS" (overshoot beyond the 1 ms asked for).
 * usage: nanosleep [ITERATIONS] */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 300;
	if (n < 10) n = 10;
	long long *late = malloc(n * sizeof *late);
	if (!late) return 1;
	struct timespec ms = { 0, 1000000 };
	nanosleep(&ms, NULL);	/* warm-up */
	for (int i = 0; i < n; i++) {
		long long t0 = now_ns();
		nanosleep(&ms, NULL);
		late[i] = now_ns() - t0 - 1000000;
	}
	qsort(late, n, sizeof *late, cmp);
	printf("nanosleep_1ms %lld\n", late[n / 2]);
	printf("nanosleep_1ms_p99 %lld\n", late[(n * 99) / 100]);
	free(late);
	return 0;
}
