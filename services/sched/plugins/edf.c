/* services/sched/plugins/edf.c - "edf": SCHED_DEADLINE (Linux's kernel/sched/deadline.c,
 * Documentation/scheduler/sched-deadline.rst) over round-robin normal tasks.
 *
 * A deadline task asks for dl_runtime ns of CPU in every dl_period, within
 * dl_deadline of the period's start (runtime <= deadline <= period; period 0 means
 * period = deadline). sched_setattr's parameters are checked as Linux does
 * (-EINVAL): deadline > 0, runtime >= 1024 ns, neither deadline nor period >= 2^63,
 * runtime <= deadline <= period, and 100 us <= period <= 2^22 us (Linux's default
 * kernel.sched_deadline_period_{min,max}_us).
 *
 * Admission control (-EBUSY): the bandwidths runtime/period of all admitted tasks
 * may not add up to more than 95% of every CPU, Linux's default limit
 * (sched_rt_runtime_us / sched_rt_period_us = 950000 / 1000000), the global-EDF test
 * Linux applies. Bandwidth is fixed point with 20 fractional bits (Linux's
 * to_ratio). Leaving SCHED_DEADLINE, or exiting, gives it back at once (Linux waits
 * for the task's 0-lag time; we do not track that).
 *
 * Scheduling is global EDF on one ready queue for every CPU: a CPU runs the ready
 * deadline task with the earliest absolute deadline that may run on it, and
 * deadline tasks run before every normal one. Each is a Constant Bandwidth Server:
 *   - its runtime is consumed as it runs; at 0 it is throttled until its next
 *     period (deadline - dl_deadline + dl_period), then replenished (deadline +=
 *     period, runtime += dl_runtime, an overrun paid back) - so a task that runs
 *     longer than it asked cannot steal other tasks' guarantees;
 *   - on wake-up it keeps its deadline and runtime unless the deadline passed or
 *     keeping them would exceed its bandwidth (runtime / (deadline - now) >
 *     dl_runtime / dl_deadline); then it starts a new instance: deadline = now +
 *     dl_deadline, full runtime. (Linux's revised rule for constrained deadlines is
 *     not implemented.)
 *   - sched_yield gives up the rest of the runtime until the next period.
 * A throttled task is still queued for the core; pick_next passes it over, and the
 * replenishment, checked at every tick and pick, calls s->resched() on a CPU where
 * it should run now. Throttling is thus accurate to a tick.
 *
 * A waking deadline task preempts a CPU running a normal task or one with a later
 * deadline (select_cpu looks for such a CPU first). Normal tasks (NORMAL, BATCH,
 * IDLE; nice ignored) share what is left round robin with 4 ms slices.
 *
 * Fork: the child of a deadline task starts as a normal task with no bandwidth
 * (Linux refuses the fork with EAGAIN unless SCHED_FLAG_RESET_ON_FORK; the fork has
 * already happened when the core tells us, so we do what reset-on-fork would). */
#include <errno.h>
#include <stdlib.h>
#include "core/list.h"
#include "services/sched/plugins/fair_common.h"
#include "services/sched/sched.h"

#define EDF_BW_SHIFT		20
#define EDF_RT_RUNTIME_US	950000ull
#define EDF_RT_PERIOD_US	1000000ull
#define EDF_MIN_RUNTIME_NS	(1ull << 10)		/* Linux's DL_SCALE */
#define EDF_PERIOD_MIN_NS	(100 * 1000ull)
#define EDF_PERIOD_MAX_NS	((1ull << 22) * 1000ull)
#define EDF_RR_SLICE_NS		PERSONA_SCHED_DEFAULT_SLICE_NS

enum edf_where { EDF_OFF, EDF_RUNNING, EDF_READY, EDF_THROTTLED, EDF_NORMAL };

struct edf_entity {
	struct persona_rb_node node;	/* in edf->ready while EDF_READY */
	struct list_head link;		/* in edf->throttled or edf->normal */
	struct persona_sched_task *t;
	enum edf_where where;
	bool dl;			/* admitted SCHED_DEADLINE task */
	uint64_t dl_runtime, dl_deadline, dl_period;	/* its parameters (period filled in) */
	uint64_t dl_bw;			/* dl_runtime / dl_period << EDF_BW_SHIFT */
	int64_t runtime;		/* left in this instance; may overrun below 0 */
	uint64_t deadline;		/* absolute, s->now's clock */
	uint64_t replenish_at;		/* while throttled: the start of its next period */
	uint64_t rr_used;		/* normal task: ns of its current round-robin slice */
	uint64_t exec_seen;		/* the part of t->sum_exec_runtime already charged */
};

/* Linux's struct dl_bw, one for the whole machine */
struct dl_bw {
	uint64_t bw;			/* the limit: 95% of a CPU times the CPUs */
	uint64_t total_bw;		/* admitted */
};

struct edf {
	struct persona_rb_root ready;	/* ready deadline tasks by absolute deadline */
	struct list_head throttled;	/* deadline tasks waiting for their replenishment */
	struct list_head normal;	/* normal tasks, round robin */
	struct dl_bw dl_b;
	unsigned nr_cpus;
};

static struct edf *edf_of(struct persona_sched *s) { return s->priv; }
static struct edf_entity *ee_of(const struct persona_sched_task *t) { return t->priv; }
static struct edf_entity *ee_entry(const struct persona_rb_node *n)
{
	return persona_rb_entry(n, struct edf_entity, node);
}
static bool dl_time_before(uint64_t a, uint64_t b) { return (int64_t)(a - b) < 0; }
static bool allowed_on(const struct persona_sched_task *t, unsigned cpu) { return t->cpus_allowed >> cpu & 1; }

static uint64_t to_ratio(uint64_t period, uint64_t runtime)
{
	return (uint64_t)(((unsigned __int128)runtime << EDF_BW_SHIFT) / period);
}

static bool less_deadline(const struct persona_rb_node *a, const struct persona_rb_node *b)
{
	return dl_time_before(ee_entry(a)->deadline, ee_entry(b)->deadline);
}

/* ---- admission control ---- */

/* Linux's __checkparam_dl */
static bool checkparam_dl(const struct persona_sched_attr *a)
{
	if (a->dl_deadline == 0 || a->dl_runtime < EDF_MIN_RUNTIME_NS) return false;
	if ((a->dl_deadline | a->dl_period) & (1ull << 63)) return false;
	uint64_t period = a->dl_period ? a->dl_period : a->dl_deadline;
	if (period < a->dl_deadline || a->dl_deadline < a->dl_runtime) return false;
	return period >= EDF_PERIOD_MIN_NS && period <= EDF_PERIOD_MAX_NS;
}

/* Linux's __dl_overflow: would replacing old_bw by new_bw exceed the limit? */
static bool dl_overflow(const struct dl_bw *b, uint64_t old_bw, uint64_t new_bw)
{
	return b->total_bw - old_bw + new_bw > b->bw;
}

/* Admits e with the given parameters (period already filled in), replacing what it
 * had; -EBUSY when they do not fit. Starts a new instance now. */
static int dl_admit(struct persona_sched *s, struct edf_entity *e, uint64_t runtime,
		    uint64_t deadline, uint64_t period)
{
	struct dl_bw *b = &edf_of(s)->dl_b;
	uint64_t new_bw = to_ratio(period, runtime), old_bw = e->dl ? e->dl_bw : 0;
	if (dl_overflow(b, old_bw, new_bw)) return -EBUSY;
	b->total_bw = b->total_bw - old_bw + new_bw;
	e->dl = true;
	e->dl_bw = new_bw;
	e->dl_runtime = runtime;
	e->dl_deadline = deadline;
	e->dl_period = period;
	e->runtime = (int64_t)runtime;
	e->deadline = s->now + deadline;
	return 0;
}

static void dl_release(struct persona_sched *s, struct edf_entity *e)
{
	if (!e->dl) return;
	edf_of(s)->dl_b.total_bw -= e->dl_bw;
	e->dl = false;
	e->dl_bw = 0;
}

/* ---- CBS ---- */

/* Would running the remaining runtime by the current deadline exceed the task's
 * bandwidth? runtime / (deadline - now) > dl_runtime / dl_deadline */
static bool dl_entity_overflow(const struct edf_entity *e, uint64_t now)
{
	if (e->runtime <= 0) return false;
	unsigned __int128 left = (unsigned __int128)(uint64_t)e->runtime * e->dl_deadline;
	unsigned __int128 right = (unsigned __int128)(e->deadline - now) * e->dl_runtime;
	return left > right;
}

/* on wake-up: keep the current instance, or start a new one */
static void update_dl_entity(struct edf_entity *e, uint64_t now)
{
	if (!dl_time_before(now, e->deadline) || dl_entity_overflow(e, now)) {
		e->deadline = now + e->dl_deadline;
		e->runtime = (int64_t)e->dl_runtime;
	}
}

/* the deadline update_dl_entity would give e now (select_cpu's estimate) */
static uint64_t wakeup_deadline(const struct edf_entity *e, uint64_t now)
{
	if (!dl_time_before(now, e->deadline) || dl_entity_overflow(e, now)) return now + e->dl_deadline;
	return e->deadline;
}

/* Linux's replenish_dl_entity: next periods until the runtime is positive; a task
 * so late that its deadline passed starts afresh. The runtime is enforced at the
 * tick, so a runtime shorter than a tick overruns by up to a tick; a debt beyond one
 * runtime is forgiven, so that such a task waits at most two periods (Linux, with
 * its precise accounting, carries it all). */
static void replenish_dl_entity(struct edf_entity *e, uint64_t now)
{
	if (e->runtime < -(int64_t)e->dl_runtime) e->runtime = -(int64_t)e->dl_runtime;
	while (e->runtime <= 0) {
		e->deadline += e->dl_period;
		e->runtime += (int64_t)e->dl_runtime;
	}
	if (dl_time_before(e->deadline, now)) {
		e->deadline = now + e->dl_deadline;
		e->runtime = (int64_t)e->dl_runtime;
	}
}

static void ready_insert(struct edf *q, struct edf_entity *e)
{
	persona_rb_insert(&q->ready, &e->node, less_deadline);
	e->where = EDF_READY;
}

/* A deadline task with no runtime left waits for its next period (Linux's
 * dl_next_period); one whose next period has begun is replenished at once. */
static void throttle_or_ready(struct persona_sched *s, struct edf_entity *e)
{
	struct edf *q = edf_of(s);
	if (e->runtime > 0) {
		ready_insert(q, e);
		return;
	}
	e->replenish_at = e->deadline - e->dl_deadline + e->dl_period;
	if (!dl_time_before(s->now, e->replenish_at)) {
		replenish_dl_entity(e, s->now);
		ready_insert(q, e);
		return;
	}
	list_add_tail(&e->link, &q->throttled);
	e->where = EDF_THROTTLED;
	s->log(s, "edf: task %d throttled until %llu", e->t->tid, (unsigned long long)e->replenish_at);
}

/* The CPU where a deadline task with `deadline` should run now: an idle one (prev
 * first), else one running a normal task, else the one whose running deadline task
 * has the latest deadline, later than this one's. -1: none; it waits its turn. */
static int find_later_cpu(struct persona_sched *s, const struct edf_entity *e, uint64_t deadline,
			  unsigned prev, uint64_t idle)
{
	struct edf *q = edf_of(s);
	int normal = -1, later = -1;
	uint64_t latest = deadline;
	if (prev < q->nr_cpus && allowed_on(e->t, prev) && (idle >> prev & 1)) return (int)prev;
	for (unsigned c = 0; c < q->nr_cpus; c++) {
		if (!allowed_on(e->t, c)) continue;
		struct persona_sched_task *curr = s->curr(s, c);
		if (!curr) return (int)c;
		const struct edf_entity *ce = ee_of(curr);
		if (!ce->dl) {
			if (normal < 0 || c == prev) normal = (int)c;
		} else if (dl_time_before(latest, ce->deadline)) {
			latest = ce->deadline;
			later = (int)c;
		}
	}
	return normal >= 0 ? normal : later;
}

/* Replenishes the throttled tasks whose next period began and asks a CPU for each
 * (not `self`, which is about to pick or is deciding at its tick). */
static void replenish_due(struct persona_sched *s, int self)
{
	struct edf *q = edf_of(s);
	struct list_head *pos, *n;
	list_for_each_safe(pos, n, &q->throttled) {
		struct edf_entity *e = list_entry(pos, struct edf_entity, link);
		if (dl_time_before(s->now, e->replenish_at)) continue;
		list_del_init(&e->link);
		replenish_dl_entity(e, s->now);
		ready_insert(q, e);
		s->log(s, "edf: task %d replenished, deadline %llu", e->t->tid,
		       (unsigned long long)e->deadline);
		int c = find_later_cpu(s, e, e->deadline, e->t->cpu, 0);
		if (c >= 0 && c != self) s->resched(s, (unsigned)c);
	}
}

/* the first ready deadline task that may run on cpu */
static struct edf_entity *first_ready(struct edf *q, unsigned cpu)
{
	for (struct persona_rb_node *n = persona_rb_first(&q->ready); n; n = persona_rb_next(n))
		if (allowed_on(ee_entry(n)->t, cpu)) return ee_entry(n);
	return NULL;
}

static struct edf_entity *first_normal(struct edf *q, unsigned cpu)
{
	struct list_head *pos;
	list_for_each(pos, &q->normal) {
		struct edf_entity *e = list_entry(pos, struct edf_entity, link);
		if (allowed_on(e->t, cpu)) return e;
	}
	return NULL;
}

/* the CPU time run since the last charge: from the runtime, or the RR slice */
static void charge(struct edf_entity *e)
{
	uint64_t sum = e->t->sum_exec_runtime;
	uint64_t delta = sum > e->exec_seen ? sum - e->exec_seen : 0;
	e->exec_seen = sum;
	if (e->dl) e->runtime -= (int64_t)delta;
	else e->rr_used += delta;
}

static void take_off(struct edf *q, struct edf_entity *e)
{
	if (e->where == EDF_READY) persona_rb_erase(&q->ready, &e->node);
	else if (e->where == EDF_THROTTLED || e->where == EDF_NORMAL) list_del_init(&e->link);
	e->where = EDF_OFF;
}

/* ---- the ops ---- */

static int edf_init(struct persona_sched *s)
{
	struct edf *q = calloc(1, sizeof *q);
	if (!q) return -ENOMEM;
	persona_rb_root_init(&q->ready);
	list_init(&q->throttled);
	list_init(&q->normal);
	q->nr_cpus = s->nr_cpus ? s->nr_cpus : 1;
	q->dl_b.bw = q->nr_cpus * to_ratio(EDF_RT_PERIOD_US, EDF_RT_RUNTIME_US);
	s->priv = q;
	return 0;
}

static void edf_exit(struct persona_sched *s)
{
	free(s->priv);
	s->priv = NULL;
}

static int edf_task_init(struct persona_sched *s, struct persona_sched_task *t,
			 const struct persona_sched_task *parent)
{
	struct edf_entity *e = calloc(1, sizeof *e);
	if (!e) return -ENOMEM;
	persona_rb_node_clear(&e->node);
	list_init(&e->link);
	e->t = t;
	e->exec_seen = t->sum_exec_runtime;
	t->priv = e;
	/* a deadline task moved in by a plugin swap keeps its reservation if it fits */
	if (!parent && t->policy == PERSONA_SCHED_DEADLINE && t->dl_runtime) {
		uint64_t period = t->dl_period ? t->dl_period : t->dl_deadline;
		if (dl_admit(s, e, t->dl_runtime, t->dl_deadline, period))
			s->log(s, "edf: task %d does not fit (bandwidth); it runs as a normal task", t->tid);
	}
	return 0;
}

static void edf_task_dead(struct persona_sched *s, struct persona_sched_task *t)
{
	struct edf_entity *e = ee_of(t);
	if (!e) return;
	take_off(edf_of(s), e);
	dl_release(s, e);
	free(e);
	t->priv = NULL;
}

static void edf_enqueue(struct persona_sched *s, struct persona_sched_task *t, unsigned flags)
{
	struct edf *q = edf_of(s);
	struct edf_entity *e = ee_of(t);
	if (!e->dl) {
		if (flags & (PERSONA_ENQ_WAKEUP | PERSONA_ENQ_NEW)) e->rr_used = 0;
		list_add_tail(&e->link, &q->normal);
		e->where = EDF_NORMAL;
		return;
	}
	update_dl_entity(e, s->now);
	throttle_or_ready(s, e);
}

static void edf_dequeue(struct persona_sched *s, struct persona_sched_task *t, unsigned flags)
{
	take_off(edf_of(s), ee_of(t));
}

static struct persona_sched_task *edf_pick_next(struct persona_sched *s, unsigned cpu)
{
	struct edf *q = edf_of(s);
	replenish_due(s, (int)cpu);
	struct edf_entity *e = first_ready(q, cpu);
	if (e) {
		take_off(q, e);
		e->t->slice_ns = (uint64_t)e->runtime;
	} else if ((e = first_normal(q, cpu))) {
		take_off(q, e);
		e->t->slice_ns = EDF_RR_SLICE_NS;
	} else {
		return NULL;
	}
	e->where = EDF_RUNNING;
	return e->t;
}

static void edf_put_prev(struct persona_sched *s, struct persona_sched_task *t, unsigned cpu,
			 unsigned flags)
{
	struct edf *q = edf_of(s);
	struct edf_entity *e = ee_of(t);
	charge(e);
	e->where = EDF_OFF;
	if (!(flags & PERSONA_PUT_RUNNABLE)) return;
	if (e->dl) {
		throttle_or_ready(s, e);
		return;
	}
	/* a slice used up, or yielded, goes to the tail; one preempted by a deadline
	 * task goes back to the head with the rest of its slice */
	bool head = (flags & PERSONA_PUT_PREEMPT) && !(flags & PERSONA_PUT_YIELD) &&
		    e->rr_used < EDF_RR_SLICE_NS;
	if (!head) e->rr_used = 0;
	list_add_tail(&e->link, head ? q->normal.next : &q->normal);
	e->where = EDF_NORMAL;
}

static bool edf_tick(struct persona_sched *s, struct persona_sched_task *t, unsigned cpu,
		     uint64_t delta_ns)
{
	struct edf *q = edf_of(s);
	struct edf_entity *e = ee_of(t);
	charge(e);
	replenish_due(s, (int)cpu);
	struct edf_entity *first = first_ready(q, cpu);
	if (e->dl) {
		if (e->runtime <= 0) return true;	/* throttled at put_prev */
		return first && dl_time_before(first->deadline, e->deadline);
	}
	if (first) return true;				/* deadline tasks first */
	if (e->rr_used < EDF_RR_SLICE_NS) return false;
	if (first_normal(q, cpu)) return true;
	e->rr_used = 0;					/* alone: a new slice */
	return false;
}

static void edf_yield(struct persona_sched *s, struct persona_sched_task *t)
{
	struct edf_entity *e = ee_of(t);
	charge(e);
	if (e->dl) e->runtime = 0;	/* the rest of this instance is given up */
}

static bool edf_check_preempt(struct persona_sched *s, unsigned cpu, struct persona_sched_task *curr,
			      struct persona_sched_task *t)
{
	struct edf_entity *e = ee_of(t), *ce = ee_of(curr);
	if (!e->dl || e->where != EDF_READY) return false;
	return !ce->dl || dl_time_before(e->deadline, ce->deadline);
}

static int edf_select_cpu(struct persona_sched *s, struct persona_sched_task *t, unsigned prev_cpu,
			  uint64_t idle)
{
	struct edf_entity *e = ee_of(t);
	if (e->dl) {
		int c = find_later_cpu(s, e, wakeup_deadline(e, s->now), prev_cpu, idle);
		return c >= 0 ? c : (int)prev_cpu;
	}
	idle &= t->cpus_allowed;
	if (s->nr_cpus < 64) idle &= (1ull << s->nr_cpus) - 1;
	if (idle >> prev_cpu & 1) return (int)prev_cpu;
	return idle ? __builtin_ctzll(idle) : (int)prev_cpu;
}

static int edf_set_policy(struct persona_sched *s, struct persona_sched_task *t,
			  const struct persona_sched_attr *attr)
{
	struct edf *q = edf_of(s);
	struct edf_entity *e = ee_of(t);
	enum edf_where was = e->where;
	int err = 0;
	switch (attr->policy) {
	case PERSONA_SCHED_DEADLINE:
		if (!checkparam_dl(attr)) return -EINVAL;
		break;
	case PERSONA_SCHED_NORMAL: case PERSONA_SCHED_BATCH: case PERSONA_SCHED_IDLE:
		break;
	default:
		return -EINVAL;		/* FIFO and RR are the rt plugins' */
	}
	if (was == EDF_RUNNING) charge(e);	/* what it ran so far is the old class's */
	else if (was != EDF_OFF) take_off(q, e);	/* the core dequeues first; in case not */
	if (attr->policy == PERSONA_SCHED_DEADLINE)
		err = dl_admit(s, e, attr->dl_runtime, attr->dl_deadline,
			       attr->dl_period ? attr->dl_period : attr->dl_deadline);
	else
		dl_release(s, e);
	if (was != EDF_RUNNING && was != EDF_OFF) edf_enqueue(s, t, PERSONA_ENQ_MOVE);
	return err;
}

static uint64_t edf_timeslice(struct persona_sched *s, struct persona_sched_task *t)
{
	return ee_of(t)->dl ? 0 : EDF_RR_SLICE_NS;	/* Linux: 0 for SCHED_DEADLINE */
}

static void edf_dump(struct persona_sched *s, struct persona_sched_task *t, char *buf, size_t len)
{
	struct edf_entity *e = ee_of(t);
	size_t off = 0;
	if (len) buf[0] = '\0';
	if (!e->dl) {
		fair_dump_line(buf, len, &off, "rr.slice_used_ns", (long long)e->rr_used);
		return;
	}
	fair_dump_line(buf, len, &off, "dl.runtime", e->runtime);	/* left, ns */
	fair_dump_line(buf, len, &off, "dl.deadline", (long long)e->deadline);
	fair_dump_line(buf, len, &off, "dl.throttled", e->where == EDF_THROTTLED);
	fair_dump_line(buf, len, &off, "dl.bw", (long long)e->dl_bw);	/* << 20 */
	fair_dump_line(buf, len, &off, "dl.total_bw", (long long)edf_of(s)->dl_b.total_bw);
}

const struct persona_sched_ops sched_edf_plugin = {
	.abi_version = PERSONA_SCHED_ABI_VERSION,
	.name = "edf",
	.description = "SCHED_DEADLINE: global EDF with CBS throttling and admission control; "
		       "normal tasks round robin below",
	.policies = PERSONA_POLICY_BIT(PERSONA_SCHED_NORMAL) | PERSONA_POLICY_BIT(PERSONA_SCHED_BATCH) |
		    PERSONA_POLICY_BIT(PERSONA_SCHED_IDLE) | PERSONA_POLICY_BIT(PERSONA_SCHED_DEADLINE),
	.init = edf_init,
	.exit = edf_exit,
	.task_init = edf_task_init,
	.task_dead = edf_task_dead,
	.enqueue = edf_enqueue,
	.dequeue = edf_dequeue,
	.pick_next = edf_pick_next,
	.put_prev = edf_put_prev,
	.tick = edf_tick,
	.yield = edf_yield,
	.check_preempt = edf_check_preempt,
	.select_cpu = edf_select_cpu,
	.set_policy = edf_set_policy,
	.timeslice = edf_timeslice,
	.dump = edf_dump,
};
