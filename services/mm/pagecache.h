/* services/mm/pagecache.h - the page cache: file pages read once, shared by every
 * private mapping of the file in every guest (Linux's address_space page cache).
 *
 * A page is cached under its file's identity and version, struct pc_key: device,
 * inode, mtime and size as fstat saw them when the file was mapped, and its page
 * index. A file changed on disk gets a new mtime (or size), hence new keys: its old
 * pages are never found again and wait, unused, for reclaim. Files modified in the
 * last PC_RACY_SECONDS are not cached at all (pagecache_cacheable): mtime comes
 * from a coarse clock, so two writes within one tick could leave the same key (git's
 * "racily clean" index entries, the same cure).
 *
 * A cached frame carries PG_FILE, its struct page's owner is the cache entry and
 * index the file page index. The cache holds one reference (the frame's first);
 * every page-table entry that maps it holds another, so refcount == 1 means no
 * mapping uses it. Such pages stay (Linux keeps clean pages after the last unmap)
 * until memory is needed: frame_alloc calls pagecache_shrink when the pool is empty,
 * before the OOM killer is considered, and the least recently used unused pages go.
 * Mappings never write a cached frame: they map it without write permission and
 * with PTE_COW, and a write copies (fault.c).
 *
 * Thread: tracer thread only (no locking). */
#ifndef PERSONA_MM_PAGECACHE_H
#define PERSONA_MM_PAGECACHE_H
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include "services/mm/frame.h"

#define PC_RACY_SECONDS	2

struct pc_key {
	dev_t dev;
	ino_t ino;
	int64_t mtime_sec;
	long mtime_nsec;
	uint64_t size;
};

/* Registers pagecache_shrink as the frame allocator's reclaim hook. */
void pagecache_init(void);
/* Whether pages of the file fstat described as st may be cached: a regular file not
 * modified in the last PC_RACY_SECONDS (by the realtime coarse clock). */
bool pagecache_cacheable(const struct stat *st);
void pagecache_key(struct pc_key *k, const struct stat *st);
/* The frame of page `index` of file k with a reference taken for the caller (who
 * maps it), or FRAME_NONE (a miss). A hit makes the page the most recently used. */
pfn_t pagecache_lookup(const struct pc_key *k, uint64_t index);
/* Adds frame pfn (filled with the file's bytes; its reference becomes the cache's
 * own) as page `index` of k. 0; -EEXIST if that page is cached already, -ENOMEM if
 * no entry could be allocated: the frame is then still the caller's. */
int pagecache_insert(const struct pc_key *k, uint64_t index, pfn_t pfn);
/* Frees up to `want` cached pages that no mapping uses, least recently used first.
 * Returns how many were freed. */
uint64_t pagecache_shrink(uint64_t want);
/* Empties the cache: unused pages are freed, pages still mapped are detached (they
 * become the mappers' private frames and lose PG_FILE). */
void pagecache_drop_all(void);
/* Whether pfn is a cached frame. */
bool pagecache_owns(pfn_t pfn);

struct pagecache_stats {
	uint64_t pages;			/* frames in the cache now */
	uint64_t hits, misses;		/* lookups */
	uint64_t dropped;		/* pages freed by reclaim (pagecache_shrink) */
};
void pagecache_stats(struct pagecache_stats *st);
#endif
