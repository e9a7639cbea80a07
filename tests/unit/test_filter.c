/* tests/unit/test_filter.c - core/filter: the BPF program built from the table, run
 * for real. Each test forks a child that installs the filter and makes raw syscalls;
 * nobody traces it, and SECCOMP_RET_TRACE without a tracer fails the syscall with
 * ENOSYS, so "trapped" reads as ENOSYS here. The child reports through shared memory
 * (under FILTER_TRAP_ALL even write() is trapped). */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "core/filter.h"
#include "core/syscall_table.h"
#include "tests/unit/unit.h"

#define NRES 16
struct results {
	int done, install_err;
	long ret[NRES];
	int err[NRES];
};
static struct results *res;
static void (*pre_install)(void);	/* runs in the child before filter_install */

/* records syscall result i in the child */
#define REC(i, call) do { errno = 0; long r_ = (long)(call); \
	res->ret[i] = r_; res->err[i] = r_ < 0 ? errno : 0; } while (0)

static void setup(void)
{
	unit_tables_init();
	res = mmap(NULL, sizeof *res, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(res, MAP_FAILED);
}

static void teardown(void)
{
	munmap(res, sizeof *res);
	pre_install = NULL;
}

/* Forks, installs the `mode` filter in the child and runs body there. */
static void run_filtered(enum filter_mode mode, void (*body)(void))
{
	struct sock_fprog prog;
	ck_assert_int_eq(filter_build(mode, &prog), 0);
	memset(res, 0, sizeof *res);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (pre_install) pre_install();
		res->install_err = filter_install(&prog);
		if (!res->install_err) body();
		__atomic_store_n(&res->done, 1, __ATOMIC_SEQ_CST);
		for (;;) syscall(SYS_exit_group, 0);	/* trapped under TRAP_ALL: spin */
	}
	free(prog.filter);
	for (int i = 0; i < 5000 && !__atomic_load_n(&res->done, __ATOMIC_SEQ_CST); i++)
		usleep(1000);
	unit_kill_child(pid);
	ck_assert_msg(res->done, "filtered child did not finish");
	ck_assert_int_eq(res->install_err, 0);
}

#define ASSERT_OK(i) ck_assert_msg(res->ret[i] >= 0, "call %d failed: %s", i, strerror(res->err[i]))
#define ASSERT_ERR(i, e) ck_assert_msg(res->ret[i] == -1 && res->err[i] == (e), \
	"call %d: got %ld, errno %d (%s), expected %s", i, res->ret[i], res->err[i], \
	strerror(res->err[i]), #e)

START_TEST(build_modes)
{
	struct sock_fprog d, s, a;
	ck_assert_int_eq(filter_build(FILTER_DEFAULT, &d), 0);
	ck_assert_int_eq(filter_build(FILTER_STRICT, &s), 0);
	ck_assert_int_eq(filter_build(FILTER_TRAP_ALL, &a), 0);
	ck_assert_ptr_nonnull(d.filter);
	ck_assert_uint_gt(d.len, 10);
	ck_assert_uint_gt(s.len, 10);
	ck_assert_uint_gt(a.len, 0);
	ck_assert_uint_lt(a.len, d.len);	/* no rules at all */
	ck_assert_uint_le(d.len, BPF_MAXINSNS);
	ck_assert_uint_le(s.len, BPF_MAXINSNS);
	/* every program first checks the architecture */
	ck_assert_uint_eq(d.filter[0].code, BPF_LD | BPF_W | BPF_ABS);
	ck_assert_uint_eq(d.filter[0].k, offsetof(struct seccomp_data, arch));
	/* the last instruction of a program returns */
	ck_assert_uint_eq(BPF_CLASS(d.filter[d.len - 1].code), BPF_RET);
	free(d.filter);
	free(s.filter);
	free(a.filter);
}
END_TEST

static uid_t parent_uid;
static pid_t parent_pid;
static int pipefd[2];

static void default_body(void)
{
	int n = -1;
	REC(0, syscall(SYS_getuid));
	REC(1, syscall(SYS_getpid));			/* trapped */
	REC(2, syscall(SYS_getppid));			/* trapped */
	REC(3, syscall(SYS_kill, 0, 0));		/* trapped */
	REC(4, syscall(SYS_sysfs, 3));	/* not in the table: native */
	REC(5, syscall(SYS_write, pipefd[1], "x", 1));
	REC(6, syscall(SYS_read, pipefd[0], &n, 1));
	REC(7, syscall(SYS_openat, AT_FDCWD, "/", O_RDONLY));	/* trapped */
	REC(8, syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &(struct timespec){ 0 }));
	REC(9, syscall(SYS_ptrace, 0 /* PTRACE_TRACEME */, 0, 0, 0));	/* refused: trapped */
}

START_TEST(default_mode)
{
	ck_assert_int_eq(syscall_desc(SYS_sysfs)->status, ST_UNKNOWN);
	parent_uid = getuid();
	ck_assert_int_eq(pipe(pipefd), 0);
	run_filtered(FILTER_DEFAULT, default_body);
	ASSERT_OK(0);
	ck_assert_int_eq(res->ret[0], parent_uid);
	ASSERT_ERR(1, ENOSYS);
	ASSERT_ERR(2, ENOSYS);
	ASSERT_ERR(3, ENOSYS);
	ASSERT_OK(4);
	ck_assert_int_eq(res->ret[5], 1);
	ck_assert_int_eq(res->ret[6], 1);
	ASSERT_ERR(7, ENOSYS);
	ASSERT_OK(8);
	ASSERT_ERR(9, ENOSYS);
	close(pipefd[0]);
	close(pipefd[1]);
}
END_TEST

/* ioctl, fcntl, prctl are trapped only for the values that carry ids; the comparison
 * is on the low 32 bits, as the kernel reads those arguments. Pid arguments are
 * trapped only when non-zero, newfstatat only without AT_EMPTY_PATH. */
static void conditional_body(void)
{
	int n = 0, pg = 0;
	REC(0, syscall(SYS_ioctl, pipefd[0], FIONREAD, &n));
	REC(1, syscall(SYS_ioctl, 0, TIOCGPGRP, &pg));
	REC(2, syscall(SYS_ioctl, 0, 0xffffffff00000000ul | TIOCGPGRP, &pg));
	REC(3, syscall(SYS_fcntl, pipefd[0], F_GETFL));
	REC(4, syscall(SYS_fcntl, pipefd[0], F_GETOWN));
	REC(5, syscall(SYS_prctl, PR_GET_DUMPABLE, 0, 0, 0, 0));
	REC(6, syscall(SYS_prctl, PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0));
	REC(7, syscall(SYS_fcntl, pipefd[0], 0x7700000000000000ul | F_SETOWN, 0));
	REC(8, syscall(SYS_ioctl, 0, TIOCSPGRP, &pg));
	/* a pid argument is trapped only when it names a pid; all 64 bits count */
	struct rlimit rl;
	REC(9, syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &rl));
	REC(10, syscall(SYS_prlimit64, parent_pid, RLIMIT_NOFILE, NULL, &rl));
	REC(11, syscall(SYS_prlimit64, 0xffffffff00000000ul, RLIMIT_NOFILE, NULL, &rl));
	/* newfstatat is trapped only when it names a path */
	struct stat st;
	REC(12, syscall(SYS_newfstatat, pipefd[0], "", &st, AT_EMPTY_PATH));
	REC(13, syscall(SYS_newfstatat, AT_FDCWD, "/", &st, 0));
	REC(14, syscall(SYS_fstat, pipefd[0], &st));
}

START_TEST(default_mode_conditions)
{
	parent_pid = getpid();
	ck_assert_int_eq(pipe(pipefd), 0);
	run_filtered(FILTER_DEFAULT, conditional_body);
	ASSERT_OK(0);
	ASSERT_ERR(1, ENOSYS);
	ASSERT_ERR(2, ENOSYS);
	ASSERT_OK(3);
	ASSERT_ERR(4, ENOSYS);
	ASSERT_OK(5);
	ASSERT_ERR(6, ENOSYS);
	ASSERT_ERR(7, ENOSYS);
	ASSERT_ERR(8, ENOSYS);
	ASSERT_OK(9);
	ASSERT_ERR(10, ENOSYS);
	ASSERT_ERR(11, ENOSYS);
	ASSERT_OK(12);
	ASSERT_ERR(13, ENOSYS);
	ASSERT_OK(14);
	close(pipefd[0]);
	close(pipefd[1]);
}
END_TEST

static void strict_body(void)
{
	int n = 0;
	REC(0, syscall(SYS_sysfs, 3));	/* unknown */
	REC(1, syscall(SYS_getuid));			/* known, native */
	REC(2, syscall(SYS_getpid));			/* trapped */
	REC(3, syscall(SYS_ioctl, pipefd[0], FIONREAD, &n));	/* trapped always */
	REC(4, syscall(SYS_write, pipefd[1], "x", 1));
	REC(5, syscall(SYS_close_range, 1000, 1001, 0));
	REC(6, syscall(SYS_fcntl, pipefd[0], F_GETFL));	/* trapped always */
}

START_TEST(strict_mode)
{
	ck_assert_int_eq(syscall_desc(SYS_sysfs)->status, ST_UNKNOWN);
	ck_assert_int_eq(syscall_desc(SYS_close_range)->status, ST_NATIVE);
	parent_uid = getuid();
	ck_assert_int_eq(pipe(pipefd), 0);
	run_filtered(FILTER_STRICT, strict_body);
	ASSERT_ERR(0, ENOSYS);
	ASSERT_OK(1);
	ck_assert_int_eq(res->ret[1], parent_uid);
	ASSERT_ERR(2, ENOSYS);
	ASSERT_ERR(3, ENOSYS);
	ck_assert_int_eq(res->ret[4], 1);
	ASSERT_OK(5);
	ASSERT_ERR(6, ENOSYS);
	close(pipefd[0]);
	close(pipefd[1]);
}
END_TEST

static void trap_all_body(void)
{
	REC(0, syscall(SYS_getuid));
	REC(1, syscall(SYS_sysfs, 3));
	REC(2, syscall(SYS_write, -1, "x", 1));
}

/* Privileged (root with CAP_SYS_ADMIN): no_new_privs is left alone. Unprivileged:
 * the kernel requires it, filter_install sets it. */
static void nnp_body(void)
{
	REC(0, prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
	REC(1, syscall(SYS_getpid));
	REC(2, syscall(SYS_geteuid));
}

static void drop_privileges(void)
{
	if (setgid(65534) || setuid(65534)) _exit(5);
}

START_TEST(no_new_privs_only_when_needed)
{
	run_filtered(FILTER_DEFAULT, nnp_body);
	ASSERT_OK(0);
	if (getuid() == 0) ck_assert_int_eq(res->ret[0], 0);
	ASSERT_ERR(1, ENOSYS);
	if (getuid() != 0) return;	/* cannot drop what we do not have */
	pre_install = drop_privileges;
	run_filtered(FILTER_DEFAULT, nnp_body);
	ck_assert_int_eq(res->ret[0], 1);
	ASSERT_ERR(1, ENOSYS);
	ck_assert_int_eq(res->ret[2], 65534);
}
END_TEST

START_TEST(trap_all_mode)
{
	run_filtered(FILTER_TRAP_ALL, trap_all_body);
	ASSERT_ERR(0, ENOSYS);
	ASSERT_ERR(1, ENOSYS);
	ASSERT_ERR(2, ENOSYS);
}
END_TEST

/* Syscalls of another ABI would bypass a filter written for x86-64 numbers */
static long int80(long nr)
{
	long ret;
	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr) : "memory");
	return ret;
}

static void other_abi_body(void)
{
	res->ret[0] = int80(20);					/* i386 getpid */
	REC(1, syscall(0x40000000L | SYS_getpid));			/* x32 getpid */
	REC(2, syscall(0x40000000L | SYS_getuid));
}

START_TEST(other_abis_refused)
{
	/* does this kernel run int 0x80 at all? (without ia32 emulation it raises
	 * SIGSEGV: let that kill the probe quietly, bypassing any sanitizer handler) */
	pid_t pid = fork();
	if (pid == 0) {
		struct { unsigned long handler, flags, restorer, mask; } dfl = { 0 };	/* SIG_DFL */
		syscall(SYS_rt_sigaction, SIGSEGV, &dfl, NULL, 8);
		_exit(int80(20) > 0 ? 0 : 1);
	}
	int st;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	int has_int80 = WIFEXITED(st) && WEXITSTATUS(st) == 0;
	if (!has_int80) return;	/* no ia32 emulation: nothing can bypass */
	run_filtered(FILTER_DEFAULT, other_abi_body);
	ck_assert_int_eq(res->ret[0], -ENOSYS);
	ASSERT_ERR(1, ENOSYS);
	ASSERT_ERR(2, ENOSYS);
}
END_TEST

/* A `syscall` instruction at a known address, as the shim's (core/filter_shim.c). */
long shim_test_gadget(long nr, long a0);
uint64_t shim_test_gadget_end(void);
__asm__(".text\n"
	"shim_test_gadget:\n"
	"	mov %rdi, %rax\n"
	"	mov %rsi, %rdi\n"
	"	syscall\n"
	"shim_test_gadget_after:\n"
	"	ret\n"
	"shim_test_gadget_end:\n"
	"	lea shim_test_gadget_after(%rip), %rax\n"
	"	ret\n");

static void shim_prologue_body(void)
{
	res->ret[0] = shim_test_gadget(SYS_getppid, 0);		/* listed, from the gadget */
	res->ret[1] = shim_test_gadget(SYS_gettid, 0);
	res->ret[2] = shim_test_gadget(SYS_getuid, 0);		/* not listed */
	res->ret[3] = syscall(SYS_getppid) < 0 ? -errno : 0;	/* listed, elsewhere */
	/* listed with a descriptor first: allowed unless it is the pool's */
	res->ret[4] = shim_test_gadget(SYS_close, 999);		/* not open: EBADF */
	res->ret[5] = shim_test_gadget(SYS_close, 1000);	/* the "pool" */
}

/* The shim's prologue lets exactly its numbers through from exactly its instruction:
 * here the rest of the program refuses everything with EPERM. */
START_TEST(shim_prologue)
{
	static const struct shim_native nrs[] = { { SYS_futex, 0 }, { SYS_getppid, 0 },
						   { SYS_gettid, 0 }, { SYS_close, 1 } };
	struct sock_fprog pro;
	ck_assert_int_eq(filter_shim_prologue(shim_test_gadget_end(), nrs, 4, 1000, &pro), 0);
	struct sock_filter *all = calloc(pro.len + 1u, sizeof *all);
	memcpy(all, pro.filter, pro.len * sizeof *all);
	all[pro.len] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM);
	struct sock_fprog prog = { (unsigned short)(pro.len + 1), all };
	memset(res, 0, sizeof *res);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (filter_install(&prog) == 0) shim_prologue_body();
		__atomic_store_n(&res->done, 1, __ATOMIC_SEQ_CST);
		for (;;) shim_test_gadget(SYS_exit_group, 0);	/* exit_group itself is refused */
	}
	for (int i = 0; i < 5000 && !__atomic_load_n(&res->done, __ATOMIC_SEQ_CST); i++) usleep(1000);
	unit_kill_child(pid);
	free(all);
	free(pro.filter);
	ck_assert(res->done);
	ck_assert_int_eq(res->ret[0], getpid());
	ck_assert_int_gt(res->ret[1], 0);
	ck_assert_int_eq(res->ret[2], -EPERM);
	ck_assert_int_eq(res->ret[3], -EPERM);
	ck_assert_int_eq(res->ret[4], -EBADF);
	ck_assert_int_eq(res->ret[5], -EPERM);
}
END_TEST

/* The prologue's test for the supervisor's injected calls: a taggable syscall with
 * the tag in r8's upper half is allowed before anything else; the same call without
 * it, or another syscall with it, falls through (here to a final TRACE: ENOSYS). */
static uint8_t no_mask(long nr) { (void)nr; return 0; }
#define TAG 0x5a3c1e77u

static void tag_body(void)
{
	uint64_t tag = (uint64_t)TAG << 32;
	REC(0, syscall(SYS_mmap, 0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, 0xffffffffUL | tag, 0));
	REC(1, syscall(SYS_mmap, 0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1L, 0));
	REC(2, syscall(SYS_munmap, res->ret[0], 4096, 0, 0, tag, 0));
	REC(3, syscall(SYS_getppid, 0, 0, 0, 0, tag, 0));		/* not taggable */
	REC(4, syscall(SYS_mmap, 0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
		       0xffffffffUL | (uint64_t)(TAG + 1) << 32, 0));	/* another tag */
}

START_TEST(injected_calls_allowed_by_tag)
{
	struct sock_fprog pro;
	ck_assert_int_eq(filter_uaccess_prologue(no_mask, 1ULL << 40, TAG, &pro), 0);
	struct sock_filter *all = malloc((pro.len + 1) * sizeof *all);
	ck_assert_ptr_nonnull(all);
	memcpy(all, pro.filter, pro.len * sizeof *all);
	all[pro.len] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE);
	struct sock_fprog prog = { .len = (unsigned short)(pro.len + 1), .filter = all };
	memset(res, 0, sizeof *res);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		res->install_err = filter_install(&prog);
		if (!res->install_err) tag_body();
		__atomic_store_n(&res->done, 1, __ATOMIC_SEQ_CST);
		for (;;) syscall(SYS_exit_group, 0);	/* trapped: spin */
	}
	free(pro.filter);
	free(all);
	for (int i = 0; i < 5000 && !__atomic_load_n(&res->done, __ATOMIC_SEQ_CST); i++)
		usleep(1000);
	unit_kill_child(pid);
	ck_assert_msg(res->done, "filtered child did not finish");
	ck_assert_int_eq(res->install_err, 0);
	ASSERT_OK(0);
	ASSERT_ERR(1, ENOSYS);
	ASSERT_OK(2);
	ASSERT_ERR(3, ENOSYS);
	ASSERT_ERR(4, ENOSYS);
	ck_assert(filter_inject_taggable(SYS_mmap) && filter_inject_taggable(SYS_prctl));
	ck_assert(!filter_inject_taggable(SYS_getppid) && !filter_inject_taggable(SYS_execve));
}
END_TEST

Suite *filter_suite(void)
{
	Suite *s = suite_create("filter");
	TCase *tc = tcase_create("filter");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, build_modes);
	tcase_add_test(tc, default_mode);
	tcase_add_test(tc, default_mode_conditions);
	tcase_add_test(tc, strict_mode);
	tcase_add_test(tc, no_new_privs_only_when_needed);
	tcase_add_test(tc, trap_all_mode);
	tcase_add_test(tc, other_abis_refused);
	tcase_add_test(tc, shim_prologue);
	tcase_add_test(tc, injected_calls_allowed_by_tag);
	suite_add_tcase(s, tc);
	return s;
}
