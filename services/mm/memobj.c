/* services/mm/memobj.c - memory objects behind VMAs (see memobj.h). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "services/mm/memobj.h"

static uint64_t next_id = 1;

struct memobj *memobj_file(int fd)
{
	struct stat st;
	struct memobj *o;
	if (fstat(fd, &st) < 0 || !(o = calloc(1, sizeof *o))) {
		close(fd);
		return NULL;
	}
	o->refcount = 1;
	o->kind = MO_FILE;
	o->fd = fd;
	o->dev = st.st_dev;
	o->ino = st.st_ino;
	o->size = (uint64_t)st.st_size;
	o->cached = pagecache_cacheable(&st);
	char magic[4];
	o->elf = S_ISREG(st.st_mode) && pread(fd, magic, sizeof magic, 0) == sizeof magic &&
		 !memcmp(magic, "\177ELF", sizeof magic);
	pagecache_key(&o->key, &st);
	o->id = next_id++;
	return o;
}

struct memobj *memobj_anon_shared(uint64_t npages)
{
	struct memobj *o = calloc(1, sizeof *o);
	if (!o) return NULL;
	o->pages = malloc((npages ? npages : 1) * sizeof *o->pages);
	if (!o->pages) {
		free(o);
		return NULL;
	}
	for (uint64_t i = 0; i < npages; i++) o->pages[i] = FRAME_NONE;
	o->refcount = 1;
	o->kind = MO_ANON_SHARED;
	o->fd = -1;
	o->npages = npages;
	o->id = next_id++;
	return o;
}

struct memobj *memobj_get(struct memobj *o)
{
	if (o) o->refcount++;
	return o;
}

void memobj_put(struct memobj *o)
{
	if (!o || --o->refcount > 0) return;
	if (o->kind == MO_FILE && o->fd >= 0) close(o->fd);
	for (uint64_t i = 0; o->pages && i < o->npages; i++)
		if (o->pages[i] != FRAME_NONE) frame_put(o->pages[i]);
	free(o->pages);
	free(o);
}
