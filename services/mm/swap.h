/* services/mm/swap.h - the swap device (Linux's swap_info_struct and mm/swapfile.c).
 *
 * One file of PAGE_SIZE slots: `--swap FILE[:SIZE]` (created or resized to SIZE if
 * given, else its current size) or `--swap SIZE` (an unlinked temporary file in
 * $TMPDIR or /var/tmp). Slot 0 holds a header and is never allocated, so slot 0 in a
 * swap entry is impossible (as Linux's). Each slot has a use count, Linux's swap_map:
 * the page-table entries that name it (fork shares swapped pages by copying the
 * entry, swap_dup). Slots are allocated next-fit in contiguous runs, so a run of
 * pages evicted together is read back with one request (swap readahead).
 *
 * I/O goes through an io_uring of the device's own (liburing), submitted and waited
 * for by the caller: page-out writes a run of frames with one writev, page-in reads a
 * run of slots into contiguous frames with one read. The file is opened without
 * O_DIRECT, so pages recently written may still be in the host's page cache: a
 * page-in then costs a copy, not a disk read (docs/memory.md, "Swap").
 *
 * The swap cache: a slot whose page is being written out by kswapd keeps its frame in
 * swap_cache until the write completes; a fault on that entry meanwhile takes the
 * frame back instead of reading the slot. A slot under writeback is not reused.
 *
 * Thread: the tracer thread, except swap_write, which kswapd also calls (the slots it
 * writes were allocated by the tracer and are not touched until it reports back). */
#ifndef PERSONA_MM_SWAP_H
#define PERSONA_MM_SWAP_H
#include <stdbool.h>
#include <stdint.h>
#include "services/mm/frame.h"

/* Opens the device from the --swap argument. 0 or -errno (with a message). */
int swap_init(const char *spec);
void swap_shutdown(void);
bool swap_active(void);
uint64_t swap_total(void);	/* usable slots (pages) */
uint64_t swap_free_slots(void);
/* n contiguous free slots, each with use count 1; returns the first, or 0 when no
 * run of n is free (callers retry with smaller runs). */
uint64_t swap_alloc(unsigned n);
void swap_dup(uint64_t slot);		/* count++ (fork copies the entry) */
void swap_free(uint64_t slot);		/* count--; at 0 the slot is free again */
unsigned swap_count(uint64_t slot);
/* Writes the frames pfns[0..n) to slots [slot, slot + n). 0 or -errno. */
int swap_write(uint64_t slot, const pfn_t *pfns, unsigned n);
/* Reads slots [slot, slot + n) into the contiguous frames from pfn. 0 or -errno. */
int swap_read(uint64_t slot, pfn_t pfn, unsigned n);

/* The swap cache (pages under writeback). */
void swap_cache_add(uint64_t slot, pfn_t pfn);	/* takes the caller's frame reference */
pfn_t swap_cache_lookup(uint64_t slot);		/* FRAME_NONE: not cached */
/* The write of slot is done: the cache's reference is dropped (the frame is freed
 * unless a fault took it back) and the slot is freed if no entry names it. */
void swap_cache_done(uint64_t slot);

struct swap_stats {
	uint64_t total, used;		/* slots */
	uint64_t pswpin, pswpout;	/* pages read, written */
	uint64_t cache_hits;		/* unused (see mm_stat.swapcache_hits) */
	uint64_t writeback;		/* pages under writeback now */
};
void swap_stats(struct swap_stats *st);
#endif
