/* services/trace/trace_opts.h - the options of `persona trace`, as strace(1) has them.
 *   -f -ff -o FILE -e trace=SET -s N -c -C -T -t -tt -ttt -y -v --host-pids
 * Thread: parsed once on the main thread before the guest starts. */
#ifndef PERSONA_TRACE_OPTS_H
#define PERSONA_TRACE_OPTS_H
#include <stdbool.h>
#include "core/syscall_table.h"

struct trace_config {
	bool follow;		/* -f: trace children (Persona always runs them) */
	bool per_pid_files;	/* -ff: FILE.PID per process */
	const char *outfile;	/* -o FILE, NULL: stderr */
	bool selected[SYSCALL_MAX];	/* -e trace=SET */
	unsigned strsize;	/* -s N (32) */
	bool summary;		/* -c: only the summary */
	bool summary_too;	/* -C: trace and summary */
	bool durations;		/* -T */
	int timestamps;		/* -t 1, -tt 2, -ttt 3 */
	bool fd_paths;		/* -y */
	bool verbose;		/* -v */
	bool host_pids;		/* --host-pids: "VPID/HOSTPID" in prefixes */
	int argi;		/* index of PROGRAM in argv */
};

/* Parses argv (argv[0] = "trace"). Returns 0, or 2 after printing an strace-like
 * error (unknown option, invalid system call or class in -e, bad -s). */
int trace_opts_parse(int argc, char **argv, struct trace_config *c);
/* Parses a -e trace= expression into c->selected: names, %classes, !negation,
 * "all", "none"; comma-separated. 0 or -1 with a message on stderr. */
int trace_opts_parse_set(const char *expr, struct trace_config *c);
void trace_opts_usage(FILE *f);
#endif
