/* tests/unit/test_syscall_table.c - core/syscall_table: names and numbers come from
 * libseccomp; the rows are self-consistent (names, handlers, statuses, argument lists
 * and trap conditions) and match the kernel's prototypes for known syscalls. */
#include <check.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include "core/dispatch.h"
#include "core/syscall_table.h"
#include "services/mm/mm.h"
#include "tests/unit/unit.h"

static void setup(void)
{
	unit_tables_init();
	ck_assert_int_eq(syscall_table_init(), 0);	/* idempotent */
}

static const struct syscall_desc *by_name(const char *name)
{
	long nr = syscall_lookup(name);
	ck_assert_msg(nr >= 0, "no number for %s", name);
	const struct syscall_desc *d = syscall_desc(nr);
	ck_assert_ptr_nonnull(d);
	return d;
}

START_TEST(names_from_libseccomp)
{
	ck_assert_str_eq(syscall_desc(39)->name, "getpid");
	ck_assert_str_eq(syscall_desc(0)->name, "read");
	ck_assert_str_eq(syscall_desc(SYS_kill)->name, "kill");
	ck_assert_int_eq(syscall_lookup("openat"), 257);
	ck_assert_int_eq(syscall_lookup("getpid"), SYS_getpid);
	ck_assert_int_eq(syscall_lookup("kill"), 62);
	ck_assert_int_eq(syscall_lookup("no_such_syscall"), -1);
	ck_assert_int_eq(syscall_lookup(""), -1);
}
END_TEST

/* Every number libseccomp knows has its name in the table, and the name maps back. */
START_TEST(names_round_trip)
{
	unsigned named = 0;
	for (long nr = 0; nr < SYSCALL_MAX; nr++) {
		const struct syscall_desc *d = syscall_desc(nr);
		char *ref = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, (int)nr);
		if (ref) {
			ck_assert_msg(d->name && !strcmp(d->name, ref), "nr %ld: %s vs libseccomp %s",
				      nr, d->name ? d->name : "(null)", ref);
			ck_assert_int_eq(syscall_lookup(d->name), nr);
			named++;
		} else {
			ck_assert_msg(!d->name, "nr %ld has a name libseccomp does not know", nr);
		}
		free(ref);
	}
	ck_assert_uint_gt(named, 300);
}
END_TEST

START_TEST(desc_range)
{
	ck_assert_ptr_null(syscall_desc(-1));
	ck_assert_ptr_null(syscall_desc(SYSCALL_MAX));
	ck_assert_ptr_null(syscall_desc(1L << 40));
	ck_assert_ptr_nonnull(syscall_desc(0));
	ck_assert_ptr_nonnull(syscall_desc(SYSCALL_MAX - 1));
	/* unassigned numbers still have a row, unnamed and unknown */
	ck_assert_ptr_null(syscall_desc(SYSCALL_MAX - 1)->name);
	ck_assert_int_eq(syscall_desc(SYSCALL_MAX - 1)->status, ST_UNKNOWN);
}
END_TEST

START_TEST(rows_consistent)
{
	unsigned rows = 0, trapped = 0;
	for (long nr = 0; nr < SYSCALL_MAX; nr++) {
		const struct syscall_desc *d = syscall_desc(nr);
		ck_assert_int_le(d->status, ST_REFUSED);
		if (d->status == ST_UNKNOWN) {
			ck_assert_msg(!d->handler && !d->when && d->nargs == 0 && d->cls == 0,
				      "nr %ld (%s): unknown row with contents", nr, d->name);
			continue;
		}
		rows++;
		ck_assert_msg(d->name != NULL, "row %ld has no name", nr);
		ck_assert_msg(d->nargs <= 6, "%s: %u args", d->name, d->nargs);
		for (int i = 0; i < 6; i++) {
			if (i < d->nargs) {
				enum arg_type ty = A_TYPE(d->args[i]);
				ck_assert_msg(ty != A_NONE && ty < A_TYPE_COUNT,
					      "%s: arg %d has no type", d->name, i);
				/* only what a pointer points to can be written by the call */
				if (A_IS_OUT(d->args[i]))
					ck_assert_msg(arg_ctype(ty) == CT_GPTR,
						      "%s: output arg %d is not a pointer", d->name, i);
			} else {
				ck_assert_msg(d->args[i] == A_NONE, "%s: type past nargs", d->name);
			}
		}
		ck_assert_msg(d->ret != A_NONE && d->ret < A_TYPE_COUNT, "%s: bad return type", d->name);
		if (d->status == ST_NATIVE) {
			ck_assert_msg(!d->handler && !d->when, "%s: native row with handler", d->name);
			ck_assert(!syscall_is_trapped(d));
		} else {	/* emulated or refused: trapped, so it needs a handler */
			ck_assert_msg(d->handler != NULL, "%s: trapped without handler", d->name);
			/* the memory manager's rows are trapped only while it runs */
			ck_assert(syscall_is_trapped(d) || (d->needs_mm && !mm_active()));
			trapped++;
		}
		if (syscall_is_trapped(d))
			ck_assert_ptr_nonnull(d->handler);
		if (d->when) {
			ck_assert_msg(d->when->arg < d->nargs, "%s: condition on arg %u", d->name, d->when->arg);
			ck_assert_msg(d->when->op <= TRAP_IF_CLEAR, "%s: condition op %u", d->name, d->when->op);
			if (d->when->op == TRAP_IF_ONE_OF)
				ck_assert_msg(d->when->count >= 1 && d->when->count <= 6, "%s: %u values",
					      d->name, d->when->count);
			if (d->when->op == TRAP_IF_CLEAR)
				ck_assert_msg(d->when->mask != 0, "%s: empty mask", d->name);
		}
	}
	ck_assert_uint_gt(rows, 250);
	ck_assert_uint_gt(trapped, 50);
}
END_TEST

/* Argument counts of the kernel's SYSCALL_DEFINEn for x86-64 (as strace lists them). */
static const struct { const char *name; int nargs; } protos[] = {
	{ "read", 3 }, { "write", 3 }, { "openat", 4 }, { "open", 3 }, { "close", 1 },
	{ "kill", 2 }, { "tgkill", 3 }, { "getpid", 0 }, { "gettid", 0 }, { "mmap", 6 },
	{ "munmap", 2 }, { "clone", 5 }, { "clone3", 2 }, { "execve", 3 }, { "execveat", 5 },
	{ "wait4", 4 }, { "waitid", 5 }, { "futex", 6 }, { "ioctl", 3 }, { "fcntl", 3 },
	{ "prctl", 5 }, { "statx", 5 }, { "newfstatat", 4 }, { "rt_sigaction", 4 },
	{ "rt_sigprocmask", 4 }, { "ppoll", 5 }, { "pselect6", 6 }, { "splice", 6 },
	{ "process_vm_readv", 6 }, { "kcmp", 5 }, { "prlimit64", 4 }, { "sendto", 6 },
	{ "recvfrom", 6 }, { "getsockopt", 5 }, { "epoll_pwait", 6 }, { "io_uring_enter", 6 },
	{ "sched_getattr", 4 }, { "pidfd_send_signal", 4 }, { "linkat", 5 }, { "renameat2", 5 },
	{ "preadv", 4 }, { "pwritev", 4 },
	/* preadv2(fd, vec, vlen, pos_l, pos_h, flags): flags is the 6th register even on
	 * 64-bit (glibc passes LO_HI_LONG(offset), i.e. offset then 0) */
	{ "preadv2", 6 }, { "pwritev2", 6 },
};

START_TEST(arg_counts)
{
	char bad[512] = "";
	size_t n = 0;
	for (size_t i = 0; i < sizeof protos / sizeof protos[0]; i++) {
		unsigned have = by_name(protos[i].name)->nargs;
		if (have != (unsigned)protos[i].nargs && n < sizeof bad)
			n += snprintf(bad + n, sizeof bad - n, " %s (%u in the table, %d in the kernel)",
				      protos[i].name, have, protos[i].nargs);
	}
	ck_assert_msg(n == 0, "argument counts differ:%s", bad);
}
END_TEST

START_TEST(arg_types)
{
	const struct syscall_desc *d = by_name("kill");
	ck_assert_int_eq(d->args[0], A_PID);
	ck_assert_int_eq(d->args[1], A_SIG);
	ck_assert_int_eq(d->ret, A_INT);
	d = by_name("openat");
	ck_assert_int_eq(d->args[0], A_DIRFD);
	ck_assert_int_eq(d->args[1], A_PATH);
	ck_assert_int_eq(d->args[2], A_OPEN_FLAGS);
	ck_assert_int_eq(d->args[3], A_MODE);
	ck_assert_int_eq(d->ret, A_FD);
	d = by_name("mmap");
	ck_assert_int_eq(d->args[2], A_PROT);
	ck_assert_int_eq(d->args[5], A_HEX);
	ck_assert_int_eq(d->ret, A_PTR);
	d = by_name("wait4");
	ck_assert_int_eq(d->args[0], A_PID);
	ck_assert_int_eq(d->ret, A_PID);
}
END_TEST

START_TEST(output_args)
{
	ck_assert(A_IS_OUT(by_name("read")->args[1]));
	ck_assert_int_eq(A_TYPE(by_name("read")->args[1]), A_BUF);
	ck_assert(!A_IS_OUT(by_name("write")->args[1]));
	ck_assert(A_IS_OUT(by_name("wait4")->args[1]));
	ck_assert(!A_IS_OUT(by_name("wait4")->args[0]));
	ck_assert(A_IS_OUT(by_name("fstat")->args[1]));
	ck_assert(A_IS_OUT(by_name("pipe2")->args[0]));
	/* the dispatcher sees through the flag */
	ck_assert_int_eq(arg_ctype(by_name("read")->args[1]), CT_GPTR);
}
END_TEST

START_TEST(classes)
{
	ck_assert_uint_eq(by_name("openat")->cls, CL_FILE | CL_DESC);
	ck_assert(by_name("kill")->cls & CL_SIGNAL);
	ck_assert(by_name("kill")->cls & CL_PROCESS);
	ck_assert(by_name("mmap")->cls & CL_MEMORY);
	ck_assert(by_name("socket")->cls & CL_NETWORK);
	ck_assert(by_name("getuid")->cls & CL_CREDS);
	ck_assert(by_name("clock_gettime")->cls & CL_CLOCK);
	ck_assert(by_name("fstat")->cls & CL_STAT);
	ck_assert(by_name("shmget")->cls & CL_IPC);
	ck_assert(!(by_name("read")->cls & CL_FILE));
}
END_TEST

START_TEST(statuses_and_traps)
{
	ck_assert_int_eq(by_name("getpid")->status, ST_EMULATED);
	ck_assert(syscall_is_trapped(by_name("getpid")));
	ck_assert_ptr_null(by_name("getpid")->when);
	ck_assert_int_eq(by_name("read")->status, ST_NATIVE);
	ck_assert(!syscall_is_trapped(by_name("read")));
	ck_assert_int_eq(by_name("ptrace")->status, ST_REFUSED);
	ck_assert(syscall_is_trapped(by_name("ptrace")));
	ck_assert_int_eq(by_name("sysfs")->status, ST_UNKNOWN);
	ck_assert(!syscall_is_trapped(by_name("sysfs")));

	/* ioctl is trapped only for the job-control requests */
	const struct syscall_desc *d = by_name("ioctl");
	ck_assert(syscall_is_trapped(d));
	ck_assert_ptr_nonnull(d->when);
	ck_assert_uint_eq(d->when->arg, 1);
	ck_assert_int_eq(d->when->op, TRAP_IF_ONE_OF);
	int seen = 0;
	for (int i = 0; i < d->when->count; i++)
		if (d->when->values[i] == TIOCGPGRP) seen = 1;
	ck_assert(seen);
	/* pid arguments: trapped only when a pid is named (0 is the caller) */
	d = by_name("prlimit64");
	ck_assert(syscall_is_trapped(d));
	ck_assert_int_eq(d->when->op, TRAP_IF_NONZERO);
	ck_assert_uint_eq(d->when->arg, 0);
	ck_assert_int_eq(d->args[0], A_PID);
	/* newfstatat only with a path (fstat is newfstatat(fd, "", AT_EMPTY_PATH)) */
	d = by_name("newfstatat");
	ck_assert_int_eq(d->when->op, TRAP_IF_CLEAR);
	ck_assert_uint_eq(d->when->mask, AT_EMPTY_PATH);
	ck_assert_int_eq(A_TYPE(d->args[d->when->arg]), A_ATFLAGS);
}
END_TEST

START_TEST(names_for_humans)
{
	char buf[64];
	ck_assert_str_eq(syscall_class_names(CL_FILE | CL_DESC, buf, sizeof buf), "%file %desc");
	ck_assert_str_eq(syscall_class_names(0, buf, sizeof buf), "");
	ck_assert_str_eq(syscall_class_names(CL_PURE, buf, sizeof buf), "%pure");
	/* a short buffer truncates, never overflows */
	char small[32], guard[24];
	memset(small, 'X', sizeof small);
	memset(guard, 'X', sizeof guard);
	syscall_class_names(CL_FILE | CL_PROCESS | CL_MEMORY, small, 8);
	ck_assert_uint_eq(strlen(small), 7);
	ck_assert_mem_eq(small + 8, guard, sizeof guard);

	ck_assert_str_eq(syscall_status_name(ST_EMULATED), "emulated");
	ck_assert_str_eq(syscall_status_name(ST_REFUSED), "refused");
	ck_assert_str_eq(syscall_status_name(ST_NATIVE), "native");
	ck_assert_str_eq(syscall_status_name(99), "?");
}
END_TEST

Suite *syscall_table_suite(void)
{
	Suite *s = suite_create("syscall_table");
	TCase *tc = tcase_create("table");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, names_from_libseccomp);
	tcase_add_test(tc, names_round_trip);
	tcase_add_test(tc, desc_range);
	tcase_add_test(tc, rows_consistent);
	tcase_add_test(tc, arg_counts);
	tcase_add_test(tc, arg_types);
	tcase_add_test(tc, output_args);
	tcase_add_test(tc, classes);
	tcase_add_test(tc, statuses_and_traps);
	tcase_add_test(tc, names_for_humans);
	suite_add_tcase(s, tc);
	return s;
}
