/* services/deferred/softirq.c - softirqs and interrupt context (kernel/softirq.c).
 *
 * Per-CPU state is in arrays indexed by virtual CPU: the pending mask (Linux's
 * irq_stat[cpu].__softirq_pending), the per-softirq counters (kstat softirqs), and a
 * "serving" flag that lets one thread at a time run a CPU's softirqs (in Linux only
 * that CPU can). The execution context (Linux's preempt_count: hardirq and softirq
 * nesting) is thread-local. */
#include <stdatomic.h>
#include <stdint.h>
#include "services/deferred/deferred_internal.h"
#include "services/deferred/softirq.h"
#include "services/deferred/tasklet.h"
#include "services/deferred/wait.h"

static _Atomic(softirq_action_fn) softirq_vec[NR_SOFTIRQS];
static atomic_uint softirq_pending_mask[PERSONA_MAX_CPUS];
static atomic_int softirq_serving[PERSONA_MAX_CPUS];	/* a thread runs them now */
static atomic_ulong softirq_stat[PERSONA_MAX_CPUS][NR_SOFTIRQS];
static atomic_ulong softirq_handoffs[PERSONA_MAX_CPUS];

static __thread unsigned hardirq_nest, softirq_nest;	/* preempt_count */
static __thread unsigned this_cpu;			/* smp_processor_id */
static __thread int serving_cpu = -1;			/* CPU whose softirqs we run */

static const char *const softirq_names[NR_SOFTIRQS] = {
	[HI_SOFTIRQ] = "HI", [TIMER_SOFTIRQ] = "TIMER", [BLOCK_SOFTIRQ] = "BLOCK",
	[SCHED_SOFTIRQ] = "SCHED", [TASKLET_SOFTIRQ] = "TASKLET",
};

static void check_cpu(unsigned cpu, const char *what)
{
	if (cpu >= PERSONA_MAX_CPUS)
		log_bug("%s: cpu %u out of range (max %d)", what, cpu, PERSONA_MAX_CPUS);
}

static void check_nr(enum softirq_nr nr, const char *what)
{
	if ((unsigned)nr >= NR_SOFTIRQS) log_bug("%s: bad softirq %d", what, (int)nr);
}

const char *softirq_name(enum softirq_nr nr)
{
	return (unsigned)nr < NR_SOFTIRQS ? softirq_names[nr] : "?";
}

/* open_softirq() */
void open_softirq(enum softirq_nr nr, softirq_action_fn fn)
{
	check_nr(nr, "open_softirq");
	atomic_store(&softirq_vec[nr], fn);
}

/* softirq_init(): the tasklet softirqs */
void softirq_init(void)
{
	open_softirq(TASKLET_SOFTIRQ, tasklet_action);
	open_softirq(HI_SOFTIRQ, tasklet_hi_action);
}

/* --- execution context (include/linux/preempt.h) --- */

bool in_irq(void) { return hardirq_nest > 0; }
bool in_softirq(void) { return softirq_nest > 0; }
bool in_interrupt(void) { return hardirq_nest > 0 || softirq_nest > 0; }
void irq_context_enter(void) { hardirq_nest++; }	/* __irq_enter() */

void irq_context_exit(void)				/* __irq_exit() */
{
	if (!hardirq_nest) log_bug("irq_context_exit outside hard irq context");
	hardirq_nest--;
}

void softirq_context_enter(void) { softirq_nest++; }
void softirq_context_exit(void) { softirq_nest--; }
unsigned smp_processor_id(void) { return this_cpu; }

void smp_set_processor_id(unsigned cpu)
{
	check_cpu(cpu, "smp_set_processor_id");
	this_cpu = cpu;
}

/* __might_sleep() */
void might_sleep_at(const char *file, int line)
{
#ifndef NDEBUG
	struct kthread *k;
	if (!in_interrupt()) return;
	k = kthread_current();
	log_bug("sleeping function called from invalid context at %s:%d: in_irq %u, "
		"in_softirq %u, thread %s (tid %d)", file, line, hardirq_nest, softirq_nest,
		k ? kthread_comm(k) : "(not a kthread)", k ? (int)kthread_tid(k) : -1);
#else
	(void)file; (void)line;
#endif
}

/* --- raising --- */

/* raise_softirq() / raise_softirq_irqoff(): if we are not in an interrupt that will
 * run this CPU's softirqs on its way out, ksoftirqd/cpu must. */
void raise_softirq(unsigned cpu, enum softirq_nr nr)
{
	check_cpu(cpu, "raise_softirq");
	check_nr(nr, "raise_softirq");
	atomic_fetch_or(&softirq_pending_mask[cpu], 1u << nr);
	DDBG(DEFERRED_DBG_SOFTIRQ, "softirq: raise %s on cpu %u", softirq_names[nr], cpu);
	if (softirq_nest && serving_cpu == (int)cpu) return;
	if (hardirq_nest && this_cpu == cpu) return;
	wakeup_softirqd(cpu);
}

unsigned softirq_pending(unsigned cpu)
{
	check_cpu(cpu, "softirq_pending");
	return atomic_load(&softirq_pending_mask[cpu]);
}

unsigned long softirq_count(unsigned cpu, enum softirq_nr nr)
{
	if (cpu >= PERSONA_MAX_CPUS || (unsigned)nr >= NR_SOFTIRQS) return 0;
	return atomic_load_explicit(&softirq_stat[cpu][nr], memory_order_relaxed);
}

unsigned long softirq_handoff_count(unsigned cpu)
{
	if (cpu >= PERSONA_MAX_CPUS) return 0;
	return atomic_load_explicit(&softirq_handoffs[cpu], memory_order_relaxed);
}

void softirq_counters_reset(void)
{
	for (unsigned c = 0; c < PERSONA_MAX_CPUS; c++) {
		for (unsigned n = 0; n < NR_SOFTIRQS; n++) atomic_store(&softirq_stat[c][n], 0);
		atomic_store(&softirq_handoffs[c], 0);
	}
}

/* --- running --- */

/* One round of __do_softirq: the handlers of the bits in `pending`, lowest first. */
static void softirq_run_round(unsigned cpu, unsigned pending)
{
	while (pending) {
		unsigned nr = (unsigned)__builtin_ctz(pending);
		softirq_action_fn h = atomic_load(&softirq_vec[nr]);
		unsigned hard = hardirq_nest, soft = softirq_nest;
		pending &= pending - 1;
		if (!h) {
			DDBG(DEFERRED_DBG_SOFTIRQ, "softirq: %s on cpu %u has no handler: dropped",
			     softirq_names[nr], cpu);
			continue;
		}
		atomic_fetch_add_explicit(&softirq_stat[cpu][nr], 1, memory_order_relaxed);
		DDBG(DEFERRED_DBG_SOFTIRQ, "softirq: run %s on cpu %u", softirq_names[nr], cpu);
		h(cpu);
		if (hard != hardirq_nest || soft != softirq_nest)
			log_bug("softirq %s returned with context %u/%u, entered with %u/%u",
				softirq_names[nr], hardirq_nest, softirq_nest, hard, soft);
	}
}

static void softirq_handoff(unsigned cpu)
{
	atomic_fetch_add_explicit(&softirq_handoffs[cpu], 1, memory_order_relaxed);
	DCOUNT(softirq_handoffs);
	DDBG(DEFERRED_DBG_SOFTIRQ, "softirq: cpu %u restart limit: handing over to ksoftirqd/%u",
	     cpu, cpu);
	wakeup_softirqd(cpu);
}

/* __do_softirq(): rounds until nothing is pending, at most SOFTIRQ_MAX_RESTART rounds
 * and SOFTIRQ_MAX_NS. The caller serves `cpu`. True if work is left for ksoftirqd. */
static bool __do_softirq(unsigned cpu)
{
	uint64_t end = deferred_now_ns() + SOFTIRQ_MAX_NS;
	unsigned saved_cpu = this_cpu, pending;
	int saved_serving = serving_cpu, restart = SOFTIRQ_MAX_RESTART;
	bool handed = false;

	softirq_nest++;
	this_cpu = cpu;
	serving_cpu = (int)cpu;
	while ((pending = atomic_exchange(&softirq_pending_mask[cpu], 0)) != 0) {
		softirq_run_round(cpu, pending);
		if (!atomic_load(&softirq_pending_mask[cpu])) break;
		if (deferred_now_ns() >= end || --restart == 0) {
			handed = true;		/* wakeup_softirqd once we let go */
			break;
		}
	}
	serving_cpu = saved_serving;
	this_cpu = saved_cpu;
	softirq_nest--;
	return handed;
}

/* Runs cpu's softirqs unless another thread is; after letting go, looks again so
 * that nothing raised meanwhile is stranded (a thread that found us BUSY relies on
 * it), or wakes ksoftirqd if the restart limit was reached: after letting go, so that
 * ksoftirqd does not find the CPU busy and go back to sleep. */
enum softirq_run softirq_run_cpu(unsigned cpu)
{
	check_cpu(cpu, "do_softirq");
	if (in_interrupt()) return SOFTIRQ_BUSY;
	while (atomic_load(&softirq_pending_mask[cpu])) {
		int expected = 0;
		bool handed;
		if (!atomic_compare_exchange_strong(&softirq_serving[cpu], &expected, 1))
			return SOFTIRQ_BUSY;
		handed = __do_softirq(cpu);
		atomic_store(&softirq_serving[cpu], 0);
		if (handed) {
			softirq_handoff(cpu);
			return SOFTIRQ_HANDED_OFF;
		}
	}
	return SOFTIRQ_DONE;
}

/* do_softirq() */
void do_softirq(unsigned cpu)
{
	(void)softirq_run_cpu(cpu);
}
