/* services/procfs/synth.c - /proc/PID/status and /proc/PID/stat from the task table.
 * The host's file is read and its id fields are replaced by the guest's view, as
 * Linux shows them inside a pid namespace: Tgid/Pid/PPid and NS* lines with one level,
 * TracerPid 0 (the supervisor's tracing is not the guest's business), and in stat
 * the pid, ppid, pgrp, session and tpgid fields. With the memory manager on, the
 * memory figures come from its tables (services/mm/mm_proc.c): status's Vm* and Rss*
 * lines, stat's minflt, majflt, vsize and rss, and the whole of maps, smaps,
 * smaps_rollup, statm, /proc/meminfo and /proc/vmstat. With the scheduler on, sched and schedstat
 * come from its records (services/sched/sched_proc.c), status's ctxt_switches lines
 * count the personality's switches, and /proc/cpuinfo, /proc/stat's cpuN lines and
 * /sys/devices/system/cpu/{online,possible,present} show its virtual CPUs. The
 * result is served from a memfd. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "services/procfs/procfs_internal.h"
#include "core/pidmap.h"
#include "core/irq.h"
#include "services/deferred/softirq.h"
#include "services/mm/mm.h"
#include "services/mm/mm_proc.h"
#include "services/sched/sched.h"

#define MAXFILE 16384		/* the host's status or stat */
#define MAXGEN	(64 << 20)	/* largest generated file (a huge smaps) */

static long read_host(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) return -errno;
	ssize_t n = read(fd, buf, len - 1);
	int err = errno;
	close(fd);
	if (n < 0) return -err;
	buf[n] = 0;
	return n;
}

static pid_t vppid(const struct task *t)
{
	const struct task *p = t->leader->parent;
	return p ? task_vpid(p) : 0;
}

static pid_t vgroup(const struct pidnum *p) { return p ? p->virt : 0; }

/* The host shows a task stopped by its tracer as 't'. The guest sees what Linux
 * would: a task we hold in a trap is running its syscall ('R'), one blocked in the
 * personality sleeps ('S'), one in a group-stop is stopped ('T'). */
static char guest_state(const struct task *t, char host)
{
	if (host != 't' && host != 'T') return host;
	if (t->state == TASK_STOPPED) return 'T';
	return t->state == TASK_BLOCKED ? 'S' : 'R';
}

static const char *state_name(char s)
{
	switch (s) {
	case 'R': return "R (running)";
	case 'S': return "S (sleeping)";
	case 'T': return "T (stopped)";
	default: return NULL;
	}
}

/* Appends line `name:\tvalue` in place of the host's line for `name` */
static int status_line(char *out, size_t len, const char *line, size_t n, const struct task *t)
{
	const struct task *l = t->leader;
	static const char *ids[] = { "Tgid:", "Pid:", "PPid:", "TracerPid:", "NStgid:",
				     "NSpid:", "NSpgid:", "NSsid:" };
	long val[] = { task_vpid(t), task_vtid(t), vppid(t), 0, task_vpid(t), task_vtid(t),
		       vgroup(l->pgrp), vgroup(l->session) };
	for (unsigned i = 0; i < sizeof ids / sizeof ids[0]; i++)
		if (!strncmp(line, ids[i], strlen(ids[i])))
			return snprintf(out, len, "%s\t%ld\n", ids[i], val[i]);
	if (t->kthread && !strncmp(line, "Threads:", 8)) return snprintf(out, len, "Threads:\t1\n");
	if (!strncmp(line, "State:\t", 7)) {
		const char *name = state_name(guest_state(t, line[7]));
		if (name && guest_state(t, line[7]) != line[7])
			return snprintf(out, len, "State:\t%s\n", name);
	}
	return snprintf(out, len, "%.*s", (int)n, line);
}

/* The lines of task_mem() in Linux's status, which the memory manager generates */
static bool vm_line(const char *line)
{
	static const char *vm[] = { "VmPeak:", "VmSize:", "VmLck:", "VmPin:", "VmHWM:", "VmRSS:",
				    "RssAnon:", "RssFile:", "RssShmem:", "VmData:", "VmStk:", "VmExe:",
				    "VmLib:", "VmPTE:", "VmSwap:" };
	for (unsigned i = 0; i < sizeof vm / sizeof vm[0]; i++)
		if (!strncmp(line, vm[i], strlen(vm[i]))) return true;
	return false;
}

/* status's context-switch lines, which the scheduler counts for its tasks */
static bool ctxt_line(const struct task *t, const char *line)
{
	return (!strncmp(line, "voluntary_ctxt_switches:", 24) ||
		!strncmp(line, "nonvoluntary_ctxt_switches:", 27)) &&
	       sched_active() && sched_entity_of(t);
}

/* status's Cpus_allowed lines: the task's virtual affinity mask */
static bool cpus_line(const struct task *t, const char *line)
{
	return (!strncmp(line, "Cpus_allowed:", 13) || !strncmp(line, "Cpus_allowed_list:", 18)) &&
	       sched_active() && sched_entity_of(t);
}

static int cpus_allowed(const struct task *t, bool list, char *out, size_t len)
{
	uint64_t m = sched_entity_of(t)->pt.cpus_allowed;
	/* as Linux's %*pb: hex digits for nr_cpu_ids bits, zero-padded */
	if (!list) return snprintf(out, len, "Cpus_allowed:\t%0*llx\n", (int)(sched_ncpus() + 3) / 4,
				   (unsigned long long)m);
	int o = snprintf(out, len, "Cpus_allowed_list:\t");
	const char *sep = "";
	for (unsigned c = 0; c < 64 && o < (int)len; c++) {
		if (!(m >> c & 1)) continue;
		unsigned e = c;
		while (e + 1 < 64 && (m >> (e + 1) & 1)) e++;
		if (e > c) o += snprintf(out + o, len - o, "%s%u-%u", sep, c, e);
		else o += snprintf(out + o, len - o, "%s%u", sep, c);
		sep = ",";
		c = e;
	}
	if (o < (int)len) o += snprintf(out + o, len - o, "\n");
	return o;
}

static long gen_status(struct task *t, const char *in, char *out, size_t len)
{
	size_t o = 0;
	/* with the memory manager: its Vm* lines where the host's were; none for a
	 * kernel thread (the host's would be the supervisor's) */
	bool tables = mm_active() && (t->kthread || procfs_mm_tables(t)), done = false;
	for (const char *l = in; *l && o < len; ) {
		const char *e = strchrnul(l, '\n');
		size_t n = e - l + (*e ? 1 : 0);
		if (tables && vm_line(l)) {
			if (!done && !t->kthread) {
				long r = mm_proc_status_vm(t->leader, out + o, len - o);
				if (r < 0) return r;
				o += r;
			}
			done = true;
		} else if (ctxt_line(t, l)) {
			if (l[0] == 'v') {	/* both lines, where the first was */
				int r = sched_proc_status_ctxt(t, out + o, len - o);
				if (r < 0) return r;
				o += r;
			}
		} else if (cpus_line(t, l)) {
			int r = cpus_allowed(t, l[12] == '_', out + o, len - o);
			if (r < 0) return r;
			o += (size_t)r;
		} else {
			o += status_line(out + o, len - o, l, n, t);
		}
		l += n;
	}
	return o < len ? (long)o : -EFBIG;
}

/* A kernel thread is a supervisor thread on the host: in the guest's view it is a
 * process of its own (num_threads 1, field 20) with PF_KTHREAD in its flags (field 9).
 * `rest` holds fields 9 on; rewrites them in place into out. */
#define PF_KTHREAD 0x00200000
static int kthread_fields(const char *rest, char *out, size_t len)
{
	size_t o = 0;
	int field = 9;
	for (const char *p = rest; *p && o < len; field++) {
		const char *e = strchrnul(p, ' ');
		if (field == 9) o += snprintf(out + o, len - o, "%lu", strtoul(p, NULL, 10) | PF_KTHREAD);
		else if (field == 20) o += snprintf(out + o, len - o, "1");
		else o += snprintf(out + o, len - o, "%.*s", (int)(e - p), p);
		if (*e && o < len) out[o++] = ' ';
		p = *e ? e + 1 : e;
	}
	if (o < len) out[o] = 0;
	return (int)o;
}

/* Fields 9 on of stat (`rest`) with fields 10 minflt, 12 majflt, 23 vsize and 24 rss
 * from the memory manager's tables: the host's would count Persona's installation
 * of frames, not the guest's faults. Rewrites them into out. */
static int mm_fields(struct task *t, const char *rest, char *out, size_t len)
{
	uint64_t minflt, majflt, vsize, rss;
	if (mm_proc_stat_vm(t->leader, &vsize, &rss)) return -1;
	mm_fault_counts(t->leader, &minflt, &majflt);
	size_t o = 0;
	int field = 9;
	for (const char *p = rest; *p && o < len; field++) {
		const char *e = strchrnul(p, ' ');
		uint64_t v = field == 10 ? minflt : field == 12 ? majflt : field == 23 ? vsize : rss;
		if (field == 10 || field == 12 || field == 23 || field == 24)
			o += snprintf(out + o, len - o, "%llu", (unsigned long long)v);
		else
			o += snprintf(out + o, len - o, "%.*s", (int)(e - p), p);
		if (*e && o < len) out[o++] = ' ';
		p = *e ? e + 1 : e;
	}
	if (o >= len) return -1;
	out[o] = 0;
	return (int)o;
}

/* stat: "pid (comm) state ppid pgrp session tty_nr tpgid flags ..." where comm may
 * hold spaces and parentheses: fields after it start at the last ')'. */
static long gen_stat(struct task *t, const char *in, char *out, size_t len)
{
	const char *rp = strrchr(in, ')'), *lp = strchr(in, '(');
	if (!rp || !lp || rp[1] != ' ') return -EIO;
	char state;
	int ppid, pgrp, session, tty, tpgid;
	int used = 0;
	if (sscanf(rp + 2, "%c %d %d %d %d %d %n", &state, &ppid, &pgrp, &session, &tty,
		   &tpgid, &used) < 6)
		return -EIO;
	char kfields[1024];
	const char *rest = rp + 2 + used;
	if (t->kthread) {
		kthread_fields(rest, kfields, sizeof kfields);
		rest = kfields;
	} else if (procfs_mm_tables(t) && mm_fields(t, rest, kfields, sizeof kfields) >= 0) {
		rest = kfields;
	}
	int n = snprintf(out, len, "%d %.*s %c %d %d %d %d %d %s", task_vtid(t), (int)(rp - lp + 1),
			 lp, guest_state(t, state), vppid(t), vgroup(t->leader->pgrp), vgroup(t->leader->session),
			 tty, tpgid > 0 ? pidmap_to_virt(tpgid) : tpgid, rest);
	return n < (int)len ? n : -EFBIG;
}

/* /proc/interrupts in Linux's layout (show_interrupts): a CPUn header, then per
 * interrupt its number, a count per CPU and its name */
static long gen_interrupts(char *out, size_t len)
{
	size_t o = snprintf(out, len, "%*s", 3 + 8, "");
	for (unsigned c = 0; c < irq_ncpus && o < len; c++) o += snprintf(out + o, len - o, "CPU%-8u", c);
	o += snprintf(out + o, o < len ? len - o : 0, "\n");
	for (int i = 0; i < NR_IRQS && o < len; i++) {
		o += snprintf(out + o, len - o, "%3d: ", i);
		for (unsigned c = 0; c < irq_ncpus && o < len; c++)
			o += snprintf(out + o, len - o, "%10lu ", irq_count(c, i));
		o += snprintf(out + o, o < len ? len - o : 0, "  persona  %s\n", irq_name(i));
	}
	return o < len ? (long)o : -EFBIG;
}

/* /proc/softirqs in Linux's layout (show_softirqs) */
static long gen_softirqs(char *out, size_t len)
{
	size_t o = snprintf(out, len, "                    ");
	for (unsigned c = 0; c < irq_ncpus && o < len; c++) o += snprintf(out + o, len - o, "CPU%-8u", c);
	o += snprintf(out + o, o < len ? len - o : 0, "\n");
	for (int i = 0; i < NR_SOFTIRQS && o < len; i++) {
		o += snprintf(out + o, len - o, "%12s:", softirq_name(i));
		for (unsigned c = 0; c < irq_ncpus && o < len; c++)
			o += snprintf(out + o, len - o, " %10lu", softirq_count(c, i));
		o += snprintf(out + o, o < len ? len - o : 0, "\n");
	}
	return o < len ? (long)o : -EFBIG;
}

/* A whole host file (/proc/cpuinfo outgrows MAXFILE on large machines) in a
 * malloc'ed string; NULL with errno set */
static char *read_host_all(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) return NULL;
	size_t cap = MAXFILE, n = 0;
	char *buf = malloc(cap);
	for (ssize_t r = 1; buf && r > 0; n += r) {
		if (cap - n < 4096) {
			char *nb = realloc(buf, cap *= 2);
			if (!nb) {
				free(buf);
				buf = NULL;
				errno = ENOMEM;
				break;
			}
			buf = nb;
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0) {
			free(buf);
			buf = NULL;
		}
	}
	int err = errno;
	close(fd);
	if (buf) buf[n] = 0;
	errno = err;
	return buf;
}

/* One line of a cpuinfo block for virtual CPU `cpu` of n: the fields that number
 * CPUs and cores are rewritten (a machine of n single-thread cores), the rest kept */
static int cpuinfo_line(char *out, size_t len, const char *l, size_t ln, unsigned cpu, unsigned n)
{
	static const char *const per_cpu[] = { "processor", "core id", "apicid", "initial apicid" };
	static const char *const count[] = { "siblings", "cpu cores" };
	const char *colon = memchr(l, ':', ln);
	if (colon) {
		size_t kl = colon - l;
		while (kl && (l[kl - 1] == '\t' || l[kl - 1] == ' ')) kl--;
		for (unsigned i = 0; i < 4; i++)
			if (kl == strlen(per_cpu[i]) && !strncmp(l, per_cpu[i], kl))
				return snprintf(out, len, "%.*s: %u\n", (int)(colon - l), l, cpu);
		for (unsigned i = 0; i < 2; i++)
			if (kl == strlen(count[i]) && !strncmp(l, count[i], kl))
				return snprintf(out, len, "%.*s: %u\n", (int)(colon - l), l, n);
	}
	return snprintf(out, len, "%.*s", (int)ln, l);
}

/* /proc/cpuinfo with exactly the scheduler's virtual CPUs: block i is the host's
 * block i (or i modulo the host's CPUs when there are more virtual ones), renumbered */
static long gen_cpuinfo(char *out, size_t len)
{
	char *in = read_host_all("/proc/cpuinfo");
	if (!in) return -errno;
	const char *blocks[PERSONA_SCHED_MAX_CPUS];
	unsigned nb = 0, n = sched_ncpus();
	for (const char *p = in; *p && nb < PERSONA_SCHED_MAX_CPUS; ) {
		blocks[nb++] = p;
		const char *e = strstr(p, "\n\n");
		p = e ? e + 2 : p + strlen(p);
	}
	size_t o = 0;
	for (unsigned cpu = 0; nb && cpu < n && o < len; cpu++) {
		const char *b = blocks[cpu % nb];
		for (const char *l = b; *l && *l != '\n' && o < len; ) {
			const char *e = strchrnul(l, '\n');
			size_t ln = e - l + (*e ? 1 : 0);
			o += cpuinfo_line(out + o, len - o, l, ln, cpu, n);
			l += ln;
		}
		if (o < len) out[o++] = '\n';
	}
	free(in);
	return o < len ? (long)o : -EFBIG;
}

/* /proc/stat with a cpuN line per virtual CPU (the host's line N, or N modulo the
 * host's CPUs); the total line and the rest are the host's */
static long gen_procstat(char *out, size_t len)
{
	char *in = read_host_all("/proc/stat");
	if (!in) return -errno;
	const char *cpu[PERSONA_SCHED_MAX_CPUS];
	unsigned nc = 0, n = sched_ncpus();
	for (const char *l = in; *l; l = *strchrnul(l, '\n') ? strchrnul(l, '\n') + 1 : "")
		if (!strncmp(l, "cpu", 3) && l[3] >= '0' && l[3] <= '9' && nc < PERSONA_SCHED_MAX_CPUS)
			cpu[nc++] = l + 3 + strspn(l + 3, "0123456789");	/* " user nice..." */
	size_t o = 0;
	bool done = false;
	for (const char *l = in; *l && o < len; ) {
		const char *e = strchrnul(l, '\n');
		size_t ln = e - l + (*e ? 1 : 0);
		if (strncmp(l, "cpu", 3) || l[3] < '0' || l[3] > '9') {
			o += snprintf(out + o, len - o, "%.*s", (int)ln, l);
		} else if (!done) {
			for (unsigned i = 0; nc && i < n && o < len; i++) {
				const char *rest = cpu[i % nc];
				o += snprintf(out + o, len - o, "cpu%u%.*s", i, (int)(strchrnul(rest, '\n') - rest + 1), rest);
			}
			done = true;
		}
		l += ln;
	}
	free(in);
	return o < len ? (long)o : -EFBIG;
}

/* /sys/devices/system/cpu/online and friends: "0-(n-1)", or "0" */
static long gen_cpu_range(char *out, size_t len)
{
	unsigned n = sched_ncpus();
	int r = n > 1 ? snprintf(out, len, "0-%u\n", n - 1) : snprintf(out, len, "0\n");
	return r < (int)len ? r : -EFBIG;
}

/* The generated file into out (len bytes): its length, or -errno (-EFBIG: too small) */
static long generate(const struct proc_path *pp, char *in, char *out, size_t len)
{
	long n;
	struct task *l = pp->task ? pp->task->leader : NULL;
	switch (pp->synth) {
	case SYNTH_EMPTY: return 0;
	case SYNTH_INTERRUPTS: return gen_interrupts(out, len);
	case SYNTH_SOFTIRQS: return gen_softirqs(out, len);
	case SYNTH_MAPS: return mm_proc_maps(l, out, len);
	case SYNTH_SMAPS: return mm_proc_smaps(l, out, len);
	case SYNTH_SMAPS_ROLLUP: return mm_proc_smaps_rollup(l, out, len);
	case SYNTH_STATM:
		if (!procfs_mm_tables(pp->task)) return snprintf(out, len, "0 0 0 0 0 0 0\n");	/* a kthread */
		return mm_proc_statm(l, out, len);
	case SYNTH_MEMINFO: return mm_proc_meminfo(out, len);
	case SYNTH_VMSTAT: return mm_proc_vmstat(out, len);
	case SYNTH_SCHED: return sched_proc_sched(pp->task, out, len);
	case SYNTH_SCHEDSTAT: return sched_proc_schedstat(pp->task, out, len);
	case SYNTH_CPUINFO: return gen_cpuinfo(out, len);
	case SYNTH_PROCSTAT: return gen_procstat(out, len);
	case SYNTH_CPU_RANGE: return gen_cpu_range(out, len);
	case SYNTH_STATUS:
	case SYNTH_STAT:
		if ((n = read_host(pp->host, in, MAXFILE)) < 0) return n;
		return pp->synth == SYNTH_STATUS ? gen_status(pp->task, in, out, len)
						 : gen_stat(pp->task, in, out, len);
	default: return -EINVAL;
	}
}

int procfs_synth_open(const struct proc_path *pp)
{
	char *in = malloc(MAXFILE), *out = NULL;
	long n = -ENOMEM;
	int fd = -1;
	/* generated files can be large (smaps): the buffer grows until it fits */
	for (size_t len = MAXFILE; in && len <= MAXGEN; len *= 2) {
		free(out);
		if (!(out = malloc(len))) {
			n = -ENOMEM;
			break;
		}
		if ((n = generate(pp, in, out, len)) != -EFBIG) break;
	}
	if (n >= 0) {
		fd = memfd_create("persona-proc", MFD_CLOEXEC);
		if (fd < 0 || write(fd, out, n) != n) {
			n = -EIO;
			if (fd >= 0) close(fd);
		}
	}
	free(in);
	free(out);
	return n < 0 ? (int)n : fd;
}
