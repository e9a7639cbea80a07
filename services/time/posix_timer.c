/* services/time/posix_timer.c - timer_create, timer_settime, timer_gettime,
 * timer_getoverrun, timer_delete (Linux: kernel/time/posix-timers.c, signal.c).
 *
 * Ids are per process and handed out as Linux's posix_timer_add() does: the
 * process's counter (signal_struct::next_posix_timer_id) counts up from 0 and is not
 * reset by timer_delete or exec (only a fork child starts at 0 again); an id is used
 * up as soon as it is allocated, even if timer_create then fails (bad sigevent, bad
 * timer id pointer). Creation fails with EAGAIN when the process holds its
 * RLIMIT_SIGPENDING worth of timers (Linux charges each timer's preallocated sigqueue
 * to the user's pending-signal count) or the supervisor's bound TIME_MAX_TIMERS is
 * reached.
 *
 * Signals: on expiry the timer's signal is queued with SI_TIMER, si_timerid,
 * si_overrun and si_value = sigev_value, to the process (SIGEV_SIGNAL) or to one of
 * its threads (SIGEV_THREAD_ID). As in Linux, an expired interval timer is not
 * rearmed until its signal is delivered (POSIX_TIMER_REQUEUE_PENDING): at the delivery
 * stop (time_signal_delivering()) it is forwarded past now, the intervals passed are
 * its overrun, reported in si_overrun and by timer_getoverrun afterwards
 * (posixtimer_deliver_signal(), common_hrtimer_rearm()). A signal taken without a
 * delivery stop (sigwaitinfo: glibc's SIGEV_THREAD) is noticed by the tick's poll as
 * no longer pending. A signal whose timer was deleted or re-set before delivery is
 * dropped.
 *
 * CPU-time clocks (and the alarm clocks) run natively: the guest still gets ids from
 * the same counter; the host's id is kept next to it. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include "services/time/time_internal.h"
#include "services/time/sigcheck.h"
#include "core/guest_mem.h"
#include "core/pidmap.h"
#include "core/log.h"

#ifndef SIGEV_THREAD_ID
#define SIGEV_THREAD_ID 4
#endif
#define KSIGRTMAX 64			/* the kernel's SIGRTMAX (_NSIG) */
#define CPUCLOCK_WHICH(c) ((c) & 3)
#define CLOCKFD 3

/* the kernel's struct itimerspec (__kernel_itimerspec) */
struct kitimerspec { struct timespec it_interval, it_value; };

/* ---- the id hash: (process, id) -> timer, as posix_timers_hashtable ---- */

static struct ptimer **idhash;
static unsigned idhash_size, ntotal;

static unsigned ihash(const struct tproc *p, int id, unsigned size)
{
	return (unsigned)((((uintptr_t)p >> 4) ^ ((unsigned)id * 2654435761u)) & (size - 1));
}

static struct ptimer *ptimer_find(struct tproc *p, int id)
{
	if (!idhash_size) return NULL;
	for (struct ptimer *t = idhash[ihash(p, id, idhash_size)]; t; t = t->hnext)
		if (t->proc == p && t->id == id) return t;
	return NULL;
}

static int idhash_grow(void)
{
	unsigned nsize = idhash_size ? idhash_size * 2 : 1024;
	struct ptimer **n = calloc(nsize, sizeof *n);
	if (!n) return -ENOMEM;
	for (unsigned i = 0; i < idhash_size; i++)
		for (struct ptimer *t = idhash[i], *next; t; t = next) {
			next = t->hnext;
			unsigned h = ihash(t->proc, t->id, nsize);
			t->hnext = n[h];
			n[h] = t;
		}
	free(idhash);
	idhash = n;
	idhash_size = nsize;
	return 0;
}

static int ptimer_insert(struct ptimer *t)
{
	if (ntotal + 1 > idhash_size * 2 && idhash_grow() < 0 && !idhash_size) return -ENOMEM;
	unsigned h = ihash(t->proc, t->id, idhash_size);
	t->hnext = idhash[h];
	idhash[h] = t;
	list_add_tail(&t->node, &t->proc->timers);
	t->proc->ntimers++;
	ntotal++;
	time_stats.posix_timers = ntotal;
	return 0;
}

static void ptimer_free(struct ptimer *t)
{
	struct ptimer **pp;
	ktimer_del(&t->kt);
	list_del_init(&t->rq);
	for (pp = &idhash[ihash(t->proc, t->id, idhash_size)]; *pp; pp = &(*pp)->hnext)
		if (*pp == t) { *pp = t->hnext; break; }
	list_del_init(&t->node);
	t->proc->ntimers--;
	ntotal--;
	time_stats.posix_timers = ntotal;
	free(t);
}

/* posix_timer_add(): the next free id, counting on from the last one */
static int alloc_id(struct tproc *p)
{
	for (;;) {
		int id = p->next_id;
		p->next_id = (int)(((unsigned)id + 1) & INT_MAX);
		if (!ptimer_find(p, id)) return id;
	}
}

void ptimer_delete_all(struct tproc *p)
{
	while (!list_empty(&p->timers))
		ptimer_free(list_entry(p->timers.next, struct ptimer, node));
}

void ptimer_thread_gone(struct tproc *p, struct task *t)
{
	struct list_head *pos;
	list_for_each(pos, &p->timers) {
		struct ptimer *pt = list_entry(pos, struct ptimer, node);
		if (pt->target == t) { pt->target = NULL; pt->target_gone = true; }
	}
}

/* ---- expiry and delivery ---- */

static struct list_head requeue = LIST_HEAD_INIT(requeue);

/* The thread (SIGEV_THREAD_ID) or process the signal goes to; NULL when that thread
 * has exited (posixtimer_get_target() finds no task: nothing is sent) */
static struct task *ptimer_target(struct ptimer *pt)
{
	if (!(pt->notify & SIGEV_THREAD_ID)) return pt->proc->leader;
	if (pt->target_gone) return NULL;
	struct task *t = task_by_host(pt->target_tid);
	return t == pt->target && t->leader == pt->proc->leader ? t : NULL;
}

/* Whether our signal is still queued for its target (clears sig_queued when not: it
 * was taken without a delivery stop we saw) */
static bool ptimer_still_queued(struct ptimer *pt, struct task *target)
{
	if (!pt->sig_queued) return false;
	bool thread = (pt->notify & SIGEV_THREAD_ID) != 0;
	int r = sig_is_pending(task_tgid(target), target->tid, pt->signo, thread);
	if (r <= 0) pt->sig_queued = false;
	return r > 0;
}

static int overrun_to_int(int64_t o) { return o > INT_MAX ? INT_MAX : o < 0 ? 0 : (int)o; }

/* hrtimer_forward(now, interval): moves pt->expires past now, returns the count */
static int64_t forward(struct ptimer *pt, uint64_t now)
{
	uint64_t e = pt->expires, iv = (uint64_t)pt->interval;
	if (now < e) return 0;
	uint64_t k = (now - e) / iv + 1, next = e + k * iv;
	pt->expires = next < e ? KTIME_MAX : next;
	return (int64_t)k;
}

/* The rearm at delivery: forward, restart, the overrun becomes the delivered one's */
static void ptimer_rearm(struct ptimer *pt)
{
	pt->overrun += forward(pt, ktime_mono_now());
	list_del_init(&pt->rq);
	if (ktimer_add(&pt->kt, pt->expires) == 0) pt->status = PT_ARMED;
	pt->overrun_last = pt->overrun;
	pt->overrun = -1;
}

/* posix_timer_fn() -> posix_timer_queue_signal() -> posixtimer_send_sigqueue() */
static void ptimer_fire(struct ktimer *kt)
{
	struct ptimer *pt = kt->data;
	pt->expires = kt->expires;
	pt->status = pt->interval ? PT_REQUEUE_PENDING : PT_DISARMED;
	struct task *target = ptimer_target(pt);
	if (!target) return;	/* the thread is gone: no signal, never rearmed */
	pt->sent_seq = pt->seq;
	list_del_init(&pt->rq);
	if (pt->interval) list_add_tail(&pt->rq, &requeue);
	/* the signal of a previous setting still queued now stands for this one */
	if (pt->sig_queued && ptimer_still_queued(pt, target)) return;
	siginfo_t si;
	memset(&si, 0, sizeof si);
	si.si_signo = pt->signo;
	si.si_code = SI_TIMER;
	si.si_timerid = pt->id;
	si.si_overrun = 0;
	si.si_value = pt->value;
	pt->sig_queued = true;
	DBG(DBG_TIMER, "[%d] timer %d fires (signal %d)", task_vpid(pt->proc->leader), pt->id, pt->signo);
	if (time_send_signal(target, &si, (pt->notify & SIGEV_THREAD_ID) != 0)) {
		pt->sig_queued = false;
		list_del_init(&pt->rq);
	}
}

bool ptimer_delivering(struct tproc *p, siginfo_t *si)
{
	struct ptimer *pt = ptimer_find(p, si->si_timerid);
	if (pt && !pt->native && pt->signo == si->si_signo) {
		/* re-set since it was queued (deleted ones are not found): dropped */
		if (pt->sent_seq != pt->seq) return false;
		pt->sig_queued = false;
		if (pt->interval && pt->status == PT_REQUEUE_PENDING) ptimer_rearm(pt);
		/* (already rearmed when the tick's poll saw the signal dequeued before
		 * this stop was handled: its overrun is the one counted then) */
		if (pt->interval) si->si_overrun = overrun_to_int(pt->overrun_last);
		return true;
	}
	/* a native (CPU-clock) timer's signal carries the host's id */
	struct list_head *pos;
	list_for_each(pos, &p->timers) {
		struct ptimer *n = list_entry(pos, struct ptimer, node);
		if (n->native && n->host_id == si->si_timerid) {
			si->si_timerid = n->id;
			break;
		}
	}
	return true;
}

/* Requeue-pending timers whose signal was taken without a delivery stop */
void ptimer_poll(unsigned budget)
{
	while (budget-- && !list_empty(&requeue)) {
		struct ptimer *pt = list_entry(requeue.next, struct ptimer, rq);
		list_del_init(&pt->rq);
		struct task *target = ptimer_target(pt);
		if (!target || pt->status != PT_REQUEUE_PENDING) continue;
		list_add_tail(&pt->rq, &requeue);
		if (!ptimer_still_queued(pt, target)) ptimer_rearm(pt);
	}
}

/* ---- timer_create ---- */

static unsigned long sigpending_limit(struct task *t)
{
	struct rlimit rl;
	if (prlimit(task_tgid(t), RLIMIT_SIGPENDING, NULL, &rl) < 0) return ULONG_MAX;
	return rl.rlim_cur == RLIM_INFINITY ? ULONG_MAX : (unsigned long)rl.rlim_cur;
}

/* good_sigevent(): the target pid of a valid sigevent, else -EINVAL. SIGEV_THREAD is
 * glibc's business: the kernel takes it as SIGEV_SIGNAL. */
static int check_sigevent(struct task *self, const struct sigevent *ev, struct task **target)
{
	*target = self->leader;
	switch (ev->sigev_notify) {
	case SIGEV_SIGNAL | SIGEV_THREAD_ID: {
		struct task *t = task_by_virt(ev->_sigev_un._tid);
		if (!t || t->leader != self->leader || t->state == TASK_DEAD || t->state == TASK_ZOMBIE)
			return -EINVAL;
		*target = t;
	}
		/* fallthrough */
	case SIGEV_SIGNAL:
	case SIGEV_THREAD:
		if (ev->sigev_signo <= 0 || ev->sigev_signo > KSIGRTMAX) return -EINVAL;
		/* fallthrough */
	case SIGEV_NONE:
		return 0;
	default:
		return -EINVAL;
	}
}

/* A CPU clock names a process or thread by pid (0: the caller): make it the host's */
static int cpu_clock_to_host(clockid_t c, clockid_t *out)
{
	*out = c;
	if (c >= 0 || CPUCLOCK_WHICH(c) == CLOCKFD) return 0;
	pid_t v = (pid_t)~(c >> 3);
	if (v == 0) return 0;
	pid_t h = pidmap_to_host(v);
	if (h <= 0) return -EINVAL;
	*out = (clockid_t)((~(unsigned)h << 3) | ((unsigned)c & 7));
	return 0;
}

/* exit of a native timer_create: the host's id is kept, the guest gets ours */
static long native_create_exit(struct sysreq *r, long ret)
{
	struct tproc *p = tproc_get(r->task, true);
	int id = (int)r->data[0];
	clockid_t clock = (clockid_t)r->data[1];
	bool fdclock = clock < 0 && CPUCLOCK_WHICH(clock) == CLOCKFD;
	/* failures before posix_timer_add() leave the id unused */
	bool used = ret == 0 || !(ret == -EAGAIN || (fdclock && ret == -EOPNOTSUPP));
	if (!p) return ret;
	if (used && p->next_id == id) p->next_id = (int)(((unsigned)id + 1) & INT_MAX);
	if (ret != 0) return ret;
	int host_id;
	struct ptimer *pt = calloc(1, sizeof *pt);
	if (!pt || copy_from_guest(r->task->tid, &host_id, r->args[2], sizeof host_id)) {
		free(pt);
		return ret;	/* the guest keeps the host's id */
	}
	if (ptimer_find(p, id)) id = alloc_id(p);	/* another thread took it meanwhile */
	pt->id = id;
	pt->proc = p;
	pt->native = true;
	pt->host_id = host_id;
	pt->clock = clock;
	ktimer_init(&pt->kt, ptimer_fire, pt);
	list_init(&pt->node);
	list_init(&pt->rq);
	if (ptimer_insert(pt) < 0) { free(pt); return ret; }
	copy_to_guest(r->task->tid, r->args[2], &id, sizeof id);
	return ret;
}

static long timer_create_native(struct sysreq *r, struct tproc *p, clockid_t clock,
				struct sigevent *ev, bool have_ev, struct task *target)
{
	clockid_t host_clock;
	if (cpu_clock_to_host(clock, &host_clock) < 0) {
		alloc_id(p);	/* posix_cpu_timer_create() fails after the id is taken */
		return -EINVAL;
	}
	int id = p->next_id;
	struct sigevent k;
	if (have_ev) {
		k = *ev;
		if (k.sigev_notify == (SIGEV_SIGNAL | SIGEV_THREAD_ID)) k._sigev_un._tid = target->tid;
	} else {	/* the kernel's default names the timer by its (host) id: ours */
		memset(&k, 0, sizeof k);
		k.sigev_notify = SIGEV_SIGNAL;
		k.sigev_signo = SIGALRM;
		k.sigev_value.sival_int = id;
	}
	uint64_t a = sysreq_push(r, &k, sizeof k);
	if (!a) return -EFAULT;
	sysreq_set_arg(r, 1, a);
	if (host_clock != clock) sysreq_set_arg(r, 0, (uint64_t)(unsigned)host_clock);
	r->data[0] = (uint64_t)id;
	r->data[1] = (uint64_t)(unsigned)clock;
	sysreq_on_exit(r, native_create_exit);
	return SYSRET_NATIVE;
}

/* SYSCALL_DEFINE3(timer_create) -> do_timer_create(): EFAULT reading the sigevent;
 * EINVAL for an unknown clock, EOPNOTSUPP for one without timers; EAGAIN when the
 * timer cannot be accounted; then the id is allocated; EINVAL for a bad sigevent
 * (good_sigevent(): notify SIGEV_NONE, SIGEV_SIGNAL, SIGEV_THREAD or
 * SIGEV_SIGNAL|SIGEV_THREAD_ID naming a thread of the caller's process, signal
 * 1..SIGRTMAX); EFAULT writing the id. Without a sigevent: SIGEV_SIGNAL, SIGALRM,
 * sival_int = the id (man 2 timer_create). */
long sys_timer_create(struct sysreq *r, int clockid, uint64_t sevp, uint64_t timerid)
{
	struct task *self = r->task;
	struct sigevent ev;
	bool have_ev = sevp != 0;
	memset(&ev, 0, sizeof ev);
	if (have_ev && copy_from_guest(self->tid, &ev, sevp, sizeof ev)) return -EFAULT;
	bool native = clockid < 0 || clockid == CLOCK_REALTIME_ALARM || clockid == CLOCK_BOOTTIME_ALARM;
	if (!native && !clock_emulated(clockid)) {
		/* MONOTONIC_RAW and the coarse clocks have no timers; 10 (the removed
		 * SGI cycle counter) and above MAX_CLOCKS are unknown */
		if (clockid == CLOCK_MONOTONIC_RAW || clockid == CLOCK_REALTIME_COARSE ||
		    clockid == CLOCK_MONOTONIC_COARSE)
			return -EOPNOTSUPP;
		return -EINVAL;
	}
	struct tproc *p = tproc_get(self, true);
	if (!p || p->ntimers >= sigpending_limit(self) || ntotal >= TIME_MAX_TIMERS) {
		DBG(DBG_TIMER, "[%d] timer_create: EAGAIN (%u timers)", task_vtid(self), p ? p->ntimers : 0);
		return -EAGAIN;
	}
	struct task *target = self->leader;
	if (have_ev && check_sigevent(self, &ev, &target) < 0) {
		alloc_id(p);	/* the id was taken before the sigevent was looked at */
		return -EINVAL;
	}
	if (native) return timer_create_native(r, p, clockid, &ev, have_ev, target);

	int id = alloc_id(p);
	struct ptimer *pt = calloc(1, sizeof *pt);
	if (!pt) return -EAGAIN;
	pt->id = id;
	pt->proc = p;
	pt->clock = clockid;
	if (have_ev) {
		pt->notify = ev.sigev_notify;
		pt->signo = ev.sigev_signo;
		pt->value = ev.sigev_value;
	} else {
		pt->notify = SIGEV_SIGNAL;
		pt->signo = SIGALRM;
		pt->value.sival_ptr = NULL;
		pt->value.sival_int = id;
	}
	if (pt->notify & SIGEV_THREAD_ID) {
		pt->target = target;
		pt->target_tid = target->tid;
	}
	ktimer_init(&pt->kt, ptimer_fire, pt);
	list_init(&pt->node);
	list_init(&pt->rq);
	pt->status = PT_DISARMED;
	pt->overrun = -1;
	if (copy_to_guest(self->tid, timerid, &id, sizeof id)) {
		free(pt);
		return -EFAULT;
	}
	if (ptimer_insert(pt) < 0) { free(pt); return -EAGAIN; }
	DBG(DBG_TIMER, "[%d] timer %d created, clock %d notify %d signal %d", task_vtid(self),
	    id, clockid, pt->notify, pt->signo);
	return 0;
}

/* ---- timer_gettime, timer_settime ---- */

/* common_timer_get() */
static void ptimer_get(struct ptimer *pt, struct kitimerspec *cur)
{
	memset(cur, 0, sizeof *cur);
	int64_t iv = pt->interval;
	bool none = pt->notify == SIGEV_NONE;
	cur->it_interval = ktime_to_ts(iv);
	/* SIGEV_NONE one-shots are always "disarmed": the expiry below tells */
	if (!iv && pt->status == PT_DISARMED && !none) return;
	if (!none && !iv && pt->expires == 0) return;
	uint64_t now = ktime_mono_now();
	/* requeue-pending and SIGEV_NONE interval timers move forward past now */
	if (iv && pt->status != PT_ARMED) pt->overrun += forward(pt, now);
	int64_t rem = (int64_t)pt->expires - (int64_t)now;
	if (pt->expires == 0 || rem <= 0) {
		/* "A single shot SIGEV_NONE timer must return 0, when it is expired!
		 * Timers which have a real signal delivery mode must return a remaining
		 * time greater than 0 because the signal has not yet been delivered." */
		if (!none) cur->it_value.tv_nsec = 1;
	} else {
		cur->it_value = ktime_to_ts(rem);
	}
}

static struct ptimer *lookup(struct sysreq *r, int id)
{
	struct tproc *p = tproc_get(r->task, false);
	return p ? ptimer_find(p, id) : NULL;
}

static long native_with_id(struct sysreq *r, struct ptimer *pt)
{
	sysreq_set_arg(r, 0, (uint64_t)(unsigned)pt->host_id);
	return SYSRET_NATIVE;
}

/* SYSCALL_DEFINE4(timer_settime): EINVAL without new_value; EFAULT reading it;
 * EINVAL unless both timespecs are valid; EINVAL for an unknown id; the old setting is
 * written after the timer is set (EFAULT then). A zero it_value disarms, and the
 * interval only counts with a non-zero value (posix_timer_set_common()). Relative
 * timers count from now on a monotonic base; TIMER_ABSTIME times are converted to
 * monotonic when set. */
long sys_timer_settime(struct sysreq *r, int timerid, uint64_t flags, uint64_t new_value, uint64_t old_value)
{
	struct kitimerspec nv, ov;
	struct ptimer *pt = lookup(r, timerid);
	if (pt && pt->native) return native_with_id(r, pt);
	if (!new_value) return -EINVAL;
	if (copy_from_guest(r->task->tid, &nv, new_value, sizeof nv)) return -EFAULT;
	if (!ts_valid(&nv.it_value) || !ts_valid(&nv.it_interval)) return -EINVAL;
	if (!pt) return -EINVAL;
	if (old_value) ptimer_get(pt, &ov);
	pt->seq++;		/* a queued signal of the old setting is dropped */
	ktimer_del(&pt->kt);
	list_del_init(&pt->rq);
	pt->status = PT_DISARMED;
	int64_t value = ts_to_ktime(&nv.it_value);
	pt->interval = value ? ts_to_ktime(&nv.it_interval) : 0;	/* posix_timer_set_common() */
	pt->overrun = -1;
	pt->overrun_last = 0;
	if (value) {
		if ((int)flags & TIMER_ABSTIME)
			pt->expires = clock_abs_to_mono(pt->clock, value);
		else
			pt->expires = (uint64_t)ktime_add_safe((int64_t)ktime_mono_now(), value);
		if (pt->notify != SIGEV_NONE) {
			if (ktimer_add(&pt->kt, pt->expires) < 0) return -ENOMEM;
			pt->status = PT_ARMED;
		}
	} else {
		pt->expires = 0;
	}
	DBG(DBG_TIMER, "[%d] timer %d set: value %lld interval %lld%s", task_vpid(r->task), pt->id,
	    (long long)value, (long long)pt->interval, (int)flags & TIMER_ABSTIME ? " abs" : "");
	if (old_value && copy_to_guest(r->task->tid, old_value, &ov, sizeof ov)) return -EFAULT;
	return 0;
}

/* SYSCALL_DEFINE2(timer_gettime): EINVAL for an unknown id, then EFAULT */
long sys_timer_gettime(struct sysreq *r, int timerid, uint64_t value)
{
	struct kitimerspec cur;
	struct ptimer *pt = lookup(r, timerid);
	if (!pt) return -EINVAL;
	if (pt->native) return native_with_id(r, pt);
	ptimer_get(pt, &cur);
	return copy_to_guest(r->task->tid, value, &cur, sizeof cur) ? -EFAULT : 0;
}

/* SYSCALL_DEFINE1(timer_getoverrun): the overrun of the last delivered signal,
 * clamped to DELAYTIMER_MAX (INT_MAX) */
long sys_timer_getoverrun(struct sysreq *r, int timerid)
{
	struct ptimer *pt = lookup(r, timerid);
	if (!pt) return -EINVAL;
	if (pt->native) return native_with_id(r, pt);
	if (pt->status == PT_REQUEUE_PENDING && pt->sig_queued) {
		/* taken without a delivery stop (sigwaitinfo)? then it was delivered */
		struct task *target = ptimer_target(pt);
		if (target && !ptimer_still_queued(pt, target)) ptimer_rearm(pt);
	}
	return overrun_to_int(pt->overrun_last);
}

/* SYSCALL_DEFINE1(timer_delete): EINVAL for an unknown id; a queued signal of the
 * timer is dropped */
long sys_timer_delete(struct sysreq *r, int timerid)
{
	struct ptimer *pt = lookup(r, timerid);
	if (!pt) return -EINVAL;
	DBG(DBG_TIMER, "[%d] timer %d deleted", task_vpid(r->task), pt->id);
	if (pt->native) {
		long ret = native_with_id(r, pt);
		ptimer_free(pt);
		return ret;
	}
	ptimer_free(pt);
	return 0;
}
