/* tests/unit/test_inject.c - core/inject against a real traced child.
 * The child sleeps in sigsuspend(); we attach (PTRACE_ATTACH: a SIGSTOP
 * signal-delivery-stop), make it a task and inject syscalls into it: results, errors,
 * registers restored, the child going on afterwards, signals that arrive during an
 * injection. A second child runs under the seccomp filter so injection can start
 * from a seccomp stop, after which the trapped syscall is still answered with
 * trap_reply() (emulated, or native: re-issued). */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>
#include "core/filter.h"
#include "core/guest_mem.h"
#include "core/inject.h"
#include "core/task.h"
#include "core/trap.h"
#include "core/tracer.h"
#include "tests/unit/unit.h"

static pid_t child;
static int report[2];		/* the child writes here */
static volatile sig_atomic_t usr1_count, usr2_count;
static struct task *t;

static void on_usr1(int sig) { if (sig == SIGUSR1) usr1_count++; else usr2_count++; }

/* Waits for SIGUSR1 in sigsuspend (SIGUSR1 blocked otherwise: no lost wake-up) and
 * reports each one. Tells the parent on `ready` once the handler is in place. */
static void sleeper_main(int ready)
{
	sigset_t usr1, none;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	signal(SIGUSR1, on_usr1);
	signal(SIGUSR2, on_usr1);
	sigemptyset(&none);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigaddset(&usr1, SIGUSR2);
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	if (write(ready, "r", 1) != 1) _exit(1);
	for (;;) {
		sigsuspend(&none);
		if (usr1_count && write(report[1], "u", 1) != 1) _exit(1);
	}
}

static int wait_stop(pid_t pid)
{
	int st;
	for (;;) {
		pid_t w = waitpid(pid, &st, __WALL);
		if (w < 0 && errno == EINTR) continue;
		ck_assert_int_eq(w, pid);
		ck_assert_msg(WIFSTOPPED(st), "child did not stop: status %#x", st);
		return st;
	}
}

/* Waits (at most ~2 s) until `pid` is blocked in syscall `nr` (/proc/PID/syscall) */
static int wait_in_syscall(pid_t pid, long nr)
{
	char path[64], line[256];
	snprintf(path, sizeof path, "/proc/%d/syscall", pid);
	for (int i = 0; i < 2000; i++) {
		FILE *f = fopen(path, "r");
		int in = f && fgets(line, sizeof line, f) && strtol(line, NULL, 10) == nr;
		if (f) fclose(f);
		if (in) return 1;
		usleep(1000);
	}
	return 0;
}

static void setup(void)
{
	unit_tables_init();
	task_table_reset();
	usr1_count = usr2_count = 0;
	int ready[2];
	char c;
	ck_assert_int_eq(pipe(report), 0);
	ck_assert_int_eq(pipe(ready), 0);
	fcntl(report[0], F_SETFL, O_NONBLOCK);
	child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0) sleeper_main(ready[1]);
	ck_assert_int_eq(read(ready[0], &c, 1), 1);
	close(ready[0]);
	close(ready[1]);
	/* attach only once it sleeps in sigsuspend, so every test starts from the same
	 * state (signals unblocked) */
	ck_assert_msg(wait_in_syscall(child, SYS_rt_sigsuspend), "child not in sigsuspend");
	ck_assert_int_eq(ptrace(PTRACE_ATTACH, child, 0, 0), 0);
	int st = wait_stop(child);
	ck_assert_int_eq(WSTOPSIG(st), SIGSTOP);
	t = task_create(child, NULL, NULL);
	ck_assert_ptr_nonnull(t);
	t->state = TASK_TRAPPED;
	t->stop = STOP_SIGNAL;
}

static void teardown(void)
{
	unit_kill_child(child);
	child = 0;
	close(report[0]);
	close(report[1]);
	task_table_reset();
}

static const uint64_t no_args[6];

static void getregs(pid_t pid, struct user_regs_struct *r)
{
	ck_assert_int_eq(ptrace(PTRACE_GETREGS, pid, 0, r), 0);
}

static void assert_regs_eq(const struct user_regs_struct *a, const struct user_regs_struct *b)
{
#define F(f) ck_assert_msg(a->f == b->f, #f ": %#llx before, %#llx after", \
			   (unsigned long long)a->f, (unsigned long long)b->f)
	F(rip); F(rsp); F(rbp); F(rax); F(orig_rax); F(rbx); F(rcx); F(rdx); F(rsi); F(rdi);
	F(r8); F(r9); F(r10); F(r11); F(r12); F(r13); F(r14); F(r15); F(eflags);
	F(fs_base); F(gs_base); F(cs); F(ss);
#undef F
}

/* Waits (at most ~2 s) for the child to report a byte. */
static int read_report(char *c)
{
	for (int i = 0; i < 2000; i++) {
		ssize_t n = read(report[0], c, 1);
		if (n == 1) return 1;
		usleep(1000);
	}
	return 0;
}

START_TEST(getpid_returns_host_pid)
{
	struct user_regs_struct before, after;
	getregs(child, &before);
	ck_assert_int_eq(inject_syscall(t, SYS_getpid, no_args), child);
	getregs(child, &after);
	assert_regs_eq(&before, &after);
	ck_assert_uint_ne(t->leader->gadget, 0);	/* found in the vDSO, cached */
	ck_assert(!t->regs_dirty);
	/* again, and another syscall */
	ck_assert_int_eq(inject_syscall(t, SYS_gettid, no_args), child);
	ck_assert_int_eq(inject_syscall(t, SYS_getppid, no_args), getpid());
	getregs(child, &after);
	assert_regs_eq(&before, &after);
}
END_TEST

START_TEST(mmap_is_usable)
{
	uint64_t args[6] = { 0, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			     (uint64_t)-1, 0 };
	char buf[16];
	long addr = inject_syscall(t, SYS_mmap, args);
	ck_assert_msg(addr > 0 && addr < (1L << 47), "mmap returned %#lx", addr);
	ck_assert_int_eq(addr & 4095, 0);
	ck_assert_int_eq(copy_to_guest(child, addr + 4090, "persona", 8), 0);
	ck_assert_int_eq(copy_from_guest(child, buf, addr + 4090, 8), 0);
	ck_assert_str_eq(buf, "persona");
	/* the mapping is the child's, not ours */
	char path[64], line[256];
	int found = 0;
	snprintf(path, sizeof path, "/proc/%d/maps", child);
	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof line, f))
		if (strtoul(line, NULL, 16) == (unsigned long)addr) found = 1;
	fclose(f);
	ck_assert(found);
	/* and it goes away with an injected munmap */
	uint64_t margs[6] = { (uint64_t)addr, 2 * 4096 };
	ck_assert_int_eq(inject_syscall(t, SYS_munmap, margs), 0);
	ck_assert_int_eq(copy_from_guest(child, buf, addr + 4090, 8), -EFAULT);
}
END_TEST

/* The batch routine (the stub's _start, loader/stub/stub.c) and a table for it, in
 * this binary, so at the same addresses in the forked child. */
extern char test_batch_routine[];
__asm__(".text\n"
	"test_batch_routine:\n"
	"1:	test %r13, %r13\n"
	"	jz 2f\n"
	"	mov 0(%r12), %rax\n"
	"	mov 8(%r12), %rdi\n"
	"	mov 16(%r12), %rsi\n"
	"	mov 24(%r12), %rdx\n"
	"	mov 32(%r12), %r10\n"
	"	mov 40(%r12), %r8\n"
	"	mov 48(%r12), %r9\n"
	"	syscall\n"
	"	mov %rax, 56(%r12)\n"
	"	add $64, %r12\n"
	"	dec %r13\n"
	"	jmp 1b\n"
	"2:	int3\n"
	"	ud2\n");
static struct inject_op batch_table[INJECT_BATCH_MAX];

/* Calls queued while a batch is open run in one stop, in order; the results come
 * back, queued calls return their predicted result, registers are kept, and the
 * child goes on. */
START_TEST(batch_runs_calls_in_order)
{
	struct user_regs_struct before, after;
	static struct inject_batch b;
	getregs(child, &before);
	b.code = (uint64_t)(uintptr_t)test_batch_routine;
	b.table = (uint64_t)(uintptr_t)batch_table;
	inject_batch_begin(t, &b);
	uint64_t map[6] = { 0x200000000000ULL, 4096, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, (uint64_t)-1, 0 };
	uint64_t unmap[6] = { 0x200000000000ULL, 4096 };
	ck_assert_int_eq(inject_syscall(t, SYS_mmap, map), 0x200000000000LL);	/* predicted */
	ck_assert_int_eq(inject_syscall(t, SYS_getpid, no_args), 0);
	ck_assert_int_eq(inject_syscall(t, SYS_munmap, unmap), 0);
	ck_assert_uint_eq(b.n, 3);
	ck_assert_int_eq(inject_batch_end(t), 0);
	ck_assert_ptr_null(t->batch);
	ck_assert_int_eq(b.op[0].ret, 0x200000000000LL);
	ck_assert_int_eq(b.op[1].ret, child);
	ck_assert_int_eq(b.op[2].ret, 0);
	getregs(child, &after);
	assert_regs_eq(&before, &after);
	/* a failing call: its errno comes back from the end of the batch */
	inject_batch_begin(t, &b);
	uint64_t bad_fd[6] = { (uint64_t)-1 };
	inject_syscall(t, SYS_getpid, no_args);
	inject_syscall(t, SYS_close, bad_fd);
	ck_assert_int_eq(inject_batch_end(t), -EBADF);
	char c;
	ck_assert_int_eq(trap_resume(t, 0), 0);
	ck_assert_int_eq(kill(child, SIGUSR1), 0);
	int st = wait_stop(child);
	ck_assert_int_eq(WSTOPSIG(st), SIGUSR1);
	ck_assert_int_eq(ptrace(PTRACE_CONT, child, 0, SIGUSR1), 0);
	ck_assert(read_report(&c));
}
END_TEST

START_TEST(errors_come_back)
{
	uint64_t bad_fd[6] = { (uint64_t)-1 };
	uint64_t bad_mmap[6] = { 0, 0 /* length */, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, (uint64_t)-1, 0 };
	ck_assert_int_eq(inject_syscall(t, 1000, no_args), -ENOSYS);
	ck_assert_int_eq(inject_syscall(t, SYS_close, bad_fd), -EBADF);
	ck_assert_int_eq(inject_syscall(t, SYS_mmap, bad_mmap), -EINVAL);
}
END_TEST

/* After injections the child goes on as before: its sigsuspend() restarts, and a signal
 * reaches its handler. */
START_TEST(child_continues)
{
	char c;
	ck_assert_int_eq(inject_syscall(t, SYS_getpid, no_args), child);
	ck_assert_int_eq(trap_resume(t, 0), 0);
	ck_assert_int_eq(kill(child, SIGUSR1), 0);
	int st = wait_stop(child);
	ck_assert_int_eq(WSTOPSIG(st), SIGUSR1);
	ck_assert_int_eq(ptrace(PTRACE_CONT, child, 0, SIGUSR1), 0);
	ck_assert(read_report(&c));
	ck_assert_int_eq(c, 'u');
}
END_TEST

/* A signal arriving while the syscall is injected is held, then re-sent. */
START_TEST(signal_during_injection_is_resent)
{
	char c;
	ck_assert_int_eq(kill(child, SIGUSR1), 0);	/* pending while stopped */
	ck_assert_int_eq(inject_syscall(t, SYS_getpid, no_args), child);
	ck_assert_int_eq(trap_resume(t, 0), 0);
	int st = wait_stop(child);			/* the re-sent signal */
	ck_assert_int_eq(WSTOPSIG(st), SIGUSR1);
	ck_assert_int_eq(ptrace(PTRACE_CONT, child, 0, SIGUSR1), 0);
	ck_assert(read_report(&c));
	ck_assert_int_eq(c, 'u');
}
END_TEST

/* Two different signals arrive during an injection: both must reach the guest. */
START_TEST(two_signals_during_injection)
{
	int seen_usr1 = 0, seen_usr2 = 0;
	ck_assert_int_eq(kill(child, SIGUSR1), 0);
	ck_assert_int_eq(kill(child, SIGUSR2), 0);
	ck_assert_int_eq(inject_syscall(t, SYS_getpid, no_args), child);
	ck_assert_int_eq(trap_resume(t, 0), 0);
	/* collect the signal-delivery-stops that follow (each comes at once on resume) */
	for (int i = 0; i < 500 && !(seen_usr1 && seen_usr2); i++) {
		int st;
		pid_t w = waitpid(child, &st, __WALL | WNOHANG);
		if (w != child) { usleep(1000); continue; }
		ck_assert(WIFSTOPPED(st));
		int sig = WSTOPSIG(st);
		if (sig == SIGUSR1) seen_usr1 = 1;
		if (sig == SIGUSR2) seen_usr2 = 1;
		ptrace(PTRACE_CONT, child, 0, sig);
	}
	ck_assert_msg(seen_usr2, "SIGUSR2 was not re-sent");
	ck_assert_msg(seen_usr1, "SIGUSR1, held during the injection, was lost");
}
END_TEST

START_TEST(dead_task)
{
	kill(child, SIGKILL);
	waitpid(child, NULL, __WALL);
	t->regs_valid = false;
	ck_assert_int_eq(inject_syscall(t, SYS_getpid, no_args), -ESRCH);
	child = 0;
}
END_TEST

/* --- injection at a seccomp stop ------------------------------------------------ */

static pid_t fchild;
static int go[2];

static void filtered_main(const struct sock_fprog *prog)
{
	char c;
	long r;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (read(go[0], &c, 1) != 1) _exit(2);
	if (filter_install(prog)) _exit(3);
	r = syscall(SYS_getppid);	/* trapped: answered by the test */
	if (write(report[1], &r, sizeof r) != sizeof r) _exit(4);
	r = syscall(SYS_getppid);	/* trapped: answered natively after an injection */
	if (write(report[1], &r, sizeof r) != sizeof r) _exit(4);
	r = syscall(SYS_getpgid, 0);	/* trapped: native with an exit hook after an injection */
	if (write(report[1], &r, sizeof r) != sizeof r) _exit(4);
	for (;;) pause();
}

static void fsetup(void)
{
	struct sock_fprog prog;
	unit_tables_init();
	task_table_reset();
	ck_assert_int_eq(filter_build(FILTER_DEFAULT, &prog), 0);
	ck_assert_int_eq(pipe(report), 0);
	ck_assert_int_eq(pipe(go), 0);
	fchild = fork();
	ck_assert_int_ge(fchild, 0);
	if (fchild == 0) filtered_main(&prog);
	free(prog.filter);
	ck_assert_int_eq(ptrace(PTRACE_SEIZE, fchild, 0, PTRACE_O_EXITKILL | PTRACE_O_TRACESECCOMP |
				PTRACE_O_TRACESYSGOOD), 0);
	ck_assert_int_eq(write(go[1], "g", 1), 1);
	t = task_create(fchild, NULL, NULL);
	ck_assert_ptr_nonnull(t);
	t->state = TASK_RUNNING;
}

static void fteardown(void)
{
	unit_kill_child(fchild);
	fchild = 0;
	close(report[0]); close(report[1]);
	close(go[0]); close(go[1]);
	task_table_reset();
}

/* Lets the child run until its next seccomp stop for syscall `nr`; returns the status. */
static int until_seccomp_stop(long nr)
{
	for (;;) {
		int st = wait_stop(fchild);
		if (st >> 16 == PTRACE_EVENT_SECCOMP) {
			struct user_regs_struct r;
			getregs(fchild, &r);
			if ((long)r.orig_rax == nr) return st;
		}
		int sig = WSTOPSIG(st);
		ptrace(PTRACE_CONT, fchild, 0, (st >> 16) || sig == SIGTRAP ? 0 : sig);
	}
}

START_TEST(inject_at_seccomp_stop)
{
	long r;
	until_seccomp_stop(SYS_getppid);
	t->stop = STOP_SECCOMP;
	t->state = TASK_TRAPPED;
	t->regs_valid = false;
	ck_assert_int_eq(trap_request_from_stop(t), 0);
	ck_assert_int_eq(t->req.nr, SYS_getppid);
	/* the injected getpid is itself trapped by the filter: its seccomp stop is passed */
	ck_assert_int_eq(inject_syscall(t, SYS_getpid, no_args), fchild);
	ck_assert_int_eq(inject_syscall(t, SYS_gettid, no_args), fchild);
	ck_assert_int_eq(t->req.nr, SYS_getppid);	/* the request is still in flight */
	trap_reply(t, 4242);
	ck_assert_int_eq(read(report[0], &r, sizeof r), sizeof r);
	ck_assert_int_eq(r, 4242);

	/* the second getppid: inject, then let the trapped syscall run natively; it is
	 * re-issued, and the tracer runs it without dispatching */
	int st = until_seccomp_stop(SYS_getppid);
	(void)st;
	t->stop = STOP_SECCOMP;
	t->state = TASK_TRAPPED;
	t->regs_valid = false;
	ck_assert_int_eq(trap_request_from_stop(t), 0);
	ck_assert_int_eq(inject_syscall(t, SYS_getpid, no_args), fchild);
	trap_reply(t, SYSRET_NATIVE);
	ck_assert(t->reissue);
	st = wait_stop(fchild);
	ck_assert_int_eq(st >> 16, PTRACE_EVENT_SECCOMP);
	tracer_handle(fchild, st);
	ck_assert(!t->reissue);
	ck_assert_int_eq(read(report[0], &r, sizeof r), sizeof r);
	ck_assert_int_eq(r, getpid());	/* native getppid: its parent is us */
}
END_TEST

/* Runs the tracer (tracer_handle) for the child until it reports a value */
static long drive_until_report(void)
{
	long r;
	fcntl(report[0], F_SETFL, O_NONBLOCK);
	for (int i = 0; i < 20000; i++) {
		int st;
		if (read(report[0], &r, sizeof r) == sizeof r) return r;
		pid_t w = waitpid(fchild, &st, __WALL | WNOHANG);
		if (w == fchild) tracer_handle(fchild, st);
		else usleep(100);
	}
	ck_abort_msg("the child reported nothing");
	return 0;
}

static long plus_1000(struct sysreq *r, long ret) { return ret + 1000; }

/* After an injection at a seccomp stop, the request is answered SYSRET_NATIVE with an
 * exit hook: the syscall is re-issued, and the hook must still see its result. */
START_TEST(exit_hook_after_injection)
{
	long r;
	until_seccomp_stop(SYS_getppid);
	t->stop = STOP_SECCOMP;
	t->regs_valid = false;
	ck_assert_int_eq(trap_request_from_stop(t), 0);
	trap_reply(t, 1);
	ck_assert_int_eq(read(report[0], &r, sizeof r), sizeof r);
	until_seccomp_stop(SYS_getppid);
	t->stop = STOP_SECCOMP;
	t->regs_valid = false;
	ck_assert_int_eq(trap_request_from_stop(t), 0);
	trap_reply(t, 2);
	ck_assert_int_eq(read(report[0], &r, sizeof r), sizeof r);

	until_seccomp_stop(SYS_getpgid);
	t->stop = STOP_SECCOMP;
	t->state = TASK_TRAPPED;
	t->regs_valid = false;
	ck_assert_int_eq(trap_request_from_stop(t), 0);
	ck_assert_int_eq(inject_syscall(t, SYS_getpid, no_args), fchild);
	sysreq_on_exit(&t->req, plus_1000);
	trap_reply(t, SYSRET_NATIVE);
	r = drive_until_report();
	ck_assert_msg(r == getpgid(0) + 1000, "getpgid returned %ld to the guest: the exit hook "
		      "was dropped (expected %ld)", r, (long)getpgid(0) + 1000);
}
END_TEST

Suite *inject_suite(void)
{
	Suite *s = suite_create("inject");
	TCase *tc = tcase_create("signal-stop");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, getpid_returns_host_pid);
	tcase_add_test(tc, mmap_is_usable);
	tcase_add_test(tc, errors_come_back);
	tcase_add_test(tc, batch_runs_calls_in_order);
	tcase_add_test(tc, child_continues);
	tcase_add_test(tc, signal_during_injection_is_resent);
	tcase_add_test(tc, two_signals_during_injection);
	tcase_add_test(tc, dead_task);
	suite_add_tcase(s, tc);
	TCase *sc = tcase_create("seccomp-stop");
	tcase_add_checked_fixture(sc, fsetup, fteardown);
	tcase_set_timeout(sc, 10);
	tcase_add_test(sc, inject_at_seccomp_stop);
	tcase_add_test(sc, exit_hook_after_injection);
	suite_add_tcase(s, sc);
	return s;
}
