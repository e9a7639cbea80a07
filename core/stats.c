/* core/stats.c - see stats.h */
#include "core/stats.h"
#include "core/irq.h"
#include "services/deferred/deferred.h"
#include "services/deferred/softirq.h"
#include "services/time/time.h"

void stats_print(FILE *f)
{
	struct deferred_stats d;
	struct time_stats t;
	deferred_get_stats(&d);
	time_get_stats(&t);
	fprintf(f, "persona: --- stats ---\npersona: interrupts (per CPU):");
	for (int i = 0; i < NR_IRQS; i++) {
		fprintf(f, "\npersona:   %-9s", irq_name(i));
		for (unsigned c = 0; c < irq_ncpus; c++) fprintf(f, " %10lu", irq_count(c, i));
	}
	fprintf(f, "\npersona: softirqs (per CPU):");
	for (int i = 0; i < NR_SOFTIRQS; i++) {
		fprintf(f, "\npersona:   %-9s", softirq_name(i));
		for (unsigned c = 0; c < irq_ncpus; c++) fprintf(f, " %10lu", softirq_count(c, i));
	}
	fprintf(f, "\npersona: ticks %lu at %u Hz; softirq hand-offs to ksoftirqd %lu\n",
		(unsigned long)jiffies, irq_hz, d.softirq_handoffs);
	fprintf(f, "persona: tasklets run %lu (requeued %lu)\n", d.tasklets_run, d.tasklets_requeued);
	fprintf(f, "persona: work items queued %lu, run %lu, failed %lu, canceled %lu; "
		"delayed work fired %lu\n", d.work_queued, d.work_run, d.work_failed,
		d.work_canceled, d.dwork_fired);
	fprintf(f, "persona: kernel threads created %lu (workers %lu)\n", d.kthreads_created,
		d.workers_created);
	fprintf(f, "persona: timers fired %lu; sleeps %lu (interrupted %lu); timer signals %lu\n",
		t.timers_fired, t.sleeps, t.sleeps_interrupted, t.signals_sent);
}
