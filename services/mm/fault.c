/* services/mm/fault.c - demand paging and copy-on-write.
 *
 * Reserved pages are PROT_NONE in the host, so the guest's first access to one
 * raises SIGSEGV, which stops the guest in the tracer before delivery. The x86 error
 * code (read or write?) is not visible from there, so the fault is resolved from the
 * tables alone: a page not present is filled (zeroes, the page cache's frame of a
 * private file page, mapped copy-on-write, or the shared object's frame) and
 * installed with the VMA's protection; a present page installed narrower than its
 * VMA is a copy-on-write page and is copied (or, when this mm holds the only
 * reference to a frame not in the page cache, just made writable). A present page
 * already installed with its VMA's full protection faulted for a real reason (a
 * write to a read-only page...): the guest gets the host's SIGSEGV, whose si_code
 * and si_addr are right.
 *
 * Fault-around: each fault fills a window of pages around the address (aligned, as
 * Linux's do_fault_around), which doubles while faults walk sequentially and falls
 * back to --fault-around otherwise, so a streaming first touch costs few stops. */
#include <errno.h>
#include <stdio.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include "core/log.h"
#include "core/trap.h"
#include "core/guest_mem.h"
#include <sys/ptrace.h>
#include "services/mm/mm_internal.h"
#include "services/mm/pagecache.h"
#include "services/mm/pageio.h"

#define MAX_WINDOW 512		/* pages: 2 MiB, a huge page's worth */

unsigned mm_page_prot(const struct vma *v, pte_t e)
{
	unsigned prot = v->prot;
	if (e & PTE_COW) prot &= ~PROT_WRITE;
	return prot;
}

static unsigned order_for(uint64_t n)
{
	unsigned o = 0;
	while ((1ULL << o) < n && o < FRAME_MAX_ORDER) o++;
	return o;
}

/* Frames for n pages at va: contiguous with the frame mapped just below va when
 * possible (so the host merges the mappings), else a fresh block; extra frames of the
 * block go back. Returns the first pfn, or FRAME_NONE; *got = frames obtained (a
 * shorter contiguous run when memory is fragmented). */
static pfn_t alloc_run(struct mm *mm, uint64_t va, uint64_t n, uint64_t *got, bool zero)
{
	pte_t below = va >= PAGE_SIZE ? pgtable_get(mm->pt, va - PAGE_SIZE) : 0;
	if (pte_present(below) && pte_pfn(below) + 1 + n <= frame_pool_frames() &&
	    frame_alloc_range(pte_pfn(below) + 1, (unsigned)n, zero) == 0) {
		*got = n;
		return pte_pfn(below) + 1;
	}
	for (unsigned o = order_for(n);; o--) {
		pfn_t p = frame_alloc(o, zero);
		if (p != FRAME_NONE) {
			uint64_t have = 1ULL << o;
			*got = have < n ? have : n;
			for (uint64_t i = *got; i < have; i++) frame_put(p + (pfn_t)i);
			return p;
		}
		if (o == 0) return FRAME_NONE;
	}
}

/* Fills frame `pfn` for page va of v (zeroed already): the file's bytes for a
 * private file mapping that bypasses the page cache. */
static void fill_from_file(struct vma *v, uint64_t va, pfn_t pfn)
{
	uint64_t off = (v->pgoff << PAGE_SHIFT) + (va - v->start);
	ssize_t n = pread(v->obj->fd, frame_to_virt(pfn), PAGE_SIZE, (off_t)off);
	(void)n;	/* a short read leaves zeroes, as the kernel does past EOF */
	mm_stat.file_pages++;
}

/* Reads pages [idx, idx + n) of v's file into the contiguous frames from pfn (not
 * zeroed): one sendfile into the pool (pageio.h); what lies past the end of the
 * file reads as zeroes. */
static void read_pages(struct vma *v, uint64_t idx, pfn_t pfn, uint64_t n)
{
	uint64_t t0 = mm_clock_ns();
	page_read_frames(v->obj->fd, idx << PAGE_SHIFT, pfn, n);
	mm_stat.read_ns += mm_clock_ns() - t0;
	mm_stat.file_pages += n;
}

/* The page cache's frames for the n pages of v from va (none past the end of the
 * file), each with a reference for the caller, in pfns[]: hits as cached; each run
 * of misses is read with one pread into contiguous frames that join the cache.
 * Returns how many were obtained (fewer than n only when the pool is empty). */
static uint64_t cache_pages(struct mm *mm, struct vma *v, uint64_t va, uint64_t n, pfn_t *pfns)
{
	const struct pc_key *k = &v->obj->key;
	uint64_t idx = v->pgoff + ((va - v->start) >> PAGE_SHIFT);
	for (uint64_t i = 0; i < n;) {
		if ((pfns[i] = pagecache_lookup(k, idx + i)) != FRAME_NONE) {
			i++;
			continue;
		}
		uint64_t m = 1;		/* the run of misses; pfns[i + m] a hit if < n */
		while (i + m < n && (pfns[i + m] = pagecache_lookup(k, idx + i + m)) == FRAME_NONE) m++;
		bool hit_after = i + m < n;
		uint64_t got;
		pfn_t p = alloc_run(mm, va + (i << PAGE_SHIFT), m, &got, false);
		if (p == FRAME_NONE) {
			if (hit_after) frame_put(pfns[i + m]);
			return i;
		}
		read_pages(v, idx + i, p, got);
		for (uint64_t j = 0; j < got; j++) {
			pfns[i + j] = p + (pfn_t)j;
			/* the allocation's reference becomes the cache's; if the page
			 * cannot be cached, it is simply the mapping's own frame */
			if (pagecache_insert(k, idx + i + j, p + (pfn_t)j) == 0) frame_get(p + (pfn_t)j);
		}
		if (got < m) {		/* fragmented: the rest of the run on the next turn */
			if (hit_after) frame_put(pfns[i + m]);
			i += got;
			continue;
		}
		i += m + hit_after;
	}
	return n;
}

/* Maps the n absent pages of private file mapping v from va from the page cache:
 * copy-on-write, without write permission, so the cache's frames are shared by
 * every mapper and never written. With `copy` (a write), each page gets its own copy
 * at once instead. Table work only. 0 or -ENOMEM. */
static int fill_cached(struct mm *mm, struct vma *v, uint64_t va, uint64_t n, bool copy)
{
	enum { CHUNK = 64 };
	pfn_t src[CHUNK];
	while (n) {
		uint64_t c = n < CHUNK ? n : CHUNK, have = cache_pages(mm, v, va, c, src), i = 0, got = 0;
		pfn_t dst = FRAME_NONE;
		for (; i < have; i++, va += PAGE_SIZE, got--) {
			pte_t *e = pgtable_entry(mm->pt, va, true);
			if (copy && !got && (dst = alloc_run(mm, va, have - i, &got, false)) == FRAME_NONE) break;
			if (!e) break;
			if (copy) {
				frame_copy(dst, src[i]);
				frame_put(src[i]);
				lru_add(mm, dst, va, false);
				*e = pte_mk_frame(dst++, v->prot) | PTE_PENDING;
				mm_stat.cow++;
			} else {
				*e = pte_mk_frame(src[i], mm_page_prot(v, PTE_COW)) | PTE_COW | PTE_PENDING;
			}
			mm_rss_add(mm, v, 1);
			if (v->flags & VM_LOCKED) mm->locked_vm++;
		}
		if (i < c) {
			for (; i < have; i++) frame_put(src[i]);
			while (copy && got--) frame_put(dst++);
			return -ENOMEM;
		}
		n -= c;
	}
	return 0;
}

/* Whether page va of a file mapping lies wholly past the file's end (SIGBUS). */
static bool past_eof(struct vma *v, uint64_t va)
{
	uint64_t off = (v->pgoff << PAGE_SHIFT) + (va - v->start);
	return off >= v->obj->size;
}

/* Makes [start, end) of v present (and, with `write`, COW broken). Only table work
 * and frame filling: the caller installs in the host. -ENOMEM: the pool is empty. */
static int fill_range(struct mm *mm, struct vma *v, uint64_t start, uint64_t end, bool write, uint64_t addr)
{
	bool shared = v->obj && v->obj->kind == MO_ANON_SHARED;
	bool file = v->obj && v->obj->kind == MO_FILE;
	for (uint64_t va = start; va < end;) {
		pte_t *e = pgtable_entry(mm->pt, va, true);
		if (!e) return -ENOMEM;
		if (*e & PTE_GUARD) {	/* a guard page is never filled */
			va += PAGE_SIZE;
			continue;
		}
		if (pte_swapped(*e)) {	/* a major fault: the run is read back */
			long got = mm_swap_in(mm, v, va, end, addr);
			if (got < 0) return (int)got;
			mm_stat.majfault++;
			mm->majflt++;
			continue;	/* present now: a write still breaks COW below */
		}
		if (pte_present(*e) && (*e & PTE_AGED)) {	/* referenced: accessible again */
			frame_page(pte_pfn(*e))->flags |= PG_REFERENCED;
			*e |= PTE_PENDING;
		}
		if (pte_present(*e)) {
			if (write && (*e & PTE_COW)) {
				pfn_t old = pte_pfn(*e);
				if (frame_page(old)->refcount == 1 && !pagecache_owns(old)) {
					mm_stat.cow_reuse++;
					*e = pte_mk_frame(old, v->prot) | PTE_PENDING;
					if (!(frame_page(old)->flags & PG_LRU) || frame_page(old)->owner != mm)
						lru_add(mm, old, va, false);
				} else {
					pfn_t p = frame_alloc(0, false);
					if (p == FRAME_NONE) return -ENOMEM;
					/* a page-cache frame was filled by sendfile, never mapped
					 * here: copied by the host; an anonymous one is likely
					 * copied again (fork after fork), through the direct map */
					if (pagecache_owns(old)) frame_copy(p, old);
					else memcpy(frame_to_virt(p), frame_to_virt(old), PAGE_SIZE);
					lru_unmapped(mm, old);
					frame_put(old);
					*e = pte_mk_frame(p, v->prot) | PTE_PENDING;
					lru_add(mm, p, va, false);
					mm_stat.cow++;
				}
			}
			va += PAGE_SIZE;
			continue;
		}
		if (file && past_eof(v, va)) {
			va += PAGE_SIZE;
			continue;
		}
		if (shared) {
			uint64_t idx = v->pgoff + ((va - v->start) >> PAGE_SHIFT);
			if (idx >= v->obj->npages) return -EFAULT;
			if (v->obj->pages[idx] == FRAME_NONE) {
				pfn_t p = frame_alloc(0, true);
				if (p == FRAME_NONE) return -ENOMEM;
				v->obj->pages[idx] = p;
			}
			frame_get(v->obj->pages[idx]);
			*e = pte_mk_frame(v->obj->pages[idx], v->prot) | PTE_PENDING;
			mm_rss_add(mm, v, 1);
			if (v->flags & VM_LOCKED) mm->locked_vm++;
			va += PAGE_SIZE;
			continue;
		}
		/* a run of absent pages gets contiguous frames */
		uint64_t n = 1;
		while (va + (n << PAGE_SHIFT) < end) {
			pte_t x = pgtable_get(mm->pt, va + (n << PAGE_SHIFT));
			if (pte_present(x) || pte_swapped(x) || (x & PTE_GUARD) || (file && past_eof(v, va + (n << PAGE_SHIFT)))) break;
			n++;
		}
		if (file && v->obj->cached) {
			int err = fill_cached(mm, v, va, n, write);
			if (err) return err;
			va += n << PAGE_SHIFT;
			continue;
		}
		uint64_t got;
		pfn_t p = alloc_run(mm, va, n, &got, true);
		if (p == FRAME_NONE) return -ENOMEM;
		for (uint64_t i = 0; i < got; i++, va += PAGE_SIZE) {
			pte_t *pe = pgtable_entry(mm->pt, va, true);
			if (!pe) {
				for (uint64_t j = i; j < got; j++) frame_put(p + (pfn_t)j);
				return -ENOMEM;
			}
			if (file) fill_from_file(v, va, p + (pfn_t)i);
			*pe = pte_mk_frame(p + (pfn_t)i, v->prot) | PTE_PENDING;
			lru_add(mm, p + (pfn_t)i, va, false);
		}
		mm_rss_add(mm, v, (long)got);
		if (v->flags & VM_LOCKED) mm->locked_vm += got;
	}
	return 0;
}

int mm_fill(struct mm *mm, uint64_t start, uint64_t end, bool write)
{
	start &= PAGE_MASK;
	end = PAGE_ALIGN(end);
	int err = 0;
	for (struct vma *v = vma_find_from(&mm->vmas, start); v && v->start < end && !err; v = vma_next(v)) {
		if ((v->flags & VM_HOST) || v->prot == PROT_NONE) continue;
		if (write && !(v->prot & PROT_WRITE)) continue;
		uint64_t s = start > v->start ? start : v->start;
		err = fill_range(mm, v, s, end < v->end ? end : v->end, write, s);
	}
	return err;
}

int mm_populate(struct task *t, struct mm *mm, uint64_t start, uint64_t end, bool write)
{
	start &= PAGE_MASK;
	end = PAGE_ALIGN(end);
	int err = 0;
	mm_reclaim_balance(t);
	for (struct vma *v = vma_find_from(&mm->vmas, start); v && v->start < end && !err; v = vma_next(v)) {
		if ((v->flags & VM_HOST) || v->prot == PROT_NONE) continue;
		if (write && !(v->prot & PROT_WRITE)) continue;
		uint64_t s = start > v->start ? start : v->start, e = end < v->end ? end : v->end;
		err = fill_range(mm, v, s, e, write, s);
		int ierr = host_install_ptes(t, mm, s, e);
		if (!err) err = ierr;
	}
	/* a syscall's populate cannot wait in a fault stop: the victim is killed and
	 * the caller sees -ENOMEM */
	if (err == -ENOMEM) mm_out_of_memory(t, false);
	return err;
}

/* The fault-around window for a fault at addr in v: doubles while v's faults are
 * sequential. Kept per VMA: with one window per mm, python's faults alternating
 * between its heap and an obmalloc arena reset each other to the base window (33
 * faults at startup; 22 with the windows apart). */
static unsigned window_for(struct vma *v, uint64_t addr)
{
	unsigned base = mm_config.fault_around ? mm_config.fault_around : 1;
	/* file text is read-mostly and its faults are scattered (ld.so, libc): a
	 * wider window saves stops at the price of reading ahead, as readahead does */
	if (v->obj && v->obj->kind == MO_FILE && base < 64) base *= 4;
	uint64_t last = v->last_fault;
	if (last && v->fault_window && addr > last &&
	    addr - last <= ((uint64_t)v->fault_window << (PAGE_SHIFT + 1))) {
		if (v->fault_window < MAX_WINDOW) v->fault_window *= 2;
	} else {
		v->fault_window = base;
	}
	v->last_fault = addr;
	return v->fault_window < base ? base : v->fault_window;
}

/* Whether a fault in v fills all of it: a segment of a program or library (ld.so
 * and the loader map them from ELF files), of at most MM_SEGMENT_MAX pages, while
 * the pool has room. Reading a page into the cache costs ~1.5 us (sendfile) and
 * mapping it a fraction of that, against ~270 us for a fault stop with its
 * injected mmap: measured on cc1 (20 MB of text, 10 MB of read-only data), 61 + 16
 * faults in those two segments became 2, and the pages read grew by 13%. */
bool mm_segment_whole(uint64_t pages)
{
	if (pages > MM_SEGMENT_MAX) return false;
	struct frame_stats fs;
	frame_stats(&fs);
	return fs.free >= 4 * pages;
}

static bool whole_segment(const struct vma *v)
{
	return v->obj && v->obj->kind == MO_FILE && v->obj->elf && mm_segment_whole(vma_pages(v));
}

static int sigbus(struct task *t, uint64_t addr)
{
	siginfo_t si;
	memset(&si, 0, sizeof si);
	si.si_signo = SIGBUS;
	si.si_code = BUS_ADRERR;
	si.si_addr = (void *)addr;
	ptrace(PTRACE_SETSIGINFO, t->tid, 0, &si);
	return SIGBUS;
}

static int fault(struct task *t, const siginfo_t *si)
{
	struct mm *mm = t->mm;
	if (!mm || si->si_code <= 0) return SIGSEGV;	/* sent by someone: deliver */
	uint64_t addr = (uint64_t)si->si_addr;
	struct vma *v = vma_find(&mm->vmas, addr);
	if (!v || (v->flags & VM_HOST) || v->prot == PROT_NONE) goto deliver;
	pte_t e = pgtable_get(mm->pt, addr);
	if (e & PTE_GUARD) {
		/* MADV_GUARD_INSTALL: SIGSEGV, SEGV_MAPERR as Linux's VM_FAULT_SIGSEGV (the
		 * host's own signal says SEGV_ACCERR: its page is a PROT_NONE reservation) */
		siginfo_t g = *si;
		g.si_code = SEGV_MAPERR;
		ptrace(PTRACE_SETSIGINFO, t->tid, 0, &g);
		goto deliver;
	}
	mm_pins_clear(t);	/* a fault is taken in user mode: no syscall of t is in flight */
	if (pte_present(e) && (e & PTE_AGED)) {	/* the software referenced bit */
		MMDBG("[%d] reference fault at %#lx", task_vtid(t), (unsigned long)addr);
		mm_reference_fault(t, mm, v, addr);
		return 0;	/* the access is retried (a write to a COW page faults again) */
	}
	bool cow = pte_present(e) && (e & PTE_COW) && (v->prot & PROT_WRITE);
	if (pte_present(e) && !cow) {
		/* Installed fully. Either a real fault (a write to a read-only page), or
		 * this thread faulted while another one's fault installed the page: the
		 * first time, let the access retry; a second fault there is real. */
		if (t->fault_retry != addr || t->fault_retry_gen != mm->install_gen) {
			MMDBG("[%d] fault at %#lx on an installed page: retried", task_vtid(t), (unsigned long)addr);
			t->fault_retry = addr;
			t->fault_retry_gen = mm->install_gen;
			return 0;
		}
		goto deliver;
	}
	t->fault_retry = 0;
	if (!pte_present(e) && !pte_swapped(e) && v->obj && v->obj->kind == MO_FILE && past_eof(v, addr)) {
		MMDBG("[%d] fault %#lx past the end of the file: SIGBUS", task_vtid(t), (unsigned long)addr);
		return sigbus(t, addr);
	}
	mm_stat.faults++;
	mm->minflt++;
	if (!cow) mm_stat.minor++;	/* COW copies are counted per page in fill_range */
	uint64_t win = (uint64_t)window_for(v, addr) << PAGE_SHIFT;
	uint64_t s = addr & ~(win - 1), end = s + win;
	if (pte_swapped(e)) {	/* a major fault reads the evicted cluster back */
		uint64_t cs = addr & ~(((uint64_t)MM_SWAP_CLUSTER << PAGE_SHIFT) - 1);
		if (cs < s) s = cs;
		if (cs + ((uint64_t)MM_SWAP_CLUSTER << PAGE_SHIFT) > end) end = cs + ((uint64_t)MM_SWAP_CLUSTER << PAGE_SHIFT);
	}
	if (s < v->start) s = v->start;
	if (end > v->end) end = v->end;
	if (!cow && !pte_swapped(e) && whole_segment(v)) {
		s = v->start;
		end = v->end;
	}
	/* a COW fault copies more than its page only while the writes walk
	 * sequentially (the window grew): otherwise read-mostly memory would be copied */
	if (cow && win <= (uint64_t)mm_config.fault_around << PAGE_SHIFT) {
		s = addr & PAGE_MASK;
		end = s + PAGE_SIZE;
	}
	mm_stat.around_pages += ((end - s) >> PAGE_SHIFT) - 1;
	MMDBG("[%d] %s fault at %#lx in %#lx-%#lx: pages %#lx-%#lx", task_vtid(t),
	      cow ? "copy-on-write" : "demand", (unsigned long)addr, (unsigned long)v->start,
	      (unsigned long)v->end, (unsigned long)s, (unsigned long)end);
	uint64_t file_pages = mm_stat.file_pages;
	mm_reclaim_balance(t);
	int err = fill_range(mm, v, s, end, cow, addr);
	if (err == -ENOMEM) {
		/* retry the one page before giving up */
		err = fill_range(mm, v, addr & PAGE_MASK, (addr & PAGE_MASK) + PAGE_SIZE, cow, addr);
		if (err == -ENOMEM) {
			/* what the window filled is kept (installed at the retry) */
			host_install_ptes(t, mm, s, end);
			if (mm_reclaim_direct(t, 64)) return 0;	/* swapped some out: retry */
			if (mm_memwait(t)) return -1;	/* others hold it: wait for their reclaim */
			return mm_out_of_memory(t, true) == OOM_WAIT ? -1 : 0;
		}
	}
	if (mm_stat.file_pages != file_pages) mm_stat.majfault++;	/* read from the file */
	/* the page the guest asked for is referenced (the access about to be retried
	 * would set the hardware's young bit); fault-around pages are not, so reclaim
	 * takes them first and never the page a guest is waiting for */
	pte_t now = pgtable_get(mm->pt, addr);
	if (pte_present(now)) frame_page(pte_pfn(now))->flags |= PG_REFERENCED;
	/* and it stays until t has retried (another process's reclaim could take it
	 * while t waits for a CPU): a pin, dropped at t's next fault or syscall */
	mm_pin(t, addr & PAGE_MASK, PAGE_SIZE);
	mm_memwait_done(t);
	struct inject_batch *b = mm_batch_begin(t);	/* several runs: one stop */
	host_install_ptes(t, mm, s, end);
	mm_batch_end(t, b);	/* died, or not: nothing to deliver */
	return 0;
deliver:
	MMDBG("[%d] fault at %#lx (code %d): SIGSEGV for the guest", task_vtid(t), (unsigned long)addr, si->si_code);
	if (log_debug_mask & DBG_MM) {	/* what the host has there */
		char path[64], line[512];
		snprintf(path, sizeof path, "/proc/%d/maps", t->tid);
		FILE *f = fopen(path, "re");
		while (f && fgets(line, sizeof line, f)) {
			unsigned long a, b;
			if (sscanf(line, "%lx-%lx", &a, &b) == 2 && a <= addr && addr < b)
				MMDBG("   host: %s", line);
		}
		if (f) fclose(f);
		pte_t pe = pgtable_get(mm->pt, addr);
		MMDBG("   pte %#lx vma %#lx-%#lx prot %u", (unsigned long)pe, v ? (unsigned long)v->start : 0,
		      v ? (unsigned long)v->end : 0, v ? v->prot : 0);
	}
	t->fault_retry = 0;
	mm_stat.segv_delivered++;
	return SIGSEGV;
}

int mm_fault(struct task *t, const siginfo_t *si)
{
	uint64_t t0 = mm_clock_ns();
	int r = fault(t, si);
	mm_stat.fault_ns += mm_clock_ns() - t0;
	return r;
}

/* The kernel writes a signal frame below the stack pointer (or at the top of the
 * alternate stack); on a Persona-managed stack those pages may be absent or COW. */
static bool frame_needs_work(struct mm *mm, uint64_t lo, uint64_t hi)
{
	for (uint64_t a = lo & PAGE_MASK; a < hi; a += PAGE_SIZE) {
		struct vma *v = vma_find(&mm->vmas, a);
		if (!v || (v->flags & VM_HOST) || !(v->prot & PROT_WRITE)) continue;
		pte_t e = pgtable_get(mm->pt, a);
		if (e & PTE_GUARD) continue;	/* the kernel's write fails: SIGSEGV, as Linux */
		if (!pte_present(e) || (e & (PTE_COW | PTE_AGED))) return true;
	}
	return false;
}

bool mm_signal_frame(struct task *t)
{
	struct mm *mm = t->mm;
	bool injected = false;
	if (!mm || trap_regs_fetch(t)) return false;
	uint64_t sp = t->regs.rsp, lo = sp - 128 - 3 * PAGE_SIZE;
	if (log_debug_mask & DBG_MM) {
		struct vma *sv = vma_find(&mm->vmas, sp - 1);
		MMDBG("[%d] signal frame below sp %#lx (vma %#lx-%#lx%s, altstack %#lx+%#lx, rseq %#lx)", task_vtid(t),
		      (unsigned long)sp, sv ? (unsigned long)sv->start : 0, sv ? (unsigned long)sv->end : 0,
		      sv && (sv->flags & VM_HOST) ? " host" : "", (unsigned long)t->altstack_sp,
		      (unsigned long)t->altstack_size, (unsigned long)t->rseq_area);
	}
	mm_pins_clear(t);	/* the syscall it was in (if any) is over: the frame is what the kernel writes */
	mm_pin(t, lo, sp - lo);
	if (t->altstack_size) mm_pin(t, t->altstack_sp, t->altstack_size);
	if (frame_needs_work(mm, lo, sp)) {
		mm_populate(t, mm, lo, sp, true);
		injected = true;
	}
	if (t->altstack_size && !(sp > t->altstack_sp && sp <= t->altstack_sp + t->altstack_size)) {
		uint64_t top = t->altstack_sp + t->altstack_size;
		uint64_t bottom = t->altstack_size > 3 * PAGE_SIZE ? top - 3 * PAGE_SIZE : t->altstack_sp;
		if (frame_needs_work(mm, bottom, top)) {
			mm_populate(t, mm, bottom, top, true);
			injected = true;
		}
	}
	return injected;
}
