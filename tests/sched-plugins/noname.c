/* tests/sched-plugins/noname.c - must be rejected: an empty name (`--sched NAME` and
 * the logs could not name it). */
#include <persona/sched.h>

static void enq(struct persona_sched *s, struct persona_sched_task *t, unsigned f) {}
static void deq(struct persona_sched *s, struct persona_sched_task *t, unsigned f) {}
static struct persona_sched_task *pick(struct persona_sched *s, unsigned cpu) { return 0; }

const struct persona_sched_ops persona_sched_plugin = {
	.abi_version = PERSONA_SCHED_ABI_VERSION,
	.name = "",
	.description = "has an empty name",
	.policies = PERSONA_POLICY_BIT(PERSONA_SCHED_NORMAL),
	.enqueue = enq,
	.dequeue = deq,
	.pick_next = pick,
};
