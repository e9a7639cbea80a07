/* tests/bench/pipe_pingpong.c - 1-byte round trips between two processes over a pair
 * of pipes: parent writes, child reads and writes it back, parent reads. One op is one
 * round trip. read/write are native (untrapped) under Persona. The child is forked
 * once per timed run (outside the loop's cost, amortized over the iterations). */
#include <sys/wait.h>
#include <unistd.h>
#include "bench.h"

static int run(long n, void *arg)
{
	int ping[2], pong[2], st;
	char c = 'x';
	(void)arg;
	if (pipe(ping) || pipe(pong)) BENCH_FAIL("pipe");
	pid_t pid = fork();
	if (pid < 0) BENCH_FAIL("fork");
	if (pid == 0) {
		close(ping[1]);
		close(pong[0]);
		while (read(ping[0], &c, 1) == 1)
			if (write(pong[1], &c, 1) != 1) _exit(1);
		_exit(0);
	}
	close(ping[0]);
	close(pong[1]);
	for (long i = 0; i < n; i++) {
		if (write(ping[1], &c, 1) != 1) BENCH_FAIL("write");
		if (read(pong[0], &c, 1) != 1) BENCH_FAIL("read");
	}
	close(ping[1]);		/* child sees EOF and exits */
	close(pong[0]);
	if (waitpid(pid, &st, 0) != pid) BENCH_FAIL("waitpid");
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, "bench: child status %#x\n", st);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv) { return bench_main("pipe_pingpong", argc, argv, 20000, run, NULL); }
