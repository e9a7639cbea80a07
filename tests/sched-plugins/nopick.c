/* tests/sched-plugins/nopick.c - must be rejected: the required pick_next is NULL. */
#include <persona/sched.h>

static void enq(struct persona_sched *s, struct persona_sched_task *t, unsigned f) {}
static void deq(struct persona_sched *s, struct persona_sched_task *t, unsigned f) {}

const struct persona_sched_ops persona_sched_plugin = {
	.abi_version = PERSONA_SCHED_ABI_VERSION,
	.name = "nopick",
	.description = "forgets pick_next",
	.policies = PERSONA_POLICY_BIT(PERSONA_SCHED_NORMAL),
	.enqueue = enq,
	.dequeue = deq,
};
