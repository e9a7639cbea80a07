/* services/mm/slab.c - fixed-size objects from populated chunks (see slab.h). */
#include <string.h>
#include <sys/mman.h>
#include "services/mm/slab.h"

#define SLAB_CHUNK	(256u << 10)

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
		size_t len = size > SLAB_CHUNK ? size : SLAB_CHUNK;
		char *c = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
			       -1, 0);
		if (c == MAP_FAILED) return NULL;
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
