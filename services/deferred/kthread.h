/* services/deferred/kthread.h - kernel threads on top of pthreads (kernel/kthread.c).
 *
 * A kthread is a host thread of the supervisor with a Linux kernel thread's name
 * ("kthreadd", "ksoftirqd/0", "kworker/0:0", "kworker/u4:0", "kswapd0"; at most
 * KTHREAD_COMM_LEN - 1 characters, longer names are truncated as comm is), its host
 * tid, and a place in the kthread list. As in Linux, kthread_create() does not create
 * the thread itself: it queues a request for kthreadd, which creates it, so every
 * kthread's parent is kthreadd (kthreadd's own parent is NULL, pid 0 in Linux). A new
 * kthread sleeps until wake_up_process() (kthread_run does both); kthread_stop() asks
 * it to return and joins it.
 *
 * The task table and /proc view (core/, services/procfs) follow the list through the
 * hooks (kthread_set_hooks) and kthread_for_each.
 *
 * Contexts: everything that waits (kthread_create/run, kthread_stop, kthread_park,
 * kthread_sleep, kthread_parkme) may sleep: process context only (might_sleep()).
 * wake_up_process, kthread_unpark, the accessors: any thread, any context. */
#ifndef PERSONA_KTHREAD_H
#define PERSONA_KTHREAD_H
#include <stdbool.h>
#include <sys/types.h>

#define KTHREAD_COMM_LEN 16		/* Linux's TASK_COMM_LEN */

struct kthread;

/* What /proc shows for a kthread (kthread_state_char gives Linux's letter). */
enum kthread_state {
	KTHREAD_NEW,		/* created, never woken ('D': TASK_UNINTERRUPTIBLE in Linux) */
	KTHREAD_RUNNING,	/* 'R' */
	KTHREAD_SLEEPING,	/* 'S': blocked in a wait primitive (wait.h, kthread_sleep) */
	KTHREAD_IDLE,		/* 'I': an idle kworker waiting for work (TASK_IDLE) */
	KTHREAD_PARKED,		/* 'P': in kthread_parkme */
	KTHREAD_DEAD,		/* 'X': its function returned; kthread_stop will reap it */
};

/* kthread_create(threadfn, data, namefmt, ...): asks kthreadd to create a kthread
 * named by the printf-style namefmt that will run threadfn(data) once woken. Returns
 * NULL with errno set on failure (ESRCH: kthreadd not running, i.e. before
 * deferred_init; EAGAIN/ENOMEM: no thread). The created hook has run when it
 * returns. Thread: any, process context (it waits for kthreadd). */
struct kthread *kthread_create(int (*threadfn)(void *data), void *data,
			       const char *namefmt, ...)
	__attribute__((format(printf, 3, 4)));
/* As kthread_create, bound to virtual CPU `cpu` (smp_processor_id() in the thread);
 * namefmt gets the cpu number: kthread_create_on_cpu(fn, d, 1, "ksoftirqd/%u"). */
struct kthread *kthread_create_on_cpu(int (*threadfn)(void *data), void *data,
				      unsigned cpu, const char *namefmt);
/* kthread_create + wake_up_process. */
#define kthread_run(threadfn, data, ...) ({				\
	struct kthread *__k = kthread_create(threadfn, data, __VA_ARGS__);	\
	if (__k) wake_up_process(__k);					\
	__k; })
/* Binds a not yet woken kthread to virtual CPU `cpu` (kthread_bind). */
void kthread_bind(struct kthread *k, unsigned cpu);

/* Wakes k if it sleeps in kthread_sleep (or starts a new one); a wake-up that finds
 * it running is kept, so the next kthread_sleep returns at once (no lost wake-ups).
 * Returns true if k was sleeping or new. Any thread, any context. */
bool wake_up_process(struct kthread *k);
/* Sleeps until wake_up_process, kthread_stop or kthread_park; called by a kthread's
 * own function (Linux's set_current_state(TASK_INTERRUPTIBLE); schedule()). */
void kthread_sleep(void);

/* Sets should_stop, wakes k (kthread_sleep, kthread_parkme, or never started), and
 * joins it; returns threadfn's result (-EINTR if it never ran). k is freed: never
 * use it again. A kthread blocked elsewhere must be woken by its owner (the owner
 * of the condition it waits on). Must not be called by k itself. */
int kthread_stop(struct kthread *k);
/* In a kthread's function: should it return? (false outside kthreads) */
bool kthread_should_stop(void);

/* Parking (kthread_park/kthread_unpark/kthread_parkme, used by Linux's per-CPU
 * threads for CPU hotplug): kthread_park asks k to park and waits until it is parked
 * in kthread_parkme (its function must call kthread_parkme when
 * kthread_should_park()); returns 0, or -ENOSYS if k has exited. */
int kthread_park(struct kthread *k);
void kthread_unpark(struct kthread *k);
bool kthread_should_park(void);
void kthread_parkme(void);

/* Accessors; any thread. The struct is valid until kthread_stop returns. */
struct kthread *kthread_current(void);		/* NULL outside kthreads */
const char *kthread_comm(const struct kthread *k);
pid_t kthread_tid(const struct kthread *k);	/* host tid (gettid in the thread) */
struct kthread *kthread_parent(const struct kthread *k);	/* kthreadd; NULL for it */
int kthread_cpu(const struct kthread *k);	/* bound CPU, -1 if unbound */
void *kthread_data(const struct kthread *k);	/* the data given to kthread_create */
enum kthread_state kthread_state(const struct kthread *k);
char kthread_state_char(const struct kthread *k);	/* 'R' 'S' 'I' 'P' 'D' 'X' */
struct kthread *kthreadd_task(void);		/* NULL when not running */

/* Calls fn on every kthread (creation order), under the list lock: fn must not
 * create or stop kthreads. Stops early when fn returns non-zero (returned). */
int kthread_for_each(int (*fn)(struct kthread *k, void *arg), void *arg);

/* Registration hooks for the task table (either may be NULL):
 *  created(k): on the thread that called kthread_create, once k's tid is known and
 *              before kthread_create returns (so before k runs its function); for
 *              kthreadd, on the thread calling deferred_init.
 *  exited(k):  on k's own thread, after its function returned, just before the
 *              thread ends (Linux's do_exit); k stays readable until kthread_stop
 *              reaps it, so copy what outlives the hook.
 * Set them before deferred_init (else walk kthread_for_each for the existing ones). */
void kthread_set_hooks(void (*created)(struct kthread *k), void (*exited)(struct kthread *k));
#endif
