/* services/sched/plugins/rt_common.c - the priority run queue of the fifo and rr
 * plugins: one global rt_prio_array, the callbacks both plugins share, and the helpers
 * rr's time slices use. The design is described in rt_common.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "services/sched/plugins/rt_common.h"

_Static_assert(sizeof(struct rt_entity) <= sizeof(((struct persona_sched_task *)0)->data),
	       "struct rt_entity must fit in persona_sched_task.data");

enum rt_where { RT_TAIL, RT_HEAD, RT_KEEP /* by key: where it was */ };

unsigned rt_level_of(const struct persona_sched_task *t)
{
	bool rt = t->policy == PERSONA_SCHED_FIFO || t->policy == PERSONA_SCHED_RR;
	if (!rt || t->rt_priority < 1 || t->rt_priority >= RT_MAX_RT_PRIO)
		return RT_LEVEL_NORMAL;
	return RT_MAX_RT_PRIO - 1 - t->rt_priority;
}

static bool allowed_on(const struct persona_sched_task *t, unsigned cpu)
{
	return cpu < 64 && (t->cpus_allowed >> cpu) & 1;
}

/* ---- one level's list, ordered by key ---- */

static void list_link_after(struct rt_list *l, struct persona_sched_task *after,
			    struct persona_sched_task *t)
{
	struct rt_entity *e = rt_se(t);
	struct persona_sched_task *next = after ? rt_se(after)->next : l->head;
	e->prev = after;
	e->next = next;
	if (after) rt_se(after)->next = t; else l->head = t;
	if (next) rt_se(next)->prev = t; else l->tail = t;
}

static void list_unlink(struct rt_list *l, struct persona_sched_task *t)
{
	struct rt_entity *e = rt_se(t);
	if (e->prev) rt_se(e->prev)->next = e->next; else l->head = e->next;
	if (e->next) rt_se(e->next)->prev = e->prev; else l->tail = e->prev;
	e->next = e->prev = NULL;
}

static void list_insert(struct rt_list *l, struct persona_sched_task *t, enum rt_where where)
{
	struct rt_entity *e = rt_se(t);
	struct persona_sched_task *after;
	switch (where) {
	case RT_HEAD:
		e->key = l->head ? rt_se(l->head)->key - 1 : 0;
		list_link_after(l, NULL, t);
		return;
	case RT_KEEP:	/* back among the others by its old key (rare: parameter changes) */
		after = l->tail;
		while (after && rt_se(after)->key > e->key) after = rt_se(after)->prev;
		list_link_after(l, after, t);
		return;
	case RT_TAIL:
	default:
		e->key = l->tail ? rt_se(l->tail)->key + 1 : 0;
		list_link_after(l, l->tail, t);
		return;
	}
}

/* ---- the priority array ---- */

static void __enqueue_rt_entity(struct rt_rq *rq, struct persona_sched_task *t, unsigned level,
				enum rt_where where)
{
	struct rt_entity *e = rt_se(t);
	list_insert(&rq->active.queue[level], t, where);
	rq->active.bitmap[level / 64] |= 1ull << (level % 64);
	e->level = level;
	e->flags |= RT_ON_RQ | RT_HAS_LEVEL;
	rq->rt_nr_queued++;
}

static void __dequeue_rt_entity(struct rt_rq *rq, struct persona_sched_task *t)
{
	struct rt_entity *e = rt_se(t);
	struct rt_list *l = &rq->active.queue[e->level];
	list_unlink(l, t);
	if (!l->head) rq->active.bitmap[e->level / 64] &= ~(1ull << (e->level % 64));
	e->flags &= ~RT_ON_RQ;
	rq->rt_nr_queued--;
}

/* The first non-empty level at or after `from`, or RT_NR_LEVELS */
static unsigned next_level(const struct rt_prio_array *a, unsigned from)
{
	for (unsigned w = from / 64; w < sizeof a->bitmap / sizeof a->bitmap[0]; w++) {
		uint64_t bits = a->bitmap[w];
		if (w == from / 64) bits &= ~0ull << (from % 64);
		if (bits) return w * 64 + (unsigned)__builtin_ctzll(bits);
	}
	return RT_NR_LEVELS;
}

/* The first task of a level's list that may run on cpu, or NULL */
static struct persona_sched_task *first_allowed(struct rt_list *l, unsigned cpu)
{
	for (struct persona_sched_task *t = l->head; t; t = rt_se(t)->next)
		if (allowed_on(t, cpu)) return t;
	return NULL;
}

bool rt_has_higher(struct rt_rq *rq, unsigned level, unsigned cpu)
{
	for (unsigned l = next_level(&rq->active, 0); l < level && l < RT_NR_LEVELS;
	     l = next_level(&rq->active, l + 1))
		if (first_allowed(&rq->active.queue[l], cpu)) return true;
	return false;
}

bool rt_has_peer(struct rt_rq *rq, unsigned level, unsigned cpu)
{
	return level < RT_NR_LEVELS && first_allowed(&rq->active.queue[level], cpu) != NULL;
}

static uint64_t online_cpus(const struct persona_sched *s)
{
	return s->nr_cpus >= 64 ? ~0ull : (1ull << s->nr_cpus) - 1;
}

/* Linux's push_rt_task, for a global queue: `t` was just queued other than by a
 * wake-up (those go through select_cpu and check_preempt); if a CPU it may run on
 * runs a lower priority, that CPU is asked to reschedule, so the highest priorities
 * are the ones running. `except`: the CPU that picks next anyway, or -1. An idle CPU
 * picks by itself. */
static void rt_push(struct persona_sched *s, struct persona_sched_task *t, int except)
{
	unsigned worst = rt_level_of(t);
	int target = -1;
	for (uint64_t m = t->cpus_allowed & online_cpus(s); m; m &= m - 1) {
		unsigned cpu = (unsigned)__builtin_ctzll(m);
		if ((int)cpu == except) continue;
		struct persona_sched_task *curr = s->curr(s, cpu);
		if (!curr) return;
		if (rt_level_of(curr) > worst) {
			worst = rt_level_of(curr);
			target = (int)cpu;
		}
	}
	if (target >= 0) s->resched(s, (unsigned)target);
}

/* ---- the callbacks ---- */

int rt_init(struct persona_sched *s)
{
	struct rt_rq *rq = calloc(1, sizeof *rq);
	if (!rq) return -ENOMEM;
	s->priv = rq;
	return 0;
}

void rt_exit(struct persona_sched *s)
{
	free(s->priv);
	s->priv = NULL;
}

/* A fresh entity: also for tasks moved in from another plugin, whose data is not ours */
int rt_task_init(struct persona_sched *s, struct persona_sched_task *t,
		 const struct persona_sched_task *parent)
{
	*rt_se(t) = (struct rt_entity){ 0 };
	t->slice_ns = 0;
	return 0;
}

/* At the tail of its level, except after a parameter change (ENQ_MOVE): sched(7)
 * puts a task whose priority was lowered at the head of its new list and keeps an
 * unchanged one in place. */
void rt_enqueue_task(struct persona_sched *s, struct persona_sched_task *t, unsigned flags)
{
	struct rt_entity *e = rt_se(t);
	if (e->flags & RT_ON_RQ) {
		s->log(s, "rt: t%d enqueued twice; ignored", t->tid);
		return;
	}
	unsigned level = rt_level_of(t);
	enum rt_where where = RT_TAIL;
	if ((flags & PERSONA_ENQ_MOVE) && (e->flags & RT_HAS_LEVEL)) {
		if (level > e->level) where = RT_HEAD;
		else if (level == e->level) where = RT_KEEP;
	}
	__enqueue_rt_entity(rt_rq_of(s), t, level, where);
	if (flags & PERSONA_ENQ_MOVE) rt_push(s, t, -1);	/* Linux's prio_changed_rt */
}

void rt_dequeue_task(struct persona_sched *s, struct persona_sched_task *t, unsigned flags)
{
	if (!(rt_se(t)->flags & RT_ON_RQ)) {
		s->log(s, "rt: t%d dequeued but not queued; ignored", t->tid);
		return;
	}
	__dequeue_rt_entity(rt_rq_of(s), t);
}

/* The highest level's first task allowed on cpu (Linux's pick_next_rt_entity, plus
 * the affinity filter a global queue needs). */
struct persona_sched_task *rt_pick_next_task(struct persona_sched *s, unsigned cpu)
{
	struct rt_rq *rq = rt_rq_of(s);
	for (unsigned l = next_level(&rq->active, 0); l < RT_NR_LEVELS;
	     l = next_level(&rq->active, l + 1)) {
		struct persona_sched_task *t = first_allowed(&rq->active.queue[l], cpu);
		if (t) {
			__dequeue_rt_entity(rq, t);
			return t;
		}
	}
	return NULL;
}

/* A running task goes back to the head of its list (in Linux it never left it): when
 * preempted, and after a change of its parameters (it keeps running when raised, and
 * sched(7) puts it at the front of its new list when lowered); to the tail only when
 * it yielded or its slice ran out. Then it may preempt another CPU (rt_push). */
void rt_put_prev_task(struct persona_sched *s, struct persona_sched_task *t, unsigned cpu,
		      unsigned flags)
{
	struct rt_entity *e = rt_se(t);
	bool tail = e->flags & RT_REQUEUE_TAIL;
	e->flags &= ~RT_REQUEUE_TAIL;
	if (!(flags & PERSONA_PUT_RUNNABLE)) return;
	if (e->flags & RT_ON_RQ) {
		s->log(s, "rt: t%d put back while queued; ignored", t->tid);
		return;
	}
	if (flags & PERSONA_PUT_YIELD) tail = true;
	__enqueue_rt_entity(rt_rq_of(s), t, rt_level_of(t), tail ? RT_TAIL : RT_HEAD);
	rt_push(s, t, (int)cpu);
}

bool rt_task_tick(struct persona_sched *s, struct persona_sched_task *t, unsigned cpu,
		  uint64_t delta_ns)
{
	return rt_has_higher(rt_rq_of(s), rt_level_of(t), cpu);
}

/* Linux's wakeup_preempt_rt: only a strictly higher priority preempts. */
bool rt_check_preempt_curr(struct persona_sched *s, unsigned cpu,
			   struct persona_sched_task *curr, struct persona_sched_task *t)
{
	return rt_level_of(t) < rt_level_of(curr);
}

/* Linux's select_task_rq_rt/find_lowest_rq: an idle allowed CPU (prev_cpu first),
 * else the allowed CPU running the lowest priority below the task's, so that
 * check_preempt on it preempts the right task; else prev_cpu. */
int rt_select_task_rq(struct persona_sched *s, struct persona_sched_task *t, unsigned prev_cpu,
		      uint64_t idle)
{
	uint64_t allowed = t->cpus_allowed & online_cpus(s);
	if (!allowed) return (int)prev_cpu;
	bool prev_ok = prev_cpu < 64 && (allowed >> prev_cpu) & 1;
	if (idle & allowed)
		return prev_ok && (idle >> prev_cpu) & 1 ? (int)prev_cpu
							 : __builtin_ctzll(idle & allowed);
	int best = -1;
	unsigned best_level = rt_level_of(t);	/* must be beaten: strictly lower priority */
	for (uint64_t m = allowed; m; m &= m - 1) {
		unsigned cpu = (unsigned)__builtin_ctzll(m);
		struct persona_sched_task *curr = s->curr(s, cpu);
		unsigned level = curr ? rt_level_of(curr) : RT_NR_LEVELS;
		if (level > best_level || (best >= 0 && level == best_level && cpu == prev_cpu)) {
			best = (int)cpu;
			best_level = level;
		}
	}
	if (best >= 0) return best;
	return prev_ok ? (int)prev_cpu : __builtin_ctzll(allowed);
}

void rt_dump(struct persona_sched *s, struct persona_sched_task *t, char *buf, size_t len)
{
	struct rt_entity *e = rt_se(t);
	snprintf(buf, len, "rt.prio_level : %u\nrt.time_slice_left : %llu\n", rt_level_of(t),
		 (unsigned long long)e->slice_left);
}
