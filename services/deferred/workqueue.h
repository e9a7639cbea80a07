/* services/deferred/workqueue.h - workqueues (kernel/workqueue.c): work items run in
 * process context by kworker threads, which may sleep.
 *
 * A work item (struct work_struct) is a callback; INIT_WORK records the callback's
 * name for logs. Queueing a work item that is already pending does nothing and
 * returns false; once it starts running it may be queued again. A work item is
 * non-reentrant: queued while it runs, it runs again after, on the same worker pool,
 * never concurrently with itself (use one work item with one workqueue at a time).
 *
 * Worker pools: per virtual CPU a normal pool (kworker/N:M) and a high-priority one
 * (kworker/N:MH), and one unbound pool (kworker/uP:M, P its pool id). A workqueue
 * (alloc_workqueue) feeds either the per-CPU pools or the unbound pool, with at most
 * max_active of its items running per pool. Persona cannot see when a worker blocks in
 * a host system call, so instead of Linux's concurrency management a pool runs its
 * pending items in parallel and keeps one idle worker in reserve (Linux's
 * may_start_working): a worker about to run an item when none is idle first creates
 * another, up to WQ_POOL_MAX_WORKERS. So work items may block without starving the
 * pool until that many are blocked at once. Workers stay until deferred_shutdown.
 *
 * Delayed work: a timer queues the item when it expires. Delays are in jiffies of
 * deferred_hz ticks per second. NOTE: timers belong to services/time, written in
 * parallel; until delayed work moves onto its timers, a small internal timer thread
 * (pthread "dwork-timer", not a kthread, not in the task table) serves them with a
 * condvar timed wait; the interface will not change.
 *
 * Failure: a work callback returns void (as in Linux). One that fails calls
 * work_failed(work, fmt, ...) before returning: the failure is counted (per workqueue
 * and in deferred_get_stats) and logged as "persona: work NAME failed: MESSAGE" on
 * stderr; the worker and the queue carry on with the next item.
 *
 * Contexts: queue_work*, queue_delayed_work*, mod_delayed_work*, cancel_work,
 * cancel_delayed_work, work_pending, work_failed: any thread, any context (they take
 * a pool mutex briefly). flush_work, flush_delayed_work, flush_workqueue,
 * cancel_work_sync, cancel_delayed_work_sync, alloc/destroy_workqueue: process
 * context (they sleep); flushing or synchronously canceling the item that is running
 * from inside itself, or flushing the workqueue from one of its own items, deadlocks
 * (as in Linux). The callback runs on a kworker in process context; it must not
 * free its work_struct while a flush_work or cancel_work_sync may be waiting on it. */
#ifndef PERSONA_WORKQUEUE_H
#define PERSONA_WORKQUEUE_H
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include "core/list.h"

struct work_struct;
struct workqueue_struct;
struct worker_pool;
struct pool_workqueue;
typedef void (*work_func_t)(struct work_struct *work);

struct work_struct {
	atomic_ulong flags;		/* WORK_STRUCT_PENDING, ..._CANCELING (private) */
	struct list_head entry;		/* on a pool's worklist / pwq's inactive list */
	work_func_t func;
	void *data;			/* free for the owner (Linux uses container_of) */
	const char *name;		/* for logs: the callback's name (INIT_WORK) */
	/* private to workqueue.c */
	struct pool_workqueue *_Atomic pwq;	/* while queued */
	struct worker_pool *_Atomic pool;	/* where queued, running, or last ran */
	atomic_ulong queued_seq;	/* instances queued so far (flush_work) */
	unsigned color;			/* flush color of the queued instance */
	bool inactive;			/* on pwq->inactive (max_active reached) */
};

/* The delayed-work timer (to become a services/time timer). */
struct dwork_timer {
	struct list_head node;		/* armed timers, by expiry */
	unsigned long long expires_ns;	/* CLOCK_MONOTONIC */
	unsigned cpu;			/* the arming thread's CPU (the timer's CPU) */
	bool armed;
};

struct delayed_work {
	struct work_struct work;
	struct dwork_timer timer;
	struct workqueue_struct *wq;	/* target of the timer */
	int cpu;
};

#define WORK_CPU_UNBOUND (-1)		/* queue_work_on: the calling thread's CPU */

void init_work(struct work_struct *work, work_func_t func, const char *name);
#define INIT_WORK(w, f) init_work((w), (f), #f)
#define INIT_WORK_DATA(w, f, d) do { init_work((w), (f), #f); (w)->data = (d); } while (0)
void init_delayed_work(struct delayed_work *dwork, work_func_t func, const char *name);
#define INIT_DELAYED_WORK(dw, f) init_delayed_work((dw), (f), #f)
static inline struct delayed_work *to_delayed_work(struct work_struct *work)
{
	return (struct delayed_work *)((char *)work - offsetof(struct delayed_work, work));
}
/* Pending: queued (or its delay timer armed, or being canceled), not yet started. */
bool work_pending(struct work_struct *work);
bool delayed_work_pending(struct delayed_work *dwork);

/* alloc_workqueue flags (Linux's values) */
enum {
	WQ_UNBOUND = 1 << 1,	/* the unbound pool instead of per-CPU pools */
	WQ_FREEZABLE = 1 << 2,	/* accepted, no effect */
	WQ_MEM_RECLAIM = 1 << 3,/* accepted, no effect (no rescuer thread) */
	WQ_HIGHPRI = 1 << 4,	/* per-CPU: the high-priority pools (kworker/N:MH) */
	WQ_CPU_INTENSIVE = 1 << 5,	/* accepted, no effect */
	__WQ_ORDERED = 1 << 17,	/* alloc_ordered_workqueue */
	WQ_DFL_ACTIVE = 256,	/* max_active 0 means this */
	WQ_MAX_ACTIVE = 512,
	WQ_POOL_MAX_WORKERS = 16,	/* Persona: kworkers per pool at most */
};

/* alloc_workqueue(fmt, flags, max_active, ...): NULL with errno on failure (EINVAL:
 * bad max_active; ESRCH: before deferred_init). */
struct workqueue_struct *alloc_workqueue(const char *fmt, unsigned flags, int max_active, ...)
	__attribute__((format(printf, 1, 4)));
/* One item at a time, in queueing order (WQ_UNBOUND | __WQ_ORDERED, max_active 1). */
#define alloc_ordered_workqueue(fmt, flags, ...) \
	alloc_workqueue(fmt, WQ_UNBOUND | __WQ_ORDERED | (flags), 1, ##__VA_ARGS__)
/* Drains the workqueue (flush until nothing is queued, its own items may still queue
 * more) and frees it. Its delayed work must have been canceled. */
void destroy_workqueue(struct workqueue_struct *wq);

extern struct workqueue_struct *system_wq;		/* "events" */
extern struct workqueue_struct *system_highpri_wq;	/* "events_highpri" */
extern struct workqueue_struct *system_unbound_wq;	/* "events_unbound" */

/* Queue work on wq (per-CPU wq: on `cpu`'s pool, WORK_CPU_UNBOUND meaning the calling
 * thread's CPU; unbound wq: cpu ignored). False if it was already pending. */
bool queue_work_on(int cpu, struct workqueue_struct *wq, struct work_struct *work);
bool queue_work(struct workqueue_struct *wq, struct work_struct *work);
bool schedule_work(struct work_struct *work);		/* on system_wq */

/* Delay in jiffies (deferred_hz); 0 queues at once. False if already pending. */
bool queue_delayed_work_on(int cpu, struct workqueue_struct *wq, struct delayed_work *dwork,
			   unsigned long delay);
bool queue_delayed_work(struct workqueue_struct *wq, struct delayed_work *dwork,
			unsigned long delay);
bool schedule_delayed_work(struct delayed_work *dwork, unsigned long delay);
/* Queue, or move the timer of a pending one, to expire `delay` from now: returns true
 * if it was pending (and modified), false if it was idle (and queued). */
bool mod_delayed_work_on(int cpu, struct workqueue_struct *wq, struct delayed_work *dwork,
			 unsigned long delay);
bool mod_delayed_work(struct workqueue_struct *wq, struct delayed_work *dwork,
		      unsigned long delay);

/* Waits until the last queued instance of work (if queued or running when called)
 * has finished; true if it waited, false if work was idle. */
bool flush_work(struct work_struct *work);
/* Queues a delayed work item at once if its timer is armed, then flush_work. */
bool flush_delayed_work(struct delayed_work *dwork);
/* Waits until every item queued on wq before the call has finished (not delayed work
 * whose timer has not fired). */
void flush_workqueue(struct workqueue_struct *wq);

/* Removes a pending instance (it never runs); true if there was one. The _sync
 * variants also wait for a running instance to finish, and the item cannot be
 * queued meanwhile (queue_work returns false). */
bool cancel_work(struct work_struct *work);
bool cancel_work_sync(struct work_struct *work);
bool cancel_delayed_work(struct delayed_work *dwork);
bool cancel_delayed_work_sync(struct delayed_work *dwork);

/* Called by a failing work callback, on its worker (see "Failure" above). */
void work_failed(struct work_struct *work, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The work item the calling kworker is running (current_work), else NULL. */
struct work_struct *current_work(void);

/* Jiffies of the delayed-work interface: deferred_hz per second (default 250, the
 * default --hz; the supervisor sets it to its tick rate). */
extern unsigned deferred_hz;
unsigned long deferred_msecs_to_jiffies(unsigned long ms);	/* rounds up */

/* Observability (any thread) */
const char *workqueue_name(const struct workqueue_struct *wq);
unsigned long workqueue_run_count(const struct workqueue_struct *wq);
unsigned long workqueue_failed_count(const struct workqueue_struct *wq);
/* Calls fn on every workqueue (creation order); stops when fn returns non-zero. fn
 * must not allocate or destroy workqueues. */
int workqueue_for_each(int (*fn)(struct workqueue_struct *wq, void *arg), void *arg);
#endif
