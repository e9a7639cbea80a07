/* persona/rbtree.h - a small intrusive red-black tree, header only.
 *
 * Installed next to persona/sched.h so that scheduler plugins, in tree or out of it,
 * can keep ordered run queues (CFS's vruntime order, EDF's deadline order) without
 * a dependency. The node lives inside the caller's structure; the tree never
 * allocates and never compares keys itself: the caller supplies a strict "less"
 * (persona_rb_insert), or walks the tree and names the free slot
 * (persona_rb_insert_at).
 *
 *   struct job { uint64_t key; struct persona_rb_node node; };
 *   static bool job_less(const struct persona_rb_node *a, const struct persona_rb_node *b)
 *   { return persona_rb_entry(a, struct job, node)->key <
 *            persona_rb_entry(b, struct job, node)->key; }
 *   ...
 *   persona_rb_insert(&root, &j->node, job_less);
 *   struct job *first = persona_rb_entry_or_null(persona_rb_first(&root), struct job, node);
 *
 * Equal keys are kept in insertion order (a new node goes after its equals), so a
 * tree keyed by time is FIFO among ties. The leftmost node is cached: first() is
 * O(1); insert and erase are O(log n); next()/prev() are amortised O(1).
 *
 * Augmentation (optional, the *_augmented variants): each node may carry a value
 * computed from itself and its two children (EEVDF keeps the smallest vruntime of
 * a subtree). The caller's `update(node)` recomputes that value from the node and
 * its children; the tree calls it on every node whose subtree changed, children
 * before parents.
 *
 * Invariants (persona_rb_check verifies them, for tests and debug builds): the root
 * is black; a red node has no red child; every path from a node down to a missing
 * child crosses the same number of black nodes; parent links agree with child
 * links; the in-order walk is sorted; `first` is the leftmost node; `count` nodes.
 *
 * Not thread-safe: a tree belongs to one thread (for plugins, the tracer thread). */
#ifndef PERSONA_RBTREE_H
#define PERSONA_RBTREE_H
#include <stdbool.h>
#include <stddef.h>

struct persona_rb_node {
	struct persona_rb_node *parent;		/* NULL at the root; itself when unlinked */
	struct persona_rb_node *child[2];	/* [0] left (smaller), [1] right */
	bool red;
};

struct persona_rb_root {
	struct persona_rb_node *node;		/* the root node, NULL when empty */
	struct persona_rb_node *first;		/* the leftmost node, NULL when empty */
	size_t count;
};

/* a strict weak order: true when a sorts before b */
typedef bool (*persona_rb_less_fn)(const struct persona_rb_node *a, const struct persona_rb_node *b);
/* recomputes n's augmented value from n and n->child[0..1] */
typedef void (*persona_rb_update_fn)(struct persona_rb_node *n);

#define PERSONA_RB_ROOT_INIT { NULL, NULL, 0 }

#define persona_rb_entry(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))
#define persona_rb_entry_or_null(ptr, type, member) __extension__ ({ \
	struct persona_rb_node *persona_rb_p_ = (ptr); \
	persona_rb_p_ ? persona_rb_entry(persona_rb_p_, type, member) : (type *)NULL; })

static inline void persona_rb_root_init(struct persona_rb_root *r)
{
	r->node = r->first = NULL;
	r->count = 0;
}

static inline bool persona_rb_empty(const struct persona_rb_root *r)
{
	return r->node == NULL;
}

/* Marks a node as in no tree (a node erased from a tree is marked the same way). */
static inline void persona_rb_node_clear(struct persona_rb_node *n)
{
	n->parent = n;
	n->child[0] = n->child[1] = NULL;
	n->red = false;
}

/* Whether n is in a tree; only meaningful after persona_rb_node_clear or an erase. */
static inline bool persona_rb_linked(const struct persona_rb_node *n)
{
	return n->parent != n;
}

static inline struct persona_rb_node *persona_rb_first(const struct persona_rb_root *r)
{
	return r->first;
}

/* the extreme node of n's subtree on side dir (0: leftmost, 1: rightmost) */
static inline struct persona_rb_node *persona_rb__extreme(struct persona_rb_node *n, int dir)
{
	while (n->child[dir]) n = n->child[dir];
	return n;
}

static inline struct persona_rb_node *persona_rb_last(const struct persona_rb_root *r)
{
	return r->node ? persona_rb__extreme(r->node, 1) : NULL;
}

/* The in-order neighbour of n on side dir: 1 is the successor, 0 the predecessor. */
static inline struct persona_rb_node *persona_rb__step(const struct persona_rb_node *n, int dir)
{
	if (n->child[dir]) return persona_rb__extreme(n->child[dir], !dir);
	/* climb while n is a dir-side child: the first ancestor reached from its
	 * other side is the neighbour */
	const struct persona_rb_node *p = n->parent;
	while (p && p->child[dir] == n) {
		n = p;
		p = p->parent;
	}
	return (struct persona_rb_node *)p;
}

static inline struct persona_rb_node *persona_rb_next(const struct persona_rb_node *n)
{
	return persona_rb__step(n, 1);
}

static inline struct persona_rb_node *persona_rb_prev(const struct persona_rb_node *n)
{
	return persona_rb__step(n, 0);
}

/* Makes `to` take `from`'s place under from's parent (or as the root). */
static inline void persona_rb__replace(struct persona_rb_root *r, struct persona_rb_node *from,
				       struct persona_rb_node *to)
{
	struct persona_rb_node *p = from->parent;
	if (!p) r->node = to;
	else p->child[p->child[1] == from] = to;
	if (to) to->parent = p;
}

/* Rotation at x towards side dir: x's child on the other side takes x's place and x
 * becomes its dir-side child. Only x and that child have new subtrees, so only they
 * are recomputed (lower one first). */
static inline void persona_rb__rotate(struct persona_rb_root *r, struct persona_rb_node *x, int dir,
				      persona_rb_update_fn update)
{
	struct persona_rb_node *y = x->child[!dir];
	x->child[!dir] = y->child[dir];
	if (y->child[dir]) y->child[dir]->parent = x;
	persona_rb__replace(r, x, y);
	y->child[dir] = x;
	x->parent = y;
	if (update) {
		update(x);
		update(y);
	}
}

/* Recomputes the augmented value of n and of each of its ancestors. */
static inline void persona_rb_propagate(struct persona_rb_node *n, persona_rb_update_fn update)
{
	for (; n; n = n->parent) update(n);
}

/* Restores the colours after a red leaf n was linked. */
static inline void persona_rb__insert_fixup(struct persona_rb_root *r, struct persona_rb_node *n,
					    persona_rb_update_fn update)
{
	struct persona_rb_node *p;
	while ((p = n->parent) && p->red) {
		struct persona_rb_node *g = p->parent;	/* exists: a red node is never the root */
		int side = g->child[1] == p;		/* p's side under g */
		struct persona_rb_node *uncle = g->child[!side];
		if (uncle && uncle->red) {
			/* push the blackness down from g; the problem moves two levels up */
			p->red = uncle->red = false;
			g->red = true;
			n = g;
			continue;
		}
		if (p->child[!side] == n) {
			/* n is the inner grandchild: turn it into the outer one */
			persona_rb__rotate(r, p, side, update);
			n = p;
			p = n->parent;
		}
		/* outer grandchild: p takes g's place and colour */
		persona_rb__rotate(r, g, !side, update);
		p->red = false;
		g->red = true;
		break;
	}
	r->node->red = false;
}

/* Links n as child `dir` of `parent` (parent NULL: the tree is empty) and rebalances.
 * For callers that walk the tree themselves to find the slot, which must be free and
 * keep the order. With `update`, the augmented values are kept. */
static inline void persona_rb_insert_at(struct persona_rb_root *r, struct persona_rb_node *n,
					struct persona_rb_node *parent, int dir,
					persona_rb_update_fn update)
{
	n->parent = parent;
	n->child[0] = n->child[1] = NULL;
	n->red = true;
	if (!parent) r->node = n;
	else parent->child[dir] = n;
	/* the new node is the leftmost exactly when it hangs left of the old leftmost */
	if (!parent || (dir == 0 && parent == r->first)) r->first = n;
	r->count++;
	if (update) persona_rb_propagate(n, update);
	persona_rb__insert_fixup(r, n, update);
}

static inline void persona_rb_insert_augmented(struct persona_rb_root *r, struct persona_rb_node *n,
					       persona_rb_less_fn less, persona_rb_update_fn update)
{
	struct persona_rb_node *parent = NULL, *cur = r->node;
	int dir = 0;
	while (cur) {
		parent = cur;
		dir = !less(n, cur);	/* ties go right: after their equals */
		cur = cur->child[dir];
	}
	persona_rb_insert_at(r, n, parent, dir, update);
}

static inline void persona_rb_insert(struct persona_rb_root *r, struct persona_rb_node *n,
				     persona_rb_less_fn less)
{
	persona_rb_insert_augmented(r, n, less, NULL);
}

/* Restores the black heights after a black node was removed from under xp on side
 * xdir; x (possibly NULL) is what took its place and is one black short. */
static inline void persona_rb__erase_fixup(struct persona_rb_root *r, struct persona_rb_node *x,
					   struct persona_rb_node *xp, int xdir,
					   persona_rb_update_fn update)
{
	while (xp && !(x && x->red)) {
		int d = x ? xp->child[1] == x : xdir;
		struct persona_rb_node *w = xp->child[!d];	/* exists: that side has a black */
		if (w->red) {
			/* red sibling: rotate it above xp so the sibling becomes black */
			w->red = false;
			xp->red = true;
			persona_rb__rotate(r, xp, d, update);
			w = xp->child[!d];
		}
		bool near_red = w->child[d] && w->child[d]->red;
		bool far_red = w->child[!d] && w->child[!d]->red;
		if (!near_red && !far_red) {
			/* take one black off both sides; xp carries the shortage up */
			w->red = true;
			x = xp;
			xp = x->parent;
			continue;
		}
		if (!far_red) {
			/* make the sibling's far child red */
			w->child[d]->red = false;
			w->red = true;
			persona_rb__rotate(r, w, !d, update);
			w = xp->child[!d];
		}
		/* the sibling rises over xp; its red far child pays the missing black */
		w->red = xp->red;
		xp->red = false;
		w->child[!d]->red = false;
		persona_rb__rotate(r, xp, d, update);
		x = r->node;
		break;
	}
	if (x) x->red = false;
}

/* Removes n (which must be in r) and marks it unlinked. With `update`, the augmented
 * values are kept. */
static inline void persona_rb_erase_augmented(struct persona_rb_root *r, struct persona_rb_node *n,
					      persona_rb_update_fn update)
{
	struct persona_rb_node *x, *xp;
	int xdir;
	bool removed_red;
	if (r->first == n) r->first = persona_rb_next(n);
	r->count--;
	if (!n->child[0] || !n->child[1]) {
		/* at most one child: it takes n's place */
		x = n->child[0] ? n->child[0] : n->child[1];
		xp = n->parent;
		xdir = xp ? xp->child[1] == n : 0;
		removed_red = n->red;
		persona_rb__replace(r, n, x);
	} else {
		/* two children: the successor s (no left child) takes n's place and colour;
		 * what goes missing is s's old position */
		struct persona_rb_node *s = persona_rb__extreme(n->child[1], 0);
		removed_red = s->red;
		x = s->child[1];
		if (s->parent == n) {
			xp = s;
			xdir = 1;
		} else {
			xp = s->parent;
			xdir = 0;
			xp->child[0] = x;
			if (x) x->parent = xp;
			s->child[1] = n->child[1];
			s->child[1]->parent = s;
		}
		s->child[0] = n->child[0];
		s->child[0]->parent = s;
		persona_rb__replace(r, n, s);
		s->red = n->red;
	}
	/* every changed subtree lies on the path from xp to the root */
	if (update && xp) persona_rb_propagate(xp, update);
	if (!removed_red) persona_rb__erase_fixup(r, x, xp, xdir, update);
	persona_rb_node_clear(n);
}

static inline void persona_rb_erase(struct persona_rb_root *r, struct persona_rb_node *n)
{
	persona_rb_erase_augmented(r, n, NULL);
}

/* black height of n's subtree, or -1 when an invariant fails below n */
static inline int persona_rb__check_node(const struct persona_rb_node *n,
					 const struct persona_rb_node *parent, size_t *count)
{
	if (!n) return 0;
	if (n->parent != parent) return -1;
	if (n->red && ((n->child[0] && n->child[0]->red) || (n->child[1] && n->child[1]->red)))
		return -1;
	int l = persona_rb__check_node(n->child[0], n, count);
	int rh = persona_rb__check_node(n->child[1], n, count);
	if (l < 0 || rh < 0 || l != rh) return -1;
	++*count;
	return l + !n->red;
}

/* Verifies every invariant listed at the top (the order with `less`, which may be
 * NULL to skip it). Returns the black height (>= 0), or -1. O(n). */
static inline int persona_rb_check(const struct persona_rb_root *r, persona_rb_less_fn less)
{
	size_t count = 0;
	if (r->node && r->node->red) return -1;
	int h = persona_rb__check_node(r->node, NULL, &count);
	if (h < 0 || count != r->count) return -1;
	if (r->first != (r->node ? persona_rb__extreme(r->node, 0) : NULL)) return -1;
	if (less && r->first) {
		const struct persona_rb_node *prev = r->first;
		for (const struct persona_rb_node *n = persona_rb_next(prev); n;
		     prev = n, n = persona_rb_next(n))
			if (less(n, prev)) return -1;
	}
	return h;
}
#endif
