/* tests/sched-plugins/garbage.c - loads fine but is wrong at run time: after a few
 * honest picks, pick_next answers with a task that is not queued (a task of its own
 * making, which the core has never seen). The core must notice, say so, and carry on
 * with the safe plugin (rr); the simulated-clock harness must flag it. Not installed. */
#include <persona/sched.h>

static struct persona_sched_task *next_of(const struct persona_sched_task *t)
{
	return (struct persona_sched_task *)(uintptr_t)t->data[0];
}

static void set_next(struct persona_sched_task *t, struct persona_sched_task *next)
{
	t->data[0] = (uintptr_t)next;
}
#define HONEST_PICKS 3

static struct persona_sched_task *head, *tail, bogus = { .tid = 999999, .comm = "bogus" };
static unsigned picks;

static void garbage_enqueue(struct persona_sched *s, struct persona_sched_task *t, unsigned flags)
{
	set_next(t, NULL);
	if (tail) set_next(tail, t);
	else head = t;
	tail = t;
}

static void garbage_dequeue(struct persona_sched *s, struct persona_sched_task *t, unsigned flags)
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

static struct persona_sched_task *garbage_pick_next(struct persona_sched *s, unsigned cpu)
{
	if (!head) return NULL;
	if (++picks > HONEST_PICKS) {
		bogus.cpus_allowed = ~0ull;
		return &bogus;		/* the bug: never enqueued */
	}
	for (struct persona_sched_task *t = head; t; t = next_of(t))
		if (t->cpus_allowed & (1ull << cpu)) {
			garbage_dequeue(s, t, 0);
			return t;
		}
	return NULL;
}

const struct persona_sched_ops persona_sched_plugin = {
	.abi_version = PERSONA_SCHED_ABI_VERSION,
	.name = "garbage",
	.description = "test plugin: pick_next returns a task that is not queued",
	.policies = PERSONA_POLICY_BIT(PERSONA_SCHED_NORMAL),
	.enqueue = garbage_enqueue,
	.dequeue = garbage_dequeue,
	.pick_next = garbage_pick_next,
};
