/* services/mm/memwait.c - the memory waitqueue: a fault that finds no frame and
 * nothing to reclaim waits for another process to free some, before the OOM killer.
 *
 * Reclaim changes a process's host mappings only through a stopped thread of it
 * (reclaim.c). When the faulting process has nothing left to evict and the memory is
 * held by processes that are running, those can only give it up at their own stops.
 * So the faulting task waits in its SIGSEGV stop (blocked, like an OOM waiter) and
 * the next stop of any other process with pages on its lists reclaims a batch of its
 * own pages and wakes the waiters (mm_memwait_serve); a process exit wakes them too
 * (mm_put). A timer wakes them after MEMWAIT_MS in case no other process stops
 * meanwhile (a CPU-bound loop touching resident memory); a task that finds no memory
 * MEMWAIT_TRIES times in a row goes to the OOM killer after all.
 *
 * Thread: tracer thread only (the timer runs from the TIMER softirq there). */
#include <errno.h>
#include <string.h>
#include <time.h>
#include "core/log.h"
#include "core/trap.h"
#include "services/sched/sched.h"
#include "services/time/ktimer.h"
#include "services/mm/mm_internal.h"
#include "services/mm/swap.h"

#define MEMWAIT_MAX	64
#define MEMWAIT_MS	50
#define MEMWAIT_TRIES	4

static pid_t waiting[MEMWAIT_MAX];	/* host tids in their fault stop */
static unsigned nwaiting;
static struct { pid_t tid; unsigned tries; } tries[MEMWAIT_MAX];	/* consecutive waits */
static unsigned ntries;			/* entries of tries[] in use */
static struct ktimer timer;
static bool timer_ready;

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static unsigned *tries_of(pid_t tid, bool create)
{
	for (unsigned i = 0; i < MEMWAIT_MAX; i++)
		if (tries[i].tid == tid) return &tries[i].tries;
	for (unsigned i = 0; create && i < MEMWAIT_MAX; i++)
		if (!tries[i].tid) {
			tries[i].tid = tid;
			ntries++;
			tries[i].tries = 0;
			return &tries[i].tries;
		}
	return NULL;
}

struct holders { struct mm *self; uint64_t pages; };

static int count_holders(struct task *x, void *arg)
{
	struct holders *h = arg;
	if (!x->mm || x->mm == h->self || x->kthread || x->exit_seen || x != x->leader) return 0;
	for (unsigned i = 0; i < nwaiting; i++)
		if (waiting[i] == x->tid) return 0;
	h->pages += x->mm->lru[LRU_INACTIVE].n + x->mm->lru[LRU_ACTIVE].n;
	return 0;
}

static void timeout(struct ktimer *k)
{
	(void)k;
	mm_memwait_wake();
}

int mm_memwait(struct task *t)
{
	if (!swap_active()) return 0;	/* others' anonymous pages cannot go anywhere */
	struct holders h = { .self = t->mm };
	task_for_each(count_holders, &h);
	unsigned *n = tries_of(t->tid, true);
	if (h.pages < 64 || !n || *n >= MEMWAIT_TRIES || nwaiting == MEMWAIT_MAX) {
		if (n) *n = 0;
		return 0;		/* nobody else can give memory back: OOM */
	}
	++*n;
	waiting[nwaiting++] = t->tid;
	sched_task_block(t, OFF_BLOCKED);
	if (!timer_ready) {
		ktimer_init(&timer, timeout, NULL);
		timer_ready = true;
	}
	if (!ktimer_pending(&timer)) ktimer_add(&timer, now_ns() + MEMWAIT_MS * 1000000ULL);
	mm_stat.memwait++;
	MMDBG("[%d] waits for memory others hold (%lu pages on their lists)", task_vtid(t), (unsigned long)h.pages);
	return -1;
}

bool mm_memwait_pending(void) { return nwaiting > 0; }

bool mm_memwait_is_waiting(const struct task *t)
{
	for (unsigned i = 0; i < nwaiting; i++)
		if (waiting[i] == t->tid) return true;
	return false;
}

void mm_memwait_done(struct task *t)
{
	if (!ntries) return;	/* the fault path's common case: nobody ever waited */
	for (unsigned i = 0; i < MEMWAIT_MAX; i++)
		if (tries[i].tid == t->tid) {
			tries[i].tid = 0;
			ntries--;
		}
}

void mm_memwait_wake(void)
{
	pid_t wake[MEMWAIT_MAX];
	unsigned n = nwaiting;
	memcpy(wake, waiting, n * sizeof *wake);
	nwaiting = 0;
	if (timer_ready) ktimer_del(&timer);
	for (unsigned i = 0; i < n; i++) {
		struct task *w = task_by_host(wake[i]);
		if (!w || !w->mm || w->exit_seen || w->stop != STOP_SIGNAL) continue;
		MMDBG("[%d] memory freed: retries its fault", task_vtid(w));
		mm_fault_restore_disposition(w, SIGSEGV);
		trap_resume(w, 0);
	}
}

void mm_memwait_task_gone(struct task *t)
{
	for (unsigned i = 0; i < nwaiting; i++)
		if (waiting[i] == t->tid) waiting[i--] = waiting[--nwaiting];
	mm_memwait_done(t);
}
