/* services/procfs/procfs.h - the guest's view of /proc.
 *
 * /proc/PID names virtual pids: paths are translated to the host's /proc/HOSTPID
 * before a native call (ENOENT for pids outside the namespace); /proc/self and
 * /proc/thread-self resolve to the caller; listings of /proc and /proc/PID/task show
 * only the namespace's tasks under their virtual ids; /proc/PID/status and stat are
 * generated from the task table (virtual Pid/PPid/Tgid/NSpid..., TracerPid 0). Other
 * /proc files pass through from the host. Whether a path is in /proc is decided by
 * the kernel's resolution of it from the guest's directory, not by its text: a
 * symlink to /proc leads to the guest's /proc (resolve.c).
 *
 * Thread: tracer thread (handlers run in the dispatcher). */
#ifndef PERSONA_PROCFS_H
#define PERSONA_PROCFS_H
#include <stdint.h>
#include <sys/types.h>
#include "core/sysreq.h"

typedef uint64_t gaddr_t;

long sys_open(struct sysreq *r, gaddr_t path, int flags, unsigned mode);
long sys_openat(struct sysreq *r, int dirfd, gaddr_t path, int flags, unsigned mode);
long sys_openat2(struct sysreq *r, int dirfd, gaddr_t path, gaddr_t how, unsigned long size);
long sys_stat(struct sysreq *r, gaddr_t path, gaddr_t buf);
long sys_lstat(struct sysreq *r, gaddr_t path, gaddr_t buf);
long sys_newfstatat(struct sysreq *r, int dirfd, gaddr_t path, gaddr_t buf, int flags);
long sys_statx(struct sysreq *r, int dirfd, gaddr_t path, int flags, unsigned mask, gaddr_t buf);
long sys_access(struct sysreq *r, gaddr_t path, int mode);
long sys_faccessat(struct sysreq *r, int dirfd, gaddr_t path, int mode);
long sys_faccessat2(struct sysreq *r, int dirfd, gaddr_t path, int mode, int flags);
long sys_creat(struct sysreq *r, gaddr_t path, unsigned mode);
long sys_truncate(struct sysreq *r, gaddr_t path, long len);
long sys_readlink(struct sysreq *r, gaddr_t path, gaddr_t buf, unsigned long size);
long sys_readlinkat(struct sysreq *r, int dirfd, gaddr_t path, gaddr_t buf, unsigned long size);
long sys_chdir(struct sysreq *r, gaddr_t path);
long sys_execve(struct sysreq *r, gaddr_t path, gaddr_t argv, gaddr_t envp);
long sys_execveat(struct sysreq *r, int dirfd, gaddr_t path, gaddr_t argv, gaddr_t envp, int flags);
long sys_getdents64(struct sysreq *r, int fd, gaddr_t dirp, unsigned count);

/* Internal interfaces between the procfs files (procfs_internal.h has the details) */
#endif
