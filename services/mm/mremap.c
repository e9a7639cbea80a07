/* services/mm/mremap.c - mremap on Persona's tables.
 *
 * Shrinking unmaps the tail; growing in place extends the VMA and reserves the new
 * pages; moving re-installs the present frames at the new address (the frames move,
 * their contents are not copied) and unmaps the old range. Host-backed VMAs are
 * remapped by the host and re-read from its maps. Checks in Linux's order. */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include "services/mm/mm_internal.h"

#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif

static long host_mremap_exit(struct sysreq *r, long res)
{
	struct mm *mm = r->task->mm;
	if (res < 0 || !mm) return res;
	/* the old range is gone (unless DONTUNMAP), the new one is the host's */
	if (!(r->data[3] & MREMAP_DONTUNMAP)) mm_unmap_tables(mm, r->data[0], r->data[0] + r->data[1]);
	mm_adopt_range(r->task, mm, (uint64_t)res, (uint64_t)res + r->data[2]);
	if (r->data[3] & MREMAP_DONTUNMAP)
		mm_adopt_range(r->task, mm, r->data[0], r->data[0] + r->data[1]);
	return res;
}

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

static int move_pte(uint64_t va, pte_t *e, void *arg)
{
	struct move *m = arg;
	pte_t *ne = pgtable_entry(m->mm->pt, va + m->delta, true);
	if (!ne) return -ENOMEM;
	*ne = *e | PTE_PENDING;
	*e = 0;
	return 0;
}

long sys_mremap(struct sysreq *r, uint64_t addr, unsigned long old_len, unsigned long new_len,
		uint64_t flags, uint64_t new_addr)
{
	struct task *t = r->task;
	struct mm *mm = t->mm;
	if (!mm) return SYSRET_NATIVE;
	if (flags & ~(uint64_t)(MREMAP_FIXED | MREMAP_MAYMOVE | MREMAP_DONTUNMAP)) return -EINVAL;
	if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE)) return -EINVAL;
	if ((flags & MREMAP_DONTUNMAP) && (!(flags & MREMAP_MAYMOVE) || old_len != new_len))
		return -EINVAL;
	if (addr & ~PAGE_MASK) return -EINVAL;
	uint64_t olen = PAGE_ALIGN((uint64_t)old_len), nlen = PAGE_ALIGN((uint64_t)new_len);
	if (!nlen) return -EINVAL;
	if (olen < old_len || nlen < new_len) return -ENOMEM;
	if ((flags & MREMAP_FIXED) && ((new_addr & ~PAGE_MASK) || nlen > TASK_SIZE || new_addr > TASK_SIZE - nlen))
		return -EINVAL;
	if ((flags & MREMAP_FIXED) && new_addr < addr + olen && addr < new_addr + nlen) return -EINVAL;
	struct vma *v = vma_find(&mm->vmas, addr);
	if (!v) return -EFAULT;
	if (!olen) {	/* a second mapping of a shared object */
		if (!(v->flags & VM_SHARED)) return -EINVAL;
		if (!(flags & MREMAP_MAYMOVE)) return -ENOMEM;
	}
	if (addr + olen > v->end) return -EFAULT;
	if (v->flags & (VM_HOST | VM_SPECIAL)) {
		r->data[0] = addr;
		r->data[1] = olen;
		r->data[2] = nlen;
		r->data[3] = flags;
		sysreq_on_exit(r, host_mremap_exit);
		return SYSRET_NATIVE;
	}
	if ((flags & MREMAP_DONTUNMAP) && (v->flags & VM_SHARED)) return -EINVAL;
	if (!(flags & MREMAP_FIXED) && olen && nlen <= olen) {
		if (nlen < olen) {
			mm_unmap_tables(mm, addr + nlen, addr + olen);
			int err = host_unmap(t, addr + nlen, olen - nlen);
			if (err) return err;
		}
		return (long)addr;
	}
	/* grow in place? */
	if (!(flags & MREMAP_FIXED) && olen && addr + olen == v->end) {
		struct vma *next = vma_next(v);
		uint64_t end = addr + nlen;
		if (end <= TASK_SIZE && end > addr && (!next || next->start >= end)) {
			if (obj_cover(v, (end - v->start) >> PAGE_SHIFT)) return -ENOMEM;
			int err = host_reserve(t, v->end, end - v->end);
			if (err) return err;
			v->end = end;
			vma_merge_neighbours(&mm->vmas, v);
			return (long)addr;
		}
	}
	if (!(flags & MREMAP_MAYMOVE)) return -ENOMEM;
	/* move */
	uint64_t dst;
	if (flags & MREMAP_FIXED) {
		dst = new_addr;
		mm_unmap_tables(mm, dst, dst + nlen);
	} else {
		int64_t a = mm_get_unmapped_area(mm, 0, nlen);
		if (a < 0) return a;
		dst = (uint64_t)a;
	}
	v = vma_find(&mm->vmas, addr);	/* the unmap above may have split nothing of ours */
	uint64_t pgoff = v->pgoff + ((addr - v->start) >> PAGE_SHIFT);
	struct vma *nv = vma_new(dst, dst + nlen, v->prot, v->flags, v->obj, pgoff, v->name);
	if (!nv) return -ENOMEM;
	nv->host_ino = v->host_ino;
	nv->host_dev_major = v->host_dev_major;
	nv->host_dev_minor = v->host_dev_minor;
	if (vma_insert(&mm->vmas, nv)) {
		vma_free(nv);
		return -ENOMEM;
	}
	if (obj_cover(nv, nlen >> PAGE_SHIFT)) return -ENOMEM;
	int err = host_reserve(t, dst, nlen);
	if (err) {
		mm_unmap_tables(mm, dst, dst + nlen);
		return err;
	}
	uint64_t keep = olen < nlen ? olen : nlen;
	if (olen && !(v->flags & VM_SHARED)) {
		/* private pages move with their frames */
		struct move m = { mm, dst - addr };
		pgtable_walk(mm->pt, addr, addr + keep, move_pte, &m);
		host_install_ptes(t, mm, dst, dst + keep);
	}
	if (!olen || (flags & MREMAP_DONTUNMAP)) {
		if (flags & MREMAP_DONTUNMAP) host_reserve(t, addr, olen);
	} else {
		mm_unmap_tables(mm, addr, addr + olen);
		host_unmap(t, addr, olen);
	}
	vma_merge_neighbours(&mm->vmas, nv);
	return (long)dst;
}
