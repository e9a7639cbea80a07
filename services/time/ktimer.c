/* services/time/ktimer.c - the timer heap (see ktimer.h). */
#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include "services/time/ktimer.h"
#include "core/irq.h"

static struct ktimer **heap;
static uint32_t nheap, cap;
static uint64_t next_seq;
static uint64_t armed_for;	/* what irq_hrtimer_arm was last told (0: disarmed) */
static unsigned running;	/* inside ktimer_run_expired: arm once at the end */
static unsigned long fired;

uint64_t ktime_mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void ktimer_init(struct ktimer *t, ktimer_fn fn, void *data)
{
	t->expires = 0;
	t->fn = fn;
	t->data = data;
	t->idx = KTIMER_IDLE;
	t->seq = 0;
}

static bool before(const struct ktimer *a, const struct ktimer *b)
{
	return a->expires < b->expires || (a->expires == b->expires && a->seq < b->seq);
}

static void place(struct ktimer *t, uint32_t i)
{
	heap[i] = t;
	t->idx = i;
}

static void sift_up(uint32_t i)
{
	struct ktimer *t = heap[i];
	while (i > 0) {
		uint32_t p = (i - 1) / 2;
		if (!before(t, heap[p])) break;
		place(heap[p], i);
		i = p;
	}
	place(t, i);
}

static void sift_down(uint32_t i)
{
	struct ktimer *t = heap[i];
	for (;;) {
		uint32_t l = 2 * i + 1, r = l + 1, m = i;
		const struct ktimer *best = t;
		if (l < nheap && before(heap[l], best)) { m = l; best = heap[l]; }
		if (r < nheap && before(heap[r], best)) { m = r; }
		if (m == i) break;
		place(heap[m], i);
		i = m;
	}
	place(t, i);
}

/* Keeps the event loop's one-shot timer on the earliest expiry */
static void rearm(void)
{
	if (running) return;
	uint64_t next = ktimer_next_expiry();
	if (next != armed_for) {
		armed_for = next;
		irq_hrtimer_arm(next);
	}
}

static void unlink_at(uint32_t i)
{
	struct ktimer *t = heap[i];
	t->idx = KTIMER_IDLE;
	if (--nheap == i) return;
	place(heap[nheap], i);
	/* the moved timer may belong above or below its new place */
	if (i > 0 && before(heap[i], heap[(i - 1) / 2])) sift_up(i);
	else sift_down(i);
}

int ktimer_mod(struct ktimer *t, uint64_t expires)
{
	int was = ktimer_pending(t);
	if (expires == 0) expires = 1;
	if (was) {
		uint32_t i = t->idx;
		t->expires = expires;
		t->seq = next_seq++;
		if (i > 0 && before(t, heap[(i - 1) / 2])) sift_up(i);
		else sift_down(i);
	} else {
		if (nheap == cap) {
			uint32_t ncap = cap ? cap * 2 : 64;
			struct ktimer **n = realloc(heap, ncap * sizeof *n);
			if (!n) return -ENOMEM;
			heap = n;
			cap = ncap;
		}
		t->expires = expires;
		t->seq = next_seq++;
		place(t, nheap++);
		sift_up(t->idx);
	}
	rearm();
	return was;
}

int ktimer_add(struct ktimer *t, uint64_t expires)
{
	int r = ktimer_mod(t, expires);
	return r < 0 ? r : 0;
}

int ktimer_del(struct ktimer *t)
{
	if (!ktimer_pending(t)) return 0;
	unlink_at(t->idx);
	rearm();
	return 1;
}

uint64_t ktimer_next_expiry(void) { return nheap ? heap[0]->expires : 0; }
unsigned ktimer_count(void) { return nheap; }
unsigned long ktimer_fired(void) { return fired; }

unsigned ktimer_run_expired(uint64_t now)
{
	unsigned n = 0;
	running++;
	while (nheap && heap[0]->expires <= now) {
		struct ktimer *t = heap[0];
		unlink_at(0);
		n++;
		fired++;
		t->fn(t);	/* may add, modify or delete any timer, itself included */
	}
	running--;
	rearm();
	return n;
}

void ktimer_reset(void)
{
	for (uint32_t i = 0; i < nheap; i++) heap[i]->idx = KTIMER_IDLE;
	free(heap);
	heap = NULL;
	nheap = cap = 0;
	next_seq = 0;
	running = 0;
	armed_for = 0;
}
