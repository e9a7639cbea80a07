/* services/procfs/resolve.c - guest /proc paths to host paths.
 *
 * Whether a path reaches /proc is the kernel's answer, not the path's text: a
 * symlink to /proc (or to /proc/self/fd), a directory descriptor or cwd reached
 * through one, or ".." after one, lead there as surely as "/proc/..." does, and an
 * untranslated path into the host's /proc reaches the frame pool's memfd
 * (/proc/self/fd/1023) and the supervisor's own entries. So a path is decided in
 * two steps:
 *  1. lexically "/proc/..." from the root (no ".." in it): under /proc, as written;
 *  2. anything else: the supervisor resolves it from the guest's directory (opened
 *     through /proc/TID/cwd or /proc/TID/fd/N) with openat2(O_PATH,
 *     RESOLVE_NO_XDEV), following a last symlink as the call would. A walk that
 *     stays on one mount that is neither procfs nor sysfs never touched them: the
 *     call runs unchanged (the common case: one openat2, one fstatfs). A walk that
 *     crossed a mount (EXDEV) or ended on procfs/sysfs is redone component by
 *     component (walk()): symlinks replaced by their targets and ".." taken on the
 *     resolved path, up to the point where it enters /proc; the rest is kept as
 *     written. That resolved path, in the guest's view, is translated as a whole.
 * Relative paths from a directory in /proc are read back from the host's
 * /proc/TID/fd/N (or cwd) in the guest's terms (host_to_guest_view).
 *
 * Left: the guest's call re-resolves its own path after this decision, so a
 * second thread or process that swaps a directory for a symlink to /proc in
 * between wins the race (docs/shim.md, "Threat model"). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
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

/* Whether fd is on procfs or sysfs (the file systems the personality translates).
 * Both have anonymous devices (major 0): a file on a block device's file system is
 * neither, without a statfs (ext4's sums its counters: 1.7 us here). */
static bool special_fs(int fd)
{
	struct stat st;
	struct statfs sf;
	if (!fstat(fd, &st) && major(st.st_dev)) return false;
	return !fstatfs(fd, &sf) && (sf.f_type == PROC_SUPER_MAGIC || sf.f_type == SYSFS_MAGIC);
}

/* The guest's directory for a relative path (dirfd, or its cwd), opened O_PATH
 * through its magic link in the host's /proc; -errno */
static int open_start(struct task *t, int dirfd)
{
	char link[64];
	if (dirfd == AT_FDCWD) snprintf(link, sizeof link, "/proc/%d/cwd", t->tid);
	else snprintf(link, sizeof link, "/proc/%d/fd/%d", t->tid, dirfd);
	int fd = open(link, O_PATH | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* Step 2's first half: 0 when the kernel's resolution of path (from the guest's
 * directory, following a last symlink iff `follow`) stays on one mount that is
 * neither procfs nor sysfs, so that it cannot concern /proc; 1 when it must be
 * walked. Errors of the resolution are the native call's own (its walk is the
 * same), unless it started on procfs or sysfs. */
static int kernel_check(struct task *t, int dirfd, const char *path, bool follow)
{
	int start = AT_FDCWD;	/* an absolute path: the root, the guest's as ours */
	if (path[0] != '/') {
		if (dirfd == MM_POOL_FD && mm_active()) return 0;	/* "closed": the kernel says */
		start = open_start(t, dirfd);
		if (start < 0) return 0;	/* EBADF etc.: the kernel says it */
	}
	struct open_how how = { .flags = O_PATH | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW),
				.resolve = RESOLVE_NO_XDEV };
	int fd = (int)syscall(SYS_openat2, start, path, &how, sizeof how);
	int r;
	if (fd >= 0) {
		r = special_fs(fd);
		close(fd);
	} else {
		r = errno == EXDEV || (start >= 0 && special_fs(start));
	}
	if (start >= 0) close(start);
	return r;
}

static bool under(const char *abs, const char *dir)
{
	size_t n = strlen(dir);
	return !strncmp(abs, dir, n) && (abs[n] == 0 || abs[n] == '/');
}

/* Step 2's second half: resolves path from the guest's directory as the kernel
 * does, one component at a time (openat O_PATH|O_NOFOLLOW from the previous one),
 * into abs: the symlink-free path of where it goes, in the guest's view, until it
 * reaches /proc, after which the rest is appended as written (procfs's own links,
 * self and the magic fd/N, cwd, exe..., are the translation's to follow). A
 * failing step (ENOENT...) ends the walk the same way: the guest's call meets the
 * same failure. 1, or 0 when the path does not concern /proc after all, or -errno
 * (a procfs or sysfs mounted elsewhere than /proc and /sys: EACCES) */
static int walk(struct task *t, int dirfd, const char *path, bool follow, char *abs, size_t len)
{
	char rest[2 * PATH_MAX], target[PATH_MAX], canon[PATH_MAX];
	int cur, links = 0;
	if (strlen(path) >= sizeof rest) return 0;
	strcpy(rest, path);
	if (path[0] == '/') {
		strcpy(canon, "/");
		cur = open("/", O_PATH | O_CLOEXEC);
	} else {
		long n = procfs_fd_path(t, dirfd, canon, sizeof canon);
		if (n < 0 || canon[0] != '/') return 0;
		host_to_guest_view(canon, sizeof canon);
		cur = open_start(t, dirfd);
	}
	if (cur < 0) return 0;
	const char *p = rest;
	int r = 1;
	for (;;) {
		if (under(canon, "/proc")) break;
		if (special_fs(cur) && !under(canon, "/sys")) { r = -EACCES; break; }
		while (*p == '/') p++;
		if (!*p) break;
		const char *e = strchrnul(p, '/');
		size_t n = e - p;
		if (n == 1 && p[0] == '.') { p = e; continue; }
		if (n == 2 && p[0] == '.' && p[1] == '.') {	/* the resolved path's parent */
			int up = openat(cur, "..", O_PATH | O_CLOEXEC);
			if (up < 0) break;
			close(cur);
			cur = up;
			char *slash = strrchr(canon, '/');
			slash[slash == canon] = 0;	/* "/a/b" -> "/a", "/a" -> "/" */
			p = e;
			continue;
		}
		char name[NAME_MAX + 1];
		if (n > NAME_MAX) break;	/* ENAMETOOLONG: the kernel says */
		memcpy(name, p, n);
		name[n] = 0;
		int fd = openat(cur, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) break;
		struct stat st;
		/* a symlink is followed inside the path, after it a trailing slash, and
		 * at its end when the call follows */
		if (!fstatat(fd, "", &st, AT_EMPTY_PATH) && S_ISLNK(st.st_mode) && (*e || follow)) {
			ssize_t tl = readlinkat(fd, "", target, sizeof target - 1);
			close(fd);
			if (tl <= 0 || ++links > 40) { r = 0; break; }	/* ELOOP...: the kernel says */
			target[tl] = 0;
			if (tl + strlen(e) >= sizeof rest) { r = 0; break; }
			memmove(rest + tl, e, strlen(e) + 1);
			memcpy(rest, target, tl);
			p = rest;
			if (target[0] == '/') {
				int root = open("/", O_PATH | O_CLOEXEC);
				if (root < 0) { r = 0; break; }
				close(cur);
				cur = root;
				strcpy(canon, "/");
			}
			continue;
		}
		size_t cl = strlen(canon);
		if (cl + 1 + n >= sizeof canon) { close(fd); r = 0; break; }
		if (cl > 1) canon[cl++] = '/';
		memcpy(canon + cl, name, n + 1);
		close(cur);
		cur = fd;
		p = e;
	}
	close(cur);
	if (r <= 0) return r;
	size_t cl = strlen(canon), pl = strlen(p);
	if (cl + 1 + pl >= len) return -ENAMETOOLONG;
	memcpy(abs, canon, cl);
	abs[cl] = '/';
	memcpy(abs + cl + 1, p, pl + 1);
	return 1;
}

/* Whether an absolute path names /proc (or /sys) from the root without a ".." (so
 * that its text is where it goes) */
static bool lexical_special(const char *path)
{
	for (const char *p = path; *p; ) {
		while (*p == '/') p++;
		const char *e = strchrnul(p, '/');
		if (e - p == 2 && p[0] == '.' && p[1] == '.') return false;
		p = e;
	}
	while (*path == '/') path++;
	return (!strncmp(path, "proc", 4) && (path[4] == '/' || !path[4])) || !strncmp(path, "sys/", 4);
}

/* Builds the absolute guest-view path; 0 when it cannot concern /proc (or a
 * sysfs_cpu_file). `follow`: the call follows a last symlink. */
static int absolute(struct task *t, int dirfd, const char *path, char *abs, size_t len, bool follow)
{
	if (path[0] == '/' && lexical_special(path)) {
		if (strlen(path) >= len) return -ENAMETOOLONG;
		strcpy(abs, path);
	} else {
		int r = kernel_check(t, dirfd, path, follow);
		if (r > 0) r = walk(t, dirfd, path, follow, abs, len);
		if (r <= 0) return r;
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

int procfs_resolve(struct task *t, int dirfd, const char *path, bool follow, struct proc_path *pp)
{
	char abs[PATH_MAX];
	int r = absolute(t, dirfd, path, abs, sizeof abs, follow);
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
