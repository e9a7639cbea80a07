/* services/time/time.c - start-up, the TIMER softirq, per-process timer state, the
 * lifecycle notifiers and clock helpers (see time.h, docs/timers.md). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "services/time/time_internal.h"
#include "services/time/sigcheck.h"
#include "services/deferred/softirq.h"
#include "core/irq.h"
#include "core/lifecycle.h"
#include "core/log.h"
#include "core/sigdeliver.h"

struct time_stats time_stats;
static pid_t tracer_tid;
static uint64_t last_scan_jiffies = UINT64_MAX;
static volatile int bounce_queued;

/* ---- per-process state, hashed by the leader's task ---- */

#define PROC_HASH 256
static struct tproc *procs[PROC_HASH];

static unsigned phash(const struct task *l) { return (unsigned)(((uintptr_t)l >> 4) * 2654435761u) % PROC_HASH; }

struct tproc *tproc_get(struct task *t, bool create)
{
	struct task *l = t->leader;
	struct tproc *p;
	for (p = procs[phash(l)]; p; p = p->hnext)
		if (p->leader == l) return p;
	if (!create || !(p = calloc(1, sizeof *p))) return NULL;
	p->leader = l;
	list_init(&p->timers);
	itimer_init(p);
	p->hnext = procs[phash(l)];
	procs[phash(l)] = p;
	return p;
}

static void tproc_free(struct tproc *p)
{
	struct tproc **pp;
	itimer_release(p);
	ptimer_delete_all(p);
	for (pp = &procs[phash(p->leader)]; *pp; pp = &(*pp)->hnext)
		if (*pp == p) { *pp = p->hnext; break; }
	free(p);
}

/* ---- lifecycle ---- */

/* Whether t is the last live thread of its process */
static bool last_thread(struct task *t)
{
	struct list_head *pos;
	list_for_each(pos, &t->leader->threads) {
		struct task *th = list_entry(pos, struct task, thread_node);
		if (th != t && th->state != TASK_DEAD && th->state != TASK_ZOMBIE) return false;
	}
	return true;
}

/* A thread is gone: its sleep ends with it; timers aimed at it send nothing more; the
 * process's timers are deleted with its last thread (exit_itimers(), and ITIMER_REAL
 * dies with signal_struct). */
static void on_thread_gone(struct task *t)
{
	sleep_thread_gone(t);
	struct tproc *p = tproc_get(t, false);
	if (!p) return;
	if (last_thread(t)) {
		DBG(DBG_TIMER, "process %d gone: its timers deleted", task_vpid(t));
		tproc_free(p);
	} else {
		ptimer_thread_gone(p, t);
	}
}

/* exec: POSIX timers are deleted (exit_itimers() in begin_new_exec()); ITIMER_REAL
 * and the next timer id survive, as they live in signal_struct. The other threads
 * were killed by de_thread(). */
static void on_exec(struct task *leader)
{
	sleep_exec(leader);
	struct tproc *p = tproc_get(leader, false);
	if (p) ptimer_delete_all(p);
}

/* ---- the TIMER softirq ---- */

static void time_run(bool tick)
{
	ktimer_run_expired(ktime_mono_now());
	uint64_t j = jiffies;
	if (tick || j != last_scan_jiffies) {
		last_scan_jiffies = j;
		sleep_scan(TIME_SCAN_BUDGET);
		ptimer_poll(TIME_POLL_BUDGET);
		itimer_poll(TIME_POLL_BUDGET);
	}
}

static void bounced(void *arg)
{
	(void)arg;
	__atomic_store_n(&bounce_queued, 0, __ATOMIC_RELEASE);
	time_run(false);
}

static void timer_softirq(unsigned cpu)
{
	(void)cpu;
	if (gettid() != tracer_tid) {
		/* ksoftirqd: our state and ptrace belong to the tracer thread */
		if (!__atomic_exchange_n(&bounce_queued, 1, __ATOMIC_ACQ_REL) &&
		    irq_call_on_tracer(bounced, NULL) < 0)
			__atomic_store_n(&bounce_queued, 0, __ATOMIC_RELEASE);
		return;
	}
	time_run(false);
}

void time_tick(void) { time_run(true); }

void time_init(void)
{
	tracer_tid = gettid();
	open_softirq(TIMER_SOFTIRQ, timer_softirq);
	lifecycle_on_thread_gone(on_thread_gone);
	lifecycle_on_exec(on_exec);
}

/* ---- signals ---- */

void time_signal_sent(struct task *t)
{
	if (t) sleep_check_process(t->leader);
}

void time_signal_sent_all(void) { sleep_check_all(); }

/* SI_TIMER is below 0, so the supervisor may queue it itself (rt_sigqueueinfo refuses
 * only si_code >= 0 and SI_TKILL from another process): the guest gets exactly this
 * siginfo however it takes the signal, at a delivery stop, from sigwaitinfo (glibc's
 * SIGEV_THREAD helper thread) or from a signalfd. SI_KERNEL (ITIMER_REAL) cannot be
 * queued from user space: sigdeliver_send() puts it in place at the delivery stop. */
static int queue_direct(struct task *t, const siginfo_t *si, bool thread)
{
	siginfo_t k = *si;
	long r = thread ? syscall(SYS_rt_tgsigqueueinfo, task_tgid(t), t->tid, k.si_signo, &k)
			: syscall(SYS_rt_sigqueueinfo, task_tgid(t), k.si_signo, &k);
	return r < 0 ? -errno : 0;
}

int time_send_signal(struct task *t, const siginfo_t *si, bool thread)
{
	int err = si->si_code < 0 && si->si_code != SI_TKILL ? queue_direct(t, si, thread)
							      : sigdeliver_send(t, si, thread);
	DBG(DBG_TIMER, "[%d] timer signal %d code %d to %s: %d", task_vtid(t), si->si_signo,
	    si->si_code, thread ? "thread" : "process", err);
	if (err) return err;
	time_stats.signals_sent++;
	if (thread) sleep_check_task(t);
	else sleep_check_process(t->leader);
	return 0;
}

bool time_signal_delivering(struct task *t, siginfo_t *si)
{
	struct tproc *p = tproc_get(t, false);
	if (!p) return true;
	if (si->si_code == SI_TIMER) return ptimer_delivering(p, si);
	if (si->si_signo == SIGALRM && si->si_code == SI_KERNEL) return itimer_delivering(p, si);
	return true;
}

void time_get_stats(struct time_stats *s)
{
	*s = time_stats;
	s->timers_fired = ktimer_fired();
}

/* ---- clocks ---- */

bool clock_emulated(clockid_t c)
{
	return c == CLOCK_REALTIME || c == CLOCK_MONOTONIC || c == CLOCK_BOOTTIME || c == CLOCK_TAI;
}

int64_t clock_now(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (int64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

int64_t ktime_add_safe(int64_t a, int64_t b)
{
	int64_t r;
	if (__builtin_add_overflow(a, b, &r) || r < 0) return (int64_t)KTIME_MAX;
	return r;
}

bool ts_valid(const struct timespec *ts)
{
	return ts->tv_sec >= 0 && (unsigned long)ts->tv_nsec < (unsigned long)NSEC_PER_SEC;
}

int64_t ts_to_ktime(const struct timespec *ts)
{
	if ((unsigned long long)ts->tv_sec >= (unsigned long long)(KTIME_MAX / NSEC_PER_SEC))
		return (int64_t)KTIME_MAX;
	return (int64_t)ts->tv_sec * NSEC_PER_SEC + ts->tv_nsec;
}

struct timespec ktime_to_ts(int64_t ns)
{
	struct timespec ts = { 0, 0 };
	if (ns <= 0) return ts;
	ts.tv_sec = ns / NSEC_PER_SEC;
	ts.tv_nsec = ns % NSEC_PER_SEC;
	return ts;
}

uint64_t clock_abs_to_mono(clockid_t clock, int64_t abs_ns)
{
	if (clock == CLOCK_MONOTONIC) return abs_ns > 0 ? (uint64_t)abs_ns : 1;
	/* realtime, TAI and boottime differ from monotonic by an offset: take it now */
	int64_t now_c = clock_now(clock), now_m = (int64_t)ktime_mono_now();
	int64_t delta = abs_ns - now_c;
	if (delta <= 0) return (uint64_t)(now_m + delta > 0 ? now_m + delta : 1);
	return (uint64_t)ktime_add_safe(now_m, delta);
}
