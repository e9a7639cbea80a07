/* core/kthread_task.c - see kthread_task.h */
#include <stdlib.h>
#include "core/kthread_task.h"
#include "core/irq.h"
#include "core/log.h"
#include "core/task.h"
#include "services/deferred/deferred.h"
#include "services/deferred/kthread.h"

static bool started;

static struct task *task_of(struct kthread *k)
{
	return k ? task_by_host(kthread_tid(k)) : NULL;
}

/* Tracer thread: the task for kthread k, child of kthreadd's task */
static void register_now(void *arg)
{
	struct kthread *k = arg;
	if (!started || task_of(k)) return;
	struct task *parent = task_of(kthread_parent(k));
	struct task *t = task_create(kthread_tid(k), NULL, parent);
	if (!t) return;
	t->kthread = k;
	t->state = TASK_RUNNING;
	DBG(DBG_WORK, "kthread %s is pid %d", kthread_comm(k), task_vtid(t));
}

static int register_each(struct kthread *k, void *arg)
{
	/* parents first: kthreadd has no parent and comes first in the list */
	register_now(k);
	return 0;
}

static void unregister_now(void *arg)
{
	pid_t tid = (pid_t)(long)arg;
	struct task *t = task_by_host(tid);
	if (t && t->kthread) {
		task_thread_gone(t, 0);
		task_release(t);
	}
}

static void on_created(struct kthread *k) { irq_call_on_tracer(register_now, k); }
static void on_exited(struct kthread *k) { irq_call_on_tracer(unregister_now, (void *)(long)kthread_tid(k)); }

int kthread_tasks_start(unsigned ncpus)
{
	int err = deferred_init(ncpus);
	if (err) {
		log_err("cannot start kernel threads: %d", err);
		return err;
	}
	started = true;
	kthread_set_hooks(on_created, on_exited);
	register_now(kthreadd_task());
	kthread_for_each(register_each, NULL);
	return 0;
}

static int release_one(struct task *t, void *arg)
{
	if (t->kthread) {
		*(struct task **)arg = t;
		return 1;
	}
	return 0;
}

void kthread_tasks_stop(void)
{
	if (!started) return;
	started = false;
	kthread_set_hooks(NULL, NULL);
	deferred_shutdown();
	for (struct task *t; (t = NULL, task_for_each(release_one, &t)) && t; ) {
		task_thread_gone(t, 0);
		task_release(t);
	}
}
