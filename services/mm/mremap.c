/* services/mm/mremap.c - mremap on Persona's tables.
 *
 * Linux 6.17's structure and order of checks (check_mremap_params, check_prep_vma,
 * mremap_to, mremap_at, remap_move): shrinking unmaps the tail; growing extends the
 * VMA in place when the pages after it are free; moving creates the VMA at the new
 * address, moves the page table entries there (the frames move, their contents are
 * not copied) and unmaps the old range, or with MREMAP_DONTUNMAP leaves it mapped
 * and empty. A same-size MREMAP_FIXED move may span several VMAs: each moves in
 * turn, the gaps between them kept. Host-backed VMAs are remapped by the host and
 * re-read from its maps. */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include "services/mm/mm_internal.h"

#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif
/* VMA flags the host's maps does not show, carried over to what it remapped */
#define HOST_KEPT (VM_DONTFORK | VM_LOCKED | VM_LOCKONFAULT | VM_NORESERVE | VM_WIPEONFORK | \
		   VM_DROPPABLE)

struct remap {
	uint64_t addr, old_len, new_len, flags, new_addr;
};

static bool implies_new_addr(const struct remap *m) { return m->flags & (MREMAP_FIXED | MREMAP_DONTUNMAP); }

/* do_munmap, tables and host */
static void unmap(struct task *t, struct mm *mm, uint64_t start, uint64_t len)
{
	mm_unmap_tables(mm, start, start + len);
	host_unmap(t, start, len);
}

/* --- host-backed VMAs -------------------------------------------------------------- */

/* The host's maps, re-read where the remap changed them: the old range (gone, shrunk,
 * or kept by MREMAP_DONTUNMAP) and the new one, with the VMA flags Persona keeps. */
static void host_remapped(struct task *t, struct mm *mm, const struct remap *m, uint64_t res, uint32_t kept)
{
	if (m->old_len) mm_adopt_range(mm, task_tgid(t), m->addr, m->addr + m->old_len);
	mm_adopt_range(mm, task_tgid(t), res, res + m->new_len);
	for (struct vma *v = vma_find_from(&mm->vmas, res); v && v->start < res + m->new_len; v = vma_next(v))
		v->flags |= kept;
}

/* data[0..2]: addr, old_len, new_len; data[3]: flags kept */
static long host_mremap_exit(struct sysreq *r, long res)
{
	struct mm *mm = r->task->mm;
	if (res < 0 || !mm) return res;
	struct remap m = { .addr = r->data[0], .old_len = r->data[1], .new_len = r->data[2] };
	host_remapped(r->task, mm, &m, (uint64_t)res, (uint32_t)r->data[3]);
	return res;
}

/* --- managed VMAs ------------------------------------------------------------------ */

/* A shared object must cover `pages` pages from pgoff */
static int obj_cover(struct vma *v, uint64_t pages)
{
	struct memobj *o = v->obj;
	if (!o || o->kind != MO_ANON_SHARED || v->pgoff + pages <= o->npages) return 0;
	uint64_t n = v->pgoff + pages;
	pfn_t *p = realloc(o->pages, n * sizeof *p);
	if (!p) return -ENOMEM;
	for (uint64_t i = o->npages; i < n; i++) p[i] = FRAME_NONE;
	o->pages = p;
	o->npages = n;
	return 0;
}

struct move { struct mm *mm; uint64_t delta; };

/* An entry moves as it is: a frame (to be installed at its new address), a guard
 * marker */
static int move_pte(uint64_t va, pte_t *e, void *arg)
{
	struct move *m = arg;
	pte_t *ne = pgtable_entry(m->mm->pt, va + m->delta, true);
	if (!ne) return -ENOMEM;
	*ne = pte_present(*e) ? *e | PTE_PENDING : *e;
	if (pte_present(*e)) {	/* an LRU page's address follows it */
		struct page *pg = frame_page(pte_pfn(*e));
		if ((pg->flags & PG_LRU) && pg->owner == m->mm) pg->index = (va + m->delta) >> PAGE_SHIFT;
	}
	*e = 0;
	return 0;
}

/* check_prep_vma: whether v can be resized or moved as asked. 0 or -errno. */
static long check_prep_vma(struct task *t, struct mm *mm, const struct vma *v, const struct remap *m)
{
	if (!v) return -EFAULT;
	/* below: only when the remap maps new address space */
	if (m->new_len <= m->old_len && !implies_new_addr(m)) return 0;
	/* old_len 0 duplicates a shared mapping; for a private one it would be a new,
	 * unrelated mapping: refused */
	if (!m->old_len && !(v->flags & VM_SHARED)) return -EINVAL;
	if ((m->flags & MREMAP_DONTUNMAP) && (v->flags & VM_SPECIAL)) return -EINVAL;
	/* the range moved may not run past the VMA (a shrink unmaps the rest anyway) */
	uint64_t old_len = m->new_len < m->old_len ? m->new_len : m->old_len;
	if (old_len > v->end - m->addr) return -EFAULT;
	if (m->new_len == old_len) return 0;
	uint64_t pgoff = v->pgoff + ((m->addr - v->start) >> PAGE_SHIFT);
	if (pgoff + (m->new_len >> PAGE_SHIFT) < pgoff) return -EINVAL;
	if (v->flags & VM_SPECIAL) return -EFAULT;	/* VM_DONTEXPAND */
	if (!mm_mlock_future_ok(t, mm, v->flags, m->new_len - old_len)) return -EAGAIN;
	if (m->new_len > old_len && mm_vma_accountable(v) && mm_vm_enough_memory((m->new_len - old_len) >> PAGE_SHIFT))
		return -ENOMEM;	/* --overcommit */
	return 0;
}

/* move_vma: [addr, addr + old_len) of v to dst, new_len long. Returns dst or -errno. */
static long move_vma(struct task *t, struct mm *mm, struct vma *v, const struct remap *m, uint64_t dst)
{
	uint64_t pgoff = v->pgoff + ((m->addr - v->start) >> PAGE_SHIFT);
	struct vma *nv = vma_new(dst, dst + m->new_len, v->prot, v->flags, v->obj, pgoff, v->name);
	if (!nv) return -ENOMEM;
	nv->host_ino = v->host_ino;
	nv->host_dev_major = v->host_dev_major;
	nv->host_dev_minor = v->host_dev_minor;
	if (vma_insert(&mm->vmas, nv)) {
		vma_free(nv);
		return -ENOMEM;
	}
	mm_tramp_clobber(mm, dst, dst + m->new_len);
	int err = obj_cover(nv, m->new_len >> PAGE_SHIFT);
	if (!err) err = host_reserve(t, dst, m->new_len);
	if (err) {
		mm_unmap_tables(mm, dst, dst + m->new_len);
		return err;
	}
	struct move mv = { mm, dst - m->addr };
	pgtable_walk(mm->pt, m->addr, m->addr + m->old_len, move_pte, &mv);
	host_install_ptes(t, mm, dst, dst + m->old_len);
	if (m->flags & MREMAP_DONTUNMAP) {
		/* the old range stays, empty: it faults in zeroes (or the file's, or the
		 * shared object's pages) again; the VMA is no longer locked */
		host_reserve(t, m->addr, m->old_len);
		v = vma_find(&mm->vmas, m->addr);
		if (v) v->flags &= ~(uint32_t)(VM_LOCKED | VM_LOCKONFAULT);
	} else if (m->old_len) {
		unmap(t, mm, m->addr, m->old_len);
	}
	nv = vma_merge_neighbours(&mm->vmas, vma_find(&mm->vmas, dst));
	if ((nv->flags & (VM_LOCKED | VM_LOCKONFAULT)) == VM_LOCKED && m->new_len > m->old_len)
		mm_populate_resident(t, mm, dst + m->old_len, dst + m->new_len, false);
	return (long)dst;
}

/* mremap_to: to m->new_addr (MREMAP_FIXED, which unmaps it first), or with
 * MREMAP_DONTUNMAP to a free range near it. */
static long mremap_to(struct task *t, struct mm *mm, struct remap *m)
{
	struct vma *v = vma_find(&mm->vmas, m->addr);
	if (m->flags & MREMAP_FIXED) {
		unmap(t, mm, m->new_addr, m->new_len);
		if (!(v = vma_find(&mm->vmas, m->addr))) return -EFAULT;
	}
	if (m->new_len < m->old_len) {
		unmap(t, mm, m->addr + m->new_len, m->old_len - m->new_len);
		if (!(v = vma_find(&mm->vmas, m->addr))) return -EFAULT;
		m->old_len = m->new_len;
	}
	uint64_t dst = m->new_addr;
	if (!(m->flags & MREMAP_FIXED)) {
		int64_t a = mm_get_unmapped_area(mm, m->new_addr, m->new_len);
		if (a < 0) return a;
		dst = (uint64_t)a;
	}
	return move_vma(t, mm, v, m, dst);
}

/* mremap_at: the same address if the size allows; growing moves (with
 * MREMAP_MAYMOVE) when the pages after the VMA are not free */
static long mremap_at(struct task *t, struct mm *mm, struct remap *m)
{
	if (m->new_len == m->old_len) return (long)m->addr;
	if (m->new_len < m->old_len) {
		unmap(t, mm, m->addr + m->new_len, m->old_len - m->new_len);
		return (long)m->addr;
	}
	struct vma *v = vma_find(&mm->vmas, m->addr);
	uint64_t end = v->end + (m->new_len - m->old_len);
	if (m->addr + m->old_len == v->end && end > v->end && end <= TASK_SIZE &&
	    !(vma_next(v) && vma_next(v)->start < end)) {
		uint64_t old_end = v->end;
		if (obj_cover(v, (end - v->start) >> PAGE_SHIFT)) return -ENOMEM;
		int err = host_reserve(t, old_end, end - old_end);
		if (err) return err;
		v->end = end;
		v = vma_merge_neighbours(&mm->vmas, v);
		if ((v->flags & (VM_LOCKED | VM_LOCKONFAULT)) == VM_LOCKED)
			mm_populate_resident(t, mm, old_end, end, false);
		return (long)m->addr;
	}
	if (!(m->flags & MREMAP_MAYMOVE)) return -ENOMEM;
	int64_t a = mm_get_unmapped_area(mm, 0, m->new_len);
	if (a < 0) return a;
	return move_vma(t, mm, v, m, (uint64_t)a);
}

/* One VMA's part of a same-size MREMAP_FIXED move: the host moves its own */
static long move_piece(struct task *t, struct mm *mm, struct vma *v, struct remap *m)
{
	if (!(v->flags & VM_HOST)) {
		long err = check_prep_vma(t, mm, v, m);
		return err ? err : mremap_to(t, mm, m);
	}
	uint32_t kept = v->flags & HOST_KEPT;
	long res = host_call(t, SYS_mremap, m->addr, m->old_len, m->new_len, m->flags, m->new_addr, 0);
	if (res >= 0) host_remapped(t, mm, m, (uint64_t)res, kept);
	return res;
}

/* remap_move: every VMA in [addr, addr + len) moves, each to new_addr plus its
 * distance from the first; a hole at the start is EFAULT. Returns where the first
 * went. */
static long remap_move(struct task *t, struct mm *mm, const struct remap *whole)
{
	uint64_t end = whole->addr + whole->old_len, target = whole->new_addr, last_end = 0;
	long res = -EFAULT;
	bool seen = false;
	for (struct vma *v = vma_find_from(&mm->vmas, whole->addr); v && v->start < end;
	     v = vma_find_from(&mm->vmas, last_end)) {
		if (!seen && whole->addr < v->start) return -EFAULT;
		uint64_t s = v->start > whole->addr ? v->start : whole->addr;
		uint64_t len = (v->end < end ? v->end : end) - s;
		uint64_t offset = seen ? v->start - last_end : 0;
		last_end = v->end;
		struct remap m = { .addr = s, .old_len = len, .new_len = len, .flags = whole->flags,
				   .new_addr = target + offset };
		long r = move_piece(t, mm, v, &m);
		if (r < 0) return r;
		if (!seen) res = r;
		seen = true;
		target = (uint64_t)r + len;
	}
	return res;
}

long sys_mremap(struct sysreq *r, uint64_t addr, unsigned long old_len, unsigned long new_len,
		uint64_t flags, uint64_t new_addr)
{
	struct task *t = r->task;
	struct mm *mm = t->mm;
	if (!mm) return SYSRET_NATIVE;
	/* PAGE_ALIGN as Linux's: a length within a page of 2^64 wraps to 0 */
	struct remap m = { addr, PAGE_ALIGN((uint64_t)old_len), PAGE_ALIGN((uint64_t)new_len), flags, new_addr };
	/* check_mremap_params */
	if (flags & ~(uint64_t)(MREMAP_FIXED | MREMAP_MAYMOVE | MREMAP_DONTUNMAP)) return -EINVAL;
	if (addr & ~PAGE_MASK) return -EINVAL;
	if (!m.new_len || m.new_len > TASK_SIZE) return -EINVAL;
	if (implies_new_addr(&m)) {
		if (new_addr > TASK_SIZE - m.new_len || (new_addr & ~PAGE_MASK)) return -EINVAL;
		if (!(flags & MREMAP_MAYMOVE)) return -EINVAL;
		if ((flags & MREMAP_DONTUNMAP) && m.old_len != m.new_len) return -EINVAL;
		if (addr + m.old_len > new_addr && new_addr + m.new_len > addr) return -EINVAL;
	}
	if ((flags & MREMAP_FIXED) && m.old_len == m.new_len) return remap_move(t, mm, &m);
	struct vma *v = vma_find(&mm->vmas, addr);
	if (v && (v->flags & VM_HOST)) {
		r->data[0] = addr;
		r->data[1] = m.old_len;
		r->data[2] = m.new_len;
		r->data[3] = v->flags & HOST_KEPT;
		sysreq_on_exit(r, host_mremap_exit);
		return SYSRET_NATIVE;
	}
	long err = check_prep_vma(t, mm, v, &m);
	if (err) return err;
	return implies_new_addr(&m) ? mremap_to(t, mm, &m) : mremap_at(t, mm, &m);
}
