/* services/trace/trace_out.h - the trace writer's output streams. Lines are collected
 * in 64 KiB buffers and written through the I/O service (services/io): the write is
 * asynchronous, its completion is handled in BLOCK_SOFTIRQ, so formatting and writing
 * stay off the path of the stopped guest. A terminal or stderr is flushed per line, as
 * strace does.
 * Thread: tracer thread. */
#ifndef PERSONA_TRACE_OUT_H
#define PERSONA_TRACE_OUT_H
#include <stddef.h>

struct tout;
/* Opens (creates, truncates) path; NULL with errno set on failure */
struct tout *tout_open(const char *path);
struct tout *tout_stderr(void);
void tout_write(struct tout *o, const char *s, size_t n);
/* Ends a line: "\n", and a flush for line-buffered streams */
void tout_newline(struct tout *o);
void tout_flush(struct tout *o);
/* Flushes; the descriptor is closed (and the stream freed) once its writes are done */
void tout_close(struct tout *o);
#endif
