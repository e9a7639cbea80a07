/* services/sched/sched_host.c - the scheduler's hands on the host: what it takes to
 * make "task T runs on virtual CPU c" true of real threads.
 *
 * - Holding: a task without a CPU stays in the ptrace-stop it reached (the gate in
 *   trap_resume); giving it a CPU resumes it (trap_release).
 * - Preempting: PTRACE_INTERRUPT makes a running task stop at its next return to user
 *   space; the stop reaches the gate, which switches. A task sleeping in a native
 *   syscall is never interrupted (the call could return EINTR): it is noticed asleep
 *   at a tick (host state S or D) and gives its CPU up instead.
 * - Native sleepers: the host wakes them without asking us. Each tick polls their
 *   state; a woken one re-enters the run queue, and if it gets no CPU at once it is
 *   interrupted (it is running now, so the interrupt cannot break a sleep). A trapped
 *   syscall with an exit stop (wait4, ...) brings it to the gate even sooner.
 * - Accounting: the real CPU time of each thread, from /proc/TID/schedstat, so that
 *   host noise (the supervisor, other processes) does not bias the plugin's shares.
 * - Pinning (--pin): with no more virtual CPUs than host CPUs, virtual CPU c is host
 *   CPU c: a task is pinned to its CPU, so the vDSO's getcpu and rseq's cpu_id tell
 *   the guest its virtual CPU. Off by default: measured, a loop of 50 fork+exec of
 *   /bin/true took 1.66 s pinned against 0.69 s unpinned on 2 vCPUs with other load on
 *   the host, since a pinned task cannot move away from a busy host CPU.
 * - Co-location (without --pin): every stop of a guest is a round trip with the
 *   tracer thread. On two host CPUs it is two cross-CPU wake-ups (an IPI, an idle
 *   vCPU brought back), on one a plain context switch. Left alone, the host often
 *   puts them together on a quiet machine (the tracee's stop is a sync wake-up of
 *   its tracer), but not when other load runs: fork+exec+wait of /bin/true measured
 *   17-40% faster co-located on a loaded VM, 5-10% slower on a quiet one (less
 *   overlap of parent, child and tracer), with a lower mean and spread over mixed
 *   load. So while the host's CPUs are contended (PSI, /proc/pressure/cpu) a young
 *   task (less than COLO_NS of host CPU time: a shell's child about to exec, a
 *   short program taking most of its stops while it starts) is placed on the host
 *   CPU the tracer runs on, following the tracer if it moves; once it has computed
 *   that long it gets the supervisor's own CPUs back, so computing guests still
 *   run in parallel (checked at each tick). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <time.h>
#include <unistd.h>
#include "services/sched/sched_internal.h"
#include "core/task.h"
#include "core/trap.h"
#include "core/log.h"

static bool pin;
static bool colo;		/* co-location, unless --pin or a single host CPU */
static cpu_set_t all_cpus;	/* the supervisor's own CPUs: a grown-up task's */
#define COLO_NS (5 * 1000000ULL)	/* 3 and 20 ms measured alike; see docs/performance.md */
#define COLO_PSI 10.0		/* % of time some task waited for a host CPU (avg10) */
static bool contended = true;	/* as of the last look at /proc/pressure/cpu */
static uint64_t psi_checked;
static int psi_fd = -1;

static uint64_t tick_ns(void) { return sc.hz ? 1000000000ull / sc.hz : 4000000; }

void sched_host_init(const struct sched_options *o)
{
	pin = o->pin && sc.ncpus <= sc.nhost;
	colo = !pin && sc.nhost > 1 && sched_getaffinity(0, sizeof all_cpus, &all_cpus) == 0;
	sc.start_ns = sched_clock();
	for (unsigned c = 0; c < sc.ncpus; c++) sc.cpu[c].idle_since = sc.start_ns;
}

static int proc_fd(struct sched_entity *se, int *fd, const char *file)
{
	if (*fd >= 0) return *fd;
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/%s", se->task->tid, file);
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	return *fd;
}

static ssize_t proc_read(struct sched_entity *se, int *fd, const char *file, char *buf, size_t len)
{
	if (proc_fd(se, fd, file) < 0) return -1;
	ssize_t n = pread(*fd, buf, len - 1, 0);
	if (n < 0) return -1;
	buf[n] = 0;
	return n;
}

enum { CLOCK_NONE, CLOCK_SCHEDSTAT, CLOCK_PROCESS };

/* ns the thread has run on a host CPU. A process of one thread: its process CPU
 * clock (clock_gettime of another process's CPU-time clock: one syscall, where a
 * read of /proc/TID/schedstat makes procfs print the file, ~19 us a read on this VM:
 * a fork+exec+wait of /bin/true took ~17 of them, ~5% of its time). Otherwise
 * schedstat's first field (the kernel gives thread clocks of its own threads only).
 * The two clocks differ (a process's counts its dead threads): when a thread
 * changes clock, that reading is a new baseline, counted as no time. */
static bool host_runtime(struct sched_entity *se, uint64_t *ns)
{
	struct task *t = se->task;
	if (!t->kthread && t->leader == t && t->live_threads == 1) {
		struct timespec ts;
		clockid_t clk = (clockid_t)((~(unsigned)t->tid) << 3) | 2;	/* CPUCLOCK_SCHED */
		if (clock_gettime(clk, &ts) == 0) {
			*ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
			if (se->host_clock && se->host_clock != CLOCK_PROCESS) se->host_runtime = *ns;
			se->host_clock = CLOCK_PROCESS;
			return true;
		}
	}
	char buf[96];
	if (proc_read(se, &se->schedstat_fd, "schedstat", buf, sizeof buf) <= 0) return false;
	*ns = strtoull(buf, NULL, 10);
	if (se->host_clock && se->host_clock != CLOCK_SCHEDSTAT) se->host_runtime = *ns;
	se->host_clock = CLOCK_SCHEDSTAT;
	return true;
}

/* the state letter of /proc/TID/stat (after the last ')': comm may hold anything) */
static char host_state(struct sched_entity *se)
{
	char buf[512];
	if (proc_read(se, &se->stat_fd, "stat", buf, sizeof buf) <= 0) return 0;
	char *p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

uint64_t sched_host_account(struct sched_entity *se)
{
	uint64_t now_rt, delta = 0;
	if (!host_runtime(se, &now_rt)) return 0;
	if (now_rt > se->host_runtime) delta = now_rt - se->host_runtime;
	se->host_runtime = now_rt;
	if (se->state == SE_RUNNING) {
		se->pt.sum_exec_runtime += delta;
		se->pt.slice_exec += delta;
		sc.cpu[se->pt.cpu].busy_ns += delta;
	} else {
		se->pt.sum_exec_runtime += delta;	/* ran without a CPU: still its time */
	}
	return delta;
}

void sched_host_run(struct sched_entity *se, unsigned c)
{
	struct task *t = se->task;
	if (pin && se->host_cpu != c + 1) {
		cpu_set_t set;
		CPU_ZERO(&set);
		CPU_SET(c % sc.nhost, &set);
		if (sched_setaffinity(t->tid, sizeof set, &set) == 0) se->host_cpu = c + 1;
	}
	uint64_t rt;
	if (host_runtime(se, &rt)) {
		if (rt > se->host_runtime) se->pt.sum_exec_runtime += rt - se->host_runtime;
		se->host_runtime = rt;
	}
	if (se->held && se != sc.gate) {
		se->held = false;
		if (trap_release(t, se->held_sig) < 0)
			DBG(DBG_SCHED, "task %d gone before it could run", se->pt.tid);
	}
}

static void interrupt(struct sched_entity *se)
{
	if (se->held) return;
	if (se->interrupted && sched_clock() - se->interrupt_at < 2 * tick_ns()) return;	/* in flight */
	if (ptrace(PTRACE_INTERRUPT, se->task->tid, 0, 0) == 0) {
		se->interrupted = true;
		se->interrupt_at = sched_clock();
		sc.preempt_irqs++;
		DBG(DBG_SCHED, "interrupt %d", se->pt.tid);
	}
}

void sched_host_preempt(unsigned c)
{
	struct sched_entity *se = sc.cpu[c].curr;
	if (!se) return;
	sc.cpu[c].need_resched = true;
	/* a task stopped in the personality (a trap being handled, parked) reaches the
	 * gate on its own; only one running on the host needs the interrupt */
	if (se->task->state == TASK_RUNNING) interrupt(se);
}


bool sched_host_sleeping(struct sched_entity *se, uint64_t delta)
{
	uint64_t tick = tick_ns();
	if (se->task->state != TASK_RUNNING) return false;
	/* an interrupt in flight will bring it to the gate; one that got lost (an other
	 * stop took its place, the task then went to sleep) must not pin the CPU */
	if (se->interrupted && sched_clock() - se->interrupt_at < 2 * tick) return false;
	if (delta > tick / 2) return false;	/* it has been computing */
	char st = host_state(se);
	return st == 'S' || st == 'D';
}

void sched_host_watch(struct sched_entity *se)
{
	if (!se->watched) sc.native_sleeps++;
	se->watched = true;
	DBG(DBG_SCHED, "task %d sleeps in a native syscall: CPU released", se->pt.tid);
}

void sched_host_unwatch(struct sched_entity *se) { se->watched = false; }

void sched_host_poll_sleepers(void)
{
	for (struct sched_entity *se = sc.all, *next; se; se = next) {
		next = se->next_all;
		if (!se->watched || se->state != SE_OFF || se->off != OFF_NATIVE) continue;
		char st = host_state(se);
		if (st != 'R') continue;	/* S, D: still asleep; t: its stop comes to the gate */
		sc.native_wakes++;
		se_wake(se, PERSONA_ENQ_WAKEUP);
		/* running on the host without a CPU: stop it until it gets one */
		if (se->state == SE_QUEUED && !se->held) interrupt(se);
	}
}

void sched_host_comm(struct sched_entity *se)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/comm", se->task->tid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, se->comm, sizeof se->comm - 1) : -1;
	if (fd >= 0) close(fd);
	if (n <= 0) n = 0;
	se->comm[n] = 0;
	char *nl = strchr(se->comm, '\n');
	if (nl) *nl = 0;
}

void sched_host_close(struct sched_entity *se)
{
	if (se->stat_fd >= 0) close(se->stat_fd);
	if (se->schedstat_fd >= 0) close(se->schedstat_fd);
	se->stat_fd = se->schedstat_fd = -1;
}

/* Whether other work competes for the host's CPUs: /proc/pressure/cpu's "some
 * avg10" above COLO_PSI, looked at once a second at most (without PSI: yes). Only
 * then does co-location pay: on an idle host the tracer and its tracee meet on one
 * CPU by themselves often enough, and forcing it costs the overlap of the rest. */
static bool host_contended(void)
{
	uint64_t now = sched_clock();
	if (psi_checked && now - psi_checked < 1000000000ULL) return contended;
	psi_checked = now;
	if (psi_fd < 0) psi_fd = open("/proc/pressure/cpu", O_RDONLY | O_CLOEXEC);
	char buf[160];
	ssize_t n = psi_fd >= 0 ? pread(psi_fd, buf, sizeof buf - 1, 0) : -1;
	if (n <= 0) return contended = true;
	buf[n] = 0;
	const char *p = strstr(buf, "avg10=");
	bool was = contended;
	contended = !p || strtod(p + 6, NULL) > COLO_PSI;
	if (contended != was)
		DBG(DBG_SCHED, "host CPUs %s: co-location %s", contended ? "contended" : "idle enough",
		    contended ? "on" : "off");
	return contended;
}

static void colocate_release(struct sched_entity *se)
{
	if (se->colo_cpu) sched_setaffinity(se->task->tid, sizeof all_cpus, &all_cpus);
	se->colo_cpu = 0;
}

void sched_host_colocate(struct sched_entity *se)
{
	if (!colo || se->colo_done || se->task->kthread) return;
	if (!host_contended()) {
		colocate_release(se);
		return;
	}
	if (se->pt.sum_exec_runtime > COLO_NS) {
		sched_host_colocate_check(se);
		return;
	}
	int cpu = sched_getcpu();
	if (cpu < 0 || se->colo_cpu == (unsigned)cpu + 1) return;
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	if (sched_setaffinity(se->task->tid, sizeof one, &one) == 0) se->colo_cpu = (unsigned)cpu + 1;
}

void sched_host_colocate_check(struct sched_entity *se)
{
	if (!colo || se->colo_done || se->pt.sum_exec_runtime <= COLO_NS) return;
	se->colo_done = true;
	if (se->colo_cpu)
		DBG(DBG_SCHED, "task %d has computed %.1f ms: on every host CPU again", se->pt.tid,
		    se->pt.sum_exec_runtime / 1e6);
	colocate_release(se);
}
