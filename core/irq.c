/* core/irq.c - interrupt accounting, context and the tracer-thread call queue (see
 * irq.h). Counters are per virtual CPU and interrupt, read by /proc/interrupts. */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include "core/irq.h"
#include "core/log.h"
#include "services/deferred/softirq.h"

unsigned irq_ncpus = 1;
unsigned irq_hz = 250;
volatile uint64_t jiffies;

static unsigned long counts[PERSONA_MAX_CPUS][NR_IRQS];

static const char *names[NR_IRQS] = {
	[IRQ_TIMER] = "timer", [IRQ_HRTIMER] = "hrtimer", [IRQ_CHILD] = "child",
	[IRQ_IO] = "io_uring", [IRQ_KICK] = "kick", [IRQ_CONTROL] = "control", [IRQ_SHIM] = "shim",
};

const char *irq_name(enum irq_nr irq) { return irq < NR_IRQS ? names[irq] : "?"; }

void irq_enter(unsigned cpu, enum irq_nr irq)
{
	__atomic_add_fetch(&counts[cpu % PERSONA_MAX_CPUS][irq], 1, __ATOMIC_RELAXED);
	smp_set_processor_id(cpu);	/* softirqs raised by the top half run on this CPU */
	irq_context_enter();
	DBG(DBG_IRQ, "irq %s on cpu %u", names[irq], cpu);
}

void irq_exit(unsigned cpu)
{
	irq_context_exit();
	do_softirq(cpu);
}

unsigned long irq_count(unsigned cpu, enum irq_nr irq)
{
	return __atomic_load_n(&counts[cpu % PERSONA_MAX_CPUS][irq], __ATOMIC_RELAXED);
}

/* Calls queued for the tracer thread (IRQ_KICK). A small mutex-protected list: the
 * queue is short and kicks are rare compared with ptrace stops. */
struct call { void (*fn)(void *); void *arg; struct call *next; };
static pthread_mutex_t calls_lock = PTHREAD_MUTEX_INITIALIZER;
static struct call *calls_head, **calls_tail = &calls_head;
int irq_kick_fd = -1;	/* eventfd written by irq_call_on_tracer, read by the event loop */

int irq_call_on_tracer(void (*fn)(void *), void *arg)
{
	struct call *c = malloc(sizeof *c);
	uint64_t one = 1;
	if (!c) return -ENOMEM;
	c->fn = fn; c->arg = arg; c->next = NULL;
	pthread_mutex_lock(&calls_lock);
	*calls_tail = c;
	calls_tail = &c->next;
	pthread_mutex_unlock(&calls_lock);
	if (irq_kick_fd >= 0 && write(irq_kick_fd, &one, sizeof one) < 0) return -errno;
	return 0;
}

/* Runs the queued calls (tracer thread, IRQ_KICK's top half defers them here). */
void irq_run_calls(void)
{
	pthread_mutex_lock(&calls_lock);
	struct call *c = calls_head;
	calls_head = NULL;
	calls_tail = &calls_head;
	pthread_mutex_unlock(&calls_lock);
	while (c) {
		struct call *n = c->next;
		c->fn(c->arg);
		free(c);
		c = n;
	}
}
