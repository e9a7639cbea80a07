/* services/pm/pm.h - the process manager: the guest's pid namespace.
 * Handlers for every syscall that takes or returns a pid, pgid, sid or tid, and the
 * policy that keeps guests from escaping the supervisor (ptrace, seccomp listeners,
 * CLONE_UNTRACED, signals to pids outside the namespace). Each translates virtual ids
 * to host ids on the way in and back on the way out; ids outside the namespace read
 * as 0 and cannot be named (ESRCH), as in a Linux pid namespace.
 *
 * Thread: tracer thread (handlers run in the dispatcher). */
#ifndef PERSONA_PM_H
#define PERSONA_PM_H
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "core/sysreq.h"

typedef uint64_t gaddr_t;	/* a guest address */

/* ids.c */
long sys_getpid(struct sysreq *r);
long sys_getppid(struct sysreq *r);
long sys_gettid(struct sysreq *r);
long sys_set_tid_address(struct sysreq *r, gaddr_t tidptr);
long sys_getpgid(struct sysreq *r, pid_t pid);
long sys_getpgrp(struct sysreq *r);
long sys_getsid(struct sysreq *r, pid_t pid);
long sys_setsid(struct sysreq *r);
long sys_setpgid(struct sysreq *r, pid_t pid, pid_t pgid);
/* fork.c */
long sys_fork(struct sysreq *r);
long sys_vfork(struct sysreq *r);
long sys_clone(struct sysreq *r, unsigned long flags, gaddr_t stack, gaddr_t ptid, gaddr_t ctid, unsigned long tls);
long sys_clone3(struct sysreq *r, gaddr_t args, unsigned long size);
long sys_unshare(struct sysreq *r, unsigned long flags);
long sys_setns(struct sysreq *r, int fd, int nstype);
/* Set once a guest may have created or entered another pid namespace */
extern bool pm_nested_pidns_possible;
/* wait.c */
long sys_wait4(struct sysreq *r, pid_t pid, gaddr_t status, int options, gaddr_t rusage);
long sys_waitid(struct sysreq *r, int idtype, int id, gaddr_t infop, int options, gaddr_t rusage);
/* kill.c */
long sys_kill(struct sysreq *r, pid_t pid, int sig);
long sys_tkill(struct sysreq *r, pid_t tid, int sig);
long sys_tgkill(struct sysreq *r, pid_t tgid, pid_t tid, int sig);
long sys_rt_sigqueueinfo(struct sysreq *r, pid_t tgid, int sig, gaddr_t info);
long sys_rt_tgsigqueueinfo(struct sysreq *r, pid_t tgid, pid_t tid, int sig, gaddr_t info);
long sys_pidfd_open(struct sysreq *r, pid_t pid, unsigned flags);
long sys_pidfd_send_signal(struct sysreq *r, int pidfd, int sig, gaddr_t info, unsigned flags);
long sys_rt_sigtimedwait(struct sysreq *r, gaddr_t set, gaddr_t info, gaddr_t ts, unsigned long size);
/* pidargs.c: syscalls with a pid among their arguments */
long sys_prlimit64(struct sysreq *r, pid_t pid, unsigned res, gaddr_t new_rl, gaddr_t old_rl);
/* getpriority/setpriority with the pid or group translated (the scheduler's handlers
 * fall back to these when it is off: services/sched/sched_syscalls.c) */
long pm_getpriority(struct sysreq *r, int which, int who);
long pm_setpriority(struct sysreq *r, int which, int who, int prio);
long sys_ioprio_get(struct sysreq *r, int which, int who);
long sys_ioprio_set(struct sysreq *r, int which, int who, int prio);
long sys_get_robust_list(struct sysreq *r, pid_t pid, gaddr_t head, gaddr_t len);
long sys_process_vm_readv(struct sysreq *r, pid_t pid, gaddr_t lv, unsigned long ln, gaddr_t rv, unsigned long rn, unsigned long fl);
long sys_process_vm_writev(struct sysreq *r, pid_t pid, gaddr_t lv, unsigned long ln, gaddr_t rv, unsigned long rn, unsigned long fl);
long sys_kcmp(struct sysreq *r, pid_t pid1, pid_t pid2, int type, unsigned long i1, unsigned long i2);
long sys_capget(struct sysreq *r, gaddr_t hdr, gaddr_t data);
long sys_capset(struct sysreq *r, gaddr_t hdr, gaddr_t data);
/* tty.c: job control ids through ioctl and fcntl, peer credentials */
long sys_ioctl(struct sysreq *r, int fd, unsigned cmd, gaddr_t arg);
long sys_fcntl(struct sysreq *r, int fd, int cmd, unsigned long arg);
long sys_getsockopt(struct sysreq *r, int fd, int level, int name, gaddr_t val, gaddr_t len);
/* policy.c */
long sys_ptrace(struct sysreq *r, long request, pid_t pid, gaddr_t addr, gaddr_t data);
long sys_seccomp(struct sysreq *r, unsigned op, unsigned flags, gaddr_t args);
long sys_prctl(struct sysreq *r, int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5);

/* helpers shared by the pm handlers (pm_internal.c) */
struct task;
/* A virtual pid argument of the caller `self` (0 = self) as a host pid. Returns
 * -ESRCH when it names no task of the namespace. */
long pm_pid_to_host(struct task *self, pid_t vpid);
/* Rewrites argument `i` (a pid, 0 = caller) to the host pid; SYSRET_NATIVE, or the
 * errno the kernel would give for a pid it cannot see. */
long pm_native_with_pid(struct sysreq *r, int i, pid_t vpid);
/* Exit hook: translate a returned host pid to the virtual one */
long pm_exit_host_to_virt(struct sysreq *r, long ret);
#endif
