/* services/mm/madvise.c - madvise, the mlock family, and sigaltstack bookkeeping.
 *
 * madvise works on Persona's tables for managed memory (MADV_DONTNEED drops the
 * frames and puts the reservation back, so the next touch gets zeroes or the file's
 * bytes again) and passes host-backed ranges to the host. mlock populates the range
 * (a locked page is present) and then runs natively: the host pins the pool's pages
 * and enforces RLIMIT_MEMLOCK with its own errno. */
#include <errno.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include "core/guest_mem.h"
#include "services/mm/mm_internal.h"

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#define MADV_POPULATE_WRITE 23
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif
#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#define MADV_GUARD_REMOVE 103
#endif

static bool known_advice(int a)
{
	switch (a) {
	case MADV_NORMAL: case MADV_RANDOM: case MADV_SEQUENTIAL: case MADV_WILLNEED:
	case MADV_DONTNEED: case MADV_FREE: case MADV_REMOVE: case MADV_DONTFORK:
	case MADV_DOFORK: case MADV_MERGEABLE: case MADV_UNMERGEABLE: case MADV_HUGEPAGE:
	case MADV_NOHUGEPAGE: case MADV_DONTDUMP: case MADV_DODUMP: case MADV_WIPEONFORK:
	case MADV_KEEPONFORK: case MADV_COLD: case MADV_PAGEOUT: case MADV_POPULATE_READ:
	case MADV_POPULATE_WRITE: case MADV_COLLAPSE: case MADV_HWPOISON:
		return true;
	}
	return false;
}

struct drop { struct mm *mm; struct vma *v; };

static int drop_one(uint64_t va, pte_t *e, void *arg)
{
	struct drop *d = arg;
	if (pte_present(*e)) {
		frame_put(pte_pfn(*e));
		mm_rss_add(d->mm, d->v, -1);
	}
	*e = 0;
	return 0;
}

/* MADV_DONTNEED on managed memory: frames go, the reservation comes back */
static int dontneed(struct task *t, struct mm *mm, struct vma *v, uint64_t s, uint64_t e)
{
	if (v->flags & VM_LOCKED) return -EINVAL;	/* as Linux: locked pages stay */
	if (!pgtable_count(mm->pt, s, e)) return 0;
	struct drop d = { mm, v };
	pgtable_walk(mm->pt, s, e, drop_one, &d);
	pgtable_prune(mm->pt, s, e);
	return host_reserve(t, s, e - s);
}

long sys_madvise(struct sysreq *r, uint64_t start, unsigned long len, int advice)
{
	struct task *t = r->task;
	struct mm *mm = t->mm;
	if (!mm) return SYSRET_NATIVE;
	if (start & ~PAGE_MASK) return -EINVAL;
	if (!known_advice(advice)) return -EINVAL;
	uint64_t alen = PAGE_ALIGN((uint64_t)len);
	if (alen < len) return -EINVAL;
	uint64_t end = start + alen;
	if (end < start) return -EINVAL;
	if (end == start) return 0;
	bool all_host = true;
	for (struct vma *v = vma_find_from(&mm->vmas, start); v && v->start < end; v = vma_next(v))
		if (!(v->flags & VM_HOST)) all_host = false;
	if (all_host) return SYSRET_NATIVE;
	if (advice == MADV_DONTFORK || advice == MADV_DOFORK || advice == MADV_WIPEONFORK ||
	    advice == MADV_KEEPONFORK || advice == MADV_DONTNEED || advice == MADV_FREE)
		mm_split_at(mm, start, end);
	long err = 0;
	uint64_t at = start;
	for (struct vma *v = vma_find_from(&mm->vmas, start); v && v->start < end; v = vma_next(v)) {
		if (v->start > at) err = -ENOMEM;	/* a hole: the rest still applies */
		at = v->end;
		uint64_t s = start > v->start ? start : v->start, e = end < v->end ? end : v->end;
		bool host = v->flags & VM_HOST;
		switch (advice) {
		case MADV_DONTNEED: case MADV_FREE:
			if (host) host_call(t, SYS_madvise, s, e - s, (uint64_t)advice, 0, 0, 0);
			else if (v->flags & VM_LOCKED) return -EINVAL;
			else if (advice == MADV_FREE && (v->flags & VM_SHARED)) return -EINVAL;
			else dontneed(t, mm, v, s, e);
			break;
		case MADV_REMOVE:
			if (!(v->flags & VM_SHARED)) return -EINVAL;
			if (host) host_call(t, SYS_madvise, s, e - s, (uint64_t)advice, 0, 0, 0);
			else dontneed(t, mm, v, s, e);
			break;
		case MADV_DONTFORK: case MADV_DOFORK: {
			long hr = host_call(t, SYS_madvise, s, e - s, (uint64_t)advice, 0, 0, 0);
			if (hr < 0) return hr;
			if (advice == MADV_DONTFORK) v->flags |= VM_DONTFORK;
			else v->flags &= ~(uint32_t)VM_DONTFORK;
			break;
		}
		case MADV_WIPEONFORK: case MADV_KEEPONFORK:
			if ((v->flags & VM_SHARED) || v->obj) return -EINVAL;
			if (host) {
				long hr = host_call(t, SYS_madvise, s, e - s, (uint64_t)advice, 0, 0, 0);
				if (hr < 0) return hr;
			}
			if (advice == MADV_WIPEONFORK) v->flags |= VM_WIPEONFORK;
			else v->flags &= ~(uint32_t)VM_WIPEONFORK;
			break;
		case MADV_WILLNEED:
			if (!host && v->obj) mm_populate(t, mm, s, e, false);
			break;
		case MADV_POPULATE_READ: case MADV_POPULATE_WRITE: {
			bool w = advice == MADV_POPULATE_WRITE;
			if (v->prot == PROT_NONE || (w && !(v->prot & PROT_WRITE))) return -EINVAL;
			if (host) {
				long hr = host_call(t, SYS_madvise, s, e - s, (uint64_t)advice, 0, 0, 0);
				if (hr < 0) return hr;
			} else if (mm_populate(t, mm, s, e, w) == -ENOMEM) {
				return -ENOMEM;
			}
			break;
		}
		default:	/* hints Persona takes note of by ignoring them */
			if (host) host_call(t, SYS_madvise, s, e - s, (uint64_t)advice, 0, 0, 0);
			break;
		}
	}
	for (struct vma *v = vma_find_from(&mm->vmas, start ? start - 1 : 0); v && v->start <= end;) {
		struct vma *m = vma_merge_neighbours(&mm->vmas, v);
		v = vma_next(m);
	}
	if (at < end) err = -ENOMEM;
	return err;
}

/* --- mlock ---------------------------------------------------------------------- */

static void set_locked(struct mm *mm, uint64_t start, uint64_t end, bool on)
{
	mm_split_at(mm, start, end);
	for (struct vma *v = vma_find_from(&mm->vmas, start); v && v->start < end; v = vma_next(v)) {
		if (!!(v->flags & VM_LOCKED) == on) continue;
		long pages = (long)pgtable_count(mm->pt, v->start, v->end);
		if (on) {
			v->flags |= VM_LOCKED;
			mm->locked_vm += pages;
		} else {
			v->flags &= ~(uint32_t)VM_LOCKED;
			mm->locked_vm -= pages;
		}
	}
}

static long mlock_exit(struct sysreq *r, long res)
{
	struct mm *mm = r->task->mm;
	if (res == 0 && mm) set_locked(mm, r->data[0], r->data[1], r->data[2]);
	return res;
}

static long lock_range(struct sysreq *r, uint64_t start, unsigned long len, bool on)
{
	struct mm *mm = r->task->mm;
	if (!mm) return SYSRET_NATIVE;
	uint64_t s = start & PAGE_MASK, e = PAGE_ALIGN(start + len);
	if (e < s || start + len < start) return SYSRET_NATIVE;	/* the host's errno */
	if (on && mm_range_mapped(mm, s, e)) mm_populate(r->task, mm, s, e, false);
	r->data[0] = s;
	r->data[1] = e;
	r->data[2] = on;
	sysreq_on_exit(r, mlock_exit);
	return SYSRET_NATIVE;
}

long sys_mlock(struct sysreq *r, uint64_t start, unsigned long len) { return lock_range(r, start, len, true); }
long sys_munlock(struct sysreq *r, uint64_t start, unsigned long len) { return lock_range(r, start, len, false); }
long sys_mlock2(struct sysreq *r, uint64_t start, unsigned long len, unsigned flags)
{
	return lock_range(r, start, len, !(flags & ~1u));
}

static long mlockall_exit(struct sysreq *r, long res)
{
	struct mm *mm = r->task->mm;
	if (res || !mm) return res;
	if (r->data[0] & MCL_CURRENT) set_locked(mm, 0, TASK_SIZE, true);
	if (r->data[0] & MCL_FUTURE) mm->def_flags |= VM_LOCKED;
	return res;
}

long sys_mlockall(struct sysreq *r, unsigned long flags)
{
	struct mm *mm = r->task->mm;
	if (!mm) return SYSRET_NATIVE;
	if ((flags & MCL_CURRENT) && !(flags & ~(unsigned long)(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) &&
	    !(flags & MCL_ONFAULT))
		for (struct vma *v = vma_first(&mm->vmas); v; v = vma_next(v))
			if (!(v->flags & VM_HOST) && v->prot != PROT_NONE)
				mm_populate(r->task, mm, v->start, v->end, false);
	r->data[0] = flags;
	sysreq_on_exit(r, mlockall_exit);
	return SYSRET_NATIVE;
}

static long munlockall_exit(struct sysreq *r, long res)
{
	struct mm *mm = r->task->mm;
	if (res == 0 && mm) {
		set_locked(mm, 0, TASK_SIZE, false);
		mm->def_flags &= ~(uint32_t)VM_LOCKED;
	}
	return res;
}

long sys_munlockall(struct sysreq *r)
{
	if (!r->task->mm) return SYSRET_NATIVE;
	sysreq_on_exit(r, munlockall_exit);
	return SYSRET_NATIVE;
}

/* --- sigaltstack: where the kernel will write signal frames ------------------------ */

static long sigaltstack_exit(struct sysreq *r, long res)
{
	stack_t ss;
	if (res == 0 && r->args[0] && !copy_from_guest(r->task->tid, &ss, r->args[0], sizeof ss)) {
		if (ss.ss_flags & SS_DISABLE) r->task->altstack_sp = r->task->altstack_size = 0;
		else {
			r->task->altstack_sp = (uint64_t)ss.ss_sp;
			r->task->altstack_size = ss.ss_size;
		}
	}
	return res;
}

long sys_sigaltstack(struct sysreq *r, uint64_t ss, uint64_t old)
{
	if (!r->task->mm || !ss) return SYSRET_NATIVE;
	sysreq_on_exit(r, sigaltstack_exit);
	return SYSRET_NATIVE;
}
