/* services/deferred/worker_pool.c - worker pools and kworkers (kernel/workqueue.c:
 * worker_thread, process_one_work, create_worker, maybe_create_worker).
 *
 * Each pool has a worklist and kworkers. Without a scheduler hook telling when a
 * worker blocks, a pool does not manage concurrency: every idle worker takes pending
 * items, and a worker about to start an item when no other is idle first creates one
 * (up to WQ_POOL_MAX_WORKERS), so that blocked workers never starve the pool. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "services/deferred/deferred_internal.h"
#include "services/deferred/softirq.h"
#include "services/deferred/wait.h"
#include "services/deferred/wq_internal.h"

unsigned wq_ncpus;
static struct worker_pool *cpu_pools[PERSONA_MAX_CPUS][2];
static struct worker_pool *unbound;
static __thread struct worker *this_worker;

struct worker_pool *cpu_pool(unsigned cpu, bool highpri) { return cpu_pools[cpu][highpri]; }
struct worker_pool *unbound_pool(void) { return unbound; }
struct worker *current_worker(void) { return this_worker; }

/* find_worker_executing_work() */
struct worker *find_worker_executing_work(struct worker_pool *pool, struct work_struct *work)
{
	struct list_head *pos;
	list_for_each(pos, &pool->workers) {
		struct worker *w = list_entry(pos, struct worker, node);
		if (w->current_work == work && w->current_func == work->func) return w;
	}
	return NULL;
}

/* wake_up_worker() */
void pool_wake_worker(struct worker_pool *pool)
{
	if (pool->nr_idle) pthread_cond_signal(&pool->more_work);
}

/* The call itself, pool unlocked; `work` may be freed by it. */
static void worker_call(struct worker *w, struct work_struct *work)
{
	struct workqueue_struct *wq = w->current_pwq->wq;
	DDBG(DEFERRED_DBG_WORK, "work: %s starts on %s (%s)", w->current_name,
	     kthread_comm(w->task), wq->name);
	w->current_func(work);
	if (in_interrupt()) log_bug("work %s returned in interrupt context", w->current_name);
	atomic_fetch_add_explicit(&wq->nr_run, 1, memory_order_relaxed);
	DCOUNT(work_run);
	DDBG(DEFERRED_DBG_WORK, "work: %s done on %s%s", w->current_name,
	     kthread_comm(w->task), w->current_failed ? " (failed)" : "");
}

/* process_one_work(): called with pool->lock held, returns with it held. */
static void process_one_work(struct worker *w, struct work_struct *work)
{
	struct worker_pool *pool = w->pool;
	struct worker *collision = find_worker_executing_work(pool, work);
	struct pool_workqueue *pwq;

	if (collision) {			/* running elsewhere: after it, there */
		list_del_init(&work->entry);
		list_add_tail(&work->entry, &collision->scheduled);
		return;
	}
	pwq = atomic_load(&work->pwq);
	list_del_init(&work->entry);
	atomic_store(&work->pwq, NULL);
	w->current_work = work;
	w->current_func = work->func;
	w->current_name = work->name;
	w->current_pwq = pwq;
	w->current_seq = atomic_load(&work->queued_seq);
	w->current_color = work->color;
	w->current_failed = false;
	atomic_fetch_and(&work->flags, ~WORK_STRUCT_PENDING);	/* may be queued again */
	pthread_mutex_unlock(&pool->lock);

	worker_call(w, work);

	pthread_mutex_lock(&pool->lock);
	w->current_work = NULL;
	w->current_func = NULL;
	w->current_pwq = NULL;
	pwq->nr_active--;
	pwq_activate_next(pwq);
	pwq_retire(pwq, w->current_color);
	pthread_cond_broadcast(&pool->done);
}

/* process_scheduled_works() */
static void process_scheduled_works(struct worker *w)
{
	while (!list_empty(&w->scheduled))
		process_one_work(w, list_entry(w->scheduled.next, struct work_struct, entry));
}

static struct worker *create_worker(struct worker_pool *pool);

/* maybe_create_worker() as manage_workers(): with pool->lock held, which it may let
 * go of meanwhile. True if it created a worker (the caller looks at the pool again);
 * false if it did not (another worker is creating one, the cap is reached, or
 * creation failed: the caller runs the item itself, if one is still there). */
static bool maybe_create_worker(struct worker_pool *pool)
{
	struct worker *w;
	if (pool->manager_active || pool->dying || pool->nr_workers >= WQ_POOL_MAX_WORKERS)
		return false;
	pool->manager_active = true;
	pthread_mutex_unlock(&pool->lock);
	w = create_worker(pool);
	if (!w) log_err("cannot create a worker for pool %d: %m", pool->id);
	pthread_mutex_lock(&pool->lock);
	pool->manager_active = false;
	pthread_cond_broadcast(&pool->done);
	return w != NULL;
}

/* worker_thread(): a worker is born idle (counted in nr_idle by create_worker). */
static int worker_thread(void *arg)
{
	struct worker *w = arg;
	struct worker_pool *pool = w->pool;

	this_worker = w;
	pthread_mutex_lock(&pool->lock);
	pool->nr_idle--;				/* worker_leave_idle() */
	for (;;) {
		if (list_empty(&pool->worklist)) {
			if (pool->dying) break;
			pool->nr_idle++;
			wait_cond(&pool->more_work, &pool->lock, KTHREAD_IDLE);
			pool->nr_idle--;
			continue;
		}
		if (!pool->nr_idle) {			/* may_start_working() */
			if (maybe_create_worker(pool) || list_empty(&pool->worklist)) continue;
		}
		process_one_work(w, list_entry(pool->worklist.next, struct work_struct, entry));
		process_scheduled_works(w);
	}
	pthread_mutex_unlock(&pool->lock);
	return 0;
}

static void worker_name(struct worker_pool *pool, int id, char *buf, size_t len)
{
	if (pool->cpu >= 0)
		snprintf(buf, len, "kworker/%d:%d%s", pool->cpu, id, pool->highpri ? "H" : "");
	else
		snprintf(buf, len, "kworker/u%d:%d", pool->id, id);
}

/* create_worker(): NULL with errno on failure. */
static struct worker *create_worker(struct worker_pool *pool)
{
	struct worker *w = calloc(1, sizeof *w);
	char name[32];			/* kthread_create truncates to comm */
	if (!w) return NULL;
	w->pool = pool;
	list_init(&w->scheduled);
	list_init(&w->node);
	pthread_mutex_lock(&pool->lock);
	w->id = pool->next_id++;
	pool->nr_workers++;
	pthread_mutex_unlock(&pool->lock);
	worker_name(pool, w->id, name, sizeof name);
	w->task = kthread_create(worker_thread, w, "%s", name);
	pthread_mutex_lock(&pool->lock);
	if (!w->task) {
		pool->nr_workers--;
		pthread_mutex_unlock(&pool->lock);
		free(w);
		return NULL;
	}
	if (pool->cpu >= 0) kthread_bind(w->task, (unsigned)pool->cpu);
	list_add_tail(&w->node, &pool->workers);
	pool->nr_idle++;				/* worker_enter_idle() */
	pthread_mutex_unlock(&pool->lock);
	DCOUNT(workers_created);
	wake_up_process(w->task);
	return w;
}

static struct worker_pool *pool_alloc(int cpu, int id, bool highpri)
{
	struct worker_pool *pool = calloc(1, sizeof *pool);
	if (!pool) return NULL;
	pool->cpu = cpu;
	pool->id = id;
	pool->highpri = highpri;
	pthread_mutex_init(&pool->lock, NULL);
	wait_cond_init(&pool->more_work);
	wait_cond_init(&pool->done);
	list_init(&pool->worklist);
	list_init(&pool->workers);
	return pool;
}

/* Stops and frees a pool's workers (its worklist is empty: workqueues drained). */
static void pool_destroy(struct worker_pool *pool)
{
	pthread_mutex_lock(&pool->lock);
	pool->dying = true;
	pthread_cond_broadcast(&pool->more_work);
	for (;;) {
		struct worker *w;
		while (pool->manager_active) pthread_cond_wait(&pool->done, &pool->lock);
		if (list_empty(&pool->workers)) break;
		w = list_entry(pool->workers.next, struct worker, node);
		list_del_init(&w->node);
		pthread_mutex_unlock(&pool->lock);
		kthread_stop(w->task);
		free(w);
		pthread_mutex_lock(&pool->lock);
	}
	pthread_mutex_unlock(&pool->lock);
	pthread_cond_destroy(&pool->done);
	pthread_cond_destroy(&pool->more_work);
	pthread_mutex_destroy(&pool->lock);
	free(pool);
}

static struct worker_pool *pool_start(int cpu, int id, bool highpri)
{
	struct worker_pool *pool = pool_alloc(cpu, id, highpri);
	if (!pool) return NULL;
	if (!create_worker(pool)) {
		int err = errno;
		pool_destroy(pool);
		errno = err;
		return NULL;
	}
	return pool;
}

/* init_worker_pool() for each pool + workqueue_init()'s first worker of each; pool
 * ids as Linux's: 2 per CPU (normal, highpri), then the unbound pool. */
int pools_init(unsigned ncpus)
{
	wq_ncpus = ncpus;
	for (unsigned cpu = 0; cpu < ncpus; cpu++) {
		for (int hi = 0; hi < 2; hi++) {
			cpu_pools[cpu][hi] = pool_start((int)cpu, (int)(2 * cpu) + hi, hi);
			if (!cpu_pools[cpu][hi]) return -errno;
		}
	}
	unbound = pool_start(-1, (int)(2 * ncpus), false);
	return unbound ? 0 : -errno;
}

void pools_shutdown(void)
{
	for (unsigned cpu = 0; cpu < PERSONA_MAX_CPUS; cpu++) {
		for (int hi = 0; hi < 2; hi++) {
			if (cpu_pools[cpu][hi]) pool_destroy(cpu_pools[cpu][hi]);
			cpu_pools[cpu][hi] = NULL;
		}
	}
	if (unbound) pool_destroy(unbound);
	unbound = NULL;
	wq_ncpus = 0;
}
