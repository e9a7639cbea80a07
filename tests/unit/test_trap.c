/* tests/unit/test_trap.c - core/trap_ptrace (trap.h) and the tracer's handling of
 * seccomp and syscall-exit stops, on a real guest: a child under the default filter,
 * traced by the test. Each trapped syscall of the child is answered a different way:
 * emulated result, native with an exit hook, native with a rewritten argument (and
 * its restart), and the full path through tracer_handle() and the dispatcher; a
 * trap observer sees entries and results. Also the register
 * argument mapping and sysreq_push. */
#include <check.h>
#include <errno.h>
#include <stddef.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>
#include "core/filter.h"
#include "core/guest_mem.h"
#include "core/task.h"
#include "core/trap.h"
#include "core/tracer.h"
#include "tests/unit/unit.h"

START_TEST(regs_args_mapping)
{
	struct user_regs_struct r;
	memset(&r, 0, sizeof r);
	for (int i = 0; i < 6; i++) regs_set_arg(&r, i, 0x1000 + i);
	/* the x86-64 syscall convention */
	ck_assert_uint_eq(r.rdi, 0x1000);
	ck_assert_uint_eq(r.rsi, 0x1001);
	ck_assert_uint_eq(r.rdx, 0x1002);
	ck_assert_uint_eq(r.r10, 0x1003);
	ck_assert_uint_eq(r.r8, 0x1004);
	ck_assert_uint_eq(r.r9, 0x1005);
	ck_assert_uint_eq(r.rcx, 0);	/* not rcx: the syscall instruction clobbers it */
	for (int i = 0; i < 6; i++) ck_assert_uint_eq(regs_get_arg(&r, i), 0x1000 + i);
}
END_TEST

/* --- sysreq_push into a sleeping child's "stack" (a global buffer) --------------- */

static char stack_area[4096] __attribute__((aligned(16)));

START_TEST(push_below_red_zone)
{
	pid_t child = unit_sleeper_fork();
	struct task *t;
	struct sysreq r;
	char buf[32];
	task_table_reset();
	t = task_create(child, NULL, NULL);
	memset(&r, 0, sizeof r);
	r.task = t;
	r.sp = (uint64_t)(uintptr_t)(stack_area + sizeof stack_area);

	uint64_t a = sysreq_push(&r, "first", 6);
	ck_assert_uint_ne(a, 0);
	ck_assert_uint_eq(a % 16, 0);
	ck_assert_uint_le(a + 6, r.sp - 128);		/* below the red zone */
	ck_assert_uint_eq(r.scratch, a);
	uint64_t b = sysreq_push(&r, "second", 7);
	ck_assert_uint_le(b + 7, a);			/* below the first */
	ck_assert_uint_eq(b % 16, 0);
	ck_assert_int_eq(copy_from_guest(child, buf, a, 6), 0);
	ck_assert_str_eq(buf, "first");
	ck_assert_int_eq(copy_from_guest(child, buf, b, 7), 0);
	ck_assert_str_eq(buf, "second");
	ck_assert_int_eq(stack_area[sizeof stack_area - 200], 0);	/* ours untouched */

	/* an unmapped stack, and one too close to 0 to hold the data: EFAULT */
	r.scratch = 0;
	r.sp = 0x2000;
	ck_assert_uint_eq(sysreq_push(&r, "x", 1), 0);
	r.sp = 0x100;
	ck_assert_uint_eq(sysreq_push(&r, buf, 32), 0);
	ck_assert_uint_eq(r.scratch, 0);
	unit_kill_child(child);
	task_table_reset();
}
END_TEST

/* --- a guest under the filter ------------------------------------------------------ */

static pid_t g;
static int report[2], go[2];
static struct task *t;

static void guest_main(const struct sock_fprog *prog)
{
	char c;
	long r[5];
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (read(go[0], &c, 1) != 1) _exit(2);
	if (filter_install(prog)) _exit(3);
	r[0] = syscall(SYS_getppid);		/* emulated: 77 */
	r[1] = syscall(SYS_getpgid, 0);		/* native + exit hook: pgid + 1000 */
	r[2] = syscall(SYS_kill, 999999999, 0);	/* native, pid rewritten to ours: 0 */
	r[3] = syscall(SYS_getpid);		/* via tracer_handle: virtual pid 1 */
	r[4] = syscall(SYS_kill, 999999998, 0);	/* rewritten, "interrupted" for a restart */
	if (r[4] < 0) r[4] = -errno;
	if (write(report[1], r, sizeof r) != sizeof r) _exit(4);
	for (;;) pause();
}

static void setup(void)
{
	struct sock_fprog prog;
	unit_tables_init();
	task_table_reset();
	ck_assert_int_eq(filter_build(FILTER_DEFAULT, &prog), 0);
	ck_assert_int_eq(pipe(report), 0);
	ck_assert_int_eq(pipe(go), 0);
	g = fork();
	ck_assert_int_ge(g, 0);
	if (g == 0) guest_main(&prog);
	free(prog.filter);
	ck_assert_int_eq(ptrace(PTRACE_SEIZE, g, 0, PTRACE_O_EXITKILL | PTRACE_O_TRACESECCOMP |
				PTRACE_O_TRACESYSGOOD), 0);
	ck_assert_int_eq(write(go[1], "g", 1), 1);
	t = task_create(g, NULL, NULL);
	ck_assert_ptr_nonnull(t);
	t->state = TASK_RUNNING;
}

static void teardown(void)
{
	unit_kill_child(g);
	g = 0;
	close(report[0]); close(report[1]);
	close(go[0]); close(go[1]);
	task_table_reset();
}

static int wait_stop(void)
{
	int st;
	pid_t w;
	while ((w = waitpid(g, &st, __WALL)) < 0 && errno == EINTR) {}
	ck_assert_int_eq(w, g);
	ck_assert_msg(WIFSTOPPED(st), "guest did not stop: %#x", st);
	return st;
}

/* Runs the guest to its next seccomp stop for `nr` and makes it the request in flight */
static int to_request(long nr)
{
	for (;;) {
		int st = wait_stop();
		if (st >> 16 == PTRACE_EVENT_SECCOMP) {
			t->stop = STOP_SECCOMP;
			t->state = TASK_TRAPPED;
			t->regs_valid = false;
			ck_assert_int_eq(trap_request_from_stop(t), 0);
			if (t->req.nr == nr) return st;
			trap_reply(t, SYSRET_NATIVE);
			continue;
		}
		ptrace(PTRACE_CONT, g, 0, (st >> 16) || WSTOPSIG(st) == SIGTRAP ? 0 : WSTOPSIG(st));
	}
}

static long plus_1000(struct sysreq *r, long ret) { return ret + 1000; }

/* an observer (trap.h) that records what it sees */
static struct { int entries, exits, signals, gone; long last_exit; long entry_nr; } seen;
static void obs_entry(struct task *tk) { seen.entries++; seen.entry_nr = tk->req.nr; }
static void obs_exit(struct task *tk, long ret) { seen.exits++; seen.last_exit = ret; }
static void obs_signal(struct task *tk, const siginfo_t *si) { seen.signals++; }
static void obs_gone(struct task *tk, int st) { seen.gone++; }
static const struct trap_observer recorder = {
	.syscall_entry = obs_entry, .syscall_exit = obs_exit, .signal = obs_signal,
	.task_gone = obs_gone, .want_exit = false,
};

START_TEST(replies)
{
	long got[5];
	memset(&seen, 0, sizeof seen);
	trap_observer = &recorder;

	to_request(SYS_getppid);
	ck_assert_ptr_eq(t->req.task, t);
	ck_assert_uint_eq(t->gadget, t->req.ip - 2);
	ck_assert_uint_ne(t->req.sp, 0);
	trap_reply(t, 77);
	ck_assert_int_eq(t->state, TASK_RUNNING);
	ck_assert_int_eq(t->stop, STOP_NONE);
	ck_assert_int_eq(seen.exits, 1);	/* an emulated result is seen at once */
	ck_assert_int_eq(seen.last_exit, 77);

	to_request(SYS_getpgid);
	ck_assert_uint_eq(t->req.args[0], 0);
	sysreq_on_exit(&t->req, plus_1000);
	trap_reply(t, SYSRET_NATIVE);
	ck_assert(t->in_syscall_hook);
	int st = wait_stop();
	ck_assert_int_eq(WSTOPSIG(st), SIGTRAP | 0x80);	/* syscall-exit-stop */
	tracer_handle(g, st);
	ck_assert(!t->in_syscall_hook);
	ck_assert_ptr_null(t->req.on_exit);
	ck_assert_int_eq(seen.exits, 2);	/* the result after the hook */
	ck_assert_int_eq(seen.last_exit, getpgid(0) + 1000);

	to_request(SYS_kill);
	ck_assert_uint_eq(t->req.args[0], 999999999);
	sysreq_set_arg(&t->req, 0, (uint64_t)g);
	ck_assert_uint_eq(t->req.args_dirty, 1);
	ck_assert_uint_eq(t->req.orig_args[0], 999999999);	/* kept for tracing */
	trap_reply(t, SYSRET_NATIVE);
	/* rewritten arguments are put back at the exit stop: a syscall leaves its
	 * argument registers as they were (glibc's __brk reads %rdi after the call),
	 * and a restart must see the guest's own arguments */
	ck_assert(t->in_syscall_hook);
	st = wait_stop();
	ck_assert_int_eq(WSTOPSIG(st), SIGTRAP | 0x80);
	tracer_handle(g, st);
	ck_assert_uint_eq(t->regs.rdi, 999999999);

	/* the whole path: stop -> request -> dispatcher -> sys_getpid -> reply */
	st = wait_stop();
	ck_assert_int_eq(st >> 16, PTRACE_EVENT_SECCOMP);
	tracer_handle(g, st);
	ck_assert_int_eq(t->req.nr, SYS_getpid);
	ck_assert_int_eq(seen.entries, 1);	/* only tracer_handle calls the entry hook */
	ck_assert_int_eq(seen.entry_nr, SYS_getpid);
	ck_assert_int_eq(seen.exits, 4);
	ck_assert_int_eq(seen.last_exit, 1);
	trap_observer = NULL;

	/* a native call with a rewritten argument ends in -ERESTARTNOHAND (as if a
	 * signal interrupted it): the guest's own argument goes back into its register
	 * so the restarted call is trapped and translated afresh */
	to_request(SYS_kill);
	sysreq_set_arg(&t->req, 0, (uint64_t)g);
	trap_reply(t, SYSRET_NATIVE);
	st = wait_stop();
	ck_assert_int_eq(WSTOPSIG(st), SIGTRAP | 0x80);
	ck_assert_int_eq(ptrace(PTRACE_POKEUSER, g, offsetof(struct user_regs_struct, rax), -514L), 0);
	ck_assert_int_eq(ptrace(PTRACE_GETREGS, g, 0, &t->regs), 0);
	ck_assert_uint_eq(t->regs.rdi, (uint64_t)g);
	tracer_handle(g, st);
	ck_assert_uint_eq(t->regs.rdi, 999999998);

	ck_assert_int_eq(read(report[0], got, sizeof got), sizeof got);
	ck_assert_int_eq(got[0], 77);
	ck_assert_int_eq(got[1], getpgid(0) + 1000);
	ck_assert_int_eq(got[2], 0);
	ck_assert_int_eq(got[3], 1);
	ck_assert_int_eq(got[4], -514);	/* no signal pending: the guest sees it */
}
END_TEST

Suite *trap_suite(void)
{
	Suite *s = suite_create("trap");
	TCase *tc = tcase_create("regs");
	tcase_add_test(tc, regs_args_mapping);
	tcase_add_test(tc, push_below_red_zone);
	suite_add_tcase(s, tc);
	TCase *gc = tcase_create("guest");
	tcase_add_checked_fixture(gc, setup, teardown);
	tcase_set_timeout(gc, 10);
	tcase_add_test(gc, replies);
	suite_add_tcase(s, gc);
	return s;
}
