/* services/mm/pgtable.c - the software page table (see pgtable.h).
 *
 * Four levels of 512-entry nodes, as x86-64: level 3 (PGD) indexes va bits 39..46,
 * level 0 (PTE) bits 12..20. Nodes are allocated on first use (slab.h: from
 * populated chunks, not a heap that faults as it grows). Interior nodes count
 * their non-NULL children so pruning can tell an empty parent in O(1); leaves cannot
 * keep such a count, since callers write entries through the pointers
 * pgtable_entry and the walk hand out, so a leaf's emptiness is found by scanning
 * it (512 loads, and only while pruning). */
#include <stdlib.h>
#include "services/mm/pgtable.h"
#include "services/mm/slab.h"

#define PT_BITS		9
#define PT_FANOUT	(1u << PT_BITS)
#define PT_LEVELS	4
#define PT_PAGE_SHIFT	12
#define PT_VA_LIMIT	(1ULL << PGTABLE_VA_BITS)

struct pt_node {
	unsigned used;		/* interior nodes: non-NULL children; leaves: unused */
	union {
		struct pt_node *child[PT_FANOUT];
		pte_t pte[PT_FANOUT];
	};
};

struct pgtable {
	struct pt_node *root;	/* level PT_LEVELS - 1; always allocated */
	size_t nodes;		/* allocated nodes, root included */
};

static unsigned level_shift(int level) { return PT_PAGE_SHIFT + PT_BITS * (unsigned)level; }
static unsigned slot(uint64_t va, int level) { return (va >> level_shift(level)) & (PT_FANOUT - 1); }

static struct slab nodes = SLAB_INIT(struct pt_node);	/* tracer thread only */

static struct pt_node *node_alloc(struct pgtable *pt)
{
	struct pt_node *n = slab_alloc(&nodes);
	if (n) pt->nodes++;
	return n;
}

static void node_free(struct pgtable *pt, struct pt_node *n)
{
	slab_free(&nodes, n);
	pt->nodes--;
}

struct pgtable *pgtable_new(void)
{
	struct pgtable *pt = calloc(1, sizeof *pt);
	if (pt && !(pt->root = node_alloc(pt))) { free(pt); return NULL; }
	return pt;
}

static void free_subtree(struct pgtable *pt, struct pt_node *n, int level)
{
	if (level > 0)
		for (unsigned i = 0; i < PT_FANOUT && n->used; i++)
			if (n->child[i]) {
				free_subtree(pt, n->child[i], level - 1);
				n->used--;
			}
	node_free(pt, n);
}

void pgtable_free(struct pgtable *pt)
{
	if (!pt) return;
	free_subtree(pt, pt->root, PT_LEVELS - 1);
	free(pt);
}

size_t pgtable_nodes(const struct pgtable *pt) { return pt->nodes; }

pte_t *pgtable_entry(struct pgtable *pt, uint64_t va, bool create)
{
	struct pt_node *n = pt->root;
	if (va >= PT_VA_LIMIT) return NULL;
	for (int level = PT_LEVELS - 1; level > 0; level--) {
		unsigned i = slot(va, level);
		if (!n->child[i]) {
			if (!create || !(n->child[i] = node_alloc(pt))) return NULL;
			n->used++;
		}
		n = n->child[i];
	}
	return &n->pte[slot(va, 0)];
}

/* Clips [*start, *end) to page addresses below 2^47; false if nothing is left. A page
 * is in the range when its own address is (so an unaligned start excludes the page
 * it falls in). */
static bool clip(uint64_t *start, uint64_t *end)
{
	if (*end > PT_VA_LIMIT) *end = PT_VA_LIMIT;
	if (*start >= *end) return false;
	*start = (*start + (1ULL << PT_PAGE_SHIFT) - 1) & ~((1ULL << PT_PAGE_SHIFT) - 1);
	return *start < *end;
}

/* The first slot of node n (covering [base, ...)) that may hold addresses >= start. */
static unsigned first_slot(uint64_t base, uint64_t start, int level)
{
	return start > base ? (unsigned)((start - base) >> level_shift(level)) : 0;
}

static int walk_node(struct pt_node *n, int level, uint64_t base, uint64_t start, uint64_t end,
		     int (*fn)(uint64_t, pte_t *, void *), void *arg)
{
	int rc;
	for (unsigned i = first_slot(base, start, level); i < PT_FANOUT; i++) {
		uint64_t va = base + ((uint64_t)i << level_shift(level));
		if (va >= end) break;
		if (level == 0) {
			if (n->pte[i] && (rc = fn(va, &n->pte[i], arg))) return rc;
		} else if (n->child[i]) {	/* a NULL child skips its whole range */
			if ((rc = walk_node(n->child[i], level - 1, va, start, end, fn, arg))) return rc;
		}
	}
	return 0;
}

int pgtable_walk(struct pgtable *pt, uint64_t start, uint64_t end,
		 int (*fn)(uint64_t va, pte_t *e, void *arg), void *arg)
{
	if (!clip(&start, &end)) return 0;
	return walk_node(pt->root, PT_LEVELS - 1, 0, start, end, fn, arg);
}

static int count_one(uint64_t va, pte_t *e, void *arg)
{
	(void)va; (void)e;
	++*(uint64_t *)arg;
	return 0;
}

uint64_t pgtable_count(struct pgtable *pt, uint64_t start, uint64_t end)
{
	uint64_t n = 0;
	pgtable_walk(pt, start, end, count_one, &n);
	return n;
}

/* Prunes n's children that intersect [start, end); true if n itself is now empty. */
static bool prune_node(struct pgtable *pt, struct pt_node *n, int level, uint64_t base,
		       uint64_t start, uint64_t end)
{
	if (level == 0) {
		for (unsigned i = 0; i < PT_FANOUT; i++)
			if (n->pte[i]) return false;
		return true;
	}
	for (unsigned i = first_slot(base, start, level); i < PT_FANOUT; i++) {
		uint64_t va = base + ((uint64_t)i << level_shift(level));
		if (va >= end) break;
		if (n->child[i] && prune_node(pt, n->child[i], level - 1, va, start, end)) {
			node_free(pt, n->child[i]);
			n->child[i] = NULL;
			n->used--;
		}
	}
	return n->used == 0;
}

void pgtable_prune(struct pgtable *pt, uint64_t start, uint64_t end)
{
	/* A node that straddles the range is freed too if it is wholly empty: it holds
	 * nothing outside the range either. */
	if (end > PT_VA_LIMIT) end = PT_VA_LIMIT;
	if (start >= end) return;
	prune_node(pt, pt->root, PT_LEVELS - 1, 0, start, end);	/* the root stays */
}
