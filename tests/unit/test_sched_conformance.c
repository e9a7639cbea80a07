/* tests/unit/test_sched_conformance.c - the checks every scheduler plugin must pass,
 * run on each built-in and on tests/sched-plugins/minimal.so, with 1 and 2 virtual
 * CPUs, under the simulated clock of tests/unit/sched_sim.h (which itself fails the
 * test at any answer that breaks the ABI's state machine):
 *   - equal tasks that block now and then all get CPU time, early and in fair
 *     measure; CPU-bound equal tasks too, for plugins that slice SCHED_NORMAL (fifo
 *     does not, by design: there the first tasks keep their CPUs);
 *   - a blocked task never runs; a woken one runs again;
 *   - exits in every state leave the CPUs idle and free everything the plugin
 *     allocated (malloc's in-use bytes are back to where they were);
 *   - a policy outside `policies` gives EINVAL and changes nothing;
 *   - random sequences of spawn/block/wake/yield/exit/nice/affinity/run with fixed
 *     seeds, then a drain that finds no task lost.
 * And tests/sched-plugins/garbage.so, whose pick_next returns a task that is not
 * queued, must be caught: it runs in a nested Check runner whose single test must
 * fail with the harness's complaint about pick_next. */
#include <check.h>
#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "services/sched/sched.h"
#include "tests/unit/sched_sim.h"
#include "tests/unit/unit.h"

struct conf_plugin {
	const char *name;		/* built-in name, or the .so in $SCHED_PLUGINS */
	const struct persona_sched_ops *builtin;
	bool slices_normal;		/* CPU-bound SCHED_NORMAL tasks take turns */
};

static const struct conf_plugin plugins[] = {
	{ "fifo", &sched_fifo_plugin, false },
	{ "rr", &sched_rr_plugin, true },
	{ "cfs", &sched_cfs_plugin, true },
	{ "eevdf", &sched_eevdf_plugin, true },
	{ "mlfq", &sched_mlfq_plugin, true },
	{ "edf", &sched_edf_plugin, true },
	{ "minimal", NULL, true },
};
#define NR_PLUGINS (int)(sizeof plugins / sizeof plugins[0])
/* loop tests: index i is plugin i / 2 with 1 + i % 2 CPUs */
#define NR_CASES (2 * NR_PLUGINS)

static struct sim m;

static const struct persona_sched_ops *load_so(const char *name)
{
	char path[PATH_MAX], err[1024] = "";
	const char *dir = getenv("SCHED_PLUGINS");
	if (dir && *dir) {
		snprintf(path, sizeof path, "%s/%s.so", dir, name);
	} else {
		ssize_t n = readlink("/proc/self/exe", path, sizeof path - 64);
		ck_assert_int_gt(n, 0);
		path[n] = 0;
		snprintf(strrchr(path, '/'), 64, "/sched-plugins/%s.so", name);
	}
	const struct persona_sched_ops *ops = sched_plugin_load(path, err, sizeof err);
	ck_assert_msg(ops, "%s", err);
	return ops;
}

static const struct persona_sched_ops *case_ops(int i)
{
	const struct conf_plugin *p = &plugins[i / 2];
	return p->builtin ? p->builtin : load_so(p->name);
}

static unsigned case_cpus(int i) { return 1 + i % 2; }

static void start(int i, unsigned hz)
{
	sim_init(&m, case_ops(i), case_cpus(i), hz);
}

/* When task t was first picked (UINT64_MAX: never, in the stored trace) */
static uint64_t first_pick(int tid)
{
	for (unsigned k = 0; k < m.ntrace && k < SIM_TRACE_MAX; k++)
		if (m.trace[k].tid == tid) return m.trace[k].now;
	return UINT64_MAX;
}

/* Every task ran early (within `first_ns` of the start) and got at least a quarter
 * of an equal share of the `total_ns` the CPUs offered */
static void check_shares(const char *what, int n, uint64_t total_ns, uint64_t first_ns)
{
	uint64_t fair = total_ns / n;
	for (int k = 0; k < n; k++) {
		struct persona_sched_task *t = sim_task(&m, k + 1);
		ck_assert_msg(first_pick(t->tid) <= SIM_T0 + first_ns,
			      "%s, %u CPUs, %s: t%d first ran after %.1f ms", m.ops->name, m.s.nr_cpus,
			      what, t->tid, (double)(first_pick(t->tid) - SIM_T0) / 1e6);
		ck_assert_msg(t->sum_exec_runtime >= fair / 4,
			      "%s, %u CPUs, %s: t%d got %.1f ms of a fair %.1f ms", m.ops->name,
			      m.s.nr_cpus, what, t->tid, t->sum_exec_runtime / 1e6, fair / 1e6);
	}
}

/* ---- time for everyone ---- */

START_TEST(cooperative_tasks_share)
{
	start(_i, 1000);
	int n = case_cpus(_i) == 1 ? 4 : 5;
	for (int k = 0; k < n; k++) sim_spawn(&m, NULL, PERSONA_SCHED_NORMAL, 0, 0);
	/* each task runs for 3 ms, then blocks and is woken at once (an I/O-bound task) */
	for (int step = 0; step < 1000; step++) {
		sim_run(&m, SIM_MS);
		for (unsigned c = 0; c < m.s.nr_cpus; c++) {
			struct persona_sched_task *t = sim_curr(&m, c);
			if (t && t->slice_exec >= 3 * SIM_MS) sim_block(&m, t);
		}
		for (int k = 1; k <= n; k++)
			if (sim_state_of(&m, sim_task(&m, k)) == SIM_OFF) sim_wake(&m, sim_task(&m, k));
	}
	check_shares("blocking every 3 ms", n, 1000 * SIM_MS * m.s.nr_cpus, 100 * SIM_MS);
	sim_drain(&m);
	sim_fini(&m);
}
END_TEST

START_TEST(cpu_bound_tasks_share)
{
	start(_i, 1000);
	int n = case_cpus(_i) == 1 ? 4 : 5;
	for (int k = 0; k < n; k++) sim_spawn(&m, NULL, PERSONA_SCHED_NORMAL, 0, 0);
	sim_run(&m, 2000 * SIM_MS);
	if (plugins[_i / 2].slices_normal) {
		check_shares("CPU-bound", n, 2000 * SIM_MS * m.s.nr_cpus, 200 * SIM_MS);
	} else {	/* no slices: the tasks that got a CPU keep it */
		int ran = 0;
		for (int k = 0; k < n; k++) ran += m.nr_picked[k] > 0;
		ck_assert_int_eq(ran, (int)m.s.nr_cpus);
	}
	sim_drain(&m);
	sim_fini(&m);
}
END_TEST

/* ---- blocking and waking ---- */

START_TEST(blocked_tasks_never_run)
{
	start(_i, 250);
	for (int k = 0; k < 4; k++) sim_spawn(&m, NULL, PERSONA_SCHED_NORMAL, 0, 0);
	sim_run(&m, 50 * SIM_MS);
	struct persona_sched_task *b1 = sim_task(&m, 2), *b2 = sim_task(&m, 3);
	sim_block(&m, b1);
	sim_block(&m, b2);
	unsigned long p1 = m.nr_picked[1], p2 = m.nr_picked[2];
	uint64_t r1 = b1->sum_exec_runtime, r2 = b2->sum_exec_runtime;
	sim_run(&m, 300 * SIM_MS);
	ck_assert_int_eq(sim_state_of(&m, b1), SIM_OFF);
	ck_assert_int_eq(sim_state_of(&m, b2), SIM_OFF);
	ck_assert_uint_eq(m.nr_picked[1], p1);
	ck_assert_uint_eq(m.nr_picked[2], p2);
	ck_assert_uint_eq(b1->sum_exec_runtime, r1);
	ck_assert_uint_eq(b2->sum_exec_runtime, r2);
	/* woken, they run again: in time if the plugin slices, else once the others block */
	sim_wake(&m, b1);
	sim_wake(&m, b2);
	ck_assert_int_ne(sim_state_of(&m, b1), SIM_OFF);
	if (plugins[_i / 2].slices_normal) {
		sim_run(&m, 300 * SIM_MS);
		ck_assert_msg(m.nr_picked[1] > p1 && m.nr_picked[2] > p2,
			      "%s: woken tasks did not run in 300 ms", m.ops->name);
	}
	sim_drain(&m);
	ck_assert_msg(m.nr_picked[1] > p1 && m.nr_picked[2] > p2, "%s: woken tasks never ran",
		      m.ops->name);
	sim_fini(&m);
}
END_TEST

START_TEST(yield_and_rewake)
{
	start(_i, 1000);
	for (int k = 0; k < 3; k++) sim_spawn(&m, NULL, PERSONA_SCHED_NORMAL, 0, 0);
	for (int round = 0; round < 50; round++) {
		struct persona_sched_task *t = sim_curr(&m, round % m.s.nr_cpus);
		if (t) sim_yield(&m, t);
		sim_run(&m, SIM_MS);
		t = sim_curr(&m, 0);
		if (t && round % 3 == 0) {
			sim_block(&m, t);
			sim_run(&m, SIM_MS);
			sim_wake(&m, t);
		}
	}
	ck_assert_int_eq(sim_drain(&m) >= 3, 1);
	sim_fini(&m);
}
END_TEST

/* ---- exits ---- */

/* malloc's bytes in use. glibc counts a freed chunk that waits in its per-thread
 * cache (tcache, up to 7 per size up to 1 KB) as in use: each size's cache is filled
 * first, so that the plugin's frees go back to the arena and show. */
static size_t in_use(void)
{
	void *p[16];
	for (size_t sz = 8; sz <= 1032; sz += 16) {
		for (int k = 0; k < 16; k++) p[k] = malloc(sz);
		for (int k = 0; k < 16; k++) free(p[k]);
	}
	return mallinfo2().uordblks;
}

START_TEST(exits_free_everything)
{
	const struct persona_sched_ops *ops = case_ops(_i);	/* a .so is loaded before counting */
	ck_assert(ops);		/* Check's first message allocates its buffer: before counting */
	size_t before = in_use();
	sim_init(&m, ops, case_cpus(_i), 1000);
	for (int k = 0; k < 6; k++) sim_spawn(&m, NULL, PERSONA_SCHED_NORMAL, k - 3, 0);
	sim_run(&m, 20 * SIM_MS);
	struct persona_sched_task *running = sim_curr(&m, 0), *queued = NULL, *off = NULL;
	for (int k = 1; k <= m.ntasks; k++) {
		struct persona_sched_task *t = sim_task(&m, k);
		if (!queued && sim_state_of(&m, t) == SIM_QUEUED) queued = t;
	}
	ck_assert_ptr_nonnull(running);
	ck_assert_ptr_nonnull(queued);
	sim_exit(&m, running);			/* running */
	sim_exit(&m, queued);			/* queued */
	for (int k = 1; k <= m.ntasks && !off; k++)
		if (sim_state_of(&m, sim_task(&m, k)) != SIM_DEAD) off = sim_task(&m, k);
	sim_block(&m, off);
	sim_exit(&m, off);			/* blocked */
	/* children of the survivors come and go */
	struct persona_sched_task *parent = NULL;
	for (int k = 1; k <= m.ntasks && !parent; k++)
		if (sim_state_of(&m, sim_task(&m, k)) != SIM_DEAD) parent = sim_task(&m, k);
	sim_spawn(&m, parent, PERSONA_SCHED_NORMAL, 0, 0);
	sim_spawn(&m, parent, PERSONA_SCHED_NORMAL, 5, 0);
	sim_run(&m, 20 * SIM_MS);
	for (int k = 1; k <= m.ntasks; k++)
		if (sim_state_of(&m, sim_task(&m, k)) != SIM_DEAD) sim_exit(&m, sim_task(&m, k));
	for (unsigned c = 0; c < m.s.nr_cpus; c++) ck_assert_ptr_null(sim_curr(&m, c));
	unsigned picks = m.ntrace;
	sim_run(&m, 50 * SIM_MS);
	ck_assert_uint_eq(m.ntrace, picks);	/* nothing left to pick */
	/* and the plugin still works */
	struct persona_sched_task *t = sim_spawn(&m, NULL, PERSONA_SCHED_NORMAL, 0, 0);
	sim_run(&m, 5 * SIM_MS);
	ck_assert_int_eq(sim_state_of(&m, t), SIM_RUNNING);
	sim_exit(&m, t);
	sim_fini(&m);
	size_t after = in_use();
	ck_assert_msg(after == before, "%s: %zd bytes still allocated after every task exited",
		      ops->name, (ssize_t)(after - before));
}
END_TEST

/* ---- policies ---- */

START_TEST(unsupported_policies_einval)
{
	start(_i, 250);
	static const struct persona_sched_attr attrs[] = {
		{ .policy = PERSONA_SCHED_FIFO, .rt_priority = 10 },
		{ .policy = PERSONA_SCHED_RR, .rt_priority = 10 },
		{ .policy = PERSONA_SCHED_BATCH },
		{ .policy = PERSONA_SCHED_IDLE },
		{ .policy = PERSONA_SCHED_DEADLINE, .dl_runtime = 1 * SIM_MS,
		  .dl_deadline = 10 * SIM_MS, .dl_period = 10 * SIM_MS },
	};
	for (unsigned k = 0; k < sizeof attrs / sizeof attrs[0]; k++) {
		struct persona_sched_task *t = sim_spawn(&m, NULL, PERSONA_SCHED_NORMAL, 0, 0);
		int r = sim_set_attr(&m, t, &attrs[k]);
		if (m.ops->policies & PERSONA_POLICY_BIT(attrs[k].policy)) {
			ck_assert_msg(r == 0, "%s: policy %d refused (%d)", m.ops->name, attrs[k].policy, r);
			ck_assert_int_eq(t->policy, attrs[k].policy);
		} else {
			ck_assert_msg(r == -EINVAL, "%s: policy %d gave %d, not -EINVAL", m.ops->name,
				      attrs[k].policy, r);
			ck_assert_int_eq(t->policy, PERSONA_SCHED_NORMAL);
		}
		sim_exit(&m, t);
	}
	/* and SCHED_NORMAL with any nice is always accepted */
	struct persona_sched_task *t = sim_spawn(&m, NULL, PERSONA_SCHED_NORMAL, 0, 0);
	for (int nice = -20; nice <= 19; nice += 13) {
		struct persona_sched_attr a = { .policy = PERSONA_SCHED_NORMAL, .nice = nice };
		ck_assert_int_eq(sim_set_attr(&m, t, &a), 0);
		ck_assert_int_eq(t->nice, nice);
	}
	sim_fini(&m);
}
END_TEST

/* ---- random operations ---- */

static uint64_t rng;
static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

/* A random live task in state `want` (ANY_LIVE: any state but dead), or NULL */
#define ANY_LIVE SIM_DEAD
static struct persona_sched_task *pick_task(enum sim_state want)
{
	if (!m.ntasks) return NULL;
	int start = (int)rnd((unsigned)m.ntasks);
	for (int k = 0; k < m.ntasks; k++) {
		struct persona_sched_task *t = &m.task[(start + k) % m.ntasks];
		enum sim_state s = sim_state_of(&m, t);
		if (s != SIM_DEAD && (want == SIM_DEAD || s == want)) return t;
	}
	return NULL;
}

static void random_attr(struct persona_sched_task *t)
{
	static const int pols[] = { PERSONA_SCHED_NORMAL, PERSONA_SCHED_NORMAL, PERSONA_SCHED_BATCH,
				    PERSONA_SCHED_IDLE, PERSONA_SCHED_FIFO, PERSONA_SCHED_RR,
				    PERSONA_SCHED_DEADLINE };
	struct persona_sched_attr a = { .policy = pols[rnd(7)], .nice = (int)rnd(40) - 20 };
	if (a.policy == PERSONA_SCHED_FIFO || a.policy == PERSONA_SCHED_RR) {
		a.nice = 0;
		a.rt_priority = 1 + rnd(99);
	}
	if (a.policy == PERSONA_SCHED_DEADLINE) {
		a.nice = 0;
		a.dl_runtime = (1 + rnd(3)) * SIM_MS;
		a.dl_deadline = a.dl_period = 50 * SIM_MS;
	}
	int r = sim_set_attr(&m, t, &a);
	if (!(m.ops->policies & PERSONA_POLICY_BIT(a.policy)))
		ck_assert_msg(r == -EINVAL, "%s: policy %d gave %d", m.ops->name, a.policy, r);
	else if (a.policy == PERSONA_SCHED_DEADLINE)
		ck_assert_msg(r == 0 || r == -EBUSY, "%s: deadline gave %d", m.ops->name, r);
	else
		ck_assert_msg(r == 0, "%s: policy %d gave %d", m.ops->name, a.policy, r);
}

static void random_op(void)
{
	struct persona_sched_task *t;
	switch (rnd(10)) {
	case 0:
		if (m.ntasks < 48) sim_spawn(&m, pick_task(ANY_LIVE), PERSONA_SCHED_NORMAL, (int)rnd(11) - 5, 0);
		break;
	case 1:
		if ((t = pick_task(rnd(2) ? SIM_RUNNING : SIM_QUEUED))) {
			sim_block(&m, t);
			ck_assert_int_eq(sim_state_of(&m, t), SIM_OFF);
		}
		break;
	case 2:
	case 3:
		if ((t = pick_task(SIM_OFF))) {
			sim_wake(&m, t);
			ck_assert_int_ne(sim_state_of(&m, t), SIM_OFF);
		}
		break;
	case 4:
		if ((t = pick_task(SIM_RUNNING))) sim_yield(&m, t);
		break;
	case 5:
		if (rnd(3) == 0 && (t = pick_task(ANY_LIVE))) {
			sim_exit(&m, t);
			ck_assert_int_eq(sim_state_of(&m, t), SIM_DEAD);
		}
		break;
	case 6:
		if ((t = pick_task(ANY_LIVE))) random_attr(t);
		break;
	case 7:
		if (m.s.nr_cpus > 1 && (t = pick_task(ANY_LIVE)))
			sim_set_affinity(&m, t, 1 + rnd((1u << m.s.nr_cpus) - 1));
		break;
	default:
		sim_run(&m, rnd(6) * SIM_MS);
		break;
	}
}

START_TEST(random_sequences)
{
	static const uint64_t seeds[] = { 1, 7, 42, 20240607 };
	for (unsigned k = 0; k < sizeof seeds / sizeof seeds[0]; k++) {
		rng = seeds[k] * 0x9E3779B97F4A7C15ull | 1;
		start(_i, k % 2 ? 1000 : 250);
		for (int n = 0; n < 4; n++) sim_spawn(&m, NULL, PERSONA_SCHED_NORMAL, 0, 0);
		for (int op = 0; op < 3000; op++) random_op();
		sim_drain(&m);
		for (int n = 1; n <= m.ntasks; n++)
			if (sim_state_of(&m, sim_task(&m, n)) != SIM_DEAD) sim_exit(&m, sim_task(&m, n));
		sim_fini(&m);
	}
}
END_TEST

/* ---- a plugin that must be caught ---- */

static const struct persona_sched_ops *garbage_ops;

START_TEST(garbage_run)
{
	sim_init(&m, garbage_ops, 1, 1000);
	for (int k = 0; k < 3; k++) sim_spawn(&m, NULL, PERSONA_SCHED_NORMAL, 0, 0);
	sim_run(&m, 100 * SIM_MS);	/* the harness must fail here */
	sim_fini(&m);
}
END_TEST

START_TEST(garbage_is_caught)
{
	garbage_ops = load_so("garbage");
	Suite *s = suite_create("garbage");
	TCase *tc = tcase_create("garbage");
	tcase_add_test(tc, garbage_run);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);	/* nested: Check keeps a second channel for it */
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run(sr, "garbage", "garbage", CK_SILENT);	/* by name: not $CK_RUN_SUITE's */
	ck_assert_int_eq(srunner_ntests_failed(sr), 1);
	TestResult **tr = srunner_failures(sr);
	const char *msg = tr_msg(tr[0]);
	ck_assert_msg(msg && strstr(msg, "garbage") && strstr(msg, "pick_next"),
		      "the harness failed, but not on pick_next: %s", msg ? msg : "(no message)");
	free(tr);
	srunner_free(sr);
}
END_TEST

Suite *sched_conformance_suite(void)
{
	Suite *s = suite_create("sched_conformance");
	TCase *tc = tcase_create("share");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, cooperative_tasks_share, 0, NR_CASES);
	tcase_add_loop_test(tc, cpu_bound_tasks_share, 0, NR_CASES);
	suite_add_tcase(s, tc);
	tc = tcase_create("states");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, blocked_tasks_never_run, 0, NR_CASES);
	tcase_add_loop_test(tc, yield_and_rewake, 0, NR_CASES);
	tcase_add_loop_test(tc, exits_free_everything, 0, NR_CASES);
	tcase_add_loop_test(tc, unsupported_policies_einval, 0, NR_CASES);
	suite_add_tcase(s, tc);
	tc = tcase_create("random");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, random_sequences, 0, NR_CASES);
	suite_add_tcase(s, tc);
	tc = tcase_create("garbage");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, garbage_is_caught);
	suite_add_tcase(s, tc);
	return s;
}
