/* services/procfs/resolve.c - guest /proc paths to host paths.
 * Relative paths are resolved against the guest's cwd or dirfd, which the host
 * reports in host terms; they are first turned back into the guest's view, joined,
 * normalised lexically, and translated as a whole. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "services/procfs/procfs_internal.h"
#include "core/pidmap.h"
#include "services/mm/mm.h"
#include "services/sched/sched.h"

long procfs_fd_path(struct task *t, int fd, char *buf, size_t len)
{
	char link[64];
	if (fd == AT_FDCWD) snprintf(link, sizeof link, "/proc/%d/cwd", t->tid);
	else snprintf(link, sizeof link, "/proc/%d/fd/%d", t->tid, fd);
	ssize_t n = readlink(link, buf, len - 1);
	if (n < 0) return -errno;
	buf[n] = 0;
	return n;
}

bool procfs_is_num(const char *s, size_t n)
{
	if (!n) return false;
	for (size_t i = 0; i < n; i++) if (s[i] < '0' || s[i] > '9') return false;
	return true;
}

/* Collapses "//", "." and ".." in an absolute path, in place. */
static void normalise(char *p)
{
	char *out = p, *s = p;
	while (*s) {
		while (*s == '/') s++;
		char *e = strchrnul(s, '/');
		size_t n = e - s;
		if (n == 1 && s[0] == '.') { /* skip */ }
		else if (n == 2 && s[0] == '.' && s[1] == '.') {
			while (out > p && *--out != '/') ;
		} else if (n) {
			*out++ = '/';
			memmove(out, s, n);
			out += n;
		}
		s = e;
	}
	if (out == p) *out++ = '/';
	*out = 0;
}

/* Replaces the host id at c (a run of digits, in path p of size len) by its virtual
 * id; returns where the component now ends, or NULL when it is no id */
static char *virt_component(char *p, size_t len, char *c)
{
	char *e = strchrnul(c, '/');
	if (!procfs_is_num(c, e - c)) return NULL;
	char num[16], rest[PATH_MAX];
	size_t rl = strlen(e);
	if (rl >= sizeof rest) return NULL;
	memcpy(rest, e, rl + 1);
	int n = snprintf(num, sizeof num, "%d", pidmap_to_virt(atoi(c)));
	if ((size_t)(c - p) + n + rl >= len) return NULL;
	memcpy(c, num, n);
	memcpy(c + n, rest, rl + 1);
	return c + n;
}

/* "/proc/HOST[/task/HOSTTID]..." (a host-reported path) in the guest's terms:
 * "/proc/VIRT[/task/VIRTTID]..." */
static void host_to_guest_view(char *p, size_t len)
{
	if (strncmp(p, "/proc/", 6)) return;
	char *e = virt_component(p, len, p + 6);
	if (e && !strncmp(e, "/task/", 6)) virt_component(p, len, e + 6);
}

/* The sysfs files that count CPUs (glibc's get_nprocs reads online): while the
 * personality schedules, they show its virtual CPUs */
static bool sysfs_cpu_file(const char *abs)
{
	return sched_active() && (!strcmp(abs, "/sys/devices/system/cpu/online") ||
				  !strcmp(abs, "/sys/devices/system/cpu/possible") ||
				  !strcmp(abs, "/sys/devices/system/cpu/present"));
}

/* Builds the absolute guest-view path; 0 when it cannot concern /proc (or a
 * sysfs_cpu_file) */
static int absolute(struct task *t, int dirfd, const char *path, char *abs, size_t len)
{
	if (path[0] == '/') {
		if (strncmp(path, "/proc", 5) && strncmp(path, "/sys/", 5) && !strstr(path, ".."))
			return 0;
		if (strlen(path) >= len) return -ENAMETOOLONG;
		strcpy(abs, path);
	} else {
		long n = procfs_fd_path(t, dirfd, abs, len);
		if (n < 0) return n == -ENOENT ? 0 : (int)n;	/* EBADF etc.: the kernel says it */
		/* "/" joined with "proc/..." is in /proc too */
		if (strncmp(abs, "/proc", 5) && strncmp(abs, "/sys/", 5) && !strstr(path, "..") &&
		    strcmp(abs, "/"))
			return 0;
		host_to_guest_view(abs, len);
		if (strlen(abs) + 1 + strlen(path) >= len) return -ENAMETOOLONG;
		strcat(abs, "/");
		strcat(abs, path);
	}
	normalise(abs);
	if (sysfs_cpu_file(abs)) return 1;
	return strcmp(abs, "/proc") && strncmp(abs, "/proc/", 6) ? 0 : 1;
}

/* "TID[/rest]" under /proc/PID/task: TID must be a thread of `proc` */
static int thread_component(const char *s, struct task *proc, struct task **out, const char **rest)
{
	const char *e = strchrnul(s, '/');
	if (!procfs_is_num(s, e - s)) return 0;
	struct task *th = task_by_virt(atoi(s));
	if (!th || th->leader != proc->leader || th->state == TASK_DEAD) return -ENOENT;
	*out = th;
	*rest = e;
	return 1;
}

/* Linux drops a thread's mm in its exit, before the tracer hears of its death: a
 * leader that exited while its threads live keeps /proc/PID, without an mm. Only a
 * leader with other threads can be in that state; the host knows (statm all 0). */
static bool host_has_mm(const struct task *t)
{
	if (!task_is_leader(t) || t->threads.next->next == &t->threads) return true;
	char path[64], buf[32];
	snprintf(path, sizeof path, "/proc/%d/statm", t->tid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) return false;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	return n > 2 && strncmp(buf, "0 ", 2);
}

bool procfs_mm_tables(const struct task *t)
{
	return mm_active() && t->mm && !t->exit_seen && host_has_mm(t);
}

static enum proc_synth synth_kind(const char *rest, struct task *named)
{
	if (!strcmp(rest, "/status")) return SYNTH_STATUS;
	if (!strcmp(rest, "/stat")) return SYNTH_STAT;
	if (sched_active() && !strcmp(rest, "/sched")) return SYNTH_SCHED;
	if (sched_active() && !strcmp(rest, "/schedstat")) return SYNTH_SCHEDSTAT;
	if (!mm_active()) return SYNTH_NONE;
	/* the address space as Persona's tables say (the host's shows its machinery).
	 * The named task's own: an exited leader has none (Linux shows its maps empty
	 * while the threads' are full: the host does too). A kernel thread has none:
	 * empty maps, zero statm, as Linux's. */
	bool has_mm = procfs_mm_tables(named);
	if (!has_mm && !named->kthread) return SYNTH_NONE;
	if (!strcmp(rest, "/maps")) return has_mm ? SYNTH_MAPS : SYNTH_EMPTY;
	if (!strcmp(rest, "/smaps")) return has_mm ? SYNTH_SMAPS : SYNTH_EMPTY;
	if (!strcmp(rest, "/smaps_rollup")) return has_mm ? SYNTH_SMAPS_ROLLUP : SYNTH_EMPTY;
	if (!strcmp(rest, "/statm")) return SYNTH_STATM;
	return SYNTH_NONE;
}

/* "/fd/N" or "/fdinfo/N" (and below) naming the frame pool's descriptor, which is
 * in every guest while the memory manager is on: as if it were closed */
static bool pool_fd_path(const char *rest)
{
	const char *n = !strncmp(rest, "/fd/", 4) ? rest + 4 : !strncmp(rest, "/fdinfo/", 8) ? rest + 8 : NULL;
	if (!n || !mm_active()) return false;
	const char *e = strchrnul(n, '/');
	return procfs_is_num(n, e - n) && atoi(n) == MM_POOL_FD && e - n <= 10;
}

int procfs_resolve(struct task *t, int dirfd, const char *path, struct proc_path *pp)
{
	char abs[PATH_MAX];
	int r = absolute(t, dirfd, path, abs, sizeof abs);
	if (r <= 0) return r;
	memset(pp, 0, sizeof *pp);
	if (!strncmp(abs, "/sys/", 5)) {	/* a sysfs_cpu_file */
		pp->synth = SYNTH_CPU_RANGE;
		snprintf(pp->host, sizeof pp->host, "%s", abs);
		return 1;
	}
	if (abs[5] == 0) return 0;	/* "/proc" itself */
	const char *c = abs + 6, *e = strchrnul(c, '/');
	struct task *task;
	bool thread_view = false;
	if (!strncmp(c, "self", e - c) && e - c == 4) {
		task = t->leader;
		pp->link_self = !*e;
	} else if (!strncmp(c, "thread-self", e - c) && e - c == 11) {
		task = t;
		thread_view = true;
		pp->link_self = pp->thread_self = !*e;
	} else if (procfs_is_num(c, e - c)) {
		task = task_by_virt(atoi(c));
		if (!task || task->state == TASK_DEAD) return -ENOENT;
	} else if (!strcmp(c, "interrupts") || !strcmp(c, "softirqs")) {
		/* the personality's own interrupt and softirq counters */
		pp->synth = c[0] == 'i' ? SYNTH_INTERRUPTS : SYNTH_SOFTIRQS;
		snprintf(pp->host, sizeof pp->host, "%s", abs);
		return 1;
	} else if ((!strcmp(c, "cpuinfo") || !strcmp(c, "stat")) && sched_active()) {
		/* the virtual CPUs of the scheduler */
		pp->synth = c[0] == 'c' ? SYNTH_CPUINFO : SYNTH_PROCSTAT;
		snprintf(pp->host, sizeof pp->host, "%s", abs);
		return 1;
	} else if ((!strcmp(c, "meminfo") || !strcmp(c, "vmstat")) && mm_active()) {
		/* the frame pool is the guests' RAM */
		pp->synth = c[0] == 'm' ? SYNTH_MEMINFO : SYNTH_VMSTAT;
		snprintf(pp->host, sizeof pp->host, "%s", abs);
		return 1;
	} else {
		return 0;	/* /proc/meminfo and friends: the host's */
	}
	const char *rest = e;
	struct task *named = task;
	if (!strncmp(rest, "/task/", 6)) {
		r = thread_component(rest + 6, task, &named, &rest);
		if (r < 0) return r;
		thread_view |= r == 1;
	}
	pp->task = named;
	if (!named->kthread && pool_fd_path(rest)) return -ENOENT;
	pp->synth = synth_kind(rest, named);
	if (named->kthread) {	/* no address space: no cmdline, environ or exe */
		if (!strcmp(rest, "/cmdline") || !strcmp(rest, "/environ")) pp->synth = SYNTH_EMPTY;
		if (!strcmp(rest, "/exe")) return -ENOENT;
	} else if (!strcmp(rest, "/exe") && procfs_mm_tables(named)) {
		pp->exe = mm_exe(named);
	}
	int n;
	if (thread_view && !pp->link_self)
		n = snprintf(pp->host, sizeof pp->host, "/proc/%d/task/%d%s", task_tgid(named),
			     named->tid, rest);
	else
		n = snprintf(pp->host, sizeof pp->host, "/proc/%d%s", named->tid, rest);
	return n < (int)sizeof pp->host ? 1 : -ENAMETOOLONG;
}
