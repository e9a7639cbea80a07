/* services/deferred/workqueue.c - workqueues: queueing, flushing, canceling
 * (kernel/workqueue.c). Pools and kworkers are in worker_pool.c, the delayed-work
 * timer in dwork_timer.c; the locking rules in wq_internal.h.
 *
 * flush_work: every queueing of a work item numbers the instance (queued_seq); a
 * kworker records the number of the instance it runs. Flushing waits, on the pool's
 * "done" condvar, until no instance numbered up to the one queued or running at the
 * call is still queued or running. flush_workqueue: Linux's flush colors, with
 * flushers serialized so that two colors suffice. */
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "services/deferred/deferred_internal.h"
#include "services/deferred/softirq.h"
#include "services/deferred/wait.h"
#include "services/deferred/wq_internal.h"

struct workqueue_struct *system_wq, *system_highpri_wq, *system_unbound_wq;
unsigned deferred_hz = 250;

static pthread_mutex_t wq_list_lock = PTHREAD_MUTEX_INITIALIZER;
static struct list_head wq_list = LIST_HEAD_INIT(wq_list);
/* cancel_*_sync waiters for another cancel of the same item (Linux's
 * cancel_waitq) */
static pthread_mutex_t cancel_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cancel_cond = PTHREAD_COND_INITIALIZER;

unsigned long deferred_msecs_to_jiffies(unsigned long ms)
{
	unsigned hz = deferred_hz ? deferred_hz : 250;
	return (ms * hz + 999) / 1000;
}

/* --- work items --- */

/* __INIT_WORK() */
void init_work(struct work_struct *work, work_func_t func, const char *name)
{
	atomic_init(&work->flags, 0);
	list_init(&work->entry);
	work->func = func;
	work->data = NULL;
	work->name = name;
	atomic_init(&work->pwq, NULL);
	atomic_init(&work->pool, NULL);
	atomic_init(&work->queued_seq, 0);
	work->color = 0;
	work->inactive = false;
}

/* INIT_DELAYED_WORK() */
void init_delayed_work(struct delayed_work *dwork, work_func_t func, const char *name)
{
	init_work(&dwork->work, func, name);
	list_init(&dwork->timer.node);
	dwork->timer.expires_ns = 0;
	dwork->timer.cpu = 0;
	dwork->timer.armed = false;
	dwork->wq = NULL;
	dwork->cpu = WORK_CPU_UNBOUND;
}

bool work_pending(struct work_struct *work)
{
	return atomic_load(&work->flags) & WORK_STRUCT_PENDING;
}

bool delayed_work_pending(struct delayed_work *dwork)
{
	return work_pending(&dwork->work);
}

static bool test_and_set_pending(struct work_struct *work)
{
	return atomic_fetch_or(&work->flags, WORK_STRUCT_PENDING) & WORK_STRUCT_PENDING;
}

/* --- per-pwq and per-wq bookkeeping (pool->lock held) --- */

/* pwq_activate_inactive_work(): while below max_active */
void pwq_activate_next(struct pool_workqueue *pwq)
{
	while (pwq->nr_active < pwq->max_active && !list_empty(&pwq->inactive_works)) {
		struct work_struct *work =
			list_entry(pwq->inactive_works.next, struct work_struct, entry);
		list_del_init(&work->entry);
		work->inactive = false;
		pwq->nr_active++;
		list_add_tail(&work->entry, &pwq->pool->worklist);
		pool_wake_worker(pwq->pool);
	}
}

/* pwq_dec_nr_in_flight(): an instance of color `color` is gone */
void pwq_retire(struct pool_workqueue *pwq, unsigned color)
{
	struct workqueue_struct *wq = pwq->wq;
	pthread_mutex_lock(&wq->lock);
	if (--wq->in_flight[color] == 0) pthread_cond_broadcast(&wq->flush_cond);
	pthread_mutex_unlock(&wq->lock);
}

static unsigned wq_take_color(struct workqueue_struct *wq)
{
	unsigned color;
	pthread_mutex_lock(&wq->lock);
	color = wq->color;
	wq->in_flight[color]++;
	pthread_mutex_unlock(&wq->lock);
	return color;
}

/* insert_work(): pool->lock held, PENDING owned by the caller */
static void insert_work(struct pool_workqueue *pwq, struct work_struct *work)
{
	struct worker_pool *pool = pwq->pool;
	atomic_fetch_add(&work->queued_seq, 1);
	work->color = wq_take_color(pwq->wq);
	atomic_store(&work->pwq, pwq);
	atomic_store(&work->pool, pool);
	work->inactive = pwq->nr_active >= pwq->max_active;
	if (work->inactive) {
		list_add_tail(&work->entry, &pwq->inactive_works);
	} else {
		pwq->nr_active++;
		list_add_tail(&work->entry, &pool->worklist);
		pool_wake_worker(pool);
	}
	DCOUNT(work_queued);
	DDBG(DEFERRED_DBG_WORK, "work: %s queued on %s (pool %d%s)", work->name, pwq->wq->name,
	     pool->id, work->inactive ? ", inactive" : "");
}

/* Removes a queued instance (pool->lock held): it will not run. */
static void work_drop(struct pool_workqueue *pwq, struct work_struct *work)
{
	list_del_init(&work->entry);
	atomic_store(&work->pwq, NULL);
	if (!work->inactive) {
		pwq->nr_active--;
		pwq_activate_next(pwq);
	}
	work->inactive = false;
	pwq_retire(pwq, work->color);
	pthread_cond_broadcast(&pwq->pool->done);
	DCOUNT(work_canceled);
	DDBG(DEFERRED_DBG_WORK, "work: %s canceled on %s", work->name, pwq->wq->name);
}

/* --- queueing --- */

static struct pool_workqueue *wq_select_pwq(struct workqueue_struct *wq, int cpu)
{
	if (wq->flags & WQ_UNBOUND) return &wq->pwqs[0];
	if (cpu == WORK_CPU_UNBOUND) return &wq->pwqs[smp_processor_id() % wq->npwqs];
	if (cpu < 0 || (unsigned)cpu >= wq->npwqs)
		log_bug("queue_work_on(%d, %s): no such CPU (%u)", cpu, wq->name, wq->npwqs);
	return &wq->pwqs[cpu];
}

/* __queue_work(): PENDING owned by the caller. A work item still running on its last
 * pool for this workqueue is queued there (non-reentrancy). */
static void __queue_work(int cpu, struct workqueue_struct *wq, struct work_struct *work)
{
	struct pool_workqueue *pwq = wq_select_pwq(wq, cpu);
	struct worker_pool *last = atomic_load(&work->pool);

	if (last && last != pwq->pool) {
		struct worker *w;
		pthread_mutex_lock(&last->lock);
		w = find_worker_executing_work(last, work);
		if (w && w->current_pwq->wq == wq) {
			insert_work(w->current_pwq, work);
			pthread_mutex_unlock(&last->lock);
			return;
		}
		pthread_mutex_unlock(&last->lock);
	}
	pthread_mutex_lock(&pwq->pool->lock);
	insert_work(pwq, work);
	pthread_mutex_unlock(&pwq->pool->lock);
}

static void check_wq(struct workqueue_struct *wq, const char *what)
{
	if (!wq) log_bug("%s on a NULL workqueue (before deferred_init?)", what);
}

/* queue_work_on() */
bool queue_work_on(int cpu, struct workqueue_struct *wq, struct work_struct *work)
{
	check_wq(wq, "queue_work");
	if (test_and_set_pending(work)) return false;
	__queue_work(cpu, wq, work);
	return true;
}

bool queue_work(struct workqueue_struct *wq, struct work_struct *work)
{
	return queue_work_on(WORK_CPU_UNBOUND, wq, work);
}

bool schedule_work(struct work_struct *work)
{
	return queue_work(system_wq, work);
}

/* delayed_work_timer_fn(): the timer expired (softirq context, timer thread) */
void delayed_work_timer_fn(struct delayed_work *dwork)
{
	DCOUNT(dwork_fired);
	DDBG(DEFERRED_DBG_WORK, "work: %s delay expired", dwork->work.name);
	__queue_work(dwork->cpu, dwork->wq, &dwork->work);
}

/* __queue_delayed_work(): PENDING owned by the caller */
static void __queue_delayed_work(int cpu, struct workqueue_struct *wq,
				 struct delayed_work *dwork, unsigned long delay)
{
	unsigned hz = deferred_hz ? deferred_hz : 250;
	dwork->wq = wq;
	dwork->cpu = cpu;
	if (!delay) {
		__queue_work(cpu, wq, &dwork->work);
		return;
	}
	dwork->timer.cpu = smp_processor_id();
	DDBG(DEFERRED_DBG_WORK, "work: %s delayed by %lu jiffies on %s", dwork->work.name,
	     delay, wq->name);
	dwork_timer_add(dwork, deferred_now_ns() + (uint64_t)delay * (1000000000u / hz));
}

/* queue_delayed_work_on() */
bool queue_delayed_work_on(int cpu, struct workqueue_struct *wq, struct delayed_work *dwork,
			   unsigned long delay)
{
	check_wq(wq, "queue_delayed_work");
	if (test_and_set_pending(&dwork->work)) return false;
	__queue_delayed_work(cpu, wq, dwork, delay);
	return true;
}

bool queue_delayed_work(struct workqueue_struct *wq, struct delayed_work *dwork,
			unsigned long delay)
{
	return queue_delayed_work_on(WORK_CPU_UNBOUND, wq, dwork, delay);
}

bool schedule_delayed_work(struct delayed_work *dwork, unsigned long delay)
{
	return queue_delayed_work(system_wq, dwork, delay);
}

/* --- grabbing a pending item (cancel, mod_delayed_work) --- */

/* try_to_grab_pending(): 1 if it was pending and is now ours (off its timer and
 * queue), 0 if it was idle and PENDING is now ours, -EAGAIN if someone is between
 * states (retry), -ENOENT if a cancel_*_sync holds it. */
static int try_to_grab_pending(struct work_struct *work, bool is_dwork)
{
	struct worker_pool *pool;

	if (is_dwork && dwork_timer_del(to_delayed_work(work))) return 1;
	if (!test_and_set_pending(work)) return 0;
	pool = atomic_load(&work->pool);
	if (pool) {
		struct pool_workqueue *pwq;
		pthread_mutex_lock(&pool->lock);
		pwq = atomic_load(&work->pwq);
		if (pwq && pwq->pool == pool) {
			work_drop(pwq, work);
			pthread_mutex_unlock(&pool->lock);
			return 1;
		}
		pthread_mutex_unlock(&pool->lock);
	}
	if (atomic_load(&work->flags) & WORK_STRUCT_CANCELING) return -ENOENT;
	return -EAGAIN;
}

/* The -EAGAIN loop; the window is a queuer or the timer between two states. */
static int grab_pending(struct work_struct *work, bool is_dwork)
{
	int ret;
	while ((ret = try_to_grab_pending(work, is_dwork)) == -EAGAIN) sched_yield();
	return ret;
}

/* mod_delayed_work_on() */
bool mod_delayed_work_on(int cpu, struct workqueue_struct *wq, struct delayed_work *dwork,
			 unsigned long delay)
{
	int ret;
	check_wq(wq, "mod_delayed_work");
	ret = grab_pending(&dwork->work, true);
	if (ret >= 0) __queue_delayed_work(cpu, wq, dwork, delay);
	return ret != 0;		/* -ENOENT (being canceled) counts as pending */
}

bool mod_delayed_work(struct workqueue_struct *wq, struct delayed_work *dwork,
		      unsigned long delay)
{
	return mod_delayed_work_on(WORK_CPU_UNBOUND, wq, dwork, delay);
}

/* --- flushing --- */

/* Is an instance numbered <= target still queued or running on pool? */
static bool work_instance_live(struct worker_pool *pool, struct work_struct *work,
			       unsigned long target)
{
	struct worker *w;
	if (atomic_load(&work->pwq) && atomic_load(&work->queued_seq) <= target) return true;
	w = find_worker_executing_work(pool, work);
	return w && w->current_seq <= target;
}

/* The instance to wait for: queued, else running; 0 if idle on pool. */
static unsigned long flush_target(struct worker_pool *pool, struct work_struct *work)
{
	struct pool_workqueue *pwq = atomic_load(&work->pwq);
	struct worker *w;
	if (pwq && pwq->pool == pool) return atomic_load(&work->queued_seq);
	w = find_worker_executing_work(pool, work);
	return w ? w->current_seq : 0;
}

/* flush_work() / __flush_work() */
bool flush_work(struct work_struct *work)
{
	struct worker_pool *pool;
	unsigned long target;

	might_sleep();
	for (;;) {
		pool = atomic_load(&work->pool);
		if (!pool) return false;
		pthread_mutex_lock(&pool->lock);
		if (atomic_load(&work->pool) == pool) break;
		pthread_mutex_unlock(&pool->lock);	/* moved meanwhile: look again */
	}
	target = flush_target(pool, work);
	if (target) {
		DDBG(DEFERRED_DBG_WORK, "work: flushing %s", work->name);
		while (work_instance_live(pool, work, target))
			wait_cond(&pool->done, &pool->lock, KTHREAD_SLEEPING);
	}
	pthread_mutex_unlock(&pool->lock);
	return target != 0;
}

/* flush_delayed_work() */
bool flush_delayed_work(struct delayed_work *dwork)
{
	if (dwork_timer_del(dwork)) __queue_work(dwork->cpu, dwork->wq, &dwork->work);
	return flush_work(&dwork->work);
}

/* flush_workqueue() / __flush_workqueue() */
void flush_workqueue(struct workqueue_struct *wq)
{
	unsigned color;
	check_wq(wq, "flush_workqueue");
	might_sleep();
	pthread_mutex_lock(&wq->flush_mutex);
	pthread_mutex_lock(&wq->lock);
	color = wq->color;
	wq->color ^= 1;
	while (wq->in_flight[color])
		wait_cond(&wq->flush_cond, &wq->lock, KTHREAD_SLEEPING);
	pthread_mutex_unlock(&wq->lock);
	pthread_mutex_unlock(&wq->flush_mutex);
}

/* --- canceling --- */

/* __cancel_work() */
static bool cancel_nosync(struct work_struct *work, bool is_dwork)
{
	int ret = grab_pending(work, is_dwork);
	if (ret < 0) return false;
	atomic_fetch_and(&work->flags, ~WORK_STRUCT_PENDING);
	return ret;
}

bool cancel_work(struct work_struct *work) { return cancel_nosync(work, false); }
bool cancel_delayed_work(struct delayed_work *dwork) { return cancel_nosync(&dwork->work, true); }

static void wait_for_other_cancel(struct work_struct *work)
{
	pthread_mutex_lock(&cancel_lock);
	while (atomic_load(&work->flags) & WORK_STRUCT_CANCELING)
		wait_cond(&cancel_cond, &cancel_lock, KTHREAD_SLEEPING);
	pthread_mutex_unlock(&cancel_lock);
}

/* __cancel_work_sync() / __cancel_work_timer(): holds PENDING with CANCELING while
 * waiting for a running instance, so that nobody queues it meanwhile. */
static bool cancel_sync(struct work_struct *work, bool is_dwork)
{
	int ret;
	might_sleep();
	while ((ret = grab_pending(work, is_dwork)) == -ENOENT) wait_for_other_cancel(work);
	atomic_fetch_or(&work->flags, WORK_STRUCT_CANCELING);
	flush_work(work);
	atomic_fetch_and(&work->flags, ~(WORK_STRUCT_PENDING | WORK_STRUCT_CANCELING));
	pthread_mutex_lock(&cancel_lock);
	pthread_cond_broadcast(&cancel_cond);
	pthread_mutex_unlock(&cancel_lock);
	return ret;
}

bool cancel_work_sync(struct work_struct *work) { return cancel_sync(work, false); }
bool cancel_delayed_work_sync(struct delayed_work *dwork) { return cancel_sync(&dwork->work, true); }

/* --- failure, current work --- */

void work_failed(struct work_struct *work, const char *fmt, ...)
{
	struct worker *w = current_worker();
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	log_err("work %s failed: %s", work->name ? work->name : "?", msg);
	DCOUNT(work_failed);
	if (w && w->current_work == work) {
		w->current_failed = true;
		atomic_fetch_add_explicit(&w->current_pwq->wq->nr_failed, 1, memory_order_relaxed);
	}
}

struct work_struct *current_work(void)
{
	struct worker *w = current_worker();
	return w ? w->current_work : NULL;
}

/* --- workqueues --- */

static int wq_init_pwqs(struct workqueue_struct *wq)
{
	bool unbound = wq->flags & WQ_UNBOUND;
	wq->npwqs = unbound ? 1 : wq_ncpus;
	wq->pwqs = calloc(wq->npwqs, sizeof *wq->pwqs);
	if (!wq->pwqs) return -ENOMEM;
	for (unsigned i = 0; i < wq->npwqs; i++) {
		struct pool_workqueue *pwq = &wq->pwqs[i];
		pwq->pool = unbound ? unbound_pool() : cpu_pool(i, wq->flags & WQ_HIGHPRI);
		pwq->wq = wq;
		pwq->max_active = wq->max_active;
		list_init(&pwq->inactive_works);
	}
	return 0;
}

static void wq_free(struct workqueue_struct *wq)
{
	pthread_cond_destroy(&wq->flush_cond);
	pthread_mutex_destroy(&wq->lock);
	pthread_mutex_destroy(&wq->flush_mutex);
	free(wq->pwqs);
	free(wq);
}

/* alloc_workqueue() */
struct workqueue_struct *alloc_workqueue(const char *fmt, unsigned flags, int max_active, ...)
{
	struct workqueue_struct *wq;
	va_list ap;

	if (max_active < 0 || max_active > WQ_MAX_ACTIVE) { errno = EINVAL; return NULL; }
	if (!wq_ncpus) { errno = ESRCH; return NULL; }
	wq = calloc(1, sizeof *wq);
	if (!wq) return NULL;
	va_start(ap, max_active);
	vsnprintf(wq->name, sizeof wq->name, fmt, ap);
	va_end(ap);
	wq->flags = flags;
	wq->max_active = max_active ? max_active : WQ_DFL_ACTIVE;
	pthread_mutex_init(&wq->flush_mutex, NULL);
	pthread_mutex_init(&wq->lock, NULL);
	wait_cond_init(&wq->flush_cond);
	if (wq_init_pwqs(wq)) { wq_free(wq); errno = ENOMEM; return NULL; }
	pthread_mutex_lock(&wq_list_lock);
	list_add_tail(&wq->list, &wq_list);
	pthread_mutex_unlock(&wq_list_lock);
	return wq;
}

static long wq_in_flight(struct workqueue_struct *wq)
{
	long n;
	pthread_mutex_lock(&wq->lock);
	n = wq->in_flight[0] + wq->in_flight[1];
	pthread_mutex_unlock(&wq->lock);
	return n;
}

/* drain_workqueue(): flush until its own items stop queueing more */
static void drain_workqueue(struct workqueue_struct *wq)
{
	do flush_workqueue(wq); while (wq_in_flight(wq));
}

/* destroy_workqueue() */
void destroy_workqueue(struct workqueue_struct *wq)
{
	check_wq(wq, "destroy_workqueue");
	drain_workqueue(wq);
	dwork_timer_drop_wq(wq);
	pthread_mutex_lock(&wq_list_lock);
	list_del_init(&wq->list);
	pthread_mutex_unlock(&wq_list_lock);
	if (wq == system_wq) system_wq = NULL;
	if (wq == system_highpri_wq) system_highpri_wq = NULL;
	if (wq == system_unbound_wq) system_unbound_wq = NULL;
	wq_free(wq);
}

const char *workqueue_name(const struct workqueue_struct *wq) { return wq->name; }

unsigned long workqueue_run_count(const struct workqueue_struct *wq)
{
	return atomic_load(&((struct workqueue_struct *)wq)->nr_run);
}

unsigned long workqueue_failed_count(const struct workqueue_struct *wq)
{
	return atomic_load(&((struct workqueue_struct *)wq)->nr_failed);
}

int workqueue_for_each(int (*fn)(struct workqueue_struct *wq, void *arg), void *arg)
{
	struct list_head *pos;
	int ret = 0;
	pthread_mutex_lock(&wq_list_lock);
	list_for_each(pos, &wq_list) {
		ret = fn(list_entry(pos, struct workqueue_struct, list), arg);
		if (ret) break;
	}
	pthread_mutex_unlock(&wq_list_lock);
	return ret;
}

/* --- start and stop --- */

/* workqueue_init_early() + workqueue_init() */
int workqueue_init(unsigned ncpus)
{
	int err = pools_init(ncpus);
	if (err) return err;
	system_wq = alloc_workqueue("events", 0, 0);
	system_highpri_wq = alloc_workqueue("events_highpri", WQ_HIGHPRI, 0);
	system_unbound_wq = alloc_workqueue("events_unbound", WQ_UNBOUND, WQ_MAX_ACTIVE);
	if (!system_wq || !system_highpri_wq || !system_unbound_wq) return -ENOMEM;
	return dwork_timer_start();
}

static struct workqueue_struct *first_wq(void)
{
	struct workqueue_struct *wq = NULL;
	pthread_mutex_lock(&wq_list_lock);
	if (!list_empty(&wq_list)) wq = list_entry(wq_list.next, struct workqueue_struct, list);
	pthread_mutex_unlock(&wq_list_lock);
	return wq;
}

static int wq_busy(struct workqueue_struct *wq, void *arg)
{
	return wq_in_flight(wq) != 0;
}

/* Flushes every workqueue once, outside the list lock (shutdown: nobody destroys
 * workqueues meanwhile). */
static void wq_flush_all(void)
{
	struct workqueue_struct **all = NULL;
	struct list_head *pos;
	size_t n = 0, i = 0;

	pthread_mutex_lock(&wq_list_lock);
	list_for_each(pos, &wq_list) n++;
	all = n ? calloc(n, sizeof *all) : NULL;
	if (all)
		list_for_each(pos, &wq_list) all[i++] = list_entry(pos, struct workqueue_struct, list);
	pthread_mutex_unlock(&wq_list_lock);
	for (size_t j = 0; j < i; j++) flush_workqueue(all[j]);
	free(all);
}

/* Timer first (armed delayed work dropped), then every workqueue is drained (items
 * may queue on other workqueues: flush all until all are idle) and destroyed, then
 * the pools. */
void workqueue_shutdown(void)
{
	struct workqueue_struct *wq;
	dwork_timer_stop();
	if (wq_ncpus) {
		do wq_flush_all(); while (workqueue_for_each(wq_busy, NULL));
	}
	while ((wq = first_wq())) destroy_workqueue(wq);
	pools_shutdown();
}
