/* tests/unit/test_deferred.c - services/deferred: softirqs (raising, running, the
 * restart limit handing work to ksoftirqd), interrupt context and might_sleep,
 * kthreads (kthreadd as parent, names, hooks, stop, park, states), completions,
 * start-up/shutdown and debug logging. Tasklets: test_deferred_tasklet.c;
 * workqueues: test_deferred_wq.c. */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "services/deferred/deferred.h"
#include "services/deferred/kthread.h"
#include "services/deferred/softirq.h"
#include "services/deferred/wait.h"
#include "tests/unit/deferred_test.h"
#include "tests/unit/unit.h"

static void teardown(void)
{
	deferred_debug = 0;
	deferred_shutdown();
	open_softirq(SCHED_SOFTIRQ, NULL);
	open_softirq(BLOCK_SOFTIRQ, NULL);
	kthread_set_hooks(NULL, NULL);
	deferred_debug = 0;
}

/* --- softirqs --- */

START_TEST(softirq_names)
{
	ck_assert_str_eq(softirq_name(HI_SOFTIRQ), "HI");
	ck_assert_str_eq(softirq_name(TIMER_SOFTIRQ), "TIMER");
	ck_assert_str_eq(softirq_name(BLOCK_SOFTIRQ), "BLOCK");
	ck_assert_str_eq(softirq_name(SCHED_SOFTIRQ), "SCHED");
	ck_assert_str_eq(softirq_name(TASKLET_SOFTIRQ), "TASKLET");
	ck_assert_str_eq(softirq_name(NR_SOFTIRQS), "?");
}
END_TEST

static atomic_int sched_runs;
static atomic_uint sched_cpu;
static atomic_int sched_ctx_ok;

static void sched_handler(unsigned cpu)
{
	atomic_fetch_add(&sched_runs, 1);
	atomic_store(&sched_cpu, cpu);
	atomic_store(&sched_ctx_ok, in_softirq() && !in_irq() && in_interrupt() &&
		     smp_processor_id() == cpu);
}

/* Raised outside any interrupt before deferred_init (no ksoftirqd): stays pending
 * until do_softirq of that CPU, which runs it once in softirq context. */
START_TEST(softirq_raise_and_run)
{
	open_softirq(SCHED_SOFTIRQ, sched_handler);
	raise_softirq(1, SCHED_SOFTIRQ);
	raise_softirq(1, SCHED_SOFTIRQ);
	ck_assert_uint_eq(softirq_pending(1), 1u << SCHED_SOFTIRQ);
	ck_assert_uint_eq(softirq_pending(0), 0);
	do_softirq(0);
	ck_assert_int_eq(sched_runs, 0);
	do_softirq(1);
	ck_assert_int_eq(sched_runs, 1);
	ck_assert_uint_eq(sched_cpu, 1);
	ck_assert(sched_ctx_ok);
	ck_assert_uint_eq(softirq_pending(1), 0);
	ck_assert_uint_eq(softirq_count(1, SCHED_SOFTIRQ), 1);
	ck_assert_uint_eq(softirq_count(0, SCHED_SOFTIRQ), 0);
	ck_assert(!in_interrupt());
	ck_assert_uint_eq(smp_processor_id(), 0);	/* restored */
	/* a raised softirq without a handler is dropped */
	raise_softirq(1, BLOCK_SOFTIRQ);
	do_softirq(1);
	ck_assert_uint_eq(softirq_pending(1), 0);
	ck_assert_uint_eq(softirq_count(1, BLOCK_SOFTIRQ), 0);
}
END_TEST

/* do_softirq in interrupt context does nothing (irq_exit runs it after leaving). */
START_TEST(softirq_not_in_interrupt)
{
	open_softirq(SCHED_SOFTIRQ, sched_handler);
	irq_context_enter();
	ck_assert(in_irq());
	ck_assert(in_interrupt());
	ck_assert(!in_softirq());
	irq_context_enter();			/* nests */
	raise_softirq(0, SCHED_SOFTIRQ);
	do_softirq(0);
	irq_context_exit();
	ck_assert(in_irq());
	do_softirq(0);
	ck_assert_int_eq(sched_runs, 0);
	irq_context_exit();
	ck_assert(!in_interrupt());
	do_softirq(0);
	ck_assert_int_eq(sched_runs, 1);
}
END_TEST

static void unbalanced_exit(void) { irq_context_exit(); }

START_TEST(irq_context_exit_unbalanced_aborts)
{
	char err[1024];
	int st = run_in_child(unbalanced_exit, err, sizeof err);
	ck_assert(WIFSIGNALED(st));
	ck_assert_int_eq(WTERMSIG(st), SIGABRT);
	ck_assert_ptr_nonnull(strstr(err, "irq_context_exit outside hard irq context"));
}
END_TEST

static void sleeping_handler(unsigned cpu) { might_sleep(); }

static void sleep_in_softirq(void)
{
	open_softirq(SCHED_SOFTIRQ, sleeping_handler);
	raise_softirq(0, SCHED_SOFTIRQ);
	do_softirq(0);
}

static void sleep_in_hardirq(void)
{
	irq_context_enter();
	might_sleep();
}

static void complete_wait_in_softirq(unsigned cpu)
{
	struct completion c;
	init_completion(&c);
	complete(&c);
	wait_for_completion(&c);	/* would not block, still forbidden */
}

static void wait_in_softirq(void)
{
	open_softirq(SCHED_SOFTIRQ, complete_wait_in_softirq);
	raise_softirq(0, SCHED_SOFTIRQ);
	do_softirq(0);
}

/* might_sleep in softirq or hard irq context aborts with a clear message (debug
 * builds); in process context it does nothing. */
START_TEST(might_sleep_aborts_in_interrupt)
{
#ifndef NDEBUG
	char err[1024];
	int st = run_in_child(sleep_in_softirq, err, sizeof err);
	ck_assert(WIFSIGNALED(st));
	ck_assert_int_eq(WTERMSIG(st), SIGABRT);
	ck_assert_ptr_nonnull(strstr(err, "persona: BUG: sleeping function called from "
				      "invalid context at tests/unit/test_deferred.c:"));
	ck_assert_ptr_nonnull(strstr(err, "in_softirq 1"));

	st = run_in_child(sleep_in_hardirq, err, sizeof err);
	ck_assert(WIFSIGNALED(st));
	ck_assert_int_eq(WTERMSIG(st), SIGABRT);
	ck_assert_ptr_nonnull(strstr(err, "in_irq 1"));

	st = run_in_child(wait_in_softirq, err, sizeof err);
	ck_assert(WIFSIGNALED(st));
	ck_assert_int_eq(WTERMSIG(st), SIGABRT);
	ck_assert_ptr_nonnull(strstr(err, "services/deferred/wait.c"));
#endif
	might_sleep();			/* process context: fine */
}
END_TEST

#define RESTART_TOTAL 200
static atomic_int restart_runs, restart_on_caller, restart_on_ksoftirqd, restart_bad;
static pid_t caller_tid;

static void restart_handler(unsigned cpu)
{
	struct kthread *k = kthread_current();
	if (gettid() == caller_tid) atomic_fetch_add(&restart_on_caller, 1);
	else if (k && !strcmp(kthread_comm(k), "ksoftirqd/0")) atomic_fetch_add(&restart_on_ksoftirqd, 1);
	else atomic_fetch_add(&restart_bad, 1);
	if (!in_softirq() || cpu != 0) atomic_fetch_add(&restart_bad, 1);
	if (atomic_fetch_add(&restart_runs, 1) + 1 < RESTART_TOTAL)
		raise_softirq(0, SCHED_SOFTIRQ);	/* keeps re-raising itself */
}

/* A softirq that keeps re-raising itself: do_softirq runs SOFTIRQ_MAX_RESTART rounds
 * (fewer if SOFTIRQ_MAX_NS passes first), then ksoftirqd/0 does the rest. */
START_TEST(softirq_restart_limit_hands_to_ksoftirqd)
{
	int on_caller;
	ck_assert_int_eq(deferred_init(2), 0);
	caller_tid = gettid();
	open_softirq(SCHED_SOFTIRQ, restart_handler);
	irq_context_enter();		/* raised by a top half: no ksoftirqd wake-up */
	raise_softirq(0, SCHED_SOFTIRQ);
	irq_context_exit();
	do_softirq(0);			/* irq_exit */
	on_caller = restart_on_caller;
	ck_assert_int_ge(on_caller, 1);
	ck_assert_int_le(on_caller, SOFTIRQ_MAX_RESTART);
	ck_assert_uint_ge(softirq_handoff_count(0), 1);
	ck_assert(WAIT_UNTIL(restart_runs == RESTART_TOTAL, 5000));
	ck_assert_int_eq(restart_on_caller, on_caller);
	ck_assert_int_eq(restart_on_ksoftirqd, RESTART_TOTAL - on_caller);
	ck_assert_int_eq(restart_bad, 0);
	ck_assert_uint_eq(softirq_count(0, SCHED_SOFTIRQ), RESTART_TOTAL);
	ck_assert_uint_eq(softirq_count(1, SCHED_SOFTIRQ), 0);
	struct deferred_stats st;
	deferred_get_stats(&st);
	ck_assert_uint_ge(st.softirq_handoffs, 1);
}
END_TEST

static char ran_on[KTHREAD_COMM_LEN];
static atomic_int ran_on_set;

static void record_thread(unsigned cpu)
{
	struct kthread *k = kthread_current();
	snprintf(ran_on, sizeof ran_on, "%s", k ? kthread_comm(k) : "?");
	atomic_store(&ran_on_set, 1);
}

/* Raised outside interrupt context (or for another CPU): ksoftirqd/N runs it. */
START_TEST(softirq_raise_wakes_ksoftirqd)
{
	ck_assert_int_eq(deferred_init(2), 0);
	open_softirq(SCHED_SOFTIRQ, record_thread);
	raise_softirq(1, SCHED_SOFTIRQ);
	ck_assert(WAIT_UNTIL(ran_on_set, 5000));
	ck_assert_str_eq(ran_on, "ksoftirqd/1");
	/* from a top half of CPU 0, for CPU 1: not ours to run at irq_exit */
	atomic_store(&ran_on_set, 0);
	irq_context_enter();
	raise_softirq(1, SCHED_SOFTIRQ);
	irq_context_exit();
	ck_assert(WAIT_UNTIL(ran_on_set, 5000));
	ck_assert_str_eq(ran_on, "ksoftirqd/1");
	ck_assert_uint_eq(softirq_count(1, SCHED_SOFTIRQ), 2);
}
END_TEST

/* --- kthreads --- */

struct names { char list[64][KTHREAD_COMM_LEN]; int n; int bad_parent; pid_t tids[64]; };

static int collect(struct kthread *k, void *arg)
{
	struct names *nm = arg;
	struct kthread *kd = kthreadd_task();
	if (nm->n == 64) return 1;
	snprintf(nm->list[nm->n], KTHREAD_COMM_LEN, "%s", kthread_comm(k));
	nm->tids[nm->n++] = kthread_tid(k);
	if (k == kd ? kthread_parent(k) != NULL : kthread_parent(k) != kd) nm->bad_parent++;
	return 0;
}

static bool has_name(struct names *nm, const char *name)
{
	for (int i = 0; i < nm->n; i++)
		if (!strcmp(nm->list[i], name)) return true;
	return false;
}

static void host_comm(pid_t tid, char *buf, size_t len)
{
	char path[64];
	FILE *f;
	snprintf(path, sizeof path, "/proc/self/task/%d/comm", (int)tid);
	f = fopen(path, "r");
	buf[0] = 0;
	if (!f) return;
	if (fgets(buf, (int)len, f)) buf[strcspn(buf, "\n")] = 0;
	fclose(f);
}

/* deferred_init(2): kthreadd first, every other kthread its child, Linux's names,
 * real host tids named as the kthread in /proc/self/task/TID/comm. */
START_TEST(kthread_names_and_parent)
{
	struct names nm = { .n = 0 };
	char comm[32];
	ck_assert_int_eq(deferred_init(2), 0);
	kthread_for_each(collect, &nm);
	ck_assert_str_eq(nm.list[0], "kthreadd");
	ck_assert(has_name(&nm, "ksoftirqd/0"));
	ck_assert(has_name(&nm, "ksoftirqd/1"));
	ck_assert(has_name(&nm, "kworker/0:0"));
	ck_assert(has_name(&nm, "kworker/0:0H"));
	ck_assert(has_name(&nm, "kworker/1:0"));
	ck_assert(has_name(&nm, "kworker/1:0H"));
	ck_assert(has_name(&nm, "kworker/u4:0"));	/* pools 0-3 are per-CPU */
	ck_assert_int_eq(nm.n, 8);
	ck_assert_int_eq(nm.bad_parent, 0);
	for (int i = 0; i < nm.n; i++) {
		ck_assert_int_gt(nm.tids[i], 0);
		ck_assert_int_ne(nm.tids[i], gettid());
		host_comm(nm.tids[i], comm, sizeof comm);
		ck_assert_str_eq(comm, nm.list[i]);
	}
	ck_assert_ptr_null(kthread_parent(kthreadd_task()));
	ck_assert_int_eq(kthread_cpu(kthreadd_task()), -1);
	struct deferred_stats st;
	deferred_get_stats(&st);
	ck_assert_uint_eq(st.kthreads_created, 8);
	ck_assert_uint_eq(st.kthreads_alive, 8);
	ck_assert_uint_eq(st.workers_created, 5);
	deferred_shutdown();
	deferred_get_stats(&st);
	ck_assert_uint_eq(st.kthreads_alive, 0);
	ck_assert_ptr_null(kthreadd_task());
}
END_TEST

static atomic_int hook_created_n, hook_exited_n, hook_bad;
static pid_t test_tid;

static void on_created(struct kthread *k)
{
	atomic_fetch_add(&hook_created_n, 1);
	if (gettid() != test_tid || kthread_tid(k) <= 0 || kthread_tid(k) == gettid())
		atomic_fetch_add(&hook_bad, 1);
}

static void on_exited(struct kthread *k)
{
	atomic_fetch_add(&hook_exited_n, 1);
	if (gettid() != kthread_tid(k) || kthread_state(k) != KTHREAD_DEAD)
		atomic_fetch_add(&hook_bad, 1);
}

static atomic_int worker_started, worker_cpu_ok;

static int sleeper_fn(void *data)
{
	atomic_store(&worker_started, 1);
	atomic_store(&worker_cpu_ok, smp_processor_id() == 1 && kthread_cpu(kthread_current()) == 1);
	while (!kthread_should_stop()) kthread_sleep();
	return (int)(intptr_t)data;
}

/* kthread_create: asleep ('D') until woken, hook on the creating thread; the thread
 * sleeps in kthread_sleep ('S'); kthread_stop joins it and returns its result; the
 * exited hook runs on the kthread itself. */
START_TEST(kthread_create_run_stop)
{
	struct kthread *k;
	test_tid = gettid();
	kthread_set_hooks(on_created, on_exited);
	ck_assert_int_eq(deferred_init(1), 0);
	/* kthreadd, ksoftirqd/0, kworker/0:0, 0:0H, u2:0 (the delayed-work timer is not
	 * a kthread) */
	ck_assert_int_eq(hook_created_n, 5);
	hook_created_n = 0;
	k = kthread_create_on_cpu(sleeper_fn, (void *)(intptr_t)42, 1, "kswapd%u");
	ck_assert_ptr_nonnull(k);
	ck_assert_str_eq(kthread_comm(k), "kswapd1");
	ck_assert_int_eq(hook_created_n, 1);
	ck_assert_int_eq(kthread_state(k), KTHREAD_NEW);
	ck_assert_int_eq(kthread_state_char(k), 'D');
	msleep(20);
	ck_assert_int_eq(worker_started, 0);		/* not before wake_up_process */
	ck_assert(wake_up_process(k));
	ck_assert(WAIT_UNTIL(kthread_state(k) == KTHREAD_SLEEPING, 5000));
	ck_assert_int_eq(kthread_state_char(k), 'S');
	ck_assert(worker_started);
	ck_assert(worker_cpu_ok);
	ck_assert_ptr_eq(kthread_data(k), (void *)(intptr_t)42);
	ck_assert_int_eq(kthread_stop(k), 42);
	ck_assert_int_eq(hook_exited_n, 1);
	ck_assert_int_eq(hook_bad, 0);
	deferred_shutdown();
	ck_assert_int_eq(hook_exited_n, 6);
	ck_assert_int_eq(hook_bad, 0);
}
END_TEST

static atomic_int never_ran;
static int never_fn(void *data) { atomic_store(&never_ran, 1); return 0; }

START_TEST(kthread_stop_before_wake)
{
	struct kthread *k;
	ck_assert_int_eq(deferred_init(1), 0);
	k = kthread_create(never_fn, NULL, "kthread-%s-%d", "test", 7);
	ck_assert_ptr_nonnull(k);
	ck_assert_str_eq(kthread_comm(k), "kthread-test-7");
	ck_assert_int_eq(kthread_stop(k), -EINTR);
	ck_assert_int_eq(never_ran, 0);
}
END_TEST

START_TEST(kthread_name_truncated)
{
	struct kthread *k;
	ck_assert_int_eq(deferred_init(1), 0);
	k = kthread_create(never_fn, NULL, "a-very-long-kthread-name");
	ck_assert_ptr_nonnull(k);
	ck_assert_str_eq(kthread_comm(k), "a-very-long-kth");	/* TASK_COMM_LEN - 1 */
	kthread_stop(k);
}
END_TEST

START_TEST(kthread_create_needs_kthreadd)
{
	errno = 0;
	ck_assert_ptr_null(kthread_create(never_fn, NULL, "orphan"));
	ck_assert_int_eq(errno, ESRCH);
	ck_assert_ptr_null(kthreadd_task());
	ck_assert_ptr_null(kthread_current());
	ck_assert(!kthread_should_stop());
}
END_TEST

/* A kthread whose function returns on its own is DEAD ('X') until kthread_stop
 * reaps it; deferred_shutdown reaps one nobody stopped. */
START_TEST(kthread_returns_by_itself)
{
	struct kthread *k;
	ck_assert_int_eq(deferred_init(1), 0);
	k = kthread_run(never_fn, NULL, "oneshot");
	ck_assert_ptr_nonnull(k);
	ck_assert(WAIT_UNTIL(kthread_state(k) == KTHREAD_DEAD, 5000));
	ck_assert_int_eq(kthread_state_char(k), 'X');
	ck_assert_int_eq(kthread_stop(k), 0);
	k = kthread_run(never_fn, NULL, "forgotten");
	ck_assert_ptr_nonnull(k);
	deferred_shutdown();
	struct deferred_stats st;
	deferred_get_stats(&st);
	ck_assert_uint_eq(st.kthreads_alive, 0);
}
END_TEST

static atomic_long park_loops;

static int parkable_fn(void *data)
{
	while (!kthread_should_stop()) {
		if (kthread_should_park()) {
			kthread_parkme();
			continue;
		}
		atomic_fetch_add(&park_loops, 1);
		msleep(1);
	}
	return 7;
}

START_TEST(kthread_park_unpark)
{
	struct kthread *k;
	long frozen;
	ck_assert_int_eq(deferred_init(1), 0);
	k = kthread_run(parkable_fn, NULL, "parkable");
	ck_assert(WAIT_UNTIL(park_loops > 2, 5000));
	ck_assert_int_eq(kthread_park(k), 0);
	ck_assert_int_eq(kthread_state(k), KTHREAD_PARKED);
	ck_assert_int_eq(kthread_state_char(k), 'P');
	frozen = park_loops;
	msleep(20);
	ck_assert_int_eq(park_loops, frozen);
	kthread_unpark(k);
	ck_assert(WAIT_UNTIL(park_loops > frozen + 2, 5000));
	ck_assert_int_eq(kthread_park(k), 0);
	ck_assert_int_eq(kthread_stop(k), 7);		/* stopping a parked kthread */
}
END_TEST

static int state_of(struct kthread *k, void *arg)
{
	const char *prefix = ((const char **)arg)[0];
	char *out = ((char **)arg)[1];
	if (!strncmp(kthread_comm(k), prefix, strlen(prefix))) *out = kthread_state_char(k);
	return 0;
}

/* Idle kworkers show 'I', sleeping ksoftirqd and kthreadd 'S'. */
START_TEST(kthread_idle_states)
{
	char st = 0;
	const void *arg[2] = { "kworker/0:0", &st };
	ck_assert_int_eq(deferred_init(1), 0);
	ck_assert(WAIT_UNTIL((kthread_for_each(state_of, arg), st == 'I'), 5000));
	arg[0] = "ksoftirqd/0";
	ck_assert(WAIT_UNTIL((kthread_for_each(state_of, arg), st == 'S'), 5000));
	arg[0] = "kthreadd";
	ck_assert(WAIT_UNTIL((kthread_for_each(state_of, arg), st == 'S'), 5000));
}
END_TEST

/* --- completions --- */

static struct completion comp;
static int completer(void *data)
{
	msleep(10);
	complete(&comp);
	return 0;
}

START_TEST(completion_basics)
{
	struct kthread *k;
	init_completion(&comp);
	ck_assert(!try_wait_for_completion(&comp));
	ck_assert(!completion_done(&comp));
	ck_assert_uint_eq(wait_for_completion_timeout(&comp, 5000000), 0);	/* 5 ms */
	complete(&comp);
	complete(&comp);
	ck_assert(completion_done(&comp));
	ck_assert(try_wait_for_completion(&comp));
	ck_assert_uint_gt(wait_for_completion_timeout(&comp, 1000000), 0);
	ck_assert(!completion_done(&comp));
	ck_assert_int_eq(deferred_init(1), 0);
	k = kthread_run(completer, NULL, "completer");
	wait_for_completion(&comp);
	kthread_stop(k);
	complete_all(&comp);
	wait_for_completion(&comp);
	wait_for_completion(&comp);
	reinit_completion(&comp);
	ck_assert(!completion_done(&comp));
	destroy_completion(&comp);
}
END_TEST

/* --- start-up, shutdown, debug --- */

START_TEST(init_and_shutdown)
{
	struct deferred_stats st;
	ck_assert_int_eq(deferred_init(0), -EINVAL);
	ck_assert_int_eq(deferred_init(PERSONA_MAX_CPUS + 1), -EINVAL);
	deferred_shutdown();				/* not started: no-op */
	ck_assert(!deferred_running());
	ck_assert_int_eq(deferred_init(3), 0);
	ck_assert(deferred_running());
	ck_assert_uint_eq(deferred_ncpus(), 3);
	ck_assert_int_eq(deferred_init(3), -EBUSY);
	deferred_shutdown();
	ck_assert(!deferred_running());
	ck_assert_int_eq(deferred_init(2), 0);		/* again, counters reset */
	deferred_get_stats(&st);
	ck_assert_uint_eq(st.kthreads_created, 1 + 2 + 5);
	deferred_shutdown();
	deferred_shutdown();
}
END_TEST

START_TEST(debug_log)
{
	char out[4096];
	struct captured c;
	struct kthread *k;
	open_softirq(SCHED_SOFTIRQ, sched_handler);
	deferred_debug = DEFERRED_DBG_SOFTIRQ | DEFERRED_DBG_KTHREAD;
	c = stderr_capture();
	raise_softirq(0, SCHED_SOFTIRQ);
	do_softirq(0);
	ck_assert_int_eq(deferred_init(1), 0);
	k = kthread_create(never_fn, NULL, "logged");
	kthread_stop(k);
	deferred_debug = 0;
	stderr_restore(c, out, sizeof out);
	ck_assert_ptr_nonnull(strstr(out, "persona: debug: softirq: raise SCHED on cpu 0\n"));
	ck_assert_ptr_nonnull(strstr(out, "persona: debug: softirq: run SCHED on cpu 0\n"));
	ck_assert_ptr_nonnull(strstr(out, "persona: debug: kthread: created logged (tid "));
	ck_assert_ptr_nonnull(strstr(out, "persona: debug: kthread: stopping logged"));
}
END_TEST

Suite *deferred_suite(void)
{
	Suite *s = suite_create("deferred");
	TCase *tc = tcase_create("softirq_kthread");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, softirq_names);
	tcase_add_test(tc, softirq_raise_and_run);
	tcase_add_test(tc, softirq_not_in_interrupt);
	tcase_add_test(tc, irq_context_exit_unbalanced_aborts);
	tcase_add_test(tc, might_sleep_aborts_in_interrupt);
	tcase_add_test(tc, softirq_restart_limit_hands_to_ksoftirqd);
	tcase_add_test(tc, softirq_raise_wakes_ksoftirqd);
	tcase_add_test(tc, kthread_names_and_parent);
	tcase_add_test(tc, kthread_create_run_stop);
	tcase_add_test(tc, kthread_stop_before_wake);
	tcase_add_test(tc, kthread_name_truncated);
	tcase_add_test(tc, kthread_create_needs_kthreadd);
	tcase_add_test(tc, kthread_returns_by_itself);
	tcase_add_test(tc, kthread_park_unpark);
	tcase_add_test(tc, kthread_idle_states);
	tcase_add_test(tc, completion_basics);
	tcase_add_test(tc, init_and_shutdown);
	tcase_add_test(tc, debug_log);
	suite_add_tcase(s, tc);
	return s;
}
