/* services/mm/vma.h - virtual memory areas and the per-mm tree that orders them.
 *
 * A VMA (Linux's vm_area_struct) is a page-aligned range [start, end) with one
 * protection, flags and backing. An mm keeps its VMAs in a red-black tree keyed by
 * start (no two overlap), so lookup, insertion and removal are O(log n), and
 * successor/predecessor links make range walks cheap. Split and merge follow Linux's
 * __split_vma and vma_merge: two neighbours merge when they touch and agree on
 * everything (prot, flags, backing, and the page offset continues).
 *
 * Thread: tracer thread only. */
#ifndef PERSONA_MM_VMA_H
#define PERSONA_MM_VMA_H
#include <stdbool.h>
#include <stdint.h>
#include "services/mm/memobj.h"

/* vma flags (besides prot, which is PROT_READ|WRITE|EXEC) */
enum {
	VM_SHARED	= 1 << 0,	/* MAP_SHARED */
	VM_HOST		= 1 << 1,	/* host-backed: the host kernel pages it (adopted, or a
					 * shared file mapping); Persona only records it */
	VM_GROWSDOWN	= 1 << 2,	/* a stack: grows down on faults just below it */
	VM_HEAP		= 1 << 3,	/* the brk area, "[heap]" */
	VM_STACK	= 1 << 4,	/* "[stack]" */
	VM_LOCKED	= 1 << 5,	/* mlock */
	VM_DONTFORK	= 1 << 6,	/* madvise(MADV_DONTFORK) */
	VM_NORESERVE	= 1 << 7,	/* MAP_NORESERVE: not counted against overcommit */
	VM_SPECIAL	= 1 << 8,	/* [vdso], [vvar], [vsyscall]: never merged or moved */
	VM_LOCKONFAULT	= 1 << 9,	/* mlock2(MLOCK_ONFAULT) */
	VM_WIPEONFORK	= 1 << 10,
	VM_MAYSHARE_HOST = 1 << 11,	/* (reserved) */
	VM_DROPPABLE	= 1 << 12,	/* MAP_DROPPABLE: may be dropped, wiped on fork, never locked */
};

struct vma {
	uint64_t start, end;	/* page aligned, start < end */
	uint32_t prot;		/* PROT_* */
	uint32_t flags;		/* VM_* */
	struct memobj *obj;	/* NULL: anonymous private; a reference is held */
	uint64_t pgoff;		/* offset in obj (or in the host file), in pages; anonymous
				 * memory: start >> 12 when mapped (Linux's linear index) */
	char *name;		/* maps' path column: file path, "[heap]", "[vdso]"...;
				 * owned (malloc'd), copied on split; NULL for none */
	uint64_t host_ino;	/* VM_HOST file mappings: dev/inode shown in maps */
	uint32_t host_dev_major, host_dev_minor;
	/* fault-around (fault.c): the last fault's address and the window, in pages (0:
	 * none yet), per VMA so that two streams of faults (the heap and an arena)
	 * do not reset each other's window */
	uint64_t last_fault;
	uint32_t fault_window;
	/* tree links, owned by vma.c */
	struct vma *rb_parent, *rb_left, *rb_right;
	int rb_red;
};

struct vma_tree {
	struct vma *root;
	unsigned count;
};

static inline uint64_t vma_pages(const struct vma *v) { return (v->end - v->start) >> 12; }

void vma_tree_init(struct vma_tree *t);
/* Allocates a VMA (zeroed links) taking a reference on obj and copying name. */
struct vma *vma_new(uint64_t start, uint64_t end, uint32_t prot, uint32_t flags,
		    struct memobj *obj, uint64_t pgoff, const char *name);
/* Frees a VMA not in any tree (drops its obj reference and name). */
void vma_free(struct vma *v);
/* Inserts v; returns -EEXIST (and does nothing) if it overlaps an existing VMA. */
int vma_insert(struct vma_tree *t, struct vma *v);
/* Unlinks v from the tree (does not free it). */
void vma_remove(struct vma_tree *t, struct vma *v);
/* The VMA containing addr, or NULL. */
struct vma *vma_find(const struct vma_tree *t, uint64_t addr);
/* The first VMA with end > addr (contains addr or lies above it), or NULL. */
struct vma *vma_find_from(const struct vma_tree *t, uint64_t addr);
struct vma *vma_first(const struct vma_tree *t);
struct vma *vma_next(const struct vma *v);
struct vma *vma_prev(const struct vma *v);
/* Splits v at addr (start < addr < end, page aligned): v keeps [start, addr), a new
 * VMA [addr, end) is inserted and returned (pgoff advanced, obj reference taken,
 * name copied). NULL on bad addr or out of memory. */
struct vma *vma_split(struct vma_tree *t, struct vma *v, uint64_t addr);
/* Whether a (below) and b (above, a->end == b->start) could be one VMA. */
bool vma_mergeable(const struct vma *a, const struct vma *b);
/* Merges v with its predecessor and/or successor where vma_mergeable; returns the
 * VMA that now covers v's range (v itself may have been freed). */
struct vma *vma_merge_neighbours(struct vma_tree *t, struct vma *v);
/* Removes and frees every VMA. */
void vma_tree_clear(struct vma_tree *t);
/* Checks the red-black and ordering invariants; 0, or -1 with a message. Tests. */
int vma_tree_check(const struct vma_tree *t);
#endif
