/* services/trace/tracenorm.h - what legitimately differs between two runs of the
 * same program, taken out of trace events before they are compared.
 *
 * Normalisations (the same list is in `persona diff --help`):
 *   - layout: runs of blanks outside strings become one blank (strace pads results
 *     to a column, and a joined unfinished/resumed call has other blanks);
 *   - hexadecimal numbers: 0x... -> 0xPTR (pointers, ASLR addresses, brk/mmap results;
 *     flag words strace prints in hex go with them);
 *   - pids: every process of the trace is named by its canonical ordinal (see
 *     traceload.h), <pid#N>; a pid of no process in the trace is <pid?>. Pids are
 *     recognised where the syscall table (core/syscall_table.h) declares an argument
 *     or the result A_PID (fork, clone, wait4, kill, getpid, getppid, gettid,
 *     set_tid_address, tgkill, ...), in the fields si_pid, l_pid, pid, parent_tid,
 *     in "/proc/PID" and "/task/TID" inside strings, in readlink's "PID" (of
 *     /proc/self), in d_name="PID" of getdents (listings of /proc), in futex's value
 *     when it is the tid of a process of the trace (pthread_join waits on a tid) and
 *     in "+++ superseded by execve in pid N +++";
 *   - times: tv_sec, tv_nsec, tv_usec, st_[amc]time(_nsec), stx_[abcm]time, si_utime,
 *     si_stime, ru_* (rusage), tms_* and sysinfo's uptime/loads/free counts -> ?, with
 *     the date comment strace puts after some of them; time() and times() results;
 *   - rt_sigreturn's result (whatever the call the signal interrupted returned) -> ?;
 *   - inodes and devices: st_ino, stx_ino, d_ino, d_off, st_dev, stx_dev_*, f_fsid,
 *     the free counts of statfs -> ?; "pipe:[N]", "socket:[N]" -> pipe:[INO], socket:[INO];
 *   - random bytes: getrandom's buffer -> "<random>";
 *   - directory listings: getdents/getdents64 buffer size, result (byte count),
 *     d_reclen (-> ?) and "/ * N entries * /" -> N.
 * Everything else is kept exact: names, flags, strings, errno names, fd numbers,
 * sizes, "/ * N vars * /" of execve.
 *
 * Thread: single-threaded use (the syscall table must have been initialised). */
#ifndef PERSONA_TRACENORM_H
#define PERSONA_TRACENORM_H
#include <stdint.h>
#include "services/trace/traceload.h"

/* Fills nr, norm and hash of every event of `t` (pids named by t's ordinals).
 * Returns 0, or -1 when out of memory. */
int tnorm_trace(struct tload_trace *t);
/* The normalised text of one event (kind: enum tload_kind; name: the syscall's, for
 * a call; t: for pid ordinals, NULL: every pid is <pid?>). Caller frees; NULL when
 * out of memory. */
char *tnorm_event(const struct tload_trace *t, int kind, const char *name, const char *text);
/* `text` with runs of blanks outside strings made one blank (for display). Caller
 * frees; NULL when out of memory. */
char *tnorm_squeeze(const char *text);
/* 64-bit FNV-1a of a string */
uint64_t tnorm_hash(const char *s);
#endif
