/* services/mm/memobj.c - memory objects behind VMAs (see memobj.h). */
#include <elf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "services/mm/memobj.h"
#include "services/mm/frame.h"

static uint64_t next_id = 1;

/* The file offset where the first PT_LOAD of an ELF file with several ends (page-
 * aligned), from its first bytes; 0 when it is not one. Read as the loader would,
 * every field checked: this only decides how much of a mapping is made present. */
static uint64_t elf_head_of(const unsigned char *b, size_t n)
{
	Elf64_Ehdr eh;
	if (n < sizeof eh) return 0;
	memcpy(&eh, b, sizeof eh);
	if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_phentsize != sizeof(Elf64_Phdr) ||
	    eh.e_phoff > n || eh.e_phnum > (n - eh.e_phoff) / sizeof(Elf64_Phdr))
		return 0;
	uint64_t head = 0;
	unsigned loads = 0;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		memcpy(&ph, b + eh.e_phoff + i * sizeof ph, sizeof ph);
		if (ph.p_type != PT_LOAD) continue;
		if (!loads++) {
			if (ph.p_offset != 0 || ph.p_filesz > (1ULL << 40)) return 0;
			head = (ph.p_filesz + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
		}
	}
	return loads > 1 ? head : 0;
}

/* What the first bytes of recently mapped files said (elf, elf_head), by page-cache
 * key: ld.so maps each library several times (the whole file, then its segments),
 * and every exec maps ld.so.cache and libc again; each was a pread of 1 KiB (~10 us
 * here, 8 per fork+exec of /bin/true). Only files the page cache trusts (not
 * modified within PC_RACY_SECONDS): a changed file has a new key. */
#define HEAD_CACHE 64
static struct head_seen {
	struct pc_key key;
	bool used, elf;
	uint64_t elf_head;
} head_cache[HEAD_CACHE];

static struct head_seen *head_slot(const struct pc_key *k)
{
	uint64_t h = ((uint64_t)k->ino * 0x9e3779b97f4a7c15ULL) ^ (uint64_t)k->dev ^ (uint64_t)k->mtime_nsec;
	return &head_cache[(h >> 32) % HEAD_CACHE];
}

struct memobj *memobj_file_stat(int fd, const struct stat *st)
{
	struct memobj *o = calloc(1, sizeof *o);
	if (!o) {
		close(fd);
		return NULL;
	}
	o->refcount = 1;
	o->kind = MO_FILE;
	o->fd = fd;
	o->dev = st->st_dev;
	o->ino = st->st_ino;
	o->size = (uint64_t)st->st_size;
	o->cached = pagecache_cacheable(st);
	pagecache_key(&o->key, st);
	struct head_seen *seen = o->cached ? head_slot(&o->key) : NULL;
	if (seen && seen->used && !memcmp(&seen->key, &o->key, sizeof o->key)) {
		o->elf = seen->elf;
		o->elf_head = seen->elf_head;
	} else {
		/* the ELF header and (as linkers place them) the program headers after it */
		unsigned char head[1024];
		ssize_t n = S_ISREG(st->st_mode) ? pread(fd, head, sizeof head, 0) : -1;
		o->elf = n >= 4 && !memcmp(head, ELFMAG, SELFMAG);
		o->elf_head = o->elf ? elf_head_of(head, (size_t)n) : 0;
		if (seen && n >= 0) *seen = (struct head_seen){ o->key, true, o->elf, o->elf_head };
	}
	o->id = next_id++;
	return o;
}

struct memobj *memobj_file(int fd)
{
	struct stat st;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return NULL;
	}
	return memobj_file_stat(fd, &st);
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
