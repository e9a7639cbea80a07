/* services/mm/pagecache.c - the page cache (see pagecache.h).
 *
 * An open hash table of entries keyed by (file key, page index), chained, doubling
 * when it holds more entries than buckets; every entry is also on one LRU list
 * (least recently used first), which reclaim walks. Entry points: pagecache_lookup,
 * pagecache_insert, pagecache_shrink (frame.c's reclaim hook), pagecache_drop_all. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include "core/log.h"
#include "services/mm/pagecache.h"
#include "services/mm/slab.h"

#define PC_SHRINK_BATCH	32	/* pages freed per reclaim call (SWAP_CLUSTER_MAX) */

struct pc_entry {
	struct pc_key key;
	uint64_t index;
	pfn_t pfn;
	struct pc_entry *hnext;			/* hash chain */
	struct pc_entry *lru_prev, *lru_next;	/* LRU list, oldest at lru_head */
};

static struct pc_entry **buckets;
static uint64_t nbuckets;		/* a power of 2, or 0 before the first insert */
static struct pc_entry *lru_head, *lru_tail;
static struct pagecache_stats stats;
static struct slab entries = SLAB_INIT(struct pc_entry);

static uint64_t hash(const struct pc_key *k, uint64_t index)
{
	uint64_t h = (uint64_t)k->ino * 0x9e3779b97f4a7c15ULL;
	h ^= ((uint64_t)k->dev + (uint64_t)k->mtime_nsec + (uint64_t)k->mtime_sec) * 0xc2b2ae3d27d4eb4fULL;
	h ^= (index + k->size) * 0x165667b19e3779f9ULL;
	return h ^ (h >> 29);
}

static bool same(const struct pc_entry *e, const struct pc_key *k, uint64_t index)
{
	return e->index == index && e->key.ino == k->ino && e->key.dev == k->dev &&
	       e->key.mtime_sec == k->mtime_sec && e->key.mtime_nsec == k->mtime_nsec &&
	       e->key.size == k->size;
}

static void lru_unlink(struct pc_entry *e)
{
	if (e->lru_prev) e->lru_prev->lru_next = e->lru_next;
	else lru_head = e->lru_next;
	if (e->lru_next) e->lru_next->lru_prev = e->lru_prev;
	else lru_tail = e->lru_prev;
	e->lru_prev = e->lru_next = NULL;
}

static void lru_append(struct pc_entry *e)
{
	e->lru_prev = lru_tail;
	e->lru_next = NULL;
	if (lru_tail) lru_tail->lru_next = e;
	else lru_head = e;
	lru_tail = e;
}

void pagecache_init(void)
{
	frame_set_reclaim(pagecache_shrink);
}

bool pagecache_cacheable(const struct stat *st)
{
	struct timespec now;
	if (!S_ISREG(st->st_mode) || clock_gettime(CLOCK_REALTIME_COARSE, &now)) return false;
	return st->st_mtim.tv_sec + PC_RACY_SECONDS < now.tv_sec;
}

void pagecache_key(struct pc_key *k, const struct stat *st)
{
	memset(k, 0, sizeof *k);
	k->dev = st->st_dev;
	k->ino = st->st_ino;
	k->mtime_sec = st->st_mtim.tv_sec;
	k->mtime_nsec = st->st_mtim.tv_nsec;
	k->size = (uint64_t)st->st_size;
}

pfn_t pagecache_lookup(const struct pc_key *k, uint64_t index)
{
	if (nbuckets) {
		for (struct pc_entry *e = buckets[hash(k, index) & (nbuckets - 1)]; e; e = e->hnext) {
			if (!same(e, k, index)) continue;
			lru_unlink(e);
			lru_append(e);
			frame_get(e->pfn);
			stats.hits++;
			return e->pfn;
		}
	}
	stats.misses++;
	return FRAME_NONE;
}

/* Doubles the table (or creates it). false when out of memory (the old one stays). */
static bool grow(void)
{
	uint64_t n = nbuckets ? nbuckets * 2 : 1024;
	/* populated in one call: a heap that grows by page faults costs ~20 us a page
	 * on these VMs (slab.h) */
	struct pc_entry **b = mmap(NULL, n * sizeof *b, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (b == MAP_FAILED) return false;
	for (uint64_t i = 0; i < nbuckets; i++) {
		for (struct pc_entry *e = buckets[i], *next; e; e = next) {
			next = e->hnext;
			uint64_t h = hash(&e->key, e->index) & (n - 1);
			e->hnext = b[h];
			b[h] = e;
		}
	}
	if (buckets) munmap(buckets, nbuckets * sizeof *buckets);
	buckets = b;
	nbuckets = n;
	return true;
}

int pagecache_insert(const struct pc_key *k, uint64_t index, pfn_t pfn)
{
	if (stats.pages >= nbuckets && !grow() && !nbuckets) return -ENOMEM;
	struct pc_entry **head = &buckets[hash(k, index) & (nbuckets - 1)];
	for (struct pc_entry *e = *head; e; e = e->hnext)
		if (same(e, k, index)) return -EEXIST;
	struct pc_entry *e = slab_alloc(&entries);
	if (!e) return -ENOMEM;
	e->key = *k;
	e->index = index;
	e->pfn = pfn;
	e->hnext = *head;
	*head = e;
	lru_append(e);
	struct page *pg = frame_page(pfn);
	pg->flags |= PG_FILE;
	pg->flags &= (uint16_t)~PG_ZERO;
	pg->owner = e;
	pg->index = index;
	stats.pages++;
	return 0;
}

/* Takes e out of the table and the LRU list; the frame loses PG_FILE and the cache's
 * reference (freed if nobody else holds one). */
static void remove_entry(struct pc_entry *e)
{
	struct pc_entry **pp = &buckets[hash(&e->key, e->index) & (nbuckets - 1)];
	while (*pp != e) pp = &(*pp)->hnext;
	*pp = e->hnext;
	lru_unlink(e);
	struct page *pg = frame_page(e->pfn);
	pg->flags &= (uint16_t)~PG_FILE;
	pg->owner = NULL;
	frame_put(e->pfn);
	stats.pages--;
	slab_free(&entries, e);
}

uint64_t pagecache_shrink(uint64_t want)
{
	uint64_t freed = 0;
	if (want < PC_SHRINK_BATCH) want = PC_SHRINK_BATCH;
	for (struct pc_entry *e = lru_head, *next; e && freed < want; e = next) {
		next = e->lru_next;
		if (frame_page(e->pfn)->refcount != 1) continue;	/* mapped */
		remove_entry(e);
		freed++;
	}
	stats.dropped += freed;
	if (freed) DBG(DBG_MM, "page cache: reclaimed %lu pages", (unsigned long)freed);
	return freed;
}

void pagecache_drop_all(void)
{
	while (lru_head) remove_entry(lru_head);
	if (buckets) munmap(buckets, nbuckets * sizeof *buckets);
	buckets = NULL;
	nbuckets = 0;
}

bool pagecache_owns(pfn_t pfn)
{
	return pfn < frame_pool_frames() && (frame_page(pfn)->flags & PG_FILE);
}

void pagecache_stats(struct pagecache_stats *st)
{
	*st = stats;
}
