/* services/deferred/deferred.h - Persona's deferred-work machinery as a whole: start-up
 * and shutdown, counters for --stats, debug logging.
 *
 * The pieces (each with its own header):
 *   softirq.h    softirqs, ksoftirqd/N, interrupt context, might_sleep
 *   tasklet.h    tasklets on HI_SOFTIRQ and TASKLET_SOFTIRQ
 *   kthread.h    kernel threads, kthreadd, wake/park/stop
 *   wait.h       completions and sleeping waits (the kthread "sleeping" state)
 *   workqueue.h  work items, delayed work, workqueues, kworker pools
 * docs/deferred-work.md maps each Linux concept to them.
 *
 * Thread: deferred_init/deferred_shutdown from one thread (the supervisor's main
 * thread), not from a kthread, not in interrupt context; the counters from any thread. */
#ifndef PERSONA_DEFERRED_H
#define PERSONA_DEFERRED_H
#include <stdatomic.h>
#include <stdbool.h>

/* Debug categories of the deferred-work modules: each event is logged with log_dbg
 * (core/log.h) when its bit is set. Until core/log.h has DBG_SOFTIRQ/DBG_WORK, the
 * supervisor's --debug parser sets this mask; set it before deferred_init. */
enum deferred_debug_bit {
	DEFERRED_DBG_SOFTIRQ = 1 << 0,	/* raise, run, hand-off to ksoftirqd, tasklets */
	DEFERRED_DBG_WORK    = 1 << 1,	/* work queued, started, done, failed, canceled */
	DEFERRED_DBG_KTHREAD = 1 << 2,	/* kthread created, woken, parked, stopped */
};
extern _Atomic unsigned deferred_debug;	/* may change while threads run */

/* Starts kthreadd, ksoftirqd/0..ncpus-1, the per-CPU and unbound worker pools (one
 * kworker each to begin with), system_wq, system_highpri_wq, system_unbound_wq, and
 * the delayed-work timer. `ncpus` is 1..PERSONA_MAX_CPUS. Counters are reset.
 * Returns 0, -EINVAL (bad ncpus), -EBUSY (already started), or -errno from
 * pthread_create (everything started is stopped again). */
int deferred_init(unsigned ncpus);
/* Stops everything deferred_init started, in order: the delayed-work timer (armed
 * delayed work is dropped, never run), then every workqueue is drained (queued work
 * runs to completion, including work it queues) and destroyed, then the kworkers,
 * ksoftirqd/N (softirqs still pending stay pending), any kthread still alive
 * (kthread_stop: a kthread that never returns hangs shutdown, so its creator must
 * stop it first), and kthreadd; all threads are joined. Counters stay readable.
 * No-op when not started. */
void deferred_shutdown(void);
bool deferred_running(void);
unsigned deferred_ncpus(void);		/* ncpus of deferred_init, 0 when stopped */

/* Totals since deferred_init, for --stats (per-CPU softirq counts: softirq_count). */
struct deferred_stats {
	unsigned long kthreads_created;	/* kthread_create successes, kthreadd included */
	unsigned long kthreads_alive;	/* in the kthread list now */
	unsigned long softirq_handoffs;	/* restart limit reached: work given to ksoftirqd */
	unsigned long tasklets_run;	/* tasklet functions called */
	unsigned long tasklets_requeued;/* found running elsewhere or disabled: requeued */
	unsigned long work_queued;	/* instances queued on a worker pool */
	unsigned long work_run;		/* work callbacks that returned */
	unsigned long work_failed;	/* of which reported work_failed() */
	unsigned long work_canceled;	/* pending instances removed by a cancel */
	unsigned long dwork_fired;	/* delayed-work timers that expired */
	unsigned long workers_created;	/* kworker threads started */
};
void deferred_get_stats(struct deferred_stats *st);
#endif
