/* services/trace/trace.h - `persona trace`: the strace-compatible tracer.
 * trace_begin() opens the output (before the guest starts, so an unwritable -o fails
 * early) and installs itself as the trap observer (core/trap.h): the filter then
 * traps every syscall, each is decoded at entry (input arguments) and exit (output
 * arguments and result) by services/trace/decode.h, and lines are written as strace
 * writes them, with the guest's virtual pids. trace_end() flushes and prints the -c
 * summary.
 * Thread: tracer thread (observer callbacks run in the event loop). */
#ifndef PERSONA_TRACE_H
#define PERSONA_TRACE_H
#include "services/trace/trace_opts.h"

/* 0, or an exit code after printing why (e.g. 1 for an unwritable -o FILE) */
int trace_begin(const struct trace_config *c);
void trace_end(void);
#endif
