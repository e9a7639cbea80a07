/* services/sched/sched_internal.h - between the scheduler core (sched.c), its host
 * side (sched_host.c: ptrace, /proc/TID, pinning) and the syscalls (sched_syscalls.c).
 * Tracer thread only. */
#ifndef PERSONA_SCHED_INTERNAL_H
#define PERSONA_SCHED_INTERNAL_H
#include "services/sched/sched.h"

struct sched_core {
	bool active, failing;
	unsigned ncpus, nhost, hz;
	const struct persona_sched_ops *ops;
	struct persona_sched inst;
	struct sched_cpu cpu[PERSONA_SCHED_MAX_CPUS];
	struct sched_entity *all;	/* every entity */
	struct sched_entity *gate;	/* the task in sched_may_resume: its caller resumes it */
	unsigned nr_tasks, nr_queued;
	uint64_t resched_mask;		/* CPUs to reschedule once the plugin callback returns */
	uint64_t ticks, swaps, fallbacks, preempt_irqs, native_sleeps, native_wakes;
	uint64_t start_ns;
};
extern struct sched_core sc;

struct sched_entity *se_of(struct persona_sched_task *pt);
void se_wake(struct sched_entity *se, unsigned flags);
void se_block(struct sched_entity *se, enum se_off why);
void se_dequeue(struct sched_entity *se, unsigned flags);
void sched_switch(unsigned cpu, unsigned flags);
void sched_flush(void);
void sched_watchdog(void);

/* Applies parameters the syscalls checked: the plugin's set_policy decides (0,
 * -EINVAL, -EBUSY); a queued task is dequeued and queued again around it. */
long sched_set_params(struct sched_entity *se, const struct persona_sched_attr *a, bool reset_on_fork);
void sched_set_affinity(struct sched_entity *se, uint64_t mask);

void sched_stats_record(const struct sched_entity *se);	/* sched_stats.c: at exit */

/* sched_host.c */
void sched_host_init(const struct sched_options *o);
/* Adds the real CPU time the task ran since the last call; returns it (ns). */
uint64_t sched_host_account(struct sched_entity *se);
/* se got CPU c: pin it there, take the runtime baseline, resume it if it was held
 * (unless it is the task in the gate, whose caller resumes it). */
void sched_host_run(struct sched_entity *se, unsigned c);
/* Asks the running task of c to stop (need_resched, PTRACE_INTERRUPT if it runs). */
void sched_host_preempt(unsigned c);
/* Whether the running se is sleeping in a native syscall (host state S or D), given
 * the CPU time it used since the last tick. */
bool sched_host_sleeping(struct sched_entity *se, uint64_t delta);
void sched_host_watch(struct sched_entity *se);		/* poll it at each tick */
void sched_host_unwatch(struct sched_entity *se);
void sched_host_poll_sleepers(void);
void sched_host_comm(struct sched_entity *se);		/* reads the thread's name */
void sched_host_close(struct sched_entity *se);
/* Co-location: se is placed on the tracer's host CPU while young; at a tick, one
 * that has grown up (COLO_NS of host CPU time) gets every host CPU back. */
void sched_host_colocate(struct sched_entity *se);
void sched_host_colocate_check(struct sched_entity *se);
#endif
