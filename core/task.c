/* core/task.c - the task table (see task.h). Tasks are hashed by host tid; virtual
 * lookups go through the pid map. Relationships mirror Linux's: children hang off the
 * thread-group leader, orphans go to the nearest subreaper or to init. */
#include <stdlib.h>
#include <unistd.h>
#include "core/task.h"
#include "core/shim.h"
#include "services/sched/sched.h"
#include "services/mm/mm.h"
#include "loader/exec.h"
#include "core/pidmap.h"
#include "core/log.h"

#define TASK_HASH 1024
static struct task *table[TASK_HASH];
static struct task *init_task;
static unsigned ntasks;

static unsigned thash(pid_t tid) { return ((unsigned)tid * 2654435761u) % TASK_HASH; }

struct task *task_by_host(pid_t tid)
{
	struct task *t;
	for (t = table[thash(tid)]; t; t = t->hash_next)
		if (t->tid == tid) return t;
	return NULL;
}

struct task *task_by_virt(pid_t vtid)
{
	struct pidnum *p = pidmap_by_virt(vtid);
	return p ? p->task : NULL;
}

struct task *task_init(void) { return init_task; }
unsigned task_count(void) { return ntasks; }

static void hash_insert(struct task *t)
{
	t->hash_next = table[thash(t->tid)];
	table[thash(t->tid)] = t;
}

static void hash_remove(struct task *t)
{
	struct task **pp;
	for (pp = &table[thash(t->tid)]; *pp; pp = &(*pp)->hash_next)
		if (*pp == t) { *pp = t->hash_next; return; }
}

static void set_idref(struct pidnum **slot, pid_t host)
{
	struct pidnum *p = host > 0 ? pidmap_by_host(host) : NULL;
	if (p) pidmap_get(p);
	pidmap_put(*slot);
	*slot = p;
}

void task_set_pgrp(struct task *l, pid_t host_pgid)
{
	set_idref(&l->pgrp, host_pgid);
	shim_ids_changed(l);	/* answers the in-guest shim gives itself */
}

void task_set_session(struct task *l, pid_t host_sid)
{
	set_idref(&l->session, host_sid);
	shim_ids_changed(l);
}

struct task *task_create(pid_t tid, struct task *leader, struct task *parent)
{
	struct task *t = calloc(1, sizeof *t);
	if (!t) return NULL;
	if (!(t->pid = pidmap_alloc(tid))) { free(t); return NULL; }
	t->pid->task = t;
	t->tid = tid;
	t->state = TASK_NEW;
	t->pidfd = -1;
	list_init(&t->children); list_init(&t->sibling);
	list_init(&t->threads); list_init(&t->thread_node);
	t->leader = leader ? leader : t;
	list_add_tail(&t->thread_node, &t->leader->threads);
	t->leader->live_threads++;
	if (!leader) {
		t->parent = parent;
		if (parent) {
			list_add_tail(&t->sibling, &parent->children);
			task_set_pgrp(t, parent->pgrp ? parent->pgrp->host : 0);
			task_set_session(t, parent->session ? parent->session->host : 0);
		} else if (!init_task) {
			init_task = t;
		}
	}
	hash_insert(t);
	ntasks++;
	DBG(DBG_TASK, "task %d (host %d) created, %s of %d", task_vtid(t), tid,
	    leader ? "thread" : "process", leader ? task_vpid(t) : parent ? task_vpid(parent) : 0);
	return t;
}

/* Frees one thread's slot. Leaders stay until their process is released. */
static void task_free(struct task *t)
{
	mm_task_gone(t);	/* threads freed by exec's de_thread hold a reference */
	shim_task_gone(t);
	sched_task_gone(t);
	loader_forget(t);
	hash_remove(t);
	list_del_init(&t->thread_node);
	t->pid->task = NULL;
	pidmap_put(t->pid);
	ntasks--;
	free(t);
}

bool task_thread_gone(struct task *t, int status)
{
	struct task *l = t->leader;
	DBG(DBG_TASK, "task %d (host %d) gone, status 0x%x", task_vtid(t), t->tid, status);
	if (t->state == TASK_DEAD || t->state == TASK_ZOMBIE) return false;
	t->state = TASK_DEAD;
	if (t == l) l->exit_status = status;
	if (--l->live_threads > 0) {
		if (t != l) task_free(t);
		return false;
	}
	/* the last thread: the process is a zombie until its guest parent reaps it */
	if (t != l) task_free(t);
	l->state = TASK_ZOMBIE;
	return true;
}

/* Linux's find_new_reaper(): the closest ancestor marked subreaper, else init. */
static struct task *find_new_reaper(struct task *dying)
{
	for (struct task *a = dying->parent; a; a = a->parent)
		if (a->subreaper && a->state != TASK_ZOMBIE) return a;
	return init_task != dying ? init_task : NULL;
}

void task_reparent_children(struct task *t)
{
	struct list_head *pos, *n;
	struct task *reaper = find_new_reaper(t);
	list_for_each_safe(pos, n, &t->children) {
		struct task *c = list_entry(pos, struct task, sibling);
		list_del_init(&c->sibling);
		c->parent = reaper;
		if (reaper) list_add_tail(&c->sibling, &reaper->children);
		shim_ids_changed(c);
		DBG(DBG_TASK, "task %d reparented to %d", task_vtid(c), reaper ? task_vtid(reaper) : 0);
	}
}

void task_release(struct task *t)
{
	struct list_head *pos, *n;
	if (!task_is_leader(t)) log_bug("task_release of a thread");
	DBG(DBG_TASK, "task %d released", task_vtid(t));
	task_reparent_children(t);
	list_for_each_safe(pos, n, &t->threads) {
		struct task *th = list_entry(pos, struct task, thread_node);
		if (th != t) task_free(th);
	}
	list_del_init(&t->sibling);
	pidmap_put(t->pgrp); t->pgrp = NULL;
	pidmap_put(t->session); t->session = NULL;
	if (t->pidfd >= 0) close(t->pidfd);
	if (t == init_task) init_task = NULL;
	task_free(t);
}

struct task *task_exec(struct task *t)
{
	struct task *l = t->leader;
	struct list_head *pos, *n;
	/* de_thread(): every other thread is gone; the exec'ing thread takes the leader's
	 * identity (host and virtual), so the leader's task continues as the new image. */
	list_for_each_safe(pos, n, &l->threads) {
		struct task *th = list_entry(pos, struct task, thread_node);
		if (th == l) continue;
		if (th == t) {	/* the leader continues the exec'ing thread's syscall */
			sched_task_exec(t, l);
			l->req = t->req;
			l->req.task = l;
			l->exec_pending = t->exec_pending;	/* loader/: the image to build */
			t->exec_pending = NULL;
			l->in_syscall_hook = t->in_syscall_hook;
		}
		task_free(th);
	}
	l->live_threads = 1;
	l->state = TASK_RUNNING;
	l->regs_valid = false;
	l->gadget = 0;
	return l;
}

int task_for_each(int (*fn)(struct task *, void *), void *arg)
{
	for (unsigned i = 0; i < TASK_HASH; i++)
		for (struct task *t = table[i], *n; t; t = n) {
			n = t->hash_next;
			int r = fn(t, arg);
			if (r) return r;
		}
	return 0;
}

void task_table_reset(void)
{
	for (unsigned i = 0; i < TASK_HASH; i++) {
		struct task *t = table[i], *n;
		for (; t; t = n) { n = t->hash_next; if (t->pidfd >= 0) close(t->pidfd); free(t); }
		table[i] = NULL;
	}
	init_task = NULL; ntasks = 0;
	pidmap_reset();
}
