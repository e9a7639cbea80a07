/* tests/unit/sched_sim.c - the simulated-clock harness for scheduler plugins: plays
 * the scheduler core (tasks, virtual CPUs, clock, state machine) and checks every
 * answer of the plugin. The contract is in sched_sim.h. */
#include <check.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tests/unit/sched_sim.h"

/* ck_assert_msg records a mark point (a write to the runner) even when it passes, and
 * the harness checks thousands of things per simulated second: fail the same way,
 * but pay only when failing. */
#define SIM_CHECK(cond, ...) do { if (!(cond)) ck_abort_msg(__VA_ARGS__); } while (0)

#define SIM_OF(sp) ((struct sim *)((char *)(sp) - offsetof(struct sim, s)))

static const char *const state_name[] = {
	[SIM_OFF] = "off", [SIM_QUEUED] = "queued", [SIM_RUNNING] = "running",
	[SIM_DEAD] = "dead",
};

static uint64_t cpu_bit(unsigned cpu) { return 1ull << cpu; }

static uint64_t all_cpus(const struct sim *m)
{
	return m->s.nr_cpus >= 64 ? ~0ull : (1ull << m->s.nr_cpus) - 1;
}

/* The index of a task the plugin handed back; fails the test for a pointer that is
 * not one of the harness's tasks. */
static int task_index(struct sim *m, const struct persona_sched_task *t, const char *what)
{
	SIM_CHECK(t >= m->task && t < m->task + m->ntasks,
		      "%s: %s returned %p, which is not a task", m->ops->name, what, (void *)t);
	return (int)(t - m->task);
}

/* ---- the services the core offers the plugin ---- */

static struct persona_sched_task *svc_curr(struct persona_sched *s, unsigned cpu)
{
	return cpu < s->nr_cpus ? SIM_OF(s)->curr[cpu] : NULL;
}

static void svc_resched(struct persona_sched *s, unsigned cpu)
{
	SIM_CHECK(cpu < s->nr_cpus, "resched of cpu %u (%u CPUs)", cpu, s->nr_cpus);
	SIM_OF(s)->resched[cpu] = true;
}

static void svc_log(struct persona_sched *s, const char *fmt, ...)
{
	if (!SIM_OF(s)->verbose) return;
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "[%10.3f ms] ", (double)s->now / 1e6);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* ---- the invariants ---- */

/* The harness's own bookkeeping: each CPU's current task runs there, and no task
 * runs without being some CPU's current task. */
static void check_invariants(struct sim *m)
{
	int running = 0;
	for (unsigned c = 0; c < m->s.nr_cpus; c++) {
		struct persona_sched_task *t = m->curr[c];
		if (!t) continue;
		running++;
		int i = (int)(t - m->task);
		SIM_CHECK(m->state[i] == SIM_RUNNING && t->cpu == c,
			      "harness: cpu %u runs t%d, which is %s on cpu %u", c, t->tid,
			      state_name[m->state[i]], t->cpu);
	}
	for (int i = 0; i < m->ntasks; i++)
		if (m->state[i] == SIM_RUNNING) running--;
	SIM_CHECK(running == 0, "harness: running tasks and CPUs disagree");
}

static void check_work_conserving(struct sim *m)
{
	if (!m->work_conserving) return;
	for (unsigned c = 0; c < m->s.nr_cpus; c++) {
		if (m->curr[c]) continue;
		for (int i = 0; i < m->ntasks; i++)
			SIM_CHECK(m->state[i] != SIM_QUEUED ||
				      !(m->task[i].cpus_allowed & cpu_bit(c)),
				      "%s: cpu %u idles while t%d, allowed there, is queued",
				      m->ops->name, c, i + 1);
	}
}

/* ---- the transitions, each with the plugin callback and the default ---- */

static void do_enqueue(struct sim *m, struct persona_sched_task *t, unsigned flags)
{
	int i = (int)(t - m->task);
	SIM_CHECK(m->state[i] == SIM_OFF, "enqueue of t%d, which is %s", t->tid,
		      state_name[m->state[i]]);
	t->last_enqueued = m->s.now;
	m->state[i] = SIM_QUEUED;
	m->ops->enqueue(&m->s, t, flags);
}

static void do_dequeue(struct sim *m, struct persona_sched_task *t, unsigned flags)
{
	int i = (int)(t - m->task);
	SIM_CHECK(m->state[i] == SIM_QUEUED, "dequeue of t%d, which is %s", t->tid,
		      state_name[m->state[i]]);
	m->state[i] = SIM_OFF;
	m->ops->dequeue(&m->s, t, flags);
}

/* The running task of `cpu` leaves it; with PERSONA_PUT_RUNNABLE it is queued after. */
static struct persona_sched_task *do_put_prev(struct sim *m, unsigned cpu, unsigned flags)
{
	struct persona_sched_task *t = m->curr[cpu];
	SIM_CHECK(t, "harness: put_prev on idle cpu %u", cpu);
	int i = (int)(t - m->task);
	if (flags & PERSONA_PUT_RUNNABLE) t->last_enqueued = m->s.now;
	if (m->ops->put_prev)
		m->ops->put_prev(&m->s, t, cpu, flags);
	else if (flags & PERSONA_PUT_RUNNABLE)
		m->ops->enqueue(&m->s, t, 0);
	m->curr[cpu] = NULL;
	m->state[i] = (flags & PERSONA_PUT_RUNNABLE) ? SIM_QUEUED : SIM_OFF;
	return t;
}

/* `cpu` (idle) asks the plugin for a task; `prev` left it just before (or NULL). */
static void do_pick(struct sim *m, unsigned cpu, struct persona_sched_task *prev)
{
	SIM_CHECK(m->curr[cpu] == NULL, "harness: pick on busy cpu %u", cpu);
	struct persona_sched_task *next = m->ops->pick_next(&m->s, cpu);
	if (!next) return;
	int i = task_index(m, next, "pick_next");
	SIM_CHECK(m->state[i] == SIM_QUEUED, "%s: pick_next(cpu %u) returned t%d, which is %s",
		      m->ops->name, cpu, next->tid, state_name[m->state[i]]);
	SIM_CHECK(next->cpus_allowed & cpu_bit(cpu),
		      "%s: pick_next(cpu %u) returned t%d, allowed only on %#llx", m->ops->name,
		      cpu, next->tid, (unsigned long long)next->cpus_allowed);
	m->state[i] = SIM_RUNNING;
	m->curr[cpu] = next;
	next->cpu = cpu;
	next->slice_exec = 0;
	m->nr_picked[i]++;
	if (m->ntrace < SIM_TRACE_MAX)
		m->trace[m->ntrace] = (struct sim_event){ m->s.now, next->tid, cpu };
	m->ntrace++;
	if (next != prev) m->switches++;
}

/* The header's rule for a NULL select_cpu: prev_cpu if idle, else the lowest idle
 * allowed CPU, else prev_cpu (the lowest allowed CPU when prev_cpu is not allowed). */
static unsigned default_select_cpu(struct sim *m, struct persona_sched_task *t,
				   unsigned prev, uint64_t idle)
{
	uint64_t allowed = t->cpus_allowed & all_cpus(m);
	if (idle & allowed & cpu_bit(prev)) return prev;
	if (idle & allowed) return (unsigned)__builtin_ctzll(idle & allowed);
	if (allowed & cpu_bit(prev)) return prev;
	return (unsigned)__builtin_ctzll(allowed);
}

static unsigned do_select_cpu(struct sim *m, struct persona_sched_task *t)
{
	uint64_t idle = 0;
	for (unsigned c = 0; c < m->s.nr_cpus; c++)
		if (!m->curr[c]) idle |= cpu_bit(c);
	unsigned prev = t->cpu < m->s.nr_cpus ? t->cpu : 0;
	if (m->ops->select_cpu) {
		int c = m->ops->select_cpu(&m->s, t, prev, idle);
		if (c >= 0 && (unsigned)c < m->s.nr_cpus && (t->cpus_allowed & cpu_bit(c)))
			return (unsigned)c;
	}
	return default_select_cpu(m, t, prev, idle);
}

/* The CPUs react: resched flags first (preempting the running task), then every idle
 * CPU picks, `first` before the others; again until nothing is pending. */
static void settle(struct sim *m, unsigned first)
{
	unsigned n = m->s.nr_cpus;
	for (int round = 0;; round++) {
		SIM_CHECK(round < 1000, "%s: resched requests never stop", m->ops->name);
		for (unsigned k = 0; k < n; k++) {
			unsigned c = (first + k) % n;
			if (!m->resched[c]) continue;
			m->resched[c] = false;
			struct persona_sched_task *prev = NULL;
			if (m->curr[c]) {
				m->preemptions++;
				prev = do_put_prev(m, c, PERSONA_PUT_RUNNABLE | PERSONA_PUT_PREEMPT);
				if (!(prev->cpus_allowed & cpu_bit(c))) {	/* affinity changed */
					do_dequeue(m, prev, PERSONA_DEQ_MOVE);
					prev->cpu = do_select_cpu(m, prev);
					do_enqueue(m, prev, PERSONA_ENQ_MOVE);
				}
			}
			do_pick(m, c, prev);
		}
		for (unsigned k = 0; k < n; k++) {
			unsigned c = (first + k) % n;
			if (!m->curr[c]) do_pick(m, c, NULL);
		}
		bool pending = false;
		for (unsigned c = 0; c < n; c++) pending |= m->resched[c];
		if (!pending) break;
	}
	check_invariants(m);
	check_work_conserving(m);
}

/* enqueue(NEW or WAKEUP) on the CPU select_cpu chose, and the wake-up preemption */
static void activate(struct sim *m, struct persona_sched_task *t, unsigned flags)
{
	unsigned cpu = do_select_cpu(m, t);
	t->cpu = cpu;
	do_enqueue(m, t, flags);
	struct persona_sched_task *curr = m->curr[cpu];
	if (curr && m->ops->check_preempt && m->ops->check_preempt(&m->s, cpu, curr, t))
		m->resched[cpu] = true;
	settle(m, cpu);
}

/* ---- set_policy: the core's checks, the plugin's decision, the store ---- */

static int check_attr(const struct persona_sched_attr *a)
{
	switch (a->policy) {
	case PERSONA_SCHED_FIFO:
	case PERSONA_SCHED_RR:
		return a->rt_priority >= 1 && a->rt_priority <= 99 ? 0 : -EINVAL;
	case PERSONA_SCHED_NORMAL:
	case PERSONA_SCHED_BATCH:
	case PERSONA_SCHED_IDLE:
		return a->rt_priority == 0 ? 0 : -EINVAL;
	case PERSONA_SCHED_DEADLINE:
		if (a->rt_priority != 0 || a->dl_deadline == 0 || a->dl_runtime < 1024 ||
		    a->dl_runtime > a->dl_deadline || (a->dl_deadline >> 63) ||
		    (a->dl_period && a->dl_period < a->dl_deadline))
			return -EINVAL;
		return 0;
	default:
		return -EINVAL;
	}
}

/* The core's part of sched_setattr: nice clamped, ranges checked (0 or -EINVAL). */
static int normalize_attr(struct persona_sched_attr *a)
{
	if (a->nice < -20) a->nice = -20;
	if (a->nice > 19) a->nice = 19;
	return check_attr(a);
}

/* set_policy (or its default) and, on 0, the store; `a` passed normalize_attr. The
 * task's state is the caller's. */
static int apply_policy(struct sim *m, struct persona_sched_task *t,
			const struct persona_sched_attr *a_in)
{
	struct persona_sched_attr a = *a_in;
	int r;
	if (m->ops->set_policy)
		r = m->ops->set_policy(&m->s, t, &a);
	else
		r = (m->ops->policies & PERSONA_POLICY_BIT(a.policy)) ? 0 : -EINVAL;
	SIM_CHECK(r <= 0, "%s: set_policy returned %d", m->ops->name, r);
	if (r) return r;
	t->policy = a.policy;
	t->nice = a.nice;
	t->rt_priority = a.rt_priority;
	t->weight = persona_sched_nice_to_weight[a.nice + 20];
	t->dl_runtime = a.dl_runtime;
	t->dl_deadline = a.dl_deadline;
	t->dl_period = a.dl_period;
	return 0;
}

/* ---- the interface ---- */

void sim_init(struct sim *m, const struct persona_sched_ops *ops, unsigned ncpus, unsigned hz)
{
	SIM_CHECK(ncpus >= 1 && ncpus <= PERSONA_SCHED_MAX_CPUS && hz >= 1,
		  "sim_init: %u CPUs, %u Hz", ncpus, hz);
	memset(m, 0, sizeof *m);
	m->ops = ops;
	m->s.nr_cpus = ncpus;
	m->s.hz = hz;
	m->s.now = SIM_T0;
	m->s.curr = svc_curr;
	m->s.resched = svc_resched;
	m->s.log = svc_log;
	m->tick_ns = 1000000000ull / hz;
	const char *v = getenv("SIM_VERBOSE");
	m->verbose = v && *v && *v != '0';
	SIM_CHECK(ops->enqueue && ops->dequeue && ops->pick_next,
		      "%s: a required callback is missing", ops->name);
	int r = ops->init ? ops->init(&m->s) : 0;
	SIM_CHECK(r == 0, "%s: init returned %d", ops->name, r);
}

void sim_fini(struct sim *m)
{
	for (int i = 0; i < m->ntasks; i++) {
		struct persona_sched_task *t = &m->task[i];
		if (m->state[i] == SIM_DEAD) continue;
		if (m->state[i] == SIM_RUNNING) do_put_prev(m, t->cpu, PERSONA_PUT_DEAD);
		else if (m->state[i] == SIM_QUEUED) do_dequeue(m, t, PERSONA_DEQ_DEAD);
		if (m->ops->task_dead) m->ops->task_dead(&m->s, t);
		m->state[i] = SIM_DEAD;
	}
	if (m->ops->exit) m->ops->exit(&m->s);
	m->s.priv = NULL;
}

struct persona_sched_task *sim_spawn(struct sim *m, const struct persona_sched_task *parent,
				     int policy, int nice, unsigned rt_prio)
{
	SIM_CHECK(m->ntasks < SIM_MAX_TASKS, "sim: more than %d tasks", SIM_MAX_TASKS);
	int i = m->ntasks++;
	struct persona_sched_task *t = &m->task[i];
	memset(t, 0, sizeof *t);
	snprintf(m->comm[i], sizeof m->comm[i], "t%u", (unsigned)(i + 1) % 1000);
	t->tid = t->tgid = i + 1;
	t->comm = m->comm[i];
	t->policy = PERSONA_SCHED_NORMAL;
	t->weight = persona_sched_nice_to_weight[20];
	t->cpus_allowed = all_cpus(m);
	t->cpu = parent ? parent->cpu : 0;
	m->state[i] = SIM_OFF;
	m->nr_picked[i] = 0;
	int r = m->ops->task_init ? m->ops->task_init(&m->s, t, parent) : 0;
	SIM_CHECK(r == 0, "%s: task_init(t%d) returned %d", m->ops->name, t->tid, r);
	if (policy != PERSONA_SCHED_NORMAL || nice != 0 || rt_prio != 0) {
		struct persona_sched_attr a = { .policy = policy, .nice = nice, .rt_priority = rt_prio };
		r = normalize_attr(&a);
		if (r == 0) r = apply_policy(m, t, &a);
		SIM_CHECK(r == 0, "%s: set_policy(t%d, policy %d, nice %d, prio %u) returned %d",
			      m->ops->name, t->tid, policy, nice, rt_prio, r);
	}
	activate(m, t, PERSONA_ENQ_NEW);
	return t;
}

int sim_set_attr(struct sim *m, struct persona_sched_task *t, const struct persona_sched_attr *a)
{
	int i = task_index(m, t, "the test");
	SIM_CHECK(m->state[i] != SIM_DEAD, "sim_set_attr of dead t%d", t->tid);
	struct persona_sched_attr attr = *a;
	int r = normalize_attr(&attr);
	if (r) return r;
	bool queued = m->state[i] == SIM_QUEUED;
	if (queued) do_dequeue(m, t, PERSONA_DEQ_MOVE);
	r = apply_policy(m, t, &attr);
	if (queued) do_enqueue(m, t, PERSONA_ENQ_MOVE);
	if (m->state[i] == SIM_RUNNING) m->resched[t->cpu] = true;
	settle(m, t->cpu);
	return r;
}

void sim_set_affinity(struct sim *m, struct persona_sched_task *t, uint64_t mask)
{
	int i = task_index(m, t, "the test");
	mask &= all_cpus(m);
	SIM_CHECK(mask != 0, "sim_set_affinity(t%d): empty mask", t->tid);
	t->cpus_allowed = mask;
	if (m->state[i] == SIM_QUEUED) {
		do_dequeue(m, t, PERSONA_DEQ_MOVE);
		t->cpu = do_select_cpu(m, t);
		do_enqueue(m, t, PERSONA_ENQ_MOVE);
	} else if (m->state[i] == SIM_RUNNING && !(mask & cpu_bit(t->cpu))) {
		m->resched[t->cpu] = true;	/* settle moves it once it is off the CPU */
	}
	settle(m, t->cpu);
}

void sim_block(struct sim *m, struct persona_sched_task *t)
{
	int i = task_index(m, t, "the test");
	if (m->state[i] == SIM_RUNNING) {
		unsigned cpu = t->cpu;
		do_put_prev(m, cpu, PERSONA_PUT_BLOCK);
		do_pick(m, cpu, t);
		settle(m, cpu);
		return;
	}
	SIM_CHECK(m->state[i] == SIM_QUEUED, "sim_block of t%d, which is %s", t->tid,
		      state_name[m->state[i]]);
	do_dequeue(m, t, PERSONA_DEQ_SLEEP);
	settle(m, t->cpu);
}

void sim_wake(struct sim *m, struct persona_sched_task *t)
{
	int i = task_index(m, t, "the test");
	SIM_CHECK(m->state[i] == SIM_OFF, "sim_wake of t%d, which is %s", t->tid,
		      state_name[m->state[i]]);
	activate(m, t, PERSONA_ENQ_WAKEUP);
}

void sim_yield(struct sim *m, struct persona_sched_task *t)
{
	int i = task_index(m, t, "the test");
	SIM_CHECK(m->state[i] == SIM_RUNNING, "sim_yield of t%d, which is %s", t->tid,
		      state_name[m->state[i]]);
	unsigned cpu = t->cpu;
	if (m->ops->yield) m->ops->yield(&m->s, t);
	do_put_prev(m, cpu, PERSONA_PUT_RUNNABLE | PERSONA_PUT_YIELD);
	do_pick(m, cpu, t);
	settle(m, cpu);
}

void sim_exit(struct sim *m, struct persona_sched_task *t)
{
	int i = task_index(m, t, "the test");
	SIM_CHECK(m->state[i] != SIM_DEAD, "sim_exit of dead t%d", t->tid);
	unsigned cpu = t->cpu;
	bool was_running = m->state[i] == SIM_RUNNING;
	if (was_running) do_put_prev(m, cpu, PERSONA_PUT_DEAD);
	else if (m->state[i] == SIM_QUEUED) do_dequeue(m, t, PERSONA_DEQ_DEAD);
	if (m->ops->task_dead) m->ops->task_dead(&m->s, t);
	m->state[i] = SIM_DEAD;
	if (was_running) do_pick(m, cpu, t);
	settle(m, cpu < m->s.nr_cpus ? cpu : 0);
}

/* One tick of every CPU: accounting, the test's on_tick, the plugin's tick. */
static void sim_tick(struct sim *m)
{
	struct persona_sched_task *ran[PERSONA_SCHED_MAX_CPUS];
	unsigned n = m->s.nr_cpus;
	uint64_t delta = m->tick_ns;
	m->s.now += delta;
	for (unsigned c = 0; c < n; c++) {
		ran[c] = m->curr[c];
		if (!ran[c]) continue;
		ran[c]->sum_exec_runtime += delta;
		ran[c]->slice_exec += delta;
	}
	for (unsigned c = 0; c < n; c++)
		if (ran[c] && m->on_tick && m->curr[c] == ran[c]) m->on_tick(m, ran[c], m->arg);
	for (unsigned c = 0; c < n; c++) {
		struct persona_sched_task *t = ran[c];
		if (!t || m->curr[c] != t) continue;	/* on_tick blocked it, or it moved */
		bool preempt = m->ops->tick ? m->ops->tick(&m->s, t, c, delta)
					    : t->slice_exec >= PERSONA_SCHED_DEFAULT_SLICE_NS;
		if (preempt) m->resched[c] = true;
	}
	settle(m, 0);
}

void sim_run(struct sim *m, uint64_t ns)
{
	uint64_t end = m->s.now + ns;
	settle(m, 0);
	while (m->s.now < end) sim_tick(m);
}

struct persona_sched_task *sim_curr(struct sim *m, unsigned cpu)
{
	return cpu < m->s.nr_cpus ? m->curr[cpu] : NULL;
}

uint64_t sim_timeslice(struct sim *m, struct persona_sched_task *t)
{
	return m->ops->timeslice ? m->ops->timeslice(&m->s, t) : t->slice_ns;
}

int sim_drain(struct sim *m)
{
	int blocked = 0;
	for (;;) {
		settle(m, 0);
		unsigned c = 0;
		while (c < m->s.nr_cpus && !m->curr[c]) c++;
		if (c == m->s.nr_cpus) break;
		SIM_CHECK(blocked <= 4 * SIM_MAX_TASKS, "sim_drain: tasks keep running");
		sim_block(m, m->curr[c]);
		blocked++;
	}
	for (int i = 0; i < m->ntasks; i++)
		SIM_CHECK(m->state[i] != SIM_QUEUED,
			      "%s: t%d is queued but no CPU picks it (lost?)", m->ops->name, i + 1);
	return blocked;
}

enum sim_state sim_state_of(struct sim *m, const struct persona_sched_task *t)
{
	return m->state[task_index(m, t, "the test")];
}

struct persona_sched_task *sim_task(struct sim *m, int tid)
{
	return tid >= 1 && tid <= m->ntasks ? &m->task[tid - 1] : NULL;
}

int sim_trace_tid(const struct sim *m, unsigned i)
{
	return i < m->ntrace && i < SIM_TRACE_MAX ? m->trace[i].tid : 0;
}
