/* services/sched/sched_syscalls.h - the scheduling syscalls (handlers of the syscall
 * table, core/syscall_table.c). Emulated on the scheduler's tables when it is on;
 * with --sched=off they run natively with their pid translated (services/pm). */
#ifndef PERSONA_SCHED_SYSCALLS_H
#define PERSONA_SCHED_SYSCALLS_H
#include <sys/types.h>
#include "core/sysreq.h"
#include "services/pm/pm.h"	/* gaddr_t */

long sys_sched_yield(struct sysreq *r);
long sys_sched_setscheduler(struct sysreq *r, pid_t pid, int policy, gaddr_t param);
long sys_sched_getscheduler(struct sysreq *r, pid_t pid);
long sys_sched_setparam(struct sysreq *r, pid_t pid, gaddr_t param);
long sys_sched_getparam(struct sysreq *r, pid_t pid, gaddr_t param);
long sys_sched_setattr(struct sysreq *r, pid_t pid, gaddr_t attr, unsigned flags);
long sys_sched_getattr(struct sysreq *r, pid_t pid, gaddr_t attr, unsigned size, unsigned flags);
long sys_sched_rr_get_interval(struct sysreq *r, pid_t pid, gaddr_t ts);
long sys_getpriority(struct sysreq *r, int which, int who);
long sys_setpriority(struct sysreq *r, int which, int who, int nice);
long sys_sched_setaffinity(struct sysreq *r, pid_t pid, unsigned long len, gaddr_t mask);
long sys_sched_getaffinity(struct sysreq *r, pid_t pid, unsigned long len, gaddr_t mask);
long sys_getcpu(struct sysreq *r, gaddr_t cpu, gaddr_t node, gaddr_t tcache);
#endif
