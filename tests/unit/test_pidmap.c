/* tests/unit/test_pidmap.c - core/pidmap: cyclic allocation from 1, no reuse of live
 * numbers, reference counts, translations both ways, recently freed mappings, reset;
 * and a randomized run checked against a reference model. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "core/pidmap.h"
#include "tests/unit/unit.h"

static void setup(void) { pidmap_reset(); }
static void teardown(void) { pidmap_reset(); }

START_TEST(alloc_from_one)
{
	ck_assert_uint_eq(pidmap_count(), 0);
	struct pidnum *a = pidmap_alloc(5000), *b = pidmap_alloc(4000), *c = pidmap_alloc(9000);
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(a->virt, 1);
	ck_assert_int_eq(b->virt, 2);
	ck_assert_int_eq(c->virt, 3);
	ck_assert_int_eq(a->host, 5000);
	ck_assert_int_eq(a->refs, 1);
	ck_assert_ptr_null(a->task);
	ck_assert_uint_eq(pidmap_count(), 3);
	ck_assert_ptr_eq(pidmap_by_host(4000), b);
	ck_assert_ptr_eq(pidmap_by_virt(3), c);
}
END_TEST

/* Like alloc_pid(): the next number after the last one handed out, even if a lower
 * one was freed. */
START_TEST(alloc_is_cyclic)
{
	struct pidnum *p[5];
	for (int i = 0; i < 5; i++) p[i] = pidmap_alloc(100 + i);
	pidmap_put(p[1]);	/* 2 */
	pidmap_put(p[3]);	/* 4 */
	struct pidnum *n = pidmap_alloc(200);
	ck_assert_int_eq(n->virt, 6);
	ck_assert_int_eq(pidmap_alloc(201)->virt, 7);
	ck_assert_uint_eq(pidmap_count(), 5);
}
END_TEST

/* Past PIDMAP_MAX the numbers wrap to 2 (1 was init's, never handed out again), and
 * live numbers are skipped. */
START_TEST(wrap_skips_live_numbers)
{
	struct pidnum *one = pidmap_alloc(1), *two = pidmap_alloc(2), *three = pidmap_alloc(3);
	struct pidnum *five;
	ck_assert_int_eq(three->virt, 3);
	pidmap_put(one);	/* 1 is free, but is not reused */
	pidmap_put(three);	/* 3 is free */
	five = NULL;
	for (pid_t v = 4; v < PIDMAP_MAX; v++) {	/* churn through the namespace */
		struct pidnum *p = pidmap_alloc(10);
		if (p->virt != v) ck_abort_msg("expected %d, got %d", v, p->virt);
		if (v == 5) five = p;	/* keep 5 alive */
		else pidmap_put(p);
	}
	ck_assert_int_eq(pidmap_alloc(20)->virt, 3);	/* wrapped: 2 is live */
	ck_assert_int_eq(pidmap_alloc(21)->virt, 4);
	ck_assert_int_eq(pidmap_alloc(22)->virt, 6);	/* 5 is live */
	ck_assert_int_eq(two->virt, 2);
	ck_assert_int_eq(five->virt, 5);
	ck_assert_int_eq(pidmap_to_host(2), 2);
	ck_assert_int_eq(pidmap_to_host(1), -1);
}
END_TEST

START_TEST(refcounts)
{
	struct pidnum *p = pidmap_alloc(777);
	pidmap_get(p);
	pidmap_get(p);
	ck_assert_int_eq(p->refs, 3);
	pidmap_put(p);
	pidmap_put(p);
	ck_assert_ptr_eq(pidmap_by_virt(1), p);
	ck_assert_int_eq(pidmap_to_virt(777), 1);
	ck_assert_uint_eq(pidmap_count(), 1);
	pidmap_put(p);
	ck_assert_ptr_null(pidmap_by_virt(1));
	ck_assert_ptr_null(pidmap_by_host(777));
	ck_assert_uint_eq(pidmap_count(), 0);
	pidmap_put(NULL);	/* allowed */
}
END_TEST

START_TEST(translations)
{
	pidmap_alloc(31337);
	pidmap_alloc(4242);
	ck_assert_int_eq(pidmap_to_virt(31337), 1);
	ck_assert_int_eq(pidmap_to_virt(4242), 2);
	ck_assert_int_eq(pidmap_to_host(1), 31337);
	ck_assert_int_eq(pidmap_to_host(2), 4242);
	/* ids outside the namespace */
	ck_assert_int_eq(pidmap_to_virt(1), 0);
	ck_assert_int_eq(pidmap_to_virt(0), 0);
	ck_assert_int_eq(pidmap_to_virt(-1), 0);
	ck_assert_int_eq(pidmap_to_host(3), -1);
	ck_assert_int_eq(pidmap_to_host(0), -1);
	ck_assert_int_eq(pidmap_to_host(-2), -1);
	ck_assert_ptr_null(pidmap_by_host(1));
	ck_assert_ptr_null(pidmap_by_virt(0));
}
END_TEST

/* Many entries in the same hash chains (ids HASH_SIZE apart) */
START_TEST(colliding_ids)
{
	struct pidnum *p[64];
	for (int i = 0; i < 64; i++) p[i] = pidmap_alloc(1000 + 4096 * i);
	for (int i = 0; i < 64; i += 2) pidmap_put(p[i]);
	for (int i = 0; i < 64; i++) {
		ck_assert_int_eq(pidmap_to_virt(1000 + 4096 * i), i % 2 ? i + 1 : 0);
		ck_assert_int_eq(pidmap_to_host(i + 1), i % 2 ? 1000 + 4096 * i : -1);
	}
}
END_TEST

START_TEST(recent_after_release)
{
	struct pidnum *p = pidmap_alloc(5555);
	pidmap_alloc(6666);
	pidmap_put(p);
	ck_assert_int_eq(pidmap_to_virt(5555), 0);
	ck_assert_int_eq(pidmap_to_virt_recent(5555), 1);
	ck_assert_int_eq(pidmap_to_virt_recent(6666), 2);	/* live ones too */
	ck_assert_int_eq(pidmap_to_virt_recent(7777), 0);
}
END_TEST

/* A host pid is reused after its first owner was reaped: a late signal from the
 * second owner must translate to the second virtual number, not the first. */
START_TEST(recent_prefers_latest_mapping)
{
	struct pidnum *a = pidmap_alloc(5555);	/* 1 */
	pidmap_put(a);
	struct pidnum *b = pidmap_alloc(5555);	/* 2: same host pid, reused */
	ck_assert_int_eq(b->virt, 2);
	ck_assert_int_eq(pidmap_to_virt_recent(5555), 2);	/* live wins */
	pidmap_put(b);
	ck_assert_int_eq(pidmap_to_virt_recent(5555), 2);
}
END_TEST

START_TEST(reset)
{
	for (int i = 0; i < 100; i++) pidmap_alloc(300 + i);
	pidmap_put(pidmap_by_virt(50));
	pidmap_reset();
	ck_assert_uint_eq(pidmap_count(), 0);
	ck_assert_ptr_null(pidmap_by_virt(1));
	ck_assert_ptr_null(pidmap_by_host(300));
	ck_assert_int_eq(pidmap_to_virt_recent(349), 0);	/* forgotten too */
	ck_assert_int_eq(pidmap_alloc(300)->virt, 1);		/* numbering restarts */
}
END_TEST

/* Randomized alloc/get/put against a reference model (no wrap: few thousand numbers). */
struct model_entry { struct pidnum *p; pid_t host, virt; int refs; };

static uint64_t rng_state;
static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13; rng_state ^= rng_state >> 7; rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

START_TEST(randomized_against_model)
{
	enum { OPS = 6000, CAP = 4096 };
	static struct model_entry live[CAP];
	static char in_use[OPS + 2];	/* virtual numbers currently live, by the model */
	unsigned nlive = 0;
	pid_t last = 0, next_host = 100000, last_freed_host = 0, last_freed_virt = 0;
	memset(in_use, 0, sizeof in_use);
	rng_state = 0x9e3779b97f4a7c15ull + (uint64_t)_i;

	for (int op = 0; op < OPS; op++) {
		uint32_t r = rnd() % 100;
		if ((r < 50 || nlive == 0) && nlive < CAP) {
			pid_t host = next_host++;
			pid_t expect = last + 1;
			while (in_use[expect]) expect++;
			struct pidnum *p = pidmap_alloc(host);
			ck_assert_ptr_nonnull(p);
			ck_assert_int_eq(p->virt, expect);
			ck_assert_int_eq(p->host, host);
			last = expect;
			in_use[expect] = 1;
			live[nlive++] = (struct model_entry){ p, host, expect, 1 };
		} else if (r < 65) {
			struct model_entry *e = &live[rnd() % nlive];
			pidmap_get(e->p);
			e->refs++;
		} else {
			unsigned k = rnd() % nlive;
			struct model_entry *e = &live[k];
			pidmap_put(e->p);
			if (--e->refs == 0) {
				in_use[e->virt] = 0;
				last_freed_host = e->host;
				last_freed_virt = e->virt;
				live[k] = live[--nlive];
				ck_assert_int_eq(pidmap_to_virt(last_freed_host), 0);
				ck_assert_int_eq(pidmap_to_host(last_freed_virt), -1);
				ck_assert_int_eq(pidmap_to_virt_recent(last_freed_host), last_freed_virt);
			}
		}
		ck_assert_uint_eq(pidmap_count(), nlive);
		if (nlive) {	/* spot-check one live entry */
			struct model_entry *e = &live[rnd() % nlive];
			ck_assert_int_eq(pidmap_to_virt(e->host), e->virt);
			ck_assert_int_eq(pidmap_to_host(e->virt), e->host);
			ck_assert_int_eq(e->p->refs, e->refs);
		}
	}
	/* full check at the end */
	for (unsigned i = 0; i < nlive; i++) {
		ck_assert_ptr_eq(pidmap_by_host(live[i].host), live[i].p);
		ck_assert_ptr_eq(pidmap_by_virt(live[i].virt), live[i].p);
	}
	unsigned dead = 0;
	for (pid_t v = 1; v <= last; v++)
		if (!in_use[v]) { ck_assert_ptr_null(pidmap_by_virt(v)); dead++; }
	ck_assert_uint_eq(dead + nlive, (unsigned)last);
	(void)last_freed_virt;
}
END_TEST

Suite *pidmap_suite(void)
{
	Suite *s = suite_create("pidmap");
	TCase *tc = tcase_create("pidmap");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, alloc_from_one);
	tcase_add_test(tc, alloc_is_cyclic);
	tcase_add_test(tc, refcounts);
	tcase_add_test(tc, translations);
	tcase_add_test(tc, colliding_ids);
	tcase_add_test(tc, recent_after_release);
	tcase_add_test(tc, recent_prefers_latest_mapping);
	tcase_add_test(tc, reset);
	tcase_add_loop_test(tc, randomized_against_model, 0, 3);
	suite_add_tcase(s, tc);

	TCase *wrap = tcase_create("wrap");	/* 4 million allocations */
	tcase_add_checked_fixture(wrap, setup, teardown);
	tcase_set_timeout(wrap, 60);
	tcase_add_test(wrap, wrap_skips_live_numbers);
	suite_add_tcase(s, wrap);
	return s;
}
