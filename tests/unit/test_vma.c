/* tests/unit/test_vma.c - services/mm/vma: the red-black tree (insert, overlap
 * rejection, lookups, in-order walks both ways, removal), split and merge rules, and
 * a randomized run of mmap/mprotect/munmap-like range operations checked page by page
 * against a reference model, with the red-black invariants checked after each. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "services/mm/memobj.h"
#include "services/mm/vma.h"
#include "tests/unit/unit.h"

#define PG 4096ULL

static struct vma *mk(uint64_t start_pg, uint64_t end_pg, uint32_t prot)
{
	/* anonymous: pgoff is the linear page index, as mmap gives it */
	struct vma *v = vma_new(start_pg * PG, end_pg * PG, prot, 0, NULL, start_pg, NULL);
	ck_assert_ptr_nonnull(v);
	return v;
}

static struct vma *add(struct vma_tree *t, uint64_t start_pg, uint64_t end_pg, uint32_t prot)
{
	struct vma *v = mk(start_pg, end_pg, prot);
	ck_assert_int_eq(vma_insert(t, v), 0);
	return v;
}

START_TEST(empty_tree)
{
	struct vma_tree t;
	vma_tree_init(&t);
	ck_assert_ptr_null(vma_first(&t));
	ck_assert_ptr_null(vma_find(&t, 0));
	ck_assert_ptr_null(vma_find_from(&t, 0));
	ck_assert_int_eq(vma_tree_check(&t), 0);
	vma_tree_clear(&t);
	ck_assert_uint_eq(t.count, 0);
}
END_TEST

START_TEST(insert_find_walk)
{
	struct vma_tree t;
	vma_tree_init(&t);
	/* inserted out of order; gaps between 12..20 and 30..40 */
	struct vma *c = add(&t, 30, 31, PROT_READ);
	struct vma *a = add(&t, 10, 12, PROT_READ);
	struct vma *d = add(&t, 40, 50, PROT_READ);
	struct vma *b = add(&t, 20, 30, PROT_READ);
	ck_assert_uint_eq(t.count, 4);
	ck_assert_int_eq(vma_tree_check(&t), 0);

	ck_assert_ptr_null(vma_find(&t, 10 * PG - 1));
	ck_assert_ptr_eq(vma_find(&t, 10 * PG), a);
	ck_assert_ptr_eq(vma_find(&t, 12 * PG - 1), a);
	ck_assert_ptr_null(vma_find(&t, 12 * PG));		/* end is exclusive */
	ck_assert_ptr_eq(vma_find(&t, 29 * PG + 5), b);
	ck_assert_ptr_eq(vma_find(&t, 30 * PG), c);		/* b and c touch */
	ck_assert_ptr_null(vma_find(&t, 35 * PG));
	ck_assert_ptr_eq(vma_find(&t, 50 * PG - 1), d);
	ck_assert_ptr_null(vma_find(&t, 50 * PG));

	ck_assert_ptr_eq(vma_find_from(&t, 0), a);
	ck_assert_ptr_eq(vma_find_from(&t, 11 * PG), a);	/* contains */
	ck_assert_ptr_eq(vma_find_from(&t, 12 * PG), b);	/* the gap: the next one */
	ck_assert_ptr_eq(vma_find_from(&t, 31 * PG), d);
	ck_assert_ptr_eq(vma_find_from(&t, 49 * PG), d);
	ck_assert_ptr_null(vma_find_from(&t, 50 * PG));

	ck_assert_ptr_eq(vma_first(&t), a);
	ck_assert_ptr_eq(vma_next(a), b);
	ck_assert_ptr_eq(vma_next(b), c);
	ck_assert_ptr_eq(vma_next(c), d);
	ck_assert_ptr_null(vma_next(d));
	ck_assert_ptr_eq(vma_prev(d), c);
	ck_assert_ptr_eq(vma_prev(c), b);
	ck_assert_ptr_eq(vma_prev(b), a);
	ck_assert_ptr_null(vma_prev(a));
	vma_tree_clear(&t);
	ck_assert_ptr_null(t.root);
	ck_assert_uint_eq(t.count, 0);
}
END_TEST

START_TEST(overlap_rejected)
{
	struct vma_tree t;
	vma_tree_init(&t);
	add(&t, 10, 20, PROT_READ);
	add(&t, 30, 40, PROT_READ);
	static const uint64_t bad[][2] = {
		{ 10, 20 }, { 5, 11 }, { 19, 25 }, { 12, 13 }, { 0, 100 }, { 15, 35 }, { 39, 40 },
	};
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct vma *v = mk(bad[i][0], bad[i][1], PROT_READ);
		if (vma_insert(&t, v) != -EEXIST)
			ck_abort_msg("[%llu, %llu) was not rejected", (unsigned long long)bad[i][0],
				     (unsigned long long)bad[i][1]);
		vma_free(v);
	}
	ck_assert_uint_eq(t.count, 2);
	/* touching is not overlapping */
	add(&t, 20, 30, PROT_READ);
	add(&t, 0, 10, PROT_READ);
	add(&t, 40, 41, PROT_READ);
	ck_assert_uint_eq(t.count, 5);
	ck_assert_int_eq(vma_tree_check(&t), 0);
	vma_tree_clear(&t);
}
END_TEST

/* Ascending and descending insertions (the worst cases for an unbalanced tree), then
 * removal of every other one and the rest: the invariants hold at every step and the
 * height stays logarithmic. */
static int height(const struct vma *v)
{
	if (!v) return 0;
	int l = height(v->rb_left), r = height(v->rb_right);
	return 1 + (l > r ? l : r);
}

START_TEST(balanced_insert_remove)
{
	enum { N = 1000 };
	struct vma_tree t;
	struct vma *v[N];
	vma_tree_init(&t);
	for (int i = 0; i < N / 2; i++) {
		v[i] = add(&t, 2 * i, 2 * i + 1, PROT_READ);
		ck_assert_int_eq(vma_tree_check(&t), 0);
	}
	for (int i = N - 1; i >= N / 2; i--) {
		v[i] = add(&t, 2 * i, 2 * i + 1, PROT_READ);
		ck_assert_int_eq(vma_tree_check(&t), 0);
	}
	ck_assert_int_le(height(t.root), 2 * 10);	/* 2 log2(N + 1) */
	int n = 0;
	for (struct vma *x = vma_first(&t); x; x = vma_next(x), n++)
		ck_assert_ptr_eq(x, v[n]);
	ck_assert_int_eq(n, N);
	for (int i = 0; i < N; i += 2) {
		vma_remove(&t, v[i]);
		vma_free(v[i]);
		ck_assert_int_eq(vma_tree_check(&t), 0);
	}
	ck_assert_ptr_null(vma_find(&t, 0));
	ck_assert_ptr_eq(vma_find_from(&t, 0), v[1]);
	for (int i = 1; i < N; i += 2) {
		vma_remove(&t, v[i]);
		vma_free(v[i]);
		ck_assert_int_eq(vma_tree_check(&t), 0);
	}
	ck_assert_ptr_null(t.root);
	ck_assert_uint_eq(t.count, 0);
}
END_TEST

START_TEST(split_halves)
{
	struct vma_tree t;
	struct memobj *o = memobj_anon_shared(64);
	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(o->refcount, 1);
	vma_tree_init(&t);
	struct vma *v = vma_new(10 * PG, 20 * PG, PROT_READ | PROT_WRITE, VM_SHARED, o, 3, "/dev/zero");
	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq(o->refcount, 2);
	v->host_ino = 77; v->host_dev_major = 8; v->host_dev_minor = 1;
	ck_assert_int_eq(vma_insert(&t, v), 0);

	/* bad split points: bounds and unaligned */
	ck_assert_ptr_null(vma_split(&t, v, 10 * PG));
	ck_assert_ptr_null(vma_split(&t, v, 20 * PG));
	ck_assert_ptr_null(vma_split(&t, v, 25 * PG));
	ck_assert_ptr_null(vma_split(&t, v, 14 * PG + 1));
	ck_assert_uint_eq(t.count, 1);
	ck_assert_int_eq(o->refcount, 2);

	struct vma *n = vma_split(&t, v, 14 * PG);
	ck_assert_ptr_nonnull(n);
	ck_assert_uint_eq(t.count, 2);
	ck_assert_int_eq(vma_tree_check(&t), 0);
	ck_assert_uint_eq(v->start, 10 * PG);
	ck_assert_uint_eq(v->end, 14 * PG);
	ck_assert_uint_eq(v->pgoff, 3);
	ck_assert_uint_eq(n->start, 14 * PG);
	ck_assert_uint_eq(n->end, 20 * PG);
	ck_assert_uint_eq(n->pgoff, 3 + 4);
	ck_assert_uint_eq(n->prot, PROT_READ | PROT_WRITE);
	ck_assert_uint_eq(n->flags, VM_SHARED);
	ck_assert_ptr_eq(n->obj, o);
	ck_assert_int_eq(o->refcount, 3);
	ck_assert_str_eq(n->name, "/dev/zero");
	ck_assert_ptr_ne(n->name, v->name);		/* a copy, owned by each */
	ck_assert_uint_eq(n->host_ino, 77);
	ck_assert_uint_eq(n->host_dev_major, 8);
	ck_assert_uint_eq(n->host_dev_minor, 1);
	ck_assert_ptr_eq(vma_find(&t, 13 * PG), v);
	ck_assert_ptr_eq(vma_find(&t, 14 * PG), n);
	ck_assert_ptr_eq(vma_next(v), n);

	/* the halves still make one: merging back restores the original */
	ck_assert(vma_mergeable(v, n));
	struct vma *m = vma_merge_neighbours(&t, n);
	ck_assert_ptr_eq(m, v);
	ck_assert_uint_eq(m->end, 20 * PG);
	ck_assert_uint_eq(m->pgoff, 3);
	ck_assert_uint_eq(t.count, 1);
	ck_assert_int_eq(o->refcount, 2);		/* the absorbed one was freed */
	vma_tree_clear(&t);
	ck_assert_int_eq(o->refcount, 1);
	memobj_put(o);
}
END_TEST

START_TEST(split_anon_names)
{
	struct vma_tree t;
	vma_tree_init(&t);
	struct vma *v = vma_new(0, 8 * PG, PROT_READ, VM_HEAP, NULL, 0, "[heap]");
	ck_assert_int_eq(vma_insert(&t, v), 0);
	struct vma *n = vma_split(&t, v, 2 * PG);
	ck_assert_ptr_nonnull(n);
	ck_assert_ptr_null(n->obj);
	ck_assert_uint_eq(n->pgoff, 2);		/* advanced even though unused */
	ck_assert_str_eq(n->name, "[heap]");
	struct vma *n2 = vma_split(&t, n, 5 * PG);
	ck_assert_uint_eq(n2->pgoff, 5);
	ck_assert_uint_eq(t.count, 3);
	/* freeing one half leaves the others' names intact (ASan sees a double free) */
	vma_remove(&t, n);
	vma_free(n);
	ck_assert_str_eq(v->name, "[heap]");
	ck_assert_str_eq(n2->name, "[heap]");
	ck_assert_int_eq(vma_tree_check(&t), 0);
	vma_tree_clear(&t);
}
END_TEST

START_TEST(merge_rules)
{
	struct vma a = { .start = 0, .end = 4 * PG, .prot = PROT_READ };
	struct vma b = { .start = 4 * PG, .end = 6 * PG, .prot = PROT_READ, .pgoff = 99 };
	ck_assert(!vma_mergeable(&a, &b));		/* anon moved by mremap: index differs */
	b.pgoff = 4;
	ck_assert(vma_mergeable(&a, &b));		/* anon: the linear index continues */
	b.start = 5 * PG;
	ck_assert(!vma_mergeable(&a, &b));		/* a gap */
	b.start = 4 * PG;
	b.prot = PROT_READ | PROT_WRITE;
	ck_assert(!vma_mergeable(&a, &b));
	b.prot = PROT_READ;
	b.flags = VM_LOCKED;
	ck_assert(!vma_mergeable(&a, &b));
	b.flags = 0;
	b.name = "[heap]";
	ck_assert(!vma_mergeable(&a, &b));		/* NULL vs a name */
	a.name = "[heap]";
	ck_assert(vma_mergeable(&a, &b));
	a.name = "[stack]";
	ck_assert(!vma_mergeable(&a, &b));
	a.name = b.name = NULL;

	a.flags = b.flags = VM_SPECIAL;
	ck_assert(!vma_mergeable(&a, &b));		/* never, even if identical */
	a.flags = b.flags = 0;

	/* a host file mapping: pgoff must continue, and the file must be the same */
	a.flags = b.flags = VM_HOST;
	a.pgoff = 10; b.pgoff = 14;
	a.host_ino = b.host_ino = 5;
	ck_assert(vma_mergeable(&a, &b));
	b.pgoff = 15;
	ck_assert(!vma_mergeable(&a, &b));
	b.pgoff = 14;
	b.host_ino = 6;
	ck_assert(!vma_mergeable(&a, &b));
	b.host_ino = 5;
	b.host_dev_minor = 1;
	ck_assert(!vma_mergeable(&a, &b));
	b.host_dev_minor = 0;
	ck_assert(vma_mergeable(&a, &b));
}
END_TEST

START_TEST(merge_neighbours)
{
	struct vma_tree t;
	struct memobj *o = memobj_anon_shared(64), *o2 = memobj_anon_shared(64);
	vma_tree_init(&t);

	/* anon: prev, v and next collapse into one */
	add(&t, 0, 2, PROT_READ);
	struct vma *mid = add(&t, 2, 3, PROT_READ);
	add(&t, 3, 7, PROT_READ);
	struct vma *m = vma_merge_neighbours(&t, mid);
	ck_assert_uint_eq(m->start, 0);
	ck_assert_uint_eq(m->end, 7 * PG);
	ck_assert_uint_eq(t.count, 1);
	ck_assert_int_eq(vma_tree_check(&t), 0);

	/* different prot: nothing merges */
	struct vma *rw = add(&t, 7, 9, PROT_READ | PROT_WRITE);
	ck_assert_ptr_eq(vma_merge_neighbours(&t, rw), rw);
	ck_assert_uint_eq(t.count, 2);

	/* only the next one matches */
	add(&t, 9, 10, PROT_READ | PROT_WRITE);
	ck_assert_ptr_eq(vma_merge_neighbours(&t, rw), rw);
	ck_assert_uint_eq(rw->end, 10 * PG);
	ck_assert_uint_eq(t.count, 2);

	/* objects: contiguous pgoff merges, a discontinuity or another object doesn't */
	struct vma *f1 = vma_new(20 * PG, 22 * PG, PROT_READ, VM_SHARED, o, 0, NULL);
	struct vma *f2 = vma_new(22 * PG, 23 * PG, PROT_READ, VM_SHARED, o, 5, NULL);
	struct vma *f3 = vma_new(23 * PG, 24 * PG, PROT_READ, VM_SHARED, o, 6, NULL);
	struct vma *f4 = vma_new(24 * PG, 25 * PG, PROT_READ, VM_SHARED, o2, 7, NULL);
	ck_assert_int_eq(vma_insert(&t, f1), 0);
	ck_assert_int_eq(vma_insert(&t, f2), 0);
	ck_assert_int_eq(vma_insert(&t, f3), 0);
	ck_assert_int_eq(vma_insert(&t, f4), 0);
	ck_assert_int_eq(o->refcount, 4);
	m = vma_merge_neighbours(&t, f2);
	ck_assert_ptr_eq(m, f2);			/* not into f1 (pgoff 2 != 5) */
	ck_assert_uint_eq(f1->end, 22 * PG);
	ck_assert_uint_eq(f2->end, 24 * PG);		/* f3 absorbed (5 + 1 == 6) */
	ck_assert_uint_eq(f2->pgoff, 5);
	ck_assert_ptr_eq(vma_next(f2), f4);		/* other object stays apart */
	ck_assert_int_eq(o->refcount, 3);
	ck_assert_int_eq(o2->refcount, 2);

	/* VM_SPECIAL: never */
	struct vma *s1 = vma_new(30 * PG, 31 * PG, PROT_READ, VM_SPECIAL, NULL, 0, "[vvar]");
	struct vma *s2 = vma_new(31 * PG, 32 * PG, PROT_READ, VM_SPECIAL, NULL, 0, "[vvar]");
	ck_assert_int_eq(vma_insert(&t, s1), 0);
	ck_assert_int_eq(vma_insert(&t, s2), 0);
	ck_assert_ptr_eq(vma_merge_neighbours(&t, s2), s2);
	ck_assert_ptr_eq(vma_merge_neighbours(&t, s1), s1);
	ck_assert_uint_eq(s1->end, 31 * PG);
	ck_assert_uint_eq(t.count, 7);
	ck_assert_int_eq(vma_tree_check(&t), 0);

	vma_tree_clear(&t);
	ck_assert_int_eq(o->refcount, 1);
	ck_assert_int_eq(o2->refcount, 1);
	memobj_put(o);
	memobj_put(o2);
}
END_TEST

/* ---- randomized model test ----
 *
 * A window of WIN pages; the model says, per page, whether it is mapped and with
 * which prot and backing ("kind", and for backed kinds the page offset). The tree is
 * driven by the same generic range helpers the mm code will need (here in test form):
 * split at the range bounds, then remove, re-protect or insert, then merge. */

enum { WIN = 256, OPS = 6000 };
#define BASE (0x10000ULL * PG)

enum kind { K_NONE, K_ANON, K_HEAP, K_OBJ_A, K_OBJ_B, K_HOST_1, K_HOST_2, K_SPECIAL, K_KINDS };

struct mpage {
	uint8_t kind;
	uint8_t prot;
	uint64_t pgoff;		/* backed kinds */
	unsigned special_id;	/* K_SPECIAL: which mapping */
	bool cut;		/* K_SPECIAL: an operation's bound fell here (split) */
};

static struct mpage model[WIN + 1];	/* [WIN] only carries `cut` */
static struct memobj *obj_a, *obj_b;
static uint64_t rng_state;
static unsigned seed;

static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state % n);
}

static void range_split(struct vma_tree *t, uint64_t s, uint64_t e)
{
	struct vma *v;
	if ((v = vma_find(t, s)) && v->start < s) ck_assert_ptr_nonnull(vma_split(t, v, s));
	if ((v = vma_find(t, e)) && v->start < e) ck_assert_ptr_nonnull(vma_split(t, v, e));
}

static void range_unmap(struct vma_tree *t, uint64_t s, uint64_t e)
{
	range_split(t, s, e);
	for (struct vma *v = vma_find_from(t, s), *n; v && v->start < e; v = n) {
		n = vma_next(v);
		vma_remove(t, v);
		vma_free(v);
	}
}

static void range_protect(struct vma_tree *t, uint64_t s, uint64_t e, uint32_t prot)
{
	struct vma *v;
	range_split(t, s, e);
	for (v = vma_find_from(t, s); v && v->start < e; v = vma_next(v)) v->prot = prot;
	/* Each changed VMA merges with its neighbours; the one starting at e too, since
	 * merge_neighbours takes one neighbour per side and a VMA that absorbed the
	 * last changed one may now also match the piece split off at e. */
	for (v = vma_find_from(t, s); v && v->start <= e; v = vma_next(v))
		v = vma_merge_neighbours(t, v);
}

static void range_map(struct vma_tree *t, uint64_t s, uint64_t e, uint32_t prot, enum kind k,
		      uint64_t pgoff)
{
	static const char *const names[K_KINDS] = {
		[K_HEAP] = "[heap]", [K_OBJ_A] = "/dev/zero", [K_OBJ_B] = "/dev/zero",
		[K_HOST_1] = "/lib/libc.so.6", [K_HOST_2] = "/lib/libc.so.6", [K_SPECIAL] = "[vdso]",
	};
	static const uint32_t flags[K_KINDS] = {
		[K_HEAP] = VM_HEAP, [K_OBJ_A] = VM_SHARED, [K_OBJ_B] = VM_SHARED,
		[K_HOST_1] = VM_HOST, [K_HOST_2] = VM_HOST, [K_SPECIAL] = VM_SPECIAL,
	};
	struct memobj *o = k == K_OBJ_A ? obj_a : k == K_OBJ_B ? obj_b : NULL;
	range_unmap(t, s, e);
	struct vma *v = vma_new(s, e, prot, flags[k], o, pgoff, names[k]);
	ck_assert_ptr_nonnull(v);
	v->host_ino = k == K_HOST_1 ? 1001 : k == K_HOST_2 ? 1002 : 0;
	ck_assert_int_eq(vma_insert(t, v), 0);
	vma_merge_neighbours(t, v);
}

/* every kind's pgoff must continue for a merge (anonymous ones: their linear index) */
static bool backed(enum kind k) { return k != K_NONE && k != K_SPECIAL; }

static enum kind vma_kind(const struct vma *v)
{
	if (v->flags & VM_SPECIAL) return K_SPECIAL;
	if (v->obj) return v->obj == obj_a ? K_OBJ_A : v->obj == obj_b ? K_OBJ_B : K_NONE;
	if (v->flags & VM_HOST) return v->host_ino == 1001 ? K_HOST_1 : v->host_ino == 1002 ? K_HOST_2 : K_NONE;
	return v->flags & VM_HEAP ? K_HEAP : K_ANON;
}

/* Whether model pages i-1 and i belong in one VMA: the model's own merge rule,
 * written independently of vma_mergeable. */
static bool continues(unsigned i)
{
	const struct mpage *a = &model[i - 1], *b = &model[i];
	if (a->kind == K_NONE || a->kind != b->kind || a->prot != b->prot) return false;
	if (backed(a->kind) && b->pgoff != a->pgoff + 1) return false;
	if (a->kind == K_SPECIAL) return a->special_id == b->special_id && !b->cut;
	return true;
}

static void check_against_model(const struct vma_tree *t, int op, const char *what)
{
	unsigned vmas = 0, pages = 0, expect_vmas = 0, expect_pages = 0;
	int refs_a = 1, refs_b = 1;
	if (vma_tree_check(t))
		ck_abort_msg("seed %u op %d (%s): tree invariants broken", seed, op, what);
	for (const struct vma *v = vma_first(t); v; v = vma_next(v)) {
		vmas++;
		refs_a += v->obj == obj_a;
		refs_b += v->obj == obj_b;
		if (v->start < BASE || v->end > BASE + WIN * PG)
			ck_abort_msg("seed %u op %d (%s): VMA outside the window", seed, op, what);
		const struct vma *n = vma_next(v);
		if (n && vma_mergeable(v, n))
			ck_abort_msg("seed %u op %d (%s): [%#llx, %#llx) and the next one were not merged",
				     seed, op, what, (unsigned long long)v->start, (unsigned long long)v->end);
		for (uint64_t a = v->start; a < v->end; a += PG) {
			unsigned i = (unsigned)((a - BASE) / PG);
			const struct mpage *m = &model[i];
			pages++;
			if (m->kind == K_NONE || m->kind != vma_kind(v) || m->prot != v->prot ||
			    (backed(m->kind) && m->pgoff != v->pgoff + (a - v->start) / PG))
				ck_abort_msg("seed %u op %d (%s): page %u: model kind %d prot %d pgoff %llu, "
					     "tree kind %d prot %u pgoff %llu", seed, op, what, i, m->kind,
					     m->prot, (unsigned long long)m->pgoff, vma_kind(v), v->prot,
					     (unsigned long long)(v->pgoff + (a - v->start) / PG));
		}
	}
	for (unsigned i = 0; i < WIN; i++)
		if (model[i].kind != K_NONE) {
			expect_pages++;
			expect_vmas += i == 0 || !continues(i);
		}
	if (pages != expect_pages || vmas != expect_vmas)
		ck_abort_msg("seed %u op %d (%s): tree has %u pages in %u VMAs, model %u in %u",
			     seed, op, what, pages, vmas, expect_pages, expect_vmas);
	if (obj_a->refcount != refs_a || obj_b->refcount != refs_b)
		ck_abort_msg("seed %u op %d (%s): object refcounts %d/%d, expected %d/%d", seed, op, what,
			     obj_a->refcount, obj_b->refcount, refs_a, refs_b);
}

START_TEST(random_ops_match_model)
{
	static const uint32_t prots[] = { PROT_NONE, PROT_READ, PROT_READ | PROT_WRITE, PROT_READ | PROT_EXEC };
	struct vma_tree t;
	const char *env = getenv("VMA_SEED");
	seed = env ? (unsigned)strtoul(env, NULL, 0) : 20240611u;
	rng_state = seed * 2654435761ULL + 1;
	memset(model, 0, sizeof model);
	obj_a = memobj_anon_shared(WIN * 4);
	obj_b = memobj_anon_shared(WIN * 4);
	ck_assert_ptr_nonnull(obj_a);
	ck_assert_ptr_nonnull(obj_b);
	vma_tree_init(&t);

	for (int op = 0; op < OPS; op++) {
		/* mostly short ranges, so neighbours survive and merges are exercised */
		unsigned len = rnd(4) ? 1 + rnd(16) : 1 + rnd(WIN);
		unsigned s = rnd(WIN - len + 1), e = s + len;
		uint32_t prot = prots[rnd(4)];
		unsigned what = rnd(10);
		const char *name;
		model[s].cut = model[e].cut = true;
		if (what < 5) {			/* map */
			enum kind k = (enum kind)(1 + rnd(K_KINDS - 1));
			/* pgoff aligned to the window (neighbouring maps continue each
			 * other), or random (they don't) */
			uint64_t pgoff = rnd(2) ? s : rnd(WIN * 2);
			range_map(&t, BASE + s * PG, BASE + e * PG, prot, k, pgoff);
			for (unsigned i = s; i < e; i++) {
				model[i] = (struct mpage){ .kind = (uint8_t)k, .prot = (uint8_t)prot,
							   .pgoff = pgoff + (i - s), .special_id = (unsigned)op };
			}
			model[s].cut = true;
			name = "map";
		} else if (what < 8) {		/* protect */
			range_protect(&t, BASE + s * PG, BASE + e * PG, prot);
			for (unsigned i = s; i < e; i++)
				if (model[i].kind != K_NONE) model[i].prot = (uint8_t)prot;
			name = "protect";
		} else {			/* unmap */
			range_unmap(&t, BASE + s * PG, BASE + e * PG);
			for (unsigned i = s; i < e; i++) model[i].kind = K_NONE;
			name = "unmap";
		}
		check_against_model(&t, op, name);
	}
	ck_assert_uint_gt(t.count, 0);
	vma_tree_clear(&t);
	ck_assert_int_eq(obj_a->refcount, 1);
	ck_assert_int_eq(obj_b->refcount, 1);
	memobj_put(obj_a);
	memobj_put(obj_b);
}
END_TEST

Suite *vma_suite(void)
{
	Suite *s = suite_create("vma");
	TCase *tc = tcase_create("vma");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, empty_tree);
	tcase_add_test(tc, insert_find_walk);
	tcase_add_test(tc, overlap_rejected);
	tcase_add_test(tc, balanced_insert_remove);
	tcase_add_test(tc, split_halves);
	tcase_add_test(tc, split_anon_names);
	tcase_add_test(tc, merge_rules);
	tcase_add_test(tc, merge_neighbours);
	tcase_add_test(tc, random_ops_match_model);
	suite_add_tcase(s, tc);
	return s;
}
