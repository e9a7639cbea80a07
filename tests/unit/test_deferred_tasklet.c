/* tests/unit/test_deferred_tasklet.c - services/deferred/tasklet: scheduling and
 * coalescing, HI before TASKLET, disable/enable, tasklet_kill, and the serialisation
 * stress test: threads acting as CPUs schedule the same tasklets thousands of times;
 * no tasklet ever runs concurrently with itself, every schedule is followed by a run
 * that started after it, and different tasklets do run concurrently. */
#include <check.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include "services/deferred/deferred.h"
#include "services/deferred/softirq.h"
#include "services/deferred/tasklet.h"
#include "tests/unit/deferred_test.h"
#include "tests/unit/unit.h"

static void teardown(void)
{
	deferred_shutdown();
}

static atomic_int runs_a, runs_b;
static atomic_ulong last_data;
static atomic_uint last_cpu;
static char order[8];
static atomic_int order_n;

static void func_a(unsigned long data)
{
	atomic_fetch_add(&runs_a, 1);
	atomic_store(&last_data, data);
	atomic_store(&last_cpu, smp_processor_id());
	order[atomic_fetch_add(&order_n, 1) % 8] = 'a';
}

static void callback_b(struct tasklet_struct *t)
{
	atomic_fetch_add(&runs_b, 1);
	order[atomic_fetch_add(&order_n, 1) % 8] = 'b';
}

/* Scheduling twice before it runs runs it once, on the scheduling thread's CPU, in
 * softirq context; HI_SOFTIRQ tasklets run before TASKLET_SOFTIRQ ones. */
START_TEST(tasklet_runs_once_per_schedule)
{
	struct tasklet_struct a;
	DECLARE_TASKLET(b, callback_b);
	softirq_init();
	tasklet_init(&a, func_a, 1234);
	smp_set_processor_id(2);
	tasklet_schedule(&a);
	tasklet_schedule(&a);
	tasklet_hi_schedule(&b);
	ck_assert_uint_eq(softirq_pending(2), (1u << HI_SOFTIRQ) | (1u << TASKLET_SOFTIRQ));
	do_softirq(0);
	ck_assert_int_eq(runs_a, 0);
	do_softirq(2);
	ck_assert_int_eq(runs_a, 1);
	ck_assert_int_eq(runs_b, 1);
	ck_assert_uint_eq(last_data, 1234);
	ck_assert_uint_eq(last_cpu, 2);
	ck_assert_int_eq(order[0], 'b');
	ck_assert_int_eq(order[1], 'a');
	ck_assert_uint_eq(atomic_load(&a.state), 0);
	ck_assert_uint_eq(softirq_count(2, TASKLET_SOFTIRQ), 1);
	ck_assert_uint_eq(softirq_count(2, HI_SOFTIRQ), 1);
	tasklet_schedule(&a);			/* again after it ran: runs again */
	do_softirq(2);
	ck_assert_int_eq(runs_a, 2);
	smp_set_processor_id(0);
}
END_TEST

/* A disabled tasklet stays queued (requeued each round) and runs once enabled. */
START_TEST(tasklet_disable_enable)
{
	struct tasklet_struct a;
	struct deferred_stats st;
	softirq_init();
	tasklet_init(&a, func_a, 0);
	tasklet_disable(&a);
	tasklet_schedule(&a);
	do_softirq(0);			/* rounds up to the restart limit, no ksoftirqd */
	ck_assert_int_eq(runs_a, 0);
	ck_assert(atomic_load(&a.state) & (1ul << TASKLET_STATE_SCHED));
	ck_assert_uint_ne(softirq_pending(0), 0);
	deferred_get_stats(&st);
	ck_assert_uint_ge(st.tasklets_requeued, 1);	/* once a round: */
	ck_assert_uint_le(st.tasklets_requeued, SOFTIRQ_MAX_RESTART);	/* or 2 ms */
	tasklet_disable_nosync(&a);
	tasklet_enable(&a);
	do_softirq(0);
	ck_assert_int_eq(runs_a, 0);
	tasklet_enable(&a);
	do_softirq(0);
	ck_assert_int_eq(runs_a, 1);
	ck_assert_uint_eq(softirq_pending(0), 0);
}
END_TEST

static atomic_int hold, in_func, held_runs, disable_returned;

static void holding_fn(unsigned long data)
{
	atomic_fetch_add(&held_runs, 1);
	atomic_store(&in_func, 1);
	while (atomic_load(&hold)) sched_yield();	/* a long tasklet, no sleeping */
	atomic_store(&in_func, 0);
}

static void *disabler(void *t)
{
	tasklet_disable(t);
	atomic_store(&disable_returned, 1);
	return NULL;
}

/* tasklet_disable waits for a running instance (here on ksoftirqd/0). */
START_TEST(tasklet_disable_waits_for_running)
{
	struct tasklet_struct t;
	pthread_t th;
	ck_assert_int_eq(deferred_init(1), 0);
	tasklet_init(&t, holding_fn, 0);
	atomic_store(&hold, 1);
	tasklet_schedule(&t);			/* process context: ksoftirqd/0 runs it */
	ck_assert(WAIT_UNTIL(in_func, 5000));
	pthread_create(&th, NULL, disabler, &t);
	msleep(20);
	ck_assert_int_eq(disable_returned, 0);
	atomic_store(&hold, 0);
	ck_assert(WAIT_UNTIL(disable_returned, 5000));
	pthread_join(th, NULL);
	ck_assert_int_eq(in_func, 0);
	tasklet_schedule(&t);
	msleep(20);
	ck_assert_int_eq(held_runs, 1);		/* disabled */
	tasklet_enable(&t);
	ck_assert(WAIT_UNTIL(held_runs == 2, 5000));
	tasklet_kill(&t);
}
END_TEST

static atomic_long self_runs;

static void self_rescheduling(struct tasklet_struct *t)
{
	atomic_fetch_add(&self_runs, 1);
	for (volatile int i = 0; i < 2000; i++) {}
	tasklet_schedule(t);
}

/* tasklet_kill stops even a tasklet that keeps rescheduling itself, and leaves it
 * neither scheduled nor running. */
START_TEST(tasklet_kill_self_rescheduling)
{
	struct tasklet_struct t;
	long frozen;
	ck_assert_int_eq(deferred_init(1), 0);
	tasklet_setup(&t, self_rescheduling);
	tasklet_schedule(&t);
	ck_assert(WAIT_UNTIL(self_runs > 50, 5000));
	tasklet_kill(&t);
	ck_assert_uint_eq(atomic_load(&t.state), 0);
	frozen = self_runs;
	msleep(20);
	ck_assert_int_eq(self_runs, frozen);
	tasklet_kill(&t);			/* idle: returns at once */
}
END_TEST

/* --- the stress test --- */

#define S_CPUS 4
#define S_TASKLETS 6
#define S_ITERS 4000

struct stress_tasklet {
	struct tasklet_struct t;
	atomic_int running;		/* instances running now: must stay <= 1 */
	atomic_long sched_seq;		/* schedules made */
	atomic_long seen_max;		/* highest sched_seq read by a run at its start */
	atomic_long runs;
	atomic_int violations;
};

static struct stress_tasklet stasks[S_TASKLETS];
static atomic_int any_running;		/* tasklets running now, all of them */
static atomic_long overlaps;		/* runs started while another tasklet ran */
static atomic_int cpus_done, wait_timeouts;

static void stress_fn(struct tasklet_struct *t)
{
	struct stress_tasklet *st = from_tasklet(st, t, t);
	long seen, max;
	if (atomic_fetch_add(&st->running, 1) != 0) atomic_fetch_add(&st->violations, 1);
	if (atomic_fetch_add(&any_running, 1) != 0) atomic_fetch_add(&overlaps, 1);
	seen = atomic_load(&st->sched_seq);	/* TASKLET_STATE_SCHED is clear by now */
	max = atomic_load(&st->seen_max);
	while (seen > max && !atomic_compare_exchange_weak(&st->seen_max, &max, seen)) {}
	for (volatile int i = 0; i < 300; i++) {}
	if (atomic_fetch_add(&st->runs, 1) % 4 == 0) sched_yield();	/* let others in */
	atomic_fetch_sub(&any_running, 1);
	atomic_fetch_sub(&st->running, 1);
}

/* Drives this CPU's softirqs until the run that follows schedule `s` has started. */
static void wait_seen(unsigned cpu, struct stress_tasklet *st, long s)
{
	uint64_t end = deferred_now_ns() + 5000000000ull;
	while (atomic_load(&st->seen_max) < s) {
		do_softirq(cpu);
		if (deferred_now_ns() > end) {
			atomic_fetch_add(&wait_timeouts, 1);
			return;
		}
		sched_yield();
	}
}

static void *stress_cpu(void *arg)
{
	unsigned cpu = (unsigned)(uintptr_t)arg;
	smp_set_processor_id(cpu);
	for (int i = 0; i < S_ITERS; i++) {
		struct stress_tasklet *st = &stasks[(i * 7 + cpu * 3) % S_TASKLETS];
		long s = atomic_fetch_add(&st->sched_seq, 1) + 1;
		if (i % 5 == 0) tasklet_hi_schedule(&st->t);
		else tasklet_schedule(&st->t);
		do_softirq(cpu);
		if (i % 64 == 63) wait_seen(cpu, st, s);
	}
	atomic_fetch_add(&cpus_done, 1);
	while (atomic_load(&cpus_done) < S_CPUS) {	/* others may wait on our lists */
		do_softirq(cpu);
		sched_yield();
	}
	return NULL;
}

static bool all_quiet(void)
{
	for (unsigned c = 0; c < S_CPUS; c++)
		if (softirq_pending(c)) return false;
	for (int i = 0; i < S_TASKLETS; i++)
		if (atomic_load(&stasks[i].t.state)) return false;
	return true;
}

static void run_stress(void)
{
	pthread_t th[S_CPUS];
	struct deferred_stats st;
	long scheduled = 0, ran = 0;

	for (int i = 0; i < S_TASKLETS; i++) tasklet_setup(&stasks[i].t, stress_fn);
	for (unsigned c = 0; c < S_CPUS; c++)
		pthread_create(&th[c], NULL, stress_cpu, (void *)(uintptr_t)c);
	for (unsigned c = 0; c < S_CPUS; c++) pthread_join(th[c], NULL);
	/* whatever is left over (requeued past the restart limit) */
	for (int round = 0; round < 100000 && !all_quiet(); round++) {
		for (unsigned c = 0; c < S_CPUS; c++) do_softirq(c);
		sched_yield();
	}
	ck_assert(all_quiet());
	ck_assert_int_eq(wait_timeouts, 0);
	for (int i = 0; i < S_TASKLETS; i++) {
		struct stress_tasklet *t = &stasks[i];
		ck_assert_int_eq(t->violations, 0);
		ck_assert_int_eq(t->seen_max, t->sched_seq);	/* the last schedule ran */
		ck_assert_int_ge(t->runs, 1);
		ck_assert_int_le(t->runs, t->sched_seq);
		scheduled += t->sched_seq;
		ran += t->runs;
	}
	ck_assert_int_eq(scheduled, S_CPUS * S_ITERS);
	ck_assert_int_gt(overlaps, 0);
	deferred_get_stats(&st);
	ck_assert_uint_eq(st.tasklets_run, (unsigned long)ran);
	ck_assert_uint_gt(st.tasklets_requeued, 0);	/* found running elsewhere */
}

/* CPU threads only (no ksoftirqd: what passes the restart limit waits for the
 * thread's next do_softirq). */
START_TEST(tasklet_stress)
{
	softirq_init();
	run_stress();
}
END_TEST

/* The same with ksoftirqd/N competing for each CPU's softirqs. */
START_TEST(tasklet_stress_with_ksoftirqd)
{
	ck_assert_int_eq(deferred_init(S_CPUS), 0);
	run_stress();
}
END_TEST

Suite *deferred_tasklet_suite(void)
{
	Suite *s = suite_create("deferred_tasklet");
	TCase *tc = tcase_create("tasklet");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, tasklet_runs_once_per_schedule);
	tcase_add_test(tc, tasklet_disable_enable);
	tcase_add_test(tc, tasklet_disable_waits_for_running);
	tcase_add_test(tc, tasklet_kill_self_rescheduling);
	tcase_add_test(tc, tasklet_stress);
	tcase_add_test(tc, tasklet_stress_with_ksoftirqd);
	suite_add_tcase(s, tc);
	return s;
}
