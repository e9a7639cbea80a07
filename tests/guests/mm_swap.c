/* tests/guests/mm_swap.c - a working set larger than memory, checked page by page.
 *
 *   mm_swap MIB [THREADS [nofork|sleep=SECONDS]]
 *
 * nofork: no fork phase, a second sequential check instead. sleep=S: after the fill
 * and the first checks, sleep S seconds (an idle process whose memory others may
 * take), then check again; no fork.
 * Maps MIB MiB of private anonymous memory and fills every page with bytes derived
 * from its index (a xorshift stream seeded by the page number), then reads it back
 * three times: sequentially, in a pseudo-random page order, and sequentially again
 * after a fork (the child checks its copy and rewrites half of it; the parent's data
 * must be unchanged). Each page's checksum is compared with the one computed when it
 * was written. Prints "ok PAGES pages" and exits 0, or names the first bad page and
 * exits 1. With THREADS > 1 the fill and the checks are split among threads (the
 * mm's pages are then faulted by several threads at once). Natively it is only a
 * memory test; under persona --mem smaller than MIB with --swap it proves that
 * eviction and page-in keep every byte. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096UL

static unsigned char *mem;
static uint64_t npages, *sums;
static unsigned nthreads = 1;

static uint64_t fill_page(uint64_t i, uint64_t gen)
{
	uint64_t x = (i + 1) * 0x9e3779b97f4a7c15ULL ^ gen, sum = 0;
	uint64_t *p = (uint64_t *)(mem + i * PAGE);
	for (unsigned k = 0; k < PAGE / 8; k++) {
		x ^= x << 13; x ^= x >> 7; x ^= x << 17;
		p[k] = x;
		sum = sum * 31 + x;
	}
	return sum;
}

static uint64_t sum_page(uint64_t i)
{
	const uint64_t *p = (const uint64_t *)(mem + i * PAGE);
	uint64_t sum = 0;
	for (unsigned k = 0; k < PAGE / 8; k++) sum = sum * 31 + p[k];
	return sum;
}

struct job { unsigned id; int mode; uint64_t bad; };

/* mode 0: fill; 1: check sequentially; 2: check in a random order */
static void *worker(void *arg)
{
	struct job *j = arg;
	uint64_t lo = npages * j->id / nthreads, hi = npages * (j->id + 1) / nthreads;
	uint64_t r = 88172645463325252ULL + j->id;
	for (uint64_t k = lo; k < hi; k++) {
		uint64_t i = k;
		if (j->mode == 2) {
			r ^= r << 13; r ^= r >> 7; r ^= r << 17;
			i = lo + r % (hi - lo);
		}
		if (j->mode == 0) sums[i] = fill_page(i, 0);
		else if (sum_page(i) != sums[i] && j->bad == UINT64_MAX) j->bad = i;
	}
	return NULL;
}

static int run(int mode, const char *what)
{
	pthread_t th[64];
	struct job jobs[64];
	for (unsigned t = 0; t < nthreads; t++) {
		jobs[t] = (struct job){ t, mode, UINT64_MAX };
		if (nthreads == 1) worker(&jobs[t]);
		else if (pthread_create(&th[t], NULL, worker, &jobs[t])) { perror("pthread_create"); return 2; }
	}
	for (unsigned t = 0; nthreads > 1 && t < nthreads; t++) pthread_join(th[t], NULL);
	for (unsigned t = 0; t < nthreads; t++)
		if (jobs[t].bad != UINT64_MAX) {
			printf("%s: page %lu has the wrong contents\n", what, (unsigned long)jobs[t].bad);
			return 1;
		}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: mm_swap MIB [THREADS]\n");
		return 2;
	}
	npages = strtoull(argv[1], NULL, 10) * (1UL << 20) / PAGE;
	if (argc > 2) nthreads = (unsigned)atoi(argv[2]);
	if (!nthreads || nthreads > 64) nthreads = 1;
	mem = mmap(NULL, npages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	sums = malloc(npages * sizeof *sums);
	if (mem == MAP_FAILED || !sums) { perror("mmap"); return 2; }
	int err;
	if ((err = run(0, "fill")) || (err = run(1, "sequential")) || (err = run(2, "random"))) return err;
	if (argc > 3 && (!strcmp(argv[3], "nofork") || !strncmp(argv[3], "sleep=", 6))) {
		if (argv[3][0] == 's') {
			printf("sleeping\n");
			fflush(stdout);
			sleep((unsigned)atoi(argv[3] + 6));
		}
		if ((err = run(1, "second pass"))) return err;
		printf("ok %lu pages\n", (unsigned long)npages);
		return 0;
	}
	pid_t pid = fork();
	if (pid < 0) { perror("fork"); return 2; }
	if (pid == 0) {		/* the child: its copy is right; it rewrites every other page */
		nthreads = 1;
		if (run(1, "child")) _exit(1);
		for (uint64_t i = 0; i < npages; i += 2) fill_page(i, 1);
		_exit(0);
	}
	int st;
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st)) {
		printf("child failed: status %#x\n", st);
		return 1;
	}
	if ((err = run(1, "after fork"))) return err;
	printf("ok %lu pages\n", (unsigned long)npages);
	return 0;
}
