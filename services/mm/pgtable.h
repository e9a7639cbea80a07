/* services/mm/pgtable.h - the software page table: Persona's source of truth for
 * what each virtual page of an mm holds.
 *
 * A 4-level radix tree over the 47-bit user address space, 512 entries per node as
 * x86-64's own tables (PGD/PUD/PMD/PTE, 9 bits each), allocated on demand. An entry
 * (pte_t) is none (0), a present frame (with the protection Persona installed in the
 * host mapping, which may be narrower than the VMA's: copy-on-write pages are
 * installed without PROT_WRITE), a swap entry (services/mm/swap.h), or a guard marker
 * (MADV_GUARD_INSTALL).
 *
 * Thread: tracer thread only. */
#ifndef PERSONA_MM_PGTABLE_H
#define PERSONA_MM_PGTABLE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t pte_t;

#define PTE_PROT_MASK	0x7ULL		/* PROT_READ|WRITE|EXEC installed in the host */
#define PTE_PRESENT	(1ULL << 3)	/* maps a frame: pfn in bits 12.. */
#define PTE_SWAP	(1ULL << 4)	/* swapped out: slot in bits 12.. */
#define PTE_COW		(1ULL << 5)	/* private page shared after fork: copy on write */
#define PTE_REFERENCED	(1ULL << 6)	/* software referenced bit (reclaim) */
#define PTE_DIRTY	(1ULL << 7)	/* written since installed writable */
#define PTE_PENDING	(1ULL << 8)	/* changed in the table, not yet installed in the host */
#define PTE_GUARD	(1ULL << 9)	/* MADV_GUARD_INSTALL marker: never present, never filled;
					 * an access is SIGSEGV (Linux's PTE_MARKER_GUARD) */
#define PTE_AGED	(1ULL << 10)	/* present, but PROT_NONE in the host until the next
					 * access: that fault is the page's software
					 * referenced bit (services/mm/reclaim.c) */
#define PTE_SHIFT	12

static inline pte_t pte_mk_frame(uint32_t pfn, unsigned prot) { return ((pte_t)pfn << PTE_SHIFT) | PTE_PRESENT | (prot & PTE_PROT_MASK); }
static inline pte_t pte_mk_swap(uint64_t slot) { return (slot << PTE_SHIFT) | PTE_SWAP; }
static inline bool pte_present(pte_t e) { return e & PTE_PRESENT; }
static inline bool pte_swapped(pte_t e) { return e & PTE_SWAP; }
static inline uint32_t pte_pfn(pte_t e) { return (uint32_t)(e >> PTE_SHIFT); }
static inline uint64_t pte_slot(pte_t e) { return e >> PTE_SHIFT; }
static inline unsigned pte_prot(pte_t e) { return (unsigned)(e & PTE_PROT_MASK); }

#define PGTABLE_VA_BITS	47		/* user addresses are below 2^47 */

struct pgtable;

struct pgtable *pgtable_new(void);
/* Frees the table's nodes (not the frames its entries name). */
void pgtable_free(struct pgtable *pt);
/* The entry for the page containing va, or NULL when its leaf node does not exist and
 * !create (or allocation failed, or va >= 2^47). */
pte_t *pgtable_entry(struct pgtable *pt, uint64_t va, bool create);
static inline pte_t pgtable_get(struct pgtable *pt, uint64_t va)
{
	pte_t *e = pgtable_entry(pt, va, false);
	return e ? *e : 0;
}
/* Calls fn for every non-none entry with start <= va < end, in address order;
 * empty subtrees are skipped without visiting their range. fn may change or clear
 * *e. Stops and returns fn's value when it is non-zero; otherwise 0. */
int pgtable_walk(struct pgtable *pt, uint64_t start, uint64_t end,
		 int (*fn)(uint64_t va, pte_t *e, void *arg), void *arg);
/* Number of non-none entries (maintained incrementally is not required: a walk). */
uint64_t pgtable_count(struct pgtable *pt, uint64_t start, uint64_t end);
/* Frees leaf nodes (and parents) that hold only none entries within [start, end). */
void pgtable_prune(struct pgtable *pt, uint64_t start, uint64_t end);
/* Nodes currently allocated (the root included; a new table has 1). For tests and
 * statistics: each node is 4 KiB of supervisor memory. */
size_t pgtable_nodes(const struct pgtable *pt);
#endif
