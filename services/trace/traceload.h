/* services/trace/traceload.h - a whole strace trace read into processes and events.
 *
 * Input forms (see traceparse.h for the lines):
 *   - one file (strace -o FILE, with or without -f): lines are grouped by their pid
 *     prefix; lines without one belong to the only process (or, in strace's terminal
 *     format where the prefix appears only while several processes live, to the only
 *     live process; the first unprefixed process takes the first pid that turns up
 *     which is not one of its children);
 *   - strace -ff output, FILE.PID per process: PATH may be the FILE prefix or a
 *     directory holding the files; each file is one process.
 * A pid seen again after its "+++ exited" line is a new process (pid reuse).
 * An unfinished call and its "<... NAME resumed>" line become one event, at the
 * position and line of the first half; a resumption in another pid (a thread's
 * execve) joins the open call of that name wherever it is; an orphan resumption
 * is an event of its own.
 *
 * Processes are put in a canonical order that does not depend on pid values or on
 * how the kernel interleaved them: a pre-order walk of the process tree (children in
 * the order their parent's clone/fork/vfork/clone3 calls returned them), the roots in
 * order of appearance. Processes of two runs are compared by this order.
 *
 * Thread: single-threaded use; a trace is owned by its caller. */
#ifndef PERSONA_TRACELOAD_H
#define PERSONA_TRACELOAD_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum tload_kind { TL_CALL, TL_SIGNAL, TL_EXIT };

struct tload_event {
	uint8_t kind;		/* enum tload_kind */
	bool open;		/* an unfinished call that was never resumed */
	int nr;			/* syscall number (tnorm_trace fills it), -1 unknown */
	unsigned line;		/* line (1-based) of the event, its first half if joined */
	const char *file;	/* the file it is in (owned by the trace) */
	char *name;		/* the syscall's name (TL_CALL), NULL otherwise */
	char *text;		/* the body: no prefix, timestamp or duration; halves joined */
	char *norm;		/* normalised text (tnorm_trace), NULL before */
	uint64_t hash;		/* of norm */
};

struct tload_task {
	long pid;		/* -1: not known (unprefixed lines of a single file) */
	const char *file;	/* the process's -ff file, or the trace's file */
	struct tload_event *ev;
	size_t nev, evcap;
	long *kids;		/* pids its fork-like calls returned, in order */
	size_t nkids, kidcap;
	int parent;		/* index of the creating task, -1 for a root */
	int open_ev;		/* index of its unfinished call, -1 */
	bool exited;		/* its "+++ ... +++" line has been read */
	unsigned ordinal;	/* 1-based position in the canonical order */
};

struct tload_trace {
	struct tload_task *task;	/* in order of appearance */
	size_t ntask, taskcap;
	size_t *order;		/* task indices in canonical order */
	char **files;		/* the files read */
	size_t nfiles;
	struct tload_pidmap *pids;	/* pid -> latest task with it (private) */
};

/* Reads the trace at `path` (a file, a -ff directory or a -ff prefix). Returns 0, or
 * -1 after printing the reason on stderr: "PATH: strerror" for unreadable input,
 * "FILE:LINE: cannot parse: LINE" for a line that is not a trace line. *t is always
 * left freeable. */
int tload_read(const char *path, struct tload_trace *t);
void tload_free(struct tload_trace *t);
/* The canonical ordinal (1-based) of the process that had `pid` in this trace, 0 if
 * no process had it. With pid reuse, the first process that had it. */
unsigned tload_pid_ordinal(const struct tload_trace *t, long pid);
/* Counts the TL_CALL events of a task. */
size_t tload_ncalls(const struct tload_task *k);
#endif
