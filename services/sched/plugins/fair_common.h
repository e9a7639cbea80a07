/* services/sched/plugins/fair_common.h - what the two proportional-share plugins,
 * cfs.c and eevdf.c, share: the entity and per-CPU run queue, weights, the charging
 * of CPU time into virtual runtime (update_curr), min_vruntime, the weighted average
 * vruntime, and the plumbing of the ops (task lifetime, enqueue/dequeue, pick,
 * put_prev, CPU selection and balancing), parametrised by a small `fair_class` that
 * holds what differs: where an entity is placed, what it remembers when it leaves a
 * queue, which queued entity runs next. Also the /proc/PID/sched line helpers, which
 * mlfq.c and edf.c use too.
 *
 * Linux's names (kernel/sched/fair.c) where they fit: a task's `fair_entity` is its
 * sched_entity, `fair_rq` is a cfs_rq, update_curr/place_entity/__enqueue_entity
 * do what theirs do. Virtual times are unsigned and compared by signed difference,
 * so they may wrap.
 *
 * Run queues: one per virtual CPU. The running task (rq->curr) is out of the tree
 * but counted in nr_running, load and the average, as in Linux. Balancing pulls one
 * waiting task to a CPU from a queue whose load exceeds its own by at least that
 * task's weight (so the imbalance never grows, though it may flip): when the CPU's
 * queue is empty as it picks (idle balancing), and at a tick that ends the running
 * task's slice (periodic balancing). Equal tasks thereby rotate: 3 hogs on 2 CPUs get
 * 2/3 of a CPU each, where idle balancing alone would leave the hog alone on its CPU
 * for ever (its queue is never empty when it picks). Only waiting tasks move: moving
 * the task that just ran, with its negative lag, again and again would keep the
 * average of the queue it leaves from advancing and starve a task waiting there
 * (eevdf). Shares across CPUs follow the weights only approximately (Linux's do too):
 * see the measurements in tests/unit/test_sched_fair.c.
 *
 * Tracer thread only, like every plugin callback. */
#ifndef PERSONA_SCHED_FAIR_COMMON_H
#define PERSONA_SCHED_FAIR_COMMON_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <persona/rbtree.h>
#include <persona/sched.h>

#define FAIR_NSEC_PER_MSEC	1000000ull
#define FAIR_NICE_0_LOAD	1024ul	/* the weight whose vruntime runs at wall speed */
#define FAIR_WEIGHT_IDLEPRIO	3ul	/* SCHED_IDLE (Linux's WEIGHT_IDLEPRIO) */

struct fair_entity {
	struct persona_rb_node node;	/* in rq->tasks while queued (not while running) */
	struct persona_sched_task *t;
	int policy;			/* NORMAL/BATCH/IDLE as set_policy accepted it (the core
					 * stores t->policy only after set_policy returns) */
	unsigned long weight;
	uint64_t vruntime;		/* ns of CPU time scaled by NICE_0_LOAD/weight */
	uint64_t deadline;		/* eevdf: virtual deadline */
	uint64_t min_vruntime;		/* eevdf: smallest vruntime in this subtree (augment) */
	int64_t vlag;			/* eevdf: V - vruntime when it last left a queue */
	int64_t rel_deadline;		/* eevdf: deadline - vruntime when it last left a queue */
	uint64_t left_avg;		/* eevdf: V of that queue just after it left */
	uint64_t exec_seen;		/* the part of t->sum_exec_runtime already charged */
	unsigned rq;			/* the CPU whose queue holds it, or held it last */
	bool on_rq;			/* counted in that queue: queued or running */
	bool fresh;			/* never placed: vruntime means nothing yet */
	bool expired;			/* eevdf: its request (slice) ended at the last charge */
	bool pulled;			/* moved by fair_balance and not run since */
	unsigned long nr_pulled;	/* times moved by fair_balance */
};

struct fair_rq {
	struct persona_rb_root tasks;	/* queued entities, by vruntime (cfs) or deadline (eevdf) */
	struct fair_entity *curr;	/* the running one, out of the tree */
	unsigned nr_running;		/* queued + curr */
	unsigned long load;		/* their weights */
	uint64_t min_vruntime;		/* never decreases: the reference point of the queue */
	int64_t avg_vruntime;		/* sum of weight * (vruntime - min_vruntime) over
					 * nr_running: the weighted average V is
					 * min_vruntime + avg_vruntime / load */
};

/* place_entity flag beside PERSONA_ENQ_MOVE: a balancing pull. The task was the one
 * its old queue would run next and keeps that turn on the new one (it is placed no
 * later than the queue's head), so that the pull, made when the puller's running
 * task ended its slice, really hands the CPU over. */
#define FAIR_ENQ_MIGRATE	0x100

struct fair_sched;

/* What differs between cfs and eevdf (callbacks get the entity's target rq). */
struct fair_class {
	bool by_deadline;		/* tree order: deadline (augmented with the subtree's
					 * smallest vruntime) instead of vruntime */
	/* sets vruntime (and deadline) of an entity about to join rq; flags PERSONA_ENQ_*.
	 * fair_rq_of(se) is still the queue it was on last, unless se->fresh. */
	void (*place_entity)(struct fair_sched *fs, struct fair_rq *rq, struct fair_entity *se,
			     unsigned flags);
	/* se, still counted in rq, is about to leave it. NULL: nothing to remember. */
	void (*leave_entity)(struct fair_sched *fs, struct fair_rq *rq, struct fair_entity *se);
	/* the queued entity of rq to run next, or NULL (rq->curr is NULL when called) */
	struct fair_entity *(*pick_entity)(struct fair_sched *fs, struct fair_rq *rq);
	/* se was picked and is rq->curr now (sets t->slice_ns). NULL: nothing. */
	void (*set_next_entity)(struct fair_sched *fs, struct fair_rq *rq, struct fair_entity *se);
	/* after CPU time was charged to the running se. NULL: nothing. */
	void (*charged)(struct fair_sched *fs, struct fair_rq *rq, struct fair_entity *se);
};

struct fair_sched {
	const struct fair_class *cls;
	struct persona_sched *s;
	unsigned nr_cpus;
	struct fair_rq rq[PERSONA_SCHED_MAX_CPUS];
};

static inline struct fair_sched *fair_sched_of(struct persona_sched *s) { return s->priv; }
static inline struct fair_entity *fair_se(const struct persona_sched_task *t) { return t->priv; }
static inline struct fair_entity *fair_entity_of(const struct persona_rb_node *n)
{
	return persona_rb_entry(n, struct fair_entity, node);
}
static inline struct fair_rq *fair_rq_of(struct fair_sched *fs, const struct fair_entity *se)
{
	return &fs->rq[se->rq];
}
static inline unsigned fair_cpu_of(const struct fair_sched *fs, const struct fair_rq *rq)
{
	return (unsigned)(rq - fs->rq);
}
/* a < b for virtual times that may wrap */
static inline bool fair_before(uint64_t a, uint64_t b) { return (int64_t)(a - b) < 0; }
static inline struct fair_entity *fair_first(const struct fair_rq *rq)
{
	return rq->tasks.first ? fair_entity_of(rq->tasks.first) : NULL;
}

/* weight of a fair policy at a nice level (SCHED_IDLE: 3, whatever the nice) */
unsigned long fair_weight(int policy, int nice);
/* delta ns of CPU time in virtual ns at `weight` (Linux's calc_delta_fair) */
uint64_t fair_calc_delta(uint64_t delta, unsigned long weight);
/* v * mul / div without overflow, rounding toward zero */
int64_t fair_scale(int64_t v, uint64_t mul, uint64_t div);

/* ---- the tree: in and out of rq->tasks only (the load and the average are the
 * accounting's). Static inline, so that Linux's names need no module prefix. */

static inline bool fair_less_vruntime(const struct persona_rb_node *a, const struct persona_rb_node *b)
{
	return fair_before(fair_entity_of(a)->vruntime, fair_entity_of(b)->vruntime);
}

static inline bool fair_less_deadline(const struct persona_rb_node *a, const struct persona_rb_node *b)
{
	return fair_before(fair_entity_of(a)->deadline, fair_entity_of(b)->deadline);
}

/* eevdf's augment: the smallest vruntime of the subtree, so that the earliest
 * deadline among eligible entities is found in one descent */
static inline void fair_augment_min_vruntime(struct persona_rb_node *n)
{
	struct fair_entity *se = fair_entity_of(n);
	uint64_t m = se->vruntime;
	for (int i = 0; i < 2; i++)
		if (n->child[i] && fair_before(fair_entity_of(n->child[i])->min_vruntime, m))
			m = fair_entity_of(n->child[i])->min_vruntime;
	se->min_vruntime = m;
}

static inline void __enqueue_entity(struct fair_sched *fs, struct fair_rq *rq, struct fair_entity *se)
{
	if (fs->cls->by_deadline) {
		se->min_vruntime = se->vruntime;
		persona_rb_insert_augmented(&rq->tasks, &se->node, fair_less_deadline,
					    fair_augment_min_vruntime);
	} else {
		persona_rb_insert(&rq->tasks, &se->node, fair_less_vruntime);
	}
}

static inline void __dequeue_entity(struct fair_sched *fs, struct fair_rq *rq, struct fair_entity *se)
{
	persona_rb_erase_augmented(&rq->tasks, &se->node,
				   fs->cls->by_deadline ? fair_augment_min_vruntime : NULL);
}

/* se joins / leaves rq's load, nr_running and average */
void fair_account_enqueue(struct fair_rq *rq, struct fair_entity *se);
void fair_account_dequeue(struct fair_rq *rq, struct fair_entity *se);
/* Charges rq->curr the CPU time it ran since the last charge; returns the ns. */
uint64_t fair_update_curr(struct fair_sched *fs, struct fair_rq *rq);
/* min_vruntime catches up with the smallest vruntime on the queue, never back */
void fair_update_min_vruntime(struct fair_sched *fs, struct fair_rq *rq);
/* V: the load-weighted average vruntime of the queue (min_vruntime when empty) */
uint64_t fair_avg_vruntime(const struct fair_rq *rq);
/* vruntime v is eligible on rq: v <= V (lag >= 0), computed without division */
bool fair_vruntime_eligible(const struct fair_rq *rq, uint64_t v);
/* changes the vruntime of an entity counted in rq but not in its tree (curr) */
void fair_set_vruntime(struct fair_sched *fs, struct fair_rq *rq, struct fair_entity *se,
		       uint64_t v);
/* The queue of `cpu` with t as its curr: a running task the plugin never picked (it
 * came in by a plugin swap while running) is adopted there. */
struct fair_rq *fair_curr_rq(struct fair_sched *fs, struct persona_sched_task *t, unsigned cpu);
/* Pulls into rq a waiting task from a queue whose load exceeds rq's by at least its
 * weight (the longest waiting of the candidates), unless another CPU, no more loaded,
 * has run its task longer and should pull instead. True if it did. Called by
 * pick_next on an empty queue (idle balancing) and by the ticks when the running
 * task's slice ended (then the pulled task runs at once). */
bool fair_balance(struct fair_sched *fs, struct fair_rq *rq);

/* Appends a "name : value" line for dump(): values are integers, times in ns (the
 * core shows names with "vruntime", "deadline" or "lag" in Linux's ms.ns layout).
 * `off` is the length used so far; the buffer stays terminated when it is short. */
void fair_dump_line(char *buf, size_t len, size_t *off, const char *name, long long v);

/* The ops both plugins use as they are (init is each plugin's: fair_init + class). */
int fair_init(struct persona_sched *s, const struct fair_class *cls);
void fair_exit(struct persona_sched *s);
int fair_task_init(struct persona_sched *s, struct persona_sched_task *t,
		   const struct persona_sched_task *parent);
void fair_task_dead(struct persona_sched *s, struct persona_sched_task *t);
void fair_enqueue(struct persona_sched *s, struct persona_sched_task *t, unsigned flags);
void fair_dequeue(struct persona_sched *s, struct persona_sched_task *t, unsigned flags);
struct persona_sched_task *fair_pick_next(struct persona_sched *s, unsigned cpu);
void fair_put_prev(struct persona_sched *s, struct persona_sched_task *t, unsigned cpu,
		   unsigned flags);
int fair_select_cpu(struct persona_sched *s, struct persona_sched_task *t, unsigned prev_cpu,
		    uint64_t idle);
#endif
