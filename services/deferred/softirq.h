/* services/deferred/softirq.h - softirqs: Linux's fixed, compile-time set of deferred
 * interrupt work, raised per virtual CPU and run on interrupt exit (kernel/softirq.c).
 *
 * An interrupt's top half (core/irq.c) does the minimum and raises a softirq;
 * irq_exit() runs the pending softirqs of that CPU in softirq context. If they keep
 * being re-raised (more than SOFTIRQ_MAX_RESTART rounds, or longer than
 * SOFTIRQ_MAX_NS), the rest is handed to that CPU's ksoftirqd kernel thread, as
 * __do_softirq() does. Softirq handlers must not sleep (might_sleep() asserts it in
 * debug builds).
 *
 * Virtual CPUs are not host CPUs: "CPU n" is a set of per-CPU data (pending mask,
 * tasklet lists, worker pool, ksoftirqd/n). At most one thread at a time runs the
 * softirqs of a given CPU (the tracer thread at irq_exit, or ksoftirqd/n), as at most
 * one CPU runs them in Linux; softirqs of different CPUs run concurrently.
 *
 * Thread: raise_softirq() from any thread, any context; handlers run on the thread
 * that exits the interrupt (the tracer thread) or on ksoftirqd/N; open_softirq() at
 * start-up, before anything raises that softirq. */
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

#define SOFTIRQ_MAX_RESTART 10		/* Linux's MAX_SOFTIRQ_RESTART */
#define SOFTIRQ_MAX_NS 2000000		/* Linux's MAX_SOFTIRQ_TIME (2 ms) */
#define PERSONA_MAX_CPUS 64

typedef void (*softirq_action_fn)(unsigned cpu);

/* Registers the handler of softirq `nr` (once, at start-up; open_softirq). A raised
 * softirq without a handler is dropped (logged under DEFERRED_DBG_SOFTIRQ). */
void open_softirq(enum softirq_nr nr, softirq_action_fn fn);
/* Opens HI_SOFTIRQ and TASKLET_SOFTIRQ with the tasklet handlers (softirq_init).
 * deferred_init() calls it; idempotent. */
void softirq_init(void);
/* Marks `nr` pending on `cpu` (< PERSONA_MAX_CPUS); from any thread, any context
 * (raise_softirq). Who runs it: if the caller is serving softirqs of `cpu`, its
 * restart loop; if the caller is in hard irq context on `cpu` (smp_processor_id()),
 * that interrupt's irq_exit(); otherwise ksoftirqd/cpu is woken. */
void raise_softirq(unsigned cpu, enum softirq_nr nr);
/* Runs what is pending on `cpu` now, in softirq context (do_softirq, __do_softirq).
 * Call it out of interrupt context: irq_exit() calls it after irq_context_exit().
 * Does nothing when in_interrupt() (softirqs stay pending, as in Linux), or when
 * another thread is running this CPU's softirqs (that thread, or ksoftirqd/cpu, will
 * run what was raised). Past SOFTIRQ_MAX_RESTART rounds or SOFTIRQ_MAX_NS the rest is
 * handed to ksoftirqd/cpu (wakeup_softirqd). Thread: any. */
void do_softirq(unsigned cpu);
/* Mask (1 << nr) of the softirqs pending on `cpu` (local_softirq_pending). */
unsigned softirq_pending(unsigned cpu);
/* Wakes ksoftirqd/cpu (no-op before deferred_init or after deferred_shutdown). */
void wakeup_softirqd(unsigned cpu);

/* Times softirq `nr` ran on `cpu` (/proc/softirqs). Any thread. */
unsigned long softirq_count(unsigned cpu, enum softirq_nr nr);
/* Times do_softirq on `cpu` hit its restart limit and woke ksoftirqd/cpu. */
unsigned long softirq_handoff_count(unsigned cpu);
const char *softirq_name(enum softirq_nr nr);	/* "HI", "TIMER", ... as /proc/softirqs */

/* Execution context of the calling thread, as Linux's preempt count (thread-local) */
bool in_irq(void);		/* in an interrupt's top half (hardirq nesting > 0) */
bool in_softirq(void);		/* running softirqs (in_serving_softirq) */
bool in_interrupt(void);	/* either */
void irq_context_enter(void);	/* used by core/irq.c around top halves; nests */
void irq_context_exit(void);	/* aborts (log_bug) if not in hard irq context */
/* The virtual CPU the calling thread runs on (smp_processor_id): the CPU whose
 * softirqs it is serving, the CPU a kthread is bound to, else what the thread set
 * with smp_set_processor_id (core/irq.c: the interrupted CPU), else 0. */
unsigned smp_processor_id(void);
void smp_set_processor_id(unsigned cpu);

/* Blocking primitives call this (Linux's might_sleep): in debug builds (NDEBUG not
 * defined), when in_interrupt(), prints "persona: BUG: sleeping function called from
 * invalid context at FILE:LINE ..." and aborts (SIGABRT). */
void might_sleep_at(const char *file, int line);
#define might_sleep() might_sleep_at(__FILE__, __LINE__)
#endif
