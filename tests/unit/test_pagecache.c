/* tests/unit/test_pagecache.c - services/mm/pagecache: insert and lookup by (file
 * version, index), the cache's own reference and the mappers' ones, reclaim of
 * unused pages only and least recently used first, reclaim run by frame_alloc when
 * the pool is empty, emptying the cache with pages still mapped, the table growing,
 * which files may be cached (the racy window), page reads into the pool (pageio.c's
 * sendfile), ELF files told apart (memobj.c) and the slab of the cache's entries. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "services/mm/frame.h"
#include "services/mm/memobj.h"
#include "services/mm/pagecache.h"
#include "services/mm/pageio.h"
#include "services/mm/slab.h"
#include "tests/unit/unit.h"

static void teardown(void)
{
	pagecache_drop_all();
	frame_pool_shutdown();
}

static void pool(uint64_t frames) { ck_assert_int_eq(frame_pool_init(frames * PAGE_SIZE), 0); }

static struct pc_key key(ino_t ino, long mtime_nsec)
{
	struct pc_key k;
	memset(&k, 0, sizeof k);
	k.dev = 0x801;
	k.ino = ino;
	k.mtime_sec = 1700000000;
	k.mtime_nsec = mtime_nsec;
	k.size = 1 << 20;
	return k;
}

static struct pagecache_stats pcstats(void)
{
	struct pagecache_stats st;
	pagecache_stats(&st);
	return st;
}

static uint64_t frames_used(void)
{
	struct frame_stats st;
	frame_stats(&st);
	return st.used;
}

/* A frame filled with `c`, cached as page idx of k (the cache holds its only reference). */
static pfn_t cached_page(const struct pc_key *k, uint64_t idx, char c)
{
	pfn_t p = frame_alloc(0, false);
	ck_assert_uint_ne(p, FRAME_NONE);
	memset(frame_to_virt(p), c, PAGE_SIZE);
	ck_assert_int_eq(pagecache_insert(k, idx, p), 0);
	return p;
}

/* Each lookup takes a reference for its mapper; the key is the whole file version. */
START_TEST(insert_lookup_refcounts)
{
	pool(64);
	struct pc_key k = key(42, 0), newer = key(42, 1), other = key(43, 0);
	pfn_t p = cached_page(&k, 5, 'x');
	ck_assert(pagecache_owns(p));
	ck_assert(frame_page(p)->flags & PG_FILE);
	ck_assert_uint_eq(frame_page(p)->index, 5);
	ck_assert_uint_eq(frame_page(p)->refcount, 1);
	ck_assert_uint_eq(pagecache_lookup(&k, 5), p);
	ck_assert_uint_eq(pagecache_lookup(&k, 5), p);
	ck_assert_uint_eq(frame_page(p)->refcount, 3);		/* the cache and two mappers */
	ck_assert_uint_eq(pagecache_lookup(&k, 6), FRAME_NONE);
	ck_assert_uint_eq(pagecache_lookup(&newer, 5), FRAME_NONE);	/* changed on disk */
	ck_assert_uint_eq(pagecache_lookup(&other, 5), FRAME_NONE);
	pfn_t q = frame_alloc(0, false);
	ck_assert_int_eq(pagecache_insert(&k, 5, q), -EEXIST);
	ck_assert(!pagecache_owns(q));
	frame_put(q);
	struct pagecache_stats st = pcstats();
	ck_assert_uint_eq(st.pages, 1);
	ck_assert_uint_eq(st.hits, 2);
	ck_assert_uint_eq(st.misses, 3);
	frame_put(p);
	frame_put(p);					/* both mappers gone: still cached */
	ck_assert_uint_eq(frame_page(p)->refcount, 1);
	ck_assert_uint_eq(pagecache_lookup(&k, 5), p);
	ck_assert_int_eq(((char *)frame_to_virt(p))[PAGE_SIZE - 1], 'x');
	frame_put(p);
	ck_assert_uint_eq(frames_used(), 1);
}
END_TEST

/* Reclaim frees pages no mapping uses, never a mapped one. */
START_TEST(shrink_only_unused)
{
	pool(64);
	struct pc_key k = key(7, 0);
	pfn_t p[3];
	for (int i = 0; i < 3; i++) p[i] = cached_page(&k, (uint64_t)i, 'a');
	ck_assert_uint_eq(pagecache_lookup(&k, 1), p[1]);	/* mapped */
	ck_assert_uint_eq(pagecache_shrink(1), 2);
	ck_assert_uint_eq(pcstats().pages, 1);
	ck_assert_uint_eq(pcstats().dropped, 2);
	ck_assert_uint_eq(frames_used(), 1);
	ck_assert_uint_eq(pagecache_lookup(&k, 0), FRAME_NONE);
	ck_assert_uint_eq(pagecache_shrink(32), 0);
	frame_put(p[1]);					/* unmapped */
	ck_assert_uint_eq(pagecache_shrink(32), 1);
	ck_assert_uint_eq(frames_used(), 0);
	ck_assert_int_eq(frame_check(), 0);
}
END_TEST

/* The least recently used pages go first: a hit makes a page young again. */
START_TEST(shrink_lru_order)
{
	pool(128);
	struct pc_key k = key(9, 0);
	for (uint64_t i = 0; i < 40; i++) cached_page(&k, i, 'b');
	frame_put(pagecache_lookup(&k, 0));
	ck_assert_uint_eq(pagecache_shrink(32), 32);		/* pages 1..32 */
	ck_assert_uint_eq(pcstats().pages, 8);
	for (uint64_t i = 1; i <= 32; i++) ck_assert_uint_eq(pagecache_lookup(&k, i), FRAME_NONE);
	for (uint64_t i = 33; i < 40; i++) frame_put(pagecache_lookup(&k, i));
	pfn_t p = pagecache_lookup(&k, 0);
	ck_assert_uint_ne(p, FRAME_NONE);
	frame_put(p);
}
END_TEST

/* frame_alloc(0) reclaims unused cache pages before it fails; mapped ones stay. */
START_TEST(alloc_reclaims)
{
	pool(8);
	pagecache_init();
	struct pc_key k = key(11, 0);
	pfn_t p[8];
	for (uint64_t i = 0; i < 8; i++) p[i] = cached_page(&k, i, 'c');
	for (uint64_t i = 0; i < 4; i++) ck_assert_uint_eq(pagecache_lookup(&k, i), p[i]);
	pfn_t a = frame_alloc(0, true);
	ck_assert_uint_ne(a, FRAME_NONE);
	ck_assert_int_eq(*(char *)frame_to_virt(a), 0);
	ck_assert_uint_eq(pcstats().pages, 4);			/* the unused 4 went */
	for (int i = 0; i < 3; i++) ck_assert_uint_ne(frame_alloc(0, false), FRAME_NONE);
	ck_assert_uint_eq(frame_alloc(0, false), FRAME_NONE);	/* only mapped pages left */
	ck_assert_uint_eq(pcstats().pages, 4);
	for (uint64_t i = 0; i < 4; i++) ck_assert_int_eq(((char *)frame_to_virt(p[i]))[9], 'c');
}
END_TEST

/* Emptying the cache frees unused pages and leaves mapped ones to their mappers. */
START_TEST(drop_all_detaches_mapped)
{
	pool(16);
	struct pc_key k = key(12, 0);
	pfn_t p = cached_page(&k, 0, 'd');
	cached_page(&k, 1, 'd');
	ck_assert_uint_eq(pagecache_lookup(&k, 0), p);
	pagecache_drop_all();
	ck_assert_uint_eq(pcstats().pages, 0);
	ck_assert(!pagecache_owns(p));
	ck_assert_uint_eq(frame_page(p)->refcount, 1);
	ck_assert_uint_eq(frames_used(), 1);
	ck_assert_uint_eq(pagecache_lookup(&k, 0), FRAME_NONE);
	frame_put(p);
	ck_assert_uint_eq(frames_used(), 0);
	ck_assert_int_eq(frame_check(), 0);
}
END_TEST

/* Thousands of pages of several files: the table grows, every page is found. */
START_TEST(many_pages)
{
	pool(8192);
	struct pc_key k[3] = { key(100, 0), key(101, 0), key(100, 5) };
	pfn_t *p = calloc(3 * 2000, sizeof *p);
	for (uint64_t i = 0; i < 3 * 2000; i++) p[i] = cached_page(&k[i % 3], i / 3, 'e');
	for (uint64_t i = 0; i < 3 * 2000; i++) {
		pfn_t q = pagecache_lookup(&k[i % 3], i / 3);
		ck_assert_uint_eq(q, p[i]);
		frame_put(q);
	}
	ck_assert_uint_eq(pcstats().pages, 6000);
	ck_assert_uint_eq(pagecache_shrink(10000), 6000);
	ck_assert_uint_eq(frames_used(), 0);
	free(p);
}
END_TEST

/* Regular files only, and not while their mtime is within the racy window. */
START_TEST(cacheable_files)
{
	char path[] = "/tmp/persona-pc-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	struct stat st;
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert(!pagecache_cacheable(&st));			/* just written */
	struct timespec old[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
	ck_assert_int_eq(futimens(fd, old), 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert(pagecache_cacheable(&st));
	struct pc_key a, b;
	pagecache_key(&a, &st);
	ck_assert_int_eq(write(fd, "x", 1), 1);			/* a new version */
	ck_assert_int_eq(fstat(fd, &st), 0);
	pagecache_key(&b, &st);
	ck_assert(a.size != b.size || a.mtime_sec != b.mtime_sec);
	close(fd);
	unlink(path);
	ck_assert_int_eq(stat("/dev/null", &st), 0);
	ck_assert(!pagecache_cacheable(&st));
}
END_TEST

/* A new file of `len` bytes: byte i is i * 7 + 1 (mod 256). */
static int data_file(char *path, size_t len)
{
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	unsigned char *buf = malloc(len);
	for (size_t i = 0; i < len; i++) buf[i] = (unsigned char)(i * 7 + 1);
	ck_assert_int_eq(write(fd, buf, len), (ssize_t)len);
	free(buf);
	return fd;
}

/* page_read_frames: the file's bytes land in the frames (sendfile into the pool), what
 * lies past its end reads as zeroes even in recycled frames, and the frames read
 * the same through the direct map and through another mapping of the pool. */
START_TEST(read_frames)
{
	pool(64);
	char path[] = "/tmp/persona-pc-XXXXXX";
	size_t len = 3 * PAGE_SIZE + 100;
	int fd = data_file(path, len);
	pfn_t p = frame_alloc(2, false);	/* 4 frames, dirtied first */
	ck_assert_uint_ne(p, FRAME_NONE);
	memset(frame_to_virt_range(p, 4), 0xee, 4 * PAGE_SIZE);
	ck_assert_int_eq(page_read_frames(fd, 0, p, 4), (long)len);
	const unsigned char *b = frame_to_virt_range(p, 4);
	for (size_t i = 0; i < 4 * PAGE_SIZE; i++)
		ck_assert_uint_eq(b[i], i < len ? (unsigned char)(i * 7 + 1) : 0);
	/* from an offset: the file's second page into one frame */
	ck_assert_int_eq(page_read_frames(fd, PAGE_SIZE, p + 3, 1), PAGE_SIZE);
	ck_assert_uint_eq(b[3 * PAGE_SIZE], (unsigned char)(PAGE_SIZE * 7 + 1));
	unsigned char *alias = mmap(NULL, PAGE_SIZE, PROT_READ, MAP_SHARED, frame_pool_fd(), frame_offset(p));
	ck_assert_ptr_ne(alias, MAP_FAILED);
	ck_assert_int_eq(memcmp(alias, b, PAGE_SIZE), 0);
	munmap(alias, PAGE_SIZE);
	for (unsigned i = 0; i < 4; i++) frame_put(p + i);
	close(fd);
	unlink(path);
}
END_TEST

/* memobj_file tells ELF files (their segments are made present whole) from others. */
START_TEST(elf_objects)
{
	char path[] = "/tmp/persona-pc-XXXXXX";
	int fd = data_file(path, 100);
	struct memobj *o = memobj_file(fd);
	ck_assert_ptr_nonnull(o);
	ck_assert(!o->elf);
	memobj_put(o);
	unlink(path);
	o = memobj_file(open("/proc/self/exe", O_RDONLY | O_CLOEXEC));
	ck_assert_ptr_nonnull(o);
	ck_assert(o->elf);
	memobj_put(o);
}
END_TEST

/* The slab hands out zeroed objects, reuses freed ones (zeroed again), and goes on
 * to a new chunk when one is used up. */
START_TEST(slab_objects)
{
	struct obj { long a[37]; };	/* an odd size: rounded to 16 bytes */
	struct slab s = SLAB_INIT(struct obj);
	enum { N = 3000 };	/* over one 256 KiB chunk */
	struct obj **o = calloc(N, sizeof *o);
	for (int i = 0; i < N; i++) {
		o[i] = slab_alloc(&s);
		ck_assert_ptr_nonnull(o[i]);
		for (int k = 0; k < 37; k++) ck_assert_int_eq(o[i]->a[k], 0);
		memset(o[i], 0xff, sizeof *o[i]);
		ck_assert(((uintptr_t)o[i] & 15) == 0);
	}
	for (int i = 0; i < N; i++)
		for (int j = i + 1; j < i + 3 && j < N; j++)	/* neighbours do not overlap */
			ck_assert((char *)o[j] >= (char *)(o[i] + 1) || (char *)o[i] >= (char *)(o[j] + 1));
	struct obj *freed = o[10];
	slab_free(&s, freed);
	struct obj *again = slab_alloc(&s);
	ck_assert_ptr_eq(again, freed);
	for (int k = 0; k < 37; k++) ck_assert_int_eq(again->a[k], 0);
	slab_free(&s, NULL);
	free(o);
}
END_TEST

Suite *pagecache_suite(void)
{
	Suite *s = suite_create("pagecache");
	TCase *tc = tcase_create("pagecache");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, insert_lookup_refcounts);
	tcase_add_test(tc, shrink_only_unused);
	tcase_add_test(tc, shrink_lru_order);
	tcase_add_test(tc, alloc_reclaims);
	tcase_add_test(tc, drop_all_detaches_mapped);
	tcase_add_test(tc, many_pages);
	tcase_add_test(tc, cacheable_files);
	tcase_add_test(tc, read_frames);
	tcase_add_test(tc, elf_objects);
	tcase_add_test(tc, slab_objects);
	suite_add_tcase(s, tc);
	return s;
}
