/* services/deferred/tasklet.c - tasklets (kernel/softirq.c: tasklet_action_common and
 * friends). Per-CPU singly linked lists (tasklet_vec, tasklet_hi_vec), each under a
 * mutex held only to splice (Linux disables local interrupts instead). */
#include <pthread.h>
#include <sched.h>
#include <time.h>
#include "services/deferred/deferred_internal.h"
#include "services/deferred/softirq.h"
#include "services/deferred/tasklet.h"

#define TF_SCHED (1ul << TASKLET_STATE_SCHED)
#define TF_RUN   (1ul << TASKLET_STATE_RUN)

struct tasklet_head {
	pthread_mutex_t lock;
	struct tasklet_struct *head, *tail;
};

#define TASKLET_HEADS { [0 ... PERSONA_MAX_CPUS - 1] = { .lock = PTHREAD_MUTEX_INITIALIZER } }
static struct tasklet_head tasklet_vec[PERSONA_MAX_CPUS] = TASKLET_HEADS;
static struct tasklet_head tasklet_hi_vec[PERSONA_MAX_CPUS] = TASKLET_HEADS;

/* tasklet_init() */
void tasklet_init(struct tasklet_struct *t, void (*func)(unsigned long), unsigned long data)
{
	t->next = NULL;
	atomic_init(&t->state, 0);
	atomic_init(&t->count, 0);
	t->use_callback = false;
	t->func = func;
	t->data = data;
}

/* tasklet_setup() */
void tasklet_setup(struct tasklet_struct *t, void (*callback)(struct tasklet_struct *))
{
	tasklet_init(t, NULL, 0);
	t->use_callback = true;
	t->callback = callback;
}

static void tasklet_append(struct tasklet_head *h, struct tasklet_struct *t)
{
	pthread_mutex_lock(&h->lock);
	t->next = NULL;
	if (h->tail) h->tail->next = t;
	else h->head = t;
	h->tail = t;
	pthread_mutex_unlock(&h->lock);
}

/* __tasklet_schedule_common() */
static void tasklet_schedule_common(struct tasklet_struct *t, struct tasklet_head *vec,
				    enum softirq_nr nr)
{
	unsigned cpu = smp_processor_id();
	if (atomic_fetch_or(&t->state, TF_SCHED) & TF_SCHED) return;
	tasklet_append(&vec[cpu], t);
	DDBG(DEFERRED_DBG_SOFTIRQ, "tasklet: %p scheduled on cpu %u (%s)", (void *)t, cpu,
	     softirq_name(nr));
	raise_softirq(cpu, nr);
}

/* tasklet_schedule() */
void tasklet_schedule(struct tasklet_struct *t)
{
	tasklet_schedule_common(t, tasklet_vec, TASKLET_SOFTIRQ);
}

/* tasklet_hi_schedule() */
void tasklet_hi_schedule(struct tasklet_struct *t)
{
	tasklet_schedule_common(t, tasklet_hi_vec, HI_SOFTIRQ);
}

static bool tasklet_trylock(struct tasklet_struct *t)
{
	return !(atomic_fetch_or(&t->state, TF_RUN) & TF_RUN);
}

static void tasklet_unlock(struct tasklet_struct *t)
{
	atomic_fetch_and(&t->state, ~TF_RUN);
}

/* tasklet_clear_sched() + the call */
static void tasklet_run(struct tasklet_struct *t, unsigned cpu)
{
	if (!(atomic_fetch_and(&t->state, ~TF_SCHED) & TF_SCHED))
		log_bug("tasklet %p on cpu %u was queued without TASKLET_STATE_SCHED", (void *)t, cpu);
	DDBG(DEFERRED_DBG_SOFTIRQ, "tasklet: %p runs on cpu %u", (void *)t, cpu);
	if (t->use_callback) t->callback(t);
	else t->func(t->data);
	DCOUNT(tasklets_run);
}

/* tasklet_action_common(): runs the tasklets queued on `cpu`; one that runs elsewhere
 * or is disabled goes back on the list and the softirq is raised again. */
static void tasklet_action_common(unsigned cpu, struct tasklet_head *h, enum softirq_nr nr)
{
	struct tasklet_struct *list;

	pthread_mutex_lock(&h->lock);
	list = h->head;
	h->head = h->tail = NULL;
	pthread_mutex_unlock(&h->lock);

	while (list) {
		struct tasklet_struct *t = list;
		list = list->next;
		if (tasklet_trylock(t)) {
			if (!atomic_load(&t->count)) {
				tasklet_run(t, cpu);
				tasklet_unlock(t);
				continue;
			}
			tasklet_unlock(t);
		}
		DCOUNT(tasklets_requeued);
		tasklet_append(h, t);
		raise_softirq(cpu, nr);		/* __raise_softirq_irqoff() */
	}
}

void tasklet_action(unsigned cpu)
{
	tasklet_action_common(cpu, &tasklet_vec[cpu], TASKLET_SOFTIRQ);
}

void tasklet_hi_action(unsigned cpu)
{
	tasklet_action_common(cpu, &tasklet_hi_vec[cpu], HI_SOFTIRQ);
}

/* The wait of wait_var_event() on a tasklet's state: yield, then nap. */
static void tasklet_relax(unsigned *spins)
{
	struct timespec nap = { 0, 50000 };
	if ((*spins)++ < 100) sched_yield();
	else nanosleep(&nap, NULL);
}

/* tasklet_unlock_wait() */
void tasklet_unlock_wait(struct tasklet_struct *t)
{
	unsigned spins = 0;
	might_sleep();
	while (atomic_load(&t->state) & TF_RUN) tasklet_relax(&spins);
}

/* tasklet_disable_nosync() */
void tasklet_disable_nosync(struct tasklet_struct *t)
{
	atomic_fetch_add(&t->count, 1);
}

/* tasklet_disable() */
void tasklet_disable(struct tasklet_struct *t)
{
	tasklet_disable_nosync(t);
	tasklet_unlock_wait(t);
}

/* tasklet_enable() */
void tasklet_enable(struct tasklet_struct *t)
{
	if (atomic_fetch_sub(&t->count, 1) <= 0)
		log_bug("tasklet_enable(%p) of an enabled tasklet", (void *)t);
}

/* tasklet_kill() */
void tasklet_kill(struct tasklet_struct *t)
{
	unsigned spins = 0;
	might_sleep();
	while (atomic_fetch_or(&t->state, TF_SCHED) & TF_SCHED) tasklet_relax(&spins);
	tasklet_unlock_wait(t);
	atomic_fetch_and(&t->state, ~TF_SCHED);
}
