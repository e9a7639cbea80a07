/* core/pidmap.h - virtual pid numbers: the guest's pid namespace.
 *
 * A pid number (struct pidnum) maps one host pid/tid/pgid/sid to one virtual number.
 * Like Linux's struct pid it is reference counted: a task holds its own number, and
 * every task holds the number of its process group and session, so a group id stays
 * valid (and is not reused) after its leader is reaped. Numbers are handed out
 * cyclically from 1, as alloc_pid() does.
 *
 * Thread: tracer thread only. */
#ifndef PERSONA_PIDMAP_H
#define PERSONA_PIDMAP_H
#include <sys/types.h>

struct task;
struct pidnum {
	pid_t host, virt;
	int refs;
	struct task *task;	/* the task with this id, or NULL once it is reaped */
	struct pidnum *host_next, *virt_next;	/* hash chains */
};

#define PIDMAP_MAX 4194304	/* PID_MAX_LIMIT */

/* New number for host id `host`, refs = 1. NULL if the namespace is full. */
struct pidnum *pidmap_alloc(pid_t host);
void pidmap_get(struct pidnum *p);
void pidmap_put(struct pidnum *p);
struct pidnum *pidmap_by_host(pid_t host);
struct pidnum *pidmap_by_virt(pid_t virt);
/* Translations; 0 when the id is outside the namespace (as Linux reports such ids) */
pid_t pidmap_to_virt(pid_t host);
/* -1 when `virt` is not a number in the namespace */
pid_t pidmap_to_host(pid_t virt);
/* Remembers a just-freed mapping so late signals (SIGCHLD after reap) still translate */
pid_t pidmap_to_virt_recent(pid_t host);
unsigned pidmap_count(void);
/* Drops every number (tests, end of run). */
void pidmap_reset(void);
#endif
