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
 * Threads and vfork children (CLONE_VM) share the mm itself.
 *
 * A single-threaded process with few pages installed writable (a shell, a loop about
 * to exec, at most FORK_COPY_MAX) forks without copy-on-write for them: the child
 * gets its own copies at the clone event, while the parent is still stopped there,
 * installed at the child's first stop before it runs an instruction, as the pages
 * the kernel writes always are. The parent then needs no mprotect (no injection,
 * so its clone runs without leaving and re-entering its seccomp stop), and neither
 * side takes a copy-on-write fault on them afterwards. */
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include "core/log.h"
#include "services/mm/mm_internal.h"
#include "services/mm/swap.h"

#define FORK_COPY_MAX 64	/* pages: 256 KiB copied at most */

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
	bool was_writable = pte_prot(*e) & PROT_WRITE;
	if (pinned(c->mm, va) || (was_writable && c->mm->fork_copy)) {
		if (c->run.end) run_protect(&c->run, c->v);
		return 0;
	}
	*e = (*e | PTE_COW) & ~(pte_t)PROT_WRITE;
	if (was_writable) *e &= ~PTE_AGED;	/* the run's mprotect gives it read access */
	if (!was_writable) return 0;
	if (c->run.end != va) run_protect(&c->run, c->v);
	if (!c->run.end) c->run.start = va;
	c->run.end = va + PAGE_SIZE;
	return 0;
}

static int count_writable(uint64_t va, pte_t *e, void *arg)
{
	(void)va;
	if (pte_present(*e) && (pte_prot(*e) & PROT_WRITE)) ++*(uint64_t *)arg;
	return *(uint64_t *)arg > FORK_COPY_MAX;
}

long mm_prepare_fork(struct task *t)
{
	struct mm *mm = t->mm;
	if (!mm) return 0;
	mm_reclaim_balance(t);	/* the child's copies of kernel-written pages need frames */
	mm_lock(t);
	mm->npinned = mm_kernel_written_pages(t, mm->pinned, sizeof mm->pinned / sizeof *mm->pinned);
	uint64_t writable = 0;
	for (struct vma *v = vma_first(&mm->vmas); v && writable <= FORK_COPY_MAX; v = vma_next(v))
		if (is_private_managed(v) && !(v->flags & VM_DONTFORK) && (v->prot & PROT_WRITE))
			pgtable_walk(mm->pt, v->start, v->end, count_writable, &writable);
	/* alone in its mm: no other thread writes between the host's fork and the
	 * copies made at the clone event */
	mm->fork_copy = writable <= FORK_COPY_MAX && !mm_shared(t) && t->leader->live_threads == 1;
	mm->fork_copy_pages = writable;
	struct mark_ctx c = { .run = { .t = t }, .mm = mm };
	struct inject_batch *b = mm_batch_begin(t);	/* the mprotects in one stop */
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
	int err = mm_batch_end(t, b);
	return c.run.err ? c.run.err : err;
}

struct copy_ctx {
	struct mm *child;
	const struct mm *parent;
	const struct vma *v;
	bool wipe;
	struct copy_block *blk;	/* where the copies go */
};

/* Frames for the child's copies, taken in order from one contiguous block, so that
 * copies of consecutive pages are consecutive frames (one mmap per run) */
struct copy_block { pfn_t next, end; };

static void block_get(struct copy_block *b, uint64_t pages)
{
	unsigned order = 0;
	while ((1ULL << order) < pages && order < FRAME_MAX_ORDER) order++;
	pfn_t p = pages ? frame_alloc(order, false) : FRAME_NONE;
	b->next = p;
	b->end = p == FRAME_NONE ? p : p + (1U << order);
}

static pfn_t block_take(struct copy_block *b)
{
	return b->next != b->end ? b->next++ : frame_alloc(0, false);
}

static void block_put(struct copy_block *b)
{
	while (b->next != b->end) frame_put(b->next++);
}

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
	if (!(*e & PTE_COW) && is_private_managed(c->v) &&
	    (pinned(c->parent, va) || (c->parent->fork_copy && (pte_prot(*e) & PROT_WRITE)))) {
		/* a page the kernel writes, or one of few writable ones: the child's
		 * own copy, now */
		pfn_t p = block_take(c->blk);
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
	mm->tramp_code = parent->tramp_code;	/* the host's fork copies its pages */
	mm->tramp_table = parent->tramp_table;
	mm->tramp_lo = parent->tramp_lo;
	mm->tramp_hi = parent->tramp_hi;
	struct copy_block blk;
	block_get(&blk, parent->npinned + (parent->fork_copy ? parent->fork_copy_pages : 0));
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
		struct copy_ctx c = { mm, parent, n, (v->flags & VM_WIPEONFORK) && is_private_managed(v), &blk };
		if (pgtable_walk(parent->pt, v->start, v->end, copy_pte, &c)) goto fail;
	}
	block_put(&blk);
	return mm;
fail:
	block_put(&blk);
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
	struct inject_batch *b = mm_batch_begin(child);	/* all in one stop */
	host_install_ptes(child, mm, 0, TASK_SIZE);	/* its copies of kernel-written pages */
	for (struct vma *v = vma_first(&mm->vmas); v; v = vma_next(v))
		if ((v->flags & VM_WIPEONFORK) && is_private_managed(v))
			host_reserve(child, v->start, v->end - v->start);
	mm_batch_end(child, b);
}
