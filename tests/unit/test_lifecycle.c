/* tests/unit/test_lifecycle.c - core/lifecycle with real (sleeping) child processes as
 * the tasks, since lifecycle code signals and probes host pids: start of init, process
 * death and reparenting, init's death killing the namespace, zombie collection. */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "core/lifecycle.h"
#include "core/task.h"
#include "tests/unit/unit.h"

static pid_t kids[4];

static void setup(void)
{
	task_table_reset();
	for (int i = 0; i < 4; i++) {
		kids[i] = unit_sleeper_fork();
		ck_assert_int_gt(kids[i], 0);
	}
}

static void teardown(void)
{
	task_table_reset();
	for (int i = 0; i < 4; i++) unit_kill_child(kids[i]);
}

START_TEST(start_init)
{
	struct task *init = lifecycle_start(kids[0]);
	ck_assert_ptr_nonnull(init);
	ck_assert_ptr_eq(task_init(), init);
	ck_assert_int_eq(task_vpid(init), 1);
	ck_assert_int_eq(init->state, TASK_RUNNING);
	ck_assert_int_ge(init->pidfd, 0);
	/* the host group and session are outside the namespace */
	ck_assert_ptr_null(init->pgrp);
	ck_assert_ptr_null(init->session);
	int st;
	ck_assert(!lifecycle_done(&st));
}
END_TEST

/* A child of init exits: it stays a zombie for init to reap */
START_TEST(death_of_a_process)
{
	struct task *init = lifecycle_start(kids[0]);
	struct task *a = task_create(kids[1], NULL, init);
	struct task *b = task_create(kids[2], NULL, a);
	a->state = b->state = TASK_RUNNING;
	lifecycle_death(kids[1], W_EXITCODE(3, 0));
	ck_assert_int_eq(a->state, TASK_ZOMBIE);
	ck_assert_int_eq(a->exit_status, W_EXITCODE(3, 0));
	ck_assert_ptr_eq(task_by_host(kids[1]), a);
	ck_assert_ptr_eq(b->parent, init);	/* orphans go to init */
	lifecycle_death(424242, 0);		/* unknown tids are ignored */
	int st;
	ck_assert(!lifecycle_done(&st));
}
END_TEST

/* init dies: every other task is killed (zap_pid_ns_processes); once they are gone
 * the namespace is done with init's status */
START_TEST(death_of_init)
{
	struct task *init = lifecycle_start(kids[0]);
	struct task *a = task_create(kids[1], NULL, init);
	struct task *b = task_create(kids[2], NULL, a);
	int st = 0;
	a->state = b->state = TASK_RUNNING;
	kill(kids[0], SIGKILL);
	waitpid(kids[0], NULL, 0);
	lifecycle_death(kids[0], W_EXITCODE(0, SIGKILL) | SIGKILL);
	ck_assert_ptr_null(task_init());
	ck_assert_ptr_null(task_by_host(kids[0]));
	ck_assert(!lifecycle_done(&st));	/* a and b still run */
	/* they were sent SIGKILL */
	ck_assert_int_eq(waitpid(kids[1], &st, 0), kids[1]);
	ck_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	ck_assert_int_eq(waitpid(kids[2], &st, 0), kids[2]);
	ck_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	lifecycle_death(kids[2], SIGKILL);
	lifecycle_death(kids[1], SIGKILL);
	ck_assert_uint_eq(task_count(), 0);	/* nobody is left to reap them */
	ck_assert(lifecycle_done(&st));
	ck_assert_int_eq(st, SIGKILL);
	kids[0] = kids[1] = kids[2] = 0;
}
END_TEST

/* zombies the host reaped without us (SIGCHLD ignored) are released; others stay */
START_TEST(zombie_gc)
{
	struct task *init = lifecycle_start(kids[0]);
	struct task *a = task_create(kids[1], NULL, init);
	struct task *b = task_create(kids[2], NULL, init);
	a->state = b->state = TASK_RUNNING;
	a->pidfd = (int)syscall(SYS_pidfd_open, kids[1], 0);
	b->pidfd = (int)syscall(SYS_pidfd_open, kids[2], 0);
	ck_assert_int_ge(a->pidfd, 0);
	kill(kids[1], SIGKILL);
	kill(kids[2], SIGKILL);
	/* a is reaped on the host, b stays a host zombie */
	ck_assert_int_eq(waitpid(kids[1], NULL, 0), kids[1]);
	siginfo_t si;
	ck_assert_int_eq(waitid(P_PID, kids[2], &si, WEXITED | WNOWAIT), 0);
	ck_assert(task_thread_gone(a, SIGKILL));
	ck_assert(task_thread_gone(b, SIGKILL));
	lifecycle_zombie_gc();
	ck_assert_ptr_null(task_by_host(kids[1]));
	ck_assert_ptr_eq(task_by_host(kids[2]), b);
	ck_assert_int_eq(b->state, TASK_ZOMBIE);
	kids[1] = 0;
}
END_TEST

Suite *lifecycle_suite(void)
{
	Suite *s = suite_create("lifecycle");
	TCase *tc = tcase_create("lifecycle");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, start_init);
	tcase_add_test(tc, death_of_a_process);
	tcase_add_test(tc, death_of_init);
	tcase_add_test(tc, zombie_gc);
	suite_add_tcase(s, tc);
	return s;
}
