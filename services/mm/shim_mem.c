/* services/mm/shim_mem.c - what the in-guest shim (core/shim_region.c) needs of the
 * memory manager: frames of the pool for its pages, their mapping into a guest as
 * one special VMA the guest's mmap, brk and /proc/PID/maps see, and writes into a
 * process's text (the patched call sites), which get a private copy of their page
 * first so the page cache's frame, shared by every guest, is never written. */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include "core/log.h"
#include "services/mm/mm_internal.h"
#include "services/mm/pagecache.h"

int64_t mm_frames_alloc(unsigned order, void **mem)
{
	pfn_t p = frame_alloc(order, true);
	if (p == FRAME_NONE) return -ENOMEM;
	for (unsigned i = 0; i < (1u << order); i++) frame_page(p + i)->flags |= PG_ANON;
	*mem = frame_to_virt_range(p, 1u << order);
	return p;
}

void mm_frames_free(uint64_t first, unsigned order)
{
	for (unsigned i = 0; i < (1u << order); i++) frame_put((pfn_t)(first + i));
}

bool mm_range_free(struct task *t, uint64_t start, uint64_t end)
{
	struct mm *mm = mm_of(t);
	if (!mm) return false;
	struct vma *v = vma_find_from(&mm->vmas, start);
	return !v || v->start >= end;
}

int mm_map_special(struct task *t, uint64_t va, uint64_t first, unsigned npages, unsigned prot,
		   const char *name, bool record)
{
	struct mm *mm = mm_of(t);
	if (!mm) return -EINVAL;
	int err = host_map_frames(t, va, (pfn_t)first, npages, prot);
	if (err || !record) return err;
	struct vma *v = vma_new(va, va + ((uint64_t)npages << PAGE_SHIFT), prot, VM_HOST | VM_SPECIAL,
				NULL, 0, name);
	if (!v) return -ENOMEM;
	if (vma_insert(&mm->vmas, v)) {
		vma_free(v);
		return -EEXIST;
	}
	return 0;
}

int mm_poke_text(struct task *t, uint64_t addr, const void *src, size_t len, bool fresh)
{
	struct mm *mm = mm_of(t);
	uint64_t page = addr & PAGE_MASK;
	if (!mm || !len || ((addr + len - 1) & PAGE_MASK) != page) return -EINVAL;
	struct vma *v = vma_find(&mm->vmas, addr);
	if (!v || (v->flags & (VM_HOST | VM_SHARED)) || !(v->prot & PROT_EXEC) || addr + len > v->end)
		return -EINVAL;
	int err = mm_populate(t, mm, page, page + PAGE_SIZE, false);
	if (err) return err;
	pte_t *e = pgtable_entry(mm->pt, page, false);
	if (!e || !pte_present(*e)) return -EFAULT;
	pfn_t pfn = pte_pfn(*e);
	if (fresh || frame_page(pfn)->refcount > 1 || pagecache_owns(pfn)) {
		/* shared (the page cache, a fork): this process gets its own copy; or
		 * other threads may be running the page: they switch to the patched copy
		 * at once when it is mapped over the old one */
		pfn_t p = frame_alloc(0, false);
		if (p == FRAME_NONE) return -ENOMEM;
		memcpy(frame_to_virt(p), frame_to_virt(pfn), PAGE_SIZE);
		frame_page(p)->owner = mm;
		frame_page(p)->index = page >> PAGE_SHIFT;
		frame_put(pfn);
		pfn = p;
		mm_stat.cow++;
	}
	memcpy((char *)frame_to_virt(pfn) + (addr - page), src, len);
	*e = pte_mk_frame(pfn, v->prot) | PTE_PENDING;
	return host_install_ptes(t, mm, page, page + PAGE_SIZE);
}

static bool text_vma(const struct vma *v)
{
	return v->obj && v->obj->kind == MO_FILE && v->obj->cached && (v->prot & PROT_EXEC) &&
	       !(v->flags & (VM_HOST | VM_SHARED | VM_SPECIAL));
}

static void text_id(const struct memobj *o, struct mm_text_id *id)
{
	memset(id, 0, sizeof *id);
	id->w[0] = (uint64_t)o->key.dev;
	id->w[1] = (uint64_t)o->key.ino;
	id->w[2] = (uint64_t)o->key.mtime_sec;
	id->w[3] = (uint64_t)o->key.mtime_nsec;
	id->w[4] = o->key.size;
}

bool mm_text_file_offset(struct task *t, uint64_t addr, struct mm_text_id *id, uint64_t *off)
{
	struct mm *mm = mm_of(t);
	struct vma *v = mm ? vma_find(&mm->vmas, addr) : NULL;
	if (!v || !text_vma(v)) return false;
	text_id(v->obj, id);
	*off = (v->pgoff << PAGE_SHIFT) + (addr - v->start);
	return true;
}

void mm_text_vmas(struct task *t, void (*fn)(void *ctx, uint64_t start, uint64_t end,
					      const struct mm_text_id *id, uint64_t off), void *ctx)
{
	struct mm *mm = mm_of(t);
	if (!mm) return;
	for (struct vma *v = vma_first(&mm->vmas); v; v = vma_next(v)) {
		if (!text_vma(v)) continue;
		struct mm_text_id id;
		text_id(v->obj, &id);
		fn(ctx, v->start, v->end, &id, v->pgoff << PAGE_SHIFT);
	}
}

int mm_peek(struct task *t, uint64_t addr, void *dst, size_t len)
{
	struct mm *mm = mm_of(t);
	if (!mm) return -EFAULT;
	char *d = dst;
	while (len) {
		uint64_t page = addr & PAGE_MASK, in = addr - page;
		size_t n = PAGE_SIZE - in < len ? PAGE_SIZE - in : len;
		pte_t e = pgtable_get(mm->pt, page);
		if (!pte_present(e)) return -EFAULT;
		memcpy(d, (char *)frame_to_virt(pte_pfn(e)) + in, n);
		d += n;
		addr += n;
		len -= n;
	}
	return 0;
}
