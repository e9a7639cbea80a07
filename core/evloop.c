/* core/evloop.c - see evloop.h */
#include <errno.h>
#include <liburing.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "core/evloop.h"
#include "core/irq.h"
#include "core/control.h"
#include "core/lifecycle.h"
#include "core/log.h"
#include "core/tracer.h"
#include "services/deferred/softirq.h"
#include "services/io/ioservice.h"
#include "services/sched/sched.h"
#include "core/shim.h"

#define TICK_SIGNAL (SIGRTMIN + 2)	/* glibc keeps SIGRTMIN..+1 for itself */

enum source { SRC_SIGNAL = 1, SRC_HRTIMER, SRC_KICK, SRC_CONTROL, SRC_CANCEL, SRC_CHILD };

/* IORING_OP_WAITID (Linux 6.7; liburing 2.3 predates it): the ring itself waits for
 * the guests' ptrace stops and exits, one completion per event, so a stop costs one
 * io_uring_enter, as a blocking waitpid would. Without it (older kernels) SIGCHLD
 * comes through the signalfd and events are reaped with waitpid(WNOHANG). */
#define OP_WAITID 50
static bool waitid_mode;
static bool no_children, waitid_refused;
static siginfo_t child_si;

sigset_t evloop_saved_sigmask;
extern int irq_kick_fd;
void irq_run_calls(void);

/* IORING_OP_FUTEX_WAIT (Linux 6.7; liburing 2.3 predates it): the ring waits on the
 * shim's channel words (core/trap_shim.c), so a guest's request wakes the loop like
 * any other interrupt source, without a descriptor in the guest. */
#define OP_FUTEX_WAIT 51
#define FUTEX2_SIZE_U32 0x02
static bool futex_ok;

static struct io_uring ring;
static int sig_fd = -1, hr_fd = -1;
static timer_t tick_timer;
static bool tick_on, ring_on;
static struct signalfd_siginfo sig_buf[16];
static uint64_t hr_buf, kick_buf;

static unsigned this_cpu(void)
{
	int c = sched_getcpu();
	return c < 0 ? 0 : (unsigned)c % irq_ncpus;
}

static void arm_read(int fd, void *buf, unsigned len, enum source src)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
	if (!sqe) { io_uring_submit(&ring); sqe = io_uring_get_sqe(&ring); }
	io_uring_prep_read(sqe, fd, buf, len, 0);
	io_uring_sqe_set_data64(sqe, src);
}

static int ctl_fd = -1;

static void arm_waitid(void)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
	if (!sqe) { io_uring_submit(&ring); sqe = io_uring_get_sqe(&ring); }
	io_uring_prep_rw(OP_WAITID, sqe, 0, NULL, P_ALL, 0);
	sqe->file_index = WEXITED | WSTOPPED | __WALL;	/* the options */
	sqe->addr2 = (uintptr_t)&child_si;
	io_uring_sqe_set_data64(sqe, SRC_CHILD);
}

/* waitid's siginfo as the wait status waitpid would have given */
static int wait_status(const siginfo_t *si)
{
	switch (si->si_code) {
	case CLD_EXITED: return (si->si_status & 0xff) << 8;
	case CLD_KILLED: return si->si_status & 0x7f;
	case CLD_DUMPED: return (si->si_status & 0x7f) | 0x80;
	case CLD_CONTINUED: return 0xffff;
	default: return (si->si_status << 8) | 0x7f;	/* stops; ptrace events in bits 16+ */
	}
}

/* A guest's stop or exit: the interrupt is the event's arrival; handling the stop
 * (ptrace requests, handlers) is the tracer's process context */
static void child_event(pid_t tid, int status)
{
	unsigned cpu = this_cpu();
	irq_enter(cpu, IRQ_CHILD);
	irq_exit(cpu);
	tracer_handle(tid, status);
	lifecycle_flush_later();	/* stops and deaths seen by injections meanwhile */
}

static void on_child(int res)
{
	if (res == -EINVAL || res == -EOPNOTSUPP) {	/* no IORING_OP_WAITID: signalfd path */
		waitid_mode = false;
		waitid_refused = true;
		return;
	}
	if (res == -ECHILD) { no_children = true; return; }
	if (res >= 0 && child_si.si_pid > 0) child_event(child_si.si_pid, wait_status(&child_si));
	arm_waitid();
}

static void arm_accept(void)
{
	if (ctl_fd < 0) return;
	struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
	if (!sqe) { io_uring_submit(&ring); sqe = io_uring_get_sqe(&ring); }
	io_uring_prep_accept(sqe, ctl_fd, NULL, NULL, SOCK_CLOEXEC);
	io_uring_sqe_set_data64(sqe, SRC_CONTROL);
}

static int start_tick(unsigned hz)
{
	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = TICK_SIGNAL };
	long ns = 1000000000L / hz;
	struct itimerspec its = { { ns / 1000000000L, ns % 1000000000L },
				  { ns / 1000000000L, ns % 1000000000L } };
	if (timer_create(CLOCK_MONOTONIC, &ev, &tick_timer) < 0) return -errno;
	if (timer_settime(tick_timer, 0, &its, NULL) < 0) return -errno;
	tick_on = true;
	return 0;
}

int evloop_init(unsigned hz)
{
	sigset_t set;
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	irq_ncpus = n > 0 && n <= PERSONA_MAX_CPUS ? (unsigned)n : 1;
	irq_hz = hz;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, TICK_SIGNAL);
	if (sigprocmask(SIG_BLOCK, &set, &evloop_saved_sigmask) < 0) return -errno;
	/* SIGCHLD stays blocked; the signalfd reads it only without IORING_OP_WAITID */
	waitid_mode = !getenv("PERSONA_NO_WAITID");
	if (waitid_mode) sigdelset(&set, SIGCHLD);
	if ((sig_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK)) < 0) return -errno;
	if ((hr_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC)) < 0) return -errno;
	if ((irq_kick_fd = eventfd(0, EFD_CLOEXEC)) < 0) return -errno;
	int err = io_uring_queue_init(32, &ring, 0);
	if (err < 0) return err;
	ring_on = true;
	struct io_uring_probe *probe = io_uring_get_probe_ring(&ring);
	futex_ok = probe && io_uring_opcode_supported(probe, OP_FUTEX_WAIT);
	if (probe) io_uring_free_probe(probe);
	io_init();
	arm_read(sig_fd, sig_buf, sizeof sig_buf, SRC_SIGNAL);
	arm_read(hr_fd, &hr_buf, sizeof hr_buf, SRC_HRTIMER);
	arm_read(irq_kick_fd, &kick_buf, sizeof kick_buf, SRC_KICK);
	ctl_fd = control_init();	/* persona ctl; without it the supervisor still runs */
	if (ctl_fd < 0) log_err("no control socket: %s", strerror(-ctl_fd));
	arm_accept();
	io_uring_submit(&ring);
	return hz ? start_tick(hz) : 0;
}

bool evloop_has_futex_wait(void) { return futex_ok; }

static struct io_uring_sqe *get_sqe(void)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
	if (!sqe) { io_uring_submit(&ring); sqe = io_uring_get_sqe(&ring); }
	return sqe;
}

void evloop_futex_wait(const volatile uint32_t *addr, uint32_t val, uint32_t mask, uint64_t tag)
{
	struct io_uring_sqe *sqe = get_sqe();
	/* a shared futex (no FUTEX2_PRIVATE): the word is in a frame the guest maps too */
	io_uring_prep_rw(OP_FUTEX_WAIT, sqe, FUTEX2_SIZE_U32, (const void *)addr, 0, 0);
	sqe->addr2 = val;
	sqe->addr3 = mask;
	io_uring_sqe_set_data64(sqe, tag);
}

void evloop_cancel(uint64_t tag)
{
	struct io_uring_sqe *sqe = get_sqe();
	io_uring_prep_cancel64(sqe, tag, 0);
	io_uring_sqe_set_data64(sqe, SRC_CANCEL);
}

void irq_hrtimer_arm(uint64_t deadline_ns)
{
	struct itimerspec its = { { 0, 0 }, { deadline_ns / 1000000000ull, deadline_ns % 1000000000ull } };
	if (hr_fd >= 0) timerfd_settime(hr_fd, TFD_TIMER_ABSTIME, &its, NULL);
}

/* Reaps every pending ptrace event: each is a child interrupt. Returns false when
 * there are no children left at all. */
static bool reap_children(void)
{
	int st;
	pid_t tid;
	for (;;) {
		tid = waitpid(-1, &st, __WALL | WNOHANG);
		if (tid < 0 && errno == EINTR) continue;
		if (tid <= 0) return !(tid < 0 && errno == ECHILD);
		child_event(tid, st);
	}
}

static void on_signals(int res)
{
	int n = res > 0 ? res / (int)sizeof sig_buf[0] : 0;
	for (int i = 0; i < n; i++) {
		if ((int)sig_buf[i].ssi_signo != TICK_SIGNAL) continue;	/* SIGCHLD: reaped below */
		unsigned cpu = this_cpu();
		irq_enter(cpu, IRQ_TIMER);
		jiffies += 1 + sig_buf[i].ssi_overrun;
		raise_softirq(cpu, TIMER_SOFTIRQ);
		sched_tick();	/* scheduler_tick(): accounting, slices, preemption */
		irq_exit(cpu);
	}
	arm_read(sig_fd, sig_buf, sizeof sig_buf, SRC_SIGNAL);
}

static void on_completion(struct io_uring_cqe *cqe)
{
	unsigned cpu = this_cpu();
	uint64_t data = io_uring_cqe_get_data64(cqe);
	if (data >> 63) {	/* a shim channel's word changed */
		irq_enter(cpu, IRQ_SHIM);
		irq_exit(cpu);
		shim_channel_event(data, cqe->res);
		return;
	}
	if (data > SRC_CHILD) {	/* a pointer: a request of the I/O service */
		io_complete(cqe);
		return;
	}
	switch (data) {
	case SRC_SIGNAL:
		on_signals(cqe->res);
		break;
	case SRC_HRTIMER:
		irq_enter(cpu, IRQ_HRTIMER);
		raise_softirq(cpu, TIMER_SOFTIRQ);
		irq_exit(cpu);
		arm_read(hr_fd, &hr_buf, sizeof hr_buf, SRC_HRTIMER);
		break;
	case SRC_CHILD:
		on_child(cqe->res);
		break;
	case SRC_CANCEL:	/* the canceled wait completes on its own, with -ECANCELED */
		break;
	case SRC_CONTROL:
		irq_enter(cpu, IRQ_CONTROL);
		irq_exit(cpu);
		if (cqe->res >= 0) control_serve(cqe->res);	/* the accepted connection */
		arm_accept();
		break;
	case SRC_KICK:
		irq_enter(cpu, IRQ_KICK);
		irq_exit(cpu);
		irq_run_calls();
		arm_read(irq_kick_fd, &kick_buf, sizeof kick_buf, SRC_KICK);
		break;
	}
}

/* Switching to the signalfd path at run time (IORING_OP_WAITID refused): SIGCHLD
 * must now come through the signalfd */
static void switch_to_signalfd(void)
{
	sigset_t set;
	waitid_refused = false;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, TICK_SIGNAL);
	signalfd(sig_fd, &set, 0);
	DBG(DBG_IRQ, "io_uring has no waitid: children are reaped after SIGCHLD");
}

int evloop_run(void)
{
	int status;
	bool io_failed = false;
	if (waitid_mode) arm_waitid();	/* now that the first guest exists */
	for (;;) {
		bool children = waitid_mode ? !no_children : reap_children();
		if (lifecycle_done(&status)) return status;
		if (!children) break;	/* init gone without our seeing it */
		struct io_uring_cqe *cqe;
		io_prepare(&ring);
		int err = io_uring_submit_and_wait(&ring, 1);
		if (err < 0 && err != -EINTR && err != -EBUSY) {
			log_err("io_uring: %s", strerror(-err));
			io_failed = true;
			break;
		}
		unsigned head, seen = 0;
		io_uring_for_each_cqe(&ring, head, cqe) {
			on_completion(cqe);
			seen++;
		}
		io_uring_cq_advance(&ring, seen);
		if (waitid_refused) switch_to_signalfd();
	}
	if (!lifecycle_done(&status)) {
		lifecycle_report_unfinished(!io_failed);
		status = W_EXITCODE(255, 0);
	}
	return status;
}

/* Waits for and handles completions once (io_drain, after the loop has ended) */
void evloop_poll_io(void)
{
	struct io_uring_cqe *cqe;
	unsigned head, seen = 0;
	io_prepare(&ring);
	if (io_uring_submit_and_wait(&ring, 1) < 0) return;
	io_uring_for_each_cqe(&ring, head, cqe) {
		on_completion(cqe);
		seen++;
	}
	io_uring_cq_advance(&ring, seen);
}

void evloop_shutdown(void)
{
	control_shutdown();
	ctl_fd = -1;
	if (tick_on) timer_delete(tick_timer);
	tick_on = false;
	if (ring_on) io_uring_queue_exit(&ring);
	ring_on = false;
	if (sig_fd >= 0) close(sig_fd);
	if (hr_fd >= 0) close(hr_fd);
	if (irq_kick_fd >= 0) close(irq_kick_fd);
	sig_fd = hr_fd = irq_kick_fd = -1;
	sigprocmask(SIG_SETMASK, &evloop_saved_sigmask, NULL);
}
