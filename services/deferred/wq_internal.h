/* services/deferred/wq_internal.h - the workqueue's private structures, shared by
 * workqueue.c (the API), worker_pool.c (pools and kworkers) and dwork_timer.c.
 *
 * Locking (kernel/workqueue.c's, with mutexes for spinlocks): pool->lock protects a
 * pool's lists, its workers' current_* fields, and the pwqs on it (nr_active,
 * inactive list); a queued work's entry/pwq/color/inactive are under the lock of the
 * pool it is queued on. wq->lock (color, in_flight) nests inside pool->lock.
 * dwork_timer's lock is never held with another.
 *
 * A work item's instances (running and queued) are always on a single pool: the one
 * in work->pool. Queueing a work item running on another pool of the same workqueue
 * redirects it there (non-reentrancy), and work->pool changes only when it is idle. */
#ifndef PERSONA_WQ_INTERNAL_H
#define PERSONA_WQ_INTERNAL_H
#include <pthread.h>
#include <stdint.h>
#include "services/deferred/workqueue.h"

#define WORK_STRUCT_PENDING   (1ul << 0)	/* queued or timer armed, owned */
#define WORK_STRUCT_CANCELING (1ul << 1)	/* a cancel_*_sync holds PENDING */
#define WQ_NAME_LEN 24

/* pool_workqueue: the link between a workqueue and one pool */
struct pool_workqueue {
	struct worker_pool *pool;
	struct workqueue_struct *wq;
	int nr_active, max_active;		/* on the worklist or running */
	struct list_head inactive_works;	/* waiting for nr_active < max_active */
};

struct workqueue_struct {
	char name[WQ_NAME_LEN];
	unsigned flags;
	int max_active;
	unsigned npwqs;
	struct pool_workqueue *pwqs;		/* per CPU, or one for WQ_UNBOUND */
	struct list_head list;			/* workqueues */
	pthread_mutex_t flush_mutex;		/* one flush_workqueue at a time */
	pthread_mutex_t lock;			/* color, in_flight */
	pthread_cond_t flush_cond;
	unsigned color;				/* flush color of new instances */
	long in_flight[2];			/* instances queued/running, by color */
	atomic_ulong nr_run, nr_failed;
};

struct worker_pool {
	int cpu;				/* -1: unbound */
	int id;
	bool highpri;
	pthread_mutex_t lock;
	pthread_cond_t more_work;		/* idle workers wait here */
	pthread_cond_t done;			/* an instance finished or was dropped */
	struct list_head worklist;
	struct list_head workers;
	int nr_workers, nr_idle, next_id;
	bool manager_active;			/* a worker is creating another */
	bool dying;
};

struct worker {
	struct list_head node;			/* pool->workers */
	struct worker_pool *pool;
	struct kthread *task;
	int id;
	struct work_struct *current_work;	/* never dereferenced after the call */
	work_func_t current_func;
	const char *current_name;
	struct pool_workqueue *current_pwq;
	unsigned long current_seq;
	unsigned current_color;
	bool current_failed;
	struct list_head scheduled;		/* collided items, run after current */
};

extern unsigned wq_ncpus;

/* worker_pool.c */
int pools_init(unsigned ncpus);			/* 0 or -errno */
void pools_shutdown(void);
struct worker_pool *cpu_pool(unsigned cpu, bool highpri);
struct worker_pool *unbound_pool(void);
struct worker *find_worker_executing_work(struct worker_pool *pool, struct work_struct *work);
void pool_wake_worker(struct worker_pool *pool);
struct worker *current_worker(void);

/* workqueue.c: bookkeeping called by the workers (pool->lock held) */
void pwq_activate_next(struct pool_workqueue *pwq);
void pwq_retire(struct pool_workqueue *pwq, unsigned color);	/* one instance gone */
void delayed_work_timer_fn(struct delayed_work *dwork);	/* on the timer thread */

/* dwork_timer.c */
int dwork_timer_start(void);			/* 0 or -errno */
void dwork_timer_stop(void);			/* armed timers are dropped */
void dwork_timer_add(struct delayed_work *dwork, uint64_t expires_ns);
bool dwork_timer_del(struct delayed_work *dwork);	/* true if it was armed */
void dwork_timer_drop_wq(struct workqueue_struct *wq);	/* disarm those aimed at wq */
#endif
