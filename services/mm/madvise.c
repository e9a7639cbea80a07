/* services/mm/madvise.c - madvise, the mlock family, and sigaltstack bookkeeping.
 *
 * madvise follows Linux's madvise_walk_vmas: each VMA in the range gets the advice
 * in turn, the first error ends the call, and a hole only makes the result ENOMEM.
 * Managed memory is advised on Persona's tables: MADV_DONTNEED drops the frames and
 * puts the reservation back, so the next touch gets zeroes or the file's bytes again;
 * guard regions are markers in the page table. Host-backed VMAs get the advice from
 * the host, and a range that is all host-backed runs natively. mlock populates the
 * range (a locked page is present) and then runs natively: the host pins the pool's
 * pages and enforces RLIMIT_MEMLOCK with its own errno; the VMAs' flags follow at
 * exit. */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include "core/guest_mem.h"
#include "services/mm/mm_internal.h"
#include "services/mm/swap.h"

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#define MADV_POPULATE_WRITE 23
#endif
#ifndef MADV_DONTNEED_LOCKED
#define MADV_DONTNEED_LOCKED 24
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif
#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#define MADV_GUARD_REMOVE 103
#endif
#ifndef MADV_SOFT_OFFLINE
#define MADV_SOFT_OFFLINE 101
#endif
#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT 1
#endif

/* Whether the host's kernel knows the advice (which ones depends on its config: KSM,
 * THP, memory failure): an empty range is valid advice's no-op, and EINVAL else. */
static bool advice_valid(int advice)
{
	return syscall(SYS_madvise, 0, 0, advice) == 0;
}

static long host_madvise(struct task *t, uint64_t s, uint64_t e, int advice)
{
	long r = host_call(t, SYS_madvise, s, e - s, (uint64_t)advice, 0, 0, 0);
	return r < 0 ? r : 0;
}

/* Advice that changes the VMA's flags Persona keeps (fork.c reads them) */
static bool changes_flags(int advice)
{
	return advice == MADV_DONTFORK || advice == MADV_DOFORK || advice == MADV_WIPEONFORK ||
	       advice == MADV_KEEPONFORK;
}

/* --- zap: this mm's pages of a range go ------------------------------------------ */

struct zap { struct mm *mm; struct vma *v; uint64_t dropped; };

static int zap_pte(uint64_t va, pte_t *e, void *arg)
{
	struct zap *z = arg;
	if (*e & PTE_GUARD) return 0;	/* guard markers stay (Linux keeps them) */
	if (pte_present(*e)) {
		lru_unmapped(z->mm, pte_pfn(*e));
		frame_put(pte_pfn(*e));
		mm_rss_add(z->mm, z->v, -1);
		if (z->v->flags & VM_LOCKED) z->mm->locked_vm--;
		z->dropped++;
	} else if (pte_swapped(*e)) {
		swap_free(pte_slot(*e));
		z->mm->swapents--;
	}
	*e = 0;
	return 0;
}

/* Linux's zap_page_range_single on managed memory: the frames of [s, e) are released
 * and the host's range reserved again, so the next touch faults (zeroes, the file,
 * the shared object). */
static int zap(struct task *t, struct mm *mm, struct vma *v, uint64_t s, uint64_t e)
{
	struct zap z = { mm, v, 0 };
	pgtable_walk(mm->pt, s, e, zap_pte, &z);
	pgtable_prune(mm->pt, s, e);
	return z.dropped ? host_reserve(t, s, e - s) : 0;
}

/* MADV_REMOVE on shared anonymous memory punches a hole in the object for every
 * mapper, as shmem's fallocate(PUNCH_HOLE). Persona has no reverse map to find the
 * other mappers' entries: a frame someone still maps is zeroed in place and stays
 * (they read zeroes and still share it); a frame only the object holds is freed. */
static int remove_shared(struct task *t, struct mm *mm, struct vma *v, uint64_t s, uint64_t e)
{
	int err = zap(t, mm, v, s, e);
	struct memobj *o = v->obj;
	uint64_t first = v->pgoff + ((s - v->start) >> PAGE_SHIFT), n = (e - s) >> PAGE_SHIFT;
	for (uint64_t i = first; i < first + n && i < o->npages; i++) {
		if (o->pages[i] == FRAME_NONE) continue;
		if (frame_page(o->pages[i])->refcount == 1) {
			frame_put(o->pages[i]);
			o->pages[i] = FRAME_NONE;
		} else {
			memset(frame_to_virt(o->pages[i]), 0, PAGE_SIZE);
		}
	}
	return err;
}

/* MADV_GUARD_INSTALL: the pages go (as zap) and each becomes a guard marker, which
 * the fault path never fills: an access is SIGSEGV, the kernel's access EFAULT. */
static int guard_install(struct task *t, struct mm *mm, struct vma *v, uint64_t s, uint64_t e)
{
	int err = zap(t, mm, v, s, e);
	for (uint64_t va = s; va < e; va += PAGE_SIZE) {
		pte_t *pe = pgtable_entry(mm->pt, va, true);
		if (!pe) return -ENOMEM;
		*pe = PTE_GUARD;
	}
	return err;
}

static int unguard_pte(uint64_t va, pte_t *e, void *arg)
{
	if (*e & PTE_GUARD) *e = 0;
	return 0;
}

/* --- madvise ------------------------------------------------------------------------ */

/* Sets or clears flag on the VMAs of [s, e) (split to fit; merged back by the caller) */
static void set_flag(struct mm *mm, uint64_t s, uint64_t e, uint32_t flag, bool on)
{
	mm_split_at(mm, s, e);
	for (struct vma *v = vma_find_from(&mm->vmas, s); v && v->start < e; v = vma_next(v))
		v->flags = on ? v->flags | flag : v->flags & ~flag;
}

/* madvise_vma_behavior: the advice for [s, e), which lies in v. 0 or -errno. */
static long advise_vma(struct task *t, struct mm *mm, struct vma *v, uint64_t s, uint64_t e, int advice)
{
	bool host = v->flags & VM_HOST;
	switch (advice) {
	case MADV_REMOVE:
		if (host) return host_madvise(t, s, e, advice);
		if (v->flags & VM_LOCKED) return -EINVAL;
		if (!v->obj) return -EINVAL;			/* no file to punch */
		if (!(v->flags & VM_SHARED)) return -EACCES;	/* a private file mapping */
		return remove_shared(t, mm, v, s, e);
	case MADV_COLD: case MADV_PAGEOUT:
		if (v->flags & VM_LOCKED) return -EINVAL;
		return host ? host_madvise(t, s, e, advice) : 0;	/* no reclaim yet */
	case MADV_DONTNEED: case MADV_DONTNEED_LOCKED: case MADV_FREE:
		if (host) return host_madvise(t, s, e, advice);
		if ((v->flags & VM_LOCKED) && advice != MADV_DONTNEED_LOCKED) return -EINVAL;
		if (advice == MADV_FREE && v->obj) return -EINVAL;	/* anonymous memory only */
		return zap(t, mm, v, s, e);	/* MADV_FREE: freed at once, as under pressure */
	case MADV_GUARD_INSTALL: case MADV_GUARD_REMOVE:
		if (host) return host_madvise(t, s, e, advice);
		if ((v->flags & VM_SPECIAL) || (advice == MADV_GUARD_INSTALL && (v->flags & VM_LOCKED)))
			return -EINVAL;
		if (advice == MADV_GUARD_INSTALL) return guard_install(t, mm, v, s, e);
		pgtable_walk(mm->pt, s, e, unguard_pte, NULL);
		pgtable_prune(mm->pt, s, e);
		return 0;
	case MADV_DONTFORK: case MADV_DOFORK: {
		/* the host must not copy the pool's mappings either */
		long err = host_madvise(t, s, e, advice);
		if (!err) set_flag(mm, s, e, VM_DONTFORK, advice == MADV_DONTFORK);
		return err;
	}
	case MADV_WIPEONFORK:
		if (host) {
			long err = host_madvise(t, s, e, advice);
			if (err) return err;
		} else if (v->obj || (v->flags & VM_SHARED)) {
			return -EINVAL;		/* anonymous private memory only */
		}
		set_flag(mm, s, e, VM_WIPEONFORK, true);
		return 0;
	case MADV_KEEPONFORK:
		if (v->flags & VM_DROPPABLE) return -EINVAL;
		if (host) {
			long err = host_madvise(t, s, e, advice);
			if (err) return err;
		}
		set_flag(mm, s, e, VM_WIPEONFORK, false);
		return 0;
	case MADV_DODUMP:
		if (v->flags & VM_DROPPABLE) return -EINVAL;
		return host ? host_madvise(t, s, e, advice) : 0;
	default:	/* hints: the host's for its pages, noted by ignoring them for ours */
		return host ? host_madvise(t, s, e, advice) : 0;
	}
}

/* MADV_POPULATE_READ/WRITE: Linux's faultin_page_range, in address order: a hole is
 * ENOMEM, a mapping the access may not use EINVAL, a page whose fault would be a
 * signal (a guard page, past the end of the file) EFAULT. */
static long populate(struct task *t, struct mm *mm, uint64_t start, uint64_t end, int advice)
{
	bool write = advice == MADV_POPULATE_WRITE;
	for (uint64_t at = start, e; at < end; at = e) {
		struct vma *v = vma_find(&mm->vmas, at);
		if (!v) return -ENOMEM;
		e = v->end < end ? v->end : end;
		if (v->flags & VM_HOST) {
			long err = host_madvise(t, at, e, advice);
			if (err) return err;
			continue;
		}
		if (!(v->prot & (write ? PROT_WRITE : PROT_READ))) return -EINVAL;
		uint64_t stop = at;
		while (stop < e && !(pgtable_get(mm->pt, stop) & PTE_GUARD) &&
		       !(v->obj && v->obj->kind == MO_FILE &&
			 (v->pgoff << PAGE_SHIFT) + (stop - v->start) >= v->obj->size))
			stop += PAGE_SIZE;
		if (stop > at && mm_populate_resident(t, mm, at, stop, write) == -ENOMEM) return -ENOMEM;
		if (stop < e) return -EFAULT;
	}
	return 0;
}

long sys_madvise(struct sysreq *r, uint64_t start, unsigned long len_in, int advice)
{
	struct task *t = r->task;
	struct mm *mm = t->mm;
	if (!mm) return SYSRET_NATIVE;
	/* madvise_should_skip */
	if (!advice_valid(advice) || (start & ~PAGE_MASK)) return -EINVAL;
	uint64_t len = PAGE_ALIGN((uint64_t)len_in), end = start + len;
	if ((len_in && !len) || end < start) return -EINVAL;
	if (end == start) return 0;
	if (advice == MADV_HWPOISON || advice == MADV_SOFT_OFFLINE) return SYSRET_NATIVE;
	bool all_host = true;
	for (struct vma *v = vma_find_from(&mm->vmas, start); v && v->start < end; v = vma_next(v))
		if (!(v->flags & VM_HOST)) all_host = false;
	if (all_host && !changes_flags(advice)) return SYSRET_NATIVE;
	if (advice == MADV_POPULATE_READ || advice == MADV_POPULATE_WRITE)
		return populate(t, mm, start, end, advice);
	/* madvise_walk_vmas */
	long err = 0, unmapped = 0;
	uint64_t at = start;
	for (struct vma *v = vma_find_from(&mm->vmas, start);; v = vma_find_from(&mm->vmas, at)) {
		if (!v) {
			err = -ENOMEM;
			break;
		}
		if (at < v->start) {	/* a hole: the rest still gets the advice */
			unmapped = -ENOMEM;
			if ((at = v->start) >= end) break;
		}
		uint64_t e = v->end < end ? v->end : end;
		if ((err = advise_vma(t, mm, v, at, e, advice)) || (at = e) >= end) break;
	}
	if (changes_flags(advice))	/* the pieces split off merge back where they can */
		for (struct vma *v = vma_find_from(&mm->vmas, start ? start - 1 : 0); v && v->start <= end;)
			v = vma_next(vma_merge_neighbours(&mm->vmas, v));
	return err ? err : unmapped;
}

/* --- mlock ---------------------------------------------------------------------- */

static int count_present(uint64_t va, pte_t *e, void *arg)
{
	if (pte_present(*e)) ++*(uint64_t *)arg;
	return 0;
}

/* Linux's mlock_fixup over [start, end): the lock flags become `lock` (VM_LOCKED,
 * with VM_LOCKONFAULT, or 0); [vdso] and droppable memory are never locked. */
static void set_locked(struct mm *mm, uint64_t start, uint64_t end, uint32_t lock)
{
	const uint32_t mask = VM_LOCKED | VM_LOCKONFAULT;
	if (start >= end) return;
	mm_split_at(mm, start, end);
	for (struct vma *v = vma_find_from(&mm->vmas, start); v && v->start < end; v = vma_next(v)) {
		if ((v->flags & (VM_SPECIAL | VM_DROPPABLE)) || (v->flags & mask) == lock) continue;
		uint64_t pages = 0;
		pgtable_walk(mm->pt, v->start, v->end, count_present, &pages);
		if (!(v->flags & VM_LOCKED)) mm->locked_vm += pages;
		else if (!lock) mm->locked_vm -= pages;
		v->flags = (v->flags & ~mask) | lock;
	}
	for (struct vma *v = vma_find_from(&mm->vmas, start ? start - 1 : 0); v && v->start <= end;)
		v = vma_next(vma_merge_neighbours(&mm->vmas, v));
}

/* The first address of [start, end) no VMA covers (end if none) */
static uint64_t first_hole(struct mm *mm, uint64_t start, uint64_t end)
{
	uint64_t at = start;
	for (struct vma *v = vma_find_from(&mm->vmas, start); v && v->start <= at && at < end; v = vma_next(v))
		at = v->end;
	return at < end ? at : end;
}

/* data[0..1]: the range, data[2]: the lock flags, data[3]: whether Linux applies
 * them when the call fails (apply_vma_lock_flags ran: it stops at a hole, and a
 * failed populate leaves them set) */
static long mlock_exit(struct sysreq *r, long res)
{
	struct mm *mm = r->task->mm;
	if (mm && (res == 0 || ((res == -ENOMEM || res == -EAGAIN) && r->data[3])))
		set_locked(mm, r->data[0], first_hole(mm, r->data[0], r->data[1]), (uint32_t)r->data[2]);
	return res;
}

/* do_mlock and munlock: the host locks (and answers); the tables follow at exit */
static long lock_range(struct sysreq *r, uint64_t start, unsigned long len, uint32_t lock)
{
	struct task *t = r->task;
	struct mm *mm = t->mm;
	if (!mm) return SYSRET_NATIVE;
	uint64_t s = start & PAGE_MASK, l = PAGE_ALIGN((uint64_t)len + (start & ~PAGE_MASK)), e = s + l;
	bool applies = e >= s;
	if (lock && applies) {
		/* the rlimit check, as Linux: pages locked already do not count twice */
		uint64_t again = 0;
		for (struct vma *v = vma_find_from(&mm->vmas, s); v && v->start < e; v = vma_next(v))
			if (v->flags & VM_LOCKED)
				again += (v->end < e ? v->end : e) - (v->start > s ? v->start : s);
		applies = mm_can_do_mlock(t) && mm_mlock_future_ok(t, mm, VM_LOCKED, l - again);
		/* present before the host locks it: it cannot populate a reservation */
		if (applies && !(lock & VM_LOCKONFAULT) && first_hole(mm, s, e) == e)
			mm_populate_resident(t, mm, s, e, false);
	}
	r->data[0] = s;
	r->data[1] = e;
	r->data[2] = lock;
	r->data[3] = applies;
	sysreq_on_exit(r, mlock_exit);
	return SYSRET_NATIVE;
}

long sys_mlock(struct sysreq *r, uint64_t start, unsigned long len) { return lock_range(r, start, len, VM_LOCKED); }
long sys_munlock(struct sysreq *r, uint64_t start, unsigned long len) { return lock_range(r, start, len, 0); }
long sys_mlock2(struct sysreq *r, uint64_t start, unsigned long len, unsigned flags)
{
	if (flags & ~MLOCK_ONFAULT) return SYSRET_NATIVE;	/* EINVAL, the host's */
	return lock_range(r, start, len, VM_LOCKED | (flags & MLOCK_ONFAULT ? VM_LOCKONFAULT : 0));
}

/* apply_mlockall_flags */
static long mlockall_exit(struct sysreq *r, long res)
{
	struct mm *mm = r->task->mm;
	if (res || !mm) return res;
	unsigned long flags = r->data[0];
	uint32_t onfault = flags & MCL_ONFAULT ? VM_LOCKONFAULT : 0;
	mm->def_flags &= ~(uint32_t)(VM_LOCKED | VM_LOCKONFAULT);
	if (flags & MCL_FUTURE) mm->def_flags |= VM_LOCKED | onfault;
	if (flags & MCL_CURRENT) set_locked(mm, 0, TASK_SIZE, VM_LOCKED | onfault);
	return res;
}

long sys_mlockall(struct sysreq *r, unsigned long flags)
{
	struct mm *mm = r->task->mm;
	if (!mm) return SYSRET_NATIVE;
	bool valid = flags && !(flags & ~(unsigned long)(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) &&
		     flags != MCL_ONFAULT;
	if (valid && (flags & MCL_CURRENT) && !(flags & MCL_ONFAULT))
		for (struct vma *v = vma_first(&mm->vmas); v; v = vma_next(v))
			if (!(v->flags & VM_HOST) && v->prot != PROT_NONE)
				mm_populate_resident(r->task, mm, v->start, v->end, false);
	r->data[0] = flags;
	sysreq_on_exit(r, mlockall_exit);
	return SYSRET_NATIVE;
}

static long munlockall_exit(struct sysreq *r, long res)
{
	struct mm *mm = r->task->mm;
	if (res == 0 && mm) {
		set_locked(mm, 0, TASK_SIZE, 0);
		mm->def_flags &= ~(uint32_t)(VM_LOCKED | VM_LOCKONFAULT);
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
