/* services/deferred/ksoftirqd.c - ksoftirqd/N, one per virtual CPU (kernel/softirq.c:
 * run_ksoftirqd, spawn_ksoftirqd, on kernel/smpboot.c's smpboot_thread_fn loop).
 *
 * ksoftirqd/N sleeps until woken (wakeup_softirqd: a raise outside interrupt
 * context, or do_softirq reaching its restart limit) and runs CPU N's softirqs while
 * any are pending, yielding between rounds (cond_resched). */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include "services/deferred/deferred_internal.h"
#include "services/deferred/softirq.h"

static struct kthread *ksoftirqd[PERSONA_MAX_CPUS];
/* Guards ksoftirqd[cpu] against wakeup_softirqd racing with ksoftirqd_stop_all. */
static pthread_mutex_t ksoftirqd_lock[PERSONA_MAX_CPUS] = {
	[0 ... PERSONA_MAX_CPUS - 1] = PTHREAD_MUTEX_INITIALIZER
};

/* wakeup_softirqd() */
void wakeup_softirqd(unsigned cpu)
{
	if (cpu >= PERSONA_MAX_CPUS) return;
	pthread_mutex_lock(&ksoftirqd_lock[cpu]);
	if (ksoftirqd[cpu]) wake_up_process(ksoftirqd[cpu]);
	pthread_mutex_unlock(&ksoftirqd_lock[cpu]);
}

/* smpboot_thread_fn() + run_ksoftirqd(). When another thread serves the CPU
 * (SOFTIRQ_BUSY), it looks at the pending mask again after letting go, so sleeping
 * is safe. */
static int ksoftirqd_fn(void *data)
{
	unsigned cpu = (unsigned)(uintptr_t)data;
	while (!kthread_should_stop()) {
		if (kthread_should_park()) {
			kthread_parkme();
			continue;
		}
		if (!softirq_pending(cpu) || softirq_run_cpu(cpu) == SOFTIRQ_BUSY) {
			kthread_sleep();
			continue;
		}
		sched_yield();		/* cond_resched() */
	}
	return 0;
}

/* spawn_ksoftirqd() */
int ksoftirqd_spawn(unsigned ncpus)
{
	for (unsigned cpu = 0; cpu < ncpus; cpu++) {
		struct kthread *k = kthread_create_on_cpu(ksoftirqd_fn, (void *)(uintptr_t)cpu,
							  cpu, "ksoftirqd/%u");
		if (!k) return -errno;
		pthread_mutex_lock(&ksoftirqd_lock[cpu]);
		ksoftirqd[cpu] = k;
		pthread_mutex_unlock(&ksoftirqd_lock[cpu]);
		wake_up_process(k);
	}
	return 0;
}

void ksoftirqd_stop_all(void)
{
	for (unsigned cpu = 0; cpu < PERSONA_MAX_CPUS; cpu++) {
		struct kthread *k;
		pthread_mutex_lock(&ksoftirqd_lock[cpu]);
		k = ksoftirqd[cpu];
		ksoftirqd[cpu] = NULL;
		pthread_mutex_unlock(&ksoftirqd_lock[cpu]);
		if (k) kthread_stop(k);
	}
}
