/* services/deferred/wait.h - sleeping primitives of the deferred-work modules:
 * completions (kernel/sched/completion.c) and condition-variable waits.
 *
 * Every blocking primitive here calls might_sleep() (aborts in interrupt context in
 * debug builds) and, in a kthread, marks it sleeping (KTHREAD_SLEEPING, 'S' in /proc)
 * for as long as it blocks. Condition variables used with them must be initialised
 * with wait_cond_init (CLOCK_MONOTONIC deadlines).
 *
 * Thread: any; the waits in process context only. */
#ifndef PERSONA_WAIT_H
#define PERSONA_WAIT_H
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include "services/deferred/kthread.h"

uint64_t deferred_now_ns(void);		/* CLOCK_MONOTONIC, ns */

void wait_cond_init(pthread_cond_t *c);	/* a condvar timed on CLOCK_MONOTONIC */
/* pthread_cond_wait with might_sleep and the kthread state `st` (KTHREAD_SLEEPING,
 * or KTHREAD_IDLE for idle workers) while blocked. */
void wait_cond(pthread_cond_t *c, pthread_mutex_t *m, enum kthread_state st);
/* Same, until CLOCK_MONOTONIC `deadline_ns`: returns 0 when signalled, ETIMEDOUT. */
int wait_cond_until(pthread_cond_t *c, pthread_mutex_t *m, enum kthread_state st,
		    uint64_t deadline_ns);

/* struct completion: Linux's completion (a counted "done" event). */
struct completion {
	unsigned done;			/* UINT_MAX after complete_all */
	pthread_mutex_t lock;
	pthread_cond_t wait;
};
void init_completion(struct completion *x);
void reinit_completion(struct completion *x);	/* done = 0; no waiters may be present */
void destroy_completion(struct completion *x);	/* Persona only: frees the pthread parts */
/* Wakes one waiter (or lets the next wait return): any thread, any context. */
void complete(struct completion *x);
void complete_all(struct completion *x);	/* every current and future wait returns */
void wait_for_completion(struct completion *x);
/* Returns the ns left (>= 1) if completed, 0 on timeout (Linux counts in jiffies). */
uint64_t wait_for_completion_timeout(struct completion *x, uint64_t timeout_ns);
bool try_wait_for_completion(struct completion *x);	/* never sleeps */
bool completion_done(struct completion *x);
#endif
