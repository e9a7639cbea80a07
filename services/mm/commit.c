/* services/mm/commit.c - commit accounting and the overcommit policy (Linux's
 * __vm_enough_memory in mm/util.c, vm.overcommit_memory).
 *
 * Committed memory is what guests could touch without asking again: the pages of
 * every private writable mapping and of every shared anonymous object, as Linux's
 * Committed_AS counts them (VM_ACCOUNT). It is computed from the tables when
 * needed (a walk of every mm's VMAs) rather than maintained at every VMA change,
 * so it cannot drift; the walk runs only in mode 2 and for /proc/meminfo.
 *
 * --overcommit=0 (Linux's default heuristic): a single request larger than the
 * pool plus swap fails. 1: never fails. 2 (OVERCOMMIT_NEVER): a request fails with
 * ENOMEM when it would take Committed_AS above CommitLimit = pool *
 * overcommit_ratio (50%) + swap; MAP_NORESERVE is ignored, as Linux ignores it
 * in that mode. Checked at mmap, brk and mremap growth (not yet at an mprotect
 * that makes a private mapping writable, which Linux also charges). */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include "services/mm/mm_internal.h"
#include "services/mm/swap.h"

#define OVERCOMMIT_RATIO 50	/* vm.overcommit_ratio */

bool mm_vma_accountable(const struct vma *v)
{
	if (v->obj && v->obj->kind == MO_ANON_SHARED) return false;	/* counted per object */
	if ((v->flags & VM_SHARED) || !(v->prot & PROT_WRITE)) return false;
	return mm_config.overcommit == 2 || !(v->flags & (VM_NORESERVE | VM_DROPPABLE));
}

struct commit_walk { struct mm *mms[1024]; unsigned nmms; const void *objs[1024]; unsigned nobjs; uint64_t pages; };

static bool seen(const void **arr, unsigned *n, unsigned max, const void *p)
{
	for (unsigned i = 0; i < *n; i++) if (arr[i] == p) return true;
	if (*n < max) arr[(*n)++] = p;
	return false;
}

static int commit_task(struct task *t, void *arg)
{
	struct commit_walk *c = arg;
	if (!t->mm || seen((const void **)c->mms, &c->nmms, 1024, t->mm)) return 0;
	for (const struct vma *v = vma_first(&t->mm->vmas); v; v = vma_next(v)) {
		if (mm_vma_accountable(v)) c->pages += vma_pages(v);
		else if (v->obj && v->obj->kind == MO_ANON_SHARED && !seen(c->objs, &c->nobjs, 1024, v->obj))
			c->pages += v->obj->npages;
	}
	return 0;
}

uint64_t mm_committed_pages(void)
{
	struct commit_walk *c = calloc(1, sizeof *c);
	if (!c) return 0;
	task_for_each(commit_task, c);
	uint64_t pages = c->pages;
	free(c);
	return pages;
}

uint64_t mm_commit_limit(void)
{
	return frame_pool_frames() * OVERCOMMIT_RATIO / 100 + swap_total();
}

long mm_vm_enough_memory(uint64_t pages)
{
	switch (mm_config.overcommit) {
	case 1: return 0;
	case 2: return mm_committed_pages() + pages > mm_commit_limit() ? -ENOMEM : 0;
	default: return pages > frame_pool_frames() + swap_total() ? -ENOMEM : 0;
	}
}
