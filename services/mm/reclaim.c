/* services/mm/reclaim.c - page reclaim: LRU lists, software referenced bits,
 * eviction to swap, swap-in, watermarks and kswapd (Linux's mm/vmscan.c, swap_state.c).
 *
 * Lists. Each mm keeps its private anonymous pages on two lists, inactive and
 * active, linked through struct page (next/prev, free while a frame is in use),
 * most recent at the head. A page joins the inactive list when it is first filled
 * (a first touch is no evidence of reuse) and the active list when it is read back
 * from swap (a refault: it was evicted too early, Linux's workingset detection).
 *
 * Referenced bits. The hardware accessed bit is invisible from user space, so pages
 * leaving the tail of the active list are *aged*: PTE_AGED is set and the host
 * mapping becomes PROT_NONE, keeping the frame. The next access faults (a reference
 * fault, mm_reference_fault): the protection comes back and PG_REFERENCED is set.
 * Scanning the inactive tail, a referenced page is activated, an unreferenced one is
 * evicted; scanning the active tail (when the active list outgrows the inactive one),
 * a referenced page is aged again and rotated, an unreferenced one deactivated. The
 * cost is one mprotect per run of aged pages and one fault per first reference after
 * aging (docs/memory.md, "Reclaim").
 *
 * Eviction. Victims are sorted by address; each run of consecutive pages gets a run
 * of consecutive swap slots, is replaced in the host by a PROT_NONE reservation (one
 * injected mmap), its PTEs become swap entries, and its frames go to the swap cache
 * while they are written (swap.h). A later access is a major fault that reads the
 * run back with one request (mm_swap_in).
 *
 * Who reclaims. Only a stopped thread can change its process's host mappings, so an
 * mm is shrunk at a stop of one of its threads (a fault, or a syscall's populate).
 * Below the low watermark that stop evicts a batch and hands the writes to the
 * kswapd kernel thread (background reclaim: the guest goes on while kswapd writes;
 * the frames are freed when it reports back); below the min watermark the stop
 * writes synchronously (direct reclaim). Pages the host kernel may touch are never
 * evicted nor aged: those of an in-flight syscall or signal frame of any thread
 * (mm_pin), the pages the kernel writes on its own (rseq, tids, robust lists),
 * mlocked pages, and pages shared with another process (a fork's COW pages: no
 * reverse map yet).
 *
 * Thread: the tracer thread; kswapd_fn on its own kernel thread. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "core/log.h"
#include "core/irq.h"
#include "core/trap.h"
#include "services/deferred/kthread.h"
#include "services/mm/mm_internal.h"
#include "services/mm/pagecache.h"
#include "services/mm/swap.h"
#include "services/mm/pageio.h"

#define RECLAIM_BATCH	64	/* pages evicted per pass (SWAP_CLUSTER_MAX is 32) */
#define RUN_MAX		64	/* pages per swap I/O */

/* --- the lists ---------------------------------------------------------------- */

static void list_unlink(struct lru_list *l, pfn_t pfn)
{
	struct page *pg = frame_page(pfn);
	if (pg->prev != FRAME_NONE) frame_page(pg->prev)->next = pg->next;
	else l->head = pg->next;
	if (pg->next != FRAME_NONE) frame_page(pg->next)->prev = pg->prev;
	else l->tail = pg->prev;
	pg->next = pg->prev = FRAME_NONE;
	l->n--;
}

static void list_push_head(struct lru_list *l, pfn_t pfn)
{
	struct page *pg = frame_page(pfn);
	pg->prev = FRAME_NONE;
	pg->next = l->head;
	if (l->head != FRAME_NONE) frame_page(l->head)->prev = pfn;
	else l->tail = pfn;
	l->head = pfn;
	l->n++;
}

static struct lru_list *list_of(struct mm *mm, const struct page *pg)
{
	return &mm->lru[(pg->flags & PG_ACTIVE) ? LRU_ACTIVE : LRU_INACTIVE];
}

void lru_add(struct mm *mm, pfn_t pfn, uint64_t va, bool active)
{
	struct page *pg = frame_page(pfn);
	if (pg->flags & PG_LRU) lru_del(pfn);
	pg->owner = mm;
	pg->index = va >> PAGE_SHIFT;
	pg->flags = (uint16_t)((pg->flags & ~(PG_ACTIVE | PG_REFERENCED)) | PG_LRU | PG_ANON |
			       (active ? PG_ACTIVE : 0));
	list_push_head(list_of(mm, pg), pfn);
}

void lru_del(pfn_t pfn)
{
	struct page *pg = frame_page(pfn);
	if (!(pg->flags & PG_LRU)) return;
	list_unlink(list_of(pg->owner, pg), pfn);
	pg->flags &= (uint16_t)~(PG_LRU | PG_ACTIVE | PG_REFERENCED);
}

static void lru_move(struct mm *mm, pfn_t pfn, bool active)
{
	struct page *pg = frame_page(pfn);
	list_unlink(list_of(mm, pg), pfn);
	pg->flags = (uint16_t)((pg->flags & ~PG_ACTIVE) | (active ? PG_ACTIVE : 0));
	list_push_head(list_of(mm, pg), pfn);
}

void lru_release(struct mm *mm)
{
	for (int i = 0; i < 2; i++)
		while (mm->lru[i].n) lru_del(mm->lru[i].tail);
}

/* --- pins ----------------------------------------------------------------------- */

void mm_pin(struct task *t, uint64_t addr, uint64_t len)
{
	if (!len) return;
	uint64_t end = addr + len < addr ? UINT64_MAX : addr + len;
	if (t->mm_npins == sizeof t->mm_pins / sizeof t->mm_pins[0]) {
		t->mm_pin_all = true;
		return;
	}
	t->mm_pins[t->mm_npins][0] = addr & PAGE_MASK;
	t->mm_pins[t->mm_npins++][1] = end;
}

void mm_pins_clear(struct task *t)
{
	t->mm_npins = 0;
	t->mm_pin_all = false;
}

/* What a scan of one mm must leave alone. */
struct scan {
	struct task *t;			/* the stopped thread the host changes go through */
	struct mm *mm;
	uint64_t kpages[64];		/* pages the kernel writes on its own */
	unsigned nkpages;
	struct task *pinned[64];	/* threads of the mm with pins */
	unsigned npinned;
	bool frozen;			/* a thread pins everything: nothing can go */
	bool direct;
	uint64_t victims[MM_SWAP_CLUSTER];	/* the cluster being evicted (evict_cluster) */
	unsigned nvictims;
	/* the host calls are batched (one stop): the writes wait for the batch to have
	 * run, since a page may be written out only once the guest cannot reach it */
	bool deferred;
	struct wb_batch *ready;
};

static int collect_pins(struct task *x, void *arg)
{
	struct scan *s = arg;
	if (x->mm != s->mm || x->kthread) return 0;
	if (x->mm_pin_all || s->npinned == 64) s->frozen = true;
	else if (x->mm_npins) s->pinned[s->npinned++] = x;
	if (x == x->leader || !s->nkpages)
		s->nkpages += mm_kernel_written_pages(x, s->kpages + s->nkpages, 64 - s->nkpages);
	/* the `syscall` instruction injections step through: aged or dropped, every
	 * injected call would fault (EFAULT) */
	uint64_t g[2] = { x->gadget & PAGE_MASK, x->leader->gadget & PAGE_MASK };
	for (int i = 0; i < 2; i++)
		if (g[i] && s->nkpages < 64) s->kpages[s->nkpages++] = g[i];
	return 0;
}

static bool is_pinned(const struct scan *s, uint64_t va)
{
	for (unsigned i = 0; i < s->nkpages; i++)
		if (s->kpages[i] == va) return true;
	for (unsigned i = 0; i < s->npinned; i++) {
		const struct task *x = s->pinned[i];
		for (unsigned j = 0; j < x->mm_npins; j++)
			if (va + PAGE_SIZE > x->mm_pins[j][0] && va < x->mm_pins[j][1]) return true;
	}
	return false;
}

/* The PTE and VMA of an LRU page if it is still mapped where its page says. */
static pte_t *page_pte(struct mm *mm, pfn_t pfn, struct vma **vp)
{
	uint64_t va = frame_page(pfn)->index << PAGE_SHIFT;
	pte_t *e = pgtable_entry(mm->pt, va, false);
	if (!e || !pte_present(*e) || pte_pfn(*e) != pfn) return NULL;
	struct vma *v = vma_find(&mm->vmas, va);
	if (!v || (v->flags & (VM_HOST | VM_SHARED | VM_LOCKED)) || (v->obj && v->obj->kind == MO_ANON_SHARED))
		return NULL;
	*vp = v;
	return e;
}

/* Whether the page may go now (it stays listed either way). */
static bool evictable(const struct scan *s, pfn_t pfn, pte_t e)
{
	const struct page *pg = frame_page(pfn);
	if (pg->refcount != 1 || (pg->flags & (PG_MLOCKED | PG_SWAPCACHE | PG_FILE))) return false;
	if (e & PTE_PENDING) return false;	/* not installed yet */
	return !is_pinned(s, pg->index << PAGE_SHIFT);
}

/* --- aging ---------------------------------------------------------------------- */

/* The reclaim granule: an aligned cluster of pages, clamped to its VMA. Each host
 * change is an injected syscall (~12-50 µs) while reading or writing 64 KiB of swap
 * costs a few µs, so pages are aged, evicted and read back a cluster at a time: one
 * injection and one I/O for up to CLUSTER pages. */
#define CLUSTER		MM_SWAP_CLUSTER

static void cluster_of(const struct vma *v, uint64_t va, uint64_t *s, uint64_t *e)
{
	uint64_t c = va & ~(((uint64_t)CLUSTER << PAGE_SHIFT) - 1);
	*s = c < v->start ? v->start : c;
	*e = c + ((uint64_t)CLUSTER << PAGE_SHIFT) > v->end ? v->end : c + ((uint64_t)CLUSTER << PAGE_SHIFT);
}

/* Whether the host mapping of page va may be replaced or protected now: not a page
 * the kernel may touch, not a table change waiting to be installed. */
static bool touchable(const struct scan *s, uint64_t va, pte_t e)
{
	return !(e & PTE_PENDING) && !is_pinned(s, va);
}

/* Calls fn(start, end) for each maximal run of pages of [cs, ce) that pred accepts. */
static void for_runs(struct scan *s, uint64_t cs, uint64_t ce, bool (*pred)(struct scan *, uint64_t),
		     void (*fn)(struct scan *, uint64_t, uint64_t))
{
	uint64_t run = 0;
	for (uint64_t va = cs; va < ce; va += PAGE_SIZE) {
		if (pred(s, va)) {
			if (!run) run = va;
			continue;
		}
		if (run) fn(s, run, va);
		run = 0;
	}
	if (run) fn(s, run, ce);
}

static bool agable(struct scan *s, uint64_t va)
{
	pte_t e = pgtable_get(s->mm->pt, va);
	return !pte_present(e) || touchable(s, va, e);
}

static void age_run(struct scan *s, uint64_t start, uint64_t end)
{
	bool any = false;
	for (uint64_t va = start; va < end; va += PAGE_SIZE) {
		pte_t *e = pgtable_entry(s->mm->pt, va, false);
		if (e && pte_present(*e) && !(*e & PTE_AGED)) {
			*e |= PTE_AGED;
			any = true;
		}
	}
	if (any) host_protect(s->t, start, end - start, PROT_NONE);
}

/* Ages the cluster of va: its present pages fault at their next access. */
static void age_cluster(struct scan *s, const struct vma *v, uint64_t va)
{
	uint64_t cs, ce;
	cluster_of(v, va, &cs, &ce);
	for_runs(s, cs, ce, agable, age_run);
}

/* Moves pages from the active tail: referenced ones are rotated, the others go to
 * the inactive list; both are aged (their cluster), so the next reference is seen. */
static void shrink_active(struct scan *s, unsigned nr)
{
	struct mm *mm = s->mm;
	while (nr-- && mm->lru[LRU_ACTIVE].n) {
		pfn_t pfn = mm->lru[LRU_ACTIVE].tail;
		struct page *pg = frame_page(pfn);
		struct vma *v;
		pte_t *e = page_pte(mm, pfn, &v);
		if (!e) {
			lru_del(pfn);
			continue;
		}
		mm_stat.pgrefill++;
		bool referenced = pg->flags & PG_REFERENCED;
		pg->flags &= (uint16_t)~PG_REFERENCED;
		if (!(*e & PTE_AGED)) age_cluster(s, v, pg->index << PAGE_SHIFT);
		lru_move(mm, pfn, referenced);
		if (!referenced) mm_stat.pgdeactivate++;
	}
}

/* --- eviction ------------------------------------------------------------------- */

struct wb_batch {
	struct wb_batch *next;
	unsigned n;
	int err;
	uint64_t slot[RECLAIM_BATCH];
	pfn_t pfn[RECLAIM_BATCH];
};

static struct kthread *kswapd;
static pthread_mutex_t wb_lock = PTHREAD_MUTEX_INITIALIZER;
static struct wb_batch *wb_queue, *wb_done;	/* to kswapd; back from it */
static uint64_t wb_inflight;			/* pages queued or being written */
static uint64_t wmark_min, wmark_low, wmark_high;

/* Writes a batch: each run of consecutive slots with one request. */
static int write_batch(struct wb_batch *b)
{
	int err = 0;
	for (unsigned i = 0; i < b->n;) {
		unsigned k = 1;
		while (i + k < b->n && k < RUN_MAX && b->slot[i + k] == b->slot[i] + k) k++;
		int e = swap_write(b->slot[i], b->pfn + i, k);
		if (e && !err) err = e;
		i += k;
	}
	return err;
}

/* The tracer's end of a written batch: frames leave the swap cache (and are freed
 * unless a fault took them back). A failed write keeps them cached: nothing is lost,
 * the memory is simply not freed. */
static void batch_done(struct wb_batch *b)
{
	static bool warned;
	if (b->err) {
		if (!warned) log_err("swap: write failed (%s): %u pages stay in memory", strerror(-b->err), b->n);
		warned = true;
	} else {
		for (unsigned i = 0; i < b->n; i++) swap_cache_done(b->slot[i]);
	}
	wb_inflight -= b->n;
	free(b);
}

static void wb_complete(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&wb_lock);
	struct wb_batch *b = wb_done;
	wb_done = NULL;
	pthread_mutex_unlock(&wb_lock);
	while (b) {
		struct wb_batch *next = b->next;
		batch_done(b);
		b = next;
	}
}

static int kswapd_fn(void *arg)
{
	(void)arg;
	for (;;) {
		pthread_mutex_lock(&wb_lock);
		struct wb_batch *b = wb_queue;
		wb_queue = NULL;
		pthread_mutex_unlock(&wb_lock);
		if (!b) {
			if (kthread_should_stop()) {
				page_io_exit();
				return 0;
			}
			kthread_sleep();
			continue;
		}
		struct wb_batch *done = NULL, *last = NULL;
		while (b) {		/* the queue is newest first: write oldest first */
			struct wb_batch *next = b->next;
			b->next = done;
			done = b;
			if (!last) last = b;
			b = next;
		}
		for (struct wb_batch *x = done; x; x = x->next) x->err = write_batch(x);
		pthread_mutex_lock(&wb_lock);
		last->next = wb_done;
		wb_done = done;
		pthread_mutex_unlock(&wb_lock);
		irq_call_on_tracer(wb_complete, NULL);
	}
}

/* Hands a filled batch to kswapd (background) or writes it now (direct). */
static void batch_submit(struct scan *s, struct wb_batch *b)
{
	if (s->deferred) {
		b->next = s->ready;
		s->ready = b;
		return;
	}
	wb_inflight += b->n;
	if (s->direct || !kswapd) {
		b->err = write_batch(b);
		batch_done(b);
		return;
	}
	pthread_mutex_lock(&wb_lock);
	b->next = wb_queue;
	wb_queue = b;
	pthread_mutex_unlock(&wb_lock);
	wake_up_process(kswapd);
}

/* Whether page va may be inside a reservation: a victim, or no frame at all (an
 * absent page, a swap entry, a guard page: PROT_NONE in the host already). A present
 * page that stays must keep its frame mapping: a reservation would put anonymous
 * memory where its frame was (a later mprotect would expose zeroes). */
static bool replaceable(struct scan *s, uint64_t va)
{
	if (!pte_present(pgtable_get(s->mm->pt, va))) return true;
	for (unsigned i = 0; i < s->nvictims; i++)
		if (s->victims[i] == va) return true;
	return false;
}

/* The host side of a cluster's eviction: the victims' range becomes a PROT_NONE
 * reservation again; they are marked (PTE_AGED) once it is done */
static void reserve_run(struct scan *s, uint64_t start, uint64_t end)
{
	if (host_reserve(s->t, start, end - start)) return;
	for (uint64_t va = start; va < end; va += PAGE_SIZE) {
		pte_t *e = pgtable_entry(s->mm->pt, va, false);
		if (e && pte_present(*e)) *e |= PTE_AGED;
	}
}

/* Evicts the unreferenced evictable pages of the cluster of page `seed` (of v) into
 * batch *bp (a new batch when it fills). Returns pages evicted; 0 when swap is full. */
static unsigned evict_cluster(struct scan *s, const struct vma *v, uint64_t seed, struct wb_batch **bp)
{
	struct mm *mm = s->mm;
	uint64_t cs, ce, vas[CLUSTER];
	unsigned n = 0;
	cluster_of(v, seed, &cs, &ce);
	for (uint64_t va = cs; va < ce; va += PAGE_SIZE) {
		pte_t e = pgtable_get(mm->pt, va);
		if (!pte_present(e)) continue;
		pfn_t pfn = pte_pfn(e);
		struct page *pg = frame_page(pfn);
		if (!(pg->flags & PG_LRU) || pg->owner != mm || !evictable(s, pfn, e)) continue;
		if ((pg->flags & PG_REFERENCED) && va != seed) continue;
		vas[n++] = va;
	}
	uint64_t slot = 0;
	if (!n || !(slot = swap_alloc(n))) return 0;	/* swap full (or fragmented) */
	/* the host first: until the reservation, the guest could still write a page.
	 * Victims are marked PTE_AGED by reserve_run (cleared first: a victim aged
	 * earlier must not pass for reserved if its reservation failed) */
	memcpy(s->victims, vas, n * sizeof *vas);
	s->nvictims = n;
	for (unsigned i = 0; i < n; i++) *pgtable_entry(mm->pt, vas[i], false) &= ~PTE_AGED;
	for_runs(s, cs, ce, replaceable, reserve_run);
	s->nvictims = 0;
	unsigned done = 0;
	for (unsigned i = 0; i < n; i++) {
		pte_t *e = pgtable_entry(mm->pt, vas[i], false);
		if (!(*e & PTE_AGED)) {		/* its reservation failed: the task died */
			swap_free(slot + i);
			continue;
		}
		pfn_t pfn = pte_pfn(*e);
		lru_del(pfn);
		*e = pte_mk_swap(slot + i);
		mm_rss_add(mm, v, -1);
		mm->swapents++;
		swap_cache_add(slot + i, pfn);	/* the mapping's reference is the cache's */
		struct wb_batch *b = *bp;
		if (b->n == RECLAIM_BATCH) {
			batch_submit(s, b);
			if (!(b = *bp = calloc(1, sizeof *b))) {	/* written now, synchronously */
				/* no memory for a batch: the page stays in the swap cache
				 * (a fault takes it back; nothing is lost, nothing freed) */
				*bp = NULL;
				return done + 1;
			}
		}
		b->slot[b->n] = slot + i;
		b->pfn[b->n++] = pfn;
		done++;
	}
	return done;
}

/* Evicts about `want` pages: clusters seeded by unreferenced pages at the inactive
 * tail (referenced ones are activated). Returns pages evicted. */
static unsigned evict(struct scan *s, unsigned want)
{
	struct mm *mm = s->mm;
	struct wb_batch *b = calloc(1, sizeof *b);
	unsigned done = 0, budget = want * 4;
	while (b && done < want && budget-- && mm->lru[LRU_INACTIVE].n) {
		pfn_t pfn = mm->lru[LRU_INACTIVE].tail;
		struct page *pg = frame_page(pfn);
		struct vma *v;
		pte_t *e = page_pte(mm, pfn, &v);
		if (s->direct) mm_stat.pgscan_direct++;
		else mm_stat.pgscan_kswapd++;
		if (!e) {
			lru_del(pfn);
			continue;
		}
		if ((pg->flags & PG_REFERENCED) || !evictable(s, pfn, *e)) {
			pg->flags &= (uint16_t)~PG_REFERENCED;
			lru_move(mm, pfn, true);
			mm_stat.pgactivate++;
			continue;
		}
		unsigned got = evict_cluster(s, v, pg->index << PAGE_SHIFT, &b);
		if (!got) {
			lru_move(mm, pfn, true);	/* swap full: keep it, look at others */
			break;
		}
		done += got;
	}
	if (b && b->n) batch_submit(s, b);
	else free(b);
	if (s->direct) mm_stat.pgsteal_direct += done;
	else mm_stat.pgsteal_kswapd += done;
	return done;
}

/* --- clean file pages --------------------------------------------------------------- */

/* Clean file pages mapped from the page cache are dropped, not swapped (Linux's
 * file LRU): a private file mapping's page that was never written is the cache's
 * frame, mapped copy-on-write, and can be read again. They are not on the mm's
 * lists, so a clock hand (mm->file_hand) walks the private file mappings a cluster
 * at a time: a cluster whose cached pages are all still aged since the last pass
 * (no access: no reference fault) loses them (a reservation; a later access maps
 * the cache's page again, or reads the file if the cache let it go); any other
 * cluster is aged for the next pass. The cache keeps its reference: the frames are
 * freed by its shrinker once no mapping uses them. */
#define FILE_SCAN_CLUSTERS 1024	/* clusters looked at per pass (4096 pages) */

static bool file_droppable(const struct vma *v)
{
	return v->obj && v->obj->kind == MO_FILE && v->prot != PROT_NONE &&
	       !(v->flags & (VM_HOST | VM_SHARED | VM_LOCKED));
}

static unsigned drop_cluster(struct scan *s, struct vma *v, uint64_t cs, uint64_t ce)
{
	struct mm *mm = s->mm;
	uint64_t vas[CLUSTER];
	unsigned n = 0, dropped = 0;
	bool young = false;
	for (uint64_t va = cs; va < ce; va += PAGE_SIZE) {
		pte_t e = pgtable_get(mm->pt, va);
		if (!pte_present(e) || !(e & PTE_COW) || !pagecache_owns(pte_pfn(e)) || !touchable(s, va, e))
			continue;
		young |= !(e & PTE_AGED);
		vas[n++] = va;
	}
	if (!n) return 0;
	if (young) {			/* referenced since the last pass: a second chance */
		age_cluster(s, v, cs);
		return 0;
	}
	memcpy(s->victims, vas, n * sizeof *vas);
	s->nvictims = n;
	for (unsigned i = 0; i < n; i++) *pgtable_entry(mm->pt, vas[i], false) &= ~PTE_AGED;
	for_runs(s, cs, ce, replaceable, reserve_run);
	s->nvictims = 0;
	for (unsigned i = 0; i < n; i++) {
		pte_t *e = pgtable_entry(mm->pt, vas[i], false);
		if (!(*e & PTE_AGED)) continue;		/* its reservation failed */
		pfn_t pfn = pte_pfn(*e);
		*e = 0;
		mm_rss_add(mm, v, -1);
		frame_put(pfn);			/* the mapping's reference; the cache keeps its own */
		dropped++;
	}
	mm_stat.file_dropped += dropped;
	return dropped;
}

static unsigned drop_file(struct scan *s, unsigned want)
{
	struct mm *mm = s->mm;
	unsigned dropped = 0, budget = FILE_SCAN_CLUSTERS;
	uint64_t va = mm->file_hand;
	struct vma *v = vma_find_from(&mm->vmas, va);
	/* background reclaim goes round once (what it ages now is judged at a later
	 * pass, after the guest ran); direct reclaim, the last step before the OOM
	 * killer, may go round twice and drop what it has just aged */
	unsigned laps = s->direct ? 2 : 1;
	while (dropped < want && budget) {
		if (!v) {			/* the hand goes round */
			if (!laps-- || !(v = vma_first(&mm->vmas))) break;
			va = v->start;
		}
		if (!file_droppable(v) || va >= v->end) {
			if ((v = vma_next(v))) va = v->start;
			continue;
		}
		if (va < v->start) va = v->start;
		uint64_t cs, ce;
		cluster_of(v, va, &cs, &ce);
		budget--;
		dropped += drop_cluster(s, v, cs, ce);
		va = ce;
	}
	mm->file_hand = va;
	return dropped;
}

/* One pass over t's mm: balance the lists, then evict up to want pages. */
/* Shrinks the mm of t, a stopped thread the host changes go through. */
static uint64_t shrink_mm(struct task *t, uint64_t want, bool direct)
{
	struct mm *mm = t->mm;
	if (!mm || mm->lock_owner) return 0;
	if (t->batch) return 0;		/* an open batch would run our host calls too late */
	bool swap = swap_active() && swap_free_slots();
	static struct scan s;
	memset(&s, 0, sizeof s);
	s.t = t;
	s.mm = mm;
	s.direct = direct;
	task_for_each(collect_pins, &s);
	if (s.frozen) return 0;
	if (want > RECLAIM_BATCH) want = RECLAIM_BATCH;
	struct inject_batch *ib = mm_batch_begin(t);	/* every mprotect and mmap: one stop */
	s.deferred = ib != NULL;
	/* a small active list is left alone: aging it would only cost reference faults */
	if (swap && mm->lru[LRU_ACTIVE].n > RECLAIM_BATCH &&
	    (mm->lru[LRU_ACTIVE].n > mm->lru[LRU_INACTIVE].n || mm->lru[LRU_INACTIVE].n < want))
		shrink_active(&s, (unsigned)want * 2);
	unsigned got = swap ? evict(&s, (unsigned)want) : 0;
	/* only with swap: without it, dropping the text of a process that cannot
	 * shrink otherwise was measured to thrash for minutes where the OOM killer
	 * would end it at once (Linux has refault-based thrash detection for that) */
	unsigned dropped = swap_active() && got < want ? drop_file(&s, (unsigned)(want - got)) : 0;
	if (ib) mm_batch_end(t, ib);
	if (dropped) pagecache_shrink(dropped);	/* their frames, once the guest cannot reach them */
	got += dropped;
	s.deferred = false;
	while (s.ready) {		/* the guest cannot reach them now: write them out */
		struct wb_batch *b = s.ready;
		s.ready = b->next;
		batch_submit(&s, b);
	}
	MMDBG("[%d] %s reclaim: %u of %lu pages evicted, %u of them file pages dropped (lists %lu inactive, "
	      "%lu active)", task_vtid(t), direct ? "direct" : "background", got, (unsigned long)want, dropped,
	      (unsigned long)mm->lru[LRU_INACTIVE].n, (unsigned long)mm->lru[LRU_ACTIVE].n);
	return got;
}

/* Other processes whose memory can go now: one of their threads is blocked in the
 * personality (an emulated sleep, wait, pause...) at a stop where Persona may
 * inject, so their host mappings can be changed without their help. Tried by decreasing pages on their lists (Linux's global LRU would
 * find the coldest pages anywhere; a process that is not running is the likeliest
 * place). */
#define IDLE_MAX 16
struct idle_pick { struct mm *self; struct task *t[IDLE_MAX]; uint64_t pages[IDLE_MAX]; unsigned n; };

static int pick_idle(struct task *x, void *arg)
{
	struct idle_pick *p = arg;
	if (!x->mm || x->mm == p->self || x->kthread || x->exit_seen || x->mm->lock_owner) return 0;
	/* blocked in the personality at a syscall stop, where Persona may inject
	 * (inject.h). Not a task held in its fault stop waiting for a CPU: measured,
	 * two running processes then take each other's freshly filled pages and can
	 * livelock; running processes reclaim their own pages at their own faults. */
	if (x->state != TASK_BLOCKED || (x->stop != STOP_SECCOMP && x->stop != STOP_SYSCALL_EXIT)) return 0;
	uint64_t pages = x->mm->lru[LRU_INACTIVE].n + x->mm->lru[LRU_ACTIVE].n;
	if (pages < RECLAIM_BATCH) return 0;
	for (unsigned i = 0; i < p->n; i++)
		if (p->t[i]->mm == x->mm) return 0;	/* one thread per mm */
	unsigned i = p->n < IDLE_MAX ? p->n++ : IDLE_MAX - 1;
	if (i == IDLE_MAX - 1 && p->pages[i] >= pages) return 0;
	for (; i > 0 && p->pages[i - 1] < pages; i--) {		/* sorted insert */
		p->t[i] = p->t[i - 1];
		p->pages[i] = p->pages[i - 1];
	}
	p->t[i] = x;
	p->pages[i] = pages;
	return 0;
}

/* Reclaims up to `want` pages for t: the page cache's unused pages, then idle
 * processes' memory, then t's own. */
static uint64_t reclaim(struct task *t, uint64_t want, bool direct)
{
	uint64_t got = pagecache_shrink(want);
	if (got >= want) return got;
	struct idle_pick p = { .self = t->mm };
	task_for_each(pick_idle, &p);
	for (unsigned i = 0; i < p.n && got < want; i++) {
		uint64_t n = shrink_mm(p.t[i], want - got, direct);
		if (n) MMDBG("[%d] reclaimed %lu pages of idle process %d", task_vtid(t), (unsigned long)n,
			     task_vpid(p.t[i]));
		got += n;
		mm_stat.reclaim_idle += n;
	}
	if (got < want) got += shrink_mm(t, want - got, direct);
	return got;
}

uint64_t mm_reclaim_direct(struct task *t, uint64_t want)
{
	return reclaim(t, want, true);
}

void mm_reclaim_balance(struct task *t)
{
	if (!swap_active() || !t->mm) return;
	if (mm_memwait_pending() && !mm_memwait_is_waiting(t)) {
		/* another process waits for memory this one holds: give a batch back */
		if (shrink_mm(t, RECLAIM_BATCH, true)) mm_memwait_wake();
	}
	struct frame_stats fs;
	frame_stats(&fs);
	uint64_t free = fs.free + wb_inflight;
	if (free >= wmark_low) return;
	if (fs.free < wmark_min) {	/* direct: until the min watermark is met again */
		for (int i = 0; i < 8 && fs.free < wmark_min; i++) {
			if (!mm_reclaim_direct(t, RECLAIM_BATCH)) break;
			frame_stats(&fs);
		}
		return;
	}
	/* kswapd's share: reclaim toward the high watermark, one batch per stop */
	mm_stat.kswapd_wakeups++;
	reclaim(t, wmark_high - free, false);
}

/* --- faults ---------------------------------------------------------------------- */

int mm_reference_fault(struct task *t, struct mm *mm, struct vma *v, uint64_t addr)
{
	/* the cluster's aged pages come back together (they were aged together): one
	 * mprotect per run of aged pages of one protection */
	uint64_t cs, ce, run = 0;
	unsigned prot = 0;
	int err = 0;
	cluster_of(v, addr, &cs, &ce);
	mm_stat.aging_faults++;
	for (uint64_t va = cs; va <= ce; va += PAGE_SIZE) {
		pte_t *e = va < ce ? pgtable_entry(mm->pt, va, false) : NULL;
		bool aged = e && pte_present(*e) && (*e & PTE_AGED);
		if (run && (!aged || pte_prot(*e) != prot)) {
			int r = host_protect(t, run, va - run, prot);
			if (!err) err = r;
			run = 0;
		}
		if (!aged) continue;
		*e &= ~PTE_AGED;
		frame_page(pte_pfn(*e))->flags |= PG_REFERENCED;
		if (!run) {
			run = va;
			prot = pte_prot(*e);
		}
	}
	return err;
}

long mm_swap_in(struct mm *mm, struct vma *v, uint64_t va, uint64_t end, uint64_t addr)
{
	/* the cluster the guest asked for is a refault: active; the readahead around it
	 * joins the inactive list (Linux's swap readahead pages are not activated) */
	uint64_t cmask = ~(((uint64_t)CLUSTER << PAGE_SHIFT) - 1);
	bool demanded = (va & cmask) == (addr & cmask);
	pte_t *e = pgtable_entry(mm->pt, va, false);
	uint64_t slot = pte_slot(*e);
	pfn_t c = swap_cache_lookup(slot);
	if (c != FRAME_NONE) {		/* still being written: take the frame back */
		pfn_t p = c;
		mm_stat.swapcache_hits++;
		if (swap_count(slot) > 1) {	/* another process names it too: a copy */
			if ((p = frame_alloc(0, false)) == FRAME_NONE) return -ENOMEM;
			memcpy(frame_to_virt(p), frame_to_virt(c), PAGE_SIZE);
		} else {
			frame_get(c);
		}
		swap_free(slot);
		*e = pte_mk_frame(p, v->prot) | PTE_PENDING;
		lru_add(mm, p, va, demanded);
		mm_rss_add(mm, v, 1);
		mm->swapents--;
		mm_stat.swap_faults++;
		return 1;
	}
	/* readahead: the following entries that continue the slot run */
	uint64_t n = 1;
	while (n < RUN_MAX && va + (n << PAGE_SHIFT) < end) {
		pte_t x = pgtable_get(mm->pt, va + (n << PAGE_SHIFT));
		if (!pte_swapped(x) || pte_slot(x) != slot + n || swap_cache_lookup(slot + n) != FRAME_NONE) break;
		n++;
	}
	uint64_t got;
	pfn_t p = FRAME_NONE;
	/* contiguous frames for the run (shorter when fragmented) */
	for (got = n; got; got /= 2) {
		unsigned o = 0;
		while ((1ULL << o) < got) o++;
		if ((p = frame_alloc(o, false)) == FRAME_NONE) continue;
		for (uint64_t i = got; i < (1ULL << o); i++) frame_put(p + (pfn_t)i);
		break;
	}
	if (p == FRAME_NONE) return -ENOMEM;
	int err = swap_read(slot, p, (unsigned)got);
	if (err) {
		for (uint64_t i = 0; i < got; i++) frame_put(p + (pfn_t)i);
		log_err("swap: cannot read slot %lu: %s", (unsigned long)slot, strerror(-err));
		return -EIO;
	}
	for (uint64_t i = 0; i < got; i++) {
		pte_t *pe = pgtable_entry(mm->pt, va + (i << PAGE_SHIFT), false);
		swap_free(slot + i);
		*pe = pte_mk_frame(p + (pfn_t)i, v->prot) | PTE_PENDING;
		lru_add(mm, p + (pfn_t)i, va + (i << PAGE_SHIFT), demanded);
	}
	mm_rss_add(mm, v, (long)got);
	mm->swapents -= got;
	mm_stat.swap_faults++;
	return (long)got;
}

/* --- setup ------------------------------------------------------------------------ */

static void release_hook(pfn_t pfn) { lru_del(pfn); }

void mm_reclaim_init(void)
{
	uint64_t frames = frame_pool_frames();
	wmark_min = frames / 128;
	if (wmark_min < 64) wmark_min = 64;
	if (wmark_min > 16384) wmark_min = 16384;
	if (wmark_min > frames / 4) wmark_min = frames / 4;
	wmark_low = wmark_min * 2;
	wmark_high = wmark_min * 3;
	frame_set_release(release_hook);
}

void mm_kswapd_start(void)
{
	if (!swap_active() || kswapd) return;
	kswapd = kthread_run(kswapd_fn, NULL, "kswapd0");
	if (!kswapd) log_err("swap: cannot start kswapd0: page-out is synchronous");
}

void mm_kswapd_stop(void)
{
	if (kswapd) kthread_stop(kswapd);	/* it writes what was queued first */
	kswapd = NULL;
	/* what kswapd wrote and reported after the event loop stopped, or never took */
	wb_complete(NULL);
	for (struct wb_batch *b = wb_queue, *next; b; b = next) {
		next = b->next;
		b->err = write_batch(b);
		batch_done(b);
	}
	wb_queue = NULL;
}

void mm_reclaim_watermarks(uint64_t *min, uint64_t *low, uint64_t *high)
{
	*min = wmark_min;
	*low = wmark_low;
	*high = wmark_high;
}
