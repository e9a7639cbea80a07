/* services/mm/memobj.h - what a VMA maps: a memory object.
 *
 * Anonymous private memory has no object (NULL). Other VMAs refer to a refcounted
 * object: a file (private mappings map the page cache's frames, pagecache.h, copy-
 * on-write; shared file mappings stay host-backed), an anonymous shared object
 * (MAP_SHARED|MAP_ANONYMOUS: its frames, indexed by page, are shared by every mm
 * that maps it, across fork), or the host (an adopted mapping the host kernel
 * created, e.g. the exec'd image, the stack, the vDSO: Persona records it but the
 * host pages it).
 *
 * Thread: tracer thread only. */
#ifndef PERSONA_MM_MEMOBJ_H
#define PERSONA_MM_MEMOBJ_H
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "services/mm/frame.h"
#include "services/mm/pagecache.h"

enum memobj_kind { MO_FILE, MO_ANON_SHARED };

struct memobj {
	int refcount;
	enum memobj_kind kind;
	/* MO_FILE */
	int fd;			/* the supervisor's own descriptor of the file (O_RDONLY) */
	dev_t dev;
	ino_t ino;
	uint64_t size;		/* file size when mapped */
	bool cached;		/* private pages come from the page cache (pagecache.h) */
	bool elf;		/* an ELF file (program or library): its segments are
				 * made present whole (fault.c, MM_SEGMENT_MAX) */
	uint64_t elf_head;	/* a library's first PT_LOAD (its headers, symbols,
				 * relocations): the bytes of a mapping of the whole file
				 * that ld.so keeps once it maps the other segments over
				 * it (page-aligned; 0: not such a file) */
	struct pc_key key;	/* the file's identity and version in the page cache */
	/* MO_ANON_SHARED: frames by page index (FRAME_NONE: not yet faulted) */
	pfn_t *pages;
	uint64_t npages;
	uint64_t id;		/* shown as the inode of "/dev/zero (deleted)" */
};

struct memobj *memobj_file(int fd);		/* takes ownership of fd; NULL on error */
struct memobj *memobj_file_stat(int fd, const struct stat *st);	/* the same, fd's fstat known */
struct memobj *memobj_anon_shared(uint64_t npages);
struct memobj *memobj_get(struct memobj *o);	/* NULL-safe */
void memobj_put(struct memobj *o);		/* NULL-safe; frees frames/fd at 0 */
#endif
