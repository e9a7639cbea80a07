/* tests/guests/mm_big.c - large memory: a 1 GiB MAP_NORESERVE anonymous mapping
 * with every one of its 262144 pages touched (the page index written at both ends
 * of each page), read back, checksummed and unmapped; then a 200 MiB malloc,
 * memset and verified. One demand fault per page: the stress case for a memory
 * manager that pages through SIGSEGV. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int failures;
static void check(int ok, const char *what)
{
	printf("%s: %s\n", what, ok ? "yes" : "no");
	if (!ok) {
		failures++;
		fprintf(stderr, "check failed: %s\n", what);	/* shown by the test harness */
	}
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	alarm(50);
	long pg = sysconf(_SC_PAGESIZE);
	size_t len = 1UL << 30, npages = len / pg, words = pg / 8;

	uint64_t *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	check(m != MAP_FAILED, "mmap 1 GiB MAP_NORESERVE");
	if (m == MAP_FAILED) return 1;
	for (size_t i = 0; i < npages; i++) {
		m[i * words] = i;
		m[i * words + words - 1] = ~i;
	}
	int ok = 1;
	uint64_t sum = 1469598103934665603ULL;	/* FNV-1a over the indices read back */
	for (size_t i = 0; i < npages; i++) {
		ok &= m[i * words] == i && m[i * words + words - 1] == ~i && m[i * words + words / 2] == 0;
		sum = (sum ^ m[i * words]) * 1099511628211ULL;
	}
	check(ok, "every page holds its index, the rest zero");
	printf("pages: %zu, checksum: %016llx\n", npages, (unsigned long long)sum);
	check(munmap(m, len) == 0, "munmap 1 GiB");

	size_t blen = 200UL << 20;
	unsigned char *b = malloc(blen);
	check(b != NULL, "malloc 200 MiB");
	if (!b) return 1;
	memset(b, 0xa5, blen);
	ok = 1;
	const uint64_t *w = (const uint64_t *)b;
	for (size_t k = 0; k < blen / 8; k++) ok &= w[k] == 0xa5a5a5a5a5a5a5a5ULL;
	check(ok, "200 MiB memset to 0xa5 and verified");
	for (size_t k = 0; k < blen; k += pg) b[k] = (unsigned char)(k / pg);
	sum = 0;
	for (size_t k = 0; k < blen; k += pg) sum += b[k] + b[k + 1];
	printf("malloc block checksum: %llu\n", (unsigned long long)sum);
	free(b);
	return failures ? 1 : 0;
}
