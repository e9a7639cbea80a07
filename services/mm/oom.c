/* services/mm/oom.c - the OOM killer (Linux's mm/oom_kill.c).
 *
 * When the frame pool cannot give a frame, a victim is chosen among the guest
 * processes that have an mm (not kernel threads, zombies, exiting threads, nor
 * processes at oom_score_adj -1000) by Linux's oom_badness(): resident pages plus
 * swap entries (none yet) plus page-table pages, adjusted by oom_score_adj in
 * thousandths of the pool. The guest's oom_score_adj is its host process's
 * /proc/TGID/oom_score_adj (a guest's write reaches that file through procfs). The
 * victim, and every other process sharing its mm (a vfork child), gets SIGKILL, and
 * the kernel's "Out of memory: Killed process" line is logged.
 *
 * Like Linux, while a victim is still dying no other one is chosen. A faulting task
 * of another process then waits: it stays in its SIGSEGV signal-delivery-stop, off
 * its CPU (sched_task_block), and is resumed when the victim's mm is released
 * (mm_oom_mm_released, from mm_put) to retry its access. Waiters are kept by host
 * tid, forgotten at their thread-gone (mm_oom_task_gone), and looked up again at
 * wake-up. With no eligible victim the faulting process itself is killed (Linux
 * panics).
 *
 * Entry points: mm_out_of_memory (fault.c), mm_oom_mm_released (mm.c, mm_put),
 * mm_oom_task_gone (mm.c, mm_task_gone), mm_oom_badness (pure, for unit tests).
 *
 * Thread: tracer thread only. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "core/log.h"
#include "core/trap.h"
#include "services/sched/sched.h"
#include "services/mm/mm_internal.h"

#define OOM_SCORE_ADJ_MIN	(-1000)
#define OOM_SCORE_ADJ_MAX	1000
#define MAX_WAITERS		256

/* the victim still dying: its mm (NULL: none) and host tgid */
static struct mm *victim_mm;
static pid_t victim_tgid;
/* host tids of the tasks waiting in their fault for the victim's memory */
static pid_t waiters[MAX_WAITERS];
static unsigned nwaiters;

long mm_oom_badness(uint64_t rss, uint64_t swapents, uint64_t pgtables, int adj, uint64_t totalpages)
{
	if (adj <= OOM_SCORE_ADJ_MIN) return LONG_MIN;
	long points = (long)(rss + swapents + pgtables);
	points += (long)adj * (long)(totalpages / 1000);	/* mm/oom_kill.c: adj *= totalpages / 1000 */
	return points;
}

/* Reads a small decimal file of the host's /proc. 0 or -errno. */
static int read_host_int(pid_t pid, const char *name, long *val)
{
	char path[64], buf[32];
	snprintf(path, sizeof path, "/proc/%d/%s", pid, name);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) return -errno;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0) return -EIO;
	buf[n] = 0;
	*val = strtol(buf, NULL, 10);
	return 0;
}

static int oom_score_adj(pid_t tgid)
{
	long v = 0;
	if (read_host_int(tgid, "oom_score_adj", &v)) return 0;
	return v < OOM_SCORE_ADJ_MIN ? OOM_SCORE_ADJ_MIN : v > OOM_SCORE_ADJ_MAX ? OOM_SCORE_ADJ_MAX : (int)v;
}

static uint64_t mm_rss(const struct mm *mm) { return mm->rss_anon + mm->rss_file + mm->rss_shmem; }

/* Whether t stands for a live process that has memory to give back. */
static bool eligible(const struct task *t)
{
	if (t->kthread || !t->mm || t->exit_seen) return false;
	if (t->state == TASK_ZOMBIE || t->state == TASK_DEAD || t->state == TASK_NEW) return false;
	/* one thread per process: the leader while it lives, else any thread */
	const struct task *l = t->leader;
	return t == l || !l->mm || l->exit_seen || l->state == TASK_DEAD;
}

struct choice {
	uint64_t total;
	struct task *victim;
	long points;
	int adj;
};

static int consider(struct task *t, void *arg)
{
	struct choice *c = arg;
	if (!eligible(t)) return 0;
	int adj = oom_score_adj(task_tgid(t));
	long points = mm_oom_badness(mm_rss(t->mm), 0, pgtable_nodes(t->mm->pt), adj, c->total);
	if (points == LONG_MIN || (c->victim && points <= c->points)) return 0;
	c->victim = t;
	c->points = points;
	c->adj = adj;
	return 0;
}

static int kill_sharer(struct task *t, void *arg)
{
	if (t->mm == arg && t->state != TASK_DEAD && t->state != TASK_ZOMBIE) kill(task_tgid(t), SIGKILL);
	return 0;
}

static void comm_of(pid_t tid, char *comm, size_t len)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/comm", tid);
	snprintf(comm, len, "?");
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) return;
	ssize_t n = read(fd, comm, len - 1);
	close(fd);
	if (n <= 0) n = 0;
	comm[n] = 0;
	comm[strcspn(comm, "\n")] = 0;
}

/* Kills the chosen process (and the other processes using its mm) and says so as
 * mm/oom_kill.c's __oom_kill_process does. */
static void oom_kill(const struct choice *c)
{
	struct task *v = c->victim;
	struct mm *mm = v->mm;
	char comm[32], path[64];
	struct stat st;
	comm_of(v->tid, comm, sizeof comm);
	snprintf(path, sizeof path, "/proc/%d", task_tgid(v));
	unsigned uid = stat(path, &st) == 0 ? (unsigned)st.st_uid : 0;
	uint64_t kb = PAGE_SIZE >> 10;
	victim_mm = mm;
	victim_tgid = task_tgid(v);
	mm_stat.oom_kill++;
	kill(victim_tgid, SIGKILL);
	task_for_each(kill_sharer, mm);
	log_err("Out of memory: Killed process %d (%s) total-vm:%lukB, anon-rss:%lukB, file-rss:%lukB, "
		"shmem-rss:%lukB, UID:%u pgtables:%lukB oom_score_adj:%d", task_vpid(v), comm,
		(unsigned long)(mm_total_pages(mm) * kb), (unsigned long)(mm->rss_anon * kb),
		(unsigned long)(mm->rss_file * kb), (unsigned long)(mm->rss_shmem * kb), uid,
		(unsigned long)(pgtable_nodes(mm->pt) * kb), c->adj);
}

enum oom_result mm_out_of_memory(struct task *t, bool may_wait)
{
	if (!victim_mm) {
		struct choice c = { .total = frame_pool_frames() };
		task_for_each(consider, &c);
		if (!c.victim) {	/* Linux panics: the faulting process goes instead */
			log_err("Out of memory and no killable process: killing process %d", task_vpid(t));
			mm_stat.oom_kill++;
			kill(task_tgid(t), SIGKILL);
			return OOM_KILLED_SELF;
		}
		oom_kill(&c);
	}
	if (victim_mm == t->mm || victim_tgid == task_tgid(t)) return OOM_KILLED_SELF;
	if (!may_wait || nwaiters == MAX_WAITERS) return OOM_RETRY;
	waiters[nwaiters++] = t->tid;
	sched_task_block(t, OFF_BLOCKED);	/* asleep until the victim's memory is back */
	MMDBG("[%d] waits for the memory of OOM victim %d", task_vtid(t), victim_tgid);
	return OOM_WAIT;
}

void mm_oom_task_gone(struct task *t)
{
	for (unsigned i = 0; i < nwaiters; i++)
		if (waiters[i] == t->tid) waiters[i--] = waiters[--nwaiters];
}

void mm_oom_mm_released(struct mm *mm)
{
	if (!victim_mm || mm != victim_mm) return;
	victim_mm = NULL;
	victim_tgid = 0;
	pid_t wake[MAX_WAITERS];
	unsigned n = nwaiters;
	memcpy(wake, waiters, n * sizeof *wake);
	nwaiters = 0;
	for (unsigned i = 0; i < n; i++) {
		/* still in the SIGSEGV stop it waited in: retry the access */
		struct task *w = task_by_host(wake[i]);
		if (!w || !w->mm || w->exit_seen || w->stop != STOP_SIGNAL) continue;
		MMDBG("[%d] OOM victim gone: retries its fault", task_vtid(w));
		mm_fault_restore_disposition(w, SIGSEGV);
		trap_resume(w, 0);
	}
}
