/* services/sched/plugins/mlfq.c - "mlfq": a multi-level feedback queue (Corbató's
 * CTSS scheduler, in the form of Arpaci-Dusseau's OSTEP ch. 8), which learns a task's
 * priority from how it uses the CPU instead of being told.
 *
 * Rules, level 0 being the highest of MLFQ_LEVELS (8):
 *   1. a higher level runs before a lower one; a waking task of a higher level than
 *      a CPU's running task preempts it, and the tick preempts for one that waits;
 *   2. within a level, round robin: the slice at level l is 4 ms << l (4 ms ... 512 ms:
 *      CPU-bound tasks sink to long slices, fewer switches);
 *   3. a task starts at the top (fork, or joining by a plugin swap);
 *   4. a task that uses its whole slice at once moves down one level; a task that
 *      blocks before that keeps its level and gets a fresh slice when it wakes, but
 *      all its CPU time at a level counts against an allotment of two slices of that
 *      level: when that is used it moves down too, so running 99% of every slice
 *      and sleeping briefly is not a way to stay on top (gaming is bounded to two
 *      slices per level per boost period);
 *   5. every second (MLFQ_BOOST_NS) every task goes back to the top with its
 *      allotments reset, so CPU-bound tasks cannot starve and a task whose behaviour
 *      changed is reassessed.
 * A task preempted by a higher level goes back to the head of its level with the
 * rest of its slice; one whose slice ended goes to the tail.
 *
 * Policies: SCHED_NORMAL; SCHED_BATCH as NORMAL but never preempting on wake-up;
 * SCHED_IDLE stays on the bottom level and is not boosted. Nice is ignored: the
 * levels are the priority, learned from behaviour (documented in `persona sched list`).
 *
 * One set of queues serves every CPU (global queues): a CPU picks the first task of
 * the highest non-empty level that may run on it, so no balancing is needed. */
#include <errno.h>
#include <stdlib.h>
#include "core/list.h"
#include "services/sched/plugins/fair_common.h"
#include "services/sched/sched.h"

#define MLFQ_LEVELS		8
#define MLFQ_BOTTOM		(MLFQ_LEVELS - 1)
#define MLFQ_BASE_SLICE_NS	PERSONA_SCHED_DEFAULT_SLICE_NS	/* 4 ms at level 0 */
#define MLFQ_ALLOT_SLICES	2
#define MLFQ_BOOST_NS		(1000 * FAIR_NSEC_PER_MSEC)

struct mlfq_entity {
	struct list_head run;		/* in level[level] while queued */
	struct list_head all;		/* in mlfq->all while in the plugin (for the boost) */
	struct persona_sched_task *t;
	int policy;			/* as set_policy accepted it */
	unsigned level;
	uint64_t slice_used;		/* ns of the current slice */
	uint64_t allot_used;		/* ns at this level since it got there (or the boost) */
	uint64_t exec_seen;		/* the part of t->sum_exec_runtime already charged */
	bool queued;
};

struct mlfq {
	struct list_head level[MLFQ_LEVELS];
	struct list_head all;
	unsigned nr_queued[MLFQ_LEVELS];
	uint64_t last_boost;
};

static struct mlfq *mlfq_of(struct persona_sched *s) { return s->priv; }
static struct mlfq_entity *me_of(const struct persona_sched_task *t) { return t->priv; }

static uint64_t level_slice(unsigned level) { return MLFQ_BASE_SLICE_NS << level; }
static uint64_t level_allotment(unsigned level) { return MLFQ_ALLOT_SLICES * level_slice(level); }

static void enqueue_level(struct mlfq *q, struct mlfq_entity *e, bool head)
{
	if (head) list_add_tail(&e->run, q->level[e->level].next);	/* before the first */
	else list_add_tail(&e->run, &q->level[e->level]);
	q->nr_queued[e->level]++;
	e->queued = true;
}

static void dequeue_level(struct mlfq *q, struct mlfq_entity *e)
{
	list_del_init(&e->run);
	q->nr_queued[e->level]--;
	e->queued = false;
}

/* Rule 5: every task to the top; queued ones keep their relative order (level by
 * level, then position). SCHED_IDLE tasks stay at the bottom. */
static void priority_boost(struct persona_sched *s, struct mlfq *q)
{
	q->last_boost = s->now;
	for (unsigned l = 1; l < MLFQ_LEVELS; l++) {
		struct list_head *pos, *n;
		list_for_each_safe(pos, n, &q->level[l]) {
			struct mlfq_entity *e = list_entry(pos, struct mlfq_entity, run);
			if (e->policy == PERSONA_SCHED_IDLE) continue;
			dequeue_level(q, e);
			e->level = 0;
			enqueue_level(q, e, false);
		}
	}
	struct list_head *pos;
	list_for_each(pos, &q->all) {
		struct mlfq_entity *e = list_entry(pos, struct mlfq_entity, all);
		if (e->policy == PERSONA_SCHED_IDLE) continue;
		e->level = 0;
		e->slice_used = e->allot_used = 0;
	}
	s->log(s, "mlfq: priority boost");
}

static void maybe_boost(struct persona_sched *s, struct mlfq *q)
{
	if (s->now - q->last_boost >= MLFQ_BOOST_NS) priority_boost(s, q);
}

/* Charges the CPU time run since the last charge; rule 4 moves the task down when
 * its slice or its allotment at this level is used. Returns true when its slice
 * ended (it starts a fresh one, maybe a level lower). */
static bool charge(struct mlfq_entity *e)
{
	uint64_t sum = e->t->sum_exec_runtime;
	uint64_t delta = sum > e->exec_seen ? sum - e->exec_seen : 0;
	e->exec_seen = sum;
	e->slice_used += delta;
	e->allot_used += delta;
	bool slice_done = e->slice_used >= level_slice(e->level);
	if (!slice_done && e->allot_used < level_allotment(e->level)) return false;
	if (e->level < MLFQ_BOTTOM) e->level++;
	e->slice_used = e->allot_used = 0;
	return true;
}

/* A task at level <= `level` (at least as high) waits and may run on cpu. */
static bool waiting_at_or_above(struct mlfq *q, unsigned level, unsigned cpu)
{
	for (unsigned l = 0; l <= level && l < MLFQ_LEVELS; l++) {
		if (!q->nr_queued[l]) continue;
		struct list_head *pos;
		list_for_each(pos, &q->level[l])
			if (list_entry(pos, struct mlfq_entity, run)->t->cpus_allowed >> cpu & 1)
				return true;
	}
	return false;
}

static int mlfq_init(struct persona_sched *s)
{
	struct mlfq *q = calloc(1, sizeof *q);
	if (!q) return -ENOMEM;
	for (unsigned l = 0; l < MLFQ_LEVELS; l++) list_init(&q->level[l]);
	list_init(&q->all);
	q->last_boost = s->now;
	s->priv = q;
	return 0;
}

static void mlfq_exit(struct persona_sched *s)
{
	free(s->priv);
	s->priv = NULL;
}

/* Rule 3: a new task starts at the top (SCHED_IDLE at the bottom). */
static int mlfq_task_init(struct persona_sched *s, struct persona_sched_task *t,
			  const struct persona_sched_task *parent)
{
	struct mlfq_entity *e = calloc(1, sizeof *e);
	if (!e) return -ENOMEM;
	list_init(&e->run);
	e->t = t;
	e->policy = t->policy;
	e->level = t->policy == PERSONA_SCHED_IDLE ? MLFQ_BOTTOM : 0;
	e->exec_seen = t->sum_exec_runtime;
	list_add_tail(&e->all, &mlfq_of(s)->all);
	t->priv = e;
	return 0;
}

static void mlfq_task_dead(struct persona_sched *s, struct persona_sched_task *t)
{
	struct mlfq_entity *e = me_of(t);
	if (!e) return;
	if (e->queued) dequeue_level(mlfq_of(s), e);
	list_del_init(&e->all);
	free(e);
	t->priv = NULL;
}

/* A waking task keeps its level with a fresh slice (its allotment runs on). */
static void mlfq_enqueue(struct persona_sched *s, struct persona_sched_task *t, unsigned flags)
{
	struct mlfq_entity *e = me_of(t);
	if (flags & (PERSONA_ENQ_WAKEUP | PERSONA_ENQ_NEW)) e->slice_used = 0;
	enqueue_level(mlfq_of(s), e, false);
}

static void mlfq_dequeue(struct persona_sched *s, struct persona_sched_task *t, unsigned flags)
{
	struct mlfq_entity *e = me_of(t);
	if (e->queued) dequeue_level(mlfq_of(s), e);
}

static struct persona_sched_task *mlfq_pick_next(struct persona_sched *s, unsigned cpu)
{
	struct mlfq *q = mlfq_of(s);
	maybe_boost(s, q);
	for (unsigned l = 0; l < MLFQ_LEVELS; l++) {
		struct list_head *pos;
		list_for_each(pos, &q->level[l]) {
			struct mlfq_entity *e = list_entry(pos, struct mlfq_entity, run);
			if (!(e->t->cpus_allowed >> cpu & 1)) continue;
			dequeue_level(q, e);
			e->t->slice_ns = level_slice(e->level);
			return e->t;
		}
	}
	return NULL;
}

static void mlfq_put_prev(struct persona_sched *s, struct persona_sched_task *t, unsigned cpu,
			  unsigned flags)
{
	struct mlfq_entity *e = me_of(t);
	charge(e);
	if (!(flags & PERSONA_PUT_RUNNABLE)) return;
	if (flags & PERSONA_PUT_YIELD) {
		/* gives up the rest of its slice, not its allotment */
		e->slice_used = 0;
		enqueue_level(mlfq_of(s), e, false);
		return;
	}
	/* preempted with slice left (by a higher level): at the head, to finish it */
	enqueue_level(mlfq_of(s), e, e->slice_used > 0);
}

/* Rules 1, 2, 4 at each tick. */
static bool mlfq_tick(struct persona_sched *s, struct persona_sched_task *t, unsigned cpu,
		      uint64_t delta_ns)
{
	struct mlfq *q = mlfq_of(s);
	struct mlfq_entity *e = me_of(t);
	bool slice_done = charge(e);
	maybe_boost(s, q);
	t->slice_ns = level_slice(e->level);
	if (e->level > 0 && waiting_at_or_above(q, e->level - 1, cpu)) return true;
	return slice_done && waiting_at_or_above(q, e->level, cpu);
}

static bool mlfq_check_preempt(struct persona_sched *s, unsigned cpu,
			       struct persona_sched_task *curr, struct persona_sched_task *t)
{
	struct mlfq_entity *e = me_of(t), *ce = me_of(curr);
	if (e->policy == PERSONA_SCHED_BATCH || e->policy == PERSONA_SCHED_IDLE) return false;
	return e->level < ce->level;
}

/* An idle CPU; else the CPU running the lowest-level task, which is the one a
 * higher-level waker can preempt (check_preempt is asked for the CPU chosen here). */
static int mlfq_select_cpu(struct persona_sched *s, struct persona_sched_task *t, unsigned prev_cpu,
			   uint64_t idle)
{
	uint64_t allowed = t->cpus_allowed;
	if (s->nr_cpus < 64) allowed &= (1ull << s->nr_cpus) - 1;
	if (!allowed) return (int)prev_cpu;
	idle &= allowed;
	if (idle >> prev_cpu & 1) return (int)prev_cpu;
	if (idle) return __builtin_ctzll(idle);
	int best = -1;
	unsigned best_level = 0;
	for (unsigned c = 0; c < s->nr_cpus; c++) {
		struct persona_sched_task *curr = (allowed >> c & 1) ? s->curr(s, c) : NULL;
		if (!curr) continue;
		unsigned l = me_of(curr)->level;
		if (best < 0 || l > best_level || (l == best_level && c == prev_cpu)) {
			best = (int)c;
			best_level = l;
		}
	}
	return best >= 0 ? best : (int)prev_cpu;
}

static int mlfq_set_policy(struct persona_sched *s, struct persona_sched_task *t,
			   const struct persona_sched_attr *attr)
{
	struct mlfq_entity *e = me_of(t);
	switch (attr->policy) {
	case PERSONA_SCHED_NORMAL: case PERSONA_SCHED_BATCH:
		break;		/* leaving SCHED_IDLE: stays at the bottom until the boost */
	case PERSONA_SCHED_IDLE:
		if (e->queued) {	/* the core takes it off first (MOVE); in case not */
			dequeue_level(mlfq_of(s), e);
			e->level = MLFQ_BOTTOM;
			enqueue_level(mlfq_of(s), e, false);
		}
		e->level = MLFQ_BOTTOM;
		break;
	default:
		return -EINVAL;
	}
	e->policy = attr->policy;
	return 0;
}

static uint64_t mlfq_timeslice(struct persona_sched *s, struct persona_sched_task *t)
{
	return level_slice(me_of(t)->level);
}

static void mlfq_dump(struct persona_sched *s, struct persona_sched_task *t, char *buf, size_t len)
{
	struct mlfq_entity *e = me_of(t);
	size_t off = 0;
	if (len) buf[0] = '\0';
	fair_dump_line(buf, len, &off, "mlfq.level", e->level);
	fair_dump_line(buf, len, &off, "mlfq.slice_ns", (long long)level_slice(e->level));
	fair_dump_line(buf, len, &off, "mlfq.slice_used_ns", (long long)e->slice_used);
	fair_dump_line(buf, len, &off, "mlfq.allotment_used_ns", (long long)e->allot_used);
}

const struct persona_sched_ops sched_mlfq_plugin = {
	.abi_version = PERSONA_SCHED_ABI_VERSION,
	.name = "mlfq",
	.description = "multi-level feedback queue: 8 levels, 4-512 ms slices, boost every 1 s; nice ignored",
	.policies = PERSONA_POLICY_BIT(PERSONA_SCHED_NORMAL) | PERSONA_POLICY_BIT(PERSONA_SCHED_BATCH) |
		    PERSONA_POLICY_BIT(PERSONA_SCHED_IDLE),
	.init = mlfq_init,
	.exit = mlfq_exit,
	.task_init = mlfq_task_init,
	.task_dead = mlfq_task_dead,
	.enqueue = mlfq_enqueue,
	.dequeue = mlfq_dequeue,
	.pick_next = mlfq_pick_next,
	.put_prev = mlfq_put_prev,
	.tick = mlfq_tick,
	.check_preempt = mlfq_check_preempt,
	.select_cpu = mlfq_select_cpu,
	.set_policy = mlfq_set_policy,
	.timeslice = mlfq_timeslice,
	.dump = mlfq_dump,
};
