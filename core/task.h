/* core/task.h - the task table: Persona's task_struct.
 *
 * A task is one guest thread. Thread groups (processes) are led by their first
 * thread; parent/children links are between group leaders, as in Linux. Every host id
 * is mirrored by a virtual one from pidmap.h. The table is the source of truth for the
 * guest's view: getpid, getppid, /proc/PID and wait results are computed from it.
 *
 * Lifetime: task_create on the fork/clone event (or for the first guest), task_exit
 * when the host reports the thread gone, task_release when the last reference (the
 * guest parent's wait, or autoreap) drops the process.
 *
 * Thread: tracer thread only (only it issues ptrace requests for a guest). */
#ifndef PERSONA_TASK_H
#define PERSONA_TASK_H
#include <stdbool.h>
#include <sys/types.h>
#include <sys/user.h>
#include "core/list.h"
#include "core/sysreq.h"
#include "core/pidmap.h"

struct kthread;
struct mm;
struct sched_entity;
struct shim_region;


enum task_state {
	TASK_NEW,	/* created by an event; its first stop not yet seen */
	TASK_RUNNING,	/* in user space or a native syscall */
	TASK_TRAPPED,	/* stopped in a trap, being handled */
	TASK_BLOCKED,	/* blocked in the personality (SYSRET_BLOCK) */
	TASK_STOPPED,	/* group-stopped (SIGSTOP/SIGTSTP...), parked with PTRACE_LISTEN */
	TASK_ZOMBIE,	/* process exited; waits for its guest parent to reap it */
	TASK_DEAD,	/* thread gone; freed when no one refers to it */
};

struct task {
	pid_t tid;			/* host tid */
	struct pidnum *pid;		/* virtual tid (pid->virt) */
	struct task *leader;		/* thread-group leader; itself for leaders */
	struct task *parent;		/* leaders: guest parent process, NULL for init */
	struct list_head children;	/* leaders: child processes (their `sibling`) */
	struct list_head sibling;
	struct list_head threads;	/* leaders: all threads incl. itself (`thread_node`) */
	struct list_head thread_node;
	struct task *hash_next;		/* task table chain, keyed by host tid */
	struct pidnum *pgrp, *session;	/* leaders: process group and session (NULL: outside) */
	int live_threads;		/* leaders: threads not yet reported gone */
	enum task_state state;
	int exit_status;		/* wait(2) status once exited */
	bool subreaper;			/* prctl(PR_SET_CHILD_SUBREAPER) */
	struct kthread *kthread;	/* a kernel thread (no mm): core/kthread_task.c */
	bool nested_pidns;		/* in a pid namespace the guest created: ids are the
					 * kernel's own there, so id syscalls run natively */
	bool exit_seen;			/* PTRACE_EVENT_EXIT seen */
	int pidfd;			/* leaders: pidfd, to notice reaping we did not see */
	struct mm *mm;			/* address space (services/mm), shared by threads */
	uint64_t altstack_sp, altstack_size;	/* sigaltstack, for signal-frame prefault */
	/* memory the kernel writes on its own (services/mm/kwrite.c) */
	uint64_t rseq_area, clear_tid;
	uint64_t fault_retry;		/* address of a fault retried once (services/mm/fault.c) */
	/* guest memory the current syscall (or signal frame) uses: reclaim must not
	 * evict it while the host kernel may touch it (services/mm/reclaim.c) */
	uint64_t mm_pins[8][2];
	uint8_t mm_npins;
	bool mm_pin_all;
	uint64_t fault_retry_gen;	/* the mm's install_gen at that retry */
	/* leaders: the guest's SIGSEGV and SIGBUS dispositions (kernel struct sigaction),
	 * which a fault taken while the signal is blocked resets (services/mm/sigfault.c) */
	uint64_t fault_act[2][4];
	bool fault_act_set[2];
	void *exec_pending;		/* an exec the loader checked, built at the exec event */
	struct sched_entity *se;	/* the scheduler's record (services/sched), NULL when off */
	/* the in-guest shim (core/shim.h): its region (shared by the tasks of one mm),
	 * the region a fork child copies at its first stop, and this thread's channel */
	struct shim_region *shim, *shim_copy_from;
	int shim_chan;
	bool shim_has_chan;

	/* trap state, owned by the trap backend */
	struct user_regs_struct regs;
	bool regs_valid, regs_dirty;
	int stop;			/* enum stop_kind (trap.h) of the current ptrace-stop */
	bool in_syscall_hook;		/* resumed with PTRACE_SYSCALL, awaiting exit stop */
	bool reissue;			/* next trap of this syscall runs natively, undispatched */
	int pending_sig;		/* signal to deliver at next resume (held during injection) */
	struct sysreq req;		/* the request in flight */
	unsigned long ctid_fixup;	/* CLONE_CHILD_SETTID address to rewrite at first stop */
	unsigned long ptid_fixup;	/* CLONE_PARENT_SETTID address to write at the clone's exit */
	int ptid_value;
	unsigned long gadget;		/* address of a `syscall` instruction in this mm */
	struct inject_batch *batch;	/* injected calls being queued (core/inject.h) */
};

static inline pid_t task_vtid(const struct task *t) { return t->pid->virt; }
static inline pid_t task_vpid(const struct task *t) { return t->leader->pid->virt; }
static inline pid_t task_tgid(const struct task *t) { return t->leader->tid; }
static inline bool task_is_leader(const struct task *t) { return t->leader == t; }

/* New task for host tid `tid`. `leader` NULL makes a new process whose guest parent is
 * `parent` (NULL for init). Returns NULL when the namespace is full. */
struct task *task_create(pid_t tid, struct task *leader, struct task *parent);
struct task *task_by_host(pid_t tid);
struct task *task_by_virt(pid_t vtid);
/* The thread is gone (host reported exit). Leaders become zombies once all threads are
 * gone; returns true when the whole process just exited. */
bool task_thread_gone(struct task *t, int status);
/* The guest parent reaped the zombie process `t` (or it was autoreaped): frees it. */
void task_release(struct task *t);
/* Moves `t`'s children to the nearest subreaper ancestor, else init (Linux's
 * find_new_reaper). */
void task_reparent_children(struct task *t);
/* exec by thread `t` of the group: other threads are gone; `t` takes the leader's id */
struct task *task_exec(struct task *t);
void task_set_pgrp(struct task *leader, pid_t host_pgid);
void task_set_session(struct task *leader, pid_t host_sid);
struct task *task_init(void);		/* the namespace's pid 1, NULL before it starts */
unsigned task_count(void);		/* tasks in the table, zombies included */
/* Calls fn on every task; stops early when fn returns non-zero (returned). */
int task_for_each(int (*fn)(struct task *, void *), void *arg);
void task_table_reset(void);
#endif
