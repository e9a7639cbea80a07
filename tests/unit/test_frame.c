/* tests/unit/test_frame.c - services/mm/frame: the pool (memfd, direct map, reinit),
 * allocation and freeing at every order, alignment, split_page refcounts, coalescing
 * back to max-order blocks, PG_ZERO and zeroing (checked through a separate mapping of
 * the memfd), exhaustion, claiming exact ranges, a pool that is not a multiple of the
 * max block, a large pool costing nothing until used, frame_check catching corruption;
 * and randomized runs checked against a bitmap model. */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <linux/perf_event.h>
#include <sys/stat.h>
#include <unistd.h>
#include "services/mm/frame.h"
#include "tests/unit/unit.h"

#define MAX_BLOCK	(1u << FRAME_MAX_ORDER)
#define MiB		(1024ul * 1024)

/* An assertion without Check's per-call bookkeeping (a write each), for hot loops. */
#define REQUIRE(cond) do { if (!(cond)) ck_abort_msg("Assertion '%s' failed", #cond); } while (0)

static void teardown(void) { frame_pool_shutdown(); }

/* For tests that provoke frame_check's or log_bug's messages (each test runs in its
 * own process). */
static void quiet(void)
{
	int fd = open("/dev/null", O_WRONLY);
	ck_assert_int_ge(fd, 0);
	dup2(fd, STDERR_FILENO);
	close(fd);
}

static void pool(uint64_t frames) { ck_assert_int_eq(frame_pool_init(frames * PAGE_SIZE), 0); }

static struct frame_stats stats(void)
{
	struct frame_stats st;
	frame_stats(&st);
	return st;
}

static bool all_bytes(const void *p, unsigned char c, size_t n)
{
	const unsigned char *b = p;
	return b[0] == c && memcmp(b, b + 1, n - 1) == 0;	/* each byte equals the next */
}

/* The frame read through its own mapping of the memfd, not the direct map. */
static unsigned char *map_frame(pfn_t pfn)
{
	void *p = mmap(NULL, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, frame_pool_fd(), frame_offset(pfn));
	ck_assert_ptr_ne(p, MAP_FAILED);
	return p;
}

/* After everything is freed, only max-order blocks (plus the pool's tail) are listed. */
static void assert_all_free(void)
{
	struct frame_stats st = stats();
	ck_assert_int_eq(frame_check(), 0);
	ck_assert_uint_eq(st.used, 0);
	ck_assert_uint_eq(st.free, st.total);
	ck_assert_uint_eq(st.allocs, st.frees);
}

START_TEST(pool_init_and_shutdown)
{
	ck_assert_int_eq(frame_pool_fd(), -1);
	ck_assert_int_eq(frame_pool_init(PAGE_SIZE - 1), -EINVAL);
	ck_assert_int_eq(frame_pool_init(5 * PAGE_SIZE + 123), 0);	/* rounded down */
	ck_assert_uint_eq(frame_pool_frames(), 5);
	ck_assert_int_eq(frame_pool_init(PAGE_SIZE), -EBUSY);
	int fd = frame_pool_fd();
	struct stat sb;
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fstat(fd, &sb), 0);
	ck_assert_int_eq(sb.st_size, 5 * PAGE_SIZE);
	ck_assert_int_eq(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);	/* guests inherit it */
	char link[64], target[64] = "";
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	ck_assert_int_gt(readlink(link, target, sizeof target - 1), 0);
	ck_assert_str_eq(target, "/memfd:persona-frames (deleted)");
	struct frame_stats st = stats();
	ck_assert_uint_eq(st.total, 5);
	ck_assert_uint_eq(st.free, 5);
	ck_assert_int_eq(frame_check(), 0);
	ck_assert_uint_eq(frame_alloc(0, false), 0);

	frame_pool_shutdown();
	ck_assert_int_eq(frame_pool_fd(), -1);
	ck_assert_int_eq(fcntl(fd, F_GETFD), -1);		/* closed */
	ck_assert_uint_eq(frame_pool_frames(), 0);
	frame_pool_shutdown();					/* harmless twice */
	for (int i = 0; i < 20; i++) {		/* a new pool each time, with fresh state */
		pool(64 + i);
		ck_assert_uint_eq(stats().allocs, 0);
		ck_assert_uint_eq(frame_alloc(0, false), 0);
		ck_assert_uint_eq(frame_alloc(3, false), 8);
		ck_assert_int_eq(frame_check(), 0);
		frame_pool_shutdown();
	}
}
END_TEST

/* Each order: aligned, every frame independent (refcount 1, no allocator flags), and
 * each frame can be freed on its own; the pool is whole again afterwards. */
START_TEST(alloc_free_every_order)
{
	pool(4 * MAX_BLOCK);
	pfn_t hold = frame_alloc(0, false);	/* so blocks are not all at pfn 0 */
	for (unsigned order = 0; order <= FRAME_MAX_ORDER; order++) {
		pfn_t p = frame_alloc(order, false);
		ck_assert_uint_ne(p, FRAME_NONE);
		ck_assert_uint_eq(p & ((1u << order) - 1), 0);
		ck_assert_uint_eq(stats().used, 1 + (1u << order));
		for (unsigned i = 0; i < 1u << order; i++) {
			struct page *pg = frame_page(p + i);
			ck_assert_uint_eq(pg->refcount, 1);
			ck_assert_uint_eq(pg->mapcount, 0);
			ck_assert_uint_eq(pg->flags & ~PG_ZERO, 0);
		}
		ck_assert_int_eq(frame_check(), 0);
		for (unsigned i = 0; i < 1u << order; i += 2)	/* evens, then odds */
			ck_assert(frame_put(p + i));
		ck_assert_int_eq(frame_check(), 0);
		for (unsigned i = 1; i < 1u << order; i += 2)
			ck_assert(frame_put(p + i));
		ck_assert_int_eq(frame_check(), 0);
		ck_assert_uint_eq(stats().used, 1);
	}
	ck_assert(frame_put(hold));
	assert_all_free();
	struct frame_stats st = stats();
	for (unsigned o = 0; o < FRAME_MAX_ORDER; o++) ck_assert_uint_eq(st.free_blocks[o], 0);
	ck_assert_uint_eq(st.free_blocks[FRAME_MAX_ORDER], 2);	/* carved lazily: 2 of 4 */
	ck_assert_uint_eq(st.allocs, 1 + (2 * MAX_BLOCK - 1));
}
END_TEST

/* As Linux's expand(): the lower half is returned, the upper halves are listed; the
 * next allocations take the smallest listed block that fits. */
START_TEST(split_lower_half)
{
	pool(2 * MAX_BLOCK);
	ck_assert_uint_eq(frame_alloc(0, false), 0);
	struct frame_stats st = stats();
	for (unsigned o = 0; o < FRAME_MAX_ORDER; o++) ck_assert_uint_eq(st.free_blocks[o], 1);
	ck_assert_uint_eq(st.free_blocks[FRAME_MAX_ORDER], 0);	/* the second is not carved */
	ck_assert_uint_eq(frame_alloc(0, false), 1);
	ck_assert_uint_eq(frame_alloc(2, false), 4);
	ck_assert_uint_eq(frame_alloc(1, false), 2);
	ck_assert_uint_eq(frame_alloc(9, false), 512);
	ck_assert_uint_eq(frame_alloc(9, false), MAX_BLOCK);	/* carves the second */
	ck_assert_uint_eq(stats().free_blocks[9], 1);
	ck_assert_int_eq(frame_check(), 0);
}
END_TEST

/* Blocks of mixed orders freed in a shuffled order frame by frame coalesce back into
 * max-order blocks. */
START_TEST(coalesce_back_to_max_order)
{
	enum { BLOCKS = 4 };
	pool(BLOCKS * MAX_BLOCK);
	static pfn_t held[BLOCKS * MAX_BLOCK];
	unsigned n = 0, order = 0;
	srandom(7);
	for (;;) {		/* fill the pool with blocks of orders 0,1,...,10,0,1,... */
		pfn_t p = frame_alloc(order, false);
		if (p == FRAME_NONE) {
			if (order == 0) break;
			order = 0;
			continue;
		}
		for (unsigned i = 0; i < 1u << order; i++) held[n++] = p + i;
		order = (order + 1) % (FRAME_MAX_ORDER + 1);
	}
	ck_assert_uint_eq(n, BLOCKS * MAX_BLOCK);
	ck_assert_uint_eq(stats().free, 0);
	ck_assert_uint_eq(frame_alloc(0, false), FRAME_NONE);
	for (unsigned i = n - 1; i > 0; i--) {	/* shuffle */
		unsigned j = random() % (i + 1);
		pfn_t t = held[i]; held[i] = held[j]; held[j] = t;
	}
	for (unsigned i = 0; i < n; i++) {
		ck_assert(frame_put(held[i]));
		if (i % 256 == 0) ck_assert_int_eq(frame_check(), 0);
	}
	assert_all_free();
	struct frame_stats st = stats();
	for (unsigned o = 0; o < FRAME_MAX_ORDER; o++) ck_assert_uint_eq(st.free_blocks[o], 0);
	ck_assert_uint_eq(st.free_blocks[FRAME_MAX_ORDER], BLOCKS);
	ck_assert_uint_eq(st.peak_used, BLOCKS * MAX_BLOCK);
}
END_TEST

START_TEST(refcounts)
{
	pool(64);
	pfn_t p = frame_alloc(0, false);
	frame_get(p);
	ck_assert_uint_eq(frame_page(p)->refcount, 2);
	ck_assert(!frame_put(p));
	ck_assert_uint_eq(frame_page(p)->refcount, 1);
	ck_assert_uint_eq(stats().used, 1);
	ck_assert_int_eq(frame_check(), 0);
	ck_assert(frame_put(p));
	ck_assert_uint_eq(frame_page(p)->refcount, 0);
	ck_assert(frame_page(p)->flags & PG_FREE);
	assert_all_free();
	ck_assert_uint_eq(stats().free_blocks[6], 1);
}
END_TEST

/* Putting a free frame is a supervisor bug: it aborts rather than corrupt the lists. */
START_TEST(put_free_frame_aborts)
{
	pool(64);
	pfn_t p = frame_alloc(0, false);
	frame_put(p);
	quiet();
	frame_put(p);
}
END_TEST

/* Never-used frames come PG_ZERO; a freed frame is no longer known zero, and zero=true
 * clears it through the direct map, which is the memfd itself. */
START_TEST(zeroing_through_direct_map)
{
	pool(2 * MAX_BLOCK);
	pfn_t p = frame_alloc(0, false);
	ck_assert_uint_eq(p, 0);
	ck_assert(frame_page(p)->flags & PG_ZERO);	/* never used */
	unsigned char *va = frame_to_virt(p), *alias = map_frame(p);
	ck_assert(all_bytes(va, 0, PAGE_SIZE));
	memset(va, 0xa5, PAGE_SIZE);
	ck_assert(all_bytes(alias, 0xa5, PAGE_SIZE));	/* the direct map is the memfd */
	alias[100] = 0x5a;
	ck_assert_uint_eq(va[100], 0x5a);
	ck_assert(frame_put(p));
	ck_assert(!(frame_page(p)->flags & PG_ZERO));

	p = frame_alloc(0, false);	/* recycled, not cleared */
	ck_assert_uint_eq(p, 0);
	ck_assert(!(frame_page(p)->flags & PG_ZERO));
	ck_assert_uint_eq(va[0], 0xa5);
	ck_assert_uint_eq(stats().zeroed, 0);
	ck_assert(frame_put(p));

	p = frame_alloc(1, true);	/* frame 0 is cleared, frame 1 was zero */
	ck_assert_uint_eq(p, 0);
	ck_assert_uint_eq(stats().zeroed, 1);
	ck_assert(frame_page(0)->flags & PG_ZERO);
	ck_assert(frame_page(1)->flags & PG_ZERO);
	ck_assert(all_bytes(va, 0, PAGE_SIZE));
	ck_assert(all_bytes(alias, 0, PAGE_SIZE));
	munmap(alias, PAGE_SIZE);
	ck_assert_int_eq(frame_check(), 0);
}
END_TEST

/* Every frame of a zero=true block reads zero whatever was written before, through a
 * separate mapping of the memfd too. */
START_TEST(zeroing_large_block)
{
	pool(2 * MAX_BLOCK);
	pfn_t p = frame_alloc(4, false);
	for (unsigned i = 0; i < 16; i += 3) memset(frame_to_virt(p + i), 0x11 + i, PAGE_SIZE);
	for (unsigned i = 0; i < 16; i++) frame_put(p + i);
	ck_assert_uint_eq(frame_alloc(5, true), p);
	ck_assert_uint_eq(stats().zeroed, 16);	/* each freed frame, used or not */
	for (unsigned i = 0; i < 32; i++) {
		unsigned char *alias = map_frame(p + i);
		ck_assert(all_bytes(frame_to_virt(p + i), 0, PAGE_SIZE));
		ck_assert(all_bytes(alias, 0, PAGE_SIZE));
		munmap(alias, PAGE_SIZE);
	}
}
END_TEST

START_TEST(virt_frame_translation)
{
	pool(3 * MAX_BLOCK + 5);
	pfn_t last = (pfn_t)frame_pool_frames() - 1;
	pfn_t probes[] = { 0, 1, 1023, 1024, last };
	for (unsigned i = 0; i < sizeof probes / sizeof *probes; i++) {
		char *va = frame_to_virt(probes[i]);
		ck_assert_uint_eq(virt_to_frame(va), probes[i]);
		ck_assert_uint_eq(virt_to_frame(va + PAGE_SIZE - 1), probes[i]);	/* __pa of any byte */
		ck_assert_ptr_eq((char *)frame_to_virt(0) + frame_offset(probes[i]), va);
	}
	ck_assert_uint_eq(virt_to_frame((char *)frame_to_virt(last) + PAGE_SIZE), FRAME_NONE);
	ck_assert_uint_eq(virt_to_frame((char *)frame_to_virt(0) - 1), FRAME_NONE);
	ck_assert_uint_eq(virt_to_frame(&last), FRAME_NONE);
	/* the last frame is usable through the direct map */
	ck_assert_int_eq(frame_alloc_range(last, 1, true), 0);
	memset(frame_to_virt(last), 1, PAGE_SIZE);
}
END_TEST

START_TEST(exhaustion)
{
	pool(64);
	ck_assert_uint_eq(frame_alloc(7, false), FRAME_NONE);	/* larger than the pool */
	ck_assert_uint_eq(frame_alloc(FRAME_MAX_ORDER + 1, false), FRAME_NONE);
	pfn_t all = frame_alloc(6, false);
	ck_assert_uint_eq(all, 0);
	ck_assert_uint_eq(frame_alloc(0, false), FRAME_NONE);
	ck_assert_uint_eq(stats().free, 0);
	ck_assert(frame_put(17));
	ck_assert_uint_eq(frame_alloc(1, false), FRAME_NONE);	/* 16 is still in use */
	ck_assert_uint_eq(frame_alloc(0, false), 17);
	ck_assert_uint_eq(frame_alloc(0, false), FRAME_NONE);
	for (unsigned i = 0; i < 64; i++) frame_put(i);
	assert_all_free();
	ck_assert_uint_eq(stats().free_blocks[6], 1);
	for (unsigned i = 0; i < 64; i++) ck_assert_uint_eq(frame_alloc(0, false), i);
	ck_assert_uint_eq(frame_alloc(0, false), FRAME_NONE);
	ck_assert_int_eq(frame_check(), 0);
}
END_TEST

/* A range is claimed exactly, the rest of its blocks staying free; frames above the
 * mark count as free. */
START_TEST(alloc_range_claims_exactly)
{
	pool(4 * MAX_BLOCK);
	ck_assert_int_eq(frame_alloc_range(1500, 37, true), 0);	/* above the mark */
	struct frame_stats st = stats();
	ck_assert_uint_eq(st.used, 37);
	ck_assert_uint_eq(st.allocs, 37);
	ck_assert_int_eq(frame_check(), 0);
	for (pfn_t p = 1490; p < 1550; p++) {
		bool in = p >= 1500 && p < 1537;
		ck_assert_uint_eq(frame_page(p)->refcount, in);
		ck_assert_uint_eq(!!(frame_page(p)->flags & PG_FREE), !in);
		if (in) ck_assert_uint_eq(frame_page(p)->flags, PG_ZERO);
	}
	/* the rest of the pool is still allocatable: 4096 - 37 single frames */
	unsigned n = 0;
	while (frame_alloc(0, false) != FRAME_NONE) n++;
	ck_assert_uint_eq(n, 4 * MAX_BLOCK - 37);
	ck_assert_int_eq(frame_check(), 0);
}
END_TEST

/* The use it is for: frames right after a held block, so the mappings are contiguous. */
START_TEST(alloc_range_extends_a_block)
{
	pool(2 * MAX_BLOCK);
	pfn_t p = frame_alloc(2, false);
	ck_assert_uint_eq(p, 0);
	memset(frame_to_virt(p), 0x33, 4 * PAGE_SIZE);
	ck_assert_int_eq(frame_alloc_range(p + 4, 4, false), 0);
	ck_assert_int_eq(frame_alloc_range(p + 8, 1000, false), 0);
	ck_assert_int_eq(frame_alloc_range(p + 1008, 100, false), 0);	/* across two max blocks */
	ck_assert_uint_eq(stats().used, 1108);
	ck_assert_int_eq(frame_check(), 0);
	for (pfn_t i = 0; i < 1108; i++) ck_assert(frame_put(i));
	/* recycled frames 0-3 are not known zero; zero=true clears them */
	ck_assert_int_eq(frame_alloc_range(2, 4, true), 0);
	ck_assert_uint_eq(stats().zeroed, 4);
	ck_assert(all_bytes(frame_to_virt(2), 0, 4 * PAGE_SIZE));
	ck_assert_uint_eq(*(unsigned char *)frame_to_virt(1), 0x33);	/* not claimed */
	ck_assert_int_eq(frame_check(), 0);
}
END_TEST

/* -EBUSY if one frame is in use, or past the end of the pool, and nothing changes. */
START_TEST(alloc_range_busy)
{
	pool(2 * MAX_BLOCK + 10);
	pfn_t a = frame_alloc(0, false), b = frame_alloc(3, false);	/* 0, 8 */
	ck_assert_uint_eq(a, 0);
	ck_assert_uint_eq(b, 8);
	struct frame_stats before = stats();
	ck_assert_int_eq(frame_alloc_range(0, 1, false), -EBUSY);
	ck_assert_int_eq(frame_alloc_range(1, 8, false), -EBUSY);	/* 8 in use */
	ck_assert_int_eq(frame_alloc_range(15, 2, false), -EBUSY);	/* 15 in use */
	ck_assert_int_eq(frame_alloc_range(2, 5000, false), -EBUSY);	/* past the end */
	ck_assert_int_eq(frame_alloc_range(2 * MAX_BLOCK + 5, 6, false), -EBUSY);
	ck_assert_int_eq(frame_alloc_range(FRAME_NONE, 1, false), -EBUSY);
	struct frame_stats after = stats();
	ck_assert_mem_eq(&before, &after, sizeof before);
	for (pfn_t p = 1; p < 8; p++) ck_assert(frame_page(p)->flags & PG_FREE);
	ck_assert_int_eq(frame_check(), 0);

	ck_assert_int_eq(frame_alloc_range(1, 7, false), 0);		/* the gap fits */
	ck_assert_int_eq(frame_alloc_range(16, 2 * MAX_BLOCK + 10 - 16, false), 0);	/* to the end */
	ck_assert_uint_eq(stats().free, 0);
	ck_assert_int_eq(frame_check(), 0);
	ck_assert_int_eq(frame_alloc_range(5, 0, false), 0);		/* nothing to claim */
	ck_assert_uint_eq(stats().used, 2 * MAX_BLOCK + 10);
}
END_TEST

/* 2 max blocks + 300 frames: the tail is carved as 256+32+8+4 blocks, every frame
 * can be allocated, and freeing restores exactly that shape. */
START_TEST(pool_not_a_multiple_of_max_block)
{
	enum { FRAMES = 2 * MAX_BLOCK + 300 };
	pool(FRAMES);
	pfn_t big[3];
	big[0] = frame_alloc(FRAME_MAX_ORDER, false);
	big[1] = frame_alloc(FRAME_MAX_ORDER, false);
	big[2] = frame_alloc(FRAME_MAX_ORDER, false);
	ck_assert_uint_eq(big[2], FRAME_NONE);
	ck_assert_uint_eq(frame_alloc(9, false), FRAME_NONE);	/* the tail has no 512 */
	ck_assert_uint_eq(frame_alloc(8, false), 2 * MAX_BLOCK);
	ck_assert_int_eq(frame_check(), 0);
	for (unsigned i = 0; i < 2 * MAX_BLOCK; i++) frame_put(big[0] + i);
	for (unsigned i = 0; i < 256; i++) frame_put(2 * MAX_BLOCK + i);

	unsigned n = 0;
	pfn_t p, highest = 0;
	while ((p = frame_alloc(0, false)) != FRAME_NONE) {
		n++;
		if (p > highest) highest = p;
	}
	ck_assert_uint_eq(n, FRAMES);
	ck_assert_uint_eq(highest, FRAMES - 1);
	ck_assert_int_eq(frame_check(), 0);
	for (pfn_t i = 0; i < FRAMES; i++) frame_put(i);
	assert_all_free();
	struct frame_stats st = stats();
	uint64_t want[FRAME_MAX_ORDER + 1] = { [10] = 2, [8] = 1, [5] = 1, [3] = 1, [2] = 1 };
	ck_assert_mem_eq(st.free_blocks, want, sizeof want);
}
END_TEST

static long rss_kib(void)
{
	long size, rss;
	FILE *f = fopen("/proc/self/statm", "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fscanf(f, "%ld %ld", &size, &rss), 2);
	fclose(f);
	return rss * (long)(sysconf(_SC_PAGESIZE) / 1024);
}

/* A pool the size of a large host's RAM costs nothing until frames are used: the memfd
 * is sparse and the descriptors untouched. */
START_TEST(large_pool_is_lazy)
{
	long before = rss_kib();
	ck_assert_int_eq(frame_pool_init(64ul << 30), 0);	/* 16 Mi frames */
	ck_assert_uint_eq(frame_pool_frames(), 16ul << 20);
	for (int i = 0; i < 8; i++) {
		pfn_t p = frame_alloc(FRAME_MAX_ORDER, i & 1);
		ck_assert_uint_eq(p, (pfn_t)i * MAX_BLOCK);
		memset(frame_to_virt(p), 1, PAGE_SIZE);
	}
	ck_assert_int_eq(frame_check(), 0);
	struct stat sb;
	ck_assert_int_eq(fstat(frame_pool_fd(), &sb), 0);
	ck_assert_int_eq(sb.st_size, 64l << 30);
	ck_assert_int_le(sb.st_blocks * 512, 8 * PAGE_SIZE);	/* only what was written */
	ck_assert_int_lt(rss_kib() - before, 8 * 1024);		/* descriptors of 8 blocks, 320 KiB */
	ck_assert_uint_eq(stats().free, (16ul << 20) - 8 * MAX_BLOCK);
}
END_TEST

/* frame_check is what the other tests rely on: it must see broken invariants. */
START_TEST(check_detects_corruption)
{
	pool(2 * MAX_BLOCK);
	pfn_t a = frame_alloc(0, false), b = frame_alloc(0, false);	/* 0, 1 */
	ck_assert_int_eq(frame_check(), 0);
	quiet();
	struct page *pg = frame_page(2), saved = *pg;	/* head of the free order-1 block */
	ck_assert_uint_eq(pg->flags & (PG_FREE | PG_HEAD), PG_FREE | PG_HEAD);
	pg->order = 2;
	ck_assert_int_eq(frame_check(), -1);
	*pg = saved;
	frame_page(3)->flags &= ~PG_FREE;		/* tail of that block */
	ck_assert_int_eq(frame_check(), -1);
	frame_page(3)->flags |= PG_FREE;
	frame_page(b)->refcount = 0;			/* in use with no reference */
	ck_assert_int_eq(frame_check(), -1);
	frame_page(b)->refcount = 1;
	frame_page(b)->flags |= PG_FREE;		/* "free" but not in a block */
	ck_assert_int_eq(frame_check(), -1);
	frame_page(b)->flags &= ~PG_FREE;
	ck_assert_int_eq(frame_check(), 0);
	frame_page(a)->flags |= PG_HEAD;		/* a block head that is not free */
	ck_assert_int_eq(frame_check(), -1);
	frame_page(a)->flags &= ~PG_HEAD;
	frame_page(4)->prev = 2;			/* order-2 list: broken link */
	ck_assert_int_eq(frame_check(), -1);
}
END_TEST

/* Random allocations (every order, ranges, zeroed or not), extra references and frees,
 * against a bitmap of the frames in use: an allocation must return free frames and
 * must fail only when the model has no free aligned block of that order; a range must
 * succeed exactly when the model says it is free; a PG_ZERO frame must read zero. */
START_TEST(randomized_against_model)
{
	/* a pool that is a multiple of the max block, and two that are not */
	static const unsigned sizes[] = { 4 * MAX_BLOCK, 3 * MAX_BLOCK + 777, 700 };
	const unsigned frames = sizes[_i];
	unsigned char *used = calloc(frames, 1);	/* the model: references per frame */
	pfn_t *held = calloc(frames, sizeof *held);	/* frames in use, unordered */
	unsigned nheld = 0;
	pool(frames);
	srandom(1234 + _i);
	for (int op = 0; op < 20000; op++) {
		int what = random() % 16, allocs = (op / 2500) % 2 ? 2 : 7;	/* fill, drain */
		bool zero = random() & 1;
		if (op % 200 == 0) {
			REQUIRE(frame_check() == 0 && stats().used == nheld);
		}
		if (what < allocs || nheld == 0) {
			unsigned order = random() % 8 ? random() % 3 : random() % (FRAME_MAX_ORDER + 1);
			pfn_t p = frame_alloc(order, zero);
			unsigned size = 1u << order;
			if (p == FRAME_NONE) {	/* no aligned run of free frames anywhere */
				for (unsigned b = 0; b + size <= frames; b += size) {
					unsigned i = 0;
					while (i < size && !used[b + i]) i++;
					if (i == size) ck_abort_msg("order %u failed, %u.. is free", order, b);
				}
				continue;
			}
			REQUIRE(p % size == 0 && p + size <= frames);
			for (unsigned i = 0; i < size; i++) {
				if (used[p + i]) ck_abort_msg("frame %u handed out twice", p + i);
				struct page *pg = frame_page(p + i);
				REQUIRE(pg->refcount == 1);
				REQUIRE(!zero || (pg->flags & PG_ZERO));
				REQUIRE(!(pg->flags & PG_ZERO) || all_bytes(frame_to_virt(p + i), 0, PAGE_SIZE));
				used[p + i] = 1;
				held[nheld++] = p + i;
				memset(frame_to_virt(p + i), (p + i) | 1, 64);	/* dirty it */
			}
		} else if (what < allocs + 2) {
			unsigned n = 1 + random() % (random() % 4 ? 8 : 300);
			pfn_t p = random() % (frames + 16);
			bool fits = (uint64_t)p + n <= frames;
			for (unsigned i = 0; fits && i < n; i++) fits = !used[p + i];
			struct frame_stats before = stats();
			int r = frame_alloc_range(p, n, zero);
			REQUIRE(r == (fits ? 0 : -EBUSY));
			if (!fits) {
				struct frame_stats after = stats();
				REQUIRE(memcmp(&before, &after, sizeof before) == 0);
				continue;
			}
			for (unsigned i = 0; i < n; i++) {
				REQUIRE(!zero || all_bytes(frame_to_virt(p + i), 0, PAGE_SIZE));
				used[p + i] = 1;
				held[nheld++] = p + i;
				memset(frame_to_virt(p + i), (p + i) | 1, 64);
			}
		} else if (what == allocs + 2) {	/* an extra reference, dropped again */
			pfn_t p = held[random() % nheld];
			frame_get(p);
			REQUIRE(!frame_put(p));
		} else {
			for (unsigned n = 1 + random() % (allocs == 2 ? 32 : 4); n && nheld; n--) {
				unsigned k = random() % nheld;
				pfn_t p = held[k];
				REQUIRE(frame_put(p) && (frame_page(p)->flags & PG_FREE));
				used[p] = 0;
				held[k] = held[--nheld];
			}
		}
	}
	ck_assert_int_eq(frame_check(), 0);
	while (nheld) REQUIRE(frame_put(held[--nheld]));
	assert_all_free();
	/* everything carved coalesced: max-order blocks, then at most one block of each
	 * smaller order (the pool's tail), so the listed frames' bits are the block counts */
	struct frame_stats st = stats();
	uint64_t listed = 0;
	for (unsigned o = 0; o <= FRAME_MAX_ORDER; o++) listed += st.free_blocks[o] << o;
	ck_assert_uint_le(listed, frames);
	for (unsigned o = 0; o < FRAME_MAX_ORDER; o++) ck_assert_uint_eq(st.free_blocks[o], (listed >> o) & 1);
	ck_assert_uint_eq(st.free_blocks[FRAME_MAX_ORDER], listed >> FRAME_MAX_ORDER);
	free(used);
	free(held);
}
END_TEST

/* Page faults taken by this thread's own instructions (the perf software event:
 * unlike ru_minflt, it does not count the pages madvise populates); -1 when perf
 * events are not available here. */
static int fault_counter(void)
{
	struct perf_event_attr a;
	memset(&a, 0, sizeof a);
	a.type = PERF_TYPE_SOFTWARE;
	a.size = sizeof a;
	a.config = PERF_COUNT_SW_PAGE_FAULTS;
	a.exclude_kernel = 1;
	a.exclude_hv = 1;
	return (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
}

static long minor_faults(int fd)
{
	long long n = 0;
	if (fd >= 0) ck_assert_int_eq(read(fd, &n, sizeof n), sizeof n);
	return (long)n;
}

/* The direct map is made present by madvise, never by a page fault of the
 * supervisor: writing recycled frames through it, one at a time or a run, faults
 * nothing in (the frames were last written through another mapping of the pool, as
 * a guest would). */
START_TEST(direct_map_without_faults)
{
	pool(2 * MAX_BLOCK);
	pfn_t p = frame_alloc(4, false);
	ck_assert_uint_ne(p, FRAME_NONE);
	unsigned char *alias = mmap(NULL, 16 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, frame_pool_fd(),
				    frame_offset(p));
	ck_assert_ptr_ne(alias, MAP_FAILED);
	for (unsigned i = 0; i < 16; i++) alias[i * PAGE_SIZE] = 1;	/* only here is it touched */
	/* ASan's shadow memory (memset of the direct map is instrumented) has page
	 * faults of its own: the count is only exact without it */
#ifdef __SANITIZE_ADDRESS__
	int fd = -1;
	(void)fault_counter;
#else
	int fd = fault_counter();
#endif
	long before = minor_faults(fd);
	unsigned char *one = frame_to_virt(p);
	memset(one, 0x11, PAGE_SIZE);
	unsigned char *run = frame_to_virt_range(p + 1, 15);
	memset(run, 0x22, 15 * PAGE_SIZE);
	/* one page per fault before: 16. A stray one (1 run in 8 on this VM: not the
	 * direct map's) is allowed */
	ck_assert_int_le(minor_faults(fd) - before, 1);
	ck_assert_uint_eq(alias[0], 0x11);
	for (unsigned i = 0; i < 16; i++) ck_assert(frame_put(p + i));
	/* a block allocated zeroed: its recycled frames are cleared without faults */
	before = minor_faults(fd);
	ck_assert_uint_eq(frame_alloc(4, true), p);
	ck_assert_int_le(minor_faults(fd) - before, 1);
	ck_assert(all_bytes(frame_to_virt(p), 0, 16 * PAGE_SIZE));
	munmap(alias, 16 * PAGE_SIZE);
	if (fd >= 0) close(fd);
}
END_TEST

Suite *frame_suite(void)
{
	Suite *s = suite_create("frame");
	TCase *tc = tcase_create("frame");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, pool_init_and_shutdown);
	tcase_add_test(tc, alloc_free_every_order);
	tcase_add_test(tc, split_lower_half);
	tcase_add_test(tc, coalesce_back_to_max_order);
	tcase_add_test(tc, refcounts);
	tcase_add_test_raise_signal(tc, put_free_frame_aborts, SIGABRT);
	tcase_add_test(tc, zeroing_through_direct_map);
	tcase_add_test(tc, zeroing_large_block);
	tcase_add_test(tc, virt_frame_translation);
	tcase_add_test(tc, direct_map_without_faults);
	tcase_add_test(tc, exhaustion);
	tcase_add_test(tc, alloc_range_claims_exactly);
	tcase_add_test(tc, alloc_range_extends_a_block);
	tcase_add_test(tc, alloc_range_busy);
	tcase_add_test(tc, pool_not_a_multiple_of_max_block);
	tcase_add_test(tc, large_pool_is_lazy);
	tcase_add_test(tc, check_detects_corruption);
	suite_add_tcase(s, tc);

	TCase *rnd = tcase_create("random");	/* ~1 s each, several under ASan */
	tcase_add_checked_fixture(rnd, NULL, teardown);
	tcase_set_timeout(rnd, 120);
	tcase_add_loop_test(rnd, randomized_against_model, 0, 3);
	suite_add_tcase(s, rnd);
	return s;
}
