/* services/sched/plugins/fair_common.c - the shared machinery of cfs.c and eevdf.c
 * (see fair_common.h): accounting of CPU time into vruntime, min_vruntime and the
 * weighted average, the run-queue trees, and the ops whose logic does not depend
 * on the policy (task lifetime, enqueue/dequeue, pick, put_prev, select_cpu) with
 * the balancing (pulls by idle and by slice-ending CPUs). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "services/sched/plugins/fair_common.h"

unsigned long fair_weight(int policy, int nice)
{
	if (policy == PERSONA_SCHED_IDLE) return FAIR_WEIGHT_IDLEPRIO;
	if (nice < -20) nice = -20;
	if (nice > 19) nice = 19;
	return persona_sched_nice_to_weight[nice + 20];
}

uint64_t fair_calc_delta(uint64_t delta, unsigned long weight)
{
	if (weight == FAIR_NICE_0_LOAD) return delta;
	return (uint64_t)((unsigned __int128)delta * FAIR_NICE_0_LOAD / weight);
}

int64_t fair_scale(int64_t v, uint64_t mul, uint64_t div)
{
	return (int64_t)((__int128)v * (__int128)mul / (__int128)div);
}

/* ---- the trees ---- */

/* the smallest vruntime among the queued entities; false when none is queued */
static bool min_queued_vruntime(const struct fair_sched *fs, const struct fair_rq *rq, uint64_t *v)
{
	if (persona_rb_empty(&rq->tasks)) return false;
	*v = fs->cls->by_deadline ? fair_entity_of(rq->tasks.node)->min_vruntime
				  : fair_first(rq)->vruntime;
	return true;
}

/* ---- accounting ---- */

void fair_account_enqueue(struct fair_rq *rq, struct fair_entity *se)
{
	rq->load += se->weight;
	rq->nr_running++;
	rq->avg_vruntime += (int64_t)se->weight * (int64_t)(se->vruntime - rq->min_vruntime);
	se->on_rq = true;
}

void fair_account_dequeue(struct fair_rq *rq, struct fair_entity *se)
{
	rq->load -= se->weight;
	rq->nr_running--;
	rq->avg_vruntime -= (int64_t)se->weight * (int64_t)(se->vruntime - rq->min_vruntime);
	se->on_rq = false;
}

void fair_update_min_vruntime(struct fair_sched *fs, struct fair_rq *rq)
{
	uint64_t v = rq->min_vruntime, q;
	bool have = false;
	if (rq->curr) {
		v = rq->curr->vruntime;
		have = true;
	}
	if (min_queued_vruntime(fs, rq, &q)) {
		if (!have || fair_before(q, v)) v = q;
		have = true;
	}
	if (!have || !fair_before(rq->min_vruntime, v)) return;
	/* the average is kept relative to min_vruntime: move its origin too */
	rq->avg_vruntime -= (int64_t)rq->load * (int64_t)(v - rq->min_vruntime);
	rq->min_vruntime = v;
}

uint64_t fair_update_curr(struct fair_sched *fs, struct fair_rq *rq)
{
	struct fair_entity *se = rq->curr;
	if (!se) return 0;
	uint64_t sum = se->t->sum_exec_runtime;
	if (sum <= se->exec_seen) return 0;
	uint64_t delta = sum - se->exec_seen;
	se->exec_seen = sum;
	uint64_t dv = fair_calc_delta(delta, se->weight);
	se->vruntime += dv;
	rq->avg_vruntime += (int64_t)(dv * se->weight);
	fair_update_min_vruntime(fs, rq);
	if (fs->cls->charged) fs->cls->charged(fs, rq, se);
	return delta;
}

uint64_t fair_avg_vruntime(const struct fair_rq *rq)
{
	int64_t avg = rq->avg_vruntime;
	if (!rq->load) return rq->min_vruntime;
	/* floor, not truncation, so that V never lands right of a tie */
	if (avg < 0) avg -= (int64_t)rq->load - 1;
	return rq->min_vruntime + (uint64_t)(avg / (int64_t)rq->load);
}

bool fair_vruntime_eligible(const struct fair_rq *rq, uint64_t v)
{
	/* v <= avg/load + min  <=>  (v - min) * load <= avg */
	return (__int128)(int64_t)(v - rq->min_vruntime) * (__int128)rq->load <=
	       (__int128)rq->avg_vruntime;
}

void fair_set_vruntime(struct fair_sched *fs, struct fair_rq *rq, struct fair_entity *se, uint64_t v)
{
	rq->avg_vruntime += (int64_t)se->weight * (int64_t)(v - se->vruntime);
	se->vruntime = v;
	fair_update_min_vruntime(fs, rq);
}

/* ---- joining and leaving a queue ---- */

/* se, on no queue, joins rq: placed by the class, counted, in the tree */
static void enqueue_entity(struct fair_sched *fs, struct fair_rq *rq, struct fair_entity *se,
			   unsigned flags)
{
	fs->cls->place_entity(fs, rq, se, flags);
	se->rq = fair_cpu_of(fs, rq);
	se->fresh = false;
	se->pulled = false;
	fair_account_enqueue(rq, se);
	__enqueue_entity(fs, rq, se);
}

/* se, queued on rq or its curr, leaves it */
static void dequeue_entity(struct fair_sched *fs, struct fair_rq *rq, struct fair_entity *se)
{
	if (rq->curr == se) rq->curr = NULL;
	else __dequeue_entity(fs, rq, se);
	if (fs->cls->leave_entity) fs->cls->leave_entity(fs, rq, se);
	fair_account_dequeue(rq, se);
	fair_update_min_vruntime(fs, rq);
	se->left_avg = fair_avg_vruntime(rq);
}

/* se, queued or running, moves from its queue to `to` (flags: PERSONA_ENQ_MOVE,
 * with FAIR_ENQ_MIGRATE for a balancing pull) */
static void migrate_entity(struct fair_sched *fs, struct fair_entity *se, struct fair_rq *to,
			   unsigned flags)
{
	dequeue_entity(fs, fair_rq_of(fs, se), se);
	fair_update_curr(fs, to);
	enqueue_entity(fs, to, se, flags);
}

static bool allowed_on(const struct persona_sched_task *t, unsigned cpu)
{
	return t->cpus_allowed >> cpu & 1;
}

/* the queue an enqueued task joins: the CPU the core chose (select_cpu) */
static struct fair_rq *enqueue_rq(struct fair_sched *fs, const struct persona_sched_task *t)
{
	if (t->cpu < fs->nr_cpus && allowed_on(t, t->cpu)) return &fs->rq[t->cpu];
	for (unsigned c = 0; c < fs->nr_cpus; c++)
		if (allowed_on(t, c)) return &fs->rq[c];
	return &fs->rq[0];
}

struct fair_rq *fair_curr_rq(struct fair_sched *fs, struct persona_sched_task *t, unsigned cpu)
{
	struct fair_entity *se = fair_se(t);
	struct fair_rq *rq = &fs->rq[cpu < fs->nr_cpus ? cpu : 0];
	if (rq->curr == se) return rq;
	if (rq->curr) {
		/* the core replaced our curr without a put_prev: queue it again */
		struct fair_entity *old = rq->curr;
		fs->s->log(fs->s, "%s: task %d ran on cpu %u in place of %d", __func__, t->tid, cpu,
			   old->t->tid);
		rq->curr = NULL;
		__enqueue_entity(fs, rq, old);
	}
	if (se->on_rq) dequeue_entity(fs, fair_rq_of(fs, se), se);
	fair_update_curr(fs, rq);
	fs->cls->place_entity(fs, rq, se, PERSONA_ENQ_MOVE);
	se->rq = fair_cpu_of(fs, rq);
	se->fresh = false;
	fair_account_enqueue(rq, se);
	rq->curr = se;
	return rq;
}

/* ---- balancing ---- */

static bool can_migrate(const struct fair_entity *se, unsigned cpu, unsigned long max_weight)
{
	return allowed_on(se->t, cpu) && !se->pulled && se->weight <= max_weight;
}

/* The task of src to move to cpu, no heavier than max_weight: the one src would run
 * next (it has waited longest or is owed most), else the first in src's order that
 * may move. A task pulled once is not pulled again before it ran: two CPUs whose
 * slices end at the same tick would otherwise pass it back and forth and neither
 * would run it. */
static struct fair_entity *movable_entity(struct fair_sched *fs, struct fair_rq *src, unsigned cpu,
					  unsigned long max_weight)
{
	struct fair_entity *se = fs->cls->pick_entity(fs, src);
	if (se && can_migrate(se, cpu, max_weight)) return se;
	for (struct persona_rb_node *n = persona_rb_first(&src->tasks); n; n = persona_rb_next(n))
		if (can_migrate(fair_entity_of(n), cpu, max_weight)) return fair_entity_of(n);
	return NULL;
}

/* Another CPU, no more loaded than rq's, whose running task has run longer: it should
 * be the one to take a waiting task and give its CPU up. Every CPU's tick comes at
 * the same instant, and without this the first CPU to tick would always pull and
 * the task alone on the last one would keep its CPU. */
static bool other_should_pull(struct fair_sched *fs, const struct fair_rq *rq)
{
	uint64_t mine = rq->curr ? rq->curr->t->slice_exec : UINT64_MAX;
	for (unsigned c = 0; c < fs->nr_cpus; c++) {
		const struct fair_rq *o = &fs->rq[c];
		if (o != rq && o->curr && o->load <= rq->load && o->curr->t->slice_exec > mine)
			return true;
	}
	return false;
}

bool fair_balance(struct fair_sched *fs, struct fair_rq *rq)
{
	unsigned cpu = fair_cpu_of(fs, rq);
	struct fair_entity *pull = NULL;
	if (other_should_pull(fs, rq)) return false;
	/* A task of weight w moves from a queue whose load exceeds rq's by at least w:
	 * the imbalance does not grow (it may flip, which is how equal tasks rotate).
	 * Of the candidates, the one that has waited longest (comparable across queues,
	 * unlike vruntimes); of equals, the one moved least often, so that the moves,
	 * and the turns on emptier CPUs that come with them, go round. */
	for (unsigned c = 0; c < fs->nr_cpus; c++) {
		struct fair_rq *src = &fs->rq[c];
		if (c == cpu || src->load <= rq->load || persona_rb_empty(&src->tasks)) continue;
		struct fair_entity *se = movable_entity(fs, src, cpu, src->load - rq->load);
		if (se && (!pull || se->t->last_enqueued < pull->t->last_enqueued ||
			   (se->t->last_enqueued == pull->t->last_enqueued && se->nr_pulled < pull->nr_pulled)))
			pull = se;
	}
	if (!pull) return false;
	migrate_entity(fs, pull, rq, PERSONA_ENQ_MOVE | FAIR_ENQ_MIGRATE);
	pull->pulled = true;
	pull->nr_pulled++;
	return true;
}

/* The queue a running task that may no longer run on cpu (its affinity changed)
 * waits on: the allowed one with the fewest runnable tasks. */
static struct fair_rq *affine_rq(struct fair_sched *fs, const struct persona_sched_task *t)
{
	struct fair_rq *best = NULL;
	for (unsigned c = 0; c < fs->nr_cpus; c++)
		if (allowed_on(t, c) && (!best || fs->rq[c].nr_running < best->nr_running))
			best = &fs->rq[c];
	return best;
}

/* ---- the ops ---- */

int fair_init(struct persona_sched *s, const struct fair_class *cls)
{
	struct fair_sched *fs = calloc(1, sizeof *fs);
	if (!fs) return -ENOMEM;
	fs->cls = cls;
	fs->s = s;
	fs->nr_cpus = s->nr_cpus ? s->nr_cpus : 1;
	if (fs->nr_cpus > PERSONA_SCHED_MAX_CPUS) fs->nr_cpus = PERSONA_SCHED_MAX_CPUS;
	for (unsigned c = 0; c < fs->nr_cpus; c++) persona_rb_root_init(&fs->rq[c].tasks);
	s->priv = fs;
	return 0;
}

void fair_exit(struct persona_sched *s)
{
	free(s->priv);
	s->priv = NULL;
}

/* A forked task starts from its parent's vruntime and queue (task_fork_fair); the
 * class's placement of a NEW task decides how far it has to go from there. */
int fair_task_init(struct persona_sched *s, struct persona_sched_task *t,
		   const struct persona_sched_task *parent)
{
	struct fair_sched *fs = fair_sched_of(s);
	struct fair_entity *se = calloc(1, sizeof *se);
	if (!se) return -ENOMEM;
	persona_rb_node_clear(&se->node);
	se->t = t;
	se->policy = t->policy;
	se->weight = fair_weight(t->policy, t->nice);
	se->exec_seen = t->sum_exec_runtime;
	se->rq = t->cpu < fs->nr_cpus ? t->cpu : 0;
	se->fresh = true;
	const struct fair_entity *pse = parent ? fair_se(parent) : NULL;
	if (pse && !pse->fresh) {
		se->vruntime = pse->vruntime;
		se->rq = pse->rq;
		se->fresh = false;
	}
	t->priv = se;
	return 0;
}

void fair_task_dead(struct persona_sched *s, struct persona_sched_task *t)
{
	struct fair_sched *fs = fair_sched_of(s);
	struct fair_entity *se = fair_se(t);
	if (!se) return;
	if (se->on_rq) dequeue_entity(fs, fair_rq_of(fs, se), se);	/* running, moved out by a swap */
	free(se);
	t->priv = NULL;
}

void fair_enqueue(struct persona_sched *s, struct persona_sched_task *t, unsigned flags)
{
	struct fair_sched *fs = fair_sched_of(s);
	struct fair_rq *rq = enqueue_rq(fs, t);
	fair_update_curr(fs, rq);
	enqueue_entity(fs, rq, fair_se(t), flags);
}

void fair_dequeue(struct persona_sched *s, struct persona_sched_task *t, unsigned flags)
{
	struct fair_sched *fs = fair_sched_of(s);
	struct fair_entity *se = fair_se(t);
	if (!se->on_rq) return;
	struct fair_rq *rq = fair_rq_of(fs, se);
	fair_update_curr(fs, rq);
	dequeue_entity(fs, rq, se);
}

struct persona_sched_task *fair_pick_next(struct persona_sched *s, unsigned cpu)
{
	struct fair_sched *fs = fair_sched_of(s);
	struct fair_rq *rq = &fs->rq[cpu];
	if (rq->curr) {		/* a pick without put_prev: the core's bug; keep it queued */
		struct fair_entity *old = rq->curr;
		fair_update_curr(fs, rq);
		rq->curr = NULL;
		__enqueue_entity(fs, rq, old);
	}
	if (persona_rb_empty(&rq->tasks)) fair_balance(fs, rq);	/* idle balancing */
	struct fair_entity *se = fs->cls->pick_entity(fs, rq);
	if (!se) return NULL;
	__dequeue_entity(fs, rq, se);
	rq->curr = se;
	se->pulled = false;
	if (fs->cls->set_next_entity) fs->cls->set_next_entity(fs, rq, se);
	return se->t;
}

void fair_put_prev(struct persona_sched *s, struct persona_sched_task *t, unsigned cpu,
		   unsigned flags)
{
	struct fair_sched *fs = fair_sched_of(s);
	struct fair_entity *se = fair_se(t);
	struct fair_rq *rq = fair_curr_rq(fs, t, cpu);
	fair_update_curr(fs, rq);
	if (!(flags & PERSONA_PUT_RUNNABLE)) {		/* blocked or dead */
		dequeue_entity(fs, rq, se);
		return;
	}
	struct fair_rq *to = allowed_on(t, cpu) ? rq : affine_rq(fs, t);
	if (!to || to == rq) {
		rq->curr = NULL;
		__enqueue_entity(fs, rq, se);
		return;
	}
	migrate_entity(fs, se, to, PERSONA_ENQ_MOVE);
	if (!s->curr(s, fair_cpu_of(fs, to))) s->resched(s, fair_cpu_of(fs, to));
}

int fair_select_cpu(struct persona_sched *s, struct persona_sched_task *t, unsigned prev_cpu,
		    uint64_t idle)
{
	struct fair_sched *fs = fair_sched_of(s);
	uint64_t allowed = t->cpus_allowed;
	if (fs->nr_cpus < 64) allowed &= (1ull << fs->nr_cpus) - 1;
	if (!allowed) return (int)prev_cpu;
	idle &= allowed;
	if (prev_cpu < fs->nr_cpus && (idle >> prev_cpu & 1)) return (int)prev_cpu;
	if (idle) return __builtin_ctzll(idle);
	/* all busy: the least loaded, prev on ties (its cache is warm) */
	unsigned best = prev_cpu < fs->nr_cpus && (allowed >> prev_cpu & 1)
			? prev_cpu : (unsigned)__builtin_ctzll(allowed);
	for (unsigned c = 0; c < fs->nr_cpus; c++)
		if ((allowed >> c & 1) && fs->rq[c].load < fs->rq[best].load) best = c;
	return (int)best;
}

/* ---- /proc/PID/sched lines ---- */

void fair_dump_line(char *buf, size_t len, size_t *off, const char *name, long long v)
{
	if (*off >= len) return;
	int n = snprintf(buf + *off, len - *off, "%s : %lld\n", name, v);
	if (n < 0) return;
	*off += (size_t)n;
	if (*off > len) *off = len;
}
