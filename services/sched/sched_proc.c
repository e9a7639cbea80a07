/* services/sched/sched_proc.c - the scheduler's /proc files, generated from the core's
 * records (struct sched_entity) while the personality schedules:
 *
 *   /proc/PID/sched      Linux's proc_sched_show_task (kernel/sched/debug.c): a
 *                        "comm (pid, #threads: n)" header, a rule, then one
 *                        "name : value" line per field, the name left-aligned in 45
 *                        columns and the value right-aligned in 21 (times in ms with
 *                        six decimals, as SPLIT_NS prints them). The schedstats Linux
 *                        shows when they are enabled are shown (they always are here);
 *                        the plugin's dump() adds its own lines (se.vruntime among them).
 *   /proc/PID/schedstat  "runtime_ns wait_ns nr_runs\n" (proc_pid_schedstat)
 *   status               "voluntary_ctxt_switches:\tN\nnonvoluntary_ctxt_switches:\tN\n"
 *
 * Each returns the length written into buf, or -EFBIG when len is too small (the
 * caller grows its buffer, see services/procfs/synth.c).
 *
 * Thread: tracer thread (the procfs handlers; plugins' dump runs there too). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "services/sched/sched.h"
#include "core/task.h"

struct out {
	char *buf;
	size_t len, o;
};

static void put(struct out *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *w, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(w->buf + (w->o < w->len ? w->o : w->len), w->o < w->len ? w->len - w->o : 0,
			  fmt, ap);
	va_end(ap);
	if (n > 0) w->o += (size_t)n;
}

static int done(struct out *w)
{
	return w->o < w->len ? (int)w->o : -EFBIG;
}

/* __PS: "%-45s:%21Ld" */
static void p_int(struct out *w, const char *name, long long v)
{
	put(w, "%-45s:%21lld\n", name, v);
}

/* __PSN: "%-45s:%14Ld.%06ld" of SPLIT_NS(ns): ms, then the ns below the ms (with
 * the sign kept for -1 ms < ns < 0, which Linux's SPLIT_NS loses) */
static void p_ns(struct out *w, const char *name, long long ns)
{
	unsigned long long a = ns < 0 ? -(unsigned long long)ns : (unsigned long long)ns;
	char v[32];
	snprintf(v, sizeof v, "%s%llu.%06llu", ns < 0 ? "-" : "", a / 1000000, a % 1000000);
	put(w, "%-45s:%21s\n", name, v);
}

static void p_str(struct out *w, const char *name, const char *v)
{
	put(w, "%-45s:%21s\n", name, v);
}

/* Linux's p->prio: 99 - rt_priority for FIFO/RR, -1 for DEADLINE, 120 + nice otherwise */
static int linux_prio(const struct persona_sched_task *pt)
{
	if (pt->policy == PERSONA_SCHED_FIFO || pt->policy == PERSONA_SCHED_RR)
		return 99 - (int)pt->rt_priority;
	if (pt->policy == PERSONA_SCHED_DEADLINE) return -1;
	return 120 + pt->nice;
}

/* The thread's name: the core's copy, else the host's /proc/TID/comm */
static void task_comm(struct task *t, const struct sched_entity *e, char *comm, size_t len)
{
	if (e && e->pt.comm && e->pt.comm[0]) {
		snprintf(comm, len, "%s", e->pt.comm);
		return;
	}
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/comm", t->tid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, comm, len - 1) : -1;
	if (fd >= 0) close(fd);
	if (n <= 0) n = 0;
	comm[n] = 0;
	comm[strcspn(comm, "\n")] = 0;
}

static bool all_digits(const char *s)
{
	if (*s == '-') s++;
	if (!*s) return false;
	for (; *s; s++) if (*s < '0' || *s > '9') return false;
	return true;
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t') s++;
	char *e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t')) *--e = 0;
	return s;
}

/* One "name : value" line of a plugin's dump, in Linux's layout. A value that is a
 * plain integer of a name containing "vruntime", "deadline" or "lag" is a time in ns
 * (printed as ms.ns); other values are printed as they are. */
static void dump_line(struct out *w, char *line)
{
	char *colon = strchr(line, ':');
	if (!colon) {
		if (*trim(line)) put(w, "%s\n", trim(line));
		return;
	}
	*colon = 0;
	char *name = trim(line), *val = trim(colon + 1);
	bool is_time = strstr(name, "vruntime") || strstr(name, "deadline") || strstr(name, "lag");
	if (all_digits(val) && is_time) p_ns(w, name, strtoll(val, NULL, 10));
	else p_str(w, name, val);
}

/* The plugin's dump lines for task e (empty when it has no dump) */
static void plugin_dump(struct sched_entity *e, char *dump, size_t len)
{
	const struct persona_sched_ops *ops = sched_ops();
	struct persona_sched *s = sched_instance();
	dump[0] = 0;
	if (!e || !ops || !ops->dump || !s) return;
	s->now = sched_clock();	/* the ABI: now is set before every callback */
	ops->dump(s, &e->pt, dump, len);
	dump[len - 1] = 0;
}

/* Whether line l (up to its newline) is the plugin's vruntime, which Linux shows as
 * the second line; its value then goes to vr */
static bool vruntime_line(const char *l, char *vr, size_t len)
{
	const char *nl = strchrnul(l, '\n'), *c = strchr(l, ':');
	if (!c || c > nl) return false;
	char name[64];
	snprintf(name, sizeof name, "%.*s", (int)(c - l), l);
	char *n = trim(name);
	if (strcmp(n, "se.vruntime") && strcmp(n, "vruntime")) return false;
	snprintf(vr, len, "%.*s", (int)(nl - c - 1), c + 1);
	return true;
}

static uint64_t monotonic_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int sched_proc_sched(struct task *t, char *buf, size_t len)
{
	struct out w = { buf, len, 0 };
	struct sched_entity *e = sched_entity_of(t);
	static const struct sched_entity none = { .pt = { .policy = PERSONA_SCHED_NORMAL,
							  .weight = 1024 } };
	const struct sched_entity *s = e ? e : &none;
	const struct persona_sched_task *pt = &s->pt;
	char comm[64], dump[2048], vrbuf[64] = "0";
	task_comm(t, e, comm, sizeof comm);
	int threads = t->kthread ? 1 : t->leader->live_threads > 0 ? t->leader->live_threads : 1;
	put(&w, "%s (%d, #threads: %d)\n", comm, task_vtid(t), threads);
	put(&w, "-------------------------------------------------------------------\n");
	plugin_dump(e, dump, sizeof dump);
	for (const char *l = dump; *l; l = *strchrnul(l, '\n') ? strchrnul(l, '\n') + 1 : "")
		if (vruntime_line(l, vrbuf, sizeof vrbuf)) break;
	char *vr = trim(vrbuf);
	p_ns(&w, "se.exec_start", (long long)s->run_start);
	if (all_digits(vr)) p_ns(&w, "se.vruntime", strtoll(vr, NULL, 10));
	else p_str(&w, "se.vruntime", vr);
	p_ns(&w, "se.sum_exec_runtime", (long long)pt->sum_exec_runtime);
	p_int(&w, "se.nr_migrations", (long long)s->nr_migrations);
	p_ns(&w, "wait_start", (long long)s->wait_start);
	p_ns(&w, "wait_max", (long long)s->wait_max);
	p_ns(&w, "wait_sum", (long long)s->wait_sum);
	p_int(&w, "wait_count", (long long)s->nr_runs);
	p_int(&w, "nr_wakeups", (long long)s->nr_wakeups);
	p_int(&w, "nr_switches", (long long)(s->nr_voluntary + s->nr_involuntary));
	p_int(&w, "nr_voluntary_switches", (long long)s->nr_voluntary);
	p_int(&w, "nr_involuntary_switches", (long long)s->nr_involuntary);
	/* scale_load: Linux shows the weight with 10 more bits of resolution on 64-bit */
	unsigned long weight = pt->weight ? pt->weight
		: persona_sched_nice_to_weight[(pt->nice < -20 ? -20 : pt->nice > 19 ? 19 : pt->nice) + 20];
	p_int(&w, "se.load.weight", (long long)weight << 10);
	p_int(&w, "policy", pt->policy);
	p_int(&w, "prio", linux_prio(pt));
	if (pt->policy == PERSONA_SCHED_DEADLINE) {
		p_int(&w, "dl.runtime", (long long)pt->dl_runtime);
		p_int(&w, "dl.deadline", (long long)pt->dl_deadline);
	}
	p_int(&w, "se.slice", (long long)(pt->slice_ns ? pt->slice_ns : PERSONA_SCHED_DEFAULT_SLICE_NS));
	for (char *l = dump; *l; ) {
		char *nl = strchrnul(l, '\n');
		bool more = *nl;
		if (!vruntime_line(l, vrbuf, sizeof vrbuf)) {
			*nl = 0;
			dump_line(&w, l);
		}
		l = more ? nl + 1 : nl;
	}
	uint64_t t0 = monotonic_ns(), t1 = monotonic_ns();
	p_int(&w, "clock-delta", (long long)(t1 - t0));
	return done(&w);
}

int sched_proc_schedstat(struct task *t, char *buf, size_t len)
{
	struct out w = { buf, len, 0 };
	const struct sched_entity *e = sched_entity_of(t);
	if (e)
		put(&w, "%llu %llu %llu\n", (unsigned long long)e->pt.sum_exec_runtime,
		    (unsigned long long)e->wait_sum, (unsigned long long)e->nr_runs);
	else
		put(&w, "0 0 0\n");
	return done(&w);
}

int sched_proc_status_ctxt(struct task *t, char *buf, size_t len)
{
	struct out w = { buf, len, 0 };
	const struct sched_entity *e = sched_entity_of(t);
	put(&w, "voluntary_ctxt_switches:\t%llu\nnonvoluntary_ctxt_switches:\t%llu\n",
	    e ? (unsigned long long)e->nr_voluntary : 0ull, e ? (unsigned long long)e->nr_involuntary : 0ull);
	return done(&w);
}
