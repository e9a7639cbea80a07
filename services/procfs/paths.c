/* services/procfs/paths.c - the path syscalls that can name /proc/PID.
 * Each reads the guest's path, and when it concerns /proc/PID hands the kernel the
 * host path instead (a copy on the guest's stack, see sysreq_push). Everything else
 * runs natively and unchanged, so the kernel reports its own errors (EFAULT, ENOENT,
 * ENAMETOOLONG) exactly. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "services/procfs/procfs.h"
#include "services/procfs/procfs_internal.h"
#include "core/guest_mem.h"
#include "core/log.h"

static long close_synth_exit(struct sysreq *r, long ret)
{
	close((int)r->data[0]);
	return ret;
}

/* Serves a generated file: the guest opens our memfd through /proc/OURPID/fd/N */
static long open_synth(struct sysreq *r, int pi, struct proc_path *pp)
{
	int fd = procfs_synth_open(pp);
	if (fd < 0) return fd;
	snprintf(pp->host, sizeof pp->host, "/proc/%d/fd/%d", getpid(), fd);
	r->data[0] = (uint64_t)fd;
	sysreq_on_exit(r, close_synth_exit);
	return 0;
}

/* Translates the path in argument `pi` (its dirfd in argument `di`, or -1). With
 * open_flags >= 0 the call opens the file, and generated files are served. With
 * `follow`, the call follows a last symlink: /proc/PID/exe of a program the loader
 * mapped is then the program's file. */
static long path_call_follow(struct sysreq *r, int di, int pi, int open_flags, bool follow)
{
	char path[PATH_MAX];
	struct proc_path pp;
	struct task *t = r->task;
	if (guest_read_str(t->tid, path, r->args[pi], sizeof path) < 0) return SYSRET_NATIVE;
	int dirfd = di >= 0 ? (int)r->args[di] : AT_FDCWD;
	int rc = procfs_resolve(t, dirfd, path, follow, &pp);
	if (rc <= 0) return rc < 0 ? rc : SYSRET_NATIVE;
	if (open_flags >= 0 && pp.synth != SYNTH_NONE && (open_flags & O_ACCMODE) == O_RDONLY &&
	    !(open_flags & O_DIRECTORY)) {
		long err = open_synth(r, pi, &pp);
		if (err < 0) return err;
	}
	if (pp.exe && follow)
		snprintf(pp.host, sizeof pp.host, "%s", pp.exe);
	DBG(DBG_PROC, "[%d] %s -> %s", task_vtid(t), path, pp.host);
	uint64_t a = sysreq_push(r, pp.host, strlen(pp.host) + 1);
	if (!a) return -EFAULT;
	sysreq_set_arg(r, pi, a);
	return SYSRET_NATIVE;
}

static long path_call(struct sysreq *r, int di, int pi, int open_flags)
{
	return path_call_follow(r, di, pi, open_flags, true);
}

/* open follows a last symlink unless O_NOFOLLOW, or O_CREAT|O_EXCL (which fail on
 * any existing name) */
static long open_call(struct sysreq *r, int di, int pi, int flags)
{
	bool follow = !(flags & O_NOFOLLOW) && (flags & (O_CREAT | O_EXCL)) != (O_CREAT | O_EXCL);
	return path_call_follow(r, di, pi, flags, follow);
}

long sys_open(struct sysreq *r, gaddr_t p, int flags, unsigned mode) { return open_call(r, -1, 0, flags); }
long sys_openat(struct sysreq *r, int dfd, gaddr_t p, int flags, unsigned mode) { return open_call(r, 0, 1, flags); }
long sys_stat(struct sysreq *r, gaddr_t p, gaddr_t buf) { return path_call(r, -1, 0, -1); }
long sys_lstat(struct sysreq *r, gaddr_t p, gaddr_t buf) { return path_call_follow(r, -1, 0, -1, false); }
long sys_newfstatat(struct sysreq *r, int dfd, gaddr_t p, gaddr_t buf, int fl)
{ return path_call_follow(r, 0, 1, -1, !(fl & AT_SYMLINK_NOFOLLOW)); }
long sys_statx(struct sysreq *r, int dfd, gaddr_t p, int fl, unsigned m, gaddr_t b)
{ return path_call_follow(r, 0, 1, -1, !(fl & AT_SYMLINK_NOFOLLOW)); }
long sys_access(struct sysreq *r, gaddr_t p, int mode) { return path_call(r, -1, 0, -1); }
long sys_faccessat(struct sysreq *r, int dfd, gaddr_t p, int mode) { return path_call(r, 0, 1, -1); }
long sys_faccessat2(struct sysreq *r, int dfd, gaddr_t p, int mode, int fl)
{ return path_call_follow(r, 0, 1, -1, !(fl & AT_SYMLINK_NOFOLLOW)); }
long sys_chdir(struct sysreq *r, gaddr_t p) { return path_call(r, -1, 0, -1); }
long sys_execve(struct sysreq *r, gaddr_t p, gaddr_t argv, gaddr_t envp) { return path_call(r, -1, 0, -1); }
long sys_execveat(struct sysreq *r, int dfd, gaddr_t p, gaddr_t a, gaddr_t e, int fl)
{ return path_call_follow(r, 0, 1, -1, !(fl & AT_SYMLINK_NOFOLLOW)); }

/* The calls that can shrink a file by name: truncate("/proc/self/fd/1023") reached
 * the frame pool (its memfd is sealed as well: EPERM by any other route). The calls
 * that change a file's attributes by name (chmod, chown, utimes, xattrs) stay
 * untranslated: frequent (ls -l reads two xattrs a file: as memory calls of the
 * shim they run in the guest; with a handler, each was a ptrace stop, ls -lR 4.5x
 * slower) and harmless to the pool. */
long sys_creat(struct sysreq *r, gaddr_t p, unsigned mode) { return open_call(r, -1, 0, O_CREAT | O_WRONLY | O_TRUNC); }
long sys_truncate(struct sysreq *r, gaddr_t p, long len) { return path_call(r, -1, 0, -1); }

long sys_openat2(struct sysreq *r, int dfd, gaddr_t p, gaddr_t how, unsigned long size)
{
	uint64_t flags;	/* struct open_how starts with the flags */
	if (size < sizeof flags || copy_from_guest(r->task->tid, &flags, how, sizeof flags))
		return SYSRET_NATIVE;
	return open_call(r, 0, 1, (int)flags);
}

/* readlink of /proc/self and /proc/thread-self names the caller's virtual ids */
static long readlink_call(struct sysreq *r, int di, int pi, gaddr_t buf, unsigned long size)
{
	char path[PATH_MAX], link[64];
	struct proc_path pp;
	struct task *t = r->task;
	if (guest_read_str(t->tid, path, r->args[pi], sizeof path) < 0) return SYSRET_NATIVE;
	int rc = procfs_resolve(t, di >= 0 ? (int)r->args[di] : AT_FDCWD, path, false, &pp);
	if (rc < 0) return rc;
	if (rc == 0) return SYSRET_NATIVE;
	if (pp.exe) {	/* the program the loader mapped, not the stub the host exec'd */
		if ((long)size <= 0) return -EINVAL;
		size_t n = strlen(pp.exe);
		if (n > size) n = size;		/* readlink truncates silently */
		return copy_to_guest(t->tid, buf, pp.exe, n) ? -EFAULT : (long)n;
	}
	if (!pp.link_self) {
		uint64_t a = sysreq_push(r, pp.host, strlen(pp.host) + 1);
		if (!a) return -EFAULT;
		sysreq_set_arg(r, pi, a);
		return SYSRET_NATIVE;
	}
	if ((long)size <= 0) return -EINVAL;
	int n = pp.thread_self ? snprintf(link, sizeof link, "%d/task/%d", task_vpid(t), task_vtid(t))
			       : snprintf(link, sizeof link, "%d", task_vpid(t));
	if ((unsigned long)n > size) n = (int)size;	/* readlink truncates silently */
	return copy_to_guest(t->tid, buf, link, n) ? -EFAULT : n;
}

long sys_readlink(struct sysreq *r, gaddr_t p, gaddr_t buf, unsigned long size)
{ return readlink_call(r, -1, 0, buf, size); }
long sys_readlinkat(struct sysreq *r, int dfd, gaddr_t p, gaddr_t buf, unsigned long size)
{ return readlink_call(r, 0, 1, buf, size); }
