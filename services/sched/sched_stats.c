/* services/sched/sched_stats.c - `--stats` and `persona ctl PID stats` for the
 * scheduler: per-CPU switches and busy time, and each task's share of the CPU time,
 * kept for tasks that already exited too (the shares of a finished run are the
 * interesting ones). */
#include <stdlib.h>
#include <string.h>
#include "services/sched/sched_internal.h"

#define MAX_RECORDS 512

struct share {
	char comm[16];
	int tid;
	uint64_t runtime, wait, runs, vol, invol;
};
static struct share records[MAX_RECORDS];
static unsigned nrecords;

static void fill(struct share *s, const struct sched_entity *se)
{
	memcpy(s->comm, se->comm, sizeof s->comm);
	s->tid = se->pt.tid;
	s->runtime = se->pt.sum_exec_runtime;
	s->wait = se->wait_sum;
	s->runs = se->nr_runs;
	s->vol = se->nr_voluntary;
	s->invol = se->nr_involuntary;
}

/* An exiting task's figures; when full, the task with the least CPU time makes room */
void sched_stats_record(const struct sched_entity *se)
{
	unsigned slot = nrecords;
	if (nrecords == MAX_RECORDS) {
		slot = 0;
		for (unsigned i = 1; i < nrecords; i++)
			if (records[i].runtime < records[slot].runtime) slot = i;
		if (records[slot].runtime >= se->pt.sum_exec_runtime) return;
	} else {
		nrecords++;
	}
	fill(&records[slot], se);
}

static int by_runtime(const void *a, const void *b)
{
	const struct share *x = a, *y = b;
	return x->runtime < y->runtime ? 1 : x->runtime > y->runtime ? -1 : x->tid - y->tid;
}

void sched_print_stats(FILE *out)
{
	if (!sc.active) return;
	uint64_t wall = sched_clock() - sc.start_ns, total = 0;
	fprintf(out, "sched: plugin %s, %u virtual CPUs, %llu ticks, %llu preemption interrupts, "
		"%llu native sleeps (%llu wakes seen at a tick), %llu swaps, %llu fallbacks\n",
		sc.ops->name, sc.ncpus, (unsigned long long)sc.ticks,
		(unsigned long long)sc.preempt_irqs, (unsigned long long)sc.native_sleeps,
		(unsigned long long)sc.native_wakes, (unsigned long long)sc.swaps,
		(unsigned long long)sc.fallbacks);
	for (unsigned c = 0; c < sc.ncpus; c++)
		fprintf(out, "sched: cpu%u %llu switches, busy %.3f s of %.3f s\n", c,
			(unsigned long long)sc.cpu[c].nr_switches, sc.cpu[c].busy_ns / 1e9, wall / 1e9);
	struct share *all = malloc(sizeof *all * (nrecords + sc.nr_tasks + 1));
	if (!all) return;
	unsigned n = 0;
	for (unsigned i = 0; i < nrecords; i++) all[n++] = records[i];
	for (struct sched_entity *se = sc.all; se; se = se->next_all) fill(&all[n++], se);
	for (unsigned i = 0; i < n; i++) total += all[i].runtime;
	qsort(all, n, sizeof *all, by_runtime);
	fprintf(out, "sched: %-16s %7s %10s %6s %10s %8s %8s %8s\n", "task", "tid", "cpu ms", "share",
		"wait ms", "runs", "vol", "invol");
	for (unsigned i = 0; i < n && i < 20; i++)
		fprintf(out, "sched: %-16s %7d %10.1f %5.1f%% %10.1f %8llu %8llu %8llu\n", all[i].comm,
			all[i].tid, all[i].runtime / 1e6, total ? 100.0 * all[i].runtime / total : 0.0,
			all[i].wait / 1e6, (unsigned long long)all[i].runs,
			(unsigned long long)all[i].vol, (unsigned long long)all[i].invol);
	if (n > 20) fprintf(out, "sched: ... %u more tasks\n", n - 20);
	free(all);
}
