/* tests/unit/test_swap.c - services/mm/swap.c and the LRU lists of reclaim.c: swap
 * area specs (temporary, FILE:SIZE, an existing file, bad ones), next-fit allocation
 * of slot runs, use counts shared by fork (swap_dup), the swap cache keeping a slot
 * under writeback, page I/O round trips through io_uring, and the per-mm LRU lists
 * (order, moves, a freed frame leaving its list). */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "services/mm/mm_internal.h"
#include "services/mm/swap.h"
#include "tests/unit/unit.h"

static void teardown(void)
{
	swap_shutdown();
	frame_pool_shutdown();
}

START_TEST(swap_specs)
{
	ck_assert_int_eq(swap_init("1M"), 0);		/* a temporary file */
	ck_assert(swap_active());
	ck_assert_uint_eq(swap_total(), 255);		/* slot 0 is the header */
	ck_assert_uint_eq(swap_free_slots(), 255);
	swap_shutdown();
	ck_assert(!swap_active());

	char path[] = "/tmp/persona-swaptest.XXXXXX", spec[64];
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	snprintf(spec, sizeof spec, "%s:2M", path);
	ck_assert_int_eq(swap_init(spec), 0);
	ck_assert_uint_eq(swap_total(), 511);
	swap_shutdown();
	struct stat st;
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_size, 2 << 20);
	ck_assert_int_eq(swap_init(path), 0);		/* its current size */
	ck_assert_uint_eq(swap_total(), 511);
	swap_shutdown();
	unlink(path);

	ck_assert_int_eq(swap_init("4K"), -EINVAL);	/* less than 2 pages */
	ck_assert_int_eq(swap_init("/nonexistent-dir/swap:1M"), -ENOENT);
	ck_assert(!swap_active());
}
END_TEST

START_TEST(swap_alloc_runs)
{
	ck_assert_int_eq(swap_init("256K"), 0);		/* 63 usable slots */
	ck_assert_uint_eq(swap_alloc(16), 1);
	ck_assert_uint_eq(swap_alloc(16), 17);
	ck_assert_uint_eq(swap_alloc(16), 33);
	ck_assert_uint_eq(swap_alloc(16), 0);		/* 15 left: no run of 16 */
	ck_assert_uint_eq(swap_alloc(15), 49);
	ck_assert_uint_eq(swap_free_slots(), 0);
	ck_assert_uint_eq(swap_alloc(1), 0);
	for (uint64_t s = 17; s < 33; s++) swap_free(s);	/* a hole in the middle */
	ck_assert_uint_eq(swap_free_slots(), 16);
	ck_assert_uint_eq(swap_alloc(8), 17);		/* next-fit wraps to the hole */
	ck_assert_uint_eq(swap_alloc(8), 25);
	/* counts: a fork shares an entry; the slot is free after both frees */
	swap_dup(25);
	ck_assert_uint_eq(swap_count(25), 2);
	swap_free(25);
	ck_assert_uint_eq(swap_count(25), 1);
	ck_assert_uint_eq(swap_free_slots(), 0);
	swap_free(25);
	ck_assert_uint_eq(swap_count(25), 0);
	ck_assert_uint_eq(swap_free_slots(), 1);
	ck_assert_uint_eq(swap_alloc(1), 25);
}
END_TEST

START_TEST(swap_io_and_cache)
{
	ck_assert_int_eq(frame_pool_init(64 * PAGE_SIZE), 0);
	ck_assert_int_eq(swap_init("1M"), 0);
	pfn_t src[4], dst;
	for (int i = 0; i < 4; i++) {		/* scattered frames, one writev */
		src[i] = frame_alloc(0, false);
		ck_assert_uint_ne(src[i], FRAME_NONE);
		frame_put(frame_alloc(0, false));
		memset(frame_to_virt(src[i]), 'a' + i, PAGE_SIZE);
	}
	uint64_t slot = swap_alloc(4);
	ck_assert_uint_ne(slot, 0);
	ck_assert_int_eq(swap_write(slot, src, 4), 0);
	ck_assert_uint_ne(dst = frame_alloc(2, false), FRAME_NONE);	/* 4 contiguous frames */
	ck_assert_int_eq(swap_read(slot, dst, 4), 0);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(memcmp(frame_to_virt(dst + i), frame_to_virt(src[i]), PAGE_SIZE), 0);
	struct swap_stats st;
	swap_stats(&st);
	ck_assert_uint_eq(st.pswpout, 4);
	ck_assert_uint_eq(st.pswpin, 4);

	/* the swap cache: the slot stays allocated while written, even with no entry */
	swap_cache_add(slot, src[0]);
	ck_assert_uint_eq(swap_cache_lookup(slot), src[0]);
	ck_assert(frame_page(src[0])->flags & PG_SWAPCACHE);
	uint64_t free_before = swap_free_slots();
	swap_free(slot);				/* the last entry went (munmap) */
	ck_assert_uint_eq(swap_free_slots(), free_before);
	ck_assert_uint_eq(swap_alloc(1), slot + 4);	/* not reused */
	struct frame_stats fs0, fs1;
	frame_stats(&fs0);
	swap_cache_done(slot);				/* written: frame and slot free */
	frame_stats(&fs1);
	ck_assert_uint_eq(fs1.used, fs0.used - 1);
	ck_assert_uint_eq(swap_cache_lookup(slot), FRAME_NONE);
	ck_assert_uint_eq(swap_free_slots(), free_before);	/* less the one taken above */
	ck_assert_int_eq(frame_check(), 0);
}
END_TEST

START_TEST(lru_lists)
{
	ck_assert_int_eq(frame_pool_init(64 * PAGE_SIZE), 0);
	mm_reclaim_init();
	struct mm *mm = mm_new();
	ck_assert_ptr_nonnull(mm);
	pfn_t p[4];
	for (int i = 0; i < 4; i++) {
		p[i] = frame_alloc(0, false);
		lru_add(mm, p[i], 0x10000 + (uint64_t)i * PAGE_SIZE, i == 3);
	}
	ck_assert_uint_eq(mm->lru[LRU_INACTIVE].n, 3);
	ck_assert_uint_eq(mm->lru[LRU_ACTIVE].n, 1);
	ck_assert_uint_eq(mm->lru[LRU_INACTIVE].tail, p[0]);	/* oldest at the tail */
	ck_assert_uint_eq(mm->lru[LRU_INACTIVE].head, p[2]);
	ck_assert_uint_eq(frame_page(p[1])->index, 0x11);
	ck_assert(frame_page(p[1])->owner == mm);
	lru_del(p[1]);
	ck_assert_uint_eq(mm->lru[LRU_INACTIVE].n, 2);
	ck_assert_uint_eq(frame_page(p[2])->next, p[0]);
	ck_assert(!(frame_page(p[1])->flags & PG_LRU));
	frame_put(p[0]);				/* freed: it leaves its list */
	ck_assert_uint_eq(mm->lru[LRU_INACTIVE].n, 1);
	ck_assert_uint_eq(mm->lru[LRU_INACTIVE].tail, p[2]);
	lru_add(mm, p[2], 0x12000, true);		/* re-added: moves list */
	ck_assert_uint_eq(mm->lru[LRU_INACTIVE].n, 0);
	ck_assert_uint_eq(mm->lru[LRU_ACTIVE].n, 2);
	ck_assert_uint_eq(mm->lru[LRU_ACTIVE].head, p[2]);
	lru_release(mm);
	ck_assert_uint_eq(mm->lru[LRU_ACTIVE].n, 0);
	ck_assert(!(frame_page(p[3])->flags & PG_LRU));
	frame_put(p[1]);
	frame_put(p[2]);
	frame_put(p[3]);
	mm_put(mm);
	ck_assert_int_eq(frame_check(), 0);
}
END_TEST

Suite *swap_suite(void)
{
	Suite *s = suite_create("swap");
	TCase *tc = tcase_create("swap");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, swap_specs);
	tcase_add_test(tc, swap_alloc_runs);
	tcase_add_test(tc, swap_io_and_cache);
	tcase_add_test(tc, lru_lists);
	suite_add_tcase(s, tc);
	return s;
}
