/* services/trace/decode_str.c - strings, buffers and string arrays, quoted as
 * strace's string_quote()/printstr_ex()/printpathn()/printargv() quote them. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "core/guest_mem.h"
#include "services/trace/decode_internal.h"

#define PAGE 4096u

bool tdec_quote(struct strbuf *sb, const unsigned char *s, size_t n, unsigned style,
		bool bare, const char *escape)
{
	static const char named[] = { '\f', 'f', '\n', 'n', '\r', 'r', '\t', 't', '\v', 'v' };
	bool nul = false;
	if (!bare) strbuf_addc(sb, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = s[i];
		if ((style & Q_NUL) && !ch) {
			nul = true;
			break;
		}
		if (style & Q_HEX) {
			strbuf_addf(sb, "\\x%02x", ch);
			continue;
		}
		const char *e = memchr(named, ch, sizeof named);
		if (ch == '"' || ch == '\\') {
			strbuf_addc(sb, '\\');
			strbuf_addc(sb, (char)ch);
		} else if (ch && e && (e - named) % 2 == 0) {
			strbuf_addc(sb, '\\');
			strbuf_addc(sb, e[1]);
		} else if (ch >= ' ' && ch < 0x7f && !(escape && strchr(escape, ch))) {
			strbuf_addc(sb, (char)ch);
		} else if (i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '7') {
			strbuf_addf(sb, "\\%03o", ch);	/* the next char could extend it */
		} else {
			strbuf_addf(sb, "\\%o", ch);
		}
	}
	if (!bare) strbuf_addc(sb, '"');
	return nul;
}

/* Reads at most n bytes of a NUL-terminated string (page by page: it may end just
 * before an unmapped page). Returns the bytes read (the NUL included if seen), or
 * -1 if nothing could be read. */
static long read_cstr(pid_t tid, uint64_t addr, unsigned char *dst, size_t n)
{
	size_t done = 0;
	while (done < n) {
		size_t chunk = PAGE - ((addr + done) & (PAGE - 1));
		if (chunk > n - done) chunk = n - done;
		if (copy_from_guest(tid, dst + done, addr + done, chunk)) return done ? (long)done : -1;
		unsigned char *nul = memchr(dst + done, 0, chunk);
		if (nul) return nul - dst + 1;
		done += chunk;
	}
	return (long)done;
}

void tdec_printstr(struct dctx *c, uint64_t addr, uint64_t len, unsigned style)
{
	if (!addr) {
		strbuf_adds(c->sb, "NULL");
		return;
	}
	size_t size = c->strsize + 1ull < len ? c->strsize + 1 : (size_t)len;
	unsigned char *buf = malloc(size + 1);
	if (!buf) {
		tdec_addr(c->sb, addr);
		return;
	}
	long got = (style & Q_NUL) ? read_cstr(c->tid, addr, buf, size)
				   : (copy_from_guest(c->tid, buf, addr, size) ? -1 : (long)size);
	if (got < 0) {
		tdec_addr(c->sb, addr);
		free(buf);
		return;
	}
	if ((size_t)got < size) memset(buf + got, 0, size - (size_t)got);
	if (size > c->strsize) size = c->strsize;
	else buf[size] = 0xff;	/* strace's sentinel: "more follows" unless NUL */
	bool nul = tdec_quote(c->sb, buf, size, style, false, NULL);
	bool more = !nul && len && ((style & Q_NUL) ? buf[size] != 0 : len > c->strsize);
	if (more) strbuf_adds(c->sb, "...");
	free(buf);
}

void tdec_printcstr(struct dctx *c, uint64_t addr)
{
	tdec_printstr(c, addr, UINT64_MAX, Q_NUL);
}

void tdec_printpathn(struct dctx *c, uint64_t addr, uint64_t n)
{
	if (!addr) {
		strbuf_adds(c->sb, "NULL");
		return;
	}
	if (n > PATH_MAX - 1) n = PATH_MAX - 1;
	unsigned char path[PATH_MAX + 1];
	long got = read_cstr(c->tid, addr, path, n + 1);
	if (got < 0) {
		tdec_addr(c->sb, addr);
		return;
	}
	bool nul = got > 0 && path[got - 1] == 0;
	tdec_quote(c->sb, path, nul ? (size_t)got - 1 : (size_t)(got < (long)n ? got : (long)n),
		   0, false, NULL);
	if (!nul) strbuf_adds(c->sb, "...");
}

void tdec_printpath(struct dctx *c, uint64_t addr)
{
	tdec_printpathn(c, addr, PATH_MAX - 1);
}

void tdec_argv(struct dctx *c, uint64_t addr)
{
	if (!addr) {
		strbuf_adds(c->sb, "NULL");
		return;
	}
	for (unsigned n = 0;; n++, addr += 8) {
		uint64_t word;
		if (copy_from_guest(c->tid, &word, addr, 8)) {
			if (n == 0) {
				tdec_addr(c->sb, addr);
				return;
			}
			strbuf_addf(c->sb, ", ... /* %#llx */", (unsigned long long)addr);
			break;
		}
		if (n == 0) strbuf_addc(c->sb, '[');
		if (!word) break;
		if (n) strbuf_adds(c->sb, ", ");
		if (!c->o->verbose && n + 1 > c->strsize) {
			strbuf_adds(c->sb, "...");
			break;
		}
		tdec_printcstr(c, word);
	}
	strbuf_addc(c->sb, ']');
}

void tdec_argc(struct dctx *c, uint64_t addr)
{
	tdec_addr(c->sb, addr);
	if (!addr) return;
	unsigned n = 0;
	bool unterminated = false;
	for (;; n++, addr += 8) {
		uint64_t word;
		if (copy_from_guest(c->tid, &word, addr, 8)) {
			if (n == 0) return;
			unterminated = true;
			break;
		}
		if (!word) break;
	}
	strbuf_addf(c->sb, " /* %u var%s%s */", n, n == 1 ? "" : "s",
		    unterminated ? ", unterminated" : "");
}
