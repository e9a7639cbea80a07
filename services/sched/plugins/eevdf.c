/* services/sched/plugins/eevdf.c - "eevdf": Earliest Eligible Virtual Deadline First,
 * Linux's fair scheduler since 6.6 (Stoica & Abdel-Wahab, 1995), for SCHED_NORMAL,
 * SCHED_BATCH and SCHED_IDLE.
 *
 * Virtual time is CFS's (vruntime = CPU time * 1024 / weight). V, the load-weighted
 * average vruntime of a queue, is where an ideal fluid scheduler would have every
 * task; a task's lag is V - vruntime (in virtual time), how much service it is owed.
 * A task is eligible when its lag is >= 0. Each task asks for a slice (the base
 * slice, 0.75 ms: Linux's sysctl_sched_base_slice without its log2(CPUs) scaling);
 * its virtual deadline is vruntime + slice * 1024 / weight. The CPU runs the eligible
 * task with the earliest virtual deadline: heavier tasks get nearer deadlines for the
 * same slice, so shares follow the weights as in CFS, and a task that slept owing
 * nothing waits at most about one slice of each other task.
 *
 * The queue's tree is ordered by deadline and each node keeps the smallest vruntime
 * of its subtree (fair_common.c's augment), so pick_eevdf finds its task in one
 * descent. Lag is remembered when a task leaves a queue (clamped to two slices or a
 * tick, whichever is more) and restored when it comes back (place_entity, inflated
 * by (W + w) / W so that adding the task does not shift V by its own lag); a debt
 * (negative lag) shrinks by how far V of its queue moved while it slept, so a task
 * that sleeps longer than its debt lasts comes back even, not behind (what Linux
 * 6.12 gets by leaving such a sleeper queued until it is eligible). A new
 * task starts with no lag and half a slice until its first deadline. The tick renews
 * the request when the deadline passed and preempts if someone else waits; a waking
 * task preempts when it is what pick_eevdf would choose with the running task
 * counted. sched_yield pushes the deadline one slice further.
 *
 * The run queues, accounting and balancing are fair_common.c's. */
#include <errno.h>
#include "services/sched/plugins/fair_common.h"
#include "services/sched/sched.h"

#define EEVDF_BASE_SLICE_NS	(750 * 1000ull)
#define EEVDF_DEFAULT_HZ	250

static uint64_t vslice(const struct fair_entity *se)
{
	return fair_calc_delta(EEVDF_BASE_SLICE_NS, se->weight);
}

static bool entity_eligible(const struct fair_rq *rq, const struct fair_entity *se)
{
	return fair_vruntime_eligible(rq, se->vruntime);
}

/* Linux's update_entity_lag: the lag kept is bounded, so that a task cannot bank
 * service (or debt) for ever */
static void leave_entity(struct fair_sched *fs, struct fair_rq *rq, struct fair_entity *se)
{
	uint64_t tick = 1000000000ull / (fs->s->hz ? fs->s->hz : EEVDF_DEFAULT_HZ);
	uint64_t span = 2 * EEVDF_BASE_SLICE_NS > tick ? 2 * EEVDF_BASE_SLICE_NS : tick;
	int64_t limit = (int64_t)fair_calc_delta(span, se->weight);
	int64_t lag = (int64_t)(fair_avg_vruntime(rq) - se->vruntime);
	se->vlag = lag > limit ? limit : lag < -limit ? -limit : lag;
	se->rel_deadline = (int64_t)(se->deadline - se->vruntime);
}

static void place_entity(struct fair_sched *fs, struct fair_rq *rq, struct fair_entity *se,
			 unsigned flags)
{
	int64_t lag = 0;
	if (!se->fresh && !(flags & PERSONA_ENQ_NEW)) {
		lag = se->vlag;
		if (flags & FAIR_ENQ_MIGRATE && lag < 0) lag = 0;	/* pulled: it keeps its turn */
		if (flags & PERSONA_ENQ_WAKEUP && lag < 0) {
			/* a sleeper's debt is paid by the virtual time that passed on its
			 * queue while it slept (Linux 6.12's DELAY_DEQUEUE keeps it queued,
			 * ineligible, until then) */
			int64_t paid = (int64_t)(fair_avg_vruntime(fair_rq_of(fs, se)) - se->left_avg);
			if (paid > 0) lag = lag + paid > 0 ? 0 : lag + paid;
		}
		/* joining adds weight at V - lag, which drags V by lag * w / (W + w);
		 * inflating the lag by (W + w) / W makes the lag after joining the one
		 * the task left with */
		if (rq->load) lag = fair_scale(lag, rq->load + se->weight, rq->load);
	}
	se->vruntime = fair_avg_vruntime(rq) - (uint64_t)lag;
	if (flags & PERSONA_ENQ_MOVE && !se->fresh) {
		se->deadline = se->vruntime + (uint64_t)se->rel_deadline;	/* its request goes on */
		return;
	}
	uint64_t vs = vslice(se);
	if (flags & PERSONA_ENQ_NEW) vs /= 2;	/* a new task gets to run soon, but briefly */
	se->deadline = se->vruntime + vs;
}

/* The eligible queued entity with the earliest deadline. Left subtrees hold the
 * earlier deadlines: go left whenever the left subtree has an eligible entity, else
 * take this node if eligible, else go right. */
static struct fair_entity *pick_eevdf(struct fair_sched *fs, struct fair_rq *rq)
{
	struct persona_rb_node *n = rq->tasks.node;
	while (n) {
		struct persona_rb_node *l = n->child[0];
		if (l && fair_vruntime_eligible(rq, fair_entity_of(l)->min_vruntime)) {
			n = l;
			continue;
		}
		if (entity_eligible(rq, fair_entity_of(n))) return fair_entity_of(n);
		n = n->child[1];
	}
	/* none eligible: only rounding can do this; fall back to the earliest deadline */
	return fair_first(rq);
}

static void set_next_entity(struct fair_sched *fs, struct fair_rq *rq, struct fair_entity *se)
{
	se->t->slice_ns = EEVDF_BASE_SLICE_NS;
	se->expired = false;
}

/* Linux's update_deadline: a request that was served asks for the next slice */
static void charged(struct fair_sched *fs, struct fair_rq *rq, struct fair_entity *se)
{
	if (fair_before(se->vruntime, se->deadline)) return;
	se->deadline = se->vruntime + vslice(se);
	se->expired = true;
}

static const struct fair_class eevdf_class = {
	.by_deadline = true,
	.place_entity = place_entity,
	.leave_entity = leave_entity,
	.pick_entity = pick_eevdf,
	.set_next_entity = set_next_entity,
	.charged = charged,
};

static int eevdf_init(struct persona_sched *s)
{
	return fair_init(s, &eevdf_class);
}

static bool eevdf_tick(struct persona_sched *s, struct persona_sched_task *t, unsigned cpu,
		       uint64_t delta_ns)
{
	struct fair_sched *fs = fair_sched_of(s);
	struct fair_rq *rq = fair_curr_rq(fs, t, cpu);
	struct fair_entity *se = fair_se(t);
	fair_update_curr(fs, rq);
	bool expired = se->expired;
	se->expired = false;
	if (expired && fair_balance(fs, rq)) return true;
	return expired && !persona_rb_empty(&rq->tasks);
}

/* Linux's check_preempt_wakeup_fair: preempt when the waking task is what the pick
 * would choose with the running task competing (kept only while eligible). Any
 * non-idle task preempts a SCHED_IDLE one; BATCH and IDLE wakers never preempt. */
static bool eevdf_check_preempt(struct persona_sched *s, unsigned cpu,
				struct persona_sched_task *curr, struct persona_sched_task *t)
{
	struct fair_sched *fs = fair_sched_of(s);
	struct fair_entity *se = fair_se(t), *cse = fair_se(curr);
	if (!se->on_rq || se->rq != cpu) return false;
	struct fair_rq *rq = fair_curr_rq(fs, curr, cpu);
	fair_update_curr(fs, rq);
	if (cse->policy == PERSONA_SCHED_IDLE && se->policy != PERSONA_SCHED_IDLE) return true;
	if (se->policy != PERSONA_SCHED_NORMAL) return false;
	struct fair_entity *best = pick_eevdf(fs, rq);
	if (entity_eligible(rq, cse) && (!best || fair_before(cse->deadline, best->deadline)))
		return false;
	return best == se;
}

static void eevdf_yield(struct persona_sched *s, struct persona_sched_task *t)
{
	struct fair_sched *fs = fair_sched_of(s);
	struct fair_rq *rq = fair_curr_rq(fs, t, t->cpu);
	struct fair_entity *se = fair_se(t);
	fair_update_curr(fs, rq);
	se->deadline += vslice(se);
}

/* A new weight keeps the task's lag in real time: virtual lag and the distance to
 * the deadline scale by old/new weight (Linux's reweight_eevdf). V does not move:
 * the task's weighted distance to it, w * lag, is the same before and after. */
static void reweight_entity(struct fair_sched *fs, struct fair_entity *se, unsigned long weight)
{
	struct fair_rq *rq = fair_rq_of(fs, se);
	unsigned long old = se->weight;
	if (se->fresh || !se->on_rq) {
		se->vlag = fair_scale(se->vlag, old, weight);
		se->rel_deadline = fair_scale(se->rel_deadline, old, weight);
		se->weight = weight;
		return;
	}
	bool queued = rq->curr != se;
	if (!queued) fair_update_curr(fs, rq);
	else __dequeue_entity(fs, rq, se);
	uint64_t V = fair_avg_vruntime(rq);
	int64_t lag = fair_scale((int64_t)(V - se->vruntime), old, weight);
	int64_t rel = fair_scale((int64_t)(se->deadline - se->vruntime), old, weight);
	fair_account_dequeue(rq, se);
	se->weight = weight;
	se->vruntime = V - (uint64_t)lag;
	se->deadline = se->vruntime + (uint64_t)rel;
	fair_account_enqueue(rq, se);
	if (queued) __enqueue_entity(fs, rq, se);
}

static int eevdf_set_policy(struct persona_sched *s, struct persona_sched_task *t,
			    const struct persona_sched_attr *attr)
{
	struct fair_entity *se = fair_se(t);
	switch (attr->policy) {
	case PERSONA_SCHED_NORMAL: case PERSONA_SCHED_BATCH: case PERSONA_SCHED_IDLE:
		break;
	default:
		return -EINVAL;
	}
	reweight_entity(fair_sched_of(s), se, fair_weight(attr->policy, attr->nice));
	se->policy = attr->policy;
	return 0;
}

static uint64_t eevdf_timeslice(struct persona_sched *s, struct persona_sched_task *t)
{
	return EEVDF_BASE_SLICE_NS;
}

static void eevdf_dump(struct persona_sched *s, struct persona_sched_task *t, char *buf, size_t len)
{
	struct fair_sched *fs = fair_sched_of(s);
	struct fair_entity *se = fair_se(t);
	struct fair_rq *rq = fair_rq_of(fs, se);
	size_t off = 0;
	if (len) buf[0] = '\0';
	int64_t lag = se->on_rq ? (int64_t)(fair_avg_vruntime(rq) - se->vruntime) : se->vlag;
	fair_dump_line(buf, len, &off, "se.vruntime", (long long)se->vruntime);
	fair_dump_line(buf, len, &off, "se.deadline", (long long)se->deadline);
	fair_dump_line(buf, len, &off, "se.vlag", lag);
	fair_dump_line(buf, len, &off, "eligible", lag >= 0);
	fair_dump_line(buf, len, &off, "weight", (long long)se->weight);
	fair_dump_line(buf, len, &off, "min_vruntime", (long long)rq->min_vruntime);
	fair_dump_line(buf, len, &off, "avg_vruntime", (long long)fair_avg_vruntime(rq));
}

const struct persona_sched_ops sched_eevdf_plugin = {
	.abi_version = PERSONA_SCHED_ABI_VERSION,
	.name = "eevdf",
	.description = "Earliest Eligible Virtual Deadline First (Linux 6.6+ fair scheduling)",
	.policies = PERSONA_POLICY_BIT(PERSONA_SCHED_NORMAL) | PERSONA_POLICY_BIT(PERSONA_SCHED_BATCH) |
		    PERSONA_POLICY_BIT(PERSONA_SCHED_IDLE),
	.init = eevdf_init,
	.exit = fair_exit,
	.task_init = fair_task_init,
	.task_dead = fair_task_dead,
	.enqueue = fair_enqueue,
	.dequeue = fair_dequeue,
	.pick_next = fair_pick_next,
	.put_prev = fair_put_prev,
	.tick = eevdf_tick,
	.yield = eevdf_yield,
	.check_preempt = eevdf_check_preempt,
	.select_cpu = fair_select_cpu,
	.set_policy = eevdf_set_policy,
	.timeslice = eevdf_timeslice,
	.dump = eevdf_dump,
};
