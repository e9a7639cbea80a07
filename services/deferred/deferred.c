/* services/deferred/deferred.c - start-up, shutdown and counters of the deferred-work
 * machinery (Linux's boot order: softirq_init, kthreadd from rest_init,
 * spawn_ksoftirqd, workqueue_init). */
#include <errno.h>
#include <string.h>
#include "services/deferred/deferred_internal.h"
#include "services/deferred/softirq.h"

_Atomic unsigned deferred_debug;
struct deferred_counters deferred_cnt;
static unsigned running_ncpus;

bool deferred_running(void) { return running_ncpus != 0; }
unsigned deferred_ncpus(void) { return running_ncpus; }

static void counters_reset(void)
{
	atomic_ulong *c = (atomic_ulong *)&deferred_cnt;
	for (size_t i = 0; i < sizeof deferred_cnt / sizeof *c; i++) atomic_store(&c[i], 0);
	softirq_counters_reset();
}

int deferred_init(unsigned ncpus)
{
	int err;
	if (!ncpus || ncpus > PERSONA_MAX_CPUS) return -EINVAL;
	if (running_ncpus) return -EBUSY;
	counters_reset();
	softirq_init();
	running_ncpus = ncpus;
	err = kthreadd_start();
	if (!err) err = ksoftirqd_spawn(ncpus);
	if (!err) err = workqueue_init(ncpus);
	if (err) {
		log_err("cannot start the deferred-work threads: %s", strerror(-err));
		deferred_shutdown();
		return err;
	}
	DDBG(DEFERRED_DBG_KTHREAD, "deferred: started for %u cpus", ncpus);
	return 0;
}

void deferred_shutdown(void)
{
	if (!running_ncpus) return;
	workqueue_shutdown();
	ksoftirqd_stop_all();
	kthread_stop_remaining();
	kthreadd_stop();
	running_ncpus = 0;
	DDBG(DEFERRED_DBG_KTHREAD, "deferred: stopped");
}

void deferred_get_stats(struct deferred_stats *st)
{
#define LOAD(f) atomic_load_explicit(&deferred_cnt.f, memory_order_relaxed)
	st->kthreads_created = LOAD(kthreads_created);
	st->kthreads_alive = kthread_alive_count();
	st->softirq_handoffs = LOAD(softirq_handoffs);
	st->tasklets_run = LOAD(tasklets_run);
	st->tasklets_requeued = LOAD(tasklets_requeued);
	st->work_queued = LOAD(work_queued);
	st->work_run = LOAD(work_run);
	st->work_failed = LOAD(work_failed);
	st->work_canceled = LOAD(work_canceled);
	st->dwork_fired = LOAD(dwork_fired);
	st->workers_created = LOAD(workers_created);
#undef LOAD
}
