/* tests/guests/sched_latency.c - wake-up latency of an interactive task among hogs.
 *   sched_latency HOGS ITERATIONS SLEEP_US
 * Forks HOGS CPU-bound children, then sleeps SLEEP_US ITERATIONS times, each time
 * measuring how late it runs after its sleep should have ended (clock_nanosleep to an
 * absolute time), and prints "latency_us p50 X p90 Y max Z". A scheduler that favours
 * sleepers (CFS's sleeper credit, MLFQ's top queue) keeps it low while the hogs run. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int cmp(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	int hogs = argc > 1 ? atoi(argv[1]) : 3, iters = argc > 2 ? atoi(argv[2]) : 100;
	long sleep_us = argc > 3 ? atol(argv[3]) : 10000;
	pid_t pids[16];
	if (hogs > 16) hogs = 16;
	for (int i = 0; i < hogs; i++)
		if ((pids[i] = fork()) == 0) {
			volatile unsigned long x = 0;
			for (;;) x++;
		}
	long *lat = calloc(iters, sizeof *lat);
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	for (int i = 0; i < iters; i++) {
		t.tv_nsec += sleep_us * 1000;
		while (t.tv_nsec >= 1000000000) { t.tv_nsec -= 1000000000; t.tv_sec++; }
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL);
		struct timespec n;
		clock_gettime(CLOCK_MONOTONIC, &n);
		lat[i] = (n.tv_sec - t.tv_sec) * 1000000 + (n.tv_nsec - t.tv_nsec) / 1000;
		t = n;	/* the next period starts when this one ran */
	}
	for (int i = 0; i < hogs; i++) kill(pids[i], SIGKILL);
	while (wait(NULL) > 0) {}
	qsort(lat, iters, sizeof *lat, cmp);
	printf("latency_us p50 %ld p90 %ld max %ld\n", lat[iters / 2], lat[iters * 9 / 10], lat[iters - 1]);
	return 0;
}
