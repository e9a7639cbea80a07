/* services/deferred/kthread.c - kernel threads and kthreadd (kernel/kthread.c).
 *
 * Each kthread is a joinable pthread. Its control block has a mutex and a condvar on
 * which the thread sleeps (first start, kthread_sleep, kthread_parkme); a "woken"
 * token makes wake_up_process before kthread_sleep count, as a wake-up between
 * set_current_state and schedule() does in Linux. Creation requests go through
 * kthreadd's create list; the new thread adds itself to the kthread list and reports
 * its tid before it sleeps, waiting for its first wake-up. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/list.h"
#include "services/deferred/deferred_internal.h"
#include "services/deferred/kthread.h"
#include "services/deferred/softirq.h"
#include "services/deferred/wait.h"

struct kthread {
	char comm[KTHREAD_COMM_LEN];
	pid_t tid;
	pthread_t thread;
	int (*threadfn)(void *data);
	void *data;
	struct kthread *parent;
	int cpu;			/* bound virtual CPU, -1 */
	int result;
	struct list_head node;		/* kthread_list */
	pthread_mutex_t lock;		/* the fields below */
	pthread_cond_t wait;		/* the thread sleeps here */
	pthread_cond_t parked_cond;	/* kthread_park waits here */
	bool woken, started, parked, in_sleep;
	atomic_bool should_stop, should_park;
	atomic_int state;		/* enum kthread_state */
};

/* kthread_create_info: a request for kthreadd, on the requester's stack */
struct kthread_create_info {
	struct kthread *k;
	int err;
	struct completion done;
	struct list_head list;
};

static pthread_mutex_t kthread_list_lock = PTHREAD_MUTEX_INITIALIZER;
static struct list_head kthread_list = LIST_HEAD_INIT(kthread_list);
static unsigned long kthread_nr;

static pthread_mutex_t create_lock = PTHREAD_MUTEX_INITIALIZER;
static struct list_head create_list = LIST_HEAD_INIT(create_list);
static struct kthread *kthreadd_k;		/* under create_lock */

static void (*_Atomic hook_created)(struct kthread *);
static void (*_Atomic hook_exited)(struct kthread *);
static __thread struct kthread *current_k;

void kthread_set_hooks(void (*created)(struct kthread *), void (*exited)(struct kthread *))
{
	atomic_store(&hook_created, created);
	atomic_store(&hook_exited, exited);
}

static struct kthread *kthread_alloc(int (*fn)(void *), void *data, int cpu,
				     const char *name)
{
	struct kthread *k = calloc(1, sizeof *k);
	if (!k) return NULL;
	snprintf(k->comm, sizeof k->comm, "%s", name);	/* truncated as comm is */
	k->threadfn = fn;
	k->data = data;
	k->cpu = cpu;
	list_init(&k->node);
	pthread_mutex_init(&k->lock, NULL);
	wait_cond_init(&k->wait);
	wait_cond_init(&k->parked_cond);
	atomic_init(&k->state, KTHREAD_NEW);
	return k;
}

static void kthread_free(struct kthread *k)
{
	pthread_cond_destroy(&k->parked_cond);
	pthread_cond_destroy(&k->wait);
	pthread_mutex_destroy(&k->lock);
	free(k);
}

void kthread_set_wait_state(enum kthread_state st)
{
	if (current_k) atomic_store(&current_k->state, st);
}

/* The first sleep of a new kthread (kthread(): schedule() until wake_up_process). */
static void kthread_wait_start(struct kthread *k)
{
	pthread_mutex_lock(&k->lock);
	while (!k->woken && !atomic_load(&k->should_stop) && !atomic_load(&k->should_park))
		pthread_cond_wait(&k->wait, &k->lock);
	k->woken = false;
	k->started = true;
	atomic_store(&k->state, KTHREAD_RUNNING);
	pthread_mutex_unlock(&k->lock);
}

/* kthread_exit() / do_exit(): the result for kthread_stop, the exited hook. */
static void kthread_exit(struct kthread *k, int ret)
{
	void (*hook)(struct kthread *) = atomic_load(&hook_exited);
	pthread_mutex_lock(&k->lock);
	k->result = ret;
	atomic_store(&k->state, KTHREAD_DEAD);
	pthread_cond_broadcast(&k->parked_cond);	/* a kthread_park gives up */
	pthread_mutex_unlock(&k->lock);
	DDBG(DEFERRED_DBG_KTHREAD, "kthread: %s (tid %d) exited with %d", k->comm, k->tid, ret);
	if (hook) hook(k);
}

/* kthread(): the body of every kthread */
static void *kthread_main(void *arg)
{
	struct kthread_create_info *req = arg;
	struct kthread *k = req->k;
	int ret = -EINTR;

	current_k = k;
	k->tid = gettid();
	pthread_setname_np(pthread_self(), k->comm);
	pthread_mutex_lock(&kthread_list_lock);
	list_add_tail(&k->node, &kthread_list);
	kthread_nr++;
	pthread_mutex_unlock(&kthread_list_lock);
	complete(&req->done);			/* req is gone after this */

	kthread_wait_start(k);
	if (!atomic_load(&k->should_stop)) {
		if (k->cpu >= 0) smp_set_processor_id((unsigned)k->cpu);
		kthread_parkme();		/* __kthread_parkme(): parked before it ran */
		if (!atomic_load(&k->should_stop)) ret = k->threadfn(k->data);
	}
	kthread_exit(k, ret);
	return NULL;
}

/* create_kthread(): on kthreadd (or, for kthreadd itself, on deferred_init's thread) */
/* Linux's kernel stacks are 16 KiB; these threads run work items and softirqs of
 * the supervisor's own code, not guest code, and 256 KiB is plenty. glibc's default
 * (8 MiB, RLIMIT_STACK) made each creation map and guard a large stack: on these VMs
 * every mapping change of the multi-threaded supervisor is a TLB-shootdown IPI. */
#define KTHREAD_STACK	(256 * 1024)

static void create_kthread(struct kthread_create_info *req)
{
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, KTHREAD_STACK);
	int err = pthread_create(&req->k->thread, &attr, kthread_main, req);
	pthread_attr_destroy(&attr);
	if (err) {
		req->err = err;
		complete(&req->done);
	}
}

static struct kthread_create_info *create_dequeue(void)
{
	struct kthread_create_info *req = NULL;
	pthread_mutex_lock(&create_lock);
	if (!list_empty(&create_list)) {
		req = list_entry(create_list.next, struct kthread_create_info, list);
		list_del_init(&req->list);
	}
	pthread_mutex_unlock(&create_lock);
	return req;
}

/* kthreadd(): creates what was asked; serves queued requests before stopping. */
static int kthreadd_fn(void *unused)
{
	for (;;) {
		struct kthread_create_info *req = create_dequeue();
		if (req) {
			create_kthread(req);
			continue;
		}
		if (kthread_should_stop()) break;
		kthread_sleep();
	}
	return 0;
}

static void kthread_created(struct kthread *k)
{
	void (*hook)(struct kthread *) = atomic_load(&hook_created);
	DCOUNT(kthreads_created);
	DDBG(DEFERRED_DBG_KTHREAD, "kthread: created %s (tid %d, parent %s)", k->comm, k->tid,
	     k->parent ? k->parent->comm : "none");
	if (hook) hook(k);
}

/* Queues req for kthreadd; false if kthreadd is not running. */
static bool create_enqueue(struct kthread_create_info *req)
{
	bool ok;
	pthread_mutex_lock(&create_lock);
	ok = kthreadd_k != NULL;
	if (ok) {
		req->k->parent = kthreadd_k;
		list_add_tail(&req->list, &create_list);
		wake_up_process(kthreadd_k);
	}
	pthread_mutex_unlock(&create_lock);
	return ok;
}

/* __kthread_create_on_node() */
static struct kthread *kthread_create_named(int (*fn)(void *), void *data, int cpu,
					    const char *name)
{
	struct kthread_create_info req = { .err = 0 };
	might_sleep();
	req.k = kthread_alloc(fn, data, cpu, name);
	if (!req.k) return NULL;
	init_completion(&req.done);
	if (!create_enqueue(&req)) {
		req.err = ESRCH;
	} else {
		wait_for_completion(&req.done);
	}
	destroy_completion(&req.done);
	if (req.err) {
		kthread_free(req.k);
		errno = req.err;
		return NULL;
	}
	kthread_created(req.k);
	return req.k;
}

/* kthread_create() */
struct kthread *kthread_create(int (*threadfn)(void *data), void *data,
			       const char *namefmt, ...)
{
	char name[KTHREAD_COMM_LEN];
	va_list ap;
	va_start(ap, namefmt);
	vsnprintf(name, sizeof name, namefmt, ap);
	va_end(ap);
	return kthread_create_named(threadfn, data, -1, name);
}

/* kthread_create_on_cpu() */
struct kthread *kthread_create_on_cpu(int (*threadfn)(void *data), void *data,
				      unsigned cpu, const char *namefmt)
{
	char name[KTHREAD_COMM_LEN];
	if (cpu >= PERSONA_MAX_CPUS) {
		errno = EINVAL;
		return NULL;
	}
	snprintf(name, sizeof name, namefmt, cpu);
	return kthread_create_named(threadfn, data, (int)cpu, name);
}

/* kthread_bind() */
void kthread_bind(struct kthread *k, unsigned cpu)
{
	pthread_mutex_lock(&k->lock);
	if (k->started) log_bug("kthread_bind(%s) after it started", k->comm);
	k->cpu = (int)cpu;
	pthread_mutex_unlock(&k->lock);
}

/* wake_up_process() */
bool wake_up_process(struct kthread *k)
{
	bool was_asleep;
	pthread_mutex_lock(&k->lock);
	was_asleep = k->in_sleep || !k->started;
	k->woken = true;
	pthread_cond_broadcast(&k->wait);
	pthread_mutex_unlock(&k->lock);
	return was_asleep;
}

static struct kthread *current_kthread_or_bug(const char *what)
{
	if (!current_k) log_bug("%s called outside a kthread", what);
	return current_k;
}

/* set_current_state(TASK_INTERRUPTIBLE); schedule(); */
void kthread_sleep(void)
{
	struct kthread *k = current_kthread_or_bug("kthread_sleep");
	might_sleep();
	pthread_mutex_lock(&k->lock);
	while (!k->woken && !atomic_load(&k->should_stop) && !atomic_load(&k->should_park)) {
		k->in_sleep = true;
		wait_cond(&k->wait, &k->lock, KTHREAD_SLEEPING);
		k->in_sleep = false;
	}
	k->woken = false;
	pthread_mutex_unlock(&k->lock);
}

static void kthread_unlink(struct kthread *k)
{
	pthread_mutex_lock(&kthread_list_lock);
	if (!list_empty(&k->node)) {
		list_del_init(&k->node);
		kthread_nr--;
	}
	pthread_mutex_unlock(&kthread_list_lock);
}

/* kthread_stop() */
int kthread_stop(struct kthread *k)
{
	int ret;
	might_sleep();
	if (k == current_k) log_bug("kthread_stop(%s) by itself", k->comm);
	DDBG(DEFERRED_DBG_KTHREAD, "kthread: stopping %s (tid %d)", k->comm, k->tid);
	pthread_mutex_lock(&k->lock);
	atomic_store(&k->should_stop, true);
	atomic_store(&k->should_park, false);
	pthread_cond_broadcast(&k->wait);
	pthread_mutex_unlock(&k->lock);
	pthread_join(k->thread, NULL);
	ret = k->result;
	kthread_unlink(k);
	kthread_free(k);
	return ret;
}

bool kthread_should_stop(void)
{
	return current_k && atomic_load(&current_k->should_stop);
}

bool kthread_should_park(void)
{
	return current_k && atomic_load(&current_k->should_park);
}

/* kthread_park() */
int kthread_park(struct kthread *k)
{
	int ret;
	might_sleep();
	if (k == current_k) log_bug("kthread_park(%s) by itself", k->comm);
	pthread_mutex_lock(&k->lock);
	atomic_store(&k->should_park, true);
	pthread_cond_broadcast(&k->wait);
	while (!k->parked && atomic_load(&k->state) != KTHREAD_DEAD)
		wait_cond(&k->parked_cond, &k->lock, KTHREAD_SLEEPING);
	ret = k->parked ? 0 : -ENOSYS;
	pthread_mutex_unlock(&k->lock);
	DDBG(DEFERRED_DBG_KTHREAD, "kthread: parked %s: %d", k->comm, ret);
	return ret;
}

/* kthread_unpark() */
void kthread_unpark(struct kthread *k)
{
	pthread_mutex_lock(&k->lock);
	atomic_store(&k->should_park, false);
	pthread_cond_broadcast(&k->wait);
	pthread_mutex_unlock(&k->lock);
}

/* kthread_parkme() / __kthread_parkme() */
void kthread_parkme(void)
{
	struct kthread *k = current_kthread_or_bug("kthread_parkme");
	pthread_mutex_lock(&k->lock);
	while (atomic_load(&k->should_park)) {
		k->parked = true;
		pthread_cond_broadcast(&k->parked_cond);
		wait_cond(&k->wait, &k->lock, KTHREAD_PARKED);
	}
	k->parked = false;
	pthread_mutex_unlock(&k->lock);
}

/* --- accessors --- */

struct kthread *kthread_current(void) { return current_k; }
const char *kthread_comm(const struct kthread *k) { return k->comm; }
pid_t kthread_tid(const struct kthread *k) { return k->tid; }
struct kthread *kthread_parent(const struct kthread *k) { return k->parent; }
int kthread_cpu(const struct kthread *k) { return k->cpu; }
void *kthread_data(const struct kthread *k) { return k->data; }

enum kthread_state kthread_state(const struct kthread *k)
{
	return (enum kthread_state)atomic_load(&((struct kthread *)k)->state);
}

char kthread_state_char(const struct kthread *k)
{
	static const char letters[] = {
		[KTHREAD_NEW] = 'D', [KTHREAD_RUNNING] = 'R', [KTHREAD_SLEEPING] = 'S',
		[KTHREAD_IDLE] = 'I', [KTHREAD_PARKED] = 'P', [KTHREAD_DEAD] = 'X',
	};
	return letters[kthread_state(k)];
}

struct kthread *kthreadd_task(void)
{
	struct kthread *k;
	pthread_mutex_lock(&create_lock);
	k = kthreadd_k;
	pthread_mutex_unlock(&create_lock);
	return k;
}

int kthread_for_each(int (*fn)(struct kthread *k, void *arg), void *arg)
{
	struct list_head *pos;
	int ret = 0;
	pthread_mutex_lock(&kthread_list_lock);
	list_for_each(pos, &kthread_list) {
		ret = fn(list_entry(pos, struct kthread, node), arg);
		if (ret) break;
	}
	pthread_mutex_unlock(&kthread_list_lock);
	return ret;
}

unsigned long kthread_alive_count(void)
{
	unsigned long n;
	pthread_mutex_lock(&kthread_list_lock);
	n = kthread_nr;
	pthread_mutex_unlock(&kthread_list_lock);
	return n;
}

/* --- kthreadd --- */

/* rest_init() starting kthreadd: created directly, with every signal blocked so that
 * no kthread (they inherit kthreadd's mask) takes the supervisor's signals. */
int kthreadd_start(void)
{
	struct kthread_create_info req = { .err = 0 };
	sigset_t all, old;

	req.k = kthread_alloc(kthreadd_fn, NULL, -1, "kthreadd");
	if (!req.k) return -ENOMEM;
	init_completion(&req.done);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	create_kthread(&req);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!req.err) wait_for_completion(&req.done);
	destroy_completion(&req.done);
	if (req.err) {
		kthread_free(req.k);
		return -req.err;
	}
	pthread_mutex_lock(&create_lock);
	kthreadd_k = req.k;
	pthread_mutex_unlock(&create_lock);
	kthread_created(req.k);
	wake_up_process(req.k);
	return 0;
}

void kthreadd_stop(void)
{
	struct kthread *k;
	pthread_mutex_lock(&create_lock);
	k = kthreadd_k;
	kthreadd_k = NULL;		/* no new requests; queued ones are served */
	pthread_mutex_unlock(&create_lock);
	if (k) kthread_stop(k);
}

/* At shutdown: every kthread but kthreadd, e.g. one whose creator did not stop it. */
void kthread_stop_remaining(void)
{
	struct kthread *kd = kthreadd_task();
	for (;;) {
		struct kthread *k = NULL;
		struct list_head *pos;
		pthread_mutex_lock(&kthread_list_lock);
		list_for_each(pos, &kthread_list) {
			if (list_entry(pos, struct kthread, node) != kd) {
				k = list_entry(pos, struct kthread, node);
				break;
			}
		}
		pthread_mutex_unlock(&kthread_list_lock);
		if (!k) break;
		DDBG(DEFERRED_DBG_KTHREAD, "kthread: %s still there at shutdown", k->comm);
		kthread_stop(k);
	}
}
