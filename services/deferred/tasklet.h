/* services/deferred/tasklet.h - tasklets: deferred functions run by HI_SOFTIRQ
 * (tasklet_hi_schedule) and TASKLET_SOFTIRQ (tasklet_schedule) (kernel/softirq.c).
 *
 * A scheduled tasklet is queued on the per-CPU list of the scheduling thread's CPU
 * (smp_processor_id()) and runs once in that CPU's softirq, however many times it was
 * scheduled before it ran; scheduling it while it runs makes it run again afterwards.
 * The state bits are Linux's: TASKLET_STATE_SCHED (queued, not yet started) and
 * TASKLET_STATE_RUN (running): a tasklet never runs on two CPUs at once (a CPU that
 * finds it running elsewhere requeues it and raises its softirq again), while
 * different tasklets run concurrently on different CPUs. A disabled tasklet stays
 * queued until enabled.
 *
 * Contexts: the tasklet function runs in softirq context and must not sleep.
 * tasklet_schedule/tasklet_hi_schedule/tasklet_enable/tasklet_disable_nosync: any
 * thread, any context. tasklet_disable, tasklet_unlock_wait, tasklet_kill wait for a
 * running instance: process context only (tasklet_kill also needs the softirq of the
 * CPU it is queued on to run: ksoftirqd, i.e. after deferred_init, or a thread calling
 * do_softirq for it). */
#ifndef PERSONA_TASKLET_H
#define PERSONA_TASKLET_H
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

enum {
	TASKLET_STATE_SCHED,	/* scheduled for execution */
	TASKLET_STATE_RUN,	/* running */
};

struct tasklet_struct {
	struct tasklet_struct *next;	/* per-CPU list link */
	atomic_ulong state;		/* 1 << TASKLET_STATE_SCHED | 1 << ..._RUN */
	atomic_int count;		/* disable depth: runs only at 0 */
	bool use_callback;
	union {
		void (*func)(unsigned long data);		/* tasklet_init */
		void (*callback)(struct tasklet_struct *t);	/* tasklet_setup */
	};
	unsigned long data;
};

#define DECLARE_TASKLET(name, _callback) \
	struct tasklet_struct name = { .use_callback = true, .callback = _callback }
#define DECLARE_TASKLET_DISABLED(name, _callback) \
	struct tasklet_struct name = { .count = 1, .use_callback = true, .callback = _callback }
/* from_tasklet(var, t, field): the structure containing tasklet t as member field */
#define from_tasklet(var, callback_tasklet, tasklet_fieldname) \
	((__typeof__(var))((char *)(callback_tasklet) - \
			   offsetof(__typeof__(*(var)), tasklet_fieldname)))

void tasklet_init(struct tasklet_struct *t, void (*func)(unsigned long), unsigned long data);
void tasklet_setup(struct tasklet_struct *t, void (*callback)(struct tasklet_struct *));

/* Queues t on this CPU's TASKLET_SOFTIRQ (HI_SOFTIRQ) list unless already scheduled,
 * and raises the softirq. */
void tasklet_schedule(struct tasklet_struct *t);
void tasklet_hi_schedule(struct tasklet_struct *t);

void tasklet_disable_nosync(struct tasklet_struct *t);	/* count++ */
void tasklet_disable(struct tasklet_struct *t);		/* count++, wait until not running */
void tasklet_enable(struct tasklet_struct *t);		/* count-- */
void tasklet_unlock_wait(struct tasklet_struct *t);	/* wait until not running */
/* Waits until t is neither scheduled nor running, and leaves it unscheduled; a
 * tasklet that reschedules itself must stop doing so first. */
void tasklet_kill(struct tasklet_struct *t);

/* The softirq handlers (tasklet_action, tasklet_hi_action); softirq_init opens them. */
void tasklet_action(unsigned cpu);
void tasklet_hi_action(unsigned cpu);
#endif
