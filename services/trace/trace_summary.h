/* services/trace/trace_summary.h - the -c/-C table: calls, errors and time per
 * syscall, printed in strace's layout, sorted by time (then calls, then name) as
 * strace's default -S time sorts. Time is wall-clock between the entry and exit stop
 * of each call (strace -w), since per-call system time is not observable here. */
#ifndef PERSONA_TRACE_SUMMARY_H
#define PERSONA_TRACE_SUMMARY_H
#include <stdio.h>

void trace_summary_add(long nr, long ret, double seconds);
void trace_summary_print(FILE *f);
void trace_summary_reset(void);
#endif
