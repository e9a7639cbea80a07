/* tests/guests/mm_threads.c - one address space, four threads: disjoint quarters
 * of one mmap'd area written concurrently (demand faults in parallel), every page
 * of a fresh area written by all four at once (racing faults on the same pages),
 * atomic counters, malloc/free across threads (small blocks and mmap'd big ones,
 * freed by another thread), memory mapped by one thread and read by another, a
 * munmap and an mprotect by one thread seen as SIGSEGV by another, a concurrent
 * mmap/munmap/mprotect loop, and threads on a small stack and on an mmap'd stack.
 * Results are collected per thread and printed after the joins. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define NT 4
#define QP 256		/* pages per thread in the disjoint area */
#define RP 1000		/* pages of the racing area */
#define NBLK 64
#define ITER 200

static long pg;
static int failures;
static void check(int ok, const char *what)
{
	printf("%s: %s\n", what, ok ? "yes" : "no");
	if (!ok) {
		failures++;
		fprintf(stderr, "check failed: %s\n", what);	/* shown by the test harness */
	}
}

static pthread_barrier_t bar;
static char *area, *race, *unmapped_by_2, *protected_by_1;
static uint64_t *counters;
static char *volatile published;	/* mapped by thread 0, read by thread 1 */
static void *blocks[NT][NBLK];
static size_t block_len[NT][NBLK];

struct result {
	int mapped_read_ok;	/* thread 1: thread 0's mapping had the data */
	int segv_after_munmap;	/* thread 3: SEGV_MAPERR */
	int segv_after_mprotect;	/* thread 0: SEGV_ACCERR */
	int loop_ok;
	int stack_ok;
	int foreign_free_ok;
} res[NT];

static __thread sigjmp_buf tenv;
static __thread volatile int tprobe, tcode;
static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)sig; (void)uc;
	if (!tprobe) _exit(4);
	tcode = si->si_code;
	siglongjmp(tenv, 1);
}
/* 0 no fault, else the si_code */
static int probe_write(volatile char *p)
{
	tcode = 0;
	tprobe = 1;
	if (!sigsetjmp(tenv, 1)) *p = 1;
	tprobe = 0;
	return tcode;
}

static uint64_t pat(int t, long page, long word) { return ((uint64_t)t << 56) ^ ((uint64_t)page << 20) ^ (uint64_t)word; }

static int deep_stack(int depth)
{
	volatile char buf[1024];
	memset((char *)buf, depth, sizeof buf);
	int r = depth ? deep_stack(depth - 1) : 0;
	return r + (buf[depth % 1024] == (char)depth);
}

static void *worker(void *arg)
{
	int t = (int)(intptr_t)arg;
	struct result *r = &res[t];

	/* 1. disjoint quarters */
	uint64_t *q = (uint64_t *)(area + (long)t * QP * pg);
	for (long i = 0; i < QP; i++)
		for (long j = 0; j < pg / 8; j += 8) q[i * pg / 8 + j] = pat(t, i, j);

	/* 2. the same fresh pages, all threads at once: word t of every cache line */
	pthread_barrier_wait(&bar);
	for (long i = 0; i < RP; i++)
		for (long j = t; j < pg / 8; j += 8) ((uint64_t *)(race + i * pg))[j] = pat(t, i, j);

	/* 3. atomic counters */
	for (int i = 0; i < 100000; i++) {
		__atomic_fetch_add(&counters[0], 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&counters[1 + (i & 3) * 512], 1, __ATOMIC_RELAXED);	/* 4 pages */
	}

	/* 4. malloc in every thread, big blocks mmap'd by malloc */
	for (int i = 0; i < NBLK; i++) {
		size_t len = (i % 8 == 7) ? (size_t)(1 << 20) + i * 100 : (size_t)(16 + i * 40 + t);
		char *b = malloc(len);
		memset(b, 'A' + t, len);
		blocks[t][i] = b;
		block_len[t][i] = len;
	}
	pthread_barrier_wait(&bar);
	/* free a block of the next thread's (cross-thread free), then reuse */
	int n = (t + 1) % NT;
	free(blocks[n][0]);
	blocks[n][0] = NULL;
	char *again = malloc(100);
	memset(again, 'z', 100);
	r->foreign_free_ok = again[99] == 'z';
	free(again);

	/* 5. a mapping made by thread 0, read by thread 1 */
	if (t == 0) {
		char *m = mmap(NULL, 8 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		for (int i = 0; i < 8; i++) memset(m + i * pg, '0' + i, pg);
		__atomic_store_n(&published, m, __ATOMIC_RELEASE);
	}
	pthread_barrier_wait(&bar);
	if (t == 1) {
		char *m = __atomic_load_n(&published, __ATOMIC_ACQUIRE);
		int ok = m != NULL;
		for (int i = 0; ok && i < 8; i++) ok = m[i * pg] == '0' + i && m[i * pg + pg - 1] == '0' + i;
		r->mapped_read_ok = ok;
		munmap(m, 8 * pg);	/* and unmapped by a third party */
	}

	/* 6. munmap by thread 2 and mprotect by thread 1, seen by threads 3 and 0 */
	if (t == 3 || t == 0) {
		char *p = t == 3 ? unmapped_by_2 : protected_by_1;
		p[10] = 'x';	/* fine before */
	}
	pthread_barrier_wait(&bar);
	if (t == 2) munmap(unmapped_by_2, 4 * pg);
	if (t == 1) mprotect(protected_by_1, 4 * pg, PROT_READ);
	pthread_barrier_wait(&bar);
	if (t == 3) r->segv_after_munmap = probe_write(unmapped_by_2 + pg + 1) == SEGV_MAPERR;
	if (t == 0) r->segv_after_mprotect = probe_write(protected_by_1 + 2 * pg) == SEGV_ACCERR &&
					     protected_by_1[10] == 'x';
	pthread_barrier_wait(&bar);	/* no new mapping may reuse the unmapped range before the probe */

	/* 7. concurrent mmap/write/mprotect/munmap */
	int ok = 1;
	for (int i = 0; i < ITER; i++) {
		size_t len = (size_t)(1 + (i + t) % 16) * pg;
		char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED) { ok = 0; break; }
		for (size_t o = 0; o < len; o += pg) m[o] = (char)(t + i);
		if (mprotect(m, len, PROT_READ)) ok = 0;
		for (size_t o = 0; o < len; o += pg) ok &= m[o] == (char)(t + i);
		if (munmap(m, len)) ok = 0;
	}
	r->loop_ok = ok;
	r->stack_ok = deep_stack(40) == 41;
	return NULL;
}

static void *small_stack_thread(void *arg)
{
	(void)arg;
	return (void *)(intptr_t)(deep_stack(20) == 21);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	alarm(30);
	pg = sysconf(_SC_PAGESIZE);
	struct sigaction sa = { 0 };
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	const int RW = PROT_READ | PROT_WRITE, PA = MAP_PRIVATE | MAP_ANONYMOUS;
	area = mmap(NULL, (size_t)NT * QP * pg, RW, PA, -1, 0);
	race = mmap(NULL, (size_t)RP * pg, RW, PA, -1, 0);
	counters = mmap(NULL, 4 * pg, RW, PA, -1, 0);
	unmapped_by_2 = mmap(NULL, 4 * pg, RW, PA, -1, 0);
	protected_by_1 = mmap(NULL, 4 * pg, RW, PA, -1, 0);
	if (area == MAP_FAILED || race == MAP_FAILED || counters == MAP_FAILED) return 2;
	pthread_barrier_init(&bar, NULL, NT);
	pthread_t th[NT];
	for (int t = 0; t < NT; t++) pthread_create(&th[t], NULL, worker, (void *)(intptr_t)t);
	for (int t = 0; t < NT; t++) pthread_join(th[t], NULL);

	int ok = 1;
	for (int t = 0; t < NT; t++) {
		uint64_t *q = (uint64_t *)(area + (long)t * QP * pg);
		for (long i = 0; i < QP; i++)
			for (long j = 0; j < pg / 8; j++)
				ok &= q[i * pg / 8 + j] == ((j % 8) ? 0 : pat(t, i, j));
	}
	check(ok, "disjoint quarters: each thread's pages hold its pattern");
	ok = 1;
	for (long i = 0; i < RP; i++)
		for (long j = 0; j < pg / 8; j++) {
			uint64_t w = ((uint64_t *)(race + i * pg))[j];
			ok &= j % 8 < NT ? w == pat((int)(j % 8), i, j) : w == 0;
		}
	check(ok, "racing faults: every thread's words survived on every page");
	check(counters[0] == NT * 100000ULL, "atomic counter: 400000");
	check(counters[1] + counters[513] + counters[1025] + counters[1537] == NT * 100000ULL &&
	      counters[1] == NT * 25000ULL, "atomic counters on 4 pages: 100000 each");
	ok = 1;
	for (int t = 0; t < NT; t++)
		for (int i = 0; i < NBLK; i++) {
			char *b = blocks[t][i];
			if (!b) { ok &= i == 0; continue; }
			for (size_t k = 0; k < block_len[t][i]; k += 97) ok &= b[k] == 'A' + t;
			ok &= b[block_len[t][i] - 1] == 'A' + t;
			free(b);
		}
	check(ok, "malloc'd blocks from every thread intact (and freed by main)");
	int all = 1;
	for (int t = 0; t < NT; t++) all &= res[t].foreign_free_ok;
	check(all, "free of another thread's block, then malloc again");
	check(res[1].mapped_read_ok, "a mapping made by one thread is read by another");
	unsigned char v;
	errno = 0;
	check(mincore(published, pg, &v) == -1 && errno == ENOMEM, "and unmapped by that other thread: gone");
	check(res[3].segv_after_munmap, "write after another thread's munmap: SIGSEGV/SEGV_MAPERR");
	errno = 0;
	check(mincore(unmapped_by_2, 4 * pg, &v) == -1 && errno == ENOMEM, "the munmap is seen by main after join");
	check(res[0].segv_after_mprotect, "write after another thread's mprotect PROT_READ: SIGSEGV/SEGV_ACCERR, data kept");
	all = 1;
	for (int t = 0; t < NT; t++) all &= res[t].loop_ok;
	check(all, "concurrent mmap/mprotect/munmap loops in 4 threads");
	all = 1;
	for (int t = 0; t < NT; t++) all &= res[t].stack_ok;
	check(all, "40 KiB of stack in each thread");

	/* a small stack, and a stack the program mapped itself */
	pthread_attr_t at;
	pthread_t st;
	void *rv;
	pthread_attr_init(&at);
	pthread_attr_setstacksize(&at, 64 * 1024);
	pthread_create(&st, &at, small_stack_thread, NULL);
	pthread_join(st, &rv);
	check(rv == (void *)1, "thread on a 64 KiB stack");
	size_t slen = 256 * 1024;
	char *stk = mmap(NULL, slen, RW, PA | MAP_STACK, -1, 0);
	pthread_attr_init(&at);
	pthread_attr_setstack(&at, stk, slen);
	pthread_create(&st, &at, small_stack_thread, NULL);
	pthread_join(st, &rv);
	check(rv == (void *)1, "thread on an mmap'd stack");
	int used = 0;
	for (size_t o = 0; o < slen; o += pg) used += stk[o + pg - 1] != 0 || stk[o] != 0;
	check(used > 0, "the mmap'd stack was used");
	return failures ? 1 : 0;
}
