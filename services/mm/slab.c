/* services/mm/slab.c - fixed-size objects from populated chunks (see slab.h). */
#include <string.h>
#include <sys/mman.h>
#include "services/mm/slab.h"

#define SLAB_CHUNK	(256u << 10)

/* A chunk of len bytes, populated in one call. Not in transparent huge pages,
 * though on these VMs a 4 KiB page costs ~10 us at its first touch even when
 * populated (shadow page tables) and a huge page 0.05 us per 4 KiB: with THP's
 * "madvise" defrag the allocation compacts memory synchronously, which took 11 ms
 * for one chunk in a python run (perf). */
static char *chunk(size_t len)
{
	char *c = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	return c == MAP_FAILED ? NULL : c;
}

void *slab_alloc(struct slab *s)
{
	size_t size = (s->size + 15) & ~(size_t)15;
	if (s->free) {
		void *o = s->free;
		s->free = *(void **)o;
		memset(o, 0, s->size);
		return o;
	}
	if (!s->next || (size_t)(s->end - s->next) < size) {
		size_t len = size > SLAB_CHUNK ? (size + SLAB_CHUNK - 1) & ~(size_t)(SLAB_CHUNK - 1) : SLAB_CHUNK;
		char *c = chunk(len);
		if (!c) return NULL;
		s->next = c;	/* the rest of the old chunk is lost: less than one object */
		s->end = c + len;
	}
	void *o = s->next;	/* fresh memory reads as zeroes */
	s->next += size;
	return o;
}

void slab_free(struct slab *s, void *o)
{
	if (!o) return;
	*(void **)o = s->free;
	s->free = o;
}
