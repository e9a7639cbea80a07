/* services/mm/slab.h - fixed-size objects of the memory manager's own tables (page-
 * cache entries, page-table nodes) from chunks the host populates in one call.
 *
 * A page fault of the supervisor costs ~20-40 us on these VMs, a page populated
 * ahead (MAP_POPULATE, ~1.5 us) ~10 us more at its first touch (shadow page
 * tables). A gcc run's 11,000 page-cache entries and its page-table nodes, malloc'd
 * one by one, took ~280 page faults as the heap grew. A slab hands out objects from
 * 256 KiB chunks mapped with MAP_POPULATE; freed objects go on a free list and are
 * reused (chunks are never given back: the supervisor lives as long as its
 * guests).
 *
 * Thread: the owner's (each slab is used by one thread: the tracer). */
#ifndef PERSONA_MM_SLAB_H
#define PERSONA_MM_SLAB_H
#include <stddef.h>

struct slab {
	size_t size;		/* object size, set by the user (>= sizeof(void *)) */
	void *free;		/* freed objects, linked through their first word */
	char *next, *end;	/* the unused rest of the current chunk */
};

#define SLAB_INIT(type) { .size = sizeof(type) }

/* A zeroed object, or NULL when the host has no memory. */
void *slab_alloc(struct slab *s);
/* Gives o (from slab_alloc of s; NULL-safe) back. */
void slab_free(struct slab *s, void *o);
#endif
