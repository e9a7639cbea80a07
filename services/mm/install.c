/* services/mm/install.c - the host side of Persona's page tables.
 *
 * The host kernel's mappings of a guest mirror Persona's tables: a VMA with no
 * present page is one PROT_NONE anonymous reservation; a present page is a
 * MAP_SHARED mapping of its frame in the pool, at the protection its PTE says. Every
 * change is an injected syscall in a stopped thread of the guest (core/inject.c), so
 * a run of pages whose frames are contiguous is installed with one mmap: the host
 * merges such mappings into one VMA, which keeps a large guest under
 * vm.max_map_count. The mmap populates the host's page table too (MAP_POPULATE):
 * the pages are present in Persona's tables already, and a host page fault per
 * page (or per 16 with the host's fault-around) costs ~8 us on this VM: measured,
 * 45 fewer host faults per fork+exec of /bin/true, first_touch 27 -> 17 us a
 * page, fork_cow 600 -> 370 ms. */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include "core/inject.h"
#include "core/log.h"
#include "core/trap.h"
#include "services/mm/mm_internal.h"

long host_call(struct task *t, long nr, uint64_t a0, uint64_t a1, uint64_t a2,
	       uint64_t a3, uint64_t a4, uint64_t a5)
{
	if (t->mm) t->mm->install_gen++;	/* the host's mappings change */
	const uint64_t args[6] = { a0, a1, a2, a3, a4, a5 };
	mm_stat.injected++;
	return inject_syscall(t, nr, args);
}

static int as_err(long r) { return r < 0 ? (int)r : 0; }

int host_reserve(struct task *t, uint64_t start, uint64_t len)
{
	MMDBG("[%d] reserve %#lx-%#lx", task_vtid(t), (unsigned long)start, (unsigned long)(start + len));
	return as_err(host_call(t, SYS_mmap, start, len, PROT_NONE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1UL, 0));
}

int host_map_frames(struct task *t, uint64_t va, pfn_t pfn, uint64_t npages, unsigned prot)
{
	MMDBG("[%d] map %#lx-%#lx frames %u+%lu prot %c%c%c", task_vtid(t), (unsigned long)va,
	      (unsigned long)(va + (npages << PAGE_SHIFT)), pfn, (unsigned long)npages,
	      prot & PROT_READ ? 'r' : '-', prot & PROT_WRITE ? 'w' : '-', prot & PROT_EXEC ? 'x' : '-');
	mm_stat.installs++;
	long r = host_call(t, SYS_mmap, va, npages << PAGE_SHIFT, prot, MAP_SHARED | MAP_FIXED | MAP_POPULATE,
			   MM_POOL_FD, frame_offset(pfn));
	if (r >= 0 && (uint64_t)r != va) log_err("[%d] mm: frames mapped at %#lx, not %#lx", task_vtid(t), r, (unsigned long)va);
	if (r < 0 && r != -ESRCH) log_err("[%d] mm: cannot map frames at %#lx: %s", task_vtid(t), (unsigned long)va, strerror((int)-r));
	return as_err(r);
}

int host_protect(struct task *t, uint64_t start, uint64_t len, unsigned prot)
{
	MMDBG("[%d] protect %#lx-%#lx %#x", task_vtid(t), (unsigned long)start,
	      (unsigned long)(start + len), prot);
	return as_err(host_call(t, SYS_mprotect, start, len, prot, 0, 0, 0));
}

int host_unmap(struct task *t, uint64_t start, uint64_t len)
{
	return as_err(host_call(t, SYS_munmap, start, len, 0, 0, 0, 0));
}

/* a run of pages being gathered for one mmap */
struct run {
	struct task *t;
	uint64_t va;		/* start of the run, 0 = none */
	pfn_t pfn;
	uint64_t n;
	unsigned prot;
	int err;
};

static void run_flush(struct run *r)
{
	if (r->n && !r->err) r->err = host_map_frames(r->t, r->va, r->pfn, r->n, r->prot);
	r->n = 0;
}

static int run_add(uint64_t va, pte_t *e, void *arg)
{
	struct run *r = arg;
	if (!pte_present(*e) || !(*e & PTE_PENDING)) return 0;
	*e &= ~(PTE_PENDING | PTE_AGED);	/* installed with its protection: accessible */
	pfn_t pfn = pte_pfn(*e);
	unsigned prot = pte_prot(*e);
	if (r->n && (va != r->va + (r->n << PAGE_SHIFT) || pfn != r->pfn + r->n || prot != r->prot))
		run_flush(r);
	if (!r->n) {
		r->va = va;
		r->pfn = pfn;
		r->prot = prot;
	}
	r->n++;
	return 0;
}

int host_install_ptes(struct task *t, struct mm *mm, uint64_t start, uint64_t end)
{
	struct run r = { .t = t };
	pgtable_walk(mm->pt, start, end, run_add, &r);
	run_flush(&r);
	return r.err;
}

/* host_install_new: a run of present pages (r.run) and a stretch to reserve */
struct newrun {
	struct run run;
	uint64_t rs, re;	/* pending reservation [rs, re) */
	uint64_t cursor;	/* first address of the VMA not yet seen */
};

static void reserve_flush(struct newrun *n)
{
	if (n->re > n->rs && !n->run.err) n->run.err = host_reserve(n->run.t, n->rs, n->re - n->rs);
	n->rs = n->re = 0;
}

static void reserve_add(struct newrun *n, uint64_t s, uint64_t e)
{
	if (s >= e) return;
	if (n->re != s) {
		reserve_flush(n);
		n->rs = s;
	}
	n->re = e;
}

static int newrun_add(uint64_t va, pte_t *e, void *arg)
{
	struct newrun *n = arg;
	if (!pte_present(*e)) return 0;	/* a guard marker: reserved with the rest */
	reserve_add(n, n->cursor, va);
	n->cursor = va + PAGE_SIZE;
	*e |= PTE_PENDING;
	return run_add(va, e, &n->run);
}

int host_install_new(struct task *t, struct mm *mm, uint64_t start, uint64_t end)
{
	struct newrun n = { .run = { .t = t } };
	for (struct vma *v = vma_find_from(&mm->vmas, start); v && v->start < end; v = vma_next(v)) {
		if (v->flags & VM_HOST) continue;
		uint64_t s = v->start > start ? v->start : start, e = v->end < end ? v->end : end;
		n.cursor = s;
		pgtable_walk(mm->pt, s, e, newrun_add, &n);
		reserve_add(&n, n.cursor, e);
	}
	run_flush(&n.run);
	reserve_flush(&n);
	return n.run.err;
}

/* One batch at a time: the tracer thread runs each to its end before it goes on. */
static struct inject_batch batch;
static bool batch_busy;

struct inject_batch *mm_batch_begin(struct task *t)
{
	if (batch_busy || t->batch || !t->mm || !t->mm->tramp_code) return NULL;
	batch.code = t->mm->tramp_code;
	batch.table = t->mm->tramp_table;
	batch_busy = true;
	inject_batch_begin(t, &batch);
	return &batch;
}

int mm_batch_end(struct task *t, struct inject_batch *b)
{
	if (!b) return 0;
	int err;
	if (b->n == 1 && t->stop != STOP_SECCOMP) {
		/* one call: a plain injection costs the same (not from a seccomp stop,
		 * which it would first have to leave: a batch skips the trapped call) */
		t->batch = NULL;
		long r = inject_syscall(t, (long)b->op[0].nr, b->op[0].args);
		err = r < 0 && r > -4096 ? (int)r : 0;
	} else {
		err = inject_batch_end(t);
	}
	t->batch = NULL;
	batch_busy = false;
	return err;
}
