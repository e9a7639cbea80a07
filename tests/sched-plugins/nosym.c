/* tests/sched-plugins/nosym.c - must be rejected: a valid shared object that does not
 * export `persona_sched_plugin` (its ops table has another name and is static). */
#include <persona/sched.h>

static struct persona_sched_task *q;

static void nosym_enqueue(struct persona_sched *s, struct persona_sched_task *t, unsigned f) { q = t; }
static void nosym_dequeue(struct persona_sched *s, struct persona_sched_task *t, unsigned f) { q = 0; }
static struct persona_sched_task *nosym_pick(struct persona_sched *s, unsigned cpu)
{
	struct persona_sched_task *t = q;
	q = 0;
	return t;
}

__attribute__((used)) static const struct persona_sched_ops my_scheduler = {
	.abi_version = PERSONA_SCHED_ABI_VERSION,
	.name = "nosym",
	.policies = PERSONA_POLICY_BIT(PERSONA_SCHED_NORMAL),
	.enqueue = nosym_enqueue,
	.dequeue = nosym_dequeue,
	.pick_next = nosym_pick,
};
