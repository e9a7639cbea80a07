/* services/sched/sched.h - the scheduler core: virtual CPUs and the plugin that
 * decides which guest thread runs on each (include/persona/sched.h is the plugin ABI).
 *
 * A guest thread runs only while it is the current task of a virtual CPU; every other
 * runnable thread is held in a ptrace-stop. The core owns the state machine
 * (off / queued / running), the accounting from each thread's real CPU time
 * (/proc/TID/schedstat), preemption (PTRACE_INTERRUPT), and the resume gate every
 * resume of a guest passes (trap_resume → sched_may_resume). See docs/scheduler.md.
 *
 * Thread: tracer thread. */
#ifndef PERSONA_SERVICES_SCHED_H
#define PERSONA_SERVICES_SCHED_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <persona/sched.h>

struct task;

enum se_state { SE_OFF, SE_QUEUED, SE_RUNNING };
/* why an off task is off */
enum se_off { OFF_NEW, OFF_BLOCKED /* in the personality */, OFF_NATIVE /* sleeping in a
	      native syscall */, OFF_STOPPED /* group-stop */, OFF_DEAD };

/* The core's record of one guest thread (Linux: the parts of task_struct and
 * sched_entity the core keeps; `pt` is what the plugin sees). */
struct sched_entity {
	struct persona_sched_task pt;
	struct task *task;
	struct sched_entity *next_all;	/* every entity (validation of plugin answers) */
	enum se_state state;
	enum se_off off;
	bool held;			/* physically stopped, waiting for a CPU */
	int held_sig;			/* the signal to deliver when resumed */
	bool interrupted;		/* a PTRACE_INTERRUPT is on its way */
	uint64_t interrupt_at;		/* when it was sent */
	bool reset_on_fork;		/* SCHED_RESET_ON_FORK */
	bool yielding;			/* called sched_yield: the gate switches it out */
	bool watched;			/* off in a native sleep, polled at each tick */
	bool enter_sleep;		/* the next resume enters a sleeping syscall: not a wake-up */
	char comm[16];
	unsigned host_cpu;		/* host CPU it is pinned to, +1 (0: not pinned) */
	unsigned colo_cpu;		/* host CPU it shares with the tracer, +1 (sched_host.c) */
	bool colo_done;			/* grown up: back on every host CPU */
	int stat_fd, schedstat_fd;	/* /proc/TID/{stat,schedstat}, opened on demand */
	uint64_t host_runtime;		/* its host CPU time at the last accounting */
	uint8_t host_clock;		/* where that came from (sched_host.c host_runtime) */
	uint64_t run_start;		/* s->now when it got its CPU (trace slices) */
	/* statistics: /proc/PID/sched, /proc/PID/schedstat, the ctxt lines of status */
	uint64_t wait_sum;		/* ns spent queued */
	uint64_t wait_max;
	uint64_t wait_start;		/* s->now at enqueue (0: not waiting) */
	uint64_t nr_runs;		/* times picked (schedstat's third field) */
	uint64_t nr_voluntary;		/* gave the CPU up: blocked, yielded */
	uint64_t nr_involuntary;	/* preempted */
	uint64_t nr_migrations;
	uint64_t nr_wakeups;
};

struct sched_cpu {
	struct sched_entity *curr;
	bool need_resched;
	uint64_t idle_since;		/* s->now when it went idle with tasks queued (watchdog) */
	uint64_t nr_switches;
	uint64_t busy_ns;		/* real CPU time of the tasks that ran here */
};

struct sched_options {
	const char *plugin;		/* name or path; NULL: "cfs" */
	unsigned ncpus;			/* 0: host CPUs */
	unsigned hz;
	const char *trace_file;		/* --sched-trace */
	bool off;			/* --sched=off: the host schedules (no gate) */
	bool pin;			/* --pin: virtual CPU c is host CPU c */
};

/* Starts the scheduler (after evloop_init). 0, or -errno with a message printed. */
int sched_init(const struct sched_options *o);
void sched_shutdown(void);
bool sched_active(void);
unsigned sched_ncpus(void);		/* virtual CPUs (1 when inactive: host CPUs) */
const char *sched_plugin_name(void);

/* Lifecycle hooks (core/) */
void sched_task_new(struct task *child, struct task *parent);	/* clone event */
void sched_task_exiting(struct task *t);	/* PTRACE_EVENT_EXIT: gives the CPU up */
void sched_task_gone(struct task *t);		/* thread gone: frees the entity */
void sched_task_block(struct task *t, enum se_off why);	/* blocked in the personality
							 * (SYSRET_BLOCK) or group-stopped */
/* t, stopped at the entry of a native syscall that is certain to sleep (wait4 with
 * no zombie child, a vfork parent), gives its CPU up now instead of at the next tick;
 * the resume into the syscall passes the gate, its completion (exit stop) wakes it. */
void sched_task_will_block(struct task *t);
/* trap_resume's gate: true when t may run now; false when it stays stopped (held),
 * to be resumed with `sig` once it is picked. */
bool sched_may_resume(struct task *t, int sig);
/* Before the tracer resumes t: a young task is kept on the host CPU the tracer runs
 * on (sched_host.c, "co-location"). */
void sched_task_colocate(struct task *t);
/* The timer tick (IRQ_TIMER): accounting, plugin tick, preemption, wake-ups of
 * tasks sleeping in native syscalls. */
void sched_tick(void);

/* The first guest (init), already running: it gets a CPU. Exec by a non-leader
 * thread: the leader's task continues the thread (task_exec). */
void sched_task_start(struct task *t);
void sched_task_exec(struct task *thread, struct task *leader);
void sched_task_renamed(struct task *t);	/* exec, prctl(PR_SET_NAME): comm changed */
void sched_task_named(struct task *t, const char *comm);	/* the same, the name known */
/* sched_yield by t (emulated): the plugin hears of it and the gate switches */
void sched_yield_task(struct task *t);

/* Swaps the plugin of the running instance (persona ctl PID sched NAME): every task
 * moves over. 0 or -errno; `msg` gets a line for the user. */
int sched_swap(const char *name, char *msg, size_t len);

/* Read access for /proc, --stats, syscalls */
struct sched_entity *sched_entity_of(const struct task *t);	/* NULL: none */
const struct sched_cpu *sched_cpu_info(unsigned cpu);
struct persona_sched *sched_instance(void);
const struct persona_sched_ops *sched_ops(void);
uint64_t sched_clock(void);			/* ns, CLOCK_MONOTONIC */
void sched_print_stats(FILE *out);		/* --stats */

/* services/sched/plugin.c: finding and checking plugins.
 * `name` is a built-in name, a NAME found as NAME.so on the plugin path
 * ($PERSONA_SCHED_PATH, then <persona's dir>/sched-plugins, then
 * PREFIX/lib/persona/sched), or a path containing '/' (dlopen'ed as is).
 * Returns the ops or NULL with a one-line reason in `err`. The handle of a loaded
 * .so is kept open for the life of the process. */
const struct persona_sched_ops *sched_plugin_load(const char *name, char *err, size_t errlen);
/* Checks an ops struct as the loader does (ABI version, name, required callbacks,
 * SCHED_NORMAL in policies). 0 or -EINVAL with the reason in `err`. */
int sched_plugin_check(const struct persona_sched_ops *ops, char *err, size_t errlen);
/* `persona sched list`: built-in and installed plugins with their descriptions */
int sched_plugin_list(FILE *out);
/* `persona sched list|check PLUGIN` (argv[0] is "sched"): 0, 1 on failure, 2 for usage */
int sched_cmd_main(int argc, char **argv);
/* The built-ins, each in services/sched/plugins/NAME.c */
extern const struct persona_sched_ops sched_fifo_plugin, sched_rr_plugin, sched_cfs_plugin,
	sched_mlfq_plugin, sched_edf_plugin, sched_eevdf_plugin;
#define SCHED_SAFE_PLUGIN (&sched_rr_plugin)	/* the fallback when a plugin misbehaves */

/* services/sched/sched_trace.c: --sched-trace FILE, Chrome Trace Event JSON
 * (one track per virtual CPU, a complete event per run of a task). */
int sched_trace_open(const char *path, unsigned ncpus);	/* 0 or -errno */
void sched_trace_slice(unsigned cpu, const struct persona_sched_task *t, uint64_t start_ns,
		       uint64_t end_ns, const char *why);	/* why: "preempt", "block", ... */
void sched_trace_instant(unsigned cpu, const char *name, const struct persona_sched_task *t,
			 uint64_t ts_ns);			/* wakeup, swap ... */
void sched_trace_close(void);

/* services/sched/sched_proc.c: generated /proc files */
int sched_proc_sched(struct task *t, char *buf, size_t len);	  /* /proc/PID/sched */
int sched_proc_schedstat(struct task *t, char *buf, size_t len);  /* /proc/PID/schedstat */
int sched_proc_status_ctxt(struct task *t, char *buf, size_t len); /* status ctxt lines */
#endif
