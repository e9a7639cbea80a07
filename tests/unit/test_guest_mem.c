/* tests/unit/test_guest_mem.c - core/guest_mem against a real process: a forked child
 * that only sleeps. fork copies the address space, so addresses of this process's
 * globals, heap and mappings made before the fork are valid in the child, with the
 * contents they had at the fork. */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>
#include "core/guest_mem.h"
#include "tests/unit/unit.h"

#define PAGE 4096ul

static char greeting[64] = "hello from the guest";
static char scratch[256];
static char longstr[3 * PAGE + 100];
static char *pages;		/* 3 pages: RW, RW, then unmapped in the child */
static char *ro_page;		/* read-only */
static pid_t child;

static void setup(void)
{
	int ready[2];
	char c;
	memset(longstr, 'a', sizeof longstr - 1);
	ro_page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(ro_page, MAP_FAILED);
	strcpy(ro_page, "read only");
	ck_assert_int_eq(mprotect(ro_page, PAGE, PROT_READ), 0);
	pages = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(pages, MAP_FAILED);
	memset(pages, 'x', 2 * PAGE);			/* no NUL up to the hole */
	memcpy(pages + PAGE - 4, "abc", 4);		/* "abc\0" ends page 0 */
	memcpy(pages + 2 * PAGE - 3, "yz", 3);		/* "yz\0" ends page 1 */
	/* The child unmaps the third page itself: nothing else runs in it, so nothing
	 * can map something else there. */
	ck_assert_int_eq(pipe(ready), 0);
	child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		munmap(pages + 2 * PAGE, PAGE);
		if (write(ready[1], "r", 1) != 1) _exit(1);
		for (;;) pause();
	}
	close(ready[1]);
	ck_assert_int_eq(read(ready[0], &c, 1), 1);
	close(ready[0]);
	/* from here on the parent's copies may differ from the child's */
}

static void teardown(void)
{
	unit_kill_child(child);
	child = 0;
	munmap(pages, 3 * PAGE);
	munmap(ro_page, PAGE);
}

static uint64_t ga(const void *p) { return (uint64_t)(uintptr_t)p; }

START_TEST(copy_from)
{
	char buf[64];
	memset(greeting, 0, sizeof greeting);	/* ours only: the child kept its copy */
	ck_assert_int_eq(copy_from_guest(child, buf, ga(greeting), sizeof buf), 0);
	ck_assert_str_eq(buf, "hello from the guest");
	ck_assert_int_eq(copy_from_guest(child, buf, ga(pages + PAGE - 4), 4), 0);
	ck_assert_str_eq(buf, "abc");
	ck_assert_int_eq(copy_from_guest(child, buf, ga(ro_page), 10), 0);
	ck_assert_str_eq(buf, "read only");
}
END_TEST

START_TEST(copy_to)
{
	char buf[32] = { 0 };
	ck_assert_int_eq(copy_to_guest(child, ga(scratch), "written", 8), 0);
	ck_assert_int_eq(scratch[0], 0);	/* it went to the child, not to us */
	ck_assert_int_eq(copy_from_guest(child, buf, ga(scratch), 8), 0);
	ck_assert_str_eq(buf, "written");
	/* across a page boundary */
	ck_assert_int_eq(copy_to_guest(child, ga(pages + PAGE - 2), "1234", 4), 0);
	ck_assert_int_eq(copy_from_guest(child, buf, ga(pages + PAGE - 2), 4), 0);
	ck_assert_mem_eq(buf, "1234", 4);
}
END_TEST

START_TEST(zero_length)
{
	ck_assert_int_eq(copy_from_guest(child, NULL, 0x10, 0), 0);
	ck_assert_int_eq(copy_to_guest(child, 0x10, NULL, 0), 0);
}
END_TEST

START_TEST(efault)
{
	char buf[16];
	ck_assert_int_eq(copy_from_guest(child, buf, 0x10, 4), -EFAULT);
	ck_assert_int_eq(copy_to_guest(child, 0x10, "x", 1), -EFAULT);
	ck_assert_int_eq(copy_from_guest(child, buf, 0, 1), -EFAULT);
	/* the munmap'd page, and reads that run into it */
	ck_assert_int_eq(copy_from_guest(child, buf, ga(pages + 2 * PAGE), 4), -EFAULT);
	ck_assert_int_eq(copy_from_guest(child, buf, ga(pages + 2 * PAGE - 2), 4), -EFAULT);
	ck_assert_int_eq(copy_to_guest(child, ga(pages + 2 * PAGE - 2), "abcd", 4), -EFAULT);
	/* read-only memory cannot be written, as copy_to_user */
	ck_assert_int_eq(copy_to_guest(child, ga(ro_page), "x", 1), -EFAULT);
	/* wrapping ranges and kernel addresses */
	ck_assert_int_eq(copy_from_guest(child, buf, UINT64_MAX - 2, 8), -EFAULT);
	ck_assert_int_eq(copy_to_guest(child, UINT64_MAX - 2, "12345678", 8), -EFAULT);
	ck_assert_int_eq(copy_from_guest(child, buf, 0xffffffff81000000ull, 8), -EFAULT);
	ck_assert_int_eq(guest_read_str(child, buf, 0x10, sizeof buf), -EFAULT);
}
END_TEST

START_TEST(efault_dead_process)
{
	char buf[8];
	unit_kill_child(child);
	ck_assert_int_eq(copy_from_guest(child, buf, ga(greeting), 4), -EFAULT);
	child = 0;
}
END_TEST

START_TEST(read_str)
{
	char buf[64];
	ck_assert_int_eq(guest_read_str(child, buf, ga(greeting), sizeof buf), 20);
	ck_assert_str_eq(buf, "hello from the guest");
	ck_assert_int_eq(guest_read_str(child, buf, ga(greeting + 20), sizeof buf), 0);
	ck_assert_str_eq(buf, "");
}
END_TEST

/* A string that ends right before an unmapped page is read; the kernel does the same
 * (strncpy_from_user stops at the NUL). */
START_TEST(read_str_before_hole)
{
	char buf[64];
	ck_assert_int_eq(guest_read_str(child, buf, ga(pages + 2 * PAGE - 3), sizeof buf), 2);
	ck_assert_str_eq(buf, "yz");
	/* starting on the previous page, crossing into the last mapped one */
	char *big = malloc(PAGE + 16);
	ck_assert_int_eq(guest_read_str(child, big, ga(pages + PAGE - 4), PAGE + 16), 3);
	ck_assert_int_eq(guest_read_str(child, big, ga(pages + PAGE), PAGE + 16), PAGE - 1);
	ck_assert_int_eq(big[0], 'x');
	ck_assert_int_eq(big[PAGE - 3], 'y');
	ck_assert_int_eq(big[PAGE - 1], 0);
	/* from the middle of page 0 into page 1: after overwriting the NUL of "abc" */
	ck_assert_int_eq(copy_to_guest(child, ga(pages + PAGE - 1), "d", 1), 0);
	ck_assert_int_eq(guest_read_str(child, big, ga(pages + PAGE - 4), PAGE + 16), PAGE + 3);
	free(big);
}
END_TEST

START_TEST(read_str_into_hole)
{
	char buf[64];
	char *p = pages + 2 * PAGE - 8;	/* "xxxxx" "yz\0": ok */
	ck_assert_int_eq(guest_read_str(child, buf, ga(p), sizeof buf), 7);
	/* overwrite the NUL in the child: now the string runs into the hole */
	ck_assert_int_eq(copy_to_guest(child, ga(pages + 2 * PAGE - 1), "!", 1), 0);
	ck_assert_int_eq(guest_read_str(child, buf, ga(p), sizeof buf), -EFAULT);
	/* a string starting in the hole */
	ck_assert_int_eq(guest_read_str(child, buf, ga(pages + 2 * PAGE), sizeof buf), -EFAULT);
}
END_TEST

START_TEST(read_str_long)
{
	char *buf = malloc(sizeof longstr + 10);
	long n = guest_read_str(child, buf, ga(longstr), sizeof longstr);
	ck_assert_int_eq(n, sizeof longstr - 1);	/* several pages */
	ck_assert_int_eq(buf[n], 0);
	ck_assert_int_eq(buf[0], 'a');
	ck_assert_int_eq(buf[n - 1], 'a');
	free(buf);
}
END_TEST

START_TEST(read_str_too_long)
{
	char buf[16];
	/* "hello from the guest" is 20 chars: it needs 21 bytes */
	memset(buf, '#', sizeof buf);
	ck_assert_int_eq(guest_read_str(child, buf, ga(greeting), 5), -ENAMETOOLONG);
	ck_assert_int_eq(buf[4], 0);		/* truncated and terminated */
	ck_assert_int_eq(buf[5], '#');		/* nothing written past max */
	char big[32];
	ck_assert_int_eq(guest_read_str(child, big, ga(greeting), 20), -ENAMETOOLONG);
	ck_assert_int_eq(guest_read_str(child, big, ga(greeting), 21), 20);
	ck_assert_str_eq(big, "hello from the guest");
	/* a string longer than max that faults later is still too long, not a fault */
	ck_assert_int_eq(guest_read_str(child, buf, ga(pages + 2 * PAGE - 10), 4), -ENAMETOOLONG);
}
END_TEST

/* max = 0: no room even for the NUL; nothing may be written */
START_TEST(read_str_zero_max)
{
	char buf[8];
	memset(buf, '#', sizeof buf);
	long n = guest_read_str(child, buf + 4, ga(greeting), 0);
	ck_assert_int_eq(n, -ENAMETOOLONG);
	ck_assert_msg(buf[3] == '#', "guest_read_str(max = 0) wrote dst[-1]");
}
END_TEST

Suite *guest_mem_suite(void)
{
	Suite *s = suite_create("guest_mem");
	TCase *tc = tcase_create("guest_mem");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, copy_from);
	tcase_add_test(tc, copy_to);
	tcase_add_test(tc, zero_length);
	tcase_add_test(tc, efault);
	tcase_add_test(tc, efault_dead_process);
	tcase_add_test(tc, read_str);
	tcase_add_test(tc, read_str_before_hole);
	tcase_add_test(tc, read_str_into_hole);
	tcase_add_test(tc, read_str_long);
	tcase_add_test(tc, read_str_too_long);
	tcase_add_test(tc, read_str_zero_max);
	suite_add_tcase(s, tc);
	return s;
}
