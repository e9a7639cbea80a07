/* services/mm/lock.c - the mm lock, Persona's mmap_lock (see mm.h).
 *
 * Tables and host mappings disagree between a handler that changed the tables and
 * the end of the native syscall that changes the host to match (mmap's reservation,
 * munmap, brk, a fork copying the mappings). The thread running that syscall holds
 * the lock; meanwhile the stops of the other threads of the mm that could act on
 * the difference (page faults, syscalls) are parked, and handed to tracer_handle()
 * again when the lock is released. */
#include <string.h>
#include "core/log.h"
#include "core/tracer.h"
#include "services/mm/mm_internal.h"

bool mm_park(struct task *t, int status)
{
	struct mm *mm = t->mm;
	if (!mm || !mm->lock_owner || mm->lock_owner == t) return false;
	if (mm->nparked == sizeof mm->parked / sizeof *mm->parked) return false;
	mm->parked[mm->nparked].tid = t->tid;
	mm->parked[mm->nparked++].status = status;
	MMDBG("[%d] waits for the mm lock held by %d", task_vtid(t), task_vtid(mm->lock_owner));
	return true;
}

bool mm_shared(const struct task *t)
{
	return t->mm && t->mm->users > 1;
}

bool mm_lock(struct task *t)
{
	struct mm *mm = t->mm;
	if (!mm || mm->lock_owner == t) return false;
	if (mm->lock_owner) log_bug("mm lock taken by %d while %d holds it", task_vtid(t),
				    task_vtid(mm->lock_owner));
	mm->lock_owner = t;
	MMDBG("[%d] takes the mm lock", task_vtid(t));
	return true;
}

void mm_syscall_exit(struct task *t)
{
	struct mm *mm = t->mm;
	if (!mm || mm->lock_owner != t) return;
	mm->lock_owner = NULL;
	mm->install_gen++;	/* the native call changed the host's mappings */
	MMDBG("[%d] releases the mm lock (%u waiting)", task_vtid(t), mm->nparked);
	/* the waiting stops, handled again now (a task may have died meanwhile:
	 * tracer_handle finds no task, or an exit status follows) */
	unsigned n = mm->nparked;
	struct { pid_t tid; int status; } waiting[64];
	memcpy(waiting, mm->parked, n * sizeof *waiting);
	mm->nparked = 0;
	for (unsigned i = 0; i < n; i++) tracer_handle(waiting[i].tid, waiting[i].status);
}

