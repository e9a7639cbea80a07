/* core/lifecycle.h - process lifecycle as the tracer sees it: clone events, a new
 * task's first stop, exec, thread and process exit, the end of the namespace.
 * These keep the task table (task.h) true to what the host did.
 *
 * Thread: tracer thread only. */
#ifndef PERSONA_LIFECYCLE_H
#define PERSONA_LIFECYCLE_H
#include <stdbool.h>
#include <sys/types.h>
#include "core/task.h"

/* The first guest, just spawned. NULL when the table is full. */
struct task *lifecycle_start(pid_t host_pid);
/* PTRACE_EVENT_FORK/VFORK/CLONE in `parent`; `event` is the PTRACE_EVENT_*. */
void lifecycle_clone_event(struct task *parent, int event);
/* A stop of a host tid not (yet) in the table: a new child whose creation event has
 * not arrived. Held until it does. */
void lifecycle_orphan_stop(pid_t tid);
/* The first stop of a task created by a clone event: finishes its set-up, resumes it */
void lifecycle_first_stop(struct task *t);
/* PTRACE_EVENT_EXEC; returns the task that now runs the new image */
struct task *lifecycle_exec_event(struct task *t);
/* PTRACE_EVENT_EXIT (only init is traced with it): when init's last thread exits,
 * the rest of the namespace is killed before init's exit completes, as Linux's
 * zap_pid_ns_processes() does. */
void lifecycle_exit_event(struct task *t);
/* Host reported thread `tid` gone with wait status `status`. */
void lifecycle_death(pid_t tid, int status);
/* A death or stop noticed while waiting for a task in a nested wait (an injection):
 * it is handed to tracer_handle() by lifecycle_flush_later() once the current stop's
 * handling is done. */
void lifecycle_stop_later(pid_t tid, int status);
void lifecycle_flush_later(void);
/* Releases zombies that the host already reaped without our seeing it (a parent
 * ignoring SIGCHLD, SA_NOCLDWAIT). */
void lifecycle_zombie_gc(void);
/* Notifiers for services that keep per-task state (timers, ...): called on the
 * tracer thread when a thread is gone (before its task is freed) and when a process
 * execs (after the thread group collapsed). At most 8 of each. */
void lifecycle_on_thread_gone(void (*fn)(struct task *t));
void lifecycle_on_exec(void (*fn)(struct task *leader));
/* true once init has exited and every other task is gone */
bool lifecycle_done(int *init_status);
/* The event loop ended (no children left, or io_uring failed) while lifecycle_done()
 * is false: says what the table still holds, so exit status 255 is never silent. */
void lifecycle_report_unfinished(bool no_children);
#endif
