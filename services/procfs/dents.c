/* services/procfs/dents.c - listings of /proc, /proc/PID/task, and (with the memory
 * manager on) /proc/PID/fd and /proc/PID/fdinfo, which must not show the frame
 * pool's descriptor (MM_POOL_FD). getdents64 on any other directory runs natively.
 * On these, the supervisor
 * reads the directory itself through a duplicate of the guest's descriptor
 * (pidfd_getfd: same open file, same offset), keeps the entries the guest may see,
 * renames pid entries to virtual pids, and copies the records to the guest. An
 * entry that does not fit is left for the next call by seeking back to it. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "services/procfs/procfs.h"
#include "services/procfs/procfs_internal.h"
#include "core/guest_mem.h"
#include "core/pidmap.h"
#include "services/mm/mm.h"

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};


enum listing { NOT_LISTED, LIST_PROC, LIST_TASKS, LIST_FDS };

/* The name the guest sees for a host entry, or false to hide it. `proc` is NULL for
 * /proc itself, else the process whose task directory this is. */
static bool guest_name(const char *host, enum listing kind, struct task *proc, char *out, size_t len)
{
	if (kind == LIST_FDS) {
		if (procfs_is_num(host, strlen(host)) && atoi(host) == MM_POOL_FD) return false;
		snprintf(out, len, "%s", host);
		return true;
	}
	if (!procfs_is_num(host, strlen(host))) {
		snprintf(out, len, "%s", host);
		return true;
	}
	struct task *t = task_by_host(atoi(host));
	if (!t || t->state == TASK_DEAD || t->kthread) return false;
	if (proc ? t->leader != proc : !task_is_leader(t)) return false;
	snprintf(out, len, "%d", task_vtid(t));
	return true;
}

/* Kernel threads are supervisor threads, absent from the host's /proc listing: they
 * are listed after the host's entries, in pid order. The directory offset past the
 * host's end (which the host accepts and reads as end of directory) is our cursor. */
#define KTHREAD_POS 0x7fff0000LL

static int cmp_pid(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }

static int collect_kthread(struct task *t, void *arg)
{
	int *v = arg;
	if (t->kthread && v[0] < 255) v[++v[0]] = task_vtid(t);
	return 0;
}

static unsigned add_entry(char *out, unsigned used, unsigned cap, uint64_t ino, int64_t off,
			  unsigned char type, const char *name)
{
	unsigned reclen = (offsetof(struct linux_dirent64, d_name) + strlen(name) + 1 + 7) & ~7u;
	if (used + reclen > cap) return 0;
	struct linux_dirent64 *o = (void *)(out + used);
	o->d_ino = ino; o->d_off = off; o->d_type = type;
	o->d_reclen = reclen;
	memset(o->d_name, 0, reclen - offsetof(struct linux_dirent64, d_name));
	strcpy(o->d_name, name);
	return reclen;
}

static long list_kthreads(int dfd, char *out, unsigned used, unsigned cap)
{
	int v[256] = { 0 };
	off_t pos = lseek(dfd, 0, SEEK_CUR);
	task_for_each(collect_kthread, v);
	qsort(v + 1, v[0], sizeof v[0], cmp_pid);
	long i = pos >= KTHREAD_POS ? pos - KTHREAD_POS : 0;
	for (; i < v[0]; i++) {
		char name[16];
		snprintf(name, sizeof name, "%d", v[i + 1]);
		unsigned r = add_entry(out, used, cap, 0x7000000 + v[i + 1], KTHREAD_POS + i + 1, DT_DIR, name);
		if (!r) break;
		used += r;
	}
	lseek(dfd, KTHREAD_POS + i, SEEK_SET);
	return used ? (long)used : i < v[0] ? -EINVAL : 0;
}

/* Fills `out` (cap bytes) from directory fd `dfd`. Returns bytes or -errno. */
static long filter_dir(int dfd, enum listing kind, struct task *proc, char *out, unsigned cap)
{
	char in[8192], name[256];
	unsigned used = 0;
	for (;;) {
		off_t start = lseek(dfd, 0, SEEK_CUR);
		long n = syscall(SYS_getdents64, dfd, in, sizeof in);
		if (n == 0 && kind == LIST_PROC) return list_kthreads(dfd, out, used, cap);
		if (n <= 0) return used ? (long)used : n < 0 ? -errno : 0;
		int64_t prev_off = -1;
		for (long pos = 0; pos < n; ) {
			struct linux_dirent64 *d = (void *)(in + pos);
			pos += d->d_reclen;
			if (!guest_name(d->d_name, kind, proc, name, sizeof name)) { prev_off = d->d_off; continue; }
			unsigned reclen = add_entry(out, used, cap, d->d_ino, d->d_off, d->d_type, name);
			if (!reclen) {
				/* resume here next time: seek to the previous entry's cookie */
				lseek(dfd, prev_off >= 0 ? prev_off : start, SEEK_SET);
				return used ? (long)used : -EINVAL;
			}
			used += reclen;
			prev_off = d->d_off;
		}
		if (used) return used;
	}
}

/* Which listing a host directory path is (a task dir sets *proc) */
static enum listing listing_kind(const char *p, struct task **proc)
{
	if (!strcmp(p, "/proc")) return LIST_PROC;
	int host, tid, n = 0;
	if (sscanf(p, "/proc/%d/task%n", &host, &n) == 1 && p[n] == 0) {
		struct task *t = task_by_host(host);
		if (!t) return NOT_LISTED;
		*proc = t->leader;
		return LIST_TASKS;
	}
	if (!mm_active()) return NOT_LISTED;
	/* /proc/PID/fd, /proc/PID/fdinfo, and the same under task/TID */
	const char *rest = NULL;
	if (sscanf(p, "/proc/%d/task/%d%n", &host, &tid, &n) == 2) {
		host = tid;
		rest = p + n;
	} else if (sscanf(p, "/proc/%d%n", &host, &n) == 1) {
		rest = p + n;
	}
	if (!rest || (strcmp(rest, "/fd") && strcmp(rest, "/fdinfo"))) return NOT_LISTED;
	struct task *t = task_by_host(host);
	return t && !t->kthread ? LIST_FDS : NOT_LISTED;
}

long sys_getdents64(struct sysreq *r, int fd, gaddr_t dirp, unsigned count)
{
	char path[PATH_MAX];
	struct task *t = r->task, *proc = NULL;
	if (procfs_fd_path(t, fd, path, sizeof path) < 0) return SYSRET_NATIVE;
	enum listing kind = listing_kind(path, &proc);
	if (kind == NOT_LISTED) return SYSRET_NATIVE;
	if (count > 1 << 20) count = 1 << 20;
	int dfd = (int)syscall(SYS_pidfd_getfd, t->leader->pidfd, fd, 0);
	if (dfd < 0) return SYSRET_NATIVE;
	char *buf = malloc(count ? count : 1);
	long n = buf ? filter_dir(dfd, kind, kind == LIST_TASKS ? proc : NULL, buf, count) : -ENOMEM;
	close(dfd);
	if (n > 0 && copy_to_guest(t->tid, dirp, buf, n)) n = -EFAULT;
	free(buf);
	return n;
}
