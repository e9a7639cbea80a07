/* tests/bench/open_close.c - open("/etc/passwd", O_RDONLY) + close loop (openat is
 * trapped under Persona, close is native). */
#include <fcntl.h>
#include <unistd.h>
#include "bench.h"

static int run(long n, void *arg)
{
	(void)arg;
	for (long i = 0; i < n; i++) {
		int fd = open("/etc/passwd", O_RDONLY | O_CLOEXEC);
		if (fd < 0) BENCH_FAIL("open /etc/passwd");
		if (close(fd)) BENCH_FAIL("close");
	}
	return 0;
}

int main(int argc, char **argv) { return bench_main("open_close", argc, argv, 20000, run, NULL); }
