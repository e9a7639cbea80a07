/* tests/sched-plugins/minimal.c - the smallest valid scheduler plugin, and the example
 * of docs/sched-plugins.md: one global FIFO run queue shared by every virtual CPU,
 * and only the three required callbacks. Everything else takes the core's defaults:
 * a task that used up PERSONA_SCHED_DEFAULT_SLICE_NS is preempted at a tick and
 * put_prev queues it again at the tail (enqueue with flags 0), which makes this a
 * round-robin scheduler; only SCHED_NORMAL is accepted.
 *
 *   cc -shared -fPIC $(pkg-config --cflags persona-sched) -o minimal.so minimal.c
 *   persona run --sched ./minimal.so -- PROGRAM */
#include <persona/sched.h>

/* A queued task's link lives in its scratch words: no allocation, no task_init. */
static struct persona_sched_task *next_of(const struct persona_sched_task *t)
{
	return (struct persona_sched_task *)(uintptr_t)t->data[0];
}

static void set_next(struct persona_sched_task *t, struct persona_sched_task *next)
{
	t->data[0] = (uintptr_t)next;
}

static struct persona_sched_task *head, *tail;	/* one instance at a time */

/* off -> queued: append at the tail */
static void minimal_enqueue(struct persona_sched *s, struct persona_sched_task *t, unsigned flags)
{
	set_next(t, NULL);
	if (tail) set_next(tail, t);
	else head = t;
	tail = t;
}

/* queued -> off: unlink t wherever it is */
static void minimal_dequeue(struct persona_sched *s, struct persona_sched_task *t, unsigned flags)
{
	struct persona_sched_task *prev = NULL, *q = head;
	while (q && q != t) {
		prev = q;
		q = next_of(q);
	}
	if (!q) return;		/* not queued here */
	if (prev) set_next(prev, next_of(t));
	else head = next_of(t);
	if (tail == t) tail = prev;
}

/* queued -> running: the first task allowed on `cpu`, removed from the queue */
static struct persona_sched_task *minimal_pick_next(struct persona_sched *s, unsigned cpu)
{
	for (struct persona_sched_task *t = head; t; t = next_of(t))
		if (t->cpus_allowed & (1ull << cpu)) {
			minimal_dequeue(s, t, 0);
			return t;
		}
	return NULL;	/* nothing for this CPU: it idles */
}

const struct persona_sched_ops persona_sched_plugin = {
	.abi_version = PERSONA_SCHED_ABI_VERSION,
	.name = "minimal",
	.description = "one global FIFO queue, default slice: the tutorial's plugin",
	.policies = PERSONA_POLICY_BIT(PERSONA_SCHED_NORMAL),
	.enqueue = minimal_enqueue,
	.dequeue = minimal_dequeue,
	.pick_next = minimal_pick_next,
};
