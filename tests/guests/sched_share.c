/* tests/guests/sched_share.c - CPU shares of competing hogs.
 *   sched_share SECONDS NICE [NICE...]
 * Forks one CPU-bound child per NICE (each sets its own nice value), starts them
 * together, lets them spin for SECONDS of wall time and prints each one's CPU time and
 * share of the total: "child N nice K cpu_ms X share P". Run on one CPU, the shares
 * follow the scheduler's weights (Linux: 1024 for nice 0, 335 for nice 5). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc < 3) { fprintf(stderr, "usage: sched_share SECONDS NICE...\n"); return 2; }
	double secs = atof(argv[1]);
	int n = argc - 2, go[2], res[2];
	if (pipe(go) || pipe(res)) return 1;
	for (int i = 0; i < n; i++) {
		if (fork() == 0) {
			char c;
			if (setpriority(PRIO_PROCESS, 0, atoi(argv[2 + i]))) { perror("setpriority"); _exit(1); }
			close(go[1]);
			if (read(go[0], &c, 1) < 0) _exit(1);	/* everyone starts at once */
			double end = now(CLOCK_MONOTONIC) + secs;
			volatile unsigned long x = 0;
			while (now(CLOCK_MONOTONIC) < end)
				for (int k = 0; k < 10000; k++) x += k;
			double cpu = now(CLOCK_PROCESS_CPUTIME_ID);
			if (write(res[1], (double[]){ i, cpu }, 2 * sizeof(double)) < 0) _exit(1);
			_exit(0);
		}
	}
	close(go[0]);
	close(res[1]);
	usleep(100000);
	close(go[1]);	/* EOF: go */
	double cpu[64] = { 0 }, total = 0, v[2];
	while (read(res[0], v, sizeof v) == sizeof v) cpu[(int)v[0]] = v[1];
	while (wait(NULL) > 0) {}
	for (int i = 0; i < n; i++) total += cpu[i];
	for (int i = 0; i < n; i++)
		printf("child %d nice %s cpu_ms %.0f share %.2f\n", i, argv[2 + i], cpu[i] * 1e3,
		       total > 0 ? 100 * cpu[i] / total : 0);
	return 0;
}
