/* tests/unit/test_sched_mlfq_edf.c - the mlfq and edf plugins
 * (services/sched/plugins/{mlfq,edf}.c) under the simulated clock of
 * tests/unit/sched_sim.h:
 *   - MLFQ: a task that uses its whole slice moves down a level (the slice doubles),
 *     one that blocks early keeps its level until its allotment is used, the boost
 *     brings everyone back to the top every second, an interactive task keeps a
 *     low wake-up latency among 3 hogs, SCHED_IDLE stays at the bottom;
 *   - EDF: the earliest absolute deadline runs first, admission control refuses
 *     more than 95% of the CPUs (EBUSY) and takes bandwidth back from tasks that
 *     leave SCHED_DEADLINE or exit, the parameter checks (EINVAL), a task that uses
 *     its runtime is throttled until its next period and replenished then, deadline
 *     tasks run before normal ones and a waking one preempts, global EDF on 2 CPUs,
 *     a forked child of a deadline task is a normal task. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "services/sched/sched.h"
#include "tests/unit/sched_sim.h"
#include "tests/unit/unit.h"

static struct sim m;

/* ---- MLFQ ---- */

/* the slice of the task's level: 4 ms << level */
static unsigned mlfq_level(struct persona_sched_task *t)
{
	uint64_t slice = sim_timeslice(&m, t);
	unsigned level = 0;
	while ((4 * SIM_MS << level) < slice) level++;
	ck_assert_uint_eq(4 * SIM_MS << level, slice);
	return level;
}

START_TEST(mlfq_full_slices_demote)
{
	sim_init(&m, &sched_mlfq_plugin, 1, 1000);
	struct persona_sched_task *hog = sim_spawn(&m, NULL, PERSONA_SCHED_NORMAL, 0, 0);
	ck_assert_uint_eq(mlfq_level(hog), 0);
	/* level l is left after 4 << l ms: at 4, 12, 28, 60, 124, 252, 508 ms */
	uint64_t used = 0;
	for (unsigned level = 0; level < 7; level++) {
		sim_run(&m, (4 * SIM_MS << level) - SIM_MS);
		ck_assert_uint_eq(mlfq_level(hog), level);
		sim_run(&m, SIM_MS);
		used += 4 * SIM_MS << level;
		ck_assert_uint_eq(hog->sum_exec_runtime, used);
		ck_assert_uint_eq(mlfq_level(hog), level + 1);
	}
	sim_run(&m, 400 * SIM_MS);		/* the bottom: 512 ms slices, no lower */
	ck_assert_uint_eq(mlfq_level(hog), 7);
	char buf[512];
	m.ops->dump(&m.s, hog, buf, sizeof buf);
	ck_assert_ptr_nonnull(strstr(buf, "mlfq.level"));
	sim_fini(&m);
}
END_TEST

/* runs `burst` ms, then sleeps 10 ms, `n` times */
static void bursts(struct persona_sched_task *t, int n, uint64_t burst)
{
	for (int k = 0; k < n; k++) {
		if (sim_state_of(&m, t) == SIM_OFF) sim_wake(&m, t);
		ck_assert_int_eq(sim_state_of(&m, t), SIM_RUNNING);
		sim_run(&m, burst);
		sim_block(&m, t);
		sim_run(&m, 10 * SIM_MS);
	}
}

START_TEST(mlfq_short_bursts_keep_level)
{
	sim_init(&m, &sched_mlfq_plugin, 1, 1000);
	struct persona_sched_task *t = sim_spawn(&m, NULL, PERSONA_SCHED_NORMAL, 0, 0);
	/* 1 ms bursts against a 4 ms slice: the level holds ... */
	bursts(t, 7, SIM_MS);
	ck_assert_uint_eq(mlfq_level(t), 0);
	/* ... until the allotment of two slices (8 ms) is used */
	bursts(t, 1, SIM_MS);
	ck_assert_uint_eq(mlfq_level(t), 1);
	/* gaming (3 ms of each 4 ms slice, then a short sleep) gains two slices a level */
	struct persona_sched_task *g = sim_spawn(&m, NULL, PERSONA_SCHED_NORMAL, 0, 0);
	ck_assert_uint_eq(mlfq_level(g), 0);
	bursts(g, 2, 3 * SIM_MS);
	ck_assert_uint_eq(mlfq_level(g), 0);
	bursts(g, 1, 3 * SIM_MS);		/* 9 ms >= 8 */
	ck_assert_uint_eq(mlfq_level(g), 1);
	sim_fini(&m);
}
END_TEST

START_TEST(mlfq_boost_restores_top)
{
	sim_init(&m, &sched_mlfq_plugin, 1, 1000);
	struct persona_sched_task *a = sim_spawn(&m, NULL, PERSONA_SCHED_NORMAL, 0, 0);
	struct persona_sched_task *b = sim_spawn(&m, NULL, PERSONA_SCHED_NORMAL, 0, 0);
	struct persona_sched_task *idle = sim_spawn(&m, NULL, PERSONA_SCHED_IDLE, 0, 0);
	sim_run(&m, 990 * SIM_MS);
	ck_assert_uint_ge(mlfq_level(a), 5);
	ck_assert_uint_ge(mlfq_level(b), 5);
	ck_assert_uint_eq(mlfq_level(idle), 7);
	sim_run(&m, 11 * SIM_MS);		/* the boost at 1 s */
	ck_assert_uint_eq(mlfq_level(a), 0);
	ck_assert_uint_eq(mlfq_level(b), 0);
	ck_assert_uint_eq(mlfq_level(idle), 7);	/* SCHED_IDLE is not boosted */
	/* and both hogs shared before and after: no starvation */
	sim_run(&m, 1000 * SIM_MS);
	ck_assert_uint_gt(a->sum_exec_runtime, 700 * SIM_MS);
	ck_assert_uint_gt(b->sum_exec_runtime, 700 * SIM_MS);
	sim_fini(&m);
}
END_TEST

struct interactive {
	struct persona_sched_task *t;
	uint64_t ran_from;
};

static void interactive_on_tick(struct sim *sm, struct persona_sched_task *t, void *arg)
{
	struct interactive *it = arg;
	if (t == it->t && t->sum_exec_runtime - it->ran_from >= SIM_MS) sim_block(sm, t);
}

START_TEST(mlfq_interactive_latency)
{
	sim_init(&m, &sched_mlfq_plugin, 1, 1000);
	for (int k = 0; k < 3; k++) sim_spawn(&m, NULL, PERSONA_SCHED_NORMAL, 0, 0);
	struct interactive it = { .t = sim_spawn(&m, NULL, PERSONA_SCHED_NORMAL, 0, 0) };
	m.on_tick = interactive_on_tick;
	m.arg = &it;
	sim_run(&m, 100 * SIM_MS);
	/* 1 ms of work every 10 ms for 3 s (three boosts) */
	uint64_t worst = 0, sum = 0, worst_late = 0;
	int n = 0;
	for (int period = 0; period < 300; period++) {
		if (sim_state_of(&m, it.t) != SIM_OFF) {
			sim_run(&m, 10 * SIM_MS);
			continue;
		}
		it.ran_from = it.t->sum_exec_runtime;
		sim_wake(&m, it.t);
		uint64_t lat = 0;
		while (sim_state_of(&m, it.t) == SIM_QUEUED && lat < 10 * SIM_MS) {
			sim_run(&m, SIM_MS);
			lat += SIM_MS;
		}
		if (lat > worst) worst = lat;
		/* away from a boost (the first 50 ms after one), the hogs are lower */
		if ((m.s.now - SIM_T0) % (1000 * SIM_MS) > 50 * SIM_MS && lat > worst_late) worst_late = lat;
		sum += lat;
		n++;
		sim_run(&m, 10 * SIM_MS - lat);
	}
	fprintf(stderr, "mlfq: 1 ms every 10 ms among 3 hogs: %d wake-ups, latency mean %.2f ms, "
		"worst %.1f ms (%.1f ms away from boosts)\n", n, (double)sum / n / 1e6, worst / 1e6,
		worst_late / 1e6);
	ck_assert_int_ge(n, 280);
	ck_assert_msg(worst <= 12 * SIM_MS, "worst wake-up latency %.1f ms", worst / 1e6);
	ck_assert_msg(worst_late == 0, "wake-up latency %.1f ms away from a boost", worst_late / 1e6);
	ck_assert_uint_lt(sum / (uint64_t)n, SIM_MS / 2);
	sim_fini(&m);
}
END_TEST

START_TEST(mlfq_policies)
{
	sim_init(&m, &sched_mlfq_plugin, 2, 250);
	struct persona_sched_task *t = sim_spawn(&m, NULL, PERSONA_SCHED_NORMAL, 0, 0);
	struct persona_sched_attr fifo = { .policy = PERSONA_SCHED_FIFO, .rt_priority = 5 };
	struct persona_sched_attr dl = { .policy = PERSONA_SCHED_DEADLINE, .dl_runtime = SIM_MS,
					 .dl_deadline = 10 * SIM_MS };
	struct persona_sched_attr idle = { .policy = PERSONA_SCHED_IDLE };
	ck_assert_int_eq(sim_set_attr(&m, t, &fifo), -EINVAL);
	ck_assert_int_eq(sim_set_attr(&m, t, &dl), -EINVAL);
	ck_assert_int_eq(sim_set_attr(&m, t, &idle), 0);
	ck_assert_uint_eq(mlfq_level(t), 7);
	/* a waking task of a higher level preempts a lower one on a busy CPU */
	struct persona_sched_task *h1 = sim_spawn(&m, NULL, PERSONA_SCHED_NORMAL, 0, 0);
	struct persona_sched_task *h2 = sim_spawn(&m, NULL, PERSONA_SCHED_NORMAL, 0, 0);
	sim_run(&m, 200 * SIM_MS);
	struct persona_sched_task *w = sim_spawn(&m, NULL, PERSONA_SCHED_NORMAL, 0, 0);
	ck_assert_int_eq(sim_state_of(&m, w), SIM_RUNNING);
	ck_assert(sim_state_of(&m, h1) == SIM_RUNNING || sim_state_of(&m, h2) == SIM_RUNNING);
	sim_fini(&m);
}
END_TEST

/* ---- EDF ---- */

static int set_dl(struct persona_sched_task *t, uint64_t runtime, uint64_t deadline, uint64_t period)
{
	struct persona_sched_attr a = { .policy = PERSONA_SCHED_DEADLINE, .dl_runtime = runtime,
					.dl_deadline = deadline, .dl_period = period };
	return sim_set_attr(&m, t, &a);
}

static int set_normal(struct persona_sched_task *t)
{
	struct persona_sched_attr a = { .policy = PERSONA_SCHED_NORMAL };
	return sim_set_attr(&m, t, &a);
}

/* the value of a "name : value" line of the plugin's dump */
static long long dump_value(struct persona_sched_task *t, const char *name)
{
	char buf[1024];
	m.ops->dump(&m.s, t, buf, sizeof buf);
	const char *line = strstr(buf, name);
	ck_assert_msg(line, "no %s in:\n%s", name, buf);
	const char *colon = strchr(line, ':');
	ck_assert_ptr_nonnull(colon);
	return strtoll(colon + 1, NULL, 10);
}

/* when t was first picked at or after `from` (0: not since) */
static uint64_t picked_at(const struct persona_sched_task *t, uint64_t from)
{
	for (unsigned k = 0; k < m.ntrace && k < SIM_TRACE_MAX; k++)
		if (m.trace[k].tid == t->tid && m.trace[k].now >= from) return m.trace[k].now;
	return 0;
}

START_TEST(edf_deadline_order)
{
	sim_init(&m, &sched_edf_plugin, 1, 1000);
	struct persona_sched_task *hog = sim_spawn(&m, NULL, PERSONA_SCHED_NORMAL, 0, 0);
	struct persona_sched_task *a = sim_spawn(&m, NULL, PERSONA_SCHED_NORMAL, 0, 0);
	struct persona_sched_task *b = sim_spawn(&m, NULL, PERSONA_SCHED_NORMAL, 0, 0);
	struct persona_sched_task *c = sim_spawn(&m, NULL, PERSONA_SCHED_NORMAL, 0, 0);
	sim_run(&m, 20 * SIM_MS);
	struct persona_sched_task *dl[] = { a, b, c };
	for (int k = 0; k < 3; k++)
		if (sim_state_of(&m, dl[k]) != SIM_OFF) sim_block(&m, dl[k]);
	/* relative deadlines 30, 10, 20 ms: absolute order b, c, a */
	ck_assert_int_eq(set_dl(a, 2 * SIM_MS, 30 * SIM_MS, 100 * SIM_MS), 0);
	ck_assert_int_eq(set_dl(b, 2 * SIM_MS, 10 * SIM_MS, 100 * SIM_MS), 0);
	ck_assert_int_eq(set_dl(c, 2 * SIM_MS, 20 * SIM_MS, 100 * SIM_MS), 0);
	uint64_t t0 = m.s.now, ran[3];
	for (int k = 0; k < 3; k++) ran[k] = dl[k]->sum_exec_runtime;	/* as normal tasks */
	sim_wake(&m, a);
	ck_assert_ptr_eq(sim_curr(&m, 0), a);		/* before the normal hog */
	sim_wake(&m, c);
	ck_assert_ptr_eq(sim_curr(&m, 0), c);		/* an earlier deadline preempts */
	sim_wake(&m, b);
	ck_assert_ptr_eq(sim_curr(&m, 0), b);
	/* each runs its 2 ms (then is throttled): b, c, a, then the hog */
	sim_run(&m, 10 * SIM_MS);
	uint64_t tb = picked_at(b, t0), tc = picked_at(c, t0 + 1), ta = picked_at(a, t0 + 1);
	ck_assert(tb == t0 && tc > tb && ta > tc);
	ck_assert_uint_eq(tc - tb, 2 * SIM_MS);
	ck_assert_uint_eq(ta - tc, 2 * SIM_MS);
	ck_assert_ptr_eq(sim_curr(&m, 0), hog);
	for (int k = 0; k < 3; k++) ck_assert_uint_eq(dl[k]->sum_exec_runtime - ran[k], 2 * SIM_MS);
	sim_fini(&m);
}
END_TEST

START_TEST(edf_admission_control)
{
	/* one CPU: 95% fits, 96% does not */
	sim_init(&m, &sched_edf_plugin, 1, 1000);
	struct persona_sched_task *t1 = sim_spawn(&m, NULL, PERSONA_SCHED_NORMAL, 0, 0);
	struct persona_sched_task *t2 = sim_spawn(&m, NULL, PERSONA_SCHED_NORMAL, 0, 0);
	ck_assert_int_eq(set_dl(t1, 96 * SIM_MS, 100 * SIM_MS, 100 * SIM_MS), -EBUSY);
	ck_assert_int_eq(t1->policy, PERSONA_SCHED_NORMAL);
	ck_assert_int_eq(set_dl(t1, 95 * SIM_MS, 100 * SIM_MS, 100 * SIM_MS), 0);
	ck_assert_int_eq(set_dl(t2, 1 * SIM_MS, 100 * SIM_MS, 0), -EBUSY);
	/* t1 changing its own parameters counts its old bandwidth out first */
	ck_assert_int_eq(set_dl(t1, 50 * SIM_MS, 100 * SIM_MS, 100 * SIM_MS), 0);
	ck_assert_int_eq(set_dl(t2, 45 * SIM_MS, 100 * SIM_MS, 0), 0);
	sim_fini(&m);

	/* two CPUs: 1.9 CPUs in all */
	sim_init(&m, &sched_edf_plugin, 2, 1000);
	struct persona_sched_task *t[4];
	for (int k = 0; k < 4; k++) t[k] = sim_spawn(&m, NULL, PERSONA_SCHED_NORMAL, 0, 0);
	ck_assert_int_eq(set_dl(t[0], 90 * SIM_MS, 100 * SIM_MS, 100 * SIM_MS), 0);
	ck_assert_int_eq(set_dl(t[1], 90 * SIM_MS, 100 * SIM_MS, 100 * SIM_MS), 0);
	ck_assert_int_eq(set_dl(t[2], 11 * SIM_MS, 100 * SIM_MS, 100 * SIM_MS), -EBUSY);
	ck_assert_int_eq(set_dl(t[2], 10 * SIM_MS, 100 * SIM_MS, 100 * SIM_MS), 0);
	ck_assert_int_eq(set_dl(t[3], 1 * SIM_MS, 10 * SIM_MS, 100 * SIM_MS), -EBUSY);
	/* leaving SCHED_DEADLINE gives the bandwidth back ... */
	ck_assert_int_eq(set_normal(t[1]), 0);
	ck_assert_int_eq(set_dl(t[3], 80 * SIM_MS, 100 * SIM_MS, 100 * SIM_MS), 0);
	ck_assert_int_eq(set_dl(t[1], 20 * SIM_MS, 100 * SIM_MS, 100 * SIM_MS), -EBUSY);
	/* ... and so does exiting */
	sim_run(&m, 50 * SIM_MS);
	sim_exit(&m, t[0]);
	ck_assert_int_eq(set_dl(t[1], 90 * SIM_MS, 100 * SIM_MS, 100 * SIM_MS), 0);
	sim_fini(&m);
}
END_TEST

START_TEST(edf_parameter_checks)
{
	sim_init(&m, &sched_edf_plugin, 1, 1000);
	struct persona_sched_task *t = sim_spawn(&m, NULL, PERSONA_SCHED_NORMAL, 0, 0);
	static const struct { uint64_t runtime, deadline, period; } bad[] = {
		{ 2 * SIM_MS, 1 * SIM_MS, 10 * SIM_MS },	/* runtime > deadline */
		{ 1 * SIM_MS, 20 * SIM_MS, 10 * SIM_MS },	/* deadline > period */
		{ 1000, 10 * SIM_MS, 10 * SIM_MS },		/* runtime < 1024 ns */
		{ 1 * SIM_MS, 0, 10 * SIM_MS },			/* no deadline */
		{ 10000, 50000, 50000 },			/* period < 100 us */
		{ 1 * SIM_MS, 10 * SIM_MS, 5000 * SIM_MS },	/* period > 2^22 us */
		{ 1 * SIM_MS, 10 * SIM_MS, 1ull << 63 },	/* period >= 2^63 */
	};
	for (unsigned k = 0; k < sizeof bad / sizeof bad[0]; k++) {
		struct persona_sched_attr a = { .policy = PERSONA_SCHED_DEADLINE, .dl_runtime = bad[k].runtime,
						.dl_deadline = bad[k].deadline, .dl_period = bad[k].period };
		/* the plugin's own check, whatever the core checked before */
		ck_assert_msg(m.ops->set_policy(&m.s, t, &a) == -EINVAL, "case %u accepted", k);
		ck_assert_int_eq(sim_set_attr(&m, t, &a), -EINVAL);
		ck_assert_int_eq(t->policy, PERSONA_SCHED_NORMAL);
	}
	/* the boundaries are accepted: runtime 1024 ns, runtime = deadline = period */
	ck_assert_int_eq(set_dl(t, 1024, 100 * 1000, 0), 0);
	ck_assert_int_eq(set_dl(t, 10 * SIM_MS, 10 * SIM_MS, 10 * SIM_MS), -EBUSY);	/* 100% */
	ck_assert_int_eq(set_dl(t, 9 * SIM_MS, 10 * SIM_MS, 10 * SIM_MS), 0);
	struct persona_sched_attr rr = { .policy = PERSONA_SCHED_RR, .rt_priority = 3 };
	ck_assert_int_eq(sim_set_attr(&m, t, &rr), -EINVAL);
	ck_assert_int_eq(t->policy, PERSONA_SCHED_DEADLINE);
	ck_assert_uint_eq(sim_timeslice(&m, t), 0);	/* Linux: no slice for SCHED_DEADLINE */
	sim_fini(&m);
}
END_TEST

START_TEST(edf_throttle_and_replenish)
{
	sim_init(&m, &sched_edf_plugin, 1, 1000);
	struct persona_sched_task *dl = sim_spawn(&m, NULL, PERSONA_SCHED_NORMAL, 0, 0);
	struct persona_sched_task *hog = sim_spawn(&m, NULL, PERSONA_SCHED_NORMAL, 0, 0);
	/* a CPU-bound deadline task asking for 3 ms every 10 ms */
	ck_assert_int_eq(set_dl(dl, 3 * SIM_MS, 10 * SIM_MS, 10 * SIM_MS), 0);
	uint64_t start = m.s.now;
	ck_assert_ptr_eq(sim_curr(&m, 0), dl);
	for (int period = 0; period < 50; period++) {
		uint64_t before = dl->sum_exec_runtime;
		/* runs at the start of its period, for its runtime, then is throttled */
		sim_run(&m, 3 * SIM_MS);
		ck_assert_uint_eq(dl->sum_exec_runtime - before, 3 * SIM_MS);
		ck_assert_int_eq(sim_state_of(&m, dl), SIM_QUEUED);	/* throttled, still queued */
		ck_assert_ptr_eq(sim_curr(&m, 0), hog);
		ck_assert_int_eq(dump_value(dl, "dl.throttled"), 1);
		sim_run(&m, 7 * SIM_MS);
		/* the replenishment at the period's start preempts the hog */
		ck_assert_ptr_eq(sim_curr(&m, 0), dl);
	}
	ck_assert_uint_eq(m.s.now - start, 500 * SIM_MS);
	ck_assert_uint_eq(dl->sum_exec_runtime, 150 * SIM_MS);
	ck_assert_uint_eq(hog->sum_exec_runtime + dl->sum_exec_runtime, m.s.now - SIM_T0);
	sim_fini(&m);
}
END_TEST

START_TEST(edf_cbs_wakeup)
{
	sim_init(&m, &sched_edf_plugin, 1, 1000);
	struct persona_sched_task *hog = sim_spawn(&m, NULL, PERSONA_SCHED_NORMAL, 0, 0);
	struct persona_sched_task *t = sim_spawn(&m, NULL, PERSONA_SCHED_NORMAL, 0, 0);
	sim_block(&m, t);
	ck_assert_int_eq(set_dl(t, 4 * SIM_MS, 20 * SIM_MS, 20 * SIM_MS), 0);
	sim_wake(&m, t);
	ck_assert_ptr_eq(sim_curr(&m, 0), t);
	ck_assert_int_eq(dump_value(t, "dl.runtime"), 4 * SIM_MS);
	/* it runs 2 ms and sleeps 1 ms: waking, 2 ms left within 17 ms is within its
	 * bandwidth, so it keeps its deadline and runtime: 2 more ms, then throttled */
	sim_run(&m, 2 * SIM_MS);
	sim_block(&m, t);
	sim_run(&m, SIM_MS);
	sim_wake(&m, t);
	ck_assert_ptr_eq(sim_curr(&m, 0), t);
	sim_run(&m, 2 * SIM_MS);
	ck_assert_uint_eq(t->sum_exec_runtime, 4 * SIM_MS);
	ck_assert_ptr_eq(sim_curr(&m, 0), hog);
	/* it blocks while throttled and wakes after its deadline: a new instance at once */
	sim_run(&m, SIM_MS);
	ck_assert_int_eq(sim_state_of(&m, t), SIM_QUEUED);
	sim_block(&m, t);
	sim_run(&m, 40 * SIM_MS);
	sim_wake(&m, t);
	ck_assert_ptr_eq(sim_curr(&m, 0), t);
	sim_run(&m, 4 * SIM_MS);
	ck_assert_uint_eq(t->sum_exec_runtime, 8 * SIM_MS);
	/* sched_yield gives the rest of the instance up */
	sim_run(&m, 16 * SIM_MS);
	ck_assert_ptr_eq(sim_curr(&m, 0), t);
	sim_run(&m, SIM_MS);
	sim_yield(&m, t);
	ck_assert_ptr_eq(sim_curr(&m, 0), hog);
	sim_run(&m, 10 * SIM_MS);
	ck_assert_uint_eq(t->sum_exec_runtime, 9 * SIM_MS);
	sim_fini(&m);
}
END_TEST

START_TEST(edf_before_normal_tasks)
{
	sim_init(&m, &sched_edf_plugin, 2, 1000);
	struct persona_sched_task *n[3], *d[2];
	for (int k = 0; k < 3; k++) n[k] = sim_spawn(&m, NULL, PERSONA_SCHED_NORMAL, 0, 0);
	for (int k = 0; k < 2; k++) {
		d[k] = sim_spawn(&m, NULL, PERSONA_SCHED_NORMAL, 0, 0);
		if (sim_state_of(&m, d[k]) != SIM_OFF) sim_block(&m, d[k]);
		ck_assert_int_eq(set_dl(d[k], 5 * SIM_MS, 10 * SIM_MS, 20 * SIM_MS), 0);
	}
	sim_run(&m, 30 * SIM_MS);
	/* both wake while normal tasks hold both CPUs: global EDF runs both at once */
	sim_wake(&m, d[0]);
	sim_wake(&m, d[1]);
	ck_assert_int_eq(sim_state_of(&m, d[0]), SIM_RUNNING);
	ck_assert_int_eq(sim_state_of(&m, d[1]), SIM_RUNNING);
	sim_run(&m, 400 * SIM_MS);
	/* 5 ms of every 20: 100 ms each; the normal tasks share the rest round robin */
	for (int k = 0; k < 2; k++)
		ck_assert_uint_eq(d[k]->sum_exec_runtime, 100 * SIM_MS);
	for (int k = 0; k < 3; k++)
		ck_assert_msg(n[k]->sum_exec_runtime > 180 * SIM_MS, "normal t%d got %.1f ms", n[k]->tid,
			      n[k]->sum_exec_runtime / 1e6);
	/* the child of a deadline task is a normal task with no bandwidth */
	struct persona_sched_task *child = sim_spawn(&m, d[0], PERSONA_SCHED_NORMAL, 0, 0);
	ck_assert_uint_eq(sim_timeslice(&m, child), PERSONA_SCHED_DEFAULT_SLICE_NS);
	struct persona_sched_task *big = sim_spawn(&m, NULL, PERSONA_SCHED_NORMAL, 0, 0);
	/* 1.9 - 2 * 0.25 = 1.4 left */
	ck_assert_int_eq(set_dl(big, 140 * SIM_MS, 200 * SIM_MS, 100 * SIM_MS), -EINVAL);
	ck_assert_int_eq(set_dl(big, 70 * SIM_MS, 100 * SIM_MS, 100 * SIM_MS), 0);
	ck_assert_int_eq(set_dl(child, 65 * SIM_MS, 100 * SIM_MS, 100 * SIM_MS), 0);
	ck_assert_int_eq(set_dl(n[0], 10 * SIM_MS, 100 * SIM_MS, 100 * SIM_MS), -EBUSY);
	ck_assert_int_eq(set_dl(n[0], 5 * SIM_MS, 100 * SIM_MS, 100 * SIM_MS), 0);
	sim_fini(&m);
}
END_TEST

Suite *sched_mlfq_edf_suite(void)
{
	Suite *s = suite_create("sched_mlfq_edf");
	TCase *tc = tcase_create("mlfq");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, mlfq_full_slices_demote);
	tcase_add_test(tc, mlfq_short_bursts_keep_level);
	tcase_add_test(tc, mlfq_boost_restores_top);
	tcase_add_test(tc, mlfq_interactive_latency);
	tcase_add_test(tc, mlfq_policies);
	suite_add_tcase(s, tc);
	tc = tcase_create("edf");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, edf_deadline_order);
	tcase_add_test(tc, edf_admission_control);
	tcase_add_test(tc, edf_parameter_checks);
	tcase_add_test(tc, edf_throttle_and_replenish);
	tcase_add_test(tc, edf_cbs_wakeup);
	tcase_add_test(tc, edf_before_normal_tasks);
	suite_add_tcase(s, tc);
	return s;
}
