/* services/mm/fork.c - copy-on-write fork and shared address spaces.
 *
 * At fork's entry (before the host copies its mappings) every present private page
 * of the parent becomes copy-on-write: its PTE is marked, and the pages installed
 * writable are write-protected in the host, one injected mprotect per run. The host's
 * fork then gives the child the same read-only mappings of the same frames; at the
 * clone event the child's mm copies the parent's tables and each frame's refcount
 * rises. The first write on either side faults and fault.c copies the page (or, for
 * the last holder, gives write permission back). MAP_SHARED anonymous memory is not
 * marked: both sides keep writing the same frames, as the seed's shared memory.
 * Threads and vfork children (CLONE_VM) share the mm itself. */
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include "core/log.h"
#include "services/mm/mm_internal.h"
#include "services/mm/swap.h"

static bool is_private_managed(const struct vma *v)
{
	return !(v->flags & (VM_HOST | VM_SHARED)) && !(v->obj && v->obj->kind == MO_ANON_SHARED);
}

struct protect_run { struct task *t; uint64_t start, end; int err; };

static void run_protect(struct protect_run *r, const struct vma *v)
{
	if (r->end > r->start && !r->err)
		r->err = host_protect(r->t, r->start, r->end - r->start, v->prot & ~PROT_WRITE);
	r->start = r->end = 0;
}

struct mark_ctx { struct protect_run run; const struct vma *v; const struct mm *mm; };

static bool pinned(const struct mm *mm, uint64_t va)
{
	for (unsigned i = 0; i < mm->npinned; i++)
		if (mm->pinned[i] == va) return true;
	return false;
}

static int mark_cow(uint64_t va, pte_t *e, void *arg)
{
	struct mark_ctx *c = arg;
	if (!pte_present(*e)) return 0;
	/* A page the kernel writes (rseq on every return to user space) must never be
	 * write-protected: it stays the parent's own, the child gets a copy at the
	 * clone event. (The child's CLONE_CHILD_SETTID would land in the parent's
	 * frame: services/pm/fork.c leaves that write to Persona.) */
	if (pinned(c->mm, va)) {
		if (c->run.end) run_protect(&c->run, c->v);
		return 0;
	}
	bool was_writable = pte_prot(*e) & PROT_WRITE;
	*e = (*e | PTE_COW) & ~(pte_t)PROT_WRITE;
	if (was_writable) *e &= ~PTE_AGED;	/* the run's mprotect gives it read access */
	if (!was_writable) return 0;
	if (c->run.end != va) run_protect(&c->run, c->v);
	if (!c->run.end) c->run.start = va;
	c->run.end = va + PAGE_SIZE;
	return 0;
}

long mm_prepare_fork(struct task *t)
{
	struct mm *mm = t->mm;
	if (!mm) return 0;
	mm_reclaim_balance(t);	/* the child's copies of kernel-written pages need frames */
	mm_lock(t);
	mm->npinned = mm_kernel_written_pages(t, mm->pinned, sizeof mm->pinned / sizeof *mm->pinned);
	struct mark_ctx c = { .run = { .t = t }, .mm = mm };
	for (struct vma *v = vma_first(&mm->vmas); v; v = vma_next(v)) {
		/* frames installed since MADV_DONTFORK are new host mappings, without
		 * VM_DONTCOPY: the host's fork would give them to the child */
		if ((v->flags & (VM_DONTFORK | VM_HOST)) == VM_DONTFORK)
			host_call(t, SYS_madvise, v->start, v->end - v->start, MADV_DONTFORK, 0, 0, 0);
		if (!is_private_managed(v) || (v->flags & VM_DONTFORK)) continue;
		c.v = v;
		pgtable_walk(mm->pt, v->start, v->end, mark_cow, &c);
		run_protect(&c.run, v);
	}
	return c.run.err;
}

struct copy_ctx { struct mm *child; const struct mm *parent; const struct vma *v; bool wipe; };

static int copy_pte(uint64_t va, pte_t *e, void *arg)
{
	struct copy_ctx *c = arg;
	if (!(pte_present(*e) || pte_swapped(*e) || (*e & PTE_GUARD)) || c->wipe) return 0;
	pte_t *ce = pgtable_entry(c->child->pt, va, true);
	if (!ce) return -ENOMEM;
	if (pte_swapped(*e)) {	/* both name the slot; each reads its own copy back */
		swap_dup(pte_slot(*e));
		*ce = *e;
		c->child->swapents++;
		return 0;
	}
	if (*e & PTE_GUARD) {	/* guard regions are inherited (the host's range is PROT_NONE) */
		*ce = *e;
		return 0;
	}
	if (!(*e & PTE_COW) && is_private_managed(c->v) && pinned(c->parent, va)) {
		/* a page the kernel writes: the child's own copy, now */
		pfn_t p = frame_alloc(0, false);
		if (p == FRAME_NONE) return -ENOMEM;
		memcpy(frame_to_virt(p), frame_to_virt(pte_pfn(*e)), PAGE_SIZE);
		*ce = pte_mk_frame(p, pte_prot(*e)) | PTE_PENDING;
		mm_rss_add(c->child, c->v, 1);
		return 0;
	}
	frame_get(pte_pfn(*e));
	*ce = *e & ~(pte_t)(PTE_REFERENCED | PTE_DIRTY);
	mm_rss_add(c->child, c->v, 1);
	return 0;
}

static struct mm *mm_copy(struct mm *parent, pid_t child_pid)
{
	struct mm *mm = mm_new();
	if (!mm) return NULL;
	mm->mmap_base = parent->mmap_base;
	mm->start_brk = parent->start_brk;
	mm->brk = parent->brk;
	mm->start_stack = parent->start_stack;
	mm->arg_start = parent->arg_start;
	mm->arg_end = parent->arg_end;
	mm->env_start = parent->env_start;
	mm->env_end = parent->env_end;
	mm->host_pid = child_pid;
	mm->exe_path = parent->exe_path ? strdup(parent->exe_path) : NULL;
	for (struct vma *v = vma_first(&parent->vmas); v; v = vma_next(v)) {
		if (v->flags & VM_DONTFORK) continue;
		/* mlock is not inherited (Linux clears VM_LOCKED in the child) */
		struct vma *n = vma_new(v->start, v->end, v->prot, v->flags & ~(uint32_t)VM_LOCKED,
					v->obj, v->pgoff, v->name);
		if (!n) goto fail;
		n->host_ino = v->host_ino;
		n->host_dev_major = v->host_dev_major;
		n->host_dev_minor = v->host_dev_minor;
		if (vma_insert(&mm->vmas, n)) {
			vma_free(n);
			goto fail;
		}
		if (v->flags & VM_HOST) continue;
		struct copy_ctx c = { mm, parent, n, (v->flags & VM_WIPEONFORK) && is_private_managed(v) };
		if (pgtable_walk(parent->pt, v->start, v->end, copy_pte, &c)) goto fail;
	}
	return mm;
fail:
	mm_put(mm);
	return NULL;
}

void mm_clone(struct task *parent, struct task *child, unsigned long flags)
{
	struct mm *mm = parent->mm;
	if (!(flags & CLONE_THREAD)) {	/* dispositions are copied, or shared by threads */
		memcpy(child->fault_act, parent->leader->fault_act, sizeof child->fault_act);
		memcpy(child->fault_act_set, parent->leader->fault_act_set, sizeof child->fault_act_set);
	}
	child->altstack_sp = parent->altstack_sp;
	child->altstack_size = parent->altstack_size;
	if (!mm) return;
	if (flags & CLONE_VM) {
		mm->users++;
		child->mm = mm;
		return;
	}
	/* the copy needs a few frames (the kernel-written pages): with the pool nearly
	 * empty, reclaim first through the parent, stopped at its fork event */
	struct frame_stats fs;
	frame_stats(&fs);
	if (fs.free < 32) mm_reclaim_direct(parent, 64);
	child->mm = mm_copy(mm, child->tid);
	if (!child->mm) {
		log_err("out of memory copying the address space of %d: killing the child", task_vpid(parent));
		kill(child->tid, SIGKILL);
	}
}

/* At the child's first stop: memory the child must not see is replaced by fresh
 * reservations (MADV_WIPEONFORK: the host inherited the parent's frames there). */
void mm_child_first_stop(struct task *child)
{
	struct mm *mm = child->mm;
	if (!mm || mm->host_pid != task_tgid(child)) return;	/* shared (CLONE_VM) */
	host_install_ptes(child, mm, 0, TASK_SIZE);	/* its copies of kernel-written pages */
	for (struct vma *v = vma_first(&mm->vmas); v; v = vma_next(v))
		if ((v->flags & VM_WIPEONFORK) && is_private_managed(v))
			host_reserve(child, v->start, v->end - v->start);
}
