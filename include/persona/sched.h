/* persona/sched.h - the scheduler plugin ABI of Persona.
 *
 * A plugin decides which guest thread runs on each virtual CPU. It is shaped like
 * Linux's struct sched_class and sched_ext's struct sched_ext_ops: the core owns the
 * tasks, the virtual CPUs, the clock and every ptrace operation; the plugin owns its
 * run queues and answers the core's callbacks. A plugin never sees ptrace, pids or
 * the supervisor's task table, so the same plugin runs unchanged under the simulated
 * clock of the unit tests.
 *
 * A plugin is a shared object exporting one symbol, `persona_sched_plugin`, a
 * `const struct persona_sched_ops` (the built-in plugins are linked into persona and
 * registered the same way). Build one out of tree with
 *     cc -shared -fPIC $(pkg-config --cflags persona-sched) -o my.so my.c
 * and run it with `persona run --sched ./my.so -- PROGRAM`. docs/sched-plugins.md
 * walks through one.
 *
 * Every callback runs on the supervisor's tracer thread, one at a time: plugins need
 * no locking. `s->now` is the scheduler clock (ns) when the callback is made.
 *
 * Task states, as the core tracks them (the core checks every transition):
 *     off ──enqueue──▶ queued ──pick_next──▶ running ──put_prev(RUNNABLE)──▶ queued
 *      ▲                 │                      │
 *      └────dequeue──────┘◀──────put_prev(0)────┘ (blocked, dead: not queued again)
 * A plugin holds a task in its queues exactly while the core says it is queued. */
#ifndef PERSONA_SCHED_H
#define PERSONA_SCHED_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PERSONA_SCHED_ABI_VERSION 1
#define PERSONA_SCHED_MAX_CPUS 64
#define PERSONA_SCHED_SYMBOL "persona_sched_plugin"

/* Policies, with Linux's numbers (sched_setscheduler(2)) */
#define PERSONA_SCHED_NORMAL	0
#define PERSONA_SCHED_FIFO	1
#define PERSONA_SCHED_RR	2
#define PERSONA_SCHED_BATCH	3
#define PERSONA_SCHED_IDLE	5
#define PERSONA_SCHED_DEADLINE	6
#define PERSONA_POLICY_BIT(p)	(1u << (p))

/* One guest thread as a plugin sees it (Linux: sched_entity + the fields of
 * task_struct a sched_class reads). The core writes the identity, parameters and
 * accounting; the plugin may write only `priv`, `data` and `slice_ns`. */
struct persona_sched_task {
	int tid, tgid;			/* virtual ids (for logs and traces) */
	const char *comm;		/* the thread's name */
	/* parameters, stored by the core after set_policy accepted them */
	int policy;			/* PERSONA_SCHED_* */
	int nice;			/* -20..19 */
	unsigned rt_priority;		/* 1..99 for FIFO/RR, else 0 */
	unsigned long weight;		/* persona_sched_nice_to_weight[nice + 20] */
	uint64_t dl_runtime, dl_deadline, dl_period;	/* ns, SCHED_DEADLINE */
	uint64_t cpus_allowed;		/* bit i: may run on virtual CPU i */
	unsigned cpu;			/* the CPU it runs on, or last ran on */
	/* accounting, kept by the core from the task's real CPU time */
	uint64_t sum_exec_runtime;	/* ns run in total */
	uint64_t slice_exec;		/* ns run since it was last picked */
	uint64_t last_enqueued;		/* s->now at its last enqueue */
	/* the plugin's */
	uint64_t slice_ns;		/* the slice the plugin gave it (0: none); reported by
					 * sched_rr_get_interval when timeslice is NULL */
	void *priv;			/* plugin state allocated in task_init */
	uint64_t data[8];		/* or scratch that needs no allocation */
};

/* The scheduler instance the core hands every callback. */
struct persona_sched {
	unsigned nr_cpus;		/* virtual CPUs, 0..nr_cpus-1 */
	unsigned hz;			/* tick rate; tick() runs about every 1e9/hz ns */
	uint64_t now;			/* ns, monotonic; set by the core before each callback */
	void *priv;			/* the plugin's (set in init) */
	/* services of the core */
	struct persona_sched_task *(*curr)(struct persona_sched *s, unsigned cpu); /* running task or NULL */
	void (*resched)(struct persona_sched *s, unsigned cpu);	/* call pick_next on cpu soon
								 * (the running task is preempted) */
	void (*log)(struct persona_sched *s, const char *fmt, ...)
		__attribute__((format(printf, 2, 3)));	/* --debug=sched */
};

/* sched_setattr(2)'s parameters, as set_policy receives them */
struct persona_sched_attr {
	int policy;
	int nice;
	unsigned rt_priority;
	uint64_t dl_runtime, dl_deadline, dl_period;
	uint64_t flags;			/* SCHED_FLAG_* (reset-on-fork is the core's) */
};

/* enqueue flags */
#define PERSONA_ENQ_WAKEUP	0x1	/* woke from a block (syscall completed, signal, SIGCONT) */
#define PERSONA_ENQ_NEW		0x2	/* first enqueue after task_init (fork, clone) */
#define PERSONA_ENQ_MOVE	0x4	/* re-queued by the core: plugin swap, policy or
					 * affinity change (a dequeue(MOVE) came before) */
/* dequeue flags */
#define PERSONA_DEQ_SLEEP	0x1	/* blocked before it could run */
#define PERSONA_DEQ_DEAD	0x2	/* exited while queued */
#define PERSONA_DEQ_MOVE	0x4	/* leaves for a swap or parameter change; comes back */
/* put_prev flags */
#define PERSONA_PUT_RUNNABLE	0x1	/* still runnable: the plugin must queue it again */
#define PERSONA_PUT_PREEMPT	0x2	/* ... because tick or resched asked for the CPU */
#define PERSONA_PUT_YIELD	0x4	/* ... because it called sched_yield */
#define PERSONA_PUT_BLOCK	0x8	/* blocked (syscall, sleep, stop signal): not queued */
#define PERSONA_PUT_DEAD	0x10	/* exited: not queued */

struct persona_sched_ops {
	unsigned abi_version;		/* PERSONA_SCHED_ABI_VERSION, checked at load */
	const char *name;		/* [a-z0-9_-], at most 31 chars: `--sched NAME` */
	const char *description;	/* one line, for `persona sched list` */
	unsigned policies;		/* PERSONA_POLICY_BIT()s it implements; SCHED_NORMAL is
					 * required (every task starts with it) */

	/* The instance starts / ends. init may allocate s->priv. Nonzero (-errno)
	 * refuses the load. NULL: nothing to do. */
	int (*init)(struct persona_sched *s);
	void (*exit)(struct persona_sched *s);

	/* A task joins the plugin: `parent` is the forking task for fork/clone
	 * (Linux's task_fork: inherit or split what it needs), NULL for the first
	 * task and for tasks moved in by a swap. The task is off; enqueue(NEW) or
	 * enqueue(MOVE) follows. Nonzero refuses the task (the core then falls back to
	 * the safe plugin). NULL: nothing to do. */
	int (*task_init)(struct persona_sched *s, struct persona_sched_task *t,
			 const struct persona_sched_task *parent);
	/* The task leaves the plugin: it exited (it is off), or a swap moves it out (it
	 * may be running or queued then; no dequeue for a running one comes first).
	 * Free t->priv here. NULL: nothing to do. */
	void (*task_dead)(struct persona_sched *s, struct persona_sched_task *t);

	/* Required. off → queued: the task became runnable (flags PERSONA_ENQ_*). */
	void (*enqueue)(struct persona_sched *s, struct persona_sched_task *t, unsigned flags);
	/* Required. queued → off without running (flags PERSONA_DEQ_*). */
	void (*dequeue)(struct persona_sched *s, struct persona_sched_task *t, unsigned flags);
	/* Required. Chooses the next task for `cpu` among the queued ones whose
	 * cpus_allowed has `cpu`, and removes it from the queue (queued → running).
	 * NULL: the CPU idles. Returning a task that is not queued, or not allowed on
	 * `cpu`, is a plugin bug: the core switches to the safe plugin and says so. */
	struct persona_sched_task *(*pick_next)(struct persona_sched *s, unsigned cpu);
	/* The running task `t` leaves `cpu` (flags PERSONA_PUT_*). With
	 * PERSONA_PUT_RUNNABLE the plugin must queue it again (the core counts it as
	 * queued afterwards). NULL: enqueue(t, 0) when runnable, nothing otherwise. */
	void (*put_prev)(struct persona_sched *s, struct persona_sched_task *t, unsigned cpu,
			 unsigned flags);
	/* The timer tick on a CPU running `t`, which ran `delta_ns` of real CPU time
	 * since the last accounting (already added to sum_exec_runtime and
	 * slice_exec). Returns true to preempt it (the core calls put_prev(PREEMPT)
	 * and pick_next). NULL: preempt once slice_exec reaches
	 * PERSONA_SCHED_DEFAULT_SLICE_NS. */
	bool (*tick)(struct persona_sched *s, struct persona_sched_task *t, unsigned cpu,
		     uint64_t delta_ns);
	/* The running task called sched_yield; put_prev(RUNNABLE|YIELD) and pick_next
	 * follow (it may be picked again). NULL: nothing more. */
	void (*yield)(struct persona_sched *s, struct persona_sched_task *t);
	/* `t` was just enqueued with WAKEUP or NEW while `curr` runs on `cpu`: true
	 * preempts curr (Linux's wakeup_preempt). NULL: never. */
	bool (*check_preempt)(struct persona_sched *s, unsigned cpu,
			      struct persona_sched_task *curr, struct persona_sched_task *t);
	/* Placement before an enqueue (Linux's select_task_rq): returns the CPU whose
	 * queue `t` should join; `idle` has bit i set for each idle CPU. The core
	 * ignores a CPU outside t->cpus_allowed. NULL: prev_cpu if idle, else the
	 * lowest idle allowed CPU, else prev_cpu. */
	int (*select_cpu)(struct persona_sched *s, struct persona_sched_task *t, unsigned prev_cpu,
			  uint64_t idle);
	/* sched_setscheduler/sched_setparam/sched_setattr/setpriority on `t`, after the
	 * core checked what Linux checks first (ranges, permissions). 0 accepts (the
	 * core then stores the parameters into t; a queued task gets a dequeue(MOVE)
	 * before and an enqueue(MOVE) after; a running one stays running and its CPU
	 * is rescheduled), -EINVAL for a policy
	 * the plugin does not implement, -EBUSY when admission control refuses (EDF).
	 * NULL: accepts the policies in `policies`, -EINVAL otherwise. */
	int (*set_policy)(struct persona_sched *s, struct persona_sched_task *t,
			  const struct persona_sched_attr *attr);
	/* sched_rr_get_interval: the task's time slice in ns. NULL: t->slice_ns. */
	uint64_t (*timeslice)(struct persona_sched *s, struct persona_sched_task *t);
	/* Extra lines for /proc/PID/sched ("name : value\n"), e.g. vruntime. NULL: none. */
	void (*dump)(struct persona_sched *s, struct persona_sched_task *t, char *buf, size_t len);
};

#define PERSONA_SCHED_DEFAULT_SLICE_NS	(4 * 1000 * 1000ull)

/* Linux's sched_prio_to_weight (kernel/sched/core.c): nice -20..19; nice 0 is 1024
 * and each step is about 1.25x. */
static const unsigned long persona_sched_nice_to_weight[40] = {
	88761, 71755, 56483, 46273, 36291,
	29154, 23254, 18705, 14949, 11916,
	9548, 7620, 6100, 4904, 3906,
	3121, 2501, 1991, 1586, 1277,
	1024, 820, 655, 526, 423,
	335, 272, 215, 172, 137,
	110, 87, 70, 56, 45,
	36, 29, 23, 18, 15,
};
#endif
