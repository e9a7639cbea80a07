/* tests/bench/thread_create.c - pthread_create + pthread_join of an empty thread. */
#include <pthread.h>
#include "bench.h"

static void *body(void *arg) { return arg; }

static int run(long n, void *arg)
{
	(void)arg;
	for (long i = 0; i < n; i++) {
		pthread_t t;
		int err = pthread_create(&t, NULL, body, NULL);
		if (err) { errno = err; BENCH_FAIL("pthread_create"); }
		if ((err = pthread_join(t, NULL))) { errno = err; BENCH_FAIL("pthread_join"); }
	}
	return 0;
}

int main(int argc, char **argv) { return bench_main("thread_create", argc, argv, 2000, run, NULL); }
