/* tests/bench/swap_ws.c - a working set accessed sequentially or at random: under
 * persona --mem=M --swap it is larger than memory, so accesses are major faults.
 *
 *   swap_ws MIB seq|rand PASSES
 *
 * Fills MIB MiB of anonymous memory, then makes PASSES passes touching one word of
 * every page (read and write), in address order (seq) or in a random order (rand),
 * timing each access. Prints one line:
 *   swap_ws_PATTERN accesses=N seconds=S faults=F pswpin=I pagein_per_s=R p50_us=A p99_us=B
 * faults = accesses slower than 4 µs (a resident page costs well under 1 µs), whose
 * latency distribution gives the median and p99: the major-fault latency as the
 * guest sees it. pswpin is /proc/vmstat's over the passes (Persona's counter under
 * Persona; the host's natively). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define PAGE 4096UL
#define SLOW_NS 4000

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static long vmstat(const char *key)
{
	FILE *f = fopen("/proc/vmstat", "r");
	char name[64];
	long v, found = 0;
	while (f && fscanf(f, "%63s %ld", name, &v) == 2)
		if (!strcmp(name, key)) found = v;
	if (f) fclose(f);
	return found;
}

static int cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: swap_ws MIB seq|rand PASSES\n");
		return 2;
	}
	uint64_t npages = strtoull(argv[1], NULL, 10) * (1UL << 20) / PAGE;
	int rnd = !strcmp(argv[2], "rand");
	unsigned passes = (unsigned)atoi(argv[3]);
	volatile uint64_t *mem = mmap(NULL, npages * PAGE, PROT_READ | PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint32_t *slow = malloc(npages * passes * sizeof *slow);
	if (mem == MAP_FAILED || !slow) { perror("mmap"); return 2; }
	for (uint64_t i = 0; i < npages; i++) mem[i * PAGE / 8] = i;
	long in0 = vmstat("pswpin");
	uint64_t nslow = 0, r = 0x2545F4914F6CDD1DULL, t0 = now_ns();
	for (unsigned p = 0; p < passes; p++)
		for (uint64_t k = 0; k < npages; k++) {
			uint64_t i = k;
			if (rnd) {
				r ^= r << 13; r ^= r >> 7; r ^= r << 17;
				i = r % npages;
			}
			uint64_t a = now_ns();
			mem[i * PAGE / 8] += 1;
			uint64_t d = now_ns() - a;
			if (d > SLOW_NS) slow[nslow++] = (uint32_t)(d > UINT32_MAX ? UINT32_MAX : d);
		}
	double secs = (double)(now_ns() - t0) / 1e9;
	long in = vmstat("pswpin") - in0;
	qsort(slow, nslow, sizeof *slow, cmp);
	double p50 = nslow ? slow[nslow / 2] / 1e3 : 0, p99 = nslow ? slow[nslow * 99 / 100] / 1e3 : 0;
	printf("swap_ws_%s accesses=%lu seconds=%.3f faults=%lu pswpin=%ld pagein_per_s=%.0f p50_us=%.1f p99_us=%.1f\n",
	       rnd ? "rand" : "seq", (unsigned long)(npages * passes), secs, (unsigned long)nslow, in,
	       secs > 0 ? in / secs : 0, p50, p99);
	return 0;
}
