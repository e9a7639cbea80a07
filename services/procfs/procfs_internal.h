/* services/procfs/procfs_internal.h - between the procfs files. Tracer thread only. */
#ifndef PERSONA_PROCFS_INTERNAL_H
#define PERSONA_PROCFS_INTERNAL_H
#include <limits.h>
#include <stdbool.h>
#include "core/task.h"

enum proc_synth { SYNTH_NONE, SYNTH_STATUS, SYNTH_STAT, SYNTH_INTERRUPTS, SYNTH_SOFTIRQS,
		  SYNTH_EMPTY /* a kernel thread's cmdline and environ */,
		  /* from the memory manager's tables (services/mm/mm_proc.c), when it is on */
		  SYNTH_MAPS, SYNTH_SMAPS, SYNTH_SMAPS_ROLLUP, SYNTH_STATM, SYNTH_MEMINFO,
		  SYNTH_VMSTAT,
		  /* from the scheduler (services/sched/sched_proc.c), when it is on */
		  SYNTH_SCHED, SYNTH_SCHEDSTAT,
		  SYNTH_CPUINFO, SYNTH_PROCSTAT,	/* the virtual CPUs only */
		  SYNTH_CPU_RANGE /* /sys/devices/system/cpu/{online,possible,present} */ };

/* A guest path resolved against the guest's /proc view */
struct proc_path {
	char host[PATH_MAX];	/* the path to hand to the host */
	struct task *task;	/* the task a /proc/PID[/task/TID] path names */
	enum proc_synth synth;	/* a file generated from the task table */
	bool link_self;		/* "/proc/self" or "/proc/thread-self" itself */
	const char *exe;	/* /proc/PID/exe of a program the loader mapped: its path
				 * (the host's link names the stub the host exec'd) */
	bool thread_self;
};

/* Resolves guest path `path` relative to `dirfd` (AT_FDCWD: cwd) of task `t`, as
 * the kernel would (symlinks, "..", a last symlink followed iff `follow`: see
 * resolve.c). Returns 0 when the path does not concern /proc/PID (run it
 * unchanged), 1 when pp->host holds the translated path, or -errno (ENOENT for
 * pids outside the namespace, ENAMETOOLONG). */
int procfs_resolve(struct task *t, int dirfd, const char *path, bool follow, struct proc_path *pp);
/* Writes the generated file for pp into a new memfd; returns its fd or -errno. */
int procfs_synth_open(const struct proc_path *pp);
/* Whether s[0..n) is a non-empty run of decimal digits (a pid component) */
bool procfs_is_num(const char *s, size_t n);
/* Whether task t's memory figures come from the memory manager's tables: it is on
 * and t has an address space (not a kernel thread; not a thread past its exit,
 * which Linux shows without one: an exited leader's maps are empty). */
bool procfs_mm_tables(const struct task *t);
/* The host path of the guest's fd, or -errno */
long procfs_fd_path(struct task *t, int fd, char *buf, size_t len);
#endif
