/* services/mm/mm.c - address spaces: creation, adoption of the host-made image,
 * sharing and release, address choice, and the table-side unmap (see mm.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/sysinfo.h>
#include "core/lifecycle.h"
#include "core/log.h"
#include "services/mm/mm_internal.h"
#include "services/mm/pagecache.h"
#include "services/mm/swap.h"
#include "services/mm/pageio.h"

struct mm_config mm_config = { .enabled = true, .aslr = 2, .fault_around = 16 };
struct mm_counters mm_stat;

int64_t mm_parse_size(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (end == s) return -1;
	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	case 't': case 'T': v <<= 40; end++; break;
	}
	if (*end == 'i' || *end == 'B') end += (*end == 'i' && end[1] == 'B') ? 2 : 1;
	if (*end || v > (1ULL << 44)) return -1;
	return (int64_t)v;
}

int mm_init(void)
{
	if (!mm_config.enabled) return 0;
	uint64_t mem = mm_config.mem;
	if (!mem) {
		struct sysinfo si;
		mem = sysinfo(&si) == 0 ? (uint64_t)si.totalram * si.mem_unit : 1ULL << 30;
	}
	pagecache_init();
	int err = frame_pool_init(mem);
	if (err) return err;
	mm_reclaim_init();
	if (mm_config.swap && (err = swap_init(mm_config.swap))) {
		frame_pool_shutdown();
		return err;
	}
	return 0;
}

void mm_start_kthreads(void)
{
	if (mm_active()) mm_kswapd_start();
}

void mm_stop_kthreads(void)
{
	if (mm_active()) mm_kswapd_stop();
}

bool mm_active(void) { return mm_config.enabled && frame_pool_fd() >= 0; }

void mm_shutdown(void)
{
	if (!mm_config.enabled) return;
	pagecache_drop_all();
	swap_shutdown();
	page_io_exit();
	frame_pool_shutdown();
}

struct mm *mm_of(struct task *t) { return t ? t->mm : NULL; }

struct mm *mm_new(void)
{
	struct mm *mm = calloc(1, sizeof *mm);
	if (!mm || !(mm->pt = pgtable_new())) {
		free(mm);
		return NULL;
	}
	vma_tree_init(&mm->vmas);
	mm->users = 1;
	for (int i = 0; i < 2; i++) mm->lru[i].head = mm->lru[i].tail = FRAME_NONE;
	return mm;
}

static int drop_pte(uint64_t va, pte_t *e, void *arg)
{
	if (pte_present(*e)) frame_put(pte_pfn(*e));
	else if (pte_swapped(*e)) swap_free(pte_slot(*e));
	*e = 0;
	return 0;
}

void mm_put(struct mm *mm)
{
	if (!mm || --mm->users > 0) return;
	mm_oom_mm_released(mm);	/* an OOM victim's memory: its waiters retry */
	lru_release(mm);
	pgtable_walk(mm->pt, 0, TASK_SIZE, drop_pte, NULL);
	pgtable_free(mm->pt);
	vma_tree_clear(&mm->vmas);
	free(mm->exe_path);
	free(mm);
	if (mm_memwait_pending()) mm_memwait_wake();	/* its frames are free now */
}

void mm_rss_add(struct mm *mm, const struct vma *v, long pages)
{
	if (v->obj && v->obj->kind == MO_ANON_SHARED) mm->rss_shmem += pages;
	else if (v->obj) mm->rss_file += pages;
	else mm->rss_anon += pages;
	uint64_t rss = mm->rss_anon + mm->rss_file + mm->rss_shmem;
	if (rss > mm->hiwater_rss) mm->hiwater_rss = rss;
}

uint64_t mm_total_pages(struct mm *mm)
{
	uint64_t n = 0;
	for (struct vma *v = vma_first(&mm->vmas); v; v = vma_next(v)) n += vma_pages(v);
	return n;
}

/* --- adoption of the host's mappings ------------------------------------------- */

static unsigned parse_prot(const char *perms)
{
	return (perms[0] == 'r' ? PROT_READ : 0) | (perms[1] == 'w' ? PROT_WRITE : 0) |
	       (perms[2] == 'x' ? PROT_EXEC : 0);
}

int mm_adopt_range(struct mm *mm, pid_t pid, uint64_t start, uint64_t end)
{
	char path[64], line[4096 + 128];
	mm_unmap_tables(mm, start, end);
	snprintf(path, sizeof path, "/proc/%d/maps", pid);
	FILE *f = fopen(path, "re");
	if (!f) return -errno;
	while (fgets(line, sizeof line, f)) {
		unsigned long s, e, off, ino;
		unsigned maj, min;
		char perms[8];
		int name_at = 0;
		/* [vsyscall] lies above the user space: never in the range */
		if (sscanf(line, "%lx-%lx %7s %lx %x:%x %lu %n", &s, &e, perms, &off, &maj, &min,
			   &ino, &name_at) < 7 || e <= start || s >= end)
			continue;
		if (s < start) s = start;
		if (e > end) e = end;
		char *name = name_at ? line + name_at : NULL;
		if (name) {
			name[strcspn(name, "\n")] = 0;
			if (!*name) name = NULL;
		}
		uint32_t flags = VM_HOST | (perms[3] == 's' ? VM_SHARED : 0);
		if (name && !strcmp(name, "[stack]")) flags |= VM_STACK | VM_GROWSDOWN;
		else if (name && !strcmp(name, "[heap]")) flags |= VM_HEAP;
		else if (name && name[0] == '[') flags |= VM_SPECIAL;
		struct vma *v = vma_new(s, e, parse_prot(perms), flags, NULL, off >> PAGE_SHIFT, name);
		if (!v) break;
		v->host_ino = ino;
		v->host_dev_major = maj;
		v->host_dev_minor = min;
		if (vma_insert(&mm->vmas, v)) vma_free(v);
	}
	fclose(f);
	return 0;
}

int mm_host_stat(pid_t pid, uint64_t v[64])
{
	char path[64], buf[2048];
	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	FILE *f = fopen(path, "re");
	if (!f) return -errno;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = 0;
	char *p = strrchr(buf, ')');	/* the command may hold spaces and parentheses */
	if (!p) return -EINVAL;
	memset(v, 0, 64 * sizeof *v);
	int field = 3;
	for (char *tok = strtok(p + 2, " "); tok && field < 64; tok = strtok(NULL, " "), field++)
		v[field] = strtoull(tok, NULL, 10);
	return 0;
}

/* start_brk and the argument/environment bounds the host recorded */
static void read_host_stat(struct mm *mm, pid_t pid)
{
	uint64_t v[64];
	if (mm_host_stat(pid, v)) return;
	mm->start_stack = v[28];
	mm->start_brk = mm->brk = v[47];
	mm->arg_start = v[48];
	mm->arg_end = v[49];
	mm->env_start = v[50];
	mm->env_end = v[51];
}

uint64_t mm_random_pages(unsigned bits)
{
	uint64_t r = 0;
	if (getrandom(&r, sizeof r, 0) != sizeof r) r = 0;
	return (r & ((1ULL << bits) - 1)) << PAGE_SHIFT;
}

/* The top of the mmap area: below every pointer the filter leaves untrapped
 * (MM_UACCESS_FLOOR), randomized by 28 bits of pages as Linux's mmap_rnd_bits. */
static void choose_layout(struct mm *mm)
{
	mm->mmap_base = MM_UACCESS_FLOOR - (mm_config.aslr ? mm_random_pages(28) : 0);
	if (mm_config.aslr < 2 && mm->start_brk) {
		/* randomize_va_space=1: the heap starts right after the program's bss */
		struct vma *below = NULL;
		for (struct vma *v = vma_first(&mm->vmas); v && v->start < mm->start_brk; v = vma_next(v))
			below = v;
		if (below) mm->start_brk = mm->brk = below->end;
	}
}

static struct mm *mm_adopt(struct task *t)
{
	struct mm *mm = mm_new();
	if (!mm) return NULL;
	mm->host_pid = task_tgid(t);
	if (mm_adopt_range(mm, task_tgid(t), 0, TASK_SIZE)) {
		mm_put(mm);
		return NULL;
	}
	read_host_stat(mm, task_tgid(t));
	choose_layout(mm);
	return mm;
}

void mm_exec(struct task *t)
{
	if (!mm_active() || t->kthread) return;
	mm_put(t->mm);
	t->mm = mm_adopt(t);
	if (!t->mm) log_err("cannot adopt the address space of %d: memory stays the host's",
			    task_vpid(t));
	t->altstack_sp = t->altstack_size = 0;
	t->rseq_area = t->clear_tid = 0;	/* exec forgets them */
	for (int i = 0; i < 2; i++)	/* handlers are reset by exec; SIG_IGN stays */
		t->fault_act_set[i] = t->fault_act_set[i] && t->fault_act[i][0] == (uint64_t)SIG_IGN;
}

void mm_task_gone(struct task *t)
{
	mm_syscall_exit(t);	/* died holding the mm lock */
	mm_oom_task_gone(t);
	mm_memwait_task_gone(t);
	mm_put(t->mm);
	t->mm = NULL;
}

/* --- address space queries and table-side changes -------------------------------- */

int64_t mm_get_unmapped_area(struct mm *mm, uint64_t hint, uint64_t len)
{
	if (len > TASK_SIZE - MMAP_MIN_ADDR) return -ENOMEM;
	hint = PAGE_ALIGN(hint);
	if (hint && hint >= MMAP_MIN_ADDR && hint <= TASK_SIZE - len) {
		struct vma *v = vma_find_from(&mm->vmas, hint);
		if (!v || v->start >= hint + len) return (int64_t)hint;
	}
	uint64_t top = mm->mmap_base;
	for (;;) {
		if (top < len + MMAP_MIN_ADDR) return -ENOMEM;
		uint64_t cand = top - len;
		struct vma *v = vma_find_from(&mm->vmas, cand);
		if (!v || v->start >= top) return (int64_t)cand;
		top = v->start;
	}
}

void mm_split_at(struct mm *mm, uint64_t start, uint64_t end)
{
	struct vma *v = vma_find(&mm->vmas, start);
	if (v && v->start < start) vma_split(&mm->vmas, v, start);
	v = vma_find(&mm->vmas, end);
	if (v && v->start < end) vma_split(&mm->vmas, v, end);
}

struct drop_ctx { struct mm *mm; struct vma *v; };

static int unmap_pte(uint64_t va, pte_t *e, void *arg)
{
	struct drop_ctx *c = arg;
	if (pte_present(*e)) {
		lru_unmapped(c->mm, pte_pfn(*e));
		frame_put(pte_pfn(*e));
		mm_rss_add(c->mm, c->v, -1);
		if (c->v->flags & VM_LOCKED) c->mm->locked_vm--;
	} else if (pte_swapped(*e)) {
		swap_free(pte_slot(*e));
		c->mm->swapents--;
	}
	*e = 0;
	return 0;
}

void mm_tramp_clobber(struct mm *mm, uint64_t start, uint64_t end)
{
	if (mm->tramp_code && start < mm->tramp_hi && end > mm->tramp_lo) mm->tramp_code = 0;
}

void mm_unmap_tables(struct mm *mm, uint64_t start, uint64_t end)
{
	mm_tramp_clobber(mm, start, end);
	mm_split_at(mm, start, end);
	struct vma *v = vma_find_from(&mm->vmas, start);
	while (v && v->start < end) {
		struct vma *next = vma_next(v);
		struct drop_ctx c = { mm, v };
		pgtable_walk(mm->pt, v->start, v->end, unmap_pte, &c);
		vma_remove(&mm->vmas, v);
		vma_free(v);
		v = next;
	}
	pgtable_prune(mm->pt, start, end);
}

bool mm_range_mapped(struct mm *mm, uint64_t start, uint64_t end)
{
	uint64_t at = start;
	for (struct vma *v = vma_find_from(&mm->vmas, start); v && at < end; v = vma_next(v)) {
		if (v->start > at) return false;
		at = v->end;
	}
	return at >= end;
}

uint64_t mm_clock_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void mm_print_stats(void)
{
	if (!mm_config.enabled) return;
	struct frame_stats fs;
	struct pagecache_stats pc;
	frame_stats(&fs);
	pagecache_stats(&pc);
	fprintf(stderr, "persona: mm: %lu faults (%lu minor, %lu copy-on-write copies, %lu COW reuses), "
		"%lu fault-around pages, %lu file pages read\n",
		(unsigned long)mm_stat.faults, (unsigned long)mm_stat.minor, (unsigned long)mm_stat.cow,
		(unsigned long)mm_stat.cow_reuse, (unsigned long)mm_stat.around_pages,
		(unsigned long)mm_stat.file_pages);
	fprintf(stderr, "persona: mm: %lu host mappings installed, %lu injected calls, "
		"%lu syscalls prefaulted of %lu checked, %lu SIGSEGV delivered\n",
		(unsigned long)mm_stat.installs, (unsigned long)mm_stat.injected,
		(unsigned long)mm_stat.prefaults, (unsigned long)mm_stat.uaccess_traps,
		(unsigned long)mm_stat.segv_delivered);
	fprintf(stderr, "persona: mm: %lu major faults (file pages read), %lu processes killed by the "
		"OOM killer, %lu heap shrinks made by the shim\n", (unsigned long)mm_stat.majfault,
		(unsigned long)mm_stat.oom_kill, (unsigned long)mm_stat.heap_shrinks_in_guest);
	fprintf(stderr, "persona: mm: supervisor time: %.1f ms in faults, %.1f ms reading file pages, "
		"%.1f ms in syscall-entry checks\n", mm_stat.fault_ns / 1e6, mm_stat.read_ns / 1e6,
		mm_stat.entry_ns / 1e6);

	fprintf(stderr, "persona: mm: page cache: %lu pages, %lu hits, %lu misses, %lu dropped by reclaim\n",
		(unsigned long)pc.pages, (unsigned long)pc.hits, (unsigned long)pc.misses,
		(unsigned long)pc.dropped);
	fprintf(stderr, "persona: mm: reclaim: %lu clean file pages dropped from page tables\n",
		(unsigned long)mm_stat.file_dropped);
	if (swap_active()) {
		struct swap_stats sw;
		swap_stats(&sw);
		fprintf(stderr, "persona: mm: swap: %lu of %lu slots used, %lu pages out, %lu in (%lu swap-in faults, "
			"%lu from the swap cache), %lu reference faults; reclaim: kswapd %lu/%lu, direct %lu/%lu "
			"(stolen/scanned), %lu activated, %lu deactivated, %lu from idle processes, %lu memory waits\n",
			(unsigned long)sw.used, (unsigned long)sw.total, (unsigned long)sw.pswpout,
			(unsigned long)sw.pswpin, (unsigned long)mm_stat.swap_faults, (unsigned long)mm_stat.swapcache_hits,
			(unsigned long)mm_stat.aging_faults, (unsigned long)mm_stat.pgsteal_kswapd,
			(unsigned long)mm_stat.pgscan_kswapd, (unsigned long)mm_stat.pgsteal_direct,
			(unsigned long)mm_stat.pgscan_direct, (unsigned long)mm_stat.pgactivate,
			(unsigned long)mm_stat.pgdeactivate, (unsigned long)mm_stat.reclaim_idle,
			(unsigned long)mm_stat.memwait);
	}
	/* "in use": besides the page cache's frames (a cached frame someone maps is
	 * counted once, as the cache's) */
	fprintf(stderr, "persona: mm: frames: %lu in use, peak %lu, of %lu (%lu KiB peak), %lu page cache\n",
		(unsigned long)(fs.used - pc.pages), (unsigned long)fs.peak_used, (unsigned long)fs.total,
		(unsigned long)(fs.peak_used * 4), (unsigned long)pc.pages);
}
