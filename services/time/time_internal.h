/* services/time/time_internal.h - state shared by the files of services/time.
 *
 * Per process (struct tproc, keyed by the thread-group leader's task, which lives as
 * long as the process): ITIMER_REAL, the POSIX timers and the next timer id, as
 * Linux keeps them in signal_struct. Per sleeping thread (struct sleeper): the
 * request blocked in nanosleep/clock_nanosleep. Linux keeps its timer ids in a hash
 * table keyed by (signal_struct, id); so do we (keyed by tproc and id).
 *
 * Thread: tracer thread only. */
#ifndef PERSONA_TIME_INTERNAL_H
#define PERSONA_TIME_INTERNAL_H
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include "core/list.h"
#include "core/task.h"
#include "services/time/ktimer.h"
#include "services/time/time.h"

#define NSEC_PER_SEC 1000000000ll
#define NSEC_PER_USEC 1000ll
/* Bound on the POSIX timers the supervisor keeps for all guests together: past it
 * timer_create fails with EAGAIN even below the guest's RLIMIT_SIGPENDING. */
#define TIME_MAX_TIMERS (1u << 18)
/* Sleeping tasks whose signals are looked at per tick (/proc reads): the cost of a
 * tick stays bounded however many guests sleep; each is seen at least every
 * ceil(n / TIME_SCAN_BUDGET) ticks. Signals sent by guests are seen at once. */
#define TIME_SCAN_BUDGET 32
/* ... and each at most every this many ticks (16 ms at 250 Hz) */
#define TIME_SCAN_EVERY 4
/* Interval timers waiting for their signal's delivery are rearmed by the delivery
 * stop; one whose signal was taken without one (sigwaitinfo, signalfd) is found by
 * this many /proc reads per tick. */
#define TIME_POLL_BUDGET 32

typedef uint64_t gaddr_t;

enum ptimer_status { PT_DISARMED, PT_ARMED, PT_REQUEUE_PENDING };

struct tproc;

/* one POSIX timer (Linux's struct k_itimer) */
struct ptimer {
	int id;				/* the guest's timer id */
	struct tproc *proc;
	struct ptimer *hnext;		/* id hash chain */
	struct list_head node;		/* proc->timers */
	bool native;			/* a CPU-clock timer the host runs */
	int host_id;			/* native: the host's id */
	clockid_t clock;
	int notify;			/* SIGEV_SIGNAL, SIGEV_NONE, SIGEV_THREAD_ID|SIGNAL */
	int signo;
	union sigval value;
	pid_t target_tid;		/* SIGEV_THREAD_ID: host tid of the thread */
	struct task *target;		/* ... its task (checked before use) */
	bool target_gone;		/* that thread exited: no more signals */
	struct ktimer kt;
	int64_t interval;		/* ns, 0 = one-shot */
	enum ptimer_status status;
	uint64_t expires;		/* monotonic ns of the next (or last) expiry */
	int64_t overrun;		/* it_overrun: -1 after a set or a delivery */
	int64_t overrun_last;		/* of the last delivered signal (timer_getoverrun) */
	uint64_t seq, sent_seq;		/* it_signal_seq / it_sigqueue_seq */
	bool sig_queued;		/* our signal is queued, not seen delivered */
	struct list_head rq;		/* requeue-pending interval timers (the tick's poll) */
};

struct tproc {
	struct task *leader;
	struct tproc *hnext;
	/* ITIMER_REAL (and alarm) */
	struct ktimer real;
	int64_t real_incr;		/* interval ns */
	bool real_requeue;		/* expired interval timer, rearmed when SIGALRM is
					 * dequeued (dequeue_signal()) */
	struct list_head real_rq;	/* the tick's poll of those */
	/* POSIX timers */
	struct list_head timers;
	unsigned ntimers;
	int next_id;			/* signal_struct::next_posix_timer_id */
};

/* a thread blocked in nanosleep/clock_nanosleep */
struct sleeper {
	struct ktimer kt;
	struct task *task;
	pid_t tid;
	struct task *leader;
	struct sleeper *hnext;		/* by task */
	struct list_head node;		/* all sleepers (the tick's scan) */
	bool relative;			/* remaining time is written on EINTR */
	gaddr_t rmtp;			/* 0: none */
	int argi_req;			/* argument holding the timespec (native hand-off) */
	int status_fd;			/* its /proc status file, opened by the first scan */
	uint64_t next_scan;		/* jiffies of its next scan */
};

/* time.c */
struct tproc *tproc_get(struct task *t, bool create);	/* t's process; NULL on ENOMEM */
extern struct time_stats time_stats;
/* Now on `clock` in ns (clock_gettime) */
int64_t clock_now(clockid_t clock);
/* Monotonic expiry for an absolute time on `clock` (realtime clocks converted with
 * the offset of now: Linux would re-evaluate on clock_settime) */
uint64_t clock_abs_to_mono(clockid_t clock, int64_t abs_ns);
/* ktime_add_safe(): a + b saturated at KTIME_MAX */
int64_t ktime_add_safe(int64_t a, int64_t b);
/* timespec64_to_ktime(): saturated at KTIME_MAX */
int64_t ts_to_ktime(const struct timespec *ts);
bool ts_valid(const struct timespec *ts);	/* timespec64_valid() */
struct timespec ktime_to_ts(int64_t ns);
/* Sends `si` to the process of `p` or to thread `t` (when thread) and looks for
 * sleepers it interrupts. 0 or -errno. */
int time_send_signal(struct task *t, const siginfo_t *si, bool thread);
/* Whether an emulated clock: REALTIME, MONOTONIC, BOOTTIME, TAI */
bool clock_emulated(clockid_t clock);

/* sleep.c */
void sleep_check_task(struct task *t);			/* interrupt if a signal says so */
void sleep_check_process(struct task *leader);
void sleep_scan(unsigned budget);			/* the tick's round robin */
void sleep_thread_gone(struct task *t);
void sleep_exec(struct task *leader);			/* sleepers of vanished threads */
void sleep_check_all(void);

/* itimer.c */
void itimer_init(struct tproc *p);
void itimer_poll(unsigned budget);
void itimer_release(struct tproc *p);
bool itimer_delivering(struct tproc *p, siginfo_t *si);

/* posix_timer.c */
void ptimer_delete_all(struct tproc *p);		/* exit, exec */
void ptimer_poll(unsigned budget);
void ptimer_thread_gone(struct tproc *p, struct task *t);
bool ptimer_delivering(struct tproc *p, siginfo_t *si);
#endif
