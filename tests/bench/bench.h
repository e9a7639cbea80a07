/* tests/bench/bench.h - shared harness for the microbenchmarks (header only).
 *
 * Every benchmark is an ordinary Linux program (it must not depend on Persona):
 *
 *     build/bench/X [ITERATIONS [REPETITIONS]]
 *
 * It runs a warm-up of ITERATIONS/10 operations, then REPETITIONS timed runs of
 * ITERATIONS operations each (CLOCK_MONOTONIC), and prints ONE machine-readable line
 * on stdout:
 *
 *     NAME MEDIAN_NS_PER_OP
 *
 * followed, on stderr, by a human-readable line with min/median/max over the
 * repetitions. The median is what run.sh uses: it is robust against VM noise. */
#ifndef PERSONA_BENCH_H
#define PERSONA_BENCH_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BENCH_MAX_REPS 64

/* One operation, ITERATIONS times; returns 0 or -1 after printing why it failed. */
typedef int (*bench_fn)(long iterations, void *arg);

static double bench_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static long bench_arg(int argc, char **argv, int i, long dflt, long max)
{
	if (argc <= i) return dflt;
	char *end;
	errno = 0;
	long v = strtol(argv[i], &end, 10);
	if (errno || *end || v < 1 || v > max) {
		fprintf(stderr, "usage: %s [ITERATIONS [REPETITIONS]]: bad '%s'\n", argv[0], argv[i]);
		exit(2);
	}
	return v;
}

/* Parses the arguments, runs warm-up and repetitions, prints the result; returns
 * the exit status for main. */
static int bench_main(const char *name, int argc, char **argv, long dflt_iters,
		      bench_fn fn, void *arg)
{
	long iters = bench_arg(argc, argv, 1, dflt_iters, 1000000000L);
	long reps = bench_arg(argc, argv, 2, 5, BENCH_MAX_REPS);
	double ns[BENCH_MAX_REPS];
	long warm = iters / 10 ? iters / 10 : 1;

	if (fn(warm, arg)) return 1;
	for (long r = 0; r < reps; r++) {
		double t0 = bench_now_ns();
		if (fn(iters, arg)) return 1;
		ns[r] = (bench_now_ns() - t0) / (double)iters;
	}
	qsort(ns, reps, sizeof ns[0], bench_cmp_double);
	double med = reps % 2 ? ns[reps / 2] : (ns[reps / 2 - 1] + ns[reps / 2]) / 2;
	printf("%s %.1f\n", name, med);
	fflush(stdout);
	fprintf(stderr, "# %s: %ld x %ld ops, ns/op min %.1f median %.1f max %.1f\n",
		name, reps, iters, ns[0], med, ns[reps - 1]);
	return 0;
}

#define BENCH_FAIL(what) \
	do { fprintf(stderr, "bench: %s: %s\n", (what), strerror(errno)); return -1; } while (0)

/* n times fork + execve(path, argv, envp) + waitpid, the child expected to exit 0
 * (fork_exec_wait, fork_exec_static). 0 or -1. */
#include <sys/wait.h>
#include <unistd.h>
static inline int bench_fork_exec(long n, const char *path, char *const argv[], char **envp)
{
	for (long i = 0; i < n; i++) {
		int st;
		pid_t pid = fork();
		if (pid < 0) BENCH_FAIL("fork");
		if (pid == 0) {
			execve(path, argv, envp);
			_exit(127);
		}
		if (waitpid(pid, &st, 0) != pid) BENCH_FAIL("waitpid");
		if (!WIFEXITED(st) || WEXITSTATUS(st)) {
			fprintf(stderr, "bench: %s status %#x\n", path, st);
			return -1;
		}
	}
	return 0;
}

#endif
