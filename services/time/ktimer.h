/* services/time/ktimer.h - the personality's timer queue: Linux's hrtimer base, as a
 * binary min-heap of absolute CLOCK_MONOTONIC expiry times.
 *
 * Linux keeps high-resolution timers in a per-CPU red-black tree (kernel/time/
 * hrtimer.c) and low-resolution timeouts in a hierarchical wheel (kernel/time/timer.c).
 * Persona has one queue: a min-heap ordered by expiry, O(log n) add/mod/del (each
 * timer knows its heap index), O(1) next expiry. The event loop's one-shot timerfd
 * (IRQ_HRTIMER, core/irq.h) is always armed for the earliest expiry: every change of
 * the heap's head calls irq_hrtimer_arm(). Expired timers run from the TIMER softirq
 * (services/time/time.c), in softirq context: callbacks must not sleep, and a callback
 * that re-adds its own timer (a periodic timer) must move it past `now`.
 *
 * Thread: everything here runs on the tracer thread (the syscall handlers and the
 * TIMER softirq both do), so there is no locking. Calling it from another thread is a
 * bug (use irq_call_on_tracer()). */
#ifndef PERSONA_KTIMER_H
#define PERSONA_KTIMER_H
#include <stdbool.h>
#include <stdint.h>

#define KTIMER_IDLE UINT32_MAX		/* heap index of a timer that is not queued */
#define KTIME_MAX ((uint64_t)INT64_MAX)	/* "never": Linux's KTIME_MAX */

struct ktimer;
typedef void (*ktimer_fn)(struct ktimer *t);

struct ktimer {
	uint64_t expires;	/* absolute CLOCK_MONOTONIC ns */
	ktimer_fn fn;		/* runs in softirq context once expires <= now */
	void *data;		/* the owner's */
	uint32_t idx;		/* position in the heap, KTIMER_IDLE when not queued */
	uint64_t seq;		/* insertion order: equal expiries run first-in first-out */
};

void ktimer_init(struct ktimer *t, ktimer_fn fn, void *data);
static inline bool ktimer_pending(const struct ktimer *t) { return t->idx != KTIMER_IDLE; }
/* Queues `t` (re-queues it if pending) to expire at `expires` (absolute monotonic ns;
 * 0 is taken as 1, so that 0 can mean "none"). 0 or -ENOMEM. */
int ktimer_add(struct ktimer *t, uint64_t expires);
/* Linux's mod_timer(): like ktimer_add; returns 1 if the timer was pending, 0 if not,
 * -ENOMEM. */
int ktimer_mod(struct ktimer *t, uint64_t expires);
/* Dequeues `t`; returns 1 if it was pending, else 0. */
int ktimer_del(struct ktimer *t);
/* Earliest expiry, 0 when no timer is queued. */
uint64_t ktimer_next_expiry(void);
/* Runs (and dequeues) every timer with expires <= now, earliest first. Returns how
 * many ran. */
unsigned ktimer_run_expired(uint64_t now);
unsigned ktimer_count(void);
/* Timers fired since start (persona run --stats) */
unsigned long ktimer_fired(void);
/* Forgets every timer without running it (tests). */
void ktimer_reset(void);
/* Current CLOCK_MONOTONIC time in ns */
uint64_t ktime_mono_now(void);
#endif
