/* services/deferred/dwork_timer.c - the timers of delayed work, FOR NOW.
 *
 * In Linux a delayed_work's timer is a timer_list run by TIMER_SOFTIRQ. Timers belong
 * to services/time, written in parallel with this module; until delayed work is moved
 * onto them, this small thread ("dwork-timer", a plain pthread: not a kthread, so not
 * in the task table or /proc) keeps the armed delayed works sorted by expiry and
 * sleeps on a CLOCK_MONOTONIC condvar until the first one expires. It then runs
 * delayed_work_timer_fn in softirq context, as Linux's timer softirq would, on the
 * CPU that armed the timer. Insertion is O(n) in the armed timers: fine for the few
 * delayed works of the supervisor, not for a guest-driven number. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include "services/deferred/deferred_internal.h"
#include "services/deferred/softirq.h"
#include "services/deferred/wait.h"
#include "services/deferred/wq_internal.h"

static pthread_mutex_t dt_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t dt_cond;
static struct list_head dt_list = LIST_HEAD_INIT(dt_list);
static pthread_t dt_thread;
static bool dt_running, dt_stop;

static struct delayed_work *dt_entry(struct list_head *pos)
{
	return (struct delayed_work *)((char *)pos - offsetof(struct delayed_work, timer.node));
}

/* add_timer(): sorted insertion; the thread is told when it becomes the first. */
void dwork_timer_add(struct delayed_work *dwork, uint64_t expires_ns)
{
	struct list_head *pos;
	pthread_mutex_lock(&dt_lock);
	if (!dt_running) {		/* shutting down: dropped, as armed timers are */
		pthread_mutex_unlock(&dt_lock);
		DDBG(DEFERRED_DBG_WORK, "work: %s delayed during shutdown: dropped",
		     dwork->work.name);
		atomic_fetch_and(&dwork->work.flags, ~WORK_STRUCT_PENDING);
		return;
	}
	if (dwork->timer.armed) log_bug("delayed work %s armed twice", dwork->work.name);
	dwork->timer.expires_ns = expires_ns;
	dwork->timer.armed = true;
	list_for_each(pos, &dt_list)
		if (dt_entry(pos)->timer.expires_ns > expires_ns) break;
	list_add_tail(&dwork->timer.node, pos);		/* before pos */
	if (dt_list.next == &dwork->timer.node) pthread_cond_signal(&dt_cond);
	pthread_mutex_unlock(&dt_lock);
}

/* del_timer() */
bool dwork_timer_del(struct delayed_work *dwork)
{
	bool was;
	pthread_mutex_lock(&dt_lock);
	was = dwork->timer.armed;
	if (was) {
		list_del_init(&dwork->timer.node);
		dwork->timer.armed = false;
	}
	pthread_mutex_unlock(&dt_lock);
	return was;
}

/* Disarms and releases (PENDING cleared) the armed timers aimed at wq, or all
 * (wq NULL). */
static void dt_drop(struct workqueue_struct *wq)
{
	struct list_head *pos, *n;
	pthread_mutex_lock(&dt_lock);
	list_for_each_safe(pos, n, &dt_list) {
		struct delayed_work *dwork = dt_entry(pos);
		if (wq && dwork->wq != wq) continue;
		if (wq) log_err("destroy_workqueue(%s): delayed work %s still armed: dropped",
				wq->name, dwork->work.name);
		list_del_init(&dwork->timer.node);
		dwork->timer.armed = false;
		atomic_fetch_and(&dwork->work.flags, ~WORK_STRUCT_PENDING);
	}
	pthread_mutex_unlock(&dt_lock);
}

void dwork_timer_drop_wq(struct workqueue_struct *wq) { dt_drop(wq); }

/* Runs one expired timer, dt_lock released (run_timer_softirq -> call_timer_fn). */
static void dt_fire(struct delayed_work *dwork)
{
	unsigned saved = smp_processor_id();
	smp_set_processor_id(dwork->timer.cpu);
	softirq_context_enter();
	delayed_work_timer_fn(dwork);
	softirq_context_exit();
	smp_set_processor_id(saved);
}

static void *dt_main(void *unused)
{
	pthread_setname_np(pthread_self(), "dwork-timer");
	pthread_mutex_lock(&dt_lock);
	while (!dt_stop) {
		struct delayed_work *dwork;
		struct timespec ts;
		if (list_empty(&dt_list)) {
			pthread_cond_wait(&dt_cond, &dt_lock);
			continue;
		}
		dwork = dt_entry(dt_list.next);
		if (dwork->timer.expires_ns > deferred_now_ns()) {
			ts.tv_sec = (time_t)(dwork->timer.expires_ns / 1000000000u);
			ts.tv_nsec = (long)(dwork->timer.expires_ns % 1000000000u);
			pthread_cond_timedwait(&dt_cond, &dt_lock, &ts);
			continue;
		}
		list_del_init(&dwork->timer.node);
		dwork->timer.armed = false;
		pthread_mutex_unlock(&dt_lock);
		dt_fire(dwork);
		pthread_mutex_lock(&dt_lock);
	}
	pthread_mutex_unlock(&dt_lock);
	return NULL;
}

int dwork_timer_start(void)
{
	sigset_t all, old;
	int err;
	wait_cond_init(&dt_cond);
	dt_stop = false;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&dt_thread, NULL, dt_main, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		pthread_cond_destroy(&dt_cond);
		return -err;
	}
	pthread_mutex_lock(&dt_lock);
	dt_running = true;
	pthread_mutex_unlock(&dt_lock);
	return 0;
}

void dwork_timer_stop(void)
{
	pthread_mutex_lock(&dt_lock);
	if (!dt_running) {
		pthread_mutex_unlock(&dt_lock);
		return;
	}
	dt_stop = true;
	dt_running = false;
	pthread_cond_signal(&dt_cond);
	pthread_mutex_unlock(&dt_lock);
	pthread_join(dt_thread, NULL);
	dt_drop(NULL);
	pthread_cond_destroy(&dt_cond);
}
