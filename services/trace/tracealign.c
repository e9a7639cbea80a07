/* services/trace/tracealign.c - LCS of two hash sequences (see tracealign.h) */
#include <stdbool.h>
#include <stdlib.h>
#include "services/trace/tracealign.h"

struct seqs {
	const uint64_t *a, *b;	/* the middle parts */
	long n, m;
	long oa, ob;		/* their offsets in the whole sequences */
	long *ma, *mb;
	long pairs;
};

static void pair(struct seqs *s, long x, long y)
{
	s->ma[s->oa + x] = s->ob + y;
	s->mb[s->ob + y] = s->oa + x;
	s->pairs++;
}

/* hist holds V of step d at hist[d*d + k + d], k = -d..d */
static void backtrack(struct seqs *s, const int32_t *hist, long d)
{
	long x = s->n, y = s->m;
	for (; d > 0; d--) {
		const int32_t *P = hist + (d - 1) * (d - 1) + (d - 1);	/* P[k], k = -(d-1)..d-1 */
		long k = x - y, pk;
		if (k == -d || (k != d && P[k - 1] < P[k + 1])) pk = k + 1;
		else pk = k - 1;
		long px = P[pk], py = px - pk;
		long sx = pk == k + 1 ? px : px + 1;	/* where the snake to (x, y) starts */
		while (x > sx) pair(s, --x, --y);
		x = px;
		y = py;
	}
	while (x > 0 && y > 0) pair(s, --x, --y);
}

/* the furthest point on diagonal k after step d, from step d-1's P */
static long step_x(const int32_t *P, long k, long d)
{
	if (d == 0) return 0;
	if (k == -d || (k != d && P[k - 1] < P[k + 1])) return P[k + 1];
	return P[k - 1] + 1;
}

/* 1: aligned; 0: more than TALIGN_MAX_D differences; -1: out of memory */
static int myers(struct seqs *s)
{
	int32_t *hist = NULL;
	size_t cap = 0;
	for (long d = 0; d <= TALIGN_MAX_D; d++) {
		size_t need = (size_t)(d + 1) * (size_t)(d + 1);
		if (need > cap) {
			size_t nc = cap ? cap * 2 : 1024;
			while (nc < need) nc *= 2;
			int32_t *nh = realloc(hist, nc * sizeof *nh);
			if (!nh) { free(hist); return -1; }
			hist = nh;
			cap = nc;
		}
		int32_t *V = hist + d * d + d;
		const int32_t *P = d ? hist + (d - 1) * (d - 1) + (d - 1) : NULL;
		for (long k = -d; k <= d; k += 2) {
			long x = step_x(P, k, d), y = x - k;
			while (x < s->n && y < s->m && s->a[x] == s->b[y]) x++, y++;
			V[k] = (int32_t)x;
			if (x >= s->n && y >= s->m) {
				backtrack(s, hist, d);
				free(hist);
				return 1;
			}
		}
	}
	free(hist);
	return 0;
}

/* the nearest (p, q) with a[i+p] == b[j+q], p, q <= TALIGN_LOOKAHEAD, p+q smallest */
static bool lookahead(const struct seqs *s, long i, long j, long *pi, long *qj)
{
	for (long sum = 1; sum <= 2 * TALIGN_LOOKAHEAD; sum++)
		for (long p = sum > TALIGN_LOOKAHEAD ? sum - TALIGN_LOOKAHEAD : 0;
		     p <= sum && p <= TALIGN_LOOKAHEAD; p++) {
			long q = sum - p;
			if (i + p < s->n && j + q < s->m && s->a[i + p] == s->b[j + q]) {
				*pi = p;
				*qj = q;
				return true;
			}
		}
	return false;
}

static void greedy(struct seqs *s)
{
	long i = 0, j = 0, p, q;
	while (i < s->n && j < s->m) {
		if (s->a[i] == s->b[j]) {
			pair(s, i++, j++);
		} else if (lookahead(s, i, j, &p, &q)) {
			i += p;
			j += q;
		} else {
			i++;
			j++;
		}
	}
}

long talign(const uint64_t *a, size_t na, const uint64_t *b, size_t nb, long *ma, long *mb)
{
	struct seqs s = { .ma = ma, .mb = mb };
	size_t lo = 0, ea = na, eb = nb;
	for (size_t i = 0; i < na; i++) ma[i] = -1;
	for (size_t j = 0; j < nb; j++) mb[j] = -1;
	for (; lo < na && lo < nb && a[lo] == b[lo]; lo++) ma[lo] = mb[lo] = (long)lo, s.pairs++;
	for (; ea > lo && eb > lo && a[ea - 1] == b[eb - 1]; ea--, eb--)
		ma[ea - 1] = (long)eb - 1, mb[eb - 1] = (long)ea - 1, s.pairs++;
	s.a = a + lo;
	s.b = b + lo;
	s.n = (long)(ea - lo);
	s.m = (long)(eb - lo);
	s.oa = s.ob = (long)lo;
	if (!s.n || !s.m) return s.pairs;
	int rc = myers(&s);
	if (rc < 0) return -1;
	if (!rc) greedy(&s);
	return s.pairs;
}
