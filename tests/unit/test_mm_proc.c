/* tests/unit/test_mm_proc.c - services/mm/mm_proc: one VMA as a /proc/PID/maps line
 * (mm_proc_maps_line) on hand-built VMAs, against literal lines. Most expected lines
 * are copied from this kernel's own /proc/PID/maps (anonymous, [heap], a file with
 * and without an offset, a shared anonymous mapping, [vsyscall]), so the padding
 * rule (the name at column 73: seq_setwidth(25 + 6 * sizeof(void *) - 1), then
 * seq_pad(m, ' ')) is checked against Linux and not against itself; plus headers of
 * exactly and more than 72 characters, long paths, cut buffers, the offset rule,
 * and smaps' VmFlags mnemonics; and the OOM killer's badness score. */
#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "services/mm/memobj.h"
#include "services/mm/mm_internal.h"
#include "services/mm/mm_proc.h"
#include "services/mm/vma.h"
#include "tests/unit/unit.h"

static struct vma *mk(uint64_t start, uint64_t end, uint32_t prot, uint32_t flags, uint64_t pgoff,
		      unsigned maj, unsigned min, uint64_t ino, const char *name)
{
	struct vma *v = vma_new(start, end, prot, flags, NULL, pgoff, name);
	ck_assert_ptr_nonnull(v);
	v->host_dev_major = maj;
	v->host_dev_minor = min;
	v->host_ino = ino;
	return v;
}

/* Formats v and compares with the expected line; also checks the returned length */
static void expect_line(const struct vma *v, const char *name, const char *want)
{
	char buf[8192];
	int n = mm_proc_maps_line(buf, sizeof buf, v, name);
	ck_assert_str_eq(buf, want);
	ck_assert_int_eq(n, (int)strlen(want));
}

START_TEST(anonymous_no_name)
{
	/* an anonymous line ends with the space after the inode */
	struct vma *v = mk(0x7fa72816e000, 0x7fa728190000, PROT_READ | PROT_WRITE, 0, 0, 0, 0, 0, NULL);
	expect_line(v, NULL, "7fa72816e000-7fa728190000 rw-p 00000000 00:00 0 \n");
	expect_line(v, "", "7fa72816e000-7fa728190000 rw-p 00000000 00:00 0 \n");
	vma_free(v);
}
END_TEST

START_TEST(anonymous_offset_is_zero)
{
	/* a split anonymous VMA has a non-zero pgoff, which Linux does not show */
	struct vma *v = mk(0x7f0000003000, 0x7f0000004000, PROT_NONE, 0, 3, 0, 0, 0, NULL);
	ck_assert_uint_eq(mm_proc_vma_offset(v), 0);
	expect_line(v, NULL, "7f0000003000-7f0000004000 ---p 00000000 00:00 0 \n");
	vma_free(v);
}
END_TEST

START_TEST(heap_and_stack)
{
	struct vma *h = mk(0x56201884a000, 0x56201886b000, PROT_READ | PROT_WRITE, VM_HEAP, 0, 0, 0, 0, NULL);
	expect_line(h, NULL, "56201884a000-56201886b000 rw-p 00000000 00:00 0                          [heap]\n");
	struct vma *s = mk(0x7ffeedad4000, 0x7ffeedaf5000, PROT_READ | PROT_WRITE,
			   VM_HOST | VM_STACK | VM_GROWSDOWN, 0, 0, 0, 0, "[stack]");
	expect_line(s, NULL, "7ffeedad4000-7ffeedaf5000 rw-p 00000000 00:00 0                          [stack]\n");
	/* VM_STACK names it even without a recorded name */
	free(s->name);
	s->name = NULL;
	expect_line(s, NULL, "7ffeedad4000-7ffeedaf5000 rw-p 00000000 00:00 0                          [stack]\n");
	vma_free(h);
	vma_free(s);
}
END_TEST

START_TEST(host_file_lines)
{
	/* the exec'd image and ld.so as the host showed them: pgoff << 12, dev, inode */
	struct vma *a = mk(0x561ff57ce000, 0x561ff57d0000, PROT_READ, VM_HOST, 0, 0xfe, 0, 247134, "/usr/bin/cat");
	expect_line(a, NULL, "561ff57ce000-561ff57d0000 r--p 00000000 fe:00 247134                     /usr/bin/cat\n");
	struct vma *b = mk(0x7fa7283e9000, 0x7fa72840f000, PROT_READ | PROT_EXEC, VM_HOST, 1, 0xfe, 0, 332383,
			   "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2");
	ck_assert_uint_eq(mm_proc_vma_offset(b), 0x1000);
	expect_line(b, NULL, "7fa7283e9000-7fa72840f000 r-xp 00001000 fe:00 332383                     "
			     "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2\n");
	struct vma *c = mk(0x7fa7283d6000, 0x7fa7283dd000, PROT_READ, VM_HOST | VM_SHARED, 0, 0xfe, 0, 332280,
			   "/usr/lib/x86_64-linux-gnu/gconv/gconv-modules.cache");
	expect_line(c, NULL, "7fa7283d6000-7fa7283dd000 r--s 00000000 fe:00 332280                     "
			     "/usr/lib/x86_64-linux-gnu/gconv/gconv-modules.cache\n");
	/* an 8-digit offset past 4 GiB grows the column, and the padding absorbs it */
	struct vma *d = mk(0x7f0000000000, 0x7f0000001000, PROT_READ, VM_HOST, 0x123456, 0x103, 5, 42, "/big");
	expect_line(d, NULL, "7f0000000000-7f0000001000 r--p 123456000 103:05 42                       /big\n");
	vma_free(a);
	vma_free(b);
	vma_free(c);
	vma_free(d);
}
END_TEST

START_TEST(managed_objects)
{
	/* a shared anonymous mapping: "/dev/zero (deleted)", dev 00:01, offset by pgoff */
	struct memobj *o = memobj_anon_shared(4);
	ck_assert_ptr_nonnull(o);
	struct vma *s = vma_new(0x7f900f960000, 0x7f900f964000, PROT_READ | PROT_WRITE, VM_SHARED, o, 0,
				"/dev/zero (deleted)");
	memobj_put(o);
	s->host_dev_minor = 1;
	s->host_ino = 15205;
	expect_line(s, NULL, "7f900f960000-7f900f964000 rw-s 00000000 00:01 15205                      /dev/zero (deleted)\n");
	/* its upper half after a split: the offset follows pgoff */
	s->pgoff = 2;
	s->start = 0x7f900f962000;
	expect_line(s, NULL, "7f900f962000-7f900f964000 rw-s 00002000 00:01 15205                      /dev/zero (deleted)\n");
	vma_free(s);
}
END_TEST

START_TEST(gate_area)
{
	struct vma *v = mk(0xffffffffff600000ULL, 0xffffffffff601000ULL, PROT_EXEC, VM_HOST | VM_SPECIAL, 0, 0, 0, 0,
			   "[vsyscall]");
	expect_line(v, NULL, "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]\n");
	vma_free(v);
}
END_TEST

START_TEST(padding_edges)
{
	char buf[256];
	/* header (with its trailing space) of 71 characters: one pad space, then the
	 * separator: the name starts at column 73 */
	struct vma *v = mk(0xffffffffff600000ULL, 0xffffffffff601000ULL, PROT_READ, VM_HOST, 0, 0xfe, 0,
			   1000000000000000ULL, "/n");
	mm_proc_maps_line(buf, sizeof buf, v, NULL);
	ck_assert_str_eq(buf, "ffffffffff600000-ffffffffff601000 r--p 00000000 fe:00 1000000000000000   /n\n");
	ck_assert_ptr_eq(strchr(buf, '/'), buf + 73);
	/* exactly 72: no padding, only the separator */
	v->host_ino = 10000000000000000ULL;
	mm_proc_maps_line(buf, sizeof buf, v, NULL);
	ck_assert_str_eq(buf, "ffffffffff600000-ffffffffff601000 r--p 00000000 fe:00 10000000000000000  /n\n");
	ck_assert_ptr_eq(strchr(buf, '/'), buf + 73);
	/* longer than 72: the name follows the trailing space and the separator */
	v->host_ino = 18446744073709551615ULL;
	v->pgoff = 0xfffffffffffffULL;
	mm_proc_maps_line(buf, sizeof buf, v, NULL);
	ck_assert_str_eq(buf, "ffffffffff600000-ffffffffff601000 r--p fffffffffffff000 fe:00 18446744073709551615  /n\n");
	/* a name given by the caller wins over the VMA's */
	v->host_ino = 7;
	v->pgoff = 0;
	mm_proc_maps_line(buf, sizeof buf, v, "/live (deleted)");
	ck_assert_str_eq(buf, "ffffffffff600000-ffffffffff601000 r--p 00000000 fe:00 7                  /live (deleted)\n");
	vma_free(v);
}
END_TEST

START_TEST(long_paths_and_short_buffers)
{
	char path[4200], want[4400], buf[4400];
	path[0] = '/';
	for (int i = 1; i < 4100; i++) path[i] = i % 64 == 0 ? '/' : 'a' + i % 26;
	path[4100] = 0;
	struct vma *v = mk(0x400000, 0x452000, PROT_READ | PROT_EXEC, VM_HOST, 0, 8, 1, 1234, path);
	/* short addresses are zero-padded to 8 digits */
	snprintf(want, sizeof want, "00400000-00452000 r-xp 00000000 08:01 1234%30s %s\n", "", path);
	ck_assert_int_eq(mm_proc_maps_line(buf, sizeof buf, v, NULL), (int)strlen(want));
	ck_assert_str_eq(buf, want);
	ck_assert_ptr_eq(strchr(buf, '/'), buf + 73);
	/* a buffer too small: cut like snprintf, the full length returned */
	char small[50];
	ck_assert_int_eq(mm_proc_maps_line(small, sizeof small, v, NULL), (int)strlen(want));
	ck_assert_int_eq(strlen(small), sizeof small - 1);
	ck_assert(!strncmp(small, want, sizeof small - 1));
	ck_assert_int_eq(mm_proc_maps_line(NULL, 0, v, NULL), (int)strlen(want));
	vma_free(v);
}
END_TEST

static void expect_flags(const struct vma *v, bool noexec, const char *want)
{
	char buf[128];
	int n = mm_proc_vmflags(buf, sizeof buf, v, noexec);
	ck_assert_str_eq(buf, want);
	ck_assert_int_eq(n, (int)strlen(want));
}

START_TEST(vmflags)
{
	/* as this kernel prints them for the same kinds of mapping */
	struct vma *v = mk(0x10000, 0x20000, PROT_READ | PROT_WRITE, 0, 0, 0, 0, 0, NULL);
	expect_flags(v, false, "rd wr mr mw me ac ");
	v->prot = PROT_NONE;
	v->flags = VM_NORESERVE;
	expect_flags(v, false, "mr mw me nr ");
	v->prot = PROT_READ | PROT_WRITE | PROT_EXEC;
	v->flags = 0;
	expect_flags(v, false, "rd wr ex mr mw me ac ");
	v->prot = PROT_READ | PROT_WRITE;
	v->flags = VM_LOCKED | VM_LOCKONFAULT;
	expect_flags(v, false, "rd wr mr mw me lo lf ac ");
	v->flags = VM_DONTFORK;
	expect_flags(v, false, "rd wr mr mw me dc ac ");
	v->flags = VM_WIPEONFORK;
	expect_flags(v, false, "rd wr mr mw me ac wf ");
	v->flags = VM_DROPPABLE;
	expect_flags(v, false, "rd wr mr mw me nr wf dd dp ");
	v->flags = VM_GROWSDOWN | VM_STACK;
	expect_flags(v, false, "rd wr mr mw me gd ac ");
	v->flags = VM_SHARED;
	expect_flags(v, false, "rd wr sh mr mw me ms ");
	v->prot = PROT_READ;
	expect_flags(v, false, "rd sh mr mw me ms ");
	v->flags = 0;
	v->prot = PROT_READ | PROT_EXEC;
	expect_flags(v, false, "rd ex mr mw me ");
	expect_flags(v, true, "rd ex mr mw ");
	vma_free(v);
}
END_TEST


/* the OOM killer's score (services/mm/oom.c), Linux's oom_badness(): rss + swap +
 * page-table pages, plus adj thousandths of the pool; -1000 is never a victim */
START_TEST(oom_badness)
{
	ck_assert_int_eq(mm_oom_badness(100, 0, 3, 0, 16384), 103);
	ck_assert_int_eq(mm_oom_badness(100, 5, 3, 0, 16384), 108);
	ck_assert_int_eq(mm_oom_badness(100, 0, 0, 1000, 16384), 100 + 16 * 1000);
	ck_assert_int_eq(mm_oom_badness(100, 0, 0, -500, 16384), 100 - 16 * 500);
	ck_assert(mm_oom_badness(1 << 20, 0, 0, -1000, 16384) == LONG_MIN);
	/* +1000 adds the whole pool (in thousandths, truncated as Linux does) */
	ck_assert(mm_oom_badness(1, 0, 0, 1000, 16384) > mm_oom_badness(15000, 0, 0, 0, 16384));
}
END_TEST

Suite *mm_proc_suite(void)
{
	Suite *s = suite_create("mm_proc");
	TCase *tc = tcase_create("maps_line");
	tcase_add_test(tc, anonymous_no_name);
	tcase_add_test(tc, anonymous_offset_is_zero);
	tcase_add_test(tc, heap_and_stack);
	tcase_add_test(tc, host_file_lines);
	tcase_add_test(tc, managed_objects);
	tcase_add_test(tc, gate_area);
	tcase_add_test(tc, padding_edges);
	tcase_add_test(tc, long_paths_and_short_buffers);
	tcase_add_test(tc, vmflags);
	tcase_add_test(tc, oom_badness);
	suite_add_tcase(s, tc);
	return s;
}
