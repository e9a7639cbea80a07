/* services/sched/plugins/cfs.c - "cfs", the default plugin: Linux's Completely Fair
 * Scheduler as it was before EEVDF (kernel/sched/fair.c up to 6.5), for SCHED_NORMAL,
 * SCHED_BATCH and SCHED_IDLE.
 *
 * Each task accrues vruntime = CPU time * 1024 / weight (nice 0 weighs 1024, each
 * nice step about 1.25x, SCHED_IDLE 3), and each CPU runs the queued task with the
 * smallest vruntime, so CPU time divides in proportion to the weights. Tunables, as
 * Linux's defaults without their log2(CPUs) scaling:
 *   - target latency 6 ms: every runnable task should run once per period;
 *   - minimum granularity 0.75 ms: with more than 8 tasks the period grows to
 *     nr_running * 0.75 ms instead of shrinking the slices below it;
 *   - a task's ideal slice is period * weight / queue load (at least 0.75 ms, as
 *     Linux's BASE_SLICE feature does);
 *   - wake-up granularity 1 ms (in the waking task's virtual time): a waking task
 *     preempts when it is that much behind the running one.
 * The tick preempts when the slice is used, or when the leftmost queued task is
 * ahead by more than the slice (after at least the minimum granularity).
 *
 * Placement (place_entity): a new task starts a virtual slice after min_vruntime
 * (Linux's START_DEBIT), so that forking cannot buy CPU time and the tasks already
 * waiting run first; a waking sleeper gets at most half the target latency of
 * credit (min_vruntime - 3 ms, GENTLE_FAIR_SLEEPERS), never moving back from the
 * vruntime it had. sched_yield moves the task just behind the leftmost queued one.
 *
 * The run queues, accounting and balancing are fair_common.c's. */
#include <errno.h>
#include "services/sched/plugins/fair_common.h"
#include "services/sched/sched.h"

#define CFS_LATENCY_NS		(6 * FAIR_NSEC_PER_MSEC)
#define CFS_MIN_GRANULARITY_NS	(750 * 1000ull)
#define CFS_WAKEUP_GRANULARITY_NS (1 * FAIR_NSEC_PER_MSEC)
#define CFS_NR_LATENCY		(CFS_LATENCY_NS / CFS_MIN_GRANULARITY_NS)	/* 8 */

/* the period in which each of nr runnable tasks runs once */
static uint64_t __sched_period(unsigned nr)
{
	return nr > CFS_NR_LATENCY ? nr * CFS_MIN_GRANULARITY_NS : CFS_LATENCY_NS;
}

/* se's share of the period on rq, counting se as runnable there */
static uint64_t sched_slice(const struct fair_rq *rq, const struct fair_entity *se)
{
	unsigned nr = rq->nr_running + (se->on_rq ? 0 : 1);
	unsigned long load = rq->load + (se->on_rq ? 0 : se->weight);
	uint64_t slice = (uint64_t)((unsigned __int128)__sched_period(nr) * se->weight / load);
	return slice < CFS_MIN_GRANULARITY_NS ? CFS_MIN_GRANULARITY_NS : slice;
}

static uint64_t sched_vslice(const struct fair_rq *rq, const struct fair_entity *se)
{
	return fair_calc_delta(sched_slice(rq, se), se->weight);
}

static void place_entity(struct fair_sched *fs, struct fair_rq *rq, struct fair_entity *se,
			 unsigned flags)
{
	struct fair_rq *from = fair_rq_of(fs, se);
	if (se->fresh)
		se->vruntime = rq->min_vruntime;
	else if (from != rq)	/* keep its distance to the queue's reference point */
		se->vruntime += rq->min_vruntime - from->min_vruntime;

	uint64_t v;
	if (flags & FAIR_ENQ_MIGRATE) {		/* pulled: it keeps its turn */
		if (fair_before(rq->min_vruntime, se->vruntime)) se->vruntime = rq->min_vruntime;
		return;
	}
	if (flags & PERSONA_ENQ_NEW)
		v = rq->min_vruntime + sched_vslice(rq, se);
	else if (flags & PERSONA_ENQ_WAKEUP)
		v = rq->min_vruntime - CFS_LATENCY_NS / 2;
	else
		return;		/* a move keeps its vruntime */
	if (fair_before(se->vruntime, v)) se->vruntime = v;
}

static struct fair_entity *pick_next_entity(struct fair_sched *fs, struct fair_rq *rq)
{
	return fair_first(rq);
}

static void set_next_entity(struct fair_sched *fs, struct fair_rq *rq, struct fair_entity *se)
{
	se->t->slice_ns = sched_slice(rq, se);
}

static const struct fair_class cfs_class = {
	.by_deadline = false,
	.place_entity = place_entity,
	.pick_entity = pick_next_entity,
	.set_next_entity = set_next_entity,
};

static int cfs_init(struct persona_sched *s)
{
	return fair_init(s, &cfs_class);
}

/* Linux's check_preempt_tick: the slice is used up, or the leftmost waiting task is
 * ahead of t by more than a slice. Alone on its queue, t keeps the CPU, unless a
 * busier queue gives it a waiting task at the end of its slice (fair_balance). */
static bool cfs_tick(struct persona_sched *s, struct persona_sched_task *t, unsigned cpu,
		     uint64_t delta_ns)
{
	struct fair_sched *fs = fair_sched_of(s);
	struct fair_rq *rq = fair_curr_rq(fs, t, cpu);
	struct fair_entity *se = fair_se(t);
	fair_update_curr(fs, rq);
	uint64_t ideal = sched_slice(rq, se);
	t->slice_ns = ideal;
	if (t->slice_exec > ideal && fair_balance(fs, rq)) return true;
	if (persona_rb_empty(&rq->tasks)) return false;
	if (t->slice_exec > ideal) return true;
	if (t->slice_exec < CFS_MIN_GRANULARITY_NS) return false;
	int64_t ahead = (int64_t)(se->vruntime - fair_first(rq)->vruntime);
	return ahead > (int64_t)ideal;
}

/* Linux's check_preempt_wakeup: a waking SCHED_NORMAL task preempts when the running
 * one's vruntime exceeds its own by more than the wake-up granularity (scaled to the
 * waking task's weight); any non-idle task preempts a SCHED_IDLE one; BATCH and IDLE
 * tasks never preempt on wake-up. */
static bool cfs_check_preempt(struct persona_sched *s, unsigned cpu, struct persona_sched_task *curr,
			      struct persona_sched_task *t)
{
	struct fair_sched *fs = fair_sched_of(s);
	struct fair_entity *se = fair_se(t), *cse = fair_se(curr);
	if (!se->on_rq || se->rq != cpu) return false;
	struct fair_rq *rq = fair_curr_rq(fs, curr, cpu);
	fair_update_curr(fs, rq);
	if (cse->policy == PERSONA_SCHED_IDLE && se->policy != PERSONA_SCHED_IDLE) return true;
	if (se->policy != PERSONA_SCHED_NORMAL) return false;
	int64_t vdiff = (int64_t)(cse->vruntime - se->vruntime);
	return vdiff > (int64_t)fair_calc_delta(CFS_WAKEUP_GRANULARITY_NS, se->weight);
}

/* sched_yield: go just behind the leftmost waiting task (a tie sorts after it), so
 * it runs next; a task already behind it loses nothing. */
static void cfs_yield(struct persona_sched *s, struct persona_sched_task *t)
{
	struct fair_sched *fs = fair_sched_of(s);
	struct fair_rq *rq = fair_curr_rq(fs, t, t->cpu);
	struct fair_entity *se = fair_se(t), *left;
	fair_update_curr(fs, rq);
	left = fair_first(rq);
	if (left && fair_before(se->vruntime, left->vruntime))
		fair_set_vruntime(fs, rq, se, left->vruntime);
}

/* A new weight keeps the task's lag, its distance to min_vruntime in real time:
 * the virtual distance scales by old/new weight (Linux's reweight_entity). */
static void reweight_entity(struct fair_sched *fs, struct fair_entity *se, unsigned long weight)
{
	struct fair_rq *rq = fair_rq_of(fs, se);
	if (se->fresh || !se->on_rq) {
		if (!se->fresh)
			se->vruntime = rq->min_vruntime +
				       fair_scale((int64_t)(se->vruntime - rq->min_vruntime), se->weight, weight);
		se->weight = weight;
		return;
	}
	bool queued = rq->curr != se;
	if (!queued) fair_update_curr(fs, rq);
	else __dequeue_entity(fs, rq, se);
	fair_account_dequeue(rq, se);
	se->vruntime = rq->min_vruntime +
		       fair_scale((int64_t)(se->vruntime - rq->min_vruntime), se->weight, weight);
	se->weight = weight;
	fair_account_enqueue(rq, se);
	if (queued) __enqueue_entity(fs, rq, se);
}

static int cfs_set_policy(struct persona_sched *s, struct persona_sched_task *t,
			  const struct persona_sched_attr *attr)
{
	struct fair_sched *fs = fair_sched_of(s);
	struct fair_entity *se = fair_se(t);
	switch (attr->policy) {
	case PERSONA_SCHED_NORMAL: case PERSONA_SCHED_BATCH: case PERSONA_SCHED_IDLE:
		break;
	default:
		return -EINVAL;		/* FIFO, RR, DEADLINE are other plugins' */
	}
	reweight_entity(fs, se, fair_weight(attr->policy, attr->nice));
	se->policy = attr->policy;
	return 0;
}

static uint64_t cfs_timeslice(struct persona_sched *s, struct persona_sched_task *t)
{
	struct fair_sched *fs = fair_sched_of(s);
	struct fair_entity *se = fair_se(t);
	return sched_slice(fair_rq_of(fs, se), se);
}

static void cfs_dump(struct persona_sched *s, struct persona_sched_task *t, char *buf, size_t len)
{
	struct fair_sched *fs = fair_sched_of(s);
	struct fair_entity *se = fair_se(t);
	struct fair_rq *rq = fair_rq_of(fs, se);
	size_t off = 0;
	if (len) buf[0] = '\0';
	fair_dump_line(buf, len, &off, "se.vruntime", (long long)se->vruntime);
	fair_dump_line(buf, len, &off, "min_vruntime", (long long)rq->min_vruntime);
	fair_dump_line(buf, len, &off, "weight", (long long)se->weight);	/* 3 for SCHED_IDLE */
	fair_dump_line(buf, len, &off, "nr_running", rq->nr_running);
}

const struct persona_sched_ops sched_cfs_plugin = {
	.abi_version = PERSONA_SCHED_ABI_VERSION,
	.name = "cfs",
	.description = "Completely Fair Scheduler: vruntime order, weights from nice (default)",
	.policies = PERSONA_POLICY_BIT(PERSONA_SCHED_NORMAL) | PERSONA_POLICY_BIT(PERSONA_SCHED_BATCH) |
		    PERSONA_POLICY_BIT(PERSONA_SCHED_IDLE),
	.init = cfs_init,
	.exit = fair_exit,
	.task_init = fair_task_init,
	.task_dead = fair_task_dead,
	.enqueue = fair_enqueue,
	.dequeue = fair_dequeue,
	.pick_next = fair_pick_next,
	.put_prev = fair_put_prev,
	.tick = cfs_tick,
	.yield = cfs_yield,
	.check_preempt = cfs_check_preempt,
	.select_cpu = fair_select_cpu,
	.set_policy = cfs_set_policy,
	.timeslice = cfs_timeslice,
	.dump = cfs_dump,
};
