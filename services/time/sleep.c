/* services/time/sleep.c - nanosleep and clock_nanosleep, blocking in the personality.
 *
 * Linux (kernel/time/hrtimer.c: nanosleep, hrtimer_nanosleep, do_nanosleep;
 * kernel/time/posix-timers.c: clock_nanosleep, common_nsleep) puts the task to sleep
 * on an hrtimer; a signal makes signal_pending() true and do_nanosleep() returns
 * -ERESTART_RESTARTBLOCK (relative: after writing the remaining time to rmtp) or
 * -ERESTARTNOHAND (TIMER_ABSTIME), which becomes EINTR when a handler runs and a
 * transparent restart otherwise. Here the task blocks (SYSRET_BLOCK) with a ktimer
 * whose callback completes the request with 0; signals are found by sigcheck.c on
 * the tick, or at once when a guest sends one (time_signal_sent). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "services/time/time_internal.h"
#include "services/time/sigcheck.h"
#include "core/guest_mem.h"
#include "core/irq.h"
#include "core/log.h"

#define SLEEP_HASH 256
static struct sleeper *sleepers[SLEEP_HASH];
static struct list_head all = LIST_HEAD_INIT(all);

static unsigned shash(const struct task *t) { return (unsigned)(((uintptr_t)t >> 4) * 2654435761u) % SLEEP_HASH; }

static struct sleeper *sleeper_of(const struct task *t)
{
	for (struct sleeper *s = sleepers[shash(t)]; s; s = s->hnext)
		if (s->task == t) return s;
	return NULL;
}

static void sleeper_drop(struct sleeper *s)
{
	struct sleeper **pp;
	ktimer_del(&s->kt);
	for (pp = &sleepers[shash(s->task)]; *pp; pp = &(*pp)->hnext)
		if (*pp == s) { *pp = s->hnext; break; }
	list_del_init(&s->node);
	sigstate_close_cached(&s->status_fd);
	free(s);
}

/* Ends the sleep with `ret` (a result or SYSRET_NATIVE) if its task is still the one
 * blocked here. */
static void sleeper_finish(struct sleeper *s, long ret)
{
	struct task *t = s->task;
	bool live = task_by_host(s->tid) == t && t->state == TASK_BLOCKED;
	sleeper_drop(s);
	if (live) sysreq_complete(t, ret);
}

static void sleep_expired(struct ktimer *kt)
{
	struct sleeper *s = kt->data;
	DBG(DBG_TIMER, "[%d] sleep done", task_vtid(s->task));
	sleeper_finish(s, 0);
}

/* A signal ends the sleep (do_nanosleep() after signal_pending()). */
static void sleep_interrupt(struct sleeper *s, enum sigcheck why)
{
	struct task *t = s->task;
	int64_t rem = (int64_t)s->kt.expires - (int64_t)ktime_mono_now();
	if (rem <= 0) {		/* the timer expired first: the sleep succeeded */
		sleeper_finish(s, 0);
		return;
	}
	time_stats.sleeps_interrupted++;
	if (why == SIGCHK_STOP) {
		/* A stop signal: Linux stops the task and, after SIGCONT, restarts the
		 * sleep towards the same expiry (restart_syscall). The host can do exactly
		 * that: hand it the rest of the sleep as a native call, which the pending
		 * stop signal interrupts at once. Absolute sleeps keep their arguments. */
		if (s->relative) {
			struct timespec ts = ktime_to_ts(rem);
			uint64_t a = sysreq_push(&t->req, &ts, sizeof ts);
			if (!a) { sleeper_finish(s, -EFAULT); return; }
			sysreq_set_arg(&t->req, s->argi_req, a);
		}
		DBG(DBG_TIMER, "[%d] sleep handed to the host for a stop signal", task_vtid(t));
		sleeper_finish(s, SYSRET_NATIVE);
		return;
	}
	/* nanosleep_copyout(): the remaining time, relative sleeps with rmtp only; a
	 * fault there makes the call fail with EFAULT instead of EINTR */
	long ret = -EINTR;
	if (s->relative && s->rmtp) {
		struct timespec ts = ktime_to_ts(rem);
		if (copy_to_guest(s->tid, s->rmtp, &ts, sizeof ts)) ret = -EFAULT;
	}
	DBG(DBG_TIMER, "[%d] sleep interrupted, %lld ns left -> %ld", task_vtid(t), (long long)rem, ret);
	sleeper_finish(s, ret);
}

static void check(struct sleeper *s)
{
	enum sigcheck c = task_signal_check_cached(s->task, &s->status_fd);
	if (c != SIGCHK_NONE) sleep_interrupt(s, c);
}

void sleep_check_task(struct task *t)
{
	struct sleeper *s = sleeper_of(t);
	if (s) check(s);
}

void sleep_check_process(struct task *leader)
{
	struct list_head *pos, *n;
	list_for_each_safe(pos, n, &leader->threads) {
		struct task *th = list_entry(pos, struct task, thread_node);
		if (th->state == TASK_BLOCKED) sleep_check_task(th);
	}
}

/* The tick: a round robin over the sleepers, each looked at every TIME_SCAN_EVERY
 * ticks at most, at most `budget` of them per tick. */
void sleep_scan(unsigned budget)
{
	unsigned n = 0;
	uint64_t now = jiffies;
	struct list_head *pos;
	list_for_each(pos, &all) n++;
	while (n-- && budget) {
		struct sleeper *s = list_entry(all.next, struct sleeper, node);
		list_del_init(&s->node);
		list_add_tail(&s->node, &all);
		if (s->next_scan > now) continue;
		s->next_scan = now + TIME_SCAN_EVERY;
		budget--;
		check(s);
	}
}

void sleep_check_all(void)
{
	struct list_head *pos, *n;
	/* check() frees at most the sleeper it checks */
	list_for_each_safe(pos, n, &all) check(list_entry(pos, struct sleeper, node));
}

void sleep_thread_gone(struct task *t)
{
	struct sleeper *s = sleeper_of(t);
	if (s) sleeper_drop(s);
}

void sleep_exec(struct task *leader)
{
	struct list_head *pos, *n;
	list_for_each_safe(pos, n, &all) {
		struct sleeper *s = list_entry(pos, struct sleeper, node);
		if (s->leader == leader) sleeper_drop(s);
	}
}

/* Starts a sleep until monotonic `expires`; SYSRET_BLOCK, or 0 if it is already over. */
static long sleep_start(struct sysreq *r, uint64_t expires, bool relative, gaddr_t rmtp, int argi)
{
	struct task *t = r->task;
	time_stats.sleeps++;
	if (expires <= ktime_mono_now()) return 0;	/* do_nanosleep(): expired, 0 */
	struct sleeper *s = sleeper_of(t);
	if (s) sleeper_drop(s);		/* stale: a task blocks once */
	if (!(s = calloc(1, sizeof *s))) return SYSRET_NATIVE;	/* the host can sleep too */
	ktimer_init(&s->kt, sleep_expired, s);
	s->task = t;
	s->tid = t->tid;
	s->leader = t->leader;
	s->relative = relative;
	s->rmtp = rmtp;
	s->argi_req = argi;
	s->status_fd = -1;
	s->next_scan = jiffies + 1;	/* not before the next tick */
	if (ktimer_add(&s->kt, expires) < 0) { free(s); return SYSRET_NATIVE; }
	s->hnext = sleepers[shash(t)];
	sleepers[shash(t)] = s;
	list_add_tail(&s->node, &all);
	DBG(DBG_TIMER, "[%d] sleeps until %llu", task_vtid(t), (unsigned long long)expires);
	return SYSRET_BLOCK;
}

/* SYSCALL_DEFINE2(nanosleep): EFAULT reading rqtp, EINVAL unless
 * timespec64_valid() (tv_sec >= 0, 0 <= tv_nsec < 1e9); a relative CLOCK_MONOTONIC
 * sleep; rmtp is written only when interrupted (man 2 nanosleep). */
long sys_nanosleep(struct sysreq *r, uint64_t req, uint64_t rem)
{
	struct timespec ts;
	if (copy_from_guest(r->task->tid, &ts, req, sizeof ts)) return -EFAULT;
	if (!ts_valid(&ts)) return -EINVAL;
	uint64_t expires = (uint64_t)ktime_add_safe((int64_t)ktime_mono_now(), ts_to_ktime(&ts));
	return sleep_start(r, expires, true, rem, 0);
}

/* SYSCALL_DEFINE4(clock_nanosleep): EINVAL for an unknown clock, EOPNOTSUPP for one
 * without nsleep, then EFAULT, EINVAL as nanosleep; flags other than TIMER_ABSTIME
 * are ignored; with TIMER_ABSTIME rmtp is not used (man 2 clock_nanosleep). Clocks
 * other than REALTIME/MONOTONIC/BOOTTIME/TAI run natively (the table traps only
 * these). A relative sleep on any of them is a monotonic duration (Linux bases
 * relative CLOCK_REALTIME timers on CLOCK_MONOTONIC); an absolute one is converted to
 * monotonic when it starts. */
long sys_clock_nanosleep(struct sysreq *r, int clockid, uint64_t flags, uint64_t req, uint64_t rem)
{
	struct timespec ts;
	bool abs = ((int)flags & TIMER_ABSTIME) != 0;
	if (!clock_emulated(clockid)) return SYSRET_NATIVE;
	if (copy_from_guest(r->task->tid, &ts, req, sizeof ts)) return -EFAULT;
	if (!ts_valid(&ts)) return -EINVAL;
	if (abs)
		return sleep_start(r, clock_abs_to_mono(clockid, ts_to_ktime(&ts)), false, 0, 2);
	uint64_t expires = (uint64_t)ktime_add_safe((int64_t)ktime_mono_now(), ts_to_ktime(&ts));
	return sleep_start(r, expires, true, rem, 2);
}
