/* tests/unit/test_ktimer.c - services/time/ktimer: the timer heap. Ordering, FIFO for
 * equal expiries, add/mod/del of pending and idle timers, callbacks that re-add or
 * delete timers, the one-shot hrtimer always armed for the earliest expiry, and a
 * randomized run of add/mod/del/run checked against a reference model. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "services/time/ktimer.h"
#include "services/time/sigcheck.h"
#include <signal.h>
#include <unistd.h>
#include "core/irq.h"
#include "tests/unit/unit.h"

/* The event loop's hrtimer (core/evloop.c) may not be linked into the unit tests:
 * this weak stand-in records what the heap asked for; the real one wins if present,
 * and then armed_calls stays 0 (tests that look at it check that first). */
static uint64_t armed_value;
static unsigned armed_calls;
__attribute__((weak)) void irq_hrtimer_arm(uint64_t deadline_ns)
{
	armed_value = deadline_ns;
	armed_calls++;
}
static bool stub_in_use(void) { return armed_calls > 0; }

static unsigned order[64], norder;
static void record(struct ktimer *t)
{
	if (norder < 64) order[norder++] = (unsigned)(uintptr_t)t->data;
}

static void setup(void) { ktimer_reset(); norder = 0; armed_value = 0; armed_calls = 0; }
static void teardown(void) { ktimer_reset(); }

START_TEST(empty)
{
	ck_assert_uint_eq(ktimer_count(), 0);
	ck_assert_uint_eq(ktimer_next_expiry(), 0);
	ck_assert_uint_eq(ktimer_run_expired(UINT64_MAX), 0);
}
END_TEST

START_TEST(runs_in_expiry_order)
{
	static const uint64_t when[] = { 50, 10, 40, 30, 20, 60 };
	struct ktimer t[6];
	for (unsigned i = 0; i < 6; i++) {
		ktimer_init(&t[i], record, (void *)(uintptr_t)i);
		ck_assert_int_eq(ktimer_add(&t[i], when[i]), 0);
		ck_assert(ktimer_pending(&t[i]));
	}
	ck_assert_uint_eq(ktimer_count(), 6);
	ck_assert_uint_eq(ktimer_next_expiry(), 10);
	ck_assert_uint_eq(ktimer_run_expired(9), 0);
	ck_assert_uint_eq(ktimer_run_expired(40), 4);	/* expires <= now runs */
	ck_assert_uint_eq(norder, 4);
	ck_assert_uint_eq(order[0], 1);
	ck_assert_uint_eq(order[1], 4);
	ck_assert_uint_eq(order[2], 3);
	ck_assert_uint_eq(order[3], 2);
	ck_assert(!ktimer_pending(&t[1]));
	ck_assert_uint_eq(ktimer_next_expiry(), 50);
	ck_assert_uint_eq(ktimer_run_expired(1000), 2);
	ck_assert_uint_eq(order[4], 0);
	ck_assert_uint_eq(order[5], 5);
	ck_assert_uint_eq(ktimer_count(), 0);
}
END_TEST

/* equal expiries run in the order they were queued, as hrtimers with equal expiry */
START_TEST(equal_expiries_fifo)
{
	struct ktimer t[8];
	for (unsigned i = 0; i < 8; i++) {
		ktimer_init(&t[i], record, (void *)(uintptr_t)i);
		ktimer_add(&t[i], 100);
	}
	ktimer_run_expired(100);
	ck_assert_uint_eq(norder, 8);
	for (unsigned i = 0; i < 8; i++) ck_assert_uint_eq(order[i], i);
}
END_TEST

START_TEST(mod_and_del)
{
	struct ktimer a, b, c;
	ktimer_init(&a, record, (void *)0);
	ktimer_init(&b, record, (void *)1);
	ktimer_init(&c, record, (void *)2);
	ck_assert_int_eq(ktimer_mod(&a, 30), 0);	/* was not pending */
	ktimer_add(&b, 20);
	ktimer_add(&c, 10);
	ck_assert_int_eq(ktimer_mod(&a, 5), 1);		/* was pending: moved up */
	ck_assert_uint_eq(ktimer_next_expiry(), 5);
	ck_assert_int_eq(ktimer_mod(&a, 25), 1);	/* moved down */
	ck_assert_uint_eq(ktimer_next_expiry(), 10);
	ck_assert_int_eq(ktimer_del(&c), 1);
	ck_assert_int_eq(ktimer_del(&c), 0);		/* not pending any more */
	ck_assert(!ktimer_pending(&c));
	ck_assert_uint_eq(ktimer_next_expiry(), 20);
	ck_assert_int_eq(ktimer_add(&c, 0), 0);		/* 0 is taken as 1: "now" */
	ck_assert_uint_eq(ktimer_next_expiry(), 1);
	ktimer_run_expired(100);
	ck_assert_uint_eq(norder, 3);
	ck_assert_uint_eq(order[0], 2);
	ck_assert_uint_eq(order[1], 1);
	ck_assert_uint_eq(order[2], 0);
}
END_TEST

/* the hrtimer follows the earliest expiry, and is told only when it changes */
START_TEST(hrtimer_follows_head)
{
	struct ktimer a, b;
	ktimer_init(&a, record, NULL);
	ktimer_init(&b, record, NULL);
	ktimer_add(&a, 500);
	if (!stub_in_use()) return;	/* the real event loop is linked in */
	ck_assert_uint_eq(armed_value, 500);
	unsigned calls = armed_calls;
	ktimer_add(&b, 900);			/* head unchanged: no re-arm */
	ck_assert_uint_eq(armed_calls, calls);
	ktimer_mod(&b, 100);
	ck_assert_uint_eq(armed_value, 100);
	ktimer_del(&b);
	ck_assert_uint_eq(armed_value, 500);
	calls = armed_calls;
	ktimer_run_expired(1000);		/* armed once, after the run */
	ck_assert_uint_eq(armed_value, 0);
	ck_assert_uint_eq(armed_calls, calls + 1);
}
END_TEST

/* a periodic callback re-adds itself past now; another deletes a later timer */
static struct ktimer victim;
static unsigned periodic_runs;
static void periodic(struct ktimer *t)
{
	periodic_runs++;
	if (periodic_runs < 5) ktimer_add(t, t->expires + 10);
}
static void killer(struct ktimer *t) { (void)t; ktimer_del(&victim); }

START_TEST(callbacks_change_the_heap)
{
	struct ktimer p, k;
	periodic_runs = 0;
	ktimer_init(&p, periodic, NULL);
	ktimer_init(&k, killer, NULL);
	ktimer_init(&victim, record, NULL);
	ktimer_add(&p, 10);
	ktimer_add(&k, 15);
	ktimer_add(&victim, 18);
	ck_assert_uint_eq(ktimer_run_expired(25), 3);	/* p@10, k@15, p@20; victim gone */
	ck_assert_uint_eq(norder, 0);
	ck_assert(!ktimer_pending(&victim));
	ck_assert_uint_eq(ktimer_next_expiry(), 30);
	ktimer_run_expired(100);
	ck_assert_uint_eq(periodic_runs, 5);
	ck_assert_uint_eq(ktimer_count(), 0);
}
END_TEST

/* Randomized: a reference model (array of expiries, UINT64_MAX = idle) against the
 * heap, through adds, mods, dels and partial runs. */
#define NT 300
static struct ktimer rt[NT];
static uint64_t model[NT];
static unsigned ran_count;
static uint64_t last_ran;
static void model_fire(struct ktimer *t)
{
	unsigned i = (unsigned)(uintptr_t)t->data;
	ck_assert_uint_ne(model[i], UINT64_MAX);
	ck_assert_uint_eq(model[i], t->expires);
	ck_assert_uint_ge(t->expires, last_ran);	/* non-decreasing */
	last_ran = t->expires;
	model[i] = UINT64_MAX;
	ran_count++;
}

static uint64_t model_min(unsigned *n)
{
	uint64_t m = UINT64_MAX;
	*n = 0;
	for (unsigned i = 0; i < NT; i++)
		if (model[i] != UINT64_MAX) { (*n)++; if (model[i] < m) m = model[i]; }
	return m;
}

START_TEST(random_against_model)
{
	srand(12345);
	uint64_t now = 0;
	for (unsigned i = 0; i < NT; i++) {
		ktimer_init(&rt[i], model_fire, (void *)(uintptr_t)i);
		model[i] = UINT64_MAX;
	}
	for (unsigned step = 0; step < 60000; step++) {
		unsigned i = (unsigned)rand() % NT, op = (unsigned)rand() % 10;
		uint64_t when = now + 1 + (uint64_t)(rand() % 5000);
		if (op < 4) {
			ck_assert_int_eq(ktimer_add(&rt[i], when), 0);
			model[i] = when;
		} else if (op < 6) {
			int was = ktimer_mod(&rt[i], when);
			ck_assert_int_eq(was, model[i] != UINT64_MAX);
			model[i] = when;
		} else if (op < 8) {
			int was = ktimer_del(&rt[i]);
			ck_assert_int_eq(was, model[i] != UINT64_MAX);
			model[i] = UINT64_MAX;
		} else {
			now += (uint64_t)(rand() % 300);
			unsigned before_n, expect = 0;
			model_min(&before_n);
			for (unsigned j = 0; j < NT; j++)
				if (model[j] != UINT64_MAX && model[j] <= now) expect++;
			ran_count = 0;
			last_ran = 0;
			ck_assert_uint_eq(ktimer_run_expired(now), expect);
			ck_assert_uint_eq(ran_count, expect);
		}
		unsigned n;
		uint64_t m = model_min(&n);
		ck_assert_uint_eq(ktimer_count(), n);
		ck_assert_uint_eq(ktimer_next_expiry(), n ? m : 0);
		ck_assert_int_eq(ktimer_pending(&rt[i]), model[i] != UINT64_MAX);
	}
}
END_TEST

/* many timers: the heap grows, deletes from the middle keep it a heap, and the rest
 * fire in non-decreasing order */
static uint64_t big_last;
static unsigned big_ran;
static void big_fire(struct ktimer *t)
{
	ck_assert_uint_ge(t->expires, big_last);
	big_last = t->expires;
	big_ran++;
}

START_TEST(many_timers)
{
	enum { N = 100000 };
	struct ktimer *t = calloc(N, sizeof *t);
	ck_assert_ptr_nonnull(t);
	srand(7);
	for (unsigned i = 0; i < N; i++) {
		ktimer_init(&t[i], big_fire, NULL);
		ck_assert_int_eq(ktimer_add(&t[i], 1 + (uint64_t)rand()), 0);
	}
	ck_assert_uint_eq(ktimer_count(), N);
	unsigned deleted = 0;
	for (unsigned i = 0; i < N; i += 3) deleted += (unsigned)ktimer_del(&t[i]);
	ck_assert_uint_eq(ktimer_count(), N - deleted);
	big_last = 0;
	big_ran = 0;
	for (uint64_t now = 0; ktimer_count(); now += (uint64_t)RAND_MAX / 64)
		ktimer_run_expired(now);
	ck_assert_uint_eq(big_ran, N - deleted);
	free(t);
}
END_TEST

/* services/time/sigcheck: what a pending signal does to a sleeping task */
#define B(sig) (1ull << ((sig) - 1))
START_TEST(sigcheck_classify_dispositions)
{
	struct sigstate s = { 0 };
	s.caught = B(SIGUSR1) | B(SIGCHLD);
	s.ignored = B(SIGUSR2) | B(SIGTERM);
	ck_assert_int_eq(sigcheck_classify(&s, 0), SIGCHK_NONE);
	ck_assert_int_eq(sigcheck_classify(&s, B(SIGUSR1)), SIGCHK_INTERRUPT);	/* handled */
	ck_assert_int_eq(sigcheck_classify(&s, B(SIGCHLD)), SIGCHK_INTERRUPT);	/* handled SIGCHLD */
	ck_assert_int_eq(sigcheck_classify(&s, B(SIGUSR2)), SIGCHK_NONE);	/* SIG_IGN */
	ck_assert_int_eq(sigcheck_classify(&s, B(SIGTERM)), SIGCHK_NONE);	/* SIG_IGN */
	ck_assert_int_eq(sigcheck_classify(&s, B(SIGWINCH) | B(SIGURG) | B(SIGCONT)), SIGCHK_NONE);
	ck_assert_int_eq(sigcheck_classify(&s, B(SIGTSTP)), SIGCHK_STOP);
	ck_assert_int_eq(sigcheck_classify(&s, B(SIGSTOP)), SIGCHK_STOP);
	ck_assert_int_eq(sigcheck_classify(&s, B(SIGINT)), SIGCHK_FATAL);	/* SIG_DFL terminate */
	ck_assert_int_eq(sigcheck_classify(&s, B(SIGRTMIN + 3)), SIGCHK_FATAL);
	ck_assert_int_eq(sigcheck_classify(&s, B(SIGKILL)), SIGCHK_FATAL);
	/* the strongest wins */
	ck_assert_int_eq(sigcheck_classify(&s, B(SIGTSTP) | B(SIGUSR1)), SIGCHK_INTERRUPT);
	ck_assert_int_eq(sigcheck_classify(&s, B(SIGUSR1) | B(SIGQUIT)), SIGCHK_FATAL);
	ck_assert(sig_default_ignore(SIGCHLD) && !sig_default_ignore(SIGALRM));
	ck_assert(sig_default_stop(SIGTTOU) && !sig_default_stop(SIGCONT));
}
END_TEST

/* the masks as /proc shows them, for this process */
START_TEST(sigcheck_reads_proc)
{
	struct sigstate s;
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, &old);
	signal(SIGUSR1, SIG_IGN);
	raise(SIGUSR2);
	ck_assert_int_eq(sigstate_read(getpid(), getpid(), &s), 0);
	ck_assert(s.blocked & B(SIGUSR2));
	ck_assert(s.ignored & B(SIGUSR1));
	ck_assert((s.pending | s.shared) & B(SIGUSR2));
	ck_assert_int_eq(sig_is_pending(getpid(), getpid(), SIGUSR2, true) +
			 sig_is_pending(getpid(), getpid(), SIGUSR2, false), 1);
	ck_assert_int_lt(sigstate_read(getpid(), 999999999, &s), 0);	/* no such thread */
	signal(SIGUSR2, SIG_IGN);	/* discards the pending one */
	sigprocmask(SIG_SETMASK, &old, NULL);
	signal(SIGUSR1, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);
}
END_TEST

Suite *ktimer_suite(void)
{
	Suite *s = suite_create("ktimer");
	TCase *tc = tcase_create("heap");
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, empty);
	tcase_add_test(tc, runs_in_expiry_order);
	tcase_add_test(tc, equal_expiries_fifo);
	tcase_add_test(tc, mod_and_del);
	tcase_add_test(tc, hrtimer_follows_head);
	tcase_add_test(tc, callbacks_change_the_heap);
	tcase_add_test(tc, random_against_model);
	tcase_add_test(tc, many_timers);
	suite_add_tcase(s, tc);
	TCase *sc = tcase_create("sigcheck");
	tcase_add_test(sc, sigcheck_classify_dispositions);
	tcase_add_test(sc, sigcheck_reads_proc);
	suite_add_tcase(s, sc);
	return s;
}
