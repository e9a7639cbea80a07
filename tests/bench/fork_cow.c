/* tests/bench/fork_cow.c - fork of a process with 100 MiB of touched private memory,
 * the child writing every page (each write breaks copy-on-write) and exiting, the
 * parent waiting: one op is that whole sequence. */
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "bench.h"

#define SIZE (100L << 20)

static int run(long n, void *arg)
{
	volatile char *p = arg;
	long pg = sysconf(_SC_PAGESIZE);
	for (long i = 0; i < n; i++) {
		int st;
		pid_t pid = fork();
		if (pid < 0) BENCH_FAIL("fork");
		if (pid == 0) {
			for (long off = 0; off < SIZE; off += pg) p[off] = 2;
			_exit(0);
		}
		if (waitpid(pid, &st, 0) != pid) BENCH_FAIL("waitpid");
		if (!WIFEXITED(st) || WEXITSTATUS(st)) {
			fprintf(stderr, "bench: child status %#x\n", st);
			return -1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	char *p = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	for (long off = 0; off < SIZE; off += 4096) p[off] = 1;	/* touched before timing */
	return bench_main("fork_cow", argc, argv, 5, run, p);
}
