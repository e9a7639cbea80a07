/* tests/unit/test_sched_fair.c - include/persona/rbtree.h and the proportional-share
 * plugins (services/sched/plugins/{cfs,eevdf,fair_common}.c) under the simulated
 * clock of tests/unit/sched_sim.h:
 *   - the red-black tree against a model: thousands of random inserts and erases,
 *     order (FIFO among equal keys), the cached leftmost, walks both ways, the
 *     red-black invariants and an augmented subtree minimum after every step;
 *   - CFS: CPU shares follow the weights (nice 0,0,5 and -5 vs 0, within 2%),
 *     SCHED_IDLE gets almost nothing, min_vruntime never goes back, a waking sleeper
 *     preempts a hog, a new task neither jumps the queue nor starves the others, 3
 *     hogs on 2 CPUs get 2/3 of a CPU each, a nice change takes effect, yield lets
 *     the other run, policies outside NORMAL/BATCH/IDLE give EINVAL, dump's lines;
 *   - EEVDF: the same shares, and a short periodic task keeps a low wake-up latency
 *     among hogs. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <persona/rbtree.h>
#include "services/sched/plugins/fair_common.h"
#include "services/sched/sched.h"
#include "tests/unit/sched_sim.h"
#include "tests/unit/unit.h"

static struct sim m;

/* ---- the red-black tree ---- */

#define RB_POOL 2048

struct item {
	struct persona_rb_node node;
	unsigned key, seq;		/* order: key; ties in insertion order (seq) */
	unsigned val, min_val;		/* augment: the smallest val of the subtree */
	bool in;
};

static struct item pool[RB_POOL];

static struct item *item_of(const struct persona_rb_node *n)
{
	return persona_rb_entry(n, struct item, node);
}

static bool item_less(const struct persona_rb_node *a, const struct persona_rb_node *b)
{
	return item_of(a)->key < item_of(b)->key;
}

static void item_update(struct persona_rb_node *n)
{
	struct item *it = item_of(n);
	it->min_val = it->val;
	for (int i = 0; i < 2; i++)
		if (n->child[i] && item_of(n->child[i])->min_val < it->min_val)
			it->min_val = item_of(n->child[i])->min_val;
}

/* the subtree's true minimum of val, checking every stored min_val on the way */
static unsigned check_aug(const struct persona_rb_node *n)
{
	if (!n) return ~0u;
	unsigned l = check_aug(n->child[0]), r = check_aug(n->child[1]);
	unsigned v = item_of(n)->val;
	if (l < v) v = l;
	if (r < v) v = r;
	ck_assert_uint_eq(item_of(n)->min_val, v);
	return v;
}

/* The tree holds exactly the items marked in, sorted by key then seq, in both
 * directions, and all invariants hold. */
static void check_tree(const struct persona_rb_root *r, size_t nr_in, bool augmented)
{
	ck_assert_int_ge(persona_rb_check(r, item_less), 0);
	ck_assert_uint_eq(r->count, nr_in);
	size_t n = 0;
	const struct item *prev = NULL;
	for (struct persona_rb_node *x = persona_rb_first(r); x; x = persona_rb_next(x), n++) {
		const struct item *it = item_of(x);
		ck_assert(it->in);
		if (prev) ck_assert(prev->key < it->key || (prev->key == it->key && prev->seq < it->seq));
		prev = it;
	}
	ck_assert_uint_eq(n, nr_in);
	for (struct persona_rb_node *x = persona_rb_last(r); x; x = persona_rb_prev(x)) n--;
	ck_assert_uint_eq(n, 0);
	if (augmented) check_aug(r->node);
}

static void rb_model_run(bool augmented, unsigned seed)
{
	struct persona_rb_root r = PERSONA_RB_ROOT_INIT;
	size_t nr_in = 0;
	unsigned seq = 0;
	srandom(seed);
	memset(pool, 0, sizeof pool);
	for (int i = 0; i < RB_POOL; i++) persona_rb_node_clear(&pool[i].node);
	for (int op = 0; op < 20000; op++) {
		struct item *it = &pool[random() % RB_POOL];
		/* grow to about half the pool, then hover there */
		if (!it->in && (nr_in < RB_POOL / 2 || random() % 2)) {
			it->key = (unsigned)(random() % 300);	/* many ties */
			it->val = (unsigned)random();
			it->seq = seq++;
			ck_assert(!persona_rb_linked(&it->node));
			if (augmented) {
				persona_rb_insert_augmented(&r, &it->node, item_less, item_update);
			} else if (op % 2) {
				persona_rb_insert(&r, &it->node, item_less);
			} else {	/* the walking interface */
				struct persona_rb_node *parent = NULL, *cur = r.node;
				int dir = 0;
				while (cur) {
					parent = cur;
					dir = it->key >= item_of(cur)->key;
					cur = cur->child[dir];
				}
				persona_rb_insert_at(&r, &it->node, parent, dir, NULL);
			}
			it->in = true;
			nr_in++;
		} else if (it->in) {
			if (augmented) persona_rb_erase_augmented(&r, &it->node, item_update);
			else persona_rb_erase(&r, &it->node);
			ck_assert(!persona_rb_linked(&it->node));
			it->in = false;
			nr_in--;
		}
		/* a full check is O(n): every step while small, then every 16th */
		if (nr_in < 64 || op % 16 == 0) check_tree(&r, nr_in, augmented);
	}
	check_tree(&r, nr_in, augmented);
	/* empty it from the front: first() follows */
	while (!persona_rb_empty(&r)) {
		struct persona_rb_node *f = persona_rb_first(&r);
		persona_rb_erase_augmented(&r, f, augmented ? item_update : NULL);
		item_of(f)->in = false;
		nr_in--;
		if (nr_in % 97 == 0) check_tree(&r, nr_in, augmented);
	}
	ck_assert_ptr_null(persona_rb_first(&r));
	ck_assert_ptr_null(persona_rb_last(&r));
}

START_TEST(rbtree_random_model)
{
	rb_model_run(false, 1);
	rb_model_run(false, 99);
}
END_TEST

START_TEST(rbtree_augmented_model)
{
	rb_model_run(true, 7);
}
END_TEST

START_TEST(rbtree_sequential_and_ties)
{
	struct persona_rb_root r;
	persona_rb_root_init(&r);
	memset(pool, 0, sizeof pool);
	/* ascending, then descending keys: the cases that need the most rotations */
	for (unsigned i = 0; i < 512; i++) {
		pool[i].key = i < 256 ? i : 1000 - i;
		pool[i].seq = i;
		persona_rb_insert(&r, &pool[i].node, item_less);
		pool[i].in = true;
		ck_assert_int_ge(persona_rb_check(&r, item_less), 0);
	}
	ck_assert_ptr_eq(persona_rb_first(&r), &pool[0].node);
	/* a height of at most 2 log2(n+1): black height >= 5 for 512 nodes */
	ck_assert_int_ge(persona_rb_check(&r, item_less), 5);
	/* equal keys come out in insertion order */
	struct persona_rb_root t = PERSONA_RB_ROOT_INIT;
	for (unsigned i = 600; i < 640; i++) {
		pool[i].key = 5;
		pool[i].seq = i;
		persona_rb_insert(&t, &pool[i].node, item_less);
	}
	unsigned want = 600;
	for (struct persona_rb_node *x = persona_rb_first(&t); x; x = persona_rb_next(x))
		ck_assert_uint_eq(item_of(x)->seq, want++);
	ck_assert_uint_eq(want, 640);
}
END_TEST

/* ---- helpers for the plugins ---- */

static struct fair_sched *fs(void) { return m.s.priv; }

/* n CPU-bound tasks with the given nice values for `ns`; returns nothing, the
 * tasks' sum_exec_runtime tells */
static void run_hogs(const struct persona_sched_ops *ops, unsigned ncpus, unsigned hz,
		     const int *nice, int n, uint64_t ns)
{
	sim_init(&m, ops, ncpus, hz);
	for (int k = 0; k < n; k++) sim_spawn(&m, NULL, PERSONA_SCHED_NORMAL, nice[k], 0);
	sim_run(&m, ns);
}

/* Each task's share of the CPU time the tasks got is within `tol` (relative) of
 * its weight's share. */
static void check_weighted_shares(int n, const int *nice, double tol, const char *what)
{
	double total = 0, wsum = 0;
	for (int k = 0; k < n; k++) {
		total += (double)m.task[k].sum_exec_runtime;
		wsum += (double)persona_sched_nice_to_weight[nice[k] + 20];
	}
	for (int k = 0; k < n; k++) {
		double got = (double)m.task[k].sum_exec_runtime / total;
		double want = (double)persona_sched_nice_to_weight[nice[k] + 20] / wsum;
		fprintf(stderr, "%s: t%d (nice %d) got %.2f%%, weight share %.2f%%\n", what, k + 1,
			nice[k], 100 * got, 100 * want);
		ck_assert_msg(got > want * (1 - tol) && got < want * (1 + tol),
			      "%s: t%d (nice %d) got %.2f%% of the CPU, expected %.2f%%", what, k + 1,
			      nice[k], 100 * got, 100 * want);
	}
}

static const struct persona_sched_ops *fair_ops(int i)
{
	return i ? &sched_eevdf_plugin : &sched_cfs_plugin;
}

/* ---- shares ---- */

START_TEST(shares_follow_weights)
{
	static const int nice[] = { 0, 0, 5 };	/* 1024 : 1024 : 335 */
	run_hogs(fair_ops(_i), 1, 250, nice, 3, 10000 * SIM_MS);
	check_weighted_shares(3, nice, 0.02, fair_ops(_i)->name);
	sim_fini(&m);
}
END_TEST

START_TEST(nice_minus_5_vs_0)
{
	static const int nice[] = { -5, 0 };	/* 3121 : 1024 */
	run_hogs(fair_ops(_i), 1, 1000, nice, 2, 5000 * SIM_MS);
	check_weighted_shares(2, nice, 0.02, fair_ops(_i)->name);
	sim_fini(&m);
}
END_TEST

START_TEST(sched_idle_gets_leftovers)
{
	sim_init(&m, fair_ops(_i), 1, 1000);
	struct persona_sched_task *normal = sim_spawn(&m, NULL, PERSONA_SCHED_NORMAL, 0, 0);
	struct persona_sched_task *idle = sim_spawn(&m, NULL, PERSONA_SCHED_IDLE, 0, 0);
	sim_run(&m, 3000 * SIM_MS);
	/* weight 3 against 1024: 0.3%, and some minimum slices */
	ck_assert_msg(idle->sum_exec_runtime < normal->sum_exec_runtime / 50,
		      "SCHED_IDLE got %.1f ms against %.1f ms", idle->sum_exec_runtime / 1e6,
		      normal->sum_exec_runtime / 1e6);
	ck_assert_uint_gt(idle->sum_exec_runtime, 0);	/* but not nothing */
	/* a normal task waking preempts an idle one at once */
	sim_block(&m, normal);
	ck_assert_ptr_eq(sim_curr(&m, 0), idle);
	sim_run(&m, 50 * SIM_MS);
	sim_wake(&m, normal);
	ck_assert_ptr_eq(sim_curr(&m, 0), normal);
	sim_fini(&m);
}
END_TEST

START_TEST(two_cpus_three_hogs)
{
	static const int nice[] = { 0, 0, 0 };
	run_hogs(fair_ops(_i), 2, 1000, nice, 3, 3000 * SIM_MS);
	for (int k = 0; k < 3; k++) {
		double share = (double)m.task[k].sum_exec_runtime / (3000.0 * SIM_MS);
		fprintf(stderr, "%s, 2 CPUs: t%d got %.3f of a CPU\n", m.ops->name, k + 1, share);
		ck_assert_msg(share > 0.6333 && share < 0.7, "%s: t%d got %.3f of a CPU, not 2/3",
			      m.ops->name, k + 1, share);
	}
	sim_fini(&m);
	/* and 5 on 2, unequal: weights hold across CPUs too */
	static const int nice5[] = { 0, 0, 0, 0, 0 };
	run_hogs(fair_ops(_i), 2, 1000, nice5, 5, 3000 * SIM_MS);
	check_weighted_shares(5, nice5, 0.03, "5 hogs on 2 CPUs");
	sim_fini(&m);
	/* unequal weights across CPUs are approximate: nice 0, 5, 0 on 2 CPUs should get
	 * 0.86, 0.28, 0.86 of a CPU (cfs measures 0.875, 0.25; eevdf 0.833, 0.333) */
	static const int nice3[] = { 0, 5, 0 };
	run_hogs(fair_ops(_i), 2, 1000, nice3, 3, 3000 * SIM_MS);
	for (int k = 0; k < 3; k++) {
		double share = (double)m.task[k].sum_exec_runtime / (3000.0 * SIM_MS);
		fprintf(stderr, "%s, 2 CPUs: t%d (nice %d) got %.3f of a CPU\n", m.ops->name, k + 1,
			nice3[k], share);
		ck_assert_msg(nice3[k] ? share < 0.36 : share > 0.8, "%s: t%d (nice %d) got %.3f of a CPU",
			      m.ops->name, k + 1, nice3[k], share);
	}
	sim_fini(&m);
}
END_TEST

/* ---- vruntime bookkeeping ---- */

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

START_TEST(min_vruntime_monotonic)
{
	sim_init(&m, fair_ops(_i), 2, 1000);
	for (int k = 0; k < 6; k++) sim_spawn(&m, NULL, PERSONA_SCHED_NORMAL, (int)rnd(11) - 5, 0);
	uint64_t last[2] = { fs()->rq[0].min_vruntime, fs()->rq[1].min_vruntime };
	for (int op = 0; op < 5000; op++) {
		struct persona_sched_task *t = &m.task[rnd((unsigned)m.ntasks)];
		enum sim_state st = sim_state_of(&m, t);
		switch (rnd(6)) {
		case 0: if (st != SIM_OFF) sim_block(&m, t); break;
		case 1: if (st == SIM_OFF) sim_wake(&m, t); break;
		case 2: if (st == SIM_RUNNING) sim_yield(&m, t); break;
		case 3: {
			struct persona_sched_attr a = { .policy = PERSONA_SCHED_NORMAL, .nice = (int)rnd(40) - 20 };
			ck_assert_int_eq(sim_set_attr(&m, t, &a), 0);
			break;
		}
		default: sim_run(&m, rnd(5) * SIM_MS); break;
		}
		for (unsigned c = 0; c < 2; c++) {
			uint64_t v = fs()->rq[c].min_vruntime;
			ck_assert_msg((int64_t)(v - last[c]) >= 0, "rq%u min_vruntime went back by %lld ns",
				      c, (long long)(last[c] - v));
			last[c] = v;
			/* the average bookkeeping agrees with a recount */
			const struct fair_rq *rq = &fs()->rq[c];
			int64_t avg = 0;
			unsigned long load = 0;
			for (int k = 0; k < m.ntasks; k++) {
				const struct fair_entity *se = m.task[k].priv;
				if (!se->on_rq || se->rq != c) continue;
				avg += (int64_t)se->weight * (int64_t)(se->vruntime - rq->min_vruntime);
				load += se->weight;
			}
			ck_assert_int_eq(avg, rq->avg_vruntime);
			ck_assert_uint_eq(load, rq->load);
		}
	}
	sim_drain(&m);
	sim_fini(&m);
}
END_TEST

/* ---- wake-ups and new tasks ---- */

START_TEST(sleeper_preempts_hog)
{
	sim_init(&m, fair_ops(_i), 1, 1000);
	struct persona_sched_task *hog = sim_spawn(&m, NULL, PERSONA_SCHED_NORMAL, 0, 0);
	struct persona_sched_task *sleeper = sim_spawn(&m, NULL, PERSONA_SCHED_NORMAL, 0, 0);
	sim_run(&m, 20 * SIM_MS);
	sim_block(&m, sleeper);
	for (int round = 0; round < 10; round++) {
		sim_run(&m, 50 * SIM_MS);		/* the hog runs alone */
		ck_assert_ptr_eq(sim_curr(&m, 0), hog);
		sim_wake(&m, sleeper);
		if (_i == 1) {
			/* eevdf gives no sleeper bonus: a sleeper that comes back even with
			 * V preempts only with an earlier deadline, else it runs when the
			 * hog's slice (0.75 ms) ends, at the next tick */
			if (sim_curr(&m, 0) != sleeper) sim_run(&m, SIM_MS);
		}
		ck_assert_msg(sim_curr(&m, 0) == sleeper, "%s: the woken sleeper waits (round %d)",
			      m.ops->name, round);
		sim_run(&m, SIM_MS);
		if (sim_state_of(&m, sleeper) != SIM_OFF) sim_block(&m, sleeper);
	}
	sim_fini(&m);
}
END_TEST

START_TEST(new_task_does_not_starve_others)
{
	sim_init(&m, fair_ops(_i), 1, 1000);
	struct persona_sched_task *a = sim_spawn(&m, NULL, PERSONA_SCHED_NORMAL, 0, 0);
	struct persona_sched_task *b = sim_spawn(&m, NULL, PERSONA_SCHED_NORMAL, 0, 0);
	sim_run(&m, 1000 * SIM_MS);
	uint64_t a0 = a->sum_exec_runtime, b0 = b->sum_exec_runtime;
	/* the running task forks: under cfs the child starts a slice behind
	 * (START_DEBIT) and waits; under eevdf it starts even with half a slice, so it
	 * may run at once, but briefly. Either way it runs soon. */
	struct persona_sched_task *child = sim_spawn(&m, sim_curr(&m, 0), PERSONA_SCHED_NORMAL, 0, 0);
	if (_i == 0) ck_assert_int_eq(sim_state_of(&m, child), SIM_QUEUED);
	while (m.nr_picked[child->tid - 1] == 0) {
		sim_run(&m, SIM_MS);
		ck_assert_uint_lt(m.s.now, SIM_T0 + 1020 * SIM_MS);
	}
	/* then the three share evenly */
	sim_run(&m, 900 * SIM_MS);
	uint64_t da = a->sum_exec_runtime - a0, db = b->sum_exec_runtime - b0;
	uint64_t dc = child->sum_exec_runtime;
	ck_assert_msg(dc > 270 * SIM_MS && dc < 360 * SIM_MS, "child got %.1f ms", dc / 1e6);
	ck_assert_msg(da > 270 * SIM_MS && db > 270 * SIM_MS, "old tasks got %.1f, %.1f ms",
		      da / 1e6, db / 1e6);
	/* a fork bomb does not take the CPU from a bystander: forks every 2 ms */
	sim_exit(&m, child);
	struct persona_sched_task *bystander = b;
	uint64_t by0 = bystander->sum_exec_runtime;
	for (int k = 0; k < 40; k++) {
		sim_spawn(&m, a, PERSONA_SCHED_NORMAL, 0, 0);
		sim_run(&m, 2 * SIM_MS);
	}
	/* 40 new tasks in 80 ms: the bystander still ran, about its 1/(n+1) at worst */
	ck_assert_msg(bystander->sum_exec_runtime - by0 >= 5 * SIM_MS, "bystander got %.1f ms of 80",
		      (bystander->sum_exec_runtime - by0) / 1e6);
	sim_fini(&m);
}
END_TEST

/* ---- parameters ---- */

START_TEST(nice_change_takes_effect)
{
	sim_init(&m, fair_ops(_i), 1, 1000);
	struct persona_sched_task *a = sim_spawn(&m, NULL, PERSONA_SCHED_NORMAL, 0, 0);
	struct persona_sched_task *b = sim_spawn(&m, NULL, PERSONA_SCHED_NORMAL, 0, 0);
	sim_run(&m, 500 * SIM_MS);
	struct persona_sched_attr nice10 = { .policy = PERSONA_SCHED_NORMAL, .nice = 10 };
	ck_assert_int_eq(sim_set_attr(&m, b, &nice10), 0);	/* queued or running: both work */
	uint64_t a0 = a->sum_exec_runtime, b0 = b->sum_exec_runtime;
	sim_run(&m, 3000 * SIM_MS);
	double ratio = (double)(a->sum_exec_runtime - a0) / (double)(b->sum_exec_runtime - b0);
	/* 1024 / 110 = 9.3 */
	ck_assert_msg(ratio > 8.8 && ratio < 9.8, "%s: nice 0 vs 10 ran %.2f : 1", m.ops->name, ratio);
	sim_fini(&m);
}
END_TEST

START_TEST(yield_lets_the_other_run)
{
	sim_init(&m, fair_ops(_i), 1, 1000);
	sim_spawn(&m, NULL, PERSONA_SCHED_NORMAL, 0, 0);
	sim_spawn(&m, NULL, PERSONA_SCHED_NORMAL, 0, 0);
	sim_run(&m, 100 * SIM_MS);
	for (int k = 0; k < 20; k++) {
		struct persona_sched_task *t = sim_curr(&m, 0);
		sim_yield(&m, t);
		/* cfs: the other runs at once. eevdf (Linux's yield_task_fair) only pushes
		 * the deadline a slice on: the other runs at once if it is eligible, else
		 * when it is and the yielder's slice ends, a tick or two later */
		for (int ms = 0; _i == 1 && ms < 3 && sim_curr(&m, 0) == t; ms++) sim_run(&m, SIM_MS);
		ck_assert_ptr_ne(sim_curr(&m, 0), t);
		sim_run(&m, SIM_MS);
	}
	sim_fini(&m);
}
END_TEST

START_TEST(policies_and_dump)
{
	sim_init(&m, fair_ops(_i), 1, 250);
	struct persona_sched_task *t = sim_spawn(&m, NULL, PERSONA_SCHED_NORMAL, 0, 0);
	static const struct persona_sched_attr bad[] = {
		{ .policy = PERSONA_SCHED_FIFO, .rt_priority = 1 },
		{ .policy = PERSONA_SCHED_RR, .rt_priority = 1 },
		{ .policy = PERSONA_SCHED_DEADLINE, .dl_runtime = SIM_MS, .dl_deadline = 10 * SIM_MS },
	};
	for (unsigned k = 0; k < 3; k++) ck_assert_int_eq(sim_set_attr(&m, t, &bad[k]), -EINVAL);
	struct persona_sched_attr batch = { .policy = PERSONA_SCHED_BATCH, .nice = 3 };
	ck_assert_int_eq(sim_set_attr(&m, t, &batch), 0);
	sim_run(&m, 10 * SIM_MS);
	char buf[1024];
	m.ops->dump(&m.s, t, buf, sizeof buf);
	/* "name : value" lines, times in ns: the core lays them out as Linux does */
	ck_assert_ptr_nonnull(strstr(buf, "se.vruntime : "));
	ck_assert_ptr_nonnull(strstr(buf, "min_vruntime : "));
	ck_assert_ptr_nonnull(strstr(buf, "\nweight : 526\n"));	/* nice 3 */
	char small[40];
	m.ops->dump(&m.s, t, small, sizeof small);	/* truncates, terminated */
	ck_assert_uint_lt(strlen(small), sizeof small);
	ck_assert_uint_gt(sim_timeslice(&m, t), 0);
	sim_fini(&m);
}
END_TEST

/* ---- latency under EEVDF (and CFS) ---- */

struct periodic {
	struct persona_sched_task *t;
	uint64_t burst;			/* runs this long, then blocks */
	uint64_t woke_at, ran_from;
};

static void periodic_on_tick(struct sim *sm, struct persona_sched_task *t, void *arg)
{
	struct periodic *p = arg;
	if (t == p->t && t->sum_exec_runtime - p->ran_from >= p->burst) sim_block(sm, t);
}

/* A task that runs 1 ms every 10 ms among 3 hogs on 1 CPU: the worst delay between
 * its wake-up and its run */
static uint64_t periodic_latency(const struct persona_sched_ops *ops, uint64_t *mean)
{
	sim_init(&m, ops, 1, 1000);
	for (int k = 0; k < 3; k++) sim_spawn(&m, NULL, PERSONA_SCHED_NORMAL, 0, 0);
	struct periodic p = { .burst = SIM_MS };
	p.t = sim_spawn(&m, NULL, PERSONA_SCHED_NORMAL, 0, 0);
	m.on_tick = periodic_on_tick;
	m.arg = &p;
	sim_run(&m, 200 * SIM_MS);
	uint64_t worst = 0, sum = 0;
	int n = 0;
	for (int period = 0; period < 200; period++) {
		if (sim_state_of(&m, p.t) == SIM_OFF) {
			p.woke_at = m.s.now;
			p.ran_from = p.t->sum_exec_runtime;
			sim_wake(&m, p.t);
			uint64_t lat = 0;
			for (int ms = 0; ms < 10 && sim_state_of(&m, p.t) != SIM_RUNNING; ms++) {
				sim_run(&m, SIM_MS);
				lat += SIM_MS;
			}
			if (sim_state_of(&m, p.t) != SIM_RUNNING && sim_state_of(&m, p.t) == SIM_QUEUED)
				lat = 10 * SIM_MS;
			if (lat > worst) worst = lat;
			sum += lat;
			n++;
			sim_run(&m, 10 * SIM_MS - lat);
		} else {
			sim_run(&m, 10 * SIM_MS);	/* still busy: the period is skipped */
		}
	}
	ck_assert_int_gt(n, 150);
	*mean = sum / (uint64_t)n;
	sim_fini(&m);
	return worst;
}

START_TEST(periodic_task_latency)
{
	uint64_t mean, worst = periodic_latency(fair_ops(_i), &mean);
	fprintf(stderr, "%s: 1 ms every 10 ms among 3 hogs: wake-up latency mean %.2f ms, worst %.2f ms\n",
		fair_ops(_i)->name, mean / 1e6, worst / 1e6);
	ck_assert_msg(worst <= 3 * SIM_MS, "%s: worst wake-up latency %.1f ms", fair_ops(_i)->name,
		      worst / 1e6);
}
END_TEST

Suite *sched_fair_suite(void)
{
	Suite *s = suite_create("sched_fair");
	TCase *tc = tcase_create("rbtree");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, rbtree_random_model);
	tcase_add_test(tc, rbtree_augmented_model);
	tcase_add_test(tc, rbtree_sequential_and_ties);
	suite_add_tcase(s, tc);
	/* each below runs for cfs (_i = 0) and eevdf (_i = 1) */
	tc = tcase_create("shares");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, shares_follow_weights, 0, 2);
	tcase_add_loop_test(tc, nice_minus_5_vs_0, 0, 2);
	tcase_add_loop_test(tc, sched_idle_gets_leftovers, 0, 2);
	tcase_add_loop_test(tc, two_cpus_three_hogs, 0, 2);
	suite_add_tcase(s, tc);
	tc = tcase_create("behaviour");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, min_vruntime_monotonic, 0, 2);
	tcase_add_loop_test(tc, sleeper_preempts_hog, 0, 2);
	tcase_add_loop_test(tc, new_task_does_not_starve_others, 0, 2);
	tcase_add_loop_test(tc, nice_change_takes_effect, 0, 2);
	tcase_add_loop_test(tc, yield_lets_the_other_run, 0, 2);
	tcase_add_loop_test(tc, policies_and_dump, 0, 2);
	tcase_add_loop_test(tc, periodic_task_latency, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}
