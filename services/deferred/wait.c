/* services/deferred/wait.c - see wait.h */
#include <errno.h>
#include <limits.h>
#include <time.h>
#include "services/deferred/deferred_internal.h"
#include "services/deferred/softirq.h"
#include "services/deferred/wait.h"

uint64_t deferred_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void wait_cond_init(pthread_cond_t *c)
{
	pthread_condattr_t a;
	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(c, &a);
	pthread_condattr_destroy(&a);
}

/* Linux: set_current_state(TASK_INTERRUPTIBLE); schedule(); */
void wait_cond(pthread_cond_t *c, pthread_mutex_t *m, enum kthread_state st)
{
	might_sleep();
	kthread_set_wait_state(st);
	pthread_cond_wait(c, m);
	kthread_set_wait_state(KTHREAD_RUNNING);
}

/* Linux: schedule_timeout() */
int wait_cond_until(pthread_cond_t *c, pthread_mutex_t *m, enum kthread_state st,
		    uint64_t deadline_ns)
{
	struct timespec ts = {
		.tv_sec = (time_t)(deadline_ns / 1000000000u),
		.tv_nsec = (long)(deadline_ns % 1000000000u),
	};
	int err;
	might_sleep();
	kthread_set_wait_state(st);
	err = pthread_cond_timedwait(c, m, &ts);
	kthread_set_wait_state(KTHREAD_RUNNING);
	return err == ETIMEDOUT ? ETIMEDOUT : 0;
}

/* --- completions (kernel/sched/completion.c) --- */

void init_completion(struct completion *x)
{
	x->done = 0;
	pthread_mutex_init(&x->lock, NULL);
	wait_cond_init(&x->wait);
}

void reinit_completion(struct completion *x)
{
	pthread_mutex_lock(&x->lock);
	x->done = 0;
	pthread_mutex_unlock(&x->lock);
}

void destroy_completion(struct completion *x)
{
	pthread_cond_destroy(&x->wait);
	pthread_mutex_destroy(&x->lock);
}

/* complete() */
void complete(struct completion *x)
{
	pthread_mutex_lock(&x->lock);
	if (x->done != UINT_MAX) x->done++;
	pthread_cond_signal(&x->wait);
	pthread_mutex_unlock(&x->lock);
}

/* complete_all() */
void complete_all(struct completion *x)
{
	pthread_mutex_lock(&x->lock);
	x->done = UINT_MAX;
	pthread_cond_broadcast(&x->wait);
	pthread_mutex_unlock(&x->lock);
}

static void completion_take(struct completion *x)
{
	if (x->done != UINT_MAX) x->done--;
}

/* wait_for_completion() */
void wait_for_completion(struct completion *x)
{
	might_sleep();
	pthread_mutex_lock(&x->lock);
	while (!x->done)
		wait_cond(&x->wait, &x->lock, KTHREAD_SLEEPING);
	completion_take(x);
	pthread_mutex_unlock(&x->lock);
}

/* wait_for_completion_timeout() */
uint64_t wait_for_completion_timeout(struct completion *x, uint64_t timeout_ns)
{
	uint64_t deadline = deferred_now_ns() + timeout_ns, now, left = 0;
	might_sleep();
	pthread_mutex_lock(&x->lock);
	while (!x->done &&
	       wait_cond_until(&x->wait, &x->lock, KTHREAD_SLEEPING, deadline) != ETIMEDOUT) {}
	if (x->done) {
		completion_take(x);
		now = deferred_now_ns();
		left = now < deadline ? deadline - now : 1;
	}
	pthread_mutex_unlock(&x->lock);
	return left;
}

/* try_wait_for_completion() */
bool try_wait_for_completion(struct completion *x)
{
	bool ok;
	pthread_mutex_lock(&x->lock);
	ok = x->done != 0;
	if (ok) completion_take(x);
	pthread_mutex_unlock(&x->lock);
	return ok;
}

/* completion_done() */
bool completion_done(struct completion *x)
{
	bool done;
	pthread_mutex_lock(&x->lock);
	done = x->done != 0;
	pthread_mutex_unlock(&x->lock);
	return done;
}
