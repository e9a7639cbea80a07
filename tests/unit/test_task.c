/* tests/unit/test_task.c - core/task: processes and threads, parent/children lists,
 * thread exit and zombies, reparenting to subreapers or init, release, exec by a
 * non-leader thread, process group and session reference counts. Host tids are fake
 * (no task here is ever signalled). */
#include <check.h>
#include <string.h>
#include "core/list.h"
#include "core/pidmap.h"
#include "core/task.h"
#include "tests/unit/unit.h"

#define H 800000	/* fake host tids */

static void setup(void) { task_table_reset(); }
static void teardown(void) { task_table_reset(); }

static int list_has(struct list_head *head, struct list_head *node)
{
	struct list_head *pos;
	list_for_each(pos, head) if (pos == node) return 1;
	return 0;
}

static int list_len(struct list_head *head)
{
	struct list_head *pos;
	int n = 0;
	list_for_each(pos, head) n++;
	return n;
}

static int is_child(struct task *parent, struct task *c)
{
	return c->parent == parent && list_has(&parent->children, &c->sibling);
}

static struct task *proc(pid_t tid, struct task *parent)
{
	struct task *t = task_create(tid, NULL, parent);
	ck_assert_ptr_nonnull(t);
	t->state = TASK_RUNNING;
	return t;
}

static struct task *thread(pid_t tid, struct task *leader)
{
	struct task *t = task_create(tid, leader, NULL);
	ck_assert_ptr_nonnull(t);
	t->state = TASK_RUNNING;
	return t;
}

START_TEST(create_init)
{
	ck_assert_ptr_null(task_init());
	struct task *t = task_create(H, NULL, NULL);
	ck_assert_ptr_nonnull(t);
	ck_assert_ptr_eq(task_init(), t);
	ck_assert_ptr_eq(t->leader, t);
	ck_assert(task_is_leader(t));
	ck_assert_ptr_null(t->parent);
	ck_assert_int_eq(task_vtid(t), 1);
	ck_assert_int_eq(task_vpid(t), 1);
	ck_assert_int_eq(task_tgid(t), H);
	ck_assert_int_eq(t->state, TASK_NEW);
	ck_assert_int_eq(t->pidfd, -1);
	ck_assert_int_eq(t->live_threads, 1);
	ck_assert_ptr_eq(t->pid->task, t);
	ck_assert_ptr_eq(task_by_host(H), t);
	ck_assert_ptr_eq(task_by_virt(1), t);
	ck_assert_ptr_null(task_by_host(H + 1));
	ck_assert_ptr_null(task_by_virt(2));
	ck_assert_uint_eq(task_count(), 1);
	ck_assert(list_has(&t->threads, &t->thread_node));
	ck_assert(list_empty(&t->children));
	/* a second parentless process is not init */
	struct task *u = task_create(H + 1, NULL, NULL);
	ck_assert_ptr_eq(task_init(), t);
	ck_assert_ptr_null(u->parent);
}
END_TEST

START_TEST(create_processes_and_threads)
{
	struct task *init = proc(H, NULL);
	struct task *a = proc(H + 10, init), *b = proc(H + 20, init);
	struct task *a1 = thread(H + 11, a), *a2 = thread(H + 12, a);
	struct task *c = proc(H + 30, a);

	ck_assert(is_child(init, a));
	ck_assert(is_child(init, b));
	ck_assert(is_child(a, c));
	ck_assert_int_eq(list_len(&init->children), 2);
	ck_assert_int_eq(list_len(&a->children), 1);
	/* threads: same process, own tid, not children of anyone */
	ck_assert_ptr_eq(a1->leader, a);
	ck_assert(!task_is_leader(a1));
	ck_assert_int_eq(task_vpid(a1), task_vpid(a));
	ck_assert_int_eq(task_vtid(a1), 4);
	ck_assert_int_eq(task_vtid(a2), 5);
	ck_assert_int_eq(task_vtid(c), 6);
	ck_assert_int_eq(task_tgid(a2), H + 10);
	ck_assert_int_eq(a->live_threads, 3);
	ck_assert_int_eq(list_len(&a->threads), 3);
	ck_assert(list_has(&a->threads, &a1->thread_node));
	ck_assert(list_empty(&a1->children));
	ck_assert_int_eq(list_len(&a->children), 1);
	ck_assert_uint_eq(task_count(), 6);
	ck_assert_uint_eq(pidmap_count(), 6);
	ck_assert_ptr_eq(task_by_virt(5), a2);
	ck_assert_ptr_eq(task_by_host(H + 12), a2);
}
END_TEST

START_TEST(thread_gone_leader_last)
{
	struct task *init = proc(H, NULL);
	struct task *a = proc(H + 10, init);
	struct task *a1 = thread(H + 11, a), *a2 = thread(H + 12, a);
	pid_t v1 = task_vtid(a1);

	ck_assert(!task_thread_gone(a1, 0));
	ck_assert_ptr_null(task_by_host(H + 11));	/* freed at once */
	ck_assert_ptr_null(task_by_virt(v1));
	ck_assert_int_eq(a->live_threads, 2);
	ck_assert_int_eq(list_len(&a->threads), 2);
	ck_assert_int_eq(a->state, TASK_RUNNING);
	ck_assert_uint_eq(task_count(), 3);

	ck_assert(!task_thread_gone(a2, 0));
	ck_assert(task_thread_gone(a, 0x0300));	/* the last thread: now a zombie */
	ck_assert_int_eq(a->state, TASK_ZOMBIE);
	ck_assert_int_eq(a->exit_status, 0x0300);
	ck_assert_ptr_eq(task_by_host(H + 10), a);	/* until reaped */
	ck_assert(is_child(init, a));
	ck_assert(!task_thread_gone(a, 0));		/* reported twice: ignored */
	ck_assert_int_eq(a->exit_status, 0x0300);
}
END_TEST

/* The leader thread exits first (pthread_exit in main): the process lives on until its
 * last thread goes; only then is it a zombie. */
START_TEST(thread_gone_leader_first)
{
	struct task *init = proc(H, NULL);
	struct task *a = proc(H + 10, init);
	struct task *a1 = thread(H + 11, a), *a2 = thread(H + 12, a);

	ck_assert(!task_thread_gone(a, 0x0500));
	ck_assert_int_eq(a->state, TASK_DEAD);
	ck_assert_ptr_eq(task_by_host(H + 10), a);	/* the leader stays */
	ck_assert_int_eq(a->live_threads, 2);
	ck_assert(!task_thread_gone(a1, 0));
	ck_assert_int_eq(a->state, TASK_DEAD);
	ck_assert(task_thread_gone(a2, 0));
	ck_assert_int_eq(a->state, TASK_ZOMBIE);
	ck_assert_int_eq(a->live_threads, 0);
	ck_assert_int_eq(a->exit_status, 0x0500);
	ck_assert_ptr_null(task_by_host(H + 12));
	ck_assert_int_eq(list_len(&a->threads), 1);
	ck_assert_uint_eq(task_count(), 2);
}
END_TEST

START_TEST(single_thread_process_exit)
{
	struct task *init = proc(H, NULL);
	struct task *a = proc(H + 10, init);
	ck_assert(task_thread_gone(a, 9));
	ck_assert_int_eq(a->state, TASK_ZOMBIE);
	ck_assert_int_eq(a->exit_status, 9);
}
END_TEST

/* init -> s (subreaper) -> m -> {c1, c2}; m exits: c1, c2 go to s */
START_TEST(reparent_to_subreaper)
{
	struct task *init = proc(H, NULL);
	struct task *s = proc(H + 10, init);
	struct task *m = proc(H + 20, s);
	struct task *c1 = proc(H + 30, m), *c2 = proc(H + 40, m);
	s->subreaper = true;
	task_thread_gone(m, 0);
	task_reparent_children(m);
	ck_assert(list_empty(&m->children));
	ck_assert(is_child(s, c1));
	ck_assert(is_child(s, c2));
	ck_assert(is_child(s, m));	/* m itself stays s's (zombie) child */
	ck_assert_int_eq(list_len(&s->children), 3);
	ck_assert(!is_child(init, c1));
}
END_TEST

START_TEST(reparent_to_nearest_subreaper)
{
	struct task *init = proc(H, NULL);
	struct task *s1 = proc(H + 10, init);
	struct task *s2 = proc(H + 20, s1);
	struct task *x = proc(H + 30, s2);
	struct task *m = proc(H + 40, x);
	struct task *c = proc(H + 50, m);
	s1->subreaper = s2->subreaper = true;
	task_reparent_children(m);
	ck_assert(is_child(s2, c));
}
END_TEST

START_TEST(reparent_to_init)
{
	struct task *init = proc(H, NULL);
	struct task *a = proc(H + 10, init);
	struct task *m = proc(H + 20, a);
	struct task *c = proc(H + 30, m);
	task_reparent_children(m);
	ck_assert(is_child(init, c));
	ck_assert_int_eq(list_len(&init->children), 2);
}
END_TEST

/* A subreaper that has exited itself (a zombie) cannot adopt */
START_TEST(reparent_skips_exited_subreaper)
{
	struct task *init = proc(H, NULL);
	struct task *s = proc(H + 10, init);
	struct task *m = proc(H + 20, s);
	struct task *c = proc(H + 30, m);
	s->subreaper = true;
	task_thread_gone(s, 0);
	ck_assert_int_eq(s->state, TASK_ZOMBIE);
	task_reparent_children(m);
	ck_assert(is_child(init, c));
}
END_TEST

/* init's own children have no reaper left when init goes */
START_TEST(reparent_from_init)
{
	struct task *init = proc(H, NULL);
	struct task *a = proc(H + 10, init);
	task_reparent_children(init);
	ck_assert_ptr_null(a->parent);
	ck_assert(list_empty(&init->children));
	ck_assert(list_empty(&a->sibling));
}
END_TEST

START_TEST(release_frees_and_reparents)
{
	struct task *init = proc(H, NULL);
	struct task *a = proc(H + 10, init);
	struct task *b = proc(H + 20, a);
	struct task *b1 = thread(H + 21, b);
	pid_t va = task_vpid(a);
	(void)b1;
	ck_assert(task_thread_gone(a, 0));
	task_release(a);
	ck_assert_ptr_null(task_by_host(H + 10));
	ck_assert_ptr_null(task_by_virt(va));
	ck_assert_int_eq(pidmap_to_host(va), -1);	/* the number is free */
	ck_assert(is_child(init, b));
	ck_assert(list_has(&init->children, &b->sibling));
	ck_assert_int_eq(list_len(&init->children), 1);
	ck_assert_uint_eq(task_count(), 3);

	/* releasing a process frees its remaining thread slots too */
	task_thread_gone(b1, 0);
	ck_assert(task_thread_gone(b, 0));
	task_release(b);
	ck_assert_uint_eq(task_count(), 1);
	ck_assert_uint_eq(pidmap_count(), 1);
	ck_assert(list_empty(&init->children));

	task_thread_gone(init, 0);
	task_release(init);
	ck_assert_ptr_null(task_init());
	ck_assert_uint_eq(task_count(), 0);
	ck_assert_uint_eq(pidmap_count(), 0);
}
END_TEST

/* Thread 2 of a 3-thread process execs: the other threads are gone and the leader's
 * task (and ids) continue as the new image, carrying the exec'ing thread's request. */
START_TEST(exec_by_non_leader)
{
	struct task *init = proc(H, NULL);
	struct task *a = proc(H + 10, init);
	struct task *a1 = thread(H + 11, a), *a2 = thread(H + 12, a);
	pid_t v1 = task_vtid(a1), v2 = task_vtid(a2);
	a2->req.nr = 59;
	a2->req.task = a2;
	a2->req.args[0] = 0x1234;
	a2->in_syscall_hook = true;
	a->regs_valid = true;
	a->gadget = 0x4000;

	struct task *l = task_exec(a2);
	ck_assert_ptr_eq(l, a);
	ck_assert_int_eq(l->live_threads, 1);
	ck_assert_int_eq(l->state, TASK_RUNNING);
	ck_assert_int_eq(list_len(&l->threads), 1);
	ck_assert_ptr_null(task_by_virt(v1));
	ck_assert_ptr_null(task_by_virt(v2));
	ck_assert_ptr_null(task_by_host(H + 11));
	ck_assert_ptr_null(task_by_host(H + 12));
	ck_assert_ptr_eq(task_by_host(H + 10), a);
	ck_assert_int_eq(task_vpid(a), 2);
	ck_assert_int_eq(l->req.nr, 59);
	ck_assert_ptr_eq(l->req.task, l);
	ck_assert_uint_eq(l->req.args[0], 0x1234);
	ck_assert(l->in_syscall_hook);
	ck_assert(!l->regs_valid);
	ck_assert_uint_eq(l->gadget, 0);
	ck_assert_uint_eq(task_count(), 2);
	ck_assert_uint_eq(pidmap_count(), 2);
	ck_assert(is_child(init, a));
	/* the process then exits normally */
	ck_assert(task_thread_gone(a, 0));
}
END_TEST

START_TEST(exec_by_leader)
{
	struct task *init = proc(H, NULL);
	struct task *a = proc(H + 10, init);
	thread(H + 11, a);
	a->req.nr = 59;
	struct task *l = task_exec(a);
	ck_assert_ptr_eq(l, a);
	ck_assert_int_eq(l->live_threads, 1);
	ck_assert_int_eq(l->req.nr, 59);
	ck_assert_uint_eq(task_count(), 2);
}
END_TEST

START_TEST(pgrp_session_inherited)
{
	struct task *init = proc(H, NULL);
	task_set_pgrp(init, H);
	task_set_session(init, H);
	ck_assert_int_eq(init->pid->refs, 3);	/* own id, group, session */
	struct task *a = proc(H + 10, init);
	ck_assert_ptr_eq(a->pgrp, init->pid);
	ck_assert_ptr_eq(a->session, init->pid);
	ck_assert_int_eq(init->pid->refs, 5);
	struct task *t = thread(H + 11, a);
	ck_assert_ptr_null(t->pgrp);		/* only leaders hold group ids */
	/* a group outside the namespace reads as none */
	task_set_pgrp(a, 12345);
	ck_assert_ptr_null(a->pgrp);
	ck_assert_int_eq(init->pid->refs, 4);
	task_set_pgrp(a, 0);
	ck_assert_ptr_null(a->pgrp);
}
END_TEST

/* a leads group G with member b; a is reaped: G's number stays allocated (and is not
 * handed out again) while b is in it, then goes with b. */
START_TEST(pgrp_outlives_leader)
{
	struct task *init = proc(H, NULL);
	task_set_pgrp(init, H);
	task_set_session(init, H);
	struct task *a = proc(H + 10, init);
	task_set_pgrp(a, H + 10);		/* setpgid(0, 0) */
	struct task *b = proc(H + 20, a);	/* inherits group a */
	pid_t g = task_vpid(a);
	ck_assert_ptr_eq(b->pgrp, a->pid);

	ck_assert(task_thread_gone(a, 0));
	task_release(a);
	ck_assert_ptr_null(task_by_virt(g));		/* no task ... */
	struct pidnum *gp = pidmap_by_virt(g);		/* ... but the number lives */
	ck_assert_ptr_nonnull(gp);
	ck_assert_ptr_eq(b->pgrp, gp);
	ck_assert_ptr_null(gp->task);
	ck_assert_int_eq(gp->refs, 1);
	ck_assert_int_eq(pidmap_to_host(g), H + 10);
	ck_assert(is_child(init, b));

	/* a new process gets a new number; b's children inherit the group */
	struct task *c = proc(H + 30, b);
	ck_assert_int_ne(task_vpid(c), g);
	ck_assert_ptr_eq(c->pgrp, gp);
	ck_assert_int_eq(gp->refs, 2);

	task_thread_gone(c, 0); task_release(c);
	task_thread_gone(b, 0); task_release(b);
	ck_assert_ptr_null(pidmap_by_virt(g));		/* gone with its last member */
	ck_assert_ptr_eq(init->pgrp, init->pid);
}
END_TEST

START_TEST(session_outlives_leader)
{
	struct task *init = proc(H, NULL);
	struct task *a = proc(H + 10, init);
	task_set_session(a, H + 10);		/* setsid() */
	task_set_pgrp(a, H + 10);
	struct task *b = proc(H + 20, a);
	pid_t s = task_vpid(a);
	ck_assert(task_thread_gone(a, 0));
	task_release(a);
	ck_assert_ptr_nonnull(b->session);
	ck_assert_int_eq(b->session->virt, s);
	ck_assert_int_eq(b->session->refs, 2);	/* b's session and group */
	task_set_pgrp(b, H + 20);		/* b leaves the group: one ref left */
	ck_assert_int_eq(pidmap_by_virt(s)->refs, 1);
}
END_TEST

static int count_fn(struct task *t, void *arg) { (*(int *)arg)++; return 0; }
static int find_fn(struct task *t, void *arg) { return t->tid == *(pid_t *)arg ? 7 : 0; }

START_TEST(for_each_and_reset)
{
	struct task *init = proc(H, NULL);
	struct task *a = proc(H + 10, init);
	thread(H + 11, a);
	int n = 0;
	ck_assert_int_eq(task_for_each(count_fn, &n), 0);
	ck_assert_int_eq(n, 3);
	pid_t want = H + 11;
	ck_assert_int_eq(task_for_each(find_fn, &want), 7);
	want = 1;
	ck_assert_int_eq(task_for_each(find_fn, &want), 0);

	task_table_reset();
	ck_assert_uint_eq(task_count(), 0);
	ck_assert_ptr_null(task_init());
	ck_assert_ptr_null(task_by_host(H));
	ck_assert_uint_eq(pidmap_count(), 0);
	n = 0;
	task_for_each(count_fn, &n);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(task_vtid(proc(H, NULL)), 1);
}
END_TEST

Suite *task_suite(void)
{
	Suite *s = suite_create("task");
	TCase *tc = tcase_create("task");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, create_init);
	tcase_add_test(tc, create_processes_and_threads);
	tcase_add_test(tc, thread_gone_leader_last);
	tcase_add_test(tc, thread_gone_leader_first);
	tcase_add_test(tc, single_thread_process_exit);
	tcase_add_test(tc, reparent_to_subreaper);
	tcase_add_test(tc, reparent_to_nearest_subreaper);
	tcase_add_test(tc, reparent_to_init);
	tcase_add_test(tc, reparent_skips_exited_subreaper);
	tcase_add_test(tc, reparent_from_init);
	tcase_add_test(tc, release_frees_and_reparents);
	tcase_add_test(tc, exec_by_non_leader);
	tcase_add_test(tc, exec_by_leader);
	tcase_add_test(tc, pgrp_session_inherited);
	tcase_add_test(tc, pgrp_outlives_leader);
	tcase_add_test(tc, session_outlives_leader);
	tcase_add_test(tc, for_each_and_reset);
	suite_add_tcase(s, tc);
	return s;
}
