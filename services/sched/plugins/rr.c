/* services/sched/plugins/rr.c - the "rr" scheduler plugin: fifo's strict priorities
 * plus round-robin time slices (POSIX SCHED_RR, sched(7)). It is also the core's safe
 * fallback (SCHED_SAFE_PLUGIN), so it stays small: no allocation per task, and no
 * task can starve another of its own priority.
 *
 * Slices:
 *   - SCHED_RR: RR_TIMESLICE_NS (100 ms, Linux's RR_TIMESLICE). When it runs out the
 *     task goes to the tail of its priority's list, unless it is alone there (it then
 *     keeps the CPU with a new slice, as in Linux's task_tick_rt). What is left of a
 *     slice survives preemption and sleep (sched(7): a preempted SCHED_RR thread
 *     "will complete the unexpired portion of its round-robin time quantum").
 *   - SCHED_FIFO: none (sched_rr_get_interval reports 0, as in Linux).
 *   - SCHED_NORMAL/BATCH/IDLE: the same round-robin with a short slice,
 *     PERSONA_SCHED_DEFAULT_SLICE_NS (4 ms) rounded up to whole ticks (a slice ends
 *     only at a tick): 4 ticks at 1000 Hz, 1 tick at 250 Hz, 10 ms at 100 Hz. This
 *     is what keeps a CPU-bound normal task from starving the others when rr stands
 *     in for a misbehaving plugin. Nice values are not used.
 * Everything else is rt_common.c's. */
#include "services/sched/sched.h"
#include "services/sched/plugins/rt_common.h"

#define RR_TIMESLICE_NS (100 * 1000 * 1000ull)

/* The slice of a non-real-time task: the default slice in whole ticks */
static uint64_t rr_normal_slice(const struct persona_sched *s)
{
	uint64_t tick = 1000000000ull / (s->hz ? s->hz : 1);
	if (!tick) tick = 1;
	return (PERSONA_SCHED_DEFAULT_SLICE_NS + tick - 1) / tick * tick;
}

/* Linux's get_rr_interval_rt, extended to the normal tasks rr slices too */
static uint64_t rr_slice_of(struct persona_sched *s, struct persona_sched_task *t)
{
	if (rt_level_of(t) == RT_LEVEL_NORMAL) return rr_normal_slice(s);
	return t->policy == PERSONA_SCHED_RR ? RR_TIMESLICE_NS : 0;
}

/* Linux's task_tick_rt for SCHED_RR, in ns instead of jiffies */
static bool task_tick_rr(struct persona_sched *s, struct persona_sched_task *t, unsigned cpu,
			 uint64_t delta_ns)
{
	if (rt_task_tick(s, t, cpu, delta_ns)) return true;
	uint64_t full = rr_slice_of(s, t);
	t->slice_ns = full;
	if (!full) return false;
	struct rt_entity *e = rt_se(t);
	if (!e->slice_left || e->slice_left > full)	/* first run, or a new policy */
		e->slice_left = full;
	if (delta_ns < e->slice_left) {
		e->slice_left -= delta_ns;
		return false;
	}
	e->slice_left = full;
	if (!rt_has_peer(rt_rq_of(s), rt_level_of(t), cpu)) return false;
	e->flags |= RT_REQUEUE_TAIL;	/* rt_put_prev_task: to the tail, not the head */
	return true;
}

/* A new task's slice_ns is right before its first tick (sched_rr_get_interval reads
 * timeslice anyway). */
static void enqueue_task_rr(struct persona_sched *s, struct persona_sched_task *t, unsigned flags)
{
	t->slice_ns = rr_slice_of(s, t);
	rt_enqueue_task(s, t, flags);
}

const struct persona_sched_ops sched_rr_plugin = {
	.abi_version = PERSONA_SCHED_ABI_VERSION,
	.name = "rr",
	.description = "SCHED_FIFO/SCHED_RR priorities (100 ms RR slices) above round-robin SCHED_NORMAL",
	.policies = RT_POLICIES | PERSONA_POLICY_BIT(PERSONA_SCHED_RR),
	.init = rt_init,
	.exit = rt_exit,
	.task_init = rt_task_init,
	.enqueue = enqueue_task_rr,
	.dequeue = rt_dequeue_task,
	.pick_next = rt_pick_next_task,
	.put_prev = rt_put_prev_task,
	.tick = task_tick_rr,
	.check_preempt = rt_check_preempt_curr,
	.select_cpu = rt_select_task_rq,
	.timeslice = rr_slice_of,
	.dump = rt_dump,
	/* set_policy NULL: `policies` decides */
};
