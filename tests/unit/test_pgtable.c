/* tests/unit/test_pgtable.c - services/mm/pgtable: entries at both ends of the 47-bit
 * user range, rejection above it, walk order and bounds, skipping of empty subtrees
 * over the whole range, changes through the walk callback, counting, pruning (seen
 * through the node count), and a randomized run checked against an array model. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "services/mm/pgtable.h"
#include "tests/unit/unit.h"

#define PG	4096ULL
#define TOP	(1ULL << PGTABLE_VA_BITS)
#define MB2	(1ULL << 21)	/* one leaf node's span */
#define GB1	(1ULL << 30)	/* one PMD node's span */
#define GB512	(1ULL << 39)	/* one PUD node's span */

/* Records the walk: addresses and entries, in visiting order. */
struct trail {
	unsigned n;
	uint64_t va[64];
	pte_t e[64];
};

static int record(uint64_t va, pte_t *e, void *arg)
{
	struct trail *t = arg;
	ck_assert_uint_lt(t->n, 64);
	t->va[t->n] = va;
	t->e[t->n++] = *e;
	return 0;
}

static void put(struct pgtable *pt, uint64_t va, pte_t v)
{
	pte_t *e = pgtable_entry(pt, va, true);
	ck_assert_ptr_nonnull(e);
	*e = v;
}

START_TEST(entry_bounds)
{
	struct pgtable *pt = pgtable_new();
	ck_assert_ptr_nonnull(pt);
	ck_assert_uint_eq(pgtable_nodes(pt), 1);
	ck_assert_ptr_null(pgtable_entry(pt, 0, false));	/* no leaf yet */
	ck_assert_ptr_null(pgtable_entry(pt, TOP - PG, false));
	ck_assert_uint_eq(pgtable_get(pt, 0), 0);

	put(pt, 0, pte_mk_frame(1, 1));
	put(pt, TOP - PG, pte_mk_frame(2, 3));
	ck_assert_uint_eq(pgtable_nodes(pt), 1 + 3 + 3);	/* a path of 3 below the root each */
	ck_assert_uint_eq(pte_pfn(pgtable_get(pt, 0)), 1);
	ck_assert_uint_eq(pte_pfn(pgtable_get(pt, 123)), 1);	/* any address in the page */
	ck_assert_uint_eq(pte_pfn(pgtable_get(pt, TOP - 1)), 2);
	ck_assert_uint_eq(pte_prot(pgtable_get(pt, TOP - PG)), 3);
	ck_assert_ptr_eq(pgtable_entry(pt, TOP - 1, false), pgtable_entry(pt, TOP - PG, false));
	ck_assert_uint_eq(pgtable_get(pt, PG), 0);		/* the neighbour is none */
	ck_assert_ptr_nonnull(pgtable_entry(pt, PG, false));	/* but its leaf exists */

	/* 2^47 and above: rejected even with create, and nothing is allocated */
	ck_assert_ptr_null(pgtable_entry(pt, TOP, true));
	ck_assert_ptr_null(pgtable_entry(pt, TOP + GB512 * 256, true));	/* would alias 0 */
	ck_assert_ptr_null(pgtable_entry(pt, UINT64_MAX, true));
	ck_assert_uint_eq(pgtable_get(pt, TOP), 0);
	ck_assert_uint_eq(pgtable_nodes(pt), 7);
	ck_assert_uint_eq(pgtable_count(pt, 0, UINT64_MAX), 2);

	/* a swap entry is "present" for the walk too (non-none) */
	put(pt, 5 * PG, pte_mk_swap(42));
	ck_assert(pte_swapped(pgtable_get(pt, 5 * PG)));
	ck_assert_uint_eq(pte_slot(pgtable_get(pt, 5 * PG)), 42);
	ck_assert_uint_eq(pgtable_count(pt, 0, TOP), 3);
	pgtable_free(pt);
}
END_TEST

START_TEST(walk_order_and_bounds)
{
	/* around leaf, PMD and PUD node boundaries, inserted in scrambled order */
	static const uint64_t vas[] = {
		GB512 + 3 * PG, MB2 - PG, 7 * PG, GB1, MB2, GB1 - PG, GB512 - PG, 0, MB2 + PG, TOP - PG,
	};
	static const uint64_t sorted[] = {
		0, 7 * PG, MB2 - PG, MB2, MB2 + PG, GB1 - PG, GB1, GB512 - PG, GB512 + 3 * PG, TOP - PG,
	};
	enum { N = sizeof vas / sizeof vas[0] };
	struct pgtable *pt = pgtable_new();
	for (unsigned i = 0; i < N; i++) put(pt, vas[i], pte_mk_frame((uint32_t)(vas[i] / PG) + 1, 1));

	struct trail tr = { 0 };
	ck_assert_int_eq(pgtable_walk(pt, 0, TOP, record, &tr), 0);
	ck_assert_uint_eq(tr.n, N);
	for (unsigned i = 0; i < N; i++) {
		ck_assert_uint_eq(tr.va[i], sorted[i]);
		ck_assert_uint_eq(pte_pfn(tr.e[i]), (uint32_t)(sorted[i] / PG + 1));	/* pfns are 32-bit */
	}

	/* ranges whose bounds fall inside nodes: [start, end) exactly, end exclusive */
	static const struct { uint64_t start, end; unsigned first, n; } r[] = {
		{ PG, MB2, 1, 2 },			/* 7, MB2-PG */
		{ 7 * PG, MB2 + PG, 1, 3 },		/* start included, end excluded */
		{ MB2 - PG, GB1 + PG, 2, 5 },
		{ MB2 + 2 * PG, GB1 - PG, 0, 0 },	/* a hole spanning nodes */
		{ GB1 + PG, TOP - PG, 7, 2 },
		{ GB1 + PG, UINT64_MAX, 7, 3 },		/* end beyond 2^47 is clipped */
		{ 7 * PG + 1, MB2, 2, 1 },		/* an unaligned start excludes its page */
		{ 0, 1, 0, 1 },
		{ TOP, UINT64_MAX, 0, 0 },
		{ MB2, MB2, 0, 0 },
	};
	for (unsigned k = 0; k < sizeof r / sizeof r[0]; k++) {
		tr.n = 0;
		pgtable_walk(pt, r[k].start, r[k].end, record, &tr);
		if (tr.n != r[k].n)
			ck_abort_msg("range %u: %u entries, expected %u", k, tr.n, r[k].n);
		for (unsigned i = 0; i < tr.n; i++) ck_assert_uint_eq(tr.va[i], sorted[r[k].first + i]);
		ck_assert_uint_eq(pgtable_count(pt, r[k].start, r[k].end), r[k].n);
	}
	pgtable_free(pt);
}
END_TEST

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A handful of entries across 2^47 bytes (2^35 pages): the walk must go only where
 * nodes exist. Visiting every page slot would take minutes; 100 walks take well
 * under a second when empty subtrees are skipped. */
START_TEST(walk_sparse_is_fast)
{
	static const uint64_t vas[] = { 0, 3 * GB512 + 17 * MB2, 100 * GB512 + GB1 + PG, TOP - PG };
	enum { N = sizeof vas / sizeof vas[0] };
	struct pgtable *pt = pgtable_new();
	for (unsigned i = 0; i < N; i++) put(pt, vas[i], pte_mk_frame(i + 1, 7));
	double t0 = now();
	for (int rep = 0; rep < 100; rep++) {
		struct trail tr = { 0 };
		ck_assert_int_eq(pgtable_walk(pt, 0, UINT64_MAX, record, &tr), 0);
		ck_assert_uint_eq(tr.n, N);
		for (unsigned i = 0; i < N; i++) ck_assert_uint_eq(tr.va[i], vas[i]);
	}
	double dt = now() - t0;
	if (dt > 1.0) ck_abort_msg("100 sparse walks took %.3f s", dt);
	ck_assert_uint_eq(pgtable_count(pt, 0, TOP), N);
	pgtable_free(pt);
}
END_TEST

/* The callback may rewrite or clear entries, and a non-zero return stops the walk. */
static int mutate(uint64_t va, pte_t *e, void *arg)
{
	unsigned *calls = arg;
	++*calls;
	if ((va / PG) % 2) *e = 0;				/* clear odd pages */
	else *e = pte_mk_frame(pte_pfn(*e) + 1000, pte_prot(*e));
	return 0;
}

static int stop_at_third(uint64_t va, pte_t *e, void *arg)
{
	unsigned *calls = arg;
	(void)va; (void)e;
	return ++*calls == 3 ? 42 : 0;
}

START_TEST(walk_modifies)
{
	struct pgtable *pt = pgtable_new();
	for (uint64_t p = 0; p < 1024; p++) put(pt, MB2 - 512 * PG + p * PG, pte_mk_frame((uint32_t)p, 1));
	unsigned calls = 0;
	ck_assert_int_eq(pgtable_walk(pt, 0, TOP, mutate, &calls), 0);
	ck_assert_uint_eq(calls, 1024);
	ck_assert_uint_eq(pgtable_count(pt, 0, TOP), 512);
	for (uint64_t p = 0; p < 1024; p++) {
		uint64_t va = MB2 - 512 * PG + p * PG;
		pte_t e = pgtable_get(pt, va);
		if ((va / PG) % 2) ck_assert_uint_eq(e, 0);
		else ck_assert_uint_eq(pte_pfn(e), p + 1000);
	}
	calls = 0;
	ck_assert_int_eq(pgtable_walk(pt, 0, TOP, stop_at_third, &calls), 42);
	ck_assert_uint_eq(calls, 3);
	pgtable_free(pt);
}
END_TEST

START_TEST(prune_frees_nodes)
{
	struct pgtable *pt = pgtable_new();
	put(pt, 0, pte_mk_frame(1, 1));			/* root + 3 */
	put(pt, PG, pte_mk_frame(2, 1));		/* same leaf */
	ck_assert_uint_eq(pgtable_nodes(pt), 4);
	put(pt, MB2, pte_mk_frame(3, 1));		/* another leaf */
	ck_assert_uint_eq(pgtable_nodes(pt), 5);
	put(pt, 64 * GB512, pte_mk_frame(4, 1));	/* another PUD path */
	ck_assert_uint_eq(pgtable_nodes(pt), 8);

	pgtable_prune(pt, 0, TOP);			/* nothing empty */
	ck_assert_uint_eq(pgtable_nodes(pt), 8);
	ck_assert_uint_eq(pgtable_count(pt, 0, TOP), 4);

	*pgtable_entry(pt, 64 * GB512, false) = 0;
	pgtable_prune(pt, 0, 64 * GB512);		/* range misses the empty path */
	ck_assert_uint_eq(pgtable_nodes(pt), 8);
	pgtable_prune(pt, 64 * GB512 + PG, 64 * GB512 + 2 * PG);	/* touches its leaf */
	ck_assert_uint_eq(pgtable_nodes(pt), 5);	/* leaf, PMD and PUD gone */
	ck_assert_ptr_null(pgtable_entry(pt, 64 * GB512, false));

	*pgtable_entry(pt, 0, false) = 0;		/* PG still holds an entry */
	pgtable_prune(pt, 0, TOP);
	ck_assert_uint_eq(pgtable_nodes(pt), 5);
	ck_assert_uint_eq(pgtable_get(pt, PG), pte_mk_frame(2, 1));

	*pgtable_entry(pt, PG, false) = 0;
	pgtable_prune(pt, 0, PG);			/* the page range touches the leaf */
	ck_assert_uint_eq(pgtable_nodes(pt), 4);
	ck_assert_ptr_null(pgtable_entry(pt, 0, false));
	ck_assert_uint_eq(pgtable_get(pt, MB2), pte_mk_frame(3, 1));

	*pgtable_entry(pt, MB2, false) = 0;
	pgtable_prune(pt, 0, TOP);
	ck_assert_uint_eq(pgtable_nodes(pt), 1);	/* the root stays */
	ck_assert_uint_eq(pgtable_count(pt, 0, TOP), 0);

	put(pt, MB2, pte_mk_frame(5, 1));		/* and is usable again */
	ck_assert_uint_eq(pgtable_nodes(pt), 4);
	pgtable_free(pt);
}
END_TEST

/* ---- randomized model test ----
 * A fixed set of candidate addresses (clustered, so leaves are shared and emptied,
 * plus a few far apart) with the model's value for each; random sets, clears, walk
 * modifications and prunes, with lookups, counts and ordered walks compared. */

enum { CAND = 3000, ROPS = 20000 };
static uint64_t cand[CAND];		/* sorted, distinct: [0, ncand) */
static unsigned ncand;
static pte_t want[CAND];
static uint64_t rng = 88172645463325252ULL;

static uint64_t rnd64(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

struct cmp_walk { unsigned next; uint64_t start, end; int bad; };

static int compare_walk(uint64_t va, pte_t *e, void *arg)
{
	struct cmp_walk *c = arg;
	while (c->next < ncand && (cand[c->next] < c->start || !want[c->next])) c->next++;
	if (c->next >= ncand || cand[c->next] != va || want[c->next] != *e || va >= c->end) {
		c->bad = 1;
		return 1;
	}
	c->next++;
	return 0;
}

/* Bumps each visited entry's pfn (the model does the same over the same range). */
static int bump(uint64_t va, pte_t *e, void *arg)
{
	(void)va; (void)arg;
	*e = pte_mk_frame(pte_pfn(*e) + 1, pte_prot(*e));
	return 0;
}

START_TEST(random_ops_match_model)
{
	static const uint64_t clusters[] = { 0, 5 * MB2 - 64 * PG, GB1 * 3, 77 * GB512, TOP - 256 * PG };
	unsigned n = 0;
	while (n < CAND) {
		uint64_t va;
		if (rnd64() % 50 == 0) va = (rnd64() % (TOP / PG)) * PG;	/* anywhere */
		else va = clusters[rnd64() % 5] + (rnd64() % 1024) * PG;
		if (va >= TOP) continue;
		cand[n++] = va;
	}
	qsort(cand, CAND, sizeof cand[0], cmp_u64);
	unsigned live = 0;				/* dedupe */
	for (unsigned i = 0; i < CAND; i++)
		if (!live || cand[live - 1] != cand[i]) cand[live++] = cand[i];
	ncand = live;
	memset(want, 0, sizeof want);

	struct pgtable *pt = pgtable_new();
	for (int op = 0; op < ROPS; op++) {
		unsigned i = (unsigned)(rnd64() % live), j = (unsigned)(rnd64() % live);
		if (i > j) { unsigned x = i; i = j; j = x; }
		switch (rnd64() % 8) {
		case 0: case 1: case 2: {			/* set */
			pte_t v = pte_mk_frame((uint32_t)(rnd64() % 100000) + 1, (unsigned)(rnd64() % 8));
			put(pt, cand[i], v);
			want[i] = v;
			break;
		}
		case 3: case 4: {				/* clear, if its leaf exists */
			pte_t *e = pgtable_entry(pt, cand[i], false);
			if (e) *e = 0;
			else ck_assert_uint_eq(want[i], 0);
			want[i] = 0;
			break;
		}
		case 5: {					/* prune a range */
			size_t before = pgtable_nodes(pt);
			pgtable_prune(pt, cand[i], cand[j] + PG);
			ck_assert_uint_le(pgtable_nodes(pt), before);
			break;
		}
		case 6: {					/* modify through a walk */
			pgtable_walk(pt, cand[i], cand[j] + PG, bump, NULL);
			for (unsigned k = i; k <= j; k++)
				if (want[k]) want[k] = pte_mk_frame(pte_pfn(want[k]) + 1, pte_prot(want[k]));
			break;
		}
		case 7: {					/* compare a walk */
			struct cmp_walk c = { .next = i, .start = cand[i], .end = cand[j] + PG };
			pgtable_walk(pt, c.start, c.end, compare_walk, &c);
			if (c.bad) ck_abort_msg("op %d: walk of [%#llx, %#llx) differs from the model", op,
						(unsigned long long)c.start, (unsigned long long)c.end);
			while (c.next <= j && !want[c.next]) c.next++;
			if (c.next <= j) ck_abort_msg("op %d: walk missed %#llx", op, (unsigned long long)cand[c.next]);
			break;
		}
		}
		/* spot checks every op, a full comparison now and then */
		unsigned k = (unsigned)(rnd64() % live);
		if (pgtable_get(pt, cand[k]) != want[k])
			ck_abort_msg("op %d: entry %#llx is %#llx, model %#llx", op, (unsigned long long)cand[k],
				     (unsigned long long)pgtable_get(pt, cand[k]), (unsigned long long)want[k]);
		if (op % 1000 == 999) {
			uint64_t expect = 0;
			for (k = 0; k < live; k++) {
				ck_assert_uint_eq(pgtable_get(pt, cand[k]), want[k]);
				expect += want[k] != 0;
			}
			ck_assert_uint_eq(pgtable_count(pt, 0, TOP), expect);
		}
	}
	/* clear everything: a full prune leaves only the root */
	for (unsigned k = 0; k < live; k++) {
		pte_t *e = pgtable_entry(pt, cand[k], false);
		if (e) *e = 0;
	}
	pgtable_prune(pt, 0, TOP);
	ck_assert_uint_eq(pgtable_nodes(pt), 1);
	pgtable_free(pt);
}
END_TEST

Suite *pgtable_suite(void)
{
	Suite *s = suite_create("pgtable");
	TCase *tc = tcase_create("pgtable");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, entry_bounds);
	tcase_add_test(tc, walk_order_and_bounds);
	tcase_add_test(tc, walk_sparse_is_fast);
	tcase_add_test(tc, walk_modifies);
	tcase_add_test(tc, prune_frees_nodes);
	tcase_add_test(tc, random_ops_match_model);
	suite_add_tcase(s, tc);
	return s;
}
