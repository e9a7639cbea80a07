/* services/sched/plugins/fifo.c - the "fifo" scheduler plugin: strict priorities with
 * no time slices (POSIX SCHED_FIFO, sched(7)).
 *
 * SCHED_FIFO tasks of priority 1..99 run before everything else, the highest priority
 * first and, within a priority, in the order they became runnable; a task runs until
 * it blocks, yields or a higher priority wakes up (then it goes back to the head of
 * its list). SCHED_NORMAL, BATCH and IDLE tasks run below all of them, in FIFO order
 * too and without slices: under this plugin a CPU-bound normal task keeps its CPU
 * until it blocks (use rr for round-robin). SCHED_RR and SCHED_DEADLINE are refused
 * with EINVAL (the default set_policy, from `policies`).
 *
 * The run queue (one global priority array for all virtual CPUs) is rt_common.c's;
 * this file only chooses the callbacks. */
#include "services/sched/sched.h"
#include "services/sched/plugins/rt_common.h"

const struct persona_sched_ops sched_fifo_plugin = {
	.abi_version = PERSONA_SCHED_ABI_VERSION,
	.name = "fifo",
	.description = "strict priorities: SCHED_FIFO 1..99 above SCHED_NORMAL, FIFO order, no slices",
	.policies = RT_POLICIES,
	.init = rt_init,
	.exit = rt_exit,
	.task_init = rt_task_init,
	.enqueue = rt_enqueue_task,
	.dequeue = rt_dequeue_task,
	.pick_next = rt_pick_next_task,
	.put_prev = rt_put_prev_task,
	.tick = rt_task_tick,
	.check_preempt = rt_check_preempt_curr,
	.select_cpu = rt_select_task_rq,
	.dump = rt_dump,
	/* set_policy NULL: `policies` decides; timeslice NULL: slice_ns, always 0 here */
};
