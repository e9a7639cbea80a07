/* services/sched/plugins/rt_common.h - the priority run queue shared by the fifo and
 * rr plugins (Linux: kernel/sched/rt.c's rt_prio_array and its enqueue/pick/requeue).
 *
 * One global queue for all virtual CPUs, not one per CPU: a task is removed from it
 * when a CPU picks it, so two CPUs can never pick the same task, and the highest
 * priority runnable tasks are always the ones running (global strict priority, what
 * Linux approximates with push/pull between per-CPU queues). pick_next takes the
 * first task allowed on the CPU, so cpus_allowed is honoured; with no affinity limits
 * the pick is O(1): a bitmap of the non-empty levels and a FIFO list per level.
 *
 * Levels: 0..98 hold SCHED_FIFO/SCHED_RR priority 99..1 (level = 99 - rt_priority,
 * so the first set bit is the highest priority, as in Linux's prio), level 99
 * (RT_LEVEL_NORMAL) holds every other policy (SCHED_NORMAL, BATCH, IDLE), in FIFO
 * order below all real-time tasks. Nice values are not used.
 *
 * Positions follow sched(7): a task preempted while running stays at the head of its
 * list; one that yields, or whose RR slice ran out, goes to the tail; a policy or
 * priority change of a queued task puts it at the tail when raised, at the head when
 * lowered, and leaves it where it was when unchanged (a running one keeps running or
 * goes to the head of its new list).
 *
 * Across CPUs the highest priorities always run: a woken task goes to an idle CPU or
 * the one running the lowest priority (select_cpu, then check_preempt), and a task
 * queued again by put_prev or a parameter change asks such a CPU to reschedule
 * (Linux's push_rt_task). The tick preempts as a safety net when a higher priority
 * still waits for the CPU.
 *
 * Per-task state lives in t->data (struct rt_entity), never in an allocation: the
 * rr plugin is the core's safe fallback and must not be able to refuse a task.
 *
 * Thread: the tracer thread, like every plugin callback. */
#ifndef PERSONA_SCHED_RT_COMMON_H
#define PERSONA_SCHED_RT_COMMON_H
#include <stdbool.h>
#include <stdint.h>
#include <persona/sched.h>

#define RT_MAX_RT_PRIO	100		/* Linux's MAX_RT_PRIO: rt_priority 1..99 */
#define RT_NR_LEVELS	100
#define RT_LEVEL_NORMAL	99		/* every non-real-time task */

/* The policies both plugins accept (rr adds SCHED_RR); BATCH and IDLE are run as
 * SCHED_NORMAL. */
#define RT_POLICIES (PERSONA_POLICY_BIT(PERSONA_SCHED_NORMAL) | \
		     PERSONA_POLICY_BIT(PERSONA_SCHED_BATCH) | \
		     PERSONA_POLICY_BIT(PERSONA_SCHED_IDLE) | \
		     PERSONA_POLICY_BIT(PERSONA_SCHED_FIFO))

/* rt_entity.flags */
#define RT_ON_RQ	0x1		/* in a list of the run queue */
#define RT_HAS_LEVEL	0x2		/* level is the one it was last queued at */
#define RT_REQUEUE_TAIL	0x4		/* put_prev: to the tail (its RR slice ran out) */

/* A task as the run queue sees it: t->data, which only the plugin writes. The type may
 * alias the uint64_t array it overlays. */
struct __attribute__((may_alias)) rt_entity {
	struct persona_sched_task *next, *prev;	/* in its level's list */
	int64_t key;		/* order within the list: keys grow from head to tail */
	uint64_t slice_left;	/* rr: ns left of its slice (0: a full one) */
	uint32_t level;		/* the level it is, or was last, queued at */
	uint32_t flags;		/* RT_* */
};

struct rt_list {
	struct persona_sched_task *head, *tail;
};

/* Linux's rt_prio_array: bit l of bitmap set <=> queue[l] is not empty */
struct rt_prio_array {
	uint64_t bitmap[(RT_NR_LEVELS + 63) / 64];
	struct rt_list queue[RT_NR_LEVELS];
};

/* The instance's state (s->priv) */
struct rt_rq {
	struct rt_prio_array active;
	unsigned rt_nr_queued;
};

static inline struct rt_entity *rt_se(struct persona_sched_task *t)
{
	return (struct rt_entity *)t->data;
}

static inline struct rt_rq *rt_rq_of(struct persona_sched *s)
{
	return s->priv;
}

/* The level a task belongs at, from its current parameters */
unsigned rt_level_of(const struct persona_sched_task *t);
/* A queued task at a level above `level` (numerically lower) that may run on cpu */
bool rt_has_higher(struct rt_rq *rq, unsigned level, unsigned cpu);
/* A queued task at `level` that may run on cpu */
bool rt_has_peer(struct rt_rq *rq, unsigned level, unsigned cpu);

/* The callbacks both plugins use as they are (see include/persona/sched.h for when
 * each is called). */
int rt_init(struct persona_sched *s);
void rt_exit(struct persona_sched *s);
int rt_task_init(struct persona_sched *s, struct persona_sched_task *t,
		 const struct persona_sched_task *parent);
void rt_enqueue_task(struct persona_sched *s, struct persona_sched_task *t, unsigned flags);
void rt_dequeue_task(struct persona_sched *s, struct persona_sched_task *t, unsigned flags);
struct persona_sched_task *rt_pick_next_task(struct persona_sched *s, unsigned cpu);
void rt_put_prev_task(struct persona_sched *s, struct persona_sched_task *t, unsigned cpu,
		      unsigned flags);
/* fifo's tick: no slices; preempts only when a higher level waits for this CPU (a
 * wake-up preemption that could not happen, e.g. for affinity) */
bool rt_task_tick(struct persona_sched *s, struct persona_sched_task *t, unsigned cpu,
		  uint64_t delta_ns);
bool rt_check_preempt_curr(struct persona_sched *s, unsigned cpu,
			   struct persona_sched_task *curr, struct persona_sched_task *t);
int rt_select_task_rq(struct persona_sched *s, struct persona_sched_task *t, unsigned prev_cpu,
		      uint64_t idle);
void rt_dump(struct persona_sched *s, struct persona_sched_task *t, char *buf, size_t len);
#endif
