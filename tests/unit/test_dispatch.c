/* tests/unit/test_dispatch.c - core/dispatch: handlers are called through libffi with
 * their natural C types: int arguments are truncated to 32 bits and sign-extended
 * (upper garbage dropped, as the kernel's SYSCALL_DEFINE wrappers do), pointers
 * arrive as 64-bit guest addresses, and the handler's reply comes back unchanged.
 * Tasks are fake (host tids that are never signalled): the handlers used here only
 * translate ids and rewrite arguments. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <unistd.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include "core/dispatch.h"
#include "core/guest_mem.h"
#include "core/syscall_table.h"
#include "core/task.h"
#include "tests/unit/unit.h"

#define HOST0 700000	/* fake host tids: HOST0 + virtual number */

static struct task *tasks[8];	/* tasks[v] has virtual id v */

/* init (1) -> 2 -> threads 3, 4 of process 2; 5 a child of 2 */
static void setup(void)
{
	unit_tables_init();
	task_table_reset();
	memset(tasks, 0, sizeof tasks);
	tasks[1] = task_create(HOST0 + 1, NULL, NULL);
	task_set_pgrp(tasks[1], HOST0 + 1);
	task_set_session(tasks[1], HOST0 + 1);
	tasks[2] = task_create(HOST0 + 2, NULL, tasks[1]);
	tasks[3] = task_create(HOST0 + 3, tasks[2], NULL);
	tasks[4] = task_create(HOST0 + 4, tasks[2], NULL);
	tasks[5] = task_create(HOST0 + 5, NULL, tasks[2]);
	for (int v = 1; v <= 5; v++) {
		ck_assert_ptr_nonnull(tasks[v]);
		ck_assert_int_eq(task_vtid(tasks[v]), v);
		tasks[v]->state = TASK_RUNNING;
	}
}

static void teardown(void) { task_table_reset(); }

static struct sysreq req(struct task *t, long nr, uint64_t a0, uint64_t a1, uint64_t a2,
			 uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct sysreq r;
	memset(&r, 0, sizeof r);
	r.task = t;
	r.nr = nr;
	r.args[0] = a0; r.args[1] = a1; r.args[2] = a2;
	r.args[3] = a3; r.args[4] = a4; r.args[5] = a5;
	return r;
}

START_TEST(init_succeeds)
{
	ck_assert_int_eq(dispatch_init(), 0);	/* idempotent */
}
END_TEST

START_TEST(ctypes)
{
	ck_assert_int_eq(arg_ctype(A_INT), CT_INT);
	ck_assert_int_eq(arg_ctype(A_PID), CT_INT);
	ck_assert_int_eq(arg_ctype(A_SIG), CT_INT);
	ck_assert_int_eq(arg_ctype(A_FD), CT_INT);
	ck_assert_int_eq(arg_ctype(A_DIRFD), CT_INT);
	ck_assert_int_eq(arg_ctype(A_OPEN_FLAGS), CT_INT);
	ck_assert_int_eq(arg_ctype(A_UINT), CT_UINT);
	ck_assert_int_eq(arg_ctype(A_MODE), CT_UINT);
	ck_assert_int_eq(arg_ctype(A_IOCTL_CMD), CT_UINT);
	ck_assert_int_eq(arg_ctype(A_LONG), CT_LONG);
	ck_assert_int_eq(arg_ctype(A_SSIZE), CT_LONG);
	ck_assert_int_eq(arg_ctype(A_OFF), CT_LONG);
	ck_assert_int_eq(arg_ctype(A_ULONG), CT_ULONG);
	ck_assert_int_eq(arg_ctype(A_SIZE), CT_ULONG);
	ck_assert_int_eq(arg_ctype(A_CLONE_FLAGS), CT_ULONG);
	ck_assert_int_eq(arg_ctype(A_PTR), CT_GPTR);
	ck_assert_int_eq(arg_ctype(A_PATH), CT_GPTR);
	ck_assert_int_eq(arg_ctype(A_STAT), CT_GPTR);
	ck_assert_int_eq(arg_ctype(A_SIGINFO), CT_GPTR);
}
END_TEST

START_TEST(getpid_gettid_getppid)
{
	struct sysreq r = req(tasks[3], SYS_getpid, ~0ull, ~0ull, ~0ull, ~0ull, ~0ull, ~0ull);
	ck_assert_int_eq(dispatch_call(&r), 2);		/* a thread sees its process id */
	r = req(tasks[3], SYS_gettid, 0, 0, 0, 0, 0, 0);
	ck_assert_int_eq(dispatch_call(&r), 3);
	r = req(tasks[2], SYS_gettid, 0, 0, 0, 0, 0, 0);
	ck_assert_int_eq(dispatch_call(&r), 2);
	r = req(tasks[4], SYS_getppid, 0, 0, 0, 0, 0, 0);
	ck_assert_int_eq(dispatch_call(&r), 1);
	r = req(tasks[5], SYS_getppid, 0, 0, 0, 0, 0, 0);
	ck_assert_int_eq(dispatch_call(&r), 2);
	r = req(tasks[1], SYS_getppid, 0, 0, 0, 0, 0, 0);
	ck_assert_int_eq(dispatch_call(&r), 0);		/* init's parent is outside */
	r = req(tasks[1], SYS_getpid, 0, 0, 0, 0, 0, 0);
	ck_assert_int_eq(dispatch_call(&r), 1);
	ck_assert_uint_eq(r.args_dirty, 0);
}
END_TEST

/* kill(pid, sig): both int. Garbage in the upper halves must be dropped. */
START_TEST(kill_truncates_int_args)
{
	struct sysreq r = req(tasks[2], SYS_kill, 0xffffffff00000000ull | 5, 0xdead000000000000ull | 9,
			      0x1111, 0x2222, 0x3333, 0x4444);
	ck_assert_int_eq(dispatch_call(&r), SYSRET_NATIVE);
	ck_assert_uint_eq(r.args_dirty, 1);
	ck_assert_uint_eq(r.args[0], HOST0 + 5);	/* sys_kill saw pid 5 */
	ck_assert_uint_eq(r.args[1], 0xdead000000000000ull | 9);	/* untouched */
}
END_TEST

/* The low half is sign-extended: 0x00000000fffffffb is pid -5, process group 5. */
START_TEST(kill_sign_extends_int_args)
{
	struct sysreq r = req(tasks[2], SYS_kill, 0x00000000fffffffbull, 15, 0, 0, 0, 0);
	ck_assert_int_eq(dispatch_call(&r), SYSRET_NATIVE);
	ck_assert_uint_eq(r.args_dirty, 1);
	ck_assert_int_eq((long)r.args[0], -(long)(HOST0 + 5));

	/* sig 0xffffffff is -1: invalid */
	r = req(tasks[2], SYS_kill, 5, 0x00000000ffffffffull, 0, 0, 0, 0);
	ck_assert_int_eq(dispatch_call(&r), -EINVAL);
	/* sig 65 in the low half, upper bits set: still invalid */
	r = req(tasks[2], SYS_kill, 5, 0x7fffffff00000041ull, 0, 0, 0, 0);
	ck_assert_int_eq(dispatch_call(&r), -EINVAL);
}
END_TEST

START_TEST(kill_unknown_pid)
{
	struct sysreq r = req(tasks[2], SYS_kill, 42, 9, 0, 0, 0, 0);
	ck_assert_int_eq(dispatch_call(&r), -ESRCH);
	ck_assert_uint_eq(r.args_dirty, 0);
	/* a gone thread cannot be named either */
	task_thread_gone(tasks[4], 0);
	r = req(tasks[2], SYS_kill, 0x100000004ull, 9, 0, 0, 0, 0);
	ck_assert_int_eq(dispatch_call(&r), -ESRCH);
	/* pid 0 (own group) runs natively unchanged */
	r = req(tasks[2], SYS_kill, 0xffffffff00000000ull, 9, 0, 0, 0, 0);
	ck_assert_int_eq(dispatch_call(&r), SYSRET_NATIVE);
	ck_assert_uint_eq(r.args_dirty, 0);
}
END_TEST

/* kcmp(pid1, pid2, type, idx1, idx2): two int ids among five arguments */
START_TEST(several_args)
{
	struct sysreq r = req(tasks[2], SYS_kcmp, 0xabcd000000000002ull, 0x1234000000000005ull, 7,
			      0xfedcba9876543210ull, 0x0123456789abcdefull, 0);
	ck_assert_int_eq(dispatch_call(&r), SYSRET_NATIVE);
	ck_assert_uint_eq(r.args_dirty, 3);
	ck_assert_uint_eq(r.args[0], HOST0 + 2);
	ck_assert_uint_eq(r.args[1], HOST0 + 5);
	ck_assert_uint_eq(r.args[3], 0xfedcba9876543210ull);

	/* tgkill(tgid, tid, sig): tid 3 is a thread of 2 */
	r = req(tasks[5], SYS_tgkill, 0xffffffff00000002ull, 0xffffffff00000003ull, 10, 0, 0, 0);
	ck_assert_int_eq(dispatch_call(&r), SYSRET_NATIVE);
	ck_assert_uint_eq(r.args[0], HOST0 + 2);
	ck_assert_uint_eq(r.args[1], HOST0 + 3);
	r = req(tasks[5], SYS_tgkill, 5, 3, 10, 0, 0, 0);	/* 3 is not in group 5 */
	ck_assert_int_eq(dispatch_call(&r), -ESRCH);
}
END_TEST

/* getpgid/getsid read the table; setpgid's pgid is an int: 0xffffffff is -1 */
START_TEST(group_ids)
{
	struct sysreq r = req(tasks[5], SYS_getpgid, 0xffffffff00000000ull, 0, 0, 0, 0, 0);
	ck_assert_int_eq(dispatch_call(&r), 1);		/* inherited from init */
	r = req(tasks[5], SYS_getsid, 2, 0, 0, 0, 0, 0);
	ck_assert_int_eq(dispatch_call(&r), 1);
	r = req(tasks[5], SYS_getpgid, 77, 0, 0, 0, 0, 0);
	ck_assert_int_eq(dispatch_call(&r), -ESRCH);
	r = req(tasks[5], SYS_setpgid, 0, 0xffffffffull, 0, 0, 0, 0);
	ck_assert_int_eq(dispatch_call(&r), -EINVAL);
}
END_TEST

/* fcntl(fd, F_SETOWN, arg): arg is an unsigned long the handler reads as an int pid,
 * negative for a process group. */
START_TEST(fcntl_setown)
{
	struct sysreq r = req(tasks[2], SYS_fcntl, 3, F_SETOWN, 0xfffffffffffffffbull, 0, 0, 0);
	ck_assert_int_eq(dispatch_call(&r), SYSRET_NATIVE);
	ck_assert_int_eq((long)r.args[2], -(long)(HOST0 + 5));
	r = req(tasks[2], SYS_fcntl, 3, F_SETOWN, 5, 0, 0, 0);
	ck_assert_int_eq(dispatch_call(&r), SYSRET_NATIVE);
	ck_assert_uint_eq(r.args[2], HOST0 + 5);
	r = req(tasks[2], SYS_fcntl, 3, F_SETOWN, 99, 0, 0, 0);
	ck_assert_int_eq(dispatch_call(&r), -ESRCH);
}
END_TEST

/* The refused ptrace gets EPERM whatever its arguments */
START_TEST(refused)
{
	struct sysreq r = req(tasks[2], SYS_ptrace, 0 /* PTRACE_TRACEME */, 0, 0, 0, 0, 0);
	ck_assert_int_eq(dispatch_call(&r), -EPERM);
}
END_TEST

/* Guest pointers arrive as full 64-bit addresses: rt_sigqueueinfo's handler reads the
 * siginfo at `info` in a real process, translates its si_pid and pushes a copy below
 * the caller's stack pointer. */
static siginfo_t qinfo;
static char qstack[2048] __attribute__((aligned(16)));

START_TEST(guest_pointer_args)
{
	memset(&qinfo, 0, sizeof qinfo);
	qinfo.si_signo = SIGUSR1;
	qinfo.si_code = SI_QUEUE;
	qinfo.si_pid = 2;			/* virtual: the sender, process 2 */
	pid_t child = unit_sleeper_fork();
	task_table_reset();
	struct task *init = task_create(child, NULL, NULL);	/* the "guest" is the child */
	struct task *two = task_create(HOST0 + 2, NULL, init);
	(void)two;
	uint64_t info = (uint64_t)(uintptr_t)&qinfo;
	ck_assert_uint_gt(info, 0xffffffffull);	/* a PIE address: needs all 64 bits */
	struct sysreq r = req(init, SYS_rt_sigqueueinfo, 1, SIGUSR1, info, 0, 0, 0);
	r.sp = (uint64_t)(uintptr_t)(qstack + sizeof qstack);
	ck_assert_int_eq(dispatch_call(&r), SYSRET_NATIVE);
	ck_assert_uint_eq(r.args_dirty, 1 | 4);
	ck_assert_uint_eq(r.args[0], (uint64_t)child);
	ck_assert_uint_ne(r.args[2], info);	/* a translated copy ... */
	siginfo_t copy;
	ck_assert_int_eq(copy_from_guest(child, &copy, r.args[2], sizeof copy), 0);
	ck_assert_int_eq(copy.si_pid, HOST0 + 2);	/* ... with the host pid */
	ck_assert_int_eq(copy.si_signo, SIGUSR1);
	unit_kill_child(child);
}
END_TEST

/* A request for a syscall without a handler is a supervisor bug: abort */
START_TEST(no_handler_aborts)
{
	struct sysreq r = req(tasks[2], SYS_getuid, 0, 0, 0, 0, 0, 0);
	int null = open("/dev/null", O_WRONLY);
	dup2(null, 2);		/* the BUG message */
	dispatch_call(&r);
}
END_TEST

Suite *dispatch_suite(void)
{
	Suite *s = suite_create("dispatch");
	TCase *tc = tcase_create("dispatch");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, init_succeeds);
	tcase_add_test(tc, ctypes);
	tcase_add_test(tc, getpid_gettid_getppid);
	tcase_add_test(tc, kill_truncates_int_args);
	tcase_add_test(tc, kill_sign_extends_int_args);
	tcase_add_test(tc, kill_unknown_pid);
	tcase_add_test(tc, several_args);
	tcase_add_test(tc, group_ids);
	tcase_add_test(tc, fcntl_setown);
	tcase_add_test(tc, refused);
	tcase_add_test(tc, guest_pointer_args);
	tcase_add_test_raise_signal(tc, no_handler_aborts, SIGABRT);
	suite_add_tcase(s, tc);
	return s;
}
