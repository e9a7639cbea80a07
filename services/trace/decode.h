/* services/trace/decode.h - formats one system call the way strace(1) prints it.
 *
 * Decoding is driven entirely by the syscall table (core/syscall_table.h): every
 * argument is printed according to its enum arg_type, never by syscall name. A few
 * types look at their neighbours, as strace does (an open flags argument hides the
 * mode unless O_CREAT/O_TMPFILE; an fcntl command decides how its third argument
 * prints; a futex op decides which of the other arguments exist; clone's flags print
 * strace's "child_stack=..., flags=..." layout).
 *
 * A line is built in two steps, like strace builds it:
 *   entry:  "openat(AT_FDCWD, \"/etc/passwd\", O_RDONLY|O_CLOEXEC"   (trace_decode_entry)
 *   exit:   ") = 3"                                                 (trace_decode_exit)
 * Input arguments are printed at entry, up to the first output argument (A_OUT);
 * output arguments and everything after them are printed at exit, when the kernel
 * has written them: "read(3, " then "\"root:x:0:0\"..., 4096) = 1234". Between the
 * two halves the caller may print strace's " <unfinished ...>" / "<... read
 * resumed>" decorations; the halves concatenate to the complete line.
 *
 * Results: " = 3", " = -1 ENOENT (No such file or directory)", " = 0x55d5c000" for
 * pointer results, " = ?" for exit/exit_group, " = ? ERESTARTSYS (To be restarted if
 * SA_RESTART is set)" for interrupted calls, and strace's annotations such as
 * " = 0x1 (flags FD_CLOEXEC)" or " = 1 ([{fd=3, revents=POLLIN}])".
 *
 * Column: strace pads a line with spaces so that " = " starts at column 39 (0-based,
 * counted from the start of the line including any "PID  " prefix) when the line is
 * shorter. The decoder does not know where the caller's line starts, so it does not
 * pad; to match strace's layout byte for byte, use the split exit functions:
 *     trace_decode_exit_args(sb, ...);              // "..., 4096)"
 *     strbuf_pad_to(sb, line_start + TRACE_RESULT_COLUMN);
 *     trace_decode_result(sb, ...);                 // " = 1234"
 * trace_decode_exit() is exactly exit_args followed by result.
 *
 * Guest memory is read with copy_from_guest() on `tid` (any thread of the guest
 * process; tid = getpid() decodes pointers into the caller's own memory, which is
 * what the tests do), so each half must run while the task is stopped at the
 * matching syscall-entry or syscall-exit stop. Unreadable pointers print in hex, as
 * strace prints them. With fd_paths, "<path>" comes from /proc/TID/fd/N and
 * /proc/TID/cwd. rt_sigreturn's {mask=[...]} is read from the signal frame at the
 * stack pointer /proc/TID/syscall shows for the stopped task ("{mask=?}" if that
 * cannot be read).
 *
 * Thread: any thread (syscall_table_init() must have run). The functions keep no
 * state between calls, except one value per thread from entry to exit: the socklen
 * of accept/getsockname-like calls, which strace shows as "[110 => 16]". */
#ifndef PERSONA_TRACE_DECODE_H
#define PERSONA_TRACE_DECODE_H
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "services/trace/strbuf.h"

struct trace_fmt_opts {
	unsigned strsize;	/* -s: bytes of strings/buffers shown, and elements of
				 * arrays; 0 means strace's default, 32 */
	bool verbose;		/* -v: full structures, environment, directory entries */
	bool fd_paths;		/* -y: "<path>" after file descriptors */
};

/* Column (relative to the start of the line) strace pads the text before " = " to */
#define TRACE_RESULT_COLUMN 39

/* Appends "name(" and the input arguments up to (not including) the first output
 * argument, e.g. `openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC` or `read(3, `
 * (the separator before a pending output argument is printed here, as strace does).
 * Returns the index of the first argument not yet printed: pass it to the exit half.
 * Syscalls without a table row print their raw arguments in hex; numbers without a
 * name print as "syscall_0x1c8(...)", as strace does. */
int trace_decode_entry(struct strbuf *sb, pid_t tid, long nr, const uint64_t args[6],
		       const struct trace_fmt_opts *o);

/* Appends the arguments from index `from` on (output arguments are decoded now, after
 * the call; if the call failed they print as addresses), ")" and the result. `ret` is
 * the raw return register (negative errno on failure). */
void trace_decode_exit(struct strbuf *sb, pid_t tid, long nr, const uint64_t args[6],
		       int from, long ret, const struct trace_fmt_opts *o);

/* The two halves of trace_decode_exit: the remaining arguments and ")", then the
 * result starting with " = " (see "Column" above). */
void trace_decode_exit_args(struct strbuf *sb, pid_t tid, long nr, const uint64_t args[6],
			    int from, long ret, const struct trace_fmt_opts *o);
void trace_decode_result(struct strbuf *sb, pid_t tid, long nr, const uint64_t args[6],
			 long ret, const struct trace_fmt_opts *o);

/* restart_syscall(2) is the kernel resuming an interrupted call; strace names the
 * call it resumes: "restart_syscall(<... resuming interrupted clock_nanosleep ...>".
 * Use this instead of trace_decode_entry() for restart_syscall, with the number of
 * the task's interrupted syscall; pass its return value to the exit half. */
int trace_decode_restart(struct strbuf *sb, long prev_nr);

/* Appends "--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=42, si_uid=0,
 * si_status=0, si_utime=0, si_stime=0} ---" (no newline). */
void trace_decode_signal(struct strbuf *sb, const siginfo_t *si);

/* Appends "+++ exited with 0 +++", "+++ killed by SIGKILL +++" or "+++ killed by
 * SIGSEGV (core dumped) +++" for a wait(2) status (no newline). */
void trace_decode_exit_status(struct strbuf *sb, int wstatus);

/* strace's name of a signal number: "SIGINT", "SIGRTMIN", "SIGRT_3", or the number
 * in decimal. Returns buf (at least 16 bytes) or a static string. */
const char *trace_signal_name(int sig, char buf[16]);
#endif
