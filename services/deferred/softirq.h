/* services/deferred/softirq.h - softirqs: Linux's fixed, compile-time set of deferred
 * interrupt work, raised per virtual CPU and run on interrupt exit.
 *
 * An interrupt's top half (core/irq.c) does the minimum and raises a softirq;
 * irq_exit() runs the pending softirqs of that CPU in softirq context. If they keep
 * being re-raised (more than SOFTIRQ_MAX_RESTART rounds, or longer than
 * SOFTIRQ_MAX_NS), the rest is handed to that CPU's ksoftirqd kernel thread, as
 * __do_softirq() does. Softirq handlers must not sleep (might_sleep() asserts it in
 * debug builds).
 *
 * Thread: raise_softirq() from any thread; handlers run on the thread that exits
 * the interrupt (the tracer thread) or on ksoftirqd/N. */
#ifndef PERSONA_SOFTIRQ_H
#define PERSONA_SOFTIRQ_H
#include <stdbool.h>

enum softirq_nr {
	HI_SOFTIRQ,		/* high-priority tasklets */
	TIMER_SOFTIRQ,		/* expired timers (services/time) */
	BLOCK_SOFTIRQ,		/* io_uring completions */
	SCHED_SOFTIRQ,		/* scheduler balancing (the scheduler issue) */
	TASKLET_SOFTIRQ,	/* normal tasklets */
	NR_SOFTIRQS
};

#define SOFTIRQ_MAX_RESTART 10
#define SOFTIRQ_MAX_NS 2000000
#define PERSONA_MAX_CPUS 64

typedef void (*softirq_action_fn)(unsigned cpu);

/* Registers the handler of softirq `nr` (once, at start-up). */
void open_softirq(enum softirq_nr nr, softirq_action_fn fn);
/* Marks `nr` pending on `cpu`; from any thread, any context. */
void raise_softirq(unsigned cpu, enum softirq_nr nr);
/* Runs what is pending on `cpu` now, in softirq context (called by irq_exit). */
void do_softirq(unsigned cpu);
/* Times softirq `nr` ran on `cpu` (/proc/softirqs). */
unsigned long softirq_count(unsigned cpu, enum softirq_nr nr);
const char *softirq_name(enum softirq_nr nr);	/* "HI", "TIMER", ... as /proc/softirqs */

/* Execution context of the calling thread, as Linux's preempt count */
bool in_irq(void);		/* in an interrupt's top half */
bool in_softirq(void);		/* running softirqs */
bool in_interrupt(void);	/* either */
void irq_context_enter(void);	/* used by core/irq.c around top halves */
void irq_context_exit(void);
/* Blocking primitives call this: aborts in debug builds when in_interrupt(). */
void might_sleep(void);
#endif
