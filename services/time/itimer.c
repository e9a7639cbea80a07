/* services/time/itimer.c - alarm, setitimer and getitimer for ITIMER_REAL.
 *
 * Linux (kernel/time/itimer.c): ITIMER_REAL is one hrtimer per process
 * (signal_struct::real_timer) plus an interval (it_real_incr). On expiry it_real_fn()
 * sends SIGALRM to the process with SEND_SIG_PRIV (si_code SI_KERNEL, si_pid 0,
 * checked against a native run); the interval timer is rearmed when SIGALRM is
 * dequeued (dequeue_signal() forwards it past now), so expiries while SIGALRM is
 * still queued are lost, and getitimer reports it_value 0 meanwhile. alarm() is
 * setitimer(ITIMER_REAL) with whole seconds, returning the old value rounded (up when
 * it has >= 0.5 s, and never 0 for a pending alarm). ITIMER_REAL survives exec, is
 * not inherited by fork children, and dies with the process.
 *
 * Here too: an expired interval timer waits (real_requeue) until its SIGALRM is
 * delivered (time_signal_delivering() at the delivery stop) and is then forwarded past
 * now; a SIGALRM taken without a delivery stop (sigwaitinfo) is noticed by the tick's
 * poll, as no longer pending. ITIMER_VIRTUAL and ITIMER_PROF count CPU time and run
 * natively (the table traps only ITIMER_REAL). */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/time.h>
#include "services/time/time_internal.h"
#include "services/time/sigcheck.h"
#include "core/guest_mem.h"
#include "core/log.h"

/* the guest's struct __kernel_old_itimerval */
struct old_itimerval { struct { long tv_sec, tv_usec; } it_interval, it_value; };

static struct list_head requeue = LIST_HEAD_INIT(requeue);

/* The rearm at dequeue: hrtimer_forward(now, it_real_incr) from the last expiry */
static void real_rearm(struct tproc *p)
{
	uint64_t now = ktime_mono_now(), e = p->real.expires, iv = (uint64_t)p->real_incr;
	uint64_t k = now >= e ? (now - e) / iv + 1 : 0, next = e + k * iv;
	p->real_requeue = false;
	list_del_init(&p->real_rq);
	ktimer_add(&p->real, next < e ? KTIME_MAX : next);
}

/* it_real_fn(): SIGALRM to the process, SI_KERNEL */
static void it_real_fn(struct ktimer *kt)
{
	struct tproc *p = kt->data;
	siginfo_t si;
	memset(&si, 0, sizeof si);
	si.si_signo = SIGALRM;
	si.si_code = SI_KERNEL;
	if (p->real_incr) {
		p->real_requeue = true;
		list_del_init(&p->real_rq);
		list_add_tail(&p->real_rq, &requeue);
	}
	if (time_send_signal(p->leader, &si, false) && p->real_requeue)
		real_rearm(p);	/* could not send: keep going */
}

void itimer_init(struct tproc *p)
{
	ktimer_init(&p->real, it_real_fn, p);
	list_init(&p->real_rq);
	p->real_incr = 0;
	p->real_requeue = false;
}

void itimer_release(struct tproc *p)
{
	ktimer_del(&p->real);
	list_del_init(&p->real_rq);
}

bool itimer_delivering(struct tproc *p, siginfo_t *si)
{
	(void)si;
	if (p->real_requeue && p->real_incr) real_rearm(p);
	return true;
}

/* SIGALRMs taken without a delivery stop: rearm once none is pending */
void itimer_poll(unsigned budget)
{
	while (budget-- && !list_empty(&requeue)) {
		struct tproc *p = list_entry(requeue.next, struct tproc, real_rq);
		list_del_init(&p->real_rq);
		list_add_tail(&p->real_rq, &requeue);
		int r = sig_is_pending(p->leader->tid, p->leader->tid, SIGALRM, false);
		if (r == 0) real_rearm(p);
		else if (r < 0) list_del_init(&p->real_rq);
	}
}

/* itimer_get_remtime(): the time left, at least 1 us while active; 0 once expired
 * (or, for an interval timer, while its SIGALRM waits to be dequeued) */
static int64_t real_remaining(struct tproc *p)
{
	if (!ktimer_pending(&p->real)) return 0;
	int64_t rem = (int64_t)p->real.expires - (int64_t)ktime_mono_now();
	return rem <= 0 ? NSEC_PER_USEC : rem;
}

/* do_setitimer(ITIMER_REAL): the old value, then cancel and start anew */
static void set_real(struct tproc *p, int64_t value, int64_t interval, int64_t *ovalue, int64_t *ointerval)
{
	if (ovalue) *ovalue = real_remaining(p);
	if (ointerval) *ointerval = p->real_incr;
	ktimer_del(&p->real);
	p->real_requeue = false;
	list_del_init(&p->real_rq);
	if (value) {
		p->real_incr = interval;
		ktimer_add(&p->real, (uint64_t)ktime_add_safe((int64_t)ktime_mono_now(), value));
	} else {
		p->real_incr = 0;
	}
	DBG(DBG_TIMER, "[%d] ITIMER_REAL value %lld interval %lld", task_vpid(p->leader),
	    (long long)value, (long long)interval);
}

/* SYSCALL_DEFINE1(alarm) -> alarm_setitimer() */
long sys_alarm(struct sysreq *r, unsigned seconds)
{
	struct tproc *p = tproc_get(r->task, true);
	if (!p) return SYSRET_NATIVE;	/* no memory: the host's own alarm */
	int64_t old;
	set_real(p, (int64_t)seconds * NSEC_PER_SEC, 0, &old, NULL);
	long sec = (long)(old / NSEC_PER_SEC), nsec = (long)(old % NSEC_PER_SEC);
	/* "We can't return 0 if we have an alarm pending ... And we'd better return
	 * too much than too little anyway" */
	if ((!sec && nsec) || nsec >= NSEC_PER_SEC / 2) sec++;
	return sec;
}

static bool tv_valid(long sec, long usec) { return sec >= 0 && usec >= 0 && usec < 1000000; }

static void to_old(struct old_itimerval *o, int64_t value, int64_t interval)
{
	o->it_value.tv_sec = value / NSEC_PER_SEC;
	o->it_value.tv_usec = (value % NSEC_PER_SEC) / NSEC_PER_USEC;
	o->it_interval.tv_sec = interval / NSEC_PER_SEC;
	o->it_interval.tv_usec = (interval % NSEC_PER_SEC) / NSEC_PER_USEC;
}

static int64_t tv_to_ns(long sec, long usec)
{
	struct timespec ts = { sec, usec * NSEC_PER_USEC };
	return ts_to_ktime(&ts);
}

/* SYSCALL_DEFINE3(setitimer): EFAULT/EINVAL from get_itimerval() (timeval_valid():
 * tv_sec >= 0, 0 <= tv_usec < 1e6) before `which` is looked at; a NULL value disarms
 * (the kernel's "misfeature"); ovalue is written after the timer is set (EFAULT then). */
long sys_setitimer(struct sysreq *r, uint64_t which, uint64_t value, uint64_t ovalue)
{
	struct old_itimerval v, o;
	if ((int)which != ITIMER_REAL) return SYSRET_NATIVE;
	memset(&v, 0, sizeof v);
	if (value) {
		if (copy_from_guest(r->task->tid, &v, value, sizeof v)) return -EFAULT;
		if (!tv_valid(v.it_value.tv_sec, v.it_value.tv_usec) ||
		    !tv_valid(v.it_interval.tv_sec, v.it_interval.tv_usec))
			return -EINVAL;
	}
	struct tproc *p = tproc_get(r->task, true);
	if (!p) return SYSRET_NATIVE;
	int64_t oval, oint;
	set_real(p, tv_to_ns(v.it_value.tv_sec, v.it_value.tv_usec),
		 tv_to_ns(v.it_interval.tv_sec, v.it_interval.tv_usec), &oval, &oint);
	if (!ovalue) return 0;
	to_old(&o, oval, oint);
	return copy_to_guest(r->task->tid, ovalue, &o, sizeof o) ? -EFAULT : 0;
}

/* SYSCALL_DEFINE2(getitimer) */
long sys_getitimer(struct sysreq *r, uint64_t which, uint64_t value)
{
	struct old_itimerval o;
	if ((int)which != ITIMER_REAL) return SYSRET_NATIVE;
	struct tproc *p = tproc_get(r->task, false);
	to_old(&o, p ? real_remaining(p) : 0, p ? p->real_incr : 0);
	return copy_to_guest(r->task->tid, value, &o, sizeof o) ? -EFAULT : 0;
}
