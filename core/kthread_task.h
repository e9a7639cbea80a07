/* core/kthread_task.h - kernel threads in the task table.
 * The deferred-work kthreads (services/deferred/kthread.h: kthreadd, ksoftirqd/N,
 * kworker/N:M, ...) are supervisor threads. Each gets a task with no address space
 * (task.kthread, Linux's mm == NULL) and a virtual pid, so the guest's ps -e lists them
 * like Linux does: kthreadd is pid 2 (init, spawned just before, is pid 1), the others
 * are its children. Guests cannot signal, trace or inspect them (EPERM).
 * Thread: tracer thread (kthreads created later are registered through
 * irq_call_on_tracer). */
#ifndef PERSONA_KTHREAD_TASK_H
#define PERSONA_KTHREAD_TASK_H

/* Starts the deferred-work machinery on `ncpus` CPUs and registers its kthreads. */
int kthread_tasks_start(unsigned ncpus);
/* Stops it and removes the kthread tasks. */
void kthread_tasks_stop(void);
#endif
