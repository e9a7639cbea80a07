/* services/mm/frame.h - physical memory: the frame pool and its buddy allocator.
 *
 * Persona's "RAM" is one memfd (the frame pool) of --mem bytes, allocated sparsely by
 * the host: a frame is a 4 KiB offset in it, named by its page frame number (pfn).
 * Frames are handed out by a buddy allocator (free lists of 2^order blocks, order
 * 0..FRAME_MAX_ORDER, buddies coalesce on free) as in Linux's mm/page_alloc.c. Each
 * frame has a descriptor, struct page, the analogue of Linux's: refcount, flags,
 * owner. A block of 2^order frames is returned as 2^order independent frames, each
 * with refcount 1 (Linux's split_page), so its pages can later be freed one by one;
 * freeing coalesces buddies again.
 *
 * The supervisor maps the whole pool once, MAP_SHARED: the direct map. frame_to_virt /
 * virt_to_frame are Linux's __va/__pa: the supervisor reads and writes any guest
 * frame through it without ptrace. The map is created in the supervisor after the
 * guests' fork (frame_pool_init runs before spawning, but a spawned child only execs,
 * which drops it).
 *
 * Descriptors and the direct map are MAP_NORESERVE and touched only as frames are
 * used, so a pool of the host's RAM size costs nothing until guests use it: the free
 * lists start empty and fresh max-order blocks are carved from an untouched "high
 * water mark" on demand.
 *
 * Thread: tracer thread only (no locking). */
#ifndef PERSONA_MM_FRAME_H
#define PERSONA_MM_FRAME_H
#include <stdbool.h>
#include <stdint.h>

/* Token for token as <sys/user.h> (core/task.h includes it), so that both can be
 * included: an identical redefinition is no error and no warning. */
#define PAGE_SHIFT	12
#define PAGE_SIZE	(1UL << PAGE_SHIFT)
#define PAGE_MASK	(~(PAGE_SIZE-1))
#define FRAME_MAX_ORDER	10		/* largest block: 2^10 frames = 4 MiB */
#define FRAME_NONE	UINT32_MAX	/* no frame: allocation failed */

typedef uint32_t pfn_t;

/* struct page flags */
enum {
	PG_FREE		= 1 << 0,	/* in the buddy allocator */
	PG_HEAD		= 1 << 1,	/* first frame of a free block (order valid) */
	PG_ZERO		= 1 << 2,	/* known to contain only zeroes */
	PG_DIRTY	= 1 << 3,	/* written since last cleaned (swap, page cache) */
	PG_MLOCKED	= 1 << 4,	/* never evicted */
	PG_ANON		= 1 << 5,	/* anonymous memory (owner: an mm or a shared object) */
	PG_FILE		= 1 << 6,	/* file contents (page cache, issue 8) */
	PG_REFERENCED	= 1 << 7,	/* software referenced bit (reclaim) */
	PG_ACTIVE	= 1 << 8,	/* on the active list (reclaim) */
	PG_LRU		= 1 << 9,	/* on an mm's LRU list: owner is that mm, index the page */
	PG_SWAPCACHE	= 1 << 10,	/* in the swap cache, being written out (swap.h) */
};

struct page {
	uint32_t refcount;	/* 0 when free */
	uint32_t mapcount;	/* page-table entries that map it (fork shares raise it) */
	uint16_t flags;
	uint8_t order;		/* block order, valid when PG_FREE|PG_HEAD */
	uint32_t next, prev;	/* free-list links (pfns; FRAME_NONE ends), or LRU links */
	void *owner;		/* the mm or shared object it belongs to (informational) */
	uint64_t index;		/* virtual page number, or page index in the owner */
};

/* Creates the pool: a memfd of `bytes` (rounded down to pages; at most 2^32 - 1
 * frames, as FRAME_NONE is no pfn) and the direct map. 0 or -errno. */
int frame_pool_init(uint64_t bytes);
void frame_pool_shutdown(void);
int frame_pool_fd(void);		/* the memfd, for mapping frames into guests */
/* The memfd again, opened separately (close-on-exec, never in a guest): its file
 * offset is the supervisor's own, for filling frames with sendfile (pageio.c). */
int frame_pool_wfd(void);
uint64_t frame_pool_frames(void);	/* total frames */

/* Allocates 2^order contiguous frames (each refcount 1, PG_ZERO cleared unless
 * zeroed). With `zero`, every frame is zero-filled (frames never used are zero
 * already; recycled ones are cleared through the direct map). Returns the first pfn,
 * or FRAME_NONE when no block of that order is free (for order 0: not even after
 * the reclaim hook ran). */
pfn_t frame_alloc(unsigned order, bool zero);
/* Claims exactly the n frames [pfn, pfn+n) if all are free (for contiguity with a
 * neighbouring mapping, so host mappings merge). 0, or -EBUSY leaving all free. */
int frame_alloc_range(pfn_t pfn, unsigned n, bool zero);
/* Clears len bytes from byte `off` of the frames from pfn (a run) by writes to the
 * pool (the host's own mapping of the pages), not through the direct map: on these
 * VMs a page's first touch through a mapping costs ~10 us even when populated
 * (shadow page tables), a pwrite ~2-3 us. */
void frame_zero_bytes(pfn_t pfn, uint64_t off, uint64_t len);
/* Copies frame src to frame dst, by copy_file_range within the pool: ~4 us a page,
 * against ~20-25 us through the direct map when neither frame was mapped there
 * yet, but ~0.5 us when both were (measured). For frames the supervisor never
 * touches otherwise (the page cache's); frames copied again and again (fork_cow's
 * anonymous memory, fork's copies) are cheaper through the direct map. */
void frame_copy(pfn_t dst, pfn_t src);
/* The reclaim hook (the page cache's shrinker): when no single frame is free,
 * frame_alloc(0) calls fn(want) once and tries again if it freed frames. NULL: none. */
void frame_set_reclaim(uint64_t (*fn)(uint64_t want));
/* Called by frame_put for a frame still on an LRU list (PG_LRU) as it is freed, to
 * unlink it first (services/mm/reclaim.c). */
void frame_set_release(void (*fn)(pfn_t pfn));
void frame_get(pfn_t pfn);		/* refcount++ */
/* refcount--; at 0 the frame returns to the buddy allocator. Returns true if freed. */
bool frame_put(pfn_t pfn);

struct page *frame_page(pfn_t pfn);	/* descriptor (pfn must be < frame_pool_frames()) */
/* __va: the frame in the direct map, its page made present there first (by madvise,
 * not by a page fault of the supervisor). */
void *frame_to_virt(pfn_t pfn);
/* The same for n contiguous frames from pfn, all made present. */
void *frame_to_virt_range(pfn_t pfn, uint64_t n);
pfn_t virt_to_frame(const void *p);	/* __pa */
static inline uint64_t frame_offset(pfn_t pfn) { return (uint64_t)pfn << PAGE_SHIFT; }

struct frame_stats {
	uint64_t total, free, used, peak_used;
	uint64_t allocs, frees, zeroed;		/* counters: frames */
	uint64_t free_blocks[FRAME_MAX_ORDER + 1];	/* blocks on each free list */
};
void frame_stats(struct frame_stats *st);
/* Checks every invariant of the allocator (free lists consistent, buddies of free
 * blocks not both free at the same order, counts add up). 0, or -1 with a message on
 * stderr. For tests. */
int frame_check(void);
#endif
