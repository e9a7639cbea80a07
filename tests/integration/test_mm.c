/* tests/integration/test_mm.c - the memory-management guest programs (tests/guests/mm_*)
 * give the same stdout, stderr and exit status under Persona as natively: the exact
 * errno of every mmap/munmap/mprotect/mremap/brk/madvise/mincore/mlock/msync edge case,
 * fault signals and their siginfo, fork's copy-on-write, threads sharing one address
 * space, /proc/self/maps and friends, a 1 GiB touch-every-page run, and the kernel
 * using never-touched memory as syscall buffers. Each program prints facts, never
 * addresses, and exits non-zero when one of its own checks fails. */
#include <check.h>
#include "harness.h"
#include "suites.h"

#define SAME(name) \
	START_TEST(test_##name) { assert_same_as_native(ARGV((char *)guest(#name)), NULL); } END_TEST
SAME(mm_mmap_errno)
SAME(mm_segv)
SAME(mm_fork_cow)
SAME(mm_threads)
SAME(mm_maps)
SAME(mm_syscall_buffers)
SAME(mm_big)

Suite *mm_suite(void)
{
	Suite *s = suite_create("mm");
	/* longer than the two runs' own 60 s limits, so that a hung guest is killed by
	 * run_cmd (persona's process group) rather than orphaned by Check's timeout */
	TCase *tc = tcase_create("same-as-native");
	tcase_set_timeout(tc, 150);
	tcase_add_test(tc, test_mm_mmap_errno);
	tcase_add_test(tc, test_mm_segv);
	tcase_add_test(tc, test_mm_fork_cow);
	tcase_add_test(tc, test_mm_threads);
	tcase_add_test(tc, test_mm_maps);
	tcase_add_test(tc, test_mm_syscall_buffers);
	suite_add_tcase(s, tc);
	/* 262144 demand faults natively and again under Persona (about 5 s each on a
	 * VM where a fault costs 12-20 us); each run has its own 60 s limit */
	TCase *big = tcase_create("big");
	tcase_set_timeout(big, 150);
	tcase_add_test(big, test_mm_big);
	suite_add_tcase(s, big);
	return s;
}
