/* tests/unit/test_sched_rt.c - the fifo and rr scheduler plugins
 * (services/sched/plugins/{fifo,rr,rt_common}.c), driven through the plugin ABI by
 * the simulated clock of sched_sim.c. Checked: FIFO order among equal priorities,
 * strict priority, wake-up preemption, a preempted task staying at the head and a
 * yielding one going to the tail, sched(7)'s positions after a priority change, RR's
 * 100 ms slices and sched_rr_get_interval, normal tasks below real-time ones (and
 * round-robin under rr), two or more CPUs (never one task on two, affinity,
 * preempting the CPU with the lowest priority), EINVAL for SCHED_DEADLINE, and a long
 * random sequence checked for state-machine violations, priority inversions and lost
 * tasks. */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include "services/sched/sched.h"
#include "tests/unit/sched_sim.h"
#include "tests/unit/unit.h"

#define FIFO PERSONA_SCHED_FIFO
#define RR PERSONA_SCHED_RR
#define NORMAL PERSONA_SCHED_NORMAL

/* ck_assert_msg writes a mark point even when it passes: too slow for the checks made
 * at every tick and step */
#define CHECK(cond, ...) do { if (!(cond)) ck_abort_msg(__VA_ARGS__); } while (0)

static struct sim M;	/* too big for a test's stack frame */

static const struct persona_sched_ops *const plugins[] = { &sched_fifo_plugin, &sched_rr_plugin };

static struct sim *start(const struct persona_sched_ops *ops, unsigned ncpus, unsigned hz)
{
	sim_init(&M, ops, ncpus, hz);
	M.work_conserving = true;	/* one global queue: no CPU idles while work waits */
	return &M;
}

static struct persona_sched_task *spawn(struct sim *m, int policy, unsigned prio)
{
	return sim_spawn(m, NULL, policy, 0, prio);
}

/* 1 CPU: the running task, then every task the CPU picks as sim_drain blocks them */
static int drain_order(struct sim *m, int *tids, int max)
{
	int n = 0;
	if (sim_curr(m, 0) && n < max) tids[n++] = sim_curr(m, 0)->tid;
	unsigned mark = m->ntrace;
	sim_drain(m);
	for (unsigned i = mark; i < m->ntrace && n < max; i++) tids[n++] = sim_trace_tid(m, i);
	return n;
}

static void assert_order(struct sim *m, const int *want, int n)
{
	int got[SIM_MAX_TASKS];
	int k = drain_order(m, got, SIM_MAX_TASKS);
	ck_assert_int_eq(k, n);
	for (int i = 0; i < n; i++)
		ck_assert_msg(got[i] == want[i], "%s: position %d ran t%d, expected t%d",
			      m->ops->name, i, got[i], want[i]);
}

/* ---- one CPU: order and priority ---- */

START_TEST(fifo_order_among_equals)
{
	struct sim *m = start(plugins[_i], 1, 1000);
	struct persona_sched_task *a = spawn(m, FIFO, 10), *b = spawn(m, FIFO, 10),
				  *c = spawn(m, FIFO, 10);
	ck_assert_ptr_eq(sim_curr(m, 0), a);
	sim_run(m, 1000 * SIM_MS);		/* no slices for FIFO, also under rr */
	ck_assert_ptr_eq(sim_curr(m, 0), a);
	ck_assert_uint_eq(a->sum_exec_runtime, 1000 * SIM_MS);
	ck_assert_uint_eq(m->switches, 1);
	assert_order(m, (int[]){ a->tid, b->tid, c->tid }, 3);
	sim_fini(m);
}
END_TEST

START_TEST(strict_priority)
{
	struct sim *m = start(plugins[_i], 1, 1000);
	struct persona_sched_task *h = spawn(m, FIFO, 99);
	struct persona_sched_task *p3 = spawn(m, FIFO, 3), *p50a = spawn(m, FIFO, 50),
				  *p1 = spawn(m, FIFO, 1), *p50b = spawn(m, FIFO, 50),
				  *n = spawn(m, NORMAL, 0), *p20 = spawn(m, FIFO, 20);
	ck_assert_ptr_eq(sim_curr(m, 0), h);	/* nothing preempts 99 */
	sim_run(m, 50 * SIM_MS);
	ck_assert_ptr_eq(sim_curr(m, 0), h);
	assert_order(m, (int[]){ h->tid, p50a->tid, p50b->tid, p20->tid, p3->tid, p1->tid, n->tid }, 7);
	sim_fini(m);
}
END_TEST

START_TEST(wakeup_preempts_only_higher)
{
	struct sim *m = start(plugins[_i], 1, 1000);
	struct persona_sched_task *l = spawn(m, FIFO, 10);
	struct persona_sched_task *h = spawn(m, FIFO, 50);
	ck_assert_ptr_eq(sim_curr(m, 0), h);		/* a new task preempts too */
	sim_block(m, h);
	ck_assert_ptr_eq(sim_curr(m, 0), l);
	struct persona_sched_task *e = spawn(m, FIFO, 10), *lo = spawn(m, FIFO, 5);
	ck_assert_ptr_eq(sim_curr(m, 0), l);		/* equal and lower wait */
	sim_run(m, 20 * SIM_MS);
	sim_wake(m, h);
	ck_assert_ptr_eq(sim_curr(m, 0), h);		/* at once, not at the next tick */
	ck_assert_int_eq(sim_state_of(m, l), SIM_QUEUED);
	ck_assert_int_eq(sim_state_of(m, e), SIM_QUEUED);
	ck_assert_int_eq(sim_state_of(m, lo), SIM_QUEUED);
	sim_fini(m);
}
END_TEST

START_TEST(preempted_stays_at_head)
{
	struct sim *m = start(plugins[_i], 1, 1000);
	struct persona_sched_task *a = spawn(m, FIFO, 10), *b = spawn(m, FIFO, 10),
				  *c = spawn(m, FIFO, 10);
	sim_run(m, 50 * SIM_MS);
	struct persona_sched_task *h = spawn(m, FIFO, 50);
	ck_assert_ptr_eq(sim_curr(m, 0), h);
	sim_run(m, 10 * SIM_MS);
	sim_block(m, h);
	ck_assert_ptr_eq(sim_curr(m, 0), a);		/* not b: a never left the head */
	assert_order(m, (int[]){ a->tid, b->tid, c->tid }, 3);
	sim_fini(m);
}
END_TEST

START_TEST(yield_goes_to_tail)
{
	struct sim *m = start(plugins[_i], 1, 1000);
	struct persona_sched_task *a = spawn(m, FIFO, 10), *b = spawn(m, FIFO, 10),
				  *c = spawn(m, FIFO, 10);
	sim_yield(m, a);
	ck_assert_ptr_eq(sim_curr(m, 0), b);
	assert_order(m, (int[]){ b->tid, c->tid, a->tid }, 3);
	/* yielding to nobody of its priority keeps the CPU: lower priorities still wait */
	struct persona_sched_task *x = spawn(m, FIFO, 20);
	spawn(m, FIFO, 10);
	unsigned long sw = m->switches;
	sim_yield(m, x);
	ck_assert_ptr_eq(sim_curr(m, 0), x);
	ck_assert_uint_eq(m->switches, sw);
	sim_fini(m);
}
END_TEST

/* sched(7): a changed priority puts a queued task at the tail when raised, the head
 * when lowered, and leaves it in place when unchanged. */
START_TEST(priority_change_positions)
{
	struct sim *m = start(plugins[_i], 1, 1000);
	struct persona_sched_task *h = spawn(m, FIFO, 50);
	struct persona_sched_task *a = spawn(m, FIFO, 10), *b = spawn(m, FIFO, 10),
				  *c = spawn(m, FIFO, 10), *d = spawn(m, FIFO, 5);
	struct persona_sched_attr same = { .policy = FIFO, .rt_priority = 10 },
				  lower = { .policy = FIFO, .rt_priority = 5 };
	ck_assert_int_eq(sim_set_attr(m, b, &same), 0);
	ck_assert_int_eq(sim_set_attr(m, a, &lower), 0);
	ck_assert_int_eq(sim_set_attr(m, d, &same), 0);	/* raised 5 → 10 */
	ck_assert_ptr_eq(sim_curr(m, 0), h);
	assert_order(m, (int[]){ h->tid, b->tid, c->tid, d->tid, a->tid }, 5);
	sim_fini(m);
}
END_TEST

START_TEST(running_task_lowered_is_preempted)
{
	struct sim *m = start(plugins[_i], 1, 1000);
	struct persona_sched_task *a = spawn(m, FIFO, 20), *b = spawn(m, FIFO, 10),
				  *c = spawn(m, FIFO, 5);
	struct persona_sched_attr up = { .policy = FIFO, .rt_priority = 30 },
				  down = { .policy = FIFO, .rt_priority = 5 };
	ck_assert_int_eq(sim_set_attr(m, a, &up), 0);
	ck_assert_ptr_eq(sim_curr(m, 0), a);		/* raised: keeps running */
	ck_assert_int_eq(sim_set_attr(m, a, &down), 0);
	ck_assert_ptr_eq(sim_curr(m, 0), b);
	assert_order(m, (int[]){ b->tid, a->tid, c->tid }, 3);	/* lowered: head of 5 */
	sim_fini(m);
}
END_TEST

START_TEST(normal_below_rt)
{
	struct sim *m = start(plugins[_i], 1, 1000);
	struct persona_sched_task *n = spawn(m, NORMAL, 0);
	sim_run(m, 30 * SIM_MS);
	uint64_t ran = n->sum_exec_runtime;
	struct persona_sched_task *r = spawn(m, FIFO, 1);
	ck_assert_ptr_eq(sim_curr(m, 0), r);
	sim_run(m, 500 * SIM_MS);
	ck_assert_uint_eq(n->sum_exec_runtime, ran);
	ck_assert_uint_eq(r->sum_exec_runtime, 500 * SIM_MS);
	sim_block(m, r);
	ck_assert_ptr_eq(sim_curr(m, 0), n);
	sim_fini(m);
}
END_TEST

START_TEST(fifo_normal_tasks_not_sliced)
{
	struct sim *m = start(&sched_fifo_plugin, 1, 1000);
	struct persona_sched_task *a = spawn(m, NORMAL, 0), *b = spawn(m, NORMAL, 0);
	sim_run(m, 1000 * SIM_MS);
	ck_assert_uint_eq(a->sum_exec_runtime, 1000 * SIM_MS);
	ck_assert_uint_eq(b->sum_exec_runtime, 0);
	ck_assert_uint_eq(m->switches, 1);
	sim_fini(m);
}
END_TEST

/* ---- rr: slices ---- */

static void assert_rr_alternates(unsigned hz)
{
	struct sim *m = start(&sched_rr_plugin, 1, hz);
	struct persona_sched_task *a = spawn(m, RR, 10), *b = spawn(m, RR, 10);
	sim_run(m, 1000 * SIM_MS);
	ck_assert_uint_eq(m->ntrace, 11);	/* a at 0, then a switch every 100 ms */
	for (unsigned i = 0; i < m->ntrace; i++) {
		ck_assert_uint_eq(m->trace[i].now, SIM_T0 + i * 100 * SIM_MS);
		ck_assert_int_eq(m->trace[i].tid, i % 2 ? b->tid : a->tid);
	}
	ck_assert_uint_eq(a->sum_exec_runtime, 500 * SIM_MS);
	ck_assert_uint_eq(b->sum_exec_runtime, 500 * SIM_MS);
	sim_fini(m);
}

START_TEST(rr_slices_alternate_100ms)
{
	assert_rr_alternates(1000);
	assert_rr_alternates(250);
}
END_TEST

START_TEST(rr_preempted_keeps_rest_of_slice)
{
	struct sim *m = start(&sched_rr_plugin, 1, 1000);
	struct persona_sched_task *a = spawn(m, RR, 10), *b = spawn(m, RR, 10);
	sim_run(m, 30 * SIM_MS);
	struct persona_sched_task *h = spawn(m, FIFO, 50);
	ck_assert_ptr_eq(sim_curr(m, 0), h);
	sim_run(m, 10 * SIM_MS);
	sim_block(m, h);
	ck_assert_ptr_eq(sim_curr(m, 0), a);
	sim_run(m, 69 * SIM_MS);
	ck_assert_ptr_eq(sim_curr(m, 0), a);		/* 30 + 69 ms of its 100 */
	sim_run(m, 1 * SIM_MS);
	ck_assert_ptr_eq(sim_curr(m, 0), b);
	ck_assert_uint_eq(a->sum_exec_runtime, 100 * SIM_MS);
	sim_fini(m);
}
END_TEST

START_TEST(rr_alone_keeps_cpu)
{
	struct sim *m = start(&sched_rr_plugin, 1, 1000);
	struct persona_sched_task *a = spawn(m, RR, 10), *f = spawn(m, FIFO, 5);
	sim_run(m, 1000 * SIM_MS);
	ck_assert_ptr_eq(sim_curr(m, 0), a);
	ck_assert_uint_eq(m->switches, 1);		/* slices renew without a switch */
	ck_assert_uint_eq(m->preemptions, 0);		/* ... or even a preemption */
	ck_assert_uint_eq(f->sum_exec_runtime, 0);
	sim_fini(m);
}
END_TEST

START_TEST(rr_get_interval)
{
	static const struct { unsigned hz; uint64_t normal_ns; } cases[] = {
		{ 1000, 4 * SIM_MS }, { 250, 4 * SIM_MS }, { 100, 10 * SIM_MS }, { 300, 6666666 },
	};
	for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct sim *m = start(&sched_rr_plugin, 1, cases[i].hz);
		struct persona_sched_task *n = spawn(m, NORMAL, 0), *f = spawn(m, FIFO, 1),
					  *r = spawn(m, RR, 1);
		ck_assert_uint_eq(sim_timeslice(m, r), 100 * SIM_MS);	/* Linux's RR_TIMESLICE */
		ck_assert_uint_eq(sim_timeslice(m, f), 0);
		ck_assert_uint_eq(sim_timeslice(m, n), cases[i].normal_ns);
		struct persona_sched_attr to_fifo = { .policy = FIFO, .rt_priority = 1 };
		ck_assert_int_eq(sim_set_attr(m, r, &to_fifo), 0);
		ck_assert_uint_eq(sim_timeslice(m, r), 0);
		sim_fini(m);
	}
	struct sim *m = start(&sched_fifo_plugin, 1, 1000);
	struct persona_sched_task *n = spawn(m, NORMAL, 0), *f = spawn(m, FIFO, 1);
	ck_assert_uint_eq(sim_timeslice(m, n), 0);
	ck_assert_uint_eq(sim_timeslice(m, f), 0);
	struct persona_sched_attr to_rr = { .policy = RR, .rt_priority = 1 };
	ck_assert_int_eq(sim_set_attr(m, f, &to_rr), -EINVAL);	/* fifo has no SCHED_RR */
	ck_assert_int_eq(f->policy, FIFO);
	sim_fini(m);
}
END_TEST

/* rr is the safe fallback: CPU-bound normal tasks share the CPU in 4 ms turns */
START_TEST(rr_normal_round_robin)
{
	struct sim *m = start(&sched_rr_plugin, 1, 1000);
	struct persona_sched_task *t[3];
	for (int i = 0; i < 3; i++) t[i] = spawn(m, NORMAL, 0);
	sim_run(m, 1200 * SIM_MS);
	for (int i = 0; i < 3; i++) ck_assert_uint_eq(t[i]->sum_exec_runtime, 400 * SIM_MS);
	ck_assert_uint_eq(m->switches, 301);	/* idle → t1, then one per 4 ms */
	for (unsigned i = 0; i < 6; i++)
		ck_assert_int_eq(sim_trace_tid(m, i), t[i % 3]->tid);
	sim_fini(m);
}
END_TEST

START_TEST(deadline_is_einval)
{
	struct sim *m = start(plugins[_i], 1, 1000);
	struct persona_sched_task *a = spawn(m, NORMAL, 0);
	struct persona_sched_attr dl = { .policy = PERSONA_SCHED_DEADLINE, .dl_runtime = 10 * SIM_MS,
					 .dl_deadline = 30 * SIM_MS, .dl_period = 100 * SIM_MS };
	ck_assert_int_eq(sim_set_attr(m, a, &dl), -EINVAL);
	ck_assert_int_eq(a->policy, NORMAL);
	ck_assert_ptr_eq(sim_curr(m, 0), a);
	struct persona_sched_attr batch = { .policy = PERSONA_SCHED_BATCH };
	ck_assert_int_eq(sim_set_attr(m, a, &batch), 0);	/* run as SCHED_NORMAL */
	ck_assert_int_eq(a->policy, PERSONA_SCHED_BATCH);
	sim_fini(m);
}
END_TEST

/* ---- several CPUs ---- */

static void assert_not_elsewhere(struct sim *m, struct persona_sched_task *t, void *arg)
{
	for (unsigned c = 0; c < m->s.nr_cpus; c++)
		CHECK(c == t->cpu || m->curr[c] != t, "t%d runs on cpu %u and %u", t->tid,
			      t->cpu, c);
	CHECK(t->cpus_allowed >> t->cpu & 1, "t%d runs on cpu %u, not allowed", t->tid,
		      t->cpu);
}

START_TEST(two_cpus_share_work)
{
	struct sim *m = start(plugins[_i], 2, 1000);
	m->on_tick = assert_not_elsewhere;
	struct persona_sched_task *t[5];
	for (int i = 0; i < 5; i++) t[i] = spawn(m, i < 2 ? FIFO : NORMAL, i < 2 ? 10 : 0);
	ck_assert_ptr_eq(sim_curr(m, 0), t[0]);
	ck_assert_ptr_eq(sim_curr(m, 1), t[1]);
	sim_run(m, 100 * SIM_MS);
	sim_block(m, t[0]);
	sim_block(m, t[1]);
	sim_run(m, 1200 * SIM_MS);
	uint64_t total = 0;
	for (int i = 2; i < 5; i++) {
		total += t[i]->sum_exec_runtime;
		if (m->ops == &sched_rr_plugin)	/* round-robin over 2 CPUs: 800 ms each, ±1 slice */
			ck_assert_msg(t[i]->sum_exec_runtime >= 796 * SIM_MS &&
				      t[i]->sum_exec_runtime <= 804 * SIM_MS, "t%d ran %llu ns",
				      t[i]->tid, (unsigned long long)t[i]->sum_exec_runtime);
	}
	ck_assert_uint_eq(total, 2400 * SIM_MS);	/* both CPUs busy the whole time */
	sim_fini(m);
}
END_TEST

START_TEST(wakeup_preempts_lowest_cpu)
{
	struct sim *m = start(plugins[_i], 2, 1000);
	struct persona_sched_task *a = spawn(m, FIFO, 30), *b = spawn(m, FIFO, 10);
	ck_assert_ptr_eq(sim_curr(m, 0), a);
	ck_assert_ptr_eq(sim_curr(m, 1), b);
	struct persona_sched_task *w = sim_spawn(m, a, FIFO, 0, 20);	/* forked on cpu 0 */
	ck_assert_ptr_eq(sim_curr(m, 0), a);
	ck_assert_ptr_eq(sim_curr(m, 1), w);
	ck_assert_int_eq(sim_state_of(m, b), SIM_QUEUED);
	/* b, preempted, goes where it can run as soon as a CPU frees up */
	sim_block(m, a);
	ck_assert_ptr_eq(sim_curr(m, 0), b);
	sim_fini(m);
}
END_TEST

START_TEST(affinity_honoured)
{
	struct sim *m = start(plugins[_i], 2, 1000);
	m->on_tick = assert_not_elsewhere;
	struct persona_sched_task *p = spawn(m, FIFO, 50), *q = spawn(m, NORMAL, 0);
	ck_assert_ptr_eq(sim_curr(m, 0), p);
	ck_assert_ptr_eq(sim_curr(m, 1), q);
	struct persona_sched_task *a = spawn(m, FIFO, 10);
	ck_assert_ptr_eq(sim_curr(m, 1), a);		/* preempts the normal task */
	sim_set_affinity(m, a, 1u << 0);		/* cpu 0 only, where 50 runs */
	ck_assert_int_eq(sim_state_of(m, a), SIM_QUEUED);
	ck_assert_ptr_eq(sim_curr(m, 1), q);
	sim_run(m, 500 * SIM_MS);
	ck_assert_int_eq(sim_state_of(m, a), SIM_QUEUED);
	ck_assert_ptr_eq(sim_curr(m, 1), q);		/* cpu 1 never takes a */
	uint64_t ran = a->sum_exec_runtime;
	sim_block(m, p);
	ck_assert_ptr_eq(sim_curr(m, 0), a);
	sim_run(m, 100 * SIM_MS);
	ck_assert_uint_eq(a->sum_exec_runtime, ran + 100 * SIM_MS);
	/* allowed on cpu 1 again: a queued task there of lower priority makes room */
	sim_set_affinity(m, q, 1u << 0);		/* q runs on 1: moved to 0, waits */
	ck_assert_int_eq(sim_state_of(m, q), SIM_QUEUED);
	ck_assert_ptr_eq(sim_curr(m, 1), NULL);
	sim_set_affinity(m, q, 3);
	ck_assert_ptr_eq(sim_curr(m, 1), q);
	sim_fini(m);
}
END_TEST

/* ---- a long random sequence ---- */

static uint64_t rng_state;
static uint32_t rnd(void)	/* xorshift64*: the same sequence on every libc */
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 2685821657736338717ull) >> 32);
}

static unsigned rank(const struct persona_sched_task *t)	/* higher runs first */
{
	return t->policy == FIFO || t->policy == RR ? t->rt_priority : 0;
}

/* The plugins' promise across CPUs: no queued task may run on a CPU that runs a lower
 * priority or idles. */
static void assert_no_inversion(struct sim *m)
{
	for (unsigned c = 0; c < m->s.nr_cpus; c++) {
		struct persona_sched_task *curr = m->curr[c];
		for (int i = 0; i < m->ntasks; i++) {
			struct persona_sched_task *t = &m->task[i];
			if (m->state[i] != SIM_QUEUED || !(t->cpus_allowed >> c & 1)) continue;
			CHECK(curr && rank(t) <= rank(curr),
				      "%s: t%d (prio %u) waits while cpu %u runs %s%d (prio %u)",
				      m->ops->name, t->tid, rank(t), c, curr ? "t" : "idle ",
				      curr ? curr->tid : 0, curr ? rank(curr) : 0);
		}
	}
}

static struct persona_sched_task *random_in(struct sim *m, unsigned states)
{
	int cand[SIM_MAX_TASKS], n = 0;
	for (int i = 0; i < m->ntasks; i++)
		if (states >> m->state[i] & 1) cand[n++] = i;
	return n ? &m->task[cand[rnd() % n]] : NULL;
}
#define ST(x) (1u << (x))

static void random_attr(struct sim *m, struct persona_sched_task *t)
{
	static const int policies[] = { NORMAL, PERSONA_SCHED_BATCH, PERSONA_SCHED_IDLE, FIFO,
					FIFO, RR, RR, PERSONA_SCHED_DEADLINE };
	struct persona_sched_attr a = { .policy = policies[rnd() % 8] };
	bool rt = a.policy == FIFO || a.policy == RR;
	if (rt) a.rt_priority = 1 + rnd() % 5 * 20;	/* few levels: many equals */
	if (a.policy == PERSONA_SCHED_DEADLINE) {
		a.dl_runtime = SIM_MS;
		a.dl_deadline = a.dl_period = 10 * SIM_MS;
	}
	bool ok = (m->ops->policies >> a.policy & 1) && a.policy != PERSONA_SCHED_DEADLINE;
	int r = sim_set_attr(m, t, &a);
	CHECK(r == (ok ? 0 : -EINVAL), "set_attr(t%d, policy %d) = %d", t->tid, a.policy, r);
}

/* Blocks everything, checking nothing queued is lost, then wakes it all again. */
static void drain_and_rewake(struct sim *m)
{
	bool was[SIM_MAX_TASKS];
	for (int i = 0; i < m->ntasks; i++)
		was[i] = m->state[i] == SIM_QUEUED || m->state[i] == SIM_RUNNING;
	sim_drain(m);
	for (int i = 0; i < m->ntasks; i++) {
		if (!was[i]) continue;
		CHECK(m->nr_picked[i] > 0, "t%d never ran", i + 1);
		sim_wake(m, &m->task[i]);
	}
}

static void random_run(const struct persona_sched_ops *ops, unsigned ncpus, uint64_t seed)
{
	struct sim *m = start(ops, ncpus, 1000);
	rng_state = seed;
	for (int i = 0; i < 4; i++) spawn(m, NORMAL, 0);
	for (int step = 0; step < 20000; step++) {
		struct persona_sched_task *t;
		unsigned r = rnd() % 100;
		if (r < 6) {
			if (m->ntasks < SIM_MAX_TASKS) {
				t = random_in(m, ST(SIM_RUNNING));
				int pol = rnd() % 3 == 0 ? NORMAL : (ops->policies >> RR & 1) && rnd() % 2 ? RR : FIFO;
				sim_spawn(m, t, pol, 0, pol == NORMAL ? 0 : 1 + rnd() % 5 * 20);
			}
		} else if (r < 28) {
			if ((t = random_in(m, ST(SIM_RUNNING) | ST(SIM_QUEUED)))) sim_block(m, t);
		} else if (r < 52) {
			if ((t = random_in(m, ST(SIM_OFF)))) sim_wake(m, t);
		} else if (r < 60) {
			if ((t = random_in(m, ST(SIM_RUNNING)))) sim_yield(m, t);
		} else if (r < 63) {
			if ((t = random_in(m, ST(SIM_RUNNING) | ST(SIM_QUEUED) | ST(SIM_OFF))))
				sim_exit(m, t);
		} else if (r < 73) {
			if ((t = random_in(m, ST(SIM_RUNNING) | ST(SIM_QUEUED) | ST(SIM_OFF))))
				random_attr(m, t);
		} else if (r < 78) {
			if ((t = random_in(m, ST(SIM_RUNNING) | ST(SIM_QUEUED) | ST(SIM_OFF)))) {
				uint64_t mask = rnd() & ((1ull << ncpus) - 1);
				sim_set_affinity(m, t, mask ? mask : 1ull << (rnd() % ncpus));
			}
		} else {
			sim_run(m, (1 + rnd() % 30) * SIM_MS);
		}
		assert_no_inversion(m);
		if (step % 2500 == 2499) drain_and_rewake(m);
	}
	sim_drain(m);
	sim_fini(m);
}

START_TEST(random_sequence)
{
	for (unsigned ncpus = 1; ncpus <= 4; ncpus++)
		random_run(plugins[_i], ncpus, 0x5eed0000u + ncpus);
}
END_TEST

Suite *sched_rt_suite(void)
{
	Suite *s = suite_create("sched_rt");
	TCase *tc = tcase_create("fifo_rr");
	tcase_set_timeout(tc, 120);
	/* _i: 0 fifo, 1 rr */
	tcase_add_loop_test(tc, fifo_order_among_equals, 0, 2);
	tcase_add_loop_test(tc, strict_priority, 0, 2);
	tcase_add_loop_test(tc, wakeup_preempts_only_higher, 0, 2);
	tcase_add_loop_test(tc, preempted_stays_at_head, 0, 2);
	tcase_add_loop_test(tc, yield_goes_to_tail, 0, 2);
	tcase_add_loop_test(tc, priority_change_positions, 0, 2);
	tcase_add_loop_test(tc, running_task_lowered_is_preempted, 0, 2);
	tcase_add_loop_test(tc, normal_below_rt, 0, 2);
	tcase_add_test(tc, fifo_normal_tasks_not_sliced);
	tcase_add_test(tc, rr_slices_alternate_100ms);
	tcase_add_test(tc, rr_preempted_keeps_rest_of_slice);
	tcase_add_test(tc, rr_alone_keeps_cpu);
	tcase_add_test(tc, rr_get_interval);
	tcase_add_test(tc, rr_normal_round_robin);
	tcase_add_loop_test(tc, deadline_is_einval, 0, 2);
	tcase_add_loop_test(tc, two_cpus_share_work, 0, 2);
	tcase_add_loop_test(tc, wakeup_preempts_lowest_cpu, 0, 2);
	tcase_add_loop_test(tc, affinity_honoured, 0, 2);
	tcase_add_loop_test(tc, random_sequence, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}
