/* services/trace/strbuf.c - see strbuf.h */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "services/trace/strbuf.h"

void strbuf_init(struct strbuf *sb)
{
	*sb = (struct strbuf)STRBUF_INIT;
}

void strbuf_free(struct strbuf *sb)
{
	if (sb->cap) free(sb->buf);
	strbuf_init(sb);
}

void strbuf_reset(struct strbuf *sb)
{
	strbuf_truncate(sb, 0);
	sb->oom = false;
}

void strbuf_truncate(struct strbuf *sb, size_t len)
{
	if (len >= sb->len) return;
	sb->len = len;
	sb->buf[len] = 0;
}

bool strbuf_grow(struct strbuf *sb, size_t extra)
{
	if (sb->oom) return false;
	if (sb->len + extra + 1 <= sb->cap) return true;
	size_t cap = sb->cap ? sb->cap : 64;
	while (cap < sb->len + extra + 1) cap *= 2;
	char *p = realloc(sb->cap ? sb->buf : NULL, cap);
	if (!p) {
		sb->oom = true;
		return false;
	}
	if (!sb->cap) p[0] = 0;
	sb->buf = p;
	sb->cap = cap;
	return true;
}

void strbuf_addn(struct strbuf *sb, const char *s, size_t n)
{
	if (!strbuf_grow(sb, n)) return;
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = 0;
}

void strbuf_addc(struct strbuf *sb, char c)
{
	strbuf_addn(sb, &c, 1);
}

void strbuf_adds(struct strbuf *sb, const char *s)
{
	strbuf_addn(sb, s, strlen(s));
}

void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	char small[128];
	int n = vsnprintf(small, sizeof small, fmt, ap);
	if (n < 0) {
		va_end(ap2);
		return;
	}
	if ((size_t)n < sizeof small) {
		strbuf_addn(sb, small, (size_t)n);
	} else if (strbuf_grow(sb, (size_t)n)) {
		vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap2);
		sb->len += (size_t)n;
	}
	va_end(ap2);
}

void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(sb, fmt, ap);
	va_end(ap);
}

void strbuf_pad_to(struct strbuf *sb, size_t col)
{
	while (sb->len < col && !sb->oom) strbuf_addc(sb, ' ');
}
