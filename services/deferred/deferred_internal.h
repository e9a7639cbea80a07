/* services/deferred/deferred_internal.h - what the deferred-work files share and no
 * one else uses: counters, debug logging, start/stop of each piece. */
#ifndef PERSONA_DEFERRED_INTERNAL_H
#define PERSONA_DEFERRED_INTERNAL_H
#include <stdatomic.h>
#include "core/log.h"
#include "services/deferred/deferred.h"
#include "services/deferred/kthread.h"

#define DDBG(bit, ...) do {							\
	if (atomic_load_explicit(&deferred_debug, memory_order_relaxed) & (bit))	\
		log_dbg(__VA_ARGS__);						\
} while (0)

/* counters behind deferred_get_stats (relaxed atomics) */
struct deferred_counters {
	atomic_ulong kthreads_created, softirq_handoffs, tasklets_run, tasklets_requeued,
		work_queued, work_run, work_failed, work_canceled, dwork_fired,
		workers_created;
};
extern struct deferred_counters deferred_cnt;
#define DCOUNT(field) atomic_fetch_add_explicit(&deferred_cnt.field, 1, memory_order_relaxed)

/* softirq.c */
void softirq_counters_reset(void);
/* Softirq context without a CPU: the delayed-work timer runs its callbacks in it, as
 * Linux runs timer functions from TIMER_SOFTIRQ. */
void softirq_context_enter(void);
void softirq_context_exit(void);

enum softirq_run { SOFTIRQ_DONE, SOFTIRQ_BUSY, SOFTIRQ_HANDED_OFF };
/* do_softirq that tells what happened: DONE (nothing left), BUSY (another thread
 * serves the CPU, or in interrupt context), HANDED_OFF (restart limit reached). */
enum softirq_run softirq_run_cpu(unsigned cpu);

/* ksoftirqd.c: ksoftirqd/0..ncpus-1; 0 or -errno */
int ksoftirqd_spawn(unsigned ncpus);
void ksoftirqd_stop_all(void);

/* kthread.c */
int kthreadd_start(void);			/* 0 or -errno */
void kthreadd_stop(void);
void kthread_stop_remaining(void);		/* kthread_stop every kthread but kthreadd */
unsigned long kthread_alive_count(void);
/* The calling kthread's wait state while it blocks (no-op outside kthreads). */
void kthread_set_wait_state(enum kthread_state st);

/* workqueue: pools, system workqueues, the delayed-work timer */
int workqueue_init(unsigned ncpus);		/* 0 or -errno */
void workqueue_shutdown(void);
#endif
