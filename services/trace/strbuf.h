/* services/trace/strbuf.h - a small growable string buffer for the tracer's output.
 *
 * The buffer is always NUL-terminated (sb->buf is "" right after strbuf_init, never
 * NULL). If an allocation fails, the buffer keeps what it had, sets `oom`, and
 * ignores further appends; callers check `oom` once per line if they care.
 *
 * Thread: a strbuf belongs to one thread; no locking. */
#ifndef PERSONA_STRBUF_H
#define PERSONA_STRBUF_H
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct strbuf {
	char *buf;		/* NUL-terminated contents */
	size_t len;		/* strlen(buf) */
	size_t cap;		/* bytes allocated; 0 while buf points to a static "" */
	bool oom;		/* an append failed for lack of memory */
};

#define STRBUF_INIT { (char *)"", 0, 0, false }

void strbuf_init(struct strbuf *sb);
/* Frees the memory; the buffer is empty and reusable afterwards. */
void strbuf_free(struct strbuf *sb);
/* Empties the buffer, keeping its memory. */
void strbuf_reset(struct strbuf *sb);
/* Shortens to `len` bytes (no-op if already shorter). */
void strbuf_truncate(struct strbuf *sb, size_t len);
/* Makes room for `extra` more bytes. false (and oom set) on failure. */
bool strbuf_grow(struct strbuf *sb, size_t extra);

void strbuf_addc(struct strbuf *sb, char c);
void strbuf_adds(struct strbuf *sb, const char *s);
void strbuf_addn(struct strbuf *sb, const char *s, size_t n);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Appends spaces until the buffer is `col` bytes long (strace's column alignment). */
void strbuf_pad_to(struct strbuf *sb, size_t col);
#endif
