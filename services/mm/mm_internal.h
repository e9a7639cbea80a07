/* services/mm/mm_internal.h - what the memory manager's files share: struct mm, the
 * host-side operations (install.c) and the fault path (fault.c). Not for other
 * modules: they use mm.h. */
#ifndef PERSONA_MM_INTERNAL_H
#define PERSONA_MM_INTERNAL_H
#include <stdbool.h>
#include <stdint.h>
#include "core/task.h"
#include "services/mm/mm.h"
#include "services/mm/frame.h"
#include "services/mm/pgtable.h"
#include "services/mm/vma.h"

#define PAGE_ALIGN(x)	(((x) + PAGE_SIZE - 1) & PAGE_MASK)
#define TASK_SIZE	0x7ffffffff000ULL	/* x86-64 47-bit user space */
#define MMAP_MIN_ADDR	0x10000ULL		/* vm.mmap_min_addr */
#define STACK_GUARD_GAP	(256UL << 12)		/* stack_guard_gap: 1 MiB */

struct mm {
	int users;			/* tasks using it: threads, vfork children */
	struct vma_tree vmas;
	struct pgtable *pt;
	uint64_t mmap_base;		/* top of the top-down mmap area */
	uint64_t start_brk, brk;	/* the heap: [start_brk, brk) */
	uint64_t start_stack;
	uint64_t arg_start, arg_end, env_start, env_end;
	/* resident pages Persona installed (Linux's MM_ANONPAGES, MM_FILEPAGES, MM_SHMEMPAGES) */
	uint64_t rss_anon, rss_file, rss_shmem, hiwater_rss;
	uint64_t locked_vm;		/* pages */
	uint64_t swapents;		/* swap entries in the page table (MM_SWAPENTS) */
	/* the process's anonymous pages for reclaim (reclaim.c): inactive [0], active [1] */
	struct lru_list { pfn_t head, tail; uint64_t n; } lru[2];
	uint64_t file_hand;		/* reclaim's clock hand over private file mappings */
	uint64_t minflt, majflt;	/* faults Persona handled (and host image faults: 0) */
	uint32_t def_flags;		/* VM_LOCKED after mlockall(MCL_FUTURE) */
	pid_t host_pid;			/* a process using it, for /proc/HOSTPID lookups */
	/* pages the kernel writes on its own (kwrite.c), as of the last fork */
	uint64_t pinned[64];
	unsigned npinned;
	/* the last fork copied every page installed writable instead of making it
	 * copy-on-write (few of them: fork.c) */
	bool fork_copy;
	/* the trampoline: the stub's pages kept hidden in the image (loader/image.c), whose
	 * routine runs a batch of injected calls in one stop (core/inject.h); 0 when
	 * none, or when the guest mapped or unmapped anything over [tramp_lo, tramp_hi) */
	uint64_t tramp_code, tramp_table, tramp_lo, tramp_hi;
	uint64_t fork_copy_pages;	/* how many (pinned ones may be among them) */
	/* fork in progress (Linux holds mmap_lock): the forking thread; the other
	 * threads' stops that would change the tables wait in parked[] */
	char *exe_path;			/* the program the loader mapped (/proc/PID/exe) */
	uint64_t install_gen;		/* bumped by every host change: a fault retried at
					 * one generation and seen again at the same one is real */
	struct task *lock_owner;
	struct { pid_t tid; int status; } parked[64];
	unsigned nparked;
};

/* kwrite.c: the pages of t's threads that the kernel writes (rseq, tids, robust
 * lists). Returns how many were stored in pages[]. */
unsigned mm_kernel_written_pages(struct task *t, uint64_t *pages, unsigned max);

/* mm.c */
struct mm *mm_of(struct task *t);		/* the task's mm, NULL for kthreads/off */
struct mm *mm_new(void);
void mm_put(struct mm *mm);
uint64_t mm_total_pages(struct mm *mm);
/* A free range of len bytes: the hint if it fits, else top-down below mmap_base.
 * Returns the address or -ENOMEM. */
int64_t mm_get_unmapped_area(struct mm *mm, uint64_t hint, uint64_t len);
/* Splits VMAs so no VMA crosses start or end. */
void mm_split_at(struct mm *mm, uint64_t start, uint64_t end);
/* Removes [start, end) from the tables (frames released). The host side is the
 * caller's. */
void mm_unmap_tables(struct mm *mm, uint64_t start, uint64_t end);
/* The host's mappings of [start, end) are about to change: the trampoline is lost
 * if it lies there. */
void mm_tramp_clobber(struct mm *mm, uint64_t start, uint64_t end);
/* Whether [start, end) is covered by VMAs without holes. */
bool mm_range_mapped(struct mm *mm, uint64_t start, uint64_t end);
/* rss bookkeeping for a page entering/leaving the page table */
void mm_rss_add(struct mm *mm, const struct vma *v, long pages);

/* install.c: host-side operations, as injected syscalls in task t (which must be in a
 * ptrace-stop). Each returns 0 or -errno. */
int host_reserve(struct task *t, uint64_t start, uint64_t len);
int host_map_frames(struct task *t, uint64_t va, pfn_t pfn, uint64_t npages, unsigned prot);
int host_protect(struct task *t, uint64_t start, uint64_t len, unsigned prot);
int host_unmap(struct task *t, uint64_t start, uint64_t len);
long host_call(struct task *t, long nr, uint64_t a0, uint64_t a1, uint64_t a2,
	       uint64_t a3, uint64_t a4, uint64_t a5);
/* Installs the pages of [start, end) that the tables changed (PTE_PENDING) with the
 * protection their PTEs say, one mmap per run of contiguous frames. */
int host_install_ptes(struct task *t, struct mm *mm, uint64_t start, uint64_t end);
/* The same for a range the host has nothing of yet (a new image): besides the runs
 * of present pages, the absent pages of managed VMAs are reserved, one mmap per
 * stretch of consecutive addresses (over VMA boundaries). */
int host_install_new(struct task *t, struct mm *mm, uint64_t start, uint64_t end);

/* fault.c */
/* Makes [start, end) present (and writable if `write`, breaking COW) for the
 * managed VMAs in it; pages outside VMAs or beyond their protection are left alone.
 * At most max_pages are populated. 0 or -errno (-ENOMEM: pool exhausted). */
int mm_populate(struct task *t, struct mm *mm, uint64_t start, uint64_t end, bool write);
/* mm_populate's table work alone: the pages made present are left PTE_PENDING for
 * the caller to install. 0 or -errno. */
int mm_fill(struct mm *mm, uint64_t start, uint64_t end, bool write);
/* The host protection for a present page of v (COW pages lose PROT_WRITE). */
unsigned mm_page_prot(const struct vma *v, pte_t e);

/* mm.c: records the host's mappings of process pid in [start, end) as host-backed
 * VMAs (the exec'd image; what a native mmap or mremap created). 0 or -errno. */
int mm_adopt_range(struct mm *mm, pid_t pid, uint64_t start, uint64_t end);
/* mmap.c: Linux's can_do_mlock and mlock_future_ok for t's process (RLIMIT_MEMLOCK
 * or CAP_IPC_LOCK; locked pages counted by VMA, as Linux's locked_vm) */
bool mm_can_do_mlock(struct task *t);
bool mm_mlock_future_ok(struct task *t, struct mm *mm, uint32_t vm_flags, uint64_t bytes);
/* mmap.c: mm_populate, then the frames made to exist in the pool, so that the host's
 * mincore reports the pages resident as Linux does after populating */
int mm_populate_resident(struct task *t, struct mm *mm, uint64_t start, uint64_t end, bool write);


/* oom.c: the OOM killer (see there). mm_out_of_memory: the pool is empty for t; a
 * victim is chosen and killed unless one is still dying. OOM_KILLED_SELF: t's
 * process was killed (resume it: it dies); OOM_WAIT (only with may_wait): t stays in
 * its fault stop, blocked, until the victim's mm is released (then it is resumed to
 * retry); OOM_RETRY: another process is dying, t was not made to wait. */
enum oom_result { OOM_KILLED_SELF, OOM_WAIT, OOM_RETRY };
enum oom_result mm_out_of_memory(struct task *t, bool may_wait);
void mm_oom_mm_released(struct mm *mm);	/* mm_put, before the mm is freed */
void mm_oom_task_gone(struct task *t);	/* mm_task_gone: t no longer waits */
/* Linux's oom_badness(): LONG_MIN at oom_score_adj -1000 (never chosen) */
long mm_oom_badness(uint64_t rss, uint64_t swapents, uint64_t pgtables, int adj, uint64_t totalpages);

/* reclaim.c: LRU lists, aging, eviction to swap, swap-in, kswapd (see there). */
enum { LRU_INACTIVE, LRU_ACTIVE };
#define MM_SWAP_CLUSTER	16	/* pages aged, evicted and read back together */
void lru_add(struct mm *mm, pfn_t pfn, uint64_t va, bool active);
void lru_del(pfn_t pfn);
void lru_release(struct mm *mm);		/* mm_put: every page leaves its lists */
/* A PTE of mm that maps pfn is going away: the page leaves mm's lists. */
static inline void lru_unmapped(struct mm *mm, pfn_t pfn)
{
	struct page *pg = frame_page(pfn);
	if ((pg->flags & PG_LRU) && pg->owner == mm) lru_del(pfn);
}
void mm_reclaim_init(void);
/* Before a fault or populate of t: background (kswapd) reclaim in t's mm below the
 * low watermark, direct reclaim below the min watermark. */
void mm_reclaim_balance(struct task *t);
/* Direct reclaim in t's mm of up to `want` pages, synchronously. Frames freed. */
uint64_t mm_reclaim_direct(struct task *t, uint64_t want);
/* Reads the run of swapped pages of v from va (at most up to end) back into frames.
 * Table work only (PENDING). addr: the faulting address (its cluster is activated).
 * Returns pages read in, or -ENOMEM / -EIO. */
long mm_swap_in(struct mm *mm, struct vma *v, uint64_t va, uint64_t end, uint64_t addr);
/* At a reference fault on a PTE_AGED page of t: restores it. */
int mm_reference_fault(struct task *t, struct mm *mm, struct vma *v, uint64_t addr);
/* The pages of [addr, addr + len) a syscall of t uses (reclaim leaves them alone
 * until t's next syscall or fault); mm_pins_clear at each new stop. */
void mm_pin(struct task *t, uint64_t addr, uint64_t len);
void mm_pins_clear(struct task *t);
void mm_reclaim_watermarks(uint64_t *min, uint64_t *low, uint64_t *high);
/* memwait.c: the memory waitqueue (see there). mm_memwait: t's fault found no frame
 * and nothing to reclaim; -1 when t now waits in its fault stop (blocked), 0 when
 * waiting cannot help (the OOM killer's turn). */
int mm_memwait(struct task *t);
bool mm_memwait_pending(void);
bool mm_memwait_is_waiting(const struct task *t);
void mm_memwait_wake(void);			/* memory was freed: waiters retry */
void mm_memwait_done(struct task *t);		/* t's fault succeeded */
void mm_memwait_task_gone(struct task *t);
void mm_kswapd_start(void);
void mm_kswapd_stop(void);

/* commit.c: Committed_AS, CommitLimit and the --overcommit check of a request for
 * `pages` more accountable pages (0 or -ENOMEM). */
bool mm_vma_accountable(const struct vma *v);
uint64_t mm_committed_pages(void);
uint64_t mm_commit_limit(void);
long mm_vm_enough_memory(uint64_t pages);

struct mm_counters {
	uint64_t faults, minor, cow, cow_reuse, around_pages, file_pages, installs;
	uint64_t prefaults, uaccess_traps, injected;
	uint64_t heap_shrinks_in_guest;	/* brk shrinks the shim made, followed here */
	uint64_t segv_delivered;
	uint64_t majfault;		/* faults that read file pages (pgmajfault) */
	uint64_t oom_kill;		/* processes the OOM killer killed */
	uint64_t pgscan_kswapd, pgscan_direct, pgsteal_kswapd, pgsteal_direct;
	uint64_t pgactivate, pgdeactivate, pgrefill, aging_faults, swap_faults, kswapd_wakeups, swapcache_hits;
	uint64_t reclaim_idle;		/* pages reclaimed from idle processes' mms */
	uint64_t memwait;		/* faults that waited for other processes' memory */
	uint64_t file_dropped;		/* clean file pages dropped from page tables */
	/* the supervisor's time (CLOCK_MONOTONIC ns) in fault stops (mm_fault, its
	 * injections included), in file reads into the pool, in syscall-entry checks */
	uint64_t fault_ns, read_ns, entry_ns;
};
/* CLOCK_MONOTONIC in ns, for the time counters above */
uint64_t mm_clock_ns(void);
extern struct mm_counters mm_stat;

#define MMDBG(...) DBG(DBG_MM, __VA_ARGS__)
#endif
