/* tests/unit/test_deferred_wq.c - services/deferred/workqueue: queueing and pending
 * state, kworkers per CPU/highpri/unbound, flush_work/flush_workqueue, cancel
 * (pending: never runs; running: waits), delayed work and mod_delayed_work, failure
 * reporting, ordered and max_active queues, non-reentrancy, pool growth when workers
 * block, queueing from interrupt context, shutdown draining. */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include "services/deferred/deferred.h"
#include "services/deferred/kthread.h"
#include "services/deferred/softirq.h"
#include "services/deferred/workqueue.h"
#include "tests/unit/deferred_test.h"
#include "tests/unit/unit.h"

static void setup(void)
{
	ck_assert_int_eq(deferred_init(2), 0);
}

static void teardown(void)
{
	deferred_debug = 0;
	deferred_shutdown();
}

static uint64_t ms_since(uint64_t t0) { return (deferred_now_ns() - t0) / 1000000u; }

/* --- a work item that records where and how it ran, optionally blocking --- */

struct probe {
	struct work_struct work;
	atomic_int runs, running, max_running, in_func, bad_ctx;
	atomic_int *gate;		/* blocks while *gate == 0 */
	char comm[KTHREAD_COMM_LEN];
	unsigned cpu;
	uint64_t ran_at;
};

static void probe_fn(struct work_struct *work)
{
	struct probe *p = work->data;
	struct kthread *k = kthread_current();
	int now = atomic_fetch_add(&p->running, 1) + 1, max = atomic_load(&p->max_running);
	while (now > max && !atomic_compare_exchange_weak(&p->max_running, &max, now)) {}
	if (in_interrupt() || !k || current_work() != work) atomic_fetch_add(&p->bad_ctx, 1);
	if (k) snprintf(p->comm, sizeof p->comm, "%s", kthread_comm(k));
	p->cpu = smp_processor_id();
	p->ran_at = deferred_now_ns();
	atomic_store(&p->in_func, 1);
	while (p->gate && !atomic_load(p->gate)) msleep(1);
	atomic_store(&p->in_func, 0);
	atomic_fetch_sub(&p->running, 1);
	atomic_fetch_add(&p->runs, 1);
}

static void probe_init(struct probe *p, atomic_int *gate)
{
	memset(p, 0, sizeof *p);
	INIT_WORK_DATA(&p->work, probe_fn, p);
	p->gate = gate;
}

/* An ordered queue whose first item is held at a gate: what is queued behind it stays
 * pending until the gate opens. */
struct blocked_queue { struct workqueue_struct *wq; struct probe blocker; atomic_int gate; };

static void blocked_queue_start(struct blocked_queue *bq)
{
	atomic_store(&bq->gate, 0);
	bq->wq = alloc_ordered_workqueue("test_ordered", 0);
	ck_assert_ptr_nonnull(bq->wq);
	probe_init(&bq->blocker, &bq->gate);
	ck_assert(queue_work(bq->wq, &bq->blocker.work));
	ck_assert(WAIT_UNTIL(bq->blocker.in_func, 5000));
}

START_TEST(wq_queue_pending_and_run)
{
	struct blocked_queue bq;
	struct probe x;
	struct deferred_stats st;
	blocked_queue_start(&bq);
	probe_init(&x, NULL);
	ck_assert(!work_pending(&x.work));
	ck_assert(queue_work(bq.wq, &x.work));
	ck_assert(work_pending(&x.work));
	ck_assert(!queue_work(bq.wq, &x.work));		/* already pending */
	ck_assert(!queue_work(system_wq, &x.work));
	msleep(10);
	ck_assert_int_eq(x.runs, 0);
	atomic_store(&bq.gate, 1);
	ck_assert(flush_work(&x.work));
	ck_assert_int_eq(x.runs, 1);
	ck_assert(!work_pending(&x.work));
	ck_assert_int_eq(x.bad_ctx, 0);
	ck_assert(!strncmp(x.comm, "kworker/u", 9));	/* ordered: unbound pool */
	ck_assert(!flush_work(&x.work));		/* idle */
	ck_assert_uint_eq(workqueue_run_count(bq.wq), 2);
	ck_assert_str_eq(workqueue_name(bq.wq), "test_ordered");
	deferred_get_stats(&st);
	ck_assert_uint_eq(st.work_queued, 2);
	ck_assert_uint_eq(st.work_run, 2);
	destroy_workqueue(bq.wq);
}
END_TEST

/* Per-CPU queues run on that CPU's kworkers, WQ_HIGHPRI on the H pool, unbound on
 * kworker/uN; WORK_CPU_UNBOUND means the caller's CPU. */
START_TEST(wq_pools_and_names)
{
	struct probe p;
	probe_init(&p, NULL);
	ck_assert(queue_work_on(1, system_wq, &p.work));
	flush_work(&p.work);
	ck_assert(!strncmp(p.comm, "kworker/1:", 10));
	ck_assert_uint_eq(p.cpu, 1);
	ck_assert(queue_work_on(0, system_highpri_wq, &p.work));
	flush_work(&p.work);
	ck_assert(!strncmp(p.comm, "kworker/0:", 10));
	ck_assert_int_eq(p.comm[strlen(p.comm) - 1], 'H');
	ck_assert(queue_work(system_unbound_wq, &p.work));
	flush_work(&p.work);
	ck_assert(!strncmp(p.comm, "kworker/u4:", 11));
	smp_set_processor_id(1);
	ck_assert(schedule_work(&p.work));
	flush_work(&p.work);
	smp_set_processor_id(0);
	ck_assert_uint_eq(p.cpu, 1);
	ck_assert_int_eq(p.runs, 4);
	ck_assert_int_eq(p.bad_ctx, 0);
}
END_TEST

static atomic_int opener_delay_ms;
static void *open_gate_later(void *gate)
{
	msleep((unsigned)atomic_load(&opener_delay_ms));
	atomic_store((atomic_int *)gate, 1);
	return NULL;
}

/* flush_work waits for a running instance to finish. */
START_TEST(wq_flush_waits_for_running)
{
	atomic_int gate = 0;
	struct probe p;
	pthread_t th;
	uint64_t t0;
	probe_init(&p, &gate);
	ck_assert(queue_work(system_wq, &p.work));
	ck_assert(WAIT_UNTIL(p.in_func, 5000));
	atomic_store(&opener_delay_ms, 50);
	pthread_create(&th, NULL, open_gate_later, &gate);
	t0 = deferred_now_ns();
	ck_assert(flush_work(&p.work));
	ck_assert_int_eq(p.runs, 1);			/* finished when flush returned */
	ck_assert_uint_ge(ms_since(t0), 40);
	pthread_join(th, NULL);
}
END_TEST

/* cancel_work_sync of a pending item: true, and it never runs. */
START_TEST(wq_cancel_pending_never_runs)
{
	struct blocked_queue bq;
	struct probe x;
	struct deferred_stats st;
	blocked_queue_start(&bq);
	probe_init(&x, NULL);
	ck_assert(!cancel_work_sync(&x.work));		/* idle */
	ck_assert(queue_work(bq.wq, &x.work));
	ck_assert(cancel_work_sync(&x.work));
	ck_assert(!work_pending(&x.work));
	atomic_store(&bq.gate, 1);
	flush_workqueue(bq.wq);
	msleep(10);
	ck_assert_int_eq(x.runs, 0);
	deferred_get_stats(&st);
	ck_assert_uint_eq(st.work_canceled, 1);
	/* usable again afterwards; the non-sync cancel too */
	ck_assert(queue_work(bq.wq, &x.work));
	flush_work(&x.work);
	ck_assert_int_eq(x.runs, 1);
	ck_assert(!cancel_work(&x.work));
	destroy_workqueue(bq.wq);
}
END_TEST

struct canceler { struct work_struct *work; atomic_int done; bool ret; };
static void *cancel_thread(void *arg)
{
	struct canceler *c = arg;
	c->ret = cancel_work_sync(c->work);
	atomic_store(&c->done, 1);
	return NULL;
}

/* cancel_work_sync of a running item waits for it, and nobody can queue it meanwhile. */
START_TEST(wq_cancel_waits_for_running)
{
	atomic_int gate = 0;
	struct probe p;
	struct canceler c = { .work = &p.work };
	pthread_t th;
	probe_init(&p, &gate);
	ck_assert(queue_work(system_wq, &p.work));
	ck_assert(WAIT_UNTIL(p.in_func, 5000));
	pthread_create(&th, NULL, cancel_thread, &c);
	ck_assert(WAIT_UNTIL(work_pending(&p.work), 5000));	/* the canceler holds it */
	msleep(20);
	ck_assert_int_eq(c.done, 0);
	ck_assert(!queue_work(system_wq, &p.work));	/* refused while canceling */
	atomic_store(&gate, 1);
	pthread_join(th, NULL);
	ck_assert(!c.ret);				/* was running, not pending */
	ck_assert_int_eq(p.runs, 1);
	ck_assert_int_eq(p.running, 0);
	ck_assert(!work_pending(&p.work));
}
END_TEST

/* --- delayed work --- */

struct dprobe { struct delayed_work dw; atomic_int runs; uint64_t ran_at; char comm[16]; };

static void dprobe_fn(struct work_struct *work)
{
	struct dprobe *d = (struct dprobe *)to_delayed_work(work);
	struct kthread *k = kthread_current();
	d->ran_at = deferred_now_ns();
	snprintf(d->comm, sizeof d->comm, "%s", k ? kthread_comm(k) : "?");
	atomic_fetch_add(&d->runs, 1);
}

static void dprobe_init(struct dprobe *d)
{
	memset(d, 0, sizeof *d);
	INIT_DELAYED_WORK(&d->dw, dprobe_fn);
}

/* Fires after roughly its delay (in jiffies of deferred_hz), on the arming CPU. */
START_TEST(wq_delayed_work_fires_after_delay)
{
	struct dprobe d;
	struct deferred_stats st;
	uint64_t t0;
	dprobe_init(&d);
	ck_assert_uint_eq(deferred_msecs_to_jiffies(100), 25);	/* 250 Hz */
	ck_assert_uint_eq(deferred_msecs_to_jiffies(1), 1);	/* rounds up */
	t0 = deferred_now_ns();
	smp_set_processor_id(1);
	ck_assert(queue_delayed_work(system_wq, &d.dw, deferred_msecs_to_jiffies(100)));
	smp_set_processor_id(0);
	ck_assert(delayed_work_pending(&d.dw));
	ck_assert(!queue_delayed_work(system_wq, &d.dw, 1));	/* already pending */
	msleep(50);
	ck_assert_int_eq(d.runs, 0);
	ck_assert(WAIT_UNTIL(d.runs == 1, 5000));
	ck_assert_uint_ge((d.ran_at - t0) / 1000000u, 99);
	ck_assert_uint_le((d.ran_at - t0) / 1000000u, 600);
	ck_assert(!strncmp(d.comm, "kworker/1:", 10));
	ck_assert(!delayed_work_pending(&d.dw));
	deferred_get_stats(&st);
	ck_assert_uint_eq(st.dwork_fired, 1);
	ck_assert(queue_delayed_work(system_wq, &d.dw, 0));	/* 0: queued at once */
	ck_assert(WAIT_UNTIL(d.runs == 2, 5000));
}
END_TEST

/* mod_delayed_work moves the timer earlier or later; on an idle item it queues. */
START_TEST(wq_mod_delayed_work_moves_it)
{
	struct dprobe d;
	uint64_t t0;
	dprobe_init(&d);
	t0 = deferred_now_ns();
	ck_assert(queue_delayed_work(system_wq, &d.dw, deferred_msecs_to_jiffies(10000)));
	ck_assert(mod_delayed_work(system_wq, &d.dw, deferred_msecs_to_jiffies(40)));
	ck_assert(WAIT_UNTIL(d.runs == 1, 5000));
	ck_assert_uint_lt((d.ran_at - t0) / 1000000u, 2000);
	ck_assert_uint_ge((d.ran_at - t0) / 1000000u, 39);

	t0 = deferred_now_ns();
	ck_assert(!mod_delayed_work(system_wq, &d.dw, deferred_msecs_to_jiffies(40)));
	ck_assert(mod_delayed_work(system_wq, &d.dw, deferred_msecs_to_jiffies(300)));
	msleep(150);
	ck_assert_int_eq(d.runs, 1);			/* moved later */
	ck_assert(WAIT_UNTIL(d.runs == 2, 5000));
	ck_assert_uint_ge((d.ran_at - t0) / 1000000u, 299);
}
END_TEST

START_TEST(wq_cancel_delayed_work)
{
	struct dprobe d;
	dprobe_init(&d);
	ck_assert(!cancel_delayed_work_sync(&d.dw));
	ck_assert(queue_delayed_work(system_wq, &d.dw, deferred_msecs_to_jiffies(30)));
	ck_assert(cancel_delayed_work_sync(&d.dw));
	ck_assert(!delayed_work_pending(&d.dw));
	ck_assert(queue_delayed_work(system_unbound_wq, &d.dw, deferred_msecs_to_jiffies(30)));
	ck_assert(cancel_delayed_work(&d.dw));
	msleep(80);
	ck_assert_int_eq(d.runs, 0);
	/* flush_delayed_work runs an armed one now */
	ck_assert(queue_delayed_work(system_wq, &d.dw, deferred_msecs_to_jiffies(10000)));
	/* its result says whether it had to wait: a worker may have run the item
	 * before flush_work looked (Linux's has the same window), so only the run
	 * itself is certain */
	flush_delayed_work(&d.dw);
	ck_assert_int_eq(d.runs, 1);
}
END_TEST

/* --- failure --- */

static atomic_int chain_ran;
static void fail_fn(struct work_struct *work)
{
	work_failed(work, "disk on fire: %d", 5);
}

static void ok_fn(struct work_struct *work) { atomic_fetch_add(&chain_ran, 1); }

/* A failing item is counted and logged; the queue carries on. */
START_TEST(wq_failure_reported_queue_goes_on)
{
	struct workqueue_struct *wq = alloc_ordered_workqueue("failing", 0);
	struct work_struct bad, good[3];
	struct deferred_stats st;
	struct captured c;
	char out[2048];
	ck_assert_ptr_nonnull(wq);
	INIT_WORK(&bad, fail_fn);
	for (int i = 0; i < 3; i++) INIT_WORK(&good[i], ok_fn);
	c = stderr_capture();
	queue_work(wq, &good[0]);
	queue_work(wq, &bad);
	queue_work(wq, &good[1]);
	queue_work(wq, &good[2]);
	flush_workqueue(wq);
	ck_assert(queue_work(wq, &bad));		/* and it can fail again */
	flush_work(&bad);
	stderr_restore(c, out, sizeof out);
	ck_assert_int_eq(chain_ran, 3);
	ck_assert_ptr_nonnull(strstr(out, "persona: work fail_fn failed: disk on fire: 5\n"));
	ck_assert_uint_eq(workqueue_failed_count(wq), 2);
	ck_assert_uint_eq(workqueue_run_count(wq), 5);
	deferred_get_stats(&st);
	ck_assert_uint_eq(st.work_failed, 2);
	ck_assert_uint_eq(st.work_run, 5);
	destroy_workqueue(wq);
}
END_TEST

/* --- ordering, max_active, non-reentrancy, pool growth --- */

#define N_ORD 50
static int ord_log[N_ORD];
static atomic_int ord_n, ord_running, ord_overlap;
struct ord_item { struct work_struct work; int idx; };

static void ord_fn(struct work_struct *work)
{
	struct ord_item *it = (struct ord_item *)work;
	if (atomic_fetch_add(&ord_running, 1)) atomic_fetch_add(&ord_overlap, 1);
	if (it->idx % 10 == 0) msleep(1);
	ord_log[atomic_fetch_add(&ord_n, 1)] = it->idx;
	atomic_fetch_sub(&ord_running, 1);
}

START_TEST(wq_ordered_runs_in_order)
{
	static struct ord_item items[N_ORD];
	struct workqueue_struct *wq = alloc_ordered_workqueue("ordered%d", 0, 7);
	ck_assert_str_eq(workqueue_name(wq), "ordered7");
	for (int i = 0; i < N_ORD; i++) {
		INIT_WORK(&items[i].work, ord_fn);
		items[i].idx = i;
		ck_assert(queue_work(wq, &items[i].work));
	}
	flush_workqueue(wq);
	ck_assert_int_eq(ord_n, N_ORD);
	for (int i = 0; i < N_ORD; i++) ck_assert_int_eq(ord_log[i], i);
	ck_assert_int_eq(ord_overlap, 0);
	destroy_workqueue(wq);
}
END_TEST

static atomic_int conc_now, conc_max, conc_in;
static atomic_int conc_gate;

static void conc_fn(struct work_struct *work)
{
	int now = atomic_fetch_add(&conc_now, 1) + 1, max = atomic_load(&conc_max);
	while (now > max && !atomic_compare_exchange_weak(&conc_max, &max, now)) {}
	atomic_fetch_add(&conc_in, 1);
	while (!atomic_load(&conc_gate)) msleep(1);
	atomic_fetch_sub(&conc_now, 1);
}

/* Items that block: the pool grows (kworker/0:1, ...) so that all run at once. */
START_TEST(wq_pool_grows_when_workers_block)
{
	struct work_struct w[4];
	struct deferred_stats before, after;
	deferred_get_stats(&before);
	for (int i = 0; i < 4; i++) {
		INIT_WORK(&w[i], conc_fn);
		ck_assert(queue_work_on(0, system_wq, &w[i]));
	}
	ck_assert(WAIT_UNTIL(conc_in == 4, 5000));
	ck_assert_int_eq(conc_max, 4);
	deferred_get_stats(&after);
	ck_assert_uint_ge(after.workers_created, before.workers_created + 3);
	atomic_store(&conc_gate, 1);
	flush_workqueue(system_wq);
}
END_TEST

/* max_active 2: at most two of the workqueue's items run at once on a pool. */
START_TEST(wq_max_active_limits)
{
	struct workqueue_struct *wq = alloc_workqueue("limited", 0, 2);
	struct work_struct w[6];
	ck_assert_ptr_nonnull(wq);
	for (int i = 0; i < 6; i++) {
		INIT_WORK(&w[i], conc_fn);
		ck_assert(queue_work_on(1, wq, &w[i]));
	}
	ck_assert(WAIT_UNTIL(conc_in == 2, 5000));
	msleep(30);
	ck_assert_int_eq(conc_in, 2);
	atomic_store(&conc_gate, 1);
	flush_workqueue(wq);
	ck_assert_int_eq(conc_in, 6);
	ck_assert_int_eq(conc_max, 2);
	destroy_workqueue(wq);
}
END_TEST

/* Queued on CPU 1 while running on CPU 0: runs after, on CPU 0's pool, never twice
 * at once. */
START_TEST(wq_non_reentrant)
{
	atomic_int gate = 0;
	struct probe p;
	probe_init(&p, &gate);
	ck_assert(queue_work_on(0, system_wq, &p.work));
	ck_assert(WAIT_UNTIL(p.in_func, 5000));
	ck_assert(queue_work_on(1, system_wq, &p.work));
	msleep(20);
	ck_assert_int_eq(p.max_running, 1);
	atomic_store(&gate, 1);
	ck_assert(WAIT_UNTIL(p.runs == 2, 5000));
	flush_work(&p.work);
	ck_assert_int_eq(p.max_running, 1);
	ck_assert(!strncmp(p.comm, "kworker/0:", 10));
	ck_assert_uint_eq(p.cpu, 0);
}
END_TEST

/* --- contexts, drain, shutdown, debug --- */

static struct probe irq_probe;
static void queue_from_softirq(unsigned cpu)
{
	queue_work(system_wq, &irq_probe.work);
}

/* queue_work is allowed in interrupt context; the item runs in process context. */
START_TEST(wq_queue_from_interrupt)
{
	probe_init(&irq_probe, NULL);
	open_softirq(SCHED_SOFTIRQ, queue_from_softirq);
	irq_context_enter();
	raise_softirq(0, SCHED_SOFTIRQ);
	irq_context_exit();
	do_softirq(0);
	ck_assert(WAIT_UNTIL(irq_probe.runs == 1, 5000));
	ck_assert_int_eq(irq_probe.bad_ctx, 0);
	open_softirq(SCHED_SOFTIRQ, NULL);
}
END_TEST

#define CHAIN 10
static struct workqueue_struct *chain_wq;
static struct work_struct chain_w[CHAIN];
static void chain_fn(struct work_struct *work)
{
	int i = (int)(work - chain_w);
	atomic_fetch_add(&chain_ran, 1);
	msleep(1);
	if (i + 1 < CHAIN) queue_work(chain_wq, &chain_w[i + 1]);
}

/* destroy_workqueue drains items that queue further items. */
START_TEST(wq_destroy_drains_chains)
{
	chain_wq = alloc_workqueue("chain", WQ_UNBOUND, 0);
	for (int i = 0; i < CHAIN; i++) INIT_WORK(&chain_w[i], chain_fn);
	queue_work(chain_wq, &chain_w[0]);
	destroy_workqueue(chain_wq);
	ck_assert_int_eq(chain_ran, CHAIN);
}
END_TEST

/* deferred_shutdown runs what is queued and drops armed delayed work. */
START_TEST(wq_shutdown_drains)
{
	struct probe p[3];
	struct dprobe d;
	for (int i = 0; i < 3; i++) {
		probe_init(&p[i], NULL);
		queue_work_on(i % 2, system_wq, &p[i].work);
	}
	dprobe_init(&d);
	queue_delayed_work(system_wq, &d.dw, deferred_msecs_to_jiffies(10000));
	chain_wq = alloc_workqueue("chain", 0, 0);		/* never destroyed by us */
	for (int i = 0; i < CHAIN; i++) INIT_WORK(&chain_w[i], chain_fn);
	queue_work(chain_wq, &chain_w[0]);
	deferred_shutdown();
	for (int i = 0; i < 3; i++) ck_assert_int_eq(p[i].runs, 1);
	ck_assert_int_eq(chain_ran, CHAIN);
	ck_assert_int_eq(d.runs, 0);
	ck_assert(!delayed_work_pending(&d.dw));
	ck_assert_ptr_null(system_wq);
}
END_TEST

START_TEST(wq_flush_workqueue_waits_for_all)
{
	struct probe p[8];
	for (int i = 0; i < 8; i++) {
		probe_init(&p[i], NULL);
		queue_work_on(i % 2, system_wq, &p[i].work);
	}
	flush_workqueue(system_wq);
	for (int i = 0; i < 8; i++) ck_assert_int_eq(p[i].runs, 1);
}
END_TEST

static int count_wq(struct workqueue_struct *wq, void *arg)
{
	(*(int *)arg)++;
	return 0;
}

START_TEST(wq_debug_log_and_list)
{
	struct probe p;
	struct captured c;
	char out[4096];
	int n = 0;
	workqueue_for_each(count_wq, &n);
	ck_assert_int_eq(n, 3);			/* events, events_highpri, events_unbound */
	probe_init(&p, NULL);
	deferred_debug = DEFERRED_DBG_WORK;
	c = stderr_capture();
	queue_work_on(0, system_wq, &p.work);
	flush_work(&p.work);
	deferred_debug = 0;
	stderr_restore(c, out, sizeof out);
	ck_assert_ptr_nonnull(strstr(out, "persona: debug: work: probe_fn queued on events (pool 0)"));
	ck_assert_ptr_nonnull(strstr(out, "persona: debug: work: probe_fn starts on kworker/0:"));
	ck_assert_ptr_nonnull(strstr(out, "persona: debug: work: probe_fn done on kworker/0:"));
}
END_TEST

START_TEST(wq_needs_init)
{
	errno = 0;
	ck_assert_ptr_null(alloc_workqueue("early", 0, 0));
	ck_assert_int_eq(errno, ESRCH);
	ck_assert_ptr_null(system_wq);
	ck_assert_int_eq(deferred_init(1), 0);
	ck_assert_ptr_null(alloc_workqueue("bad", 0, -1));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_null(alloc_workqueue("bad", 0, WQ_MAX_ACTIVE + 1));
	ck_assert_ptr_null(current_work());
}
END_TEST

Suite *deferred_wq_suite(void)
{
	Suite *s = suite_create("deferred_wq");
	TCase *tc = tcase_create("workqueue");
	TCase *early = tcase_create("before_init");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, wq_queue_pending_and_run);
	tcase_add_test(tc, wq_pools_and_names);
	tcase_add_test(tc, wq_flush_waits_for_running);
	tcase_add_test(tc, wq_cancel_pending_never_runs);
	tcase_add_test(tc, wq_cancel_waits_for_running);
	tcase_add_test(tc, wq_delayed_work_fires_after_delay);
	tcase_add_test(tc, wq_mod_delayed_work_moves_it);
	tcase_add_test(tc, wq_cancel_delayed_work);
	tcase_add_test(tc, wq_failure_reported_queue_goes_on);
	tcase_add_test(tc, wq_ordered_runs_in_order);
	tcase_add_test(tc, wq_pool_grows_when_workers_block);
	tcase_add_test(tc, wq_max_active_limits);
	tcase_add_test(tc, wq_non_reentrant);
	tcase_add_test(tc, wq_queue_from_interrupt);
	tcase_add_test(tc, wq_destroy_drains_chains);
	tcase_add_test(tc, wq_shutdown_drains);
	tcase_add_test(tc, wq_flush_workqueue_waits_for_all);
	tcase_add_test(tc, wq_debug_log_and_list);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(early, NULL, teardown);
	tcase_add_test(early, wq_needs_init);
	suite_add_tcase(s, early);
	return s;
}
