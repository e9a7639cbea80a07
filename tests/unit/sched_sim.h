/* tests/unit/sched_sim.h - a simulated-clock harness that drives a scheduler plugin
 * through its ABI (include/persona/sched.h) with no ptrace and no guests, so a
 * plugin's decisions can be unit-tested one tick at a time.
 *
 * The harness plays the scheduler core: it owns the tasks (an array of
 * SIM_MAX_TASKS, task i has tid i+1 and comm "t<i+1>"), the virtual CPUs, the clock
 * (m->s.now, ns) and the state machine of every task, and it calls the plugin the way
 * services/sched/sched.c does:
 *   - a task is picked:   state queued → running, t->cpu = the CPU, slice_exec = 0,
 *                         and m->switches counts it when it differs from the task
 *                         that left that CPU (idle → task counts);
 *   - before an enqueue, and before put_prev(RUNNABLE): last_enqueued = now;
 *   - before enqueue(NEW|WAKEUP) and the enqueue(MOVE) of an affinity change:
 *     select_cpu, and t->cpu = its answer (a CPU outside cpus_allowed is ignored:
 *     the default rule is used instead);
 *   - check_preempt(curr of that CPU) after enqueue(NEW|WAKEUP) when the CPU is busy;
 *     true, or s->resched(cpu), sets m->resched[cpu];
 *   - after every operation the CPUs settle: a CPU with resched set preempts its task
 *     (put_prev(RUNNABLE|PREEMPT), then pick_next), and every idle CPU calls
 *     pick_next, the CPU the operation concerned first, then the others in order;
 *     this repeats until no resched is pending.
 * NULL callbacks get the defaults the header documents (put_prev, tick, yield,
 * check_preempt, select_cpu, set_policy, timeslice). This matches
 * services/sched/sched.c as written (t->cpu set from select_cpu before enqueue,
 * last_enqueued, slice_exec zeroed at the pick); two differences: a child's
 * cpus_allowed is all CPUs here (the core copies the parent's), and the harness
 * honours resched requests until none is pending (the core: up to 4 rounds).
 *
 * Every answer of the plugin is checked with ck_assert_msg, so a plugin bug fails
 * the test at the call that revealed it: pick_next returning a task that is not
 * queued, or not allowed on the CPU (this is also what makes two CPUs running one
 * task impossible); set_policy on an unknown task; a resched of a CPU that does not
 * exist; and, with m->work_conserving set, an idle CPU left idle while a task
 * allowed on it is queued. The harness's own invariants (each CPU's current task
 * is running there, nothing else is running) are checked after each operation.
 *
 * Only the transitions the ABI allows may be requested: sim_block of a task that is
 * neither queued nor running, sim_wake of a task that is not off, sim_yield of one
 * that is not running, fail the test (they are bugs of the test itself).
 *
 * Time: the clock starts at SIM_T0 (1 s). sim_run advances in whole ticks of 1e9/hz
 * ns (rounded up). At each tick each running task gets the tick's ns in sum_exec_runtime and slice_exec; then m->on_tick
 * runs for it (it may block, yield or exit it, or wake others); then, if it is still
 * running there, the plugin's tick decides on preemption.
 *
 * Checks made at every tick (on_tick) should use `if (!cond) ck_abort_msg(...)`:
 * ck_assert_msg writes to the test runner even when it passes, which makes a long
 * simulation hundreds of times slower.
 *
 * A struct sim is large (a few tens of KB): make it static or allocate it, and
 * re-initialise it with sim_init in each test. */
#ifndef PERSONA_TESTS_SCHED_SIM_H
#define PERSONA_TESTS_SCHED_SIM_H
#include <stdbool.h>
#include <stdint.h>
#include <persona/sched.h>

#define SIM_MAX_TASKS 64
#define SIM_TRACE_MAX 4096
#define SIM_MS (1000 * 1000ull)
#define SIM_T0 (1000 * SIM_MS)	/* the clock at sim_init: not 0, which plugins may
				 * use for "never" */

enum sim_state { SIM_OFF, SIM_QUEUED, SIM_RUNNING, SIM_DEAD };

/* one pick, in m->trace */
struct sim_event {
	uint64_t now;
	int tid;
	unsigned cpu;
};

struct sim {
	struct persona_sched s;              /* s.now is the simulated clock (ns) */
	const struct persona_sched_ops *ops;
	struct persona_sched_task task[SIM_MAX_TASKS];
	enum sim_state state[SIM_MAX_TASKS];
	int ntasks;
	struct persona_sched_task *curr[PERSONA_SCHED_MAX_CPUS];
	bool resched[PERSONA_SCHED_MAX_CPUS];   /* set by s.resched() and by check_preempt */
	unsigned long switches;
	/* optional per-test behaviour, called for each running task at each tick after accounting */
	void (*on_tick)(struct sim *m, struct persona_sched_task *t, void *arg);
	void *arg;

	/* more, for tests */
	bool work_conserving;		/* fail when a CPU idles while a task it may run waits */
	bool verbose;			/* s.log prints to stderr (also: SIM_VERBOSE=1) */
	uint64_t tick_ns;		/* 1e9 / hz */
	unsigned long preemptions;	/* put_prev(RUNNABLE|PREEMPT) calls, even when the
					 * same task is picked again (each costs the real
					 * core a PTRACE_INTERRUPT) */
	unsigned long nr_picked[SIM_MAX_TASKS];	/* times each task was picked */
	struct sim_event trace[SIM_TRACE_MAX];	/* the picks, oldest first */
	unsigned ntrace;		/* picks so far (only SIM_TRACE_MAX are stored) */
	char comm[SIM_MAX_TASKS][16];
};

void sim_init(struct sim *m, const struct persona_sched_ops *ops, unsigned ncpus, unsigned hz); /* calls ops->init (ck_assert it returns 0), fills s.curr/s.resched/s.log */
void sim_fini(struct sim *m);        /* task_dead for every live task, then ops->exit */
/* a new task: fills identity (tid = index+1, comm "tN"), nice 0 / SCHED_NORMAL / weight from nice, cpus_allowed all,
   task_init(parent), then if policy/nice/prio differ from the default applies them through set_policy
   (asserting it returns 0), then select_cpu + enqueue(NEW) + check_preempt against that CPU's current task */
struct persona_sched_task *sim_spawn(struct sim *m, const struct persona_sched_task *parent, int policy, int nice, unsigned rt_prio);
int sim_set_attr(struct sim *m, struct persona_sched_task *t, const struct persona_sched_attr *a); /* what the core does: dequeue(MOVE) if queued (running tasks stay running), set_policy, store params on 0, enqueue(MOVE) if it was queued, resched its CPU if running; returns set_policy's result */
void sim_block(struct sim *m, struct persona_sched_task *t);  /* running: put_prev(BLOCK) and the CPU picks again; queued: dequeue(SLEEP) */
void sim_wake(struct sim *m, struct persona_sched_task *t);   /* off → select_cpu, enqueue(WAKEUP), check_preempt(curr of that cpu) → preempt now if true; idle CPUs pick */
void sim_yield(struct sim *m, struct persona_sched_task *t);  /* running: yield(), put_prev(RUNNABLE|YIELD), pick */
void sim_exit(struct sim *m, struct persona_sched_task *t);   /* running: put_prev(DEAD); queued: dequeue(DEAD); then task_dead */
void sim_run(struct sim *m, uint64_t ns); /* advances s.now one tick (1e9/hz ns) at a time: each running task gets the tick's ns added to sum_exec_runtime and slice_exec, ops->tick (NULL → default slice rule from the header) → preempt (put_prev(RUNNABLE|PREEMPT), pick); resched flags honoured; idle CPUs call pick_next */
struct persona_sched_task *sim_curr(struct sim *m, unsigned cpu);

/* sim_set_attr's range checks are the core's (Linux's __sched_setscheduler): policy
 * known, rt_priority 1..99 exactly for FIFO/RR and 0 otherwise, SCHED_DEADLINE
 * parameters ordered (runtime >= 1024 ns, runtime <= deadline <= period or period 0);
 * -EINVAL without calling the plugin when they fail. Nice is clamped to -20..19. */

/* sched_setaffinity: queued → dequeue(MOVE), select_cpu, enqueue(MOVE); running on a
 * CPU no longer allowed → preempted (put_prev(RUNNABLE|PREEMPT)), then moved the
 * same way. `mask` is limited to the CPUs that exist and must not become empty. */
void sim_set_affinity(struct sim *m, struct persona_sched_task *t, uint64_t mask);
/* sched_rr_get_interval: ops->timeslice or t->slice_ns */
uint64_t sim_timeslice(struct sim *m, struct persona_sched_task *t);
/* Terminal check that nothing runnable was lost: blocks whatever runs, CPU after CPU,
 * until every CPU is idle, and fails if a task is still queued then. Returns how many
 * tasks it blocked (each queued or running task runs exactly once on the way). */
int sim_drain(struct sim *m);
enum sim_state sim_state_of(struct sim *m, const struct persona_sched_task *t);
struct persona_sched_task *sim_task(struct sim *m, int tid);	/* NULL: no such task */
/* The tid of the i-th pick (0-based, i < SIM_TRACE_MAX), or 0 past the end */
int sim_trace_tid(const struct sim *m, unsigned i);
#endif
