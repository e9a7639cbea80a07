/* core/spawn.h - starts the first guest: the namespace's pid 1.
 *
 * The child sets PR_SET_PDEATHSIG (and the tracer uses PTRACE_O_EXITKILL) so no guest
 * outlives the supervisor, even a SIGKILLed one; becomes a child subreaper (orphans of
 * the guest reparent to it, as to a pid namespace's init); waits until the supervisor
 * has seized it; installs the seccomp filter; and execs the program. So the filter
 * and the tracer are in place before the guest's first instruction.
 *
 * Thread: the tracer thread (it becomes the tracer of the child). */
#ifndef PERSONA_SPAWN_H
#define PERSONA_SPAWN_H
#include <linux/filter.h>
#include <signal.h>
#include <sys/types.h>

/* Resolves `file` like execvp (PATH search when it has no '/'). Returns 0 and the
 * path in `out`, or -errno: ENOENT (not found), EACCES (not executable or a
 * directory), ENAMETOOLONG. */
int spawn_resolve(const char *file, char *out, size_t outlen);

/* Forks and seizes the guest, which starts with signal mask `mask` (NULL: persona's
 * own). Returns its host pid, or -errno. `err_fd` receives
 * the read end of a pipe on which the child writes the errno of a failed exec. */
pid_t spawn_guest(const char *path, char *const argv[], const struct sock_fprog *prog,
		  const sigset_t *mask, int *err_fd);

/* The ptrace options every guest task is traced with (init also has
 * PTRACE_O_TRACEEXIT, see lifecycle_exit_event) */
#define SPAWN_PTRACE_OPTIONS (PTRACE_O_EXITKILL | PTRACE_O_TRACESECCOMP | \
	PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | \
	PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC)
#endif
