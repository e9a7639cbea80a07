/* services/mm/vma.c - VMAs and the red-black tree that orders them (see vma.h).
 *
 * A classic red-black tree (CLRS) with parent links and NULL leaves: the links live
 * in struct vma itself, so a VMA is one allocation. Parent links make in-order
 * successor/predecessor O(log n) worst case and O(1) amortised over a full walk, and
 * let removal rebalance bottom-up without a stack. Keys are the start addresses; as
 * VMAs never overlap, ordering by start also orders the ends, which is what lets
 * vma_find_from and the overlap check look at a single root-to-leaf path. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "services/mm/vma.h"

#define VMA_PAGE 4096ULL

void vma_tree_init(struct vma_tree *t) { t->root = NULL; t->count = 0; }

struct vma *vma_new(uint64_t start, uint64_t end, uint32_t prot, uint32_t flags,
		    struct memobj *obj, uint64_t pgoff, const char *name)
{
	struct vma *v = calloc(1, sizeof *v);
	if (!v) return NULL;
	if (name && !(v->name = strdup(name))) { free(v); return NULL; }
	v->start = start; v->end = end;
	v->prot = prot; v->flags = flags;
	v->obj = memobj_get(obj);
	v->pgoff = pgoff;
	return v;
}

void vma_free(struct vma *v)
{
	if (!v) return;
	memobj_put(v->obj);
	free(v->name);
	free(v);
}

/* ---- red-black tree mechanics ---- */

static bool is_red(const struct vma *v) { return v && v->rb_red; }

/* Makes `new` take old's place under old's parent (or as the root). */
static void replace_child(struct vma_tree *t, struct vma *old, struct vma *new)
{
	struct vma *p = old->rb_parent;
	if (!p) t->root = new;
	else if (p->rb_left == old) p->rb_left = new;
	else p->rb_right = new;
}

static void rotate_left(struct vma_tree *t, struct vma *x)
{
	struct vma *y = x->rb_right;
	x->rb_right = y->rb_left;
	if (y->rb_left) y->rb_left->rb_parent = x;
	replace_child(t, x, y);
	y->rb_parent = x->rb_parent;
	y->rb_left = x;
	x->rb_parent = y;
}

static void rotate_right(struct vma_tree *t, struct vma *x)
{
	struct vma *y = x->rb_left;
	x->rb_left = y->rb_right;
	if (y->rb_right) y->rb_right->rb_parent = x;
	replace_child(t, x, y);
	y->rb_parent = x->rb_parent;
	y->rb_right = x;
	x->rb_parent = y;
}

static void insert_fixup(struct vma_tree *t, struct vma *z)
{
	struct vma *p, *g, *u;
	while ((p = z->rb_parent) && p->rb_red) {
		g = p->rb_parent;	/* exists: a red node is never the root */
		if (p == g->rb_left) {
			u = g->rb_right;
			if (is_red(u)) {	/* recolour and move the problem up */
				p->rb_red = u->rb_red = 0; g->rb_red = 1; z = g;
				continue;
			}
			if (z == p->rb_right) { rotate_left(t, p); z = p; p = z->rb_parent; }
			p->rb_red = 0; g->rb_red = 1;
			rotate_right(t, g);
		} else {
			u = g->rb_left;
			if (is_red(u)) {
				p->rb_red = u->rb_red = 0; g->rb_red = 1; z = g;
				continue;
			}
			if (z == p->rb_left) { rotate_right(t, p); z = p; p = z->rb_parent; }
			p->rb_red = 0; g->rb_red = 1;
			rotate_left(t, g);
		}
	}
	t->root->rb_red = 0;
}

int vma_insert(struct vma_tree *t, struct vma *v)
{
	struct vma **link = &t->root, *parent = NULL;
	if (v->start >= v->end) return -EINVAL;	/* an empty VMA would break find */
	/* Any VMA that overlaps v overlaps its in-order predecessor or successor, and
	 * both lie on this path, so checking the path is enough. */
	while (*link) {
		parent = *link;
		if (v->start < parent->end && parent->start < v->end) return -EEXIST;
		link = v->start < parent->start ? &parent->rb_left : &parent->rb_right;
	}
	v->rb_parent = parent;
	v->rb_left = v->rb_right = NULL;
	v->rb_red = 1;
	*link = v;
	t->count++;
	insert_fixup(t, v);
	return 0;
}

/* Restores the black heights after a black node was unlinked above x (x may be NULL,
 * hence its parent is passed separately). */
static void remove_fixup(struct vma_tree *t, struct vma *x, struct vma *parent)
{
	struct vma *w;
	while (x != t->root && !is_red(x)) {
		if (x == parent->rb_left) {
			w = parent->rb_right;	/* non-NULL: x's side is one black short */
			if (w->rb_red) {
				w->rb_red = 0; parent->rb_red = 1;
				rotate_left(t, parent);
				w = parent->rb_right;
			}
			if (!is_red(w->rb_left) && !is_red(w->rb_right)) {
				w->rb_red = 1;
				x = parent; parent = x->rb_parent;
			} else {
				if (!is_red(w->rb_right)) {
					w->rb_left->rb_red = 0; w->rb_red = 1;
					rotate_right(t, w);
					w = parent->rb_right;
				}
				w->rb_red = parent->rb_red; parent->rb_red = 0;
				w->rb_right->rb_red = 0;
				rotate_left(t, parent);
				x = t->root;
			}
		} else {
			w = parent->rb_left;
			if (w->rb_red) {
				w->rb_red = 0; parent->rb_red = 1;
				rotate_right(t, parent);
				w = parent->rb_left;
			}
			if (!is_red(w->rb_left) && !is_red(w->rb_right)) {
				w->rb_red = 1;
				x = parent; parent = x->rb_parent;
			} else {
				if (!is_red(w->rb_left)) {
					w->rb_right->rb_red = 0; w->rb_red = 1;
					rotate_left(t, w);
					w = parent->rb_left;
				}
				w->rb_red = parent->rb_red; parent->rb_red = 0;
				w->rb_left->rb_red = 0;
				rotate_right(t, parent);
				x = t->root;
			}
		}
	}
	if (x) x->rb_red = 0;
}

/* Puts subtree root `new` (may be NULL) where `old` was. */
static void transplant(struct vma_tree *t, struct vma *old, struct vma *new)
{
	replace_child(t, old, new);
	if (new) new->rb_parent = old->rb_parent;
}

static struct vma *leftmost(struct vma *v)
{
	while (v->rb_left) v = v->rb_left;
	return v;
}

void vma_remove(struct vma_tree *t, struct vma *z)
{
	struct vma *x, *parent;
	int black_removed;
	if (!z->rb_left || !z->rb_right) {
		x = z->rb_left ? z->rb_left : z->rb_right;
		parent = z->rb_parent;
		black_removed = !z->rb_red;
		transplant(t, z, x);
	} else {
		/* Two children: z's successor y (no left child) takes z's place and colour;
		 * the colour lost is y's, at y's old position. */
		struct vma *y = leftmost(z->rb_right);
		black_removed = !y->rb_red;
		x = y->rb_right;
		if (y->rb_parent == z) {
			parent = y;
		} else {
			parent = y->rb_parent;
			transplant(t, y, x);
			y->rb_right = z->rb_right;
			y->rb_right->rb_parent = y;
		}
		transplant(t, z, y);
		y->rb_left = z->rb_left;
		y->rb_left->rb_parent = y;
		y->rb_red = z->rb_red;
	}
	t->count--;
	z->rb_parent = z->rb_left = z->rb_right = NULL;
	z->rb_red = 0;
	if (black_removed) remove_fixup(t, x, parent);
}

/* ---- lookup and iteration ---- */

struct vma *vma_find(const struct vma_tree *t, uint64_t addr)
{
	struct vma *n = t->root;
	while (n) {
		if (addr < n->start) n = n->rb_left;
		else if (addr >= n->end) n = n->rb_right;
		else return n;
	}
	return NULL;
}

struct vma *vma_find_from(const struct vma_tree *t, uint64_t addr)
{
	struct vma *n = t->root, *best = NULL;
	while (n) {
		if (n->end > addr) { best = n; n = n->rb_left; }	/* maybe a lower one */
		else n = n->rb_right;
	}
	return best;
}

struct vma *vma_first(const struct vma_tree *t) { return t->root ? leftmost(t->root) : NULL; }

struct vma *vma_next(const struct vma *v)
{
	if (v->rb_right) return leftmost(v->rb_right);
	/* Up until we arrive from a left child: that parent is the next one. */
	while (v->rb_parent && v == v->rb_parent->rb_right) v = v->rb_parent;
	return v->rb_parent;
}

struct vma *vma_prev(const struct vma *v)
{
	if (v->rb_left) {
		v = v->rb_left;
		while (v->rb_right) v = v->rb_right;
		return (struct vma *)v;
	}
	while (v->rb_parent && v == v->rb_parent->rb_left) v = v->rb_parent;
	return v->rb_parent;
}

/* ---- split and merge ---- */

struct vma *vma_split(struct vma_tree *t, struct vma *v, uint64_t addr)
{
	struct vma *n;
	if (addr <= v->start || addr >= v->end || (addr & (VMA_PAGE - 1))) return NULL;
	/* pgoff advances for anonymous VMAs too: it is their linear page index. */
	n = vma_new(addr, v->end, v->prot, v->flags, v->obj,
		    v->pgoff + (addr - v->start) / VMA_PAGE, v->name);
	if (!n) return NULL;
	n->host_ino = v->host_ino;
	n->host_dev_major = v->host_dev_major;
	n->host_dev_minor = v->host_dev_minor;
	v->end = addr;		/* v keeps its start, so its place in the tree holds */
	vma_insert(t, n);	/* cannot fail: [addr, end) was v's */
	return n;
}

static bool same_name(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

bool vma_mergeable(const struct vma *a, const struct vma *b)
{
	if (a->end != b->start) return false;
	if ((a->flags | b->flags) & VM_SPECIAL) return false;
	if (a->prot != b->prot || a->flags != b->flags || a->obj != b->obj) return false;
	if (!same_name(a->name, b->name)) return false;
	if (a->host_ino != b->host_ino || a->host_dev_major != b->host_dev_major ||
	    a->host_dev_minor != b->host_dev_minor)
		return false;
	/* The pages must continue: of the object or file, and for anonymous memory of
	 * its linear index (pgoff is the address at mmap, kept when mremap moves it), so
	 * a moved VMA does not merge with its new neighbours, as in Linux. */
	if (b->pgoff != a->pgoff + vma_pages(a)) return false;
	return true;
}

struct vma *vma_merge_neighbours(struct vma_tree *t, struct vma *v)
{
	struct vma *p = vma_prev(v), *n;
	if (p && vma_mergeable(p, v)) {
		/* The lower VMA survives: its start (the key) and pgoff stay valid. */
		vma_remove(t, v);
		p->end = v->end;
		vma_free(v);
		v = p;
	}
	n = vma_next(v);
	if (n && vma_mergeable(v, n)) {
		vma_remove(t, n);
		v->end = n->end;
		vma_free(n);
	}
	return v;
}

void vma_tree_clear(struct vma_tree *t)
{
	/* Post-order by parent links: descend to a leaf, free it, climb. No stack, no
	 * rebalancing (the tree is discarded). */
	struct vma *v = t->root;
	while (v) {
		if (v->rb_left) { v = v->rb_left; continue; }
		if (v->rb_right) { v = v->rb_right; continue; }
		struct vma *p = v->rb_parent;
		if (p) {
			if (p->rb_left == v) p->rb_left = NULL;
			else p->rb_right = NULL;
		}
		v->rb_parent = NULL;
		vma_free(v);
		v = p;
	}
	t->root = NULL;
	t->count = 0;
}

/* ---- invariants (tests) ---- */

/* Black height of the subtree at v (NULL leaves count 1), or -1 on a violation. */
static int check_node(const struct vma *v, const struct vma *parent)
{
	int l, r;
	if (!v) return 1;
	if (v->rb_parent != parent) {
		fprintf(stderr, "vma_tree_check: bad parent link at %#llx\n", (unsigned long long)v->start);
		return -1;
	}
	if (v->rb_red && (is_red(v->rb_left) || is_red(v->rb_right))) {
		fprintf(stderr, "vma_tree_check: red-red at %#llx\n", (unsigned long long)v->start);
		return -1;
	}
	if ((l = check_node(v->rb_left, v)) < 0 || (r = check_node(v->rb_right, v)) < 0) return -1;
	if (l != r) {
		fprintf(stderr, "vma_tree_check: black heights %d != %d at %#llx\n", l, r,
			(unsigned long long)v->start);
		return -1;
	}
	return l + !v->rb_red;
}

int vma_tree_check(const struct vma_tree *t)
{
	const struct vma *v, *prev = NULL;
	unsigned n = 0;
	if (is_red(t->root)) { fprintf(stderr, "vma_tree_check: red root\n"); return -1; }
	if (check_node(t->root, NULL) < 0) return -1;
	/* The in-order walk also exercises vma_next/vma_prev against each other. */
	for (v = vma_first(t); v; prev = v, v = vma_next(v), n++) {
		if (v->start >= v->end || ((v->start | v->end) & (VMA_PAGE - 1))) {
			fprintf(stderr, "vma_tree_check: bad range [%#llx, %#llx)\n",
				(unsigned long long)v->start, (unsigned long long)v->end);
			return -1;
		}
		if (prev && prev->end > v->start) {
			fprintf(stderr, "vma_tree_check: [%#llx, %#llx) overlaps or precedes [%#llx, %#llx)\n",
				(unsigned long long)prev->start, (unsigned long long)prev->end,
				(unsigned long long)v->start, (unsigned long long)v->end);
			return -1;
		}
		if (vma_prev(v) != prev) {
			fprintf(stderr, "vma_tree_check: prev of %#llx is wrong\n", (unsigned long long)v->start);
			return -1;
		}
		if (n > t->count) break;	/* a cycle; reported below */
	}
	if (n != t->count) {
		fprintf(stderr, "vma_tree_check: %u VMAs in the tree, count says %u\n", n, t->count);
		return -1;
	}
	return 0;
}
