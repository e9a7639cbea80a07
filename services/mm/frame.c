/* services/mm/frame.c - the frame pool and its buddy allocator (see frame.h).
 *
 * As Linux's mm/page_alloc.c: a free block of 2^order frames is listed on
 * free_list[order] by its first frame (its head: PG_FREE|PG_HEAD, order), and the
 * lists are doubly linked through the descriptors so any block can be unlinked in
 * O(1) when its buddy is freed. Every frame of a free block carries PG_FREE, so
 * whether one frame is free is one test (frame_alloc_range).
 *
 * Frames at and above the high water mark `carved` were never given to the allocator:
 * they are free and zero, and their descriptors are untouched, so they cost no memory.
 * Blocks are carved from the mark only when no listed block is large enough.
 *
 * Freed memory stays resident: punching a hole in the memfd (fallocate) for every
 * max-order block freed would give it back to the host and make it known zero again,
 * but measured it cost ~70 us per punch, and reusing a 4 MiB block became ~50 times
 * slower (fresh pages faulted in instead of one memset). A reclaim pass that punches
 * long-idle blocks in batches would be the way to do it. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>
#include "core/log.h"
#include "services/mm/frame.h"

#define MAX_BLOCK	(1u << FRAME_MAX_ORDER)

static int pool_fd = -1;
static int pool_wfd = -1;	/* the pool again, an open file of its own (frame_pool_wfd) */
static char *direct_map;
static uint64_t *dmapped;	/* bit per frame: its direct-map page is mapped (frame_to_virt) */
static struct page *pages;
static uint64_t nframes;
static uint64_t carved;		/* high water mark */
static pfn_t free_list[FRAME_MAX_ORDER + 1] = { [0 ... FRAME_MAX_ORDER] = FRAME_NONE };
static uint64_t (*reclaim)(uint64_t want);	/* frame_set_reclaim */
static void (*release)(pfn_t pfn);		/* frame_set_release */
static struct frame_stats stats;	/* used, peak, counters and free_blocks; total and
					 * free are computed by frame_stats */

int frame_pool_fd(void) { return pool_fd; }
int frame_pool_wfd(void) { return pool_wfd; }
uint64_t frame_pool_frames(void) { return nframes; }
struct page *frame_page(pfn_t pfn) { return &pages[pfn]; }
/* The supervisor's page faults are expensive on these VMs (~20-40 us each, measured:
 * an anonymous page fault 22-40 us, a memfd page already allocated 21-26 us) where
 * MADV_POPULATE_WRITE costs ~1.5-2 us a page: so the direct map is never faulted in.
 * Pages it reaches are populated by madvise first, and remembered in a bitmap (a
 * hint only: if the host ever unmaps one, the access simply faults). Any thread:
 * kswapd writes pages out through the direct map too. */
static void dmap_populate(pfn_t pfn, uint64_t n)
{
	for (uint64_t i = 0; i < n;) {
		uint64_t p = pfn + i;
		if (__atomic_load_n(&dmapped[p / 64], __ATOMIC_RELAXED) & (1ULL << (p % 64))) {
			i++;
			continue;
		}
		uint64_t run = 1;	/* the run of pages not yet mapped */
		while (i + run < n && !(__atomic_load_n(&dmapped[(p + run) / 64], __ATOMIC_RELAXED) &
					(1ULL << ((p + run) % 64))))
			run++;
		(void)madvise(direct_map + frame_offset((pfn_t)p), run << PAGE_SHIFT, MADV_POPULATE_WRITE);
		for (uint64_t k = p; k < p + run; k++)
			__atomic_fetch_or(&dmapped[k / 64], 1ULL << (k % 64), __ATOMIC_RELAXED);
		i += run;
	}
}

void *frame_to_virt(pfn_t pfn)
{
	if (pfn < nframes) dmap_populate(pfn, 1);
	return direct_map + frame_offset(pfn);
}

void *frame_to_virt_range(pfn_t pfn, uint64_t n)
{
	if (pfn + n <= nframes) dmap_populate(pfn, n);
	return direct_map + frame_offset(pfn);
}

pfn_t virt_to_frame(const void *p)
{
	uintptr_t off = (uintptr_t)p - (uintptr_t)direct_map;
	return direct_map && off < nframes * PAGE_SIZE ? (pfn_t)(off >> PAGE_SHIFT) : FRAME_NONE;
}

static bool is_free_head(uint64_t pfn, unsigned order)
{
	return pfn < carved && (pages[pfn].flags & (PG_FREE | PG_HEAD)) == (PG_FREE | PG_HEAD) &&
		pages[pfn].order == order;
}

/* At the front: the block freed last is reused first, while its memory is warm. */
static void list_add(pfn_t pfn, unsigned order)
{
	struct page *pg = &pages[pfn];
	pg->flags |= PG_FREE | PG_HEAD;
	pg->order = order;
	pg->prev = FRAME_NONE;
	pg->next = free_list[order];
	if (pg->next != FRAME_NONE) pages[pg->next].prev = pfn;
	free_list[order] = pfn;
	stats.free_blocks[order]++;
}

/* The block's frames stay PG_FREE: they are split or merged, not yet in use. */
static void list_del(pfn_t pfn, unsigned order)
{
	struct page *pg = &pages[pfn];
	if (pg->prev != FRAME_NONE) pages[pg->prev].next = pg->next;
	else free_list[order] = pg->next;
	if (pg->next != FRAME_NONE) pages[pg->next].prev = pg->prev;
	pg->flags &= ~PG_HEAD;
	pg->next = pg->prev = FRAME_NONE;
	stats.free_blocks[order]--;
}

/* Makes the pages of [lo, hi) present (MADV_POPULATE_WRITE). */
static void populate(const void *lo, const void *hi)
{
	uintptr_t a = (uintptr_t)lo & PAGE_MASK, b = ((uintptr_t)hi + PAGE_SIZE - 1) & PAGE_MASK;
	(void)madvise((void *)a, b - a, MADV_POPULATE_WRITE);
}

/* Gives the allocator the next block above the mark: a max-order one while it fits,
 * then the largest that fits the end of a pool that is not a multiple of MAX_BLOCK.
 * Block sizes only decrease, so the mark is aligned to each block carved at it and
 * the block's buddy lies above the mark: a carved block never coalesces. False when
 * the whole pool is carved. */
static bool carve(void)
{
	unsigned order = FRAME_MAX_ORDER;
	if (carved == nframes) return false;
	while (carved + (1u << order) > nframes || (carved & ((1u << order) - 1))) order--;
	/* the descriptors' pages (and the direct-map bitmap's) in one call each rather
	 * than a fault each (see dmap_populate) */
	populate(&pages[carved], &pages[carved + (1u << order)]);
	populate(&dmapped[carved / 64], &dmapped[(carved + (1u << order) + 63) / 64]);
	for (uint64_t i = 0; i < 1u << order; i++)	/* the memfd is zero-filled */
		pages[carved + i] = (struct page){ .flags = PG_FREE | PG_ZERO,
						   .next = FRAME_NONE, .prev = FRAME_NONE };
	list_add((pfn_t)carved, order);
	carved += 1u << order;
	return true;
}

void frame_zero_bytes(pfn_t pfn, uint64_t off, uint64_t len)
{
	static const char zeroes[PAGE_SIZE];
	struct iovec iov[64];
	for (unsigned i = 0; i < 64; i++) iov[i] = (struct iovec){ (void *)zeroes, PAGE_SIZE };
	uint64_t at = frame_offset(pfn) + off, left = len;
	while (left && pool_wfd >= 0) {
		unsigned cnt = left >= 64 * PAGE_SIZE ? 64 : (unsigned)((left + PAGE_SIZE - 1) >> PAGE_SHIFT);
		size_t want = cnt * PAGE_SIZE < left ? cnt * PAGE_SIZE : left;
		iov[cnt - 1].iov_len = want - (cnt - 1) * PAGE_SIZE;
		ssize_t k = pwritev(pool_wfd, iov, (int)cnt, (off_t)at);
		iov[cnt - 1].iov_len = PAGE_SIZE;
		if (k < 0 && errno == EINTR) continue;
		if (k <= 0) break;
		at += (uint64_t)k;
		left -= (uint64_t)k;
	}
	if (left) memset((char *)frame_to_virt_range(pfn, (off + len + PAGE_SIZE - 1) >> PAGE_SHIFT) + off + (len - left), 0, left);
}

void frame_copy(pfn_t dst, pfn_t src)
{
	loff_t from = (loff_t)frame_offset(src), to = (loff_t)frame_offset(dst);
	size_t left = PAGE_SIZE;
	while (left && pool_wfd >= 0) {
		ssize_t k = copy_file_range(pool_wfd, &from, pool_wfd, &to, left, 0);
		if (k < 0 && errno == EINTR) continue;
		if (k <= 0) break;
		left -= (size_t)k;
	}
	if (left) memcpy((char *)frame_to_virt(dst) + (PAGE_SIZE - left), (char *)frame_to_virt(src) + (PAGE_SIZE - left), left);
}

static bool dmapped_frame(pfn_t p)
{
	return __atomic_load_n(&dmapped[p / 64], __ATOMIC_RELAXED) & (1ULL << (p % 64));
}

/* Clears the frames of [pfn, pfn + n) that are not known zero, and marks them so
 * (prep_frame then keeps PG_ZERO): a run the direct map already maps by memset
 * (~0.3 us a page: first_touch's frames, freed and reused), a run it does not by
 * writes to the pool (frame_zero_bytes: ~2-3 us, against ~12 us to map a page first). */
static void zero_unzeroed(pfn_t pfn, uint64_t n)
{
	for (uint64_t i = 0, run; i < n; i += run + 1) {
		for (run = 0; i + run < n && !(pages[pfn + i + run].flags & PG_ZERO); run++) {}
		if (!run) continue;
		bool warm = true;
		for (uint64_t k = i; k < i + run && warm; k++) warm = dmapped_frame(pfn + (pfn_t)k);
		if (warm) memset(frame_to_virt_range(pfn + (pfn_t)i, run), 0, run << PAGE_SHIFT);
		else frame_zero_bytes(pfn + (pfn_t)i, 0, run << PAGE_SHIFT);
		for (uint64_t k = i; k < i + run; k++) pages[pfn + k].flags |= PG_ZERO;
		stats.zeroed += run;
	}
}

/* A frame leaves the allocator on its own (Linux's split_page): refcount 1, every
 * flag cleared but PG_ZERO, so the caller knows whether it still reads as zeroes
 * (frames to be zeroed were cleared by zero_unzeroed first). */
static void prep_frame(pfn_t pfn)
{
	struct page *pg = &pages[pfn];
	*pg = (struct page){ .refcount = 1, .flags = pg->flags & PG_ZERO,
			     .next = FRAME_NONE, .prev = FRAME_NONE };
}

static void account_alloc(uint64_t n)
{
	stats.allocs += n;
	stats.used += n;
	if (stats.used > stats.peak_used) stats.peak_used = stats.used;
}

void frame_set_reclaim(uint64_t (*fn)(uint64_t want)) { reclaim = fn; }
void frame_set_release(void (*fn)(pfn_t pfn)) { release = fn; }

pfn_t frame_alloc(unsigned order, bool zero)
{
	unsigned o;
	bool reclaimed = false;
	if (order > FRAME_MAX_ORDER) return FRAME_NONE;
	for (;;) {	/* the smallest listed block that is large enough, else carve */
		for (o = order; o <= FRAME_MAX_ORDER && free_list[o] == FRAME_NONE; o++) {}
		if (o <= FRAME_MAX_ORDER) break;
		if (carve()) continue;
		/* only single frames reclaim: callers of larger blocks fall back to
		 * smaller ones, and freed cache pages are rarely contiguous */
		if (order || reclaimed || !reclaim || !reclaim(1)) return FRAME_NONE;
		reclaimed = true;
	}
	pfn_t pfn = free_list[o];
	list_del(pfn, o);
	while (o > order) {	/* expand(): keep the lower half, list the upper one */
		o--;
		list_add(pfn + (1u << o), o);
	}
	if (zero) zero_unzeroed(pfn, 1u << order);
	for (uint64_t i = 0; i < 1u << order; i++) prep_frame(pfn + (pfn_t)i);
	account_alloc(1u << order);
	return pfn;
}

/* Takes one free frame out of the free block that holds it, splitting the block so
 * that all its other frames stay listed (Linux's take_page_off_buddy). */
static void take_frame(pfn_t pfn)
{
	for (unsigned o = 0; o <= FRAME_MAX_ORDER; o++) {
		pfn_t head = pfn & ~((1u << o) - 1);
		unsigned order = pages[head].order;
		if (order < o || !is_free_head(head, order)) continue;
		o = order;
		list_del(head, o);
		while (o > 0) {		/* halve, listing the half without pfn */
			o--;
			pfn_t upper = head + (1u << o);
			if (pfn < upper) list_add(upper, o);
			else { list_add(head, o); head = upper; }
		}
		return;
	}
	log_bug("frame: frame %u is not in a free block", pfn);
}

int frame_alloc_range(pfn_t pfn, unsigned n, bool zero)
{
	uint64_t end = (uint64_t)pfn + n;
	if (end > nframes) return -EBUSY;	/* frames past the pool are never free */
	for (uint64_t p = pfn; p < end && p < carved; p++)
		if (!(pages[p].flags & PG_FREE)) return -EBUSY;
	/* A range far above the mark carves (touches) every descriptor up to it; callers
	 * ask for frames next to ones they hold, which are below the mark. */
	while (carved < end) carve();
	if (zero) zero_unzeroed(pfn, n);
	for (uint64_t p = pfn; p < end; p++) {
		take_frame((pfn_t)p);
		prep_frame((pfn_t)p);
	}
	account_alloc(n);
	return 0;
}

void frame_get(pfn_t pfn)
{
	if (pfn >= nframes || pages[pfn].refcount == 0)
		log_bug("frame_get: frame %u is not in use", pfn);
	pages[pfn].refcount++;
}

/* One frame returns to the allocator and merges with its buddy as long as the buddy
 * is a whole free block of the same order (Linux's __free_one_page). */
static void free_frame(pfn_t pfn)
{
	unsigned order = 0;
	pages[pfn] = (struct page){ .flags = PG_FREE, .next = FRAME_NONE, .prev = FRAME_NONE };
	while (order < FRAME_MAX_ORDER && is_free_head(pfn ^ (1u << order), order)) {
		list_del(pfn ^ (1u << order), order);
		pfn &= ~(1u << order);		/* the merged block starts at the lower one */
		order++;
	}
	list_add(pfn, order);
	stats.used--;
	stats.frees++;
}

bool frame_put(pfn_t pfn)
{
	if (pfn >= nframes || pages[pfn].refcount == 0)
		log_bug("frame_put: frame %u is not in use", pfn);
	if (--pages[pfn].refcount > 0) return false;
	if ((pages[pfn].flags & PG_LRU) && release) release(pfn);
	free_frame(pfn);
	return true;
}

void frame_stats(struct frame_stats *st)
{
	*st = stats;
	st->total = nframes;
	st->free = nframes - stats.used;	/* carved or not */
}

#define CHECK(cond, ...) do { if (!(cond)) { log_err("frame_check: " __VA_ARGS__); return -1; } } while (0)

int frame_check(void)
{
	uint64_t listed = 0, blocks = 0, heads = 0, used = 0;
	CHECK(carved <= nframes, "mark %" PRIu64 " above the pool's %" PRIu64 " frames", carved, nframes);
	for (unsigned o = 0; o <= FRAME_MAX_ORDER; o++) {
		uint64_t n = 0;
		pfn_t prev = FRAME_NONE;
		for (pfn_t p = free_list[o]; p != FRAME_NONE; prev = p, p = pages[p].next) {
			CHECK(++n <= nframes, "free list %u loops", o);
			CHECK(p + (1ul << o) <= carved, "free block %u+%u is not carved", p, 1u << o);
			CHECK(is_free_head(p, o), "frame %u on free list %u is not a free head of that order", p, o);
			CHECK(pages[p].prev == prev, "frame %u on free list %u: bad prev link", p, o);
			CHECK(!(p & ((1u << o) - 1)), "free block %u is not aligned to its order %u", p, o);
			CHECK(o == FRAME_MAX_ORDER || !is_free_head(p ^ (1u << o), o),
			      "free buddies %u and %u of order %u are not coalesced", p, p ^ (1u << o), o);
		}
		CHECK(n == stats.free_blocks[o], "free list %u holds %" PRIu64 " blocks, counted %" PRIu64,
		      o, n, stats.free_blocks[o]);
		blocks += n;
		listed += n << o;
	}
	/* every carved frame is in use or in exactly one free block, whose head is listed */
	for (uint64_t p = 0; p < carved; ) {
		struct page *pg = &pages[p];
		if (pg->flags & PG_HEAD) {
			uint64_t size = 1ul << pg->order;
			CHECK((pg->flags & PG_FREE) && pg->order <= FRAME_MAX_ORDER && p + size <= carved,
			      "bad free block head %" PRIu64, p);
			for (uint64_t i = 0; i < size; i++)
				CHECK((pages[p + i].flags & (PG_FREE | PG_HEAD)) == (i ? PG_FREE : PG_FREE | PG_HEAD) &&
				      pages[p + i].refcount == 0, "frame %" PRIu64 " of free block %" PRIu64 " is not free",
				      p + i, p);
			heads++;
			p += size;
		} else {
			CHECK(!(pg->flags & PG_FREE), "free frame %" PRIu64 " is outside any free block", p);
			CHECK(pg->refcount > 0, "frame %" PRIu64 " is neither free nor referenced", p);
			used++;
			p++;
		}
	}
	CHECK(heads == blocks, "%" PRIu64 " free block heads, %" PRIu64 " listed", heads, blocks);
	CHECK(used == stats.used && used + listed == carved,
	      "%" PRIu64 " frames in use, counted %" PRIu64 ", %" PRIu64 " free of %" PRIu64 " carved",
	      used, stats.used, listed, carved);
	CHECK(stats.allocs - stats.frees == stats.used && stats.peak_used >= stats.used,
	      "counters: %" PRIu64 " allocated, %" PRIu64 " freed, %" PRIu64 " used, peak %" PRIu64,
	      stats.allocs, stats.frees, stats.used, stats.peak_used);
	return 0;
}

void frame_pool_shutdown(void)
{
	if (direct_map) munmap(direct_map, nframes * PAGE_SIZE);
	if (dmapped) munmap(dmapped, (nframes + 63) / 64 * 8);
	dmapped = NULL;
	if (pages) munmap(pages, nframes * sizeof *pages);
	if (pool_fd >= 0) close(pool_fd);
	if (pool_wfd >= 0) close(pool_wfd);
	pool_fd = pool_wfd = -1;
	direct_map = NULL;
	pages = NULL;
	nframes = carved = 0;
	for (unsigned o = 0; o <= FRAME_MAX_ORDER; o++) free_list[o] = FRAME_NONE;
	memset(&stats, 0, sizeof stats);
}

int frame_pool_init(uint64_t bytes)
{
	uint64_t n = bytes / PAGE_SIZE;
	int err;
	if (pool_fd >= 0) return -EBUSY;
	if (n == 0 || n > FRAME_NONE) return -EINVAL;	/* FRAME_NONE is no pfn */
	/* No MFD_CLOEXEC: guests inherit the pool on purpose, to map frames from it. */
	pool_fd = memfd_create("persona-frames", MFD_ALLOW_SEALING);
	if (pool_fd < 0) return -errno;
	nframes = n;
	if (ftruncate(pool_fd, n * PAGE_SIZE) < 0) goto fail;
	/* Its size never changes again, and nobody may change it: a guest that reaches
	 * the file by a path (a route the personality does not see, docs/shim.md) and
	 * truncates it would turn every access of the supervisor's direct map past the
	 * new end into SIGBUS (measured: truncate("/proc/self/fd/1023", 4096) killed the
	 * supervisor in both trap modes). The seals are the inode's: EPERM for any
	 * open file of it. */
	if (fcntl(pool_fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0) goto fail;
	/* a second open file of the memfd, for writes at a file offset (sendfile): the
	 * guests' descriptor shares its offset with pool_fd, this one is ours alone */
	char self[64];
	snprintf(self, sizeof self, "/proc/self/fd/%d", pool_fd);
	pool_wfd = open(self, O_RDWR | O_CLOEXEC);
	if (pool_wfd < 0) goto fail;
	direct_map = mmap(NULL, n * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE,
			  pool_fd, 0);
	if (direct_map == MAP_FAILED) { direct_map = NULL; goto fail; }
	pages = mmap(NULL, n * sizeof *pages, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (pages == MAP_FAILED) { pages = NULL; goto fail; }
	dmapped = mmap(NULL, (n + 63) / 64 * 8, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (dmapped == MAP_FAILED) { dmapped = NULL; goto fail; }
	return 0;
fail:
	err = -errno;
	frame_pool_shutdown();
	return err;
}
