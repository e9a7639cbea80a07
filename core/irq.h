/* core/irq.h - the supervisor's interrupts.
 *
 * The supervisor's asynchronous events are its interrupts, each with a number, a
 * per-virtual-CPU counter (/proc/interrupts) and a top half that does the minimum
 * and raises a softirq (services/deferred/softirq.h):
 *   IRQ_TIMER    the periodic tick (a POSIX timer signal, --hz, default 250)
 *   IRQ_HRTIMER  the one-shot timer armed for the earliest timer (services/time)
 *   IRQ_CHILD    child events: ptrace stops, exits (SIGCHLD)
 *   IRQ_IO       io_uring completions of service I/O
 *   IRQ_KICK     a service thread asked the tracer thread to run something
 *   IRQ_CONTROL  input on the control socket (persona ctl)
 *   IRQ_SHIM     a guest's request on a shim channel (--trap=shim, core/trap_shim.c)
 * They all arrive through the event loop's io_uring (core/evloop.c).
 *
 * Thread: irq_* run on the tracer thread; irq_count from any thread. */
#ifndef PERSONA_IRQ_H
#define PERSONA_IRQ_H
#include <stdint.h>

enum irq_nr { IRQ_TIMER, IRQ_HRTIMER, IRQ_CHILD, IRQ_IO, IRQ_KICK, IRQ_CONTROL, IRQ_SHIM, NR_IRQS };

extern unsigned irq_ncpus;		/* virtual CPUs (host CPUs until the scheduler) */
extern unsigned irq_hz;			/* tick rate */
extern volatile uint64_t jiffies;	/* ticks since start */

/* Enters interrupt context for `irq` on `cpu` and counts it. */
void irq_enter(unsigned cpu, enum irq_nr irq);
/* Leaves interrupt context and runs pending softirqs (do_softirq). */
void irq_exit(unsigned cpu);
unsigned long irq_count(unsigned cpu, enum irq_nr irq);
const char *irq_name(enum irq_nr irq);

/* Arms the one-shot high-resolution timer for absolute CLOCK_MONOTONIC time
 * `deadline_ns` (0 disarms): IRQ_HRTIMER fires then and raises TIMER_SOFTIRQ. */
void irq_hrtimer_arm(uint64_t deadline_ns);
/* Runs fn(arg) on the tracer thread soon (IRQ_KICK); callable from any thread. */
int irq_call_on_tracer(void (*fn)(void *), void *arg);
#endif
