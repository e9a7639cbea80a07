/* services/trace/tracediff.h - `persona diff TRACE_A TRACE_B`: are two syscall traces
 * (strace's text format, written by strace or by persona trace) the same program
 * behaviour, up to what legitimately differs between runs?
 *
 *   persona diff [--ignore=SYSCALLS] [--class=CLASSES] [--max=N] [--context=N] A B
 *
 * Each trace is read into processes (traceload.h), its events normalised
 * (tracenorm.h); the processes of A and B are paired by canonical order, and each
 * pair's event sequences aligned (tracealign.h). Signals are asynchronous: the
 * signal lines, rt_sigreturn and restart_syscall of a process are aligned as a
 * sequence of their own, so that where a signal hit does not count as a difference;
 * calls a signal interrupted (= ? ERESTART...) are restarted by the kernel and not
 * compared. The report gives, per process, the
 * number of syscalls in A and in B and how many matched, then the first divergences
 * with context and FILE:LINE of each line shown. `persona diff --help` lists the
 * normalisations.
 *
 * Exit status: 0 equivalent (every event of every process matched), 1 different,
 * 2 bad usage or unreadable input (a line that is not a trace line: "FILE:LINE:
 * cannot parse: LINE" on stderr).
 *
 * Thread: main thread; writes the report to stdout, errors to stderr. */
#ifndef PERSONA_TRACEDIFF_H
#define PERSONA_TRACEDIFF_H

/* argv[0] is "diff"; returns the exit status */
int tracediff_main(int argc, char **argv);
#endif
