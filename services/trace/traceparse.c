/* services/trace/traceparse.c - one line of strace's text output (see traceparse.h) */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "services/trace/traceparse.h"

static const char UNFINISHED[] = " <unfinished ...>";
static const char DETACHED[] = " <detached ...>";

static bool starts(const char *p, const char *end, const char *s)
{
	size_t n = strlen(s);
	return (size_t)(end - p) >= n && !memcmp(p, s, n);
}

static bool ends(const char *p, const char *end, const char *s)
{
	size_t n = strlen(s);
	return (size_t)(end - p) >= n && !memcmp(end - n, s, n);
}

static const char *skip_spaces(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t')) p++;
	return p;
}

static const char *skip_digits(const char *p, const char *end)
{
	while (p < end && isdigit((unsigned char)*p)) p++;
	return p;
}

/* "PID" or "VPID/HOSTPID": the first number; returns the end or NULL */
static const char *parse_pid(const char *p, const char *end, long *pid)
{
	const char *q = skip_digits(p, end);
	if (q == p || q - p > 9) return NULL;
	*pid = strtol(p, NULL, 10);
	if (q < end && *q == '/') {
		const char *r = skip_digits(q + 1, end);
		if (r == q + 1) return NULL;
		q = r;
	}
	return q;
}

/* "[pid  N] " or "N  " at the start; leaves *pid = -1 when there is none */
static const char *skip_prefix(const char *p, const char *end, long *pid)
{
	*pid = -1;
	if (starts(p, end, "[pid")) {
		const char *q = parse_pid(skip_spaces(p + 4, end), end, pid);
		if (!q || q >= end || *q != ']') { *pid = -1; return p; }
		return skip_spaces(q + 1, end);
	}
	long v;
	const char *q = parse_pid(p, end, &v);
	if (!q || q >= end || *q != ' ') return p;
	*pid = v;
	return skip_spaces(q, end);
}

/* "HH:MM:SS[.frac] " or "SECS.frac " */
static const char *skip_timestamp(const char *p, const char *end)
{
	const char *q = skip_digits(p, end);
	if (q == p) return p;
	if (q - p == 2 && q + 6 <= end && q[0] == ':' && isdigit((unsigned char)q[1]) &&
	    isdigit((unsigned char)q[2]) && q[3] == ':' && isdigit((unsigned char)q[4]) &&
	    isdigit((unsigned char)q[5])) {
		q += 6;
		if (q < end && *q == '.') q = skip_digits(q + 1, end);
	} else if (q < end && *q == '.') {
		const char *r = skip_digits(q + 1, end);
		if (r == q + 1) return p;
		q = r;
	} else {
		return p;
	}
	if (q >= end || *q != ' ') return p;
	return skip_spaces(q, end);
}

/* " <SECS.frac>" at the end (-T) */
static const char *strip_duration(const char *p, const char *end)
{
	if (end - p < 5 || end[-1] != '>') return end;
	const char *q = end - 2;
	while (q > p && (isdigit((unsigned char)*q) || *q == '.')) q--;
	if (q > p && *q == '<' && q[-1] == ' ' && q + 1 < end - 1 && isdigit((unsigned char)q[1]))
		return q - 1;
	return end;
}

const char *tparse_skip_args(const char *p, const char *end, int depth)
{
	while (p < end) {
		char c = *p;
		if (c == '"') {
			for (p++; p < end && *p != '"'; p++)
				if (*p == '\\') p++;
			if (p >= end) return NULL;
		} else if (c == '/' && p + 1 < end && p[1] == '*') {
			const char *q = memmem(p + 2, (size_t)(end - p - 2), "*/", 2);
			if (!q) return NULL;
			p = q + 1;
		} else if (c == '(' || c == '[' || c == '{') {
			depth++;
		} else if (c == ')' || c == ']' || c == '}') {
			if (--depth == 0) return c == ')' ? p + 1 : NULL;
		}
		p++;
	}
	return NULL;
}

/* after the closing ')': spaces, '=', and a result */
static bool has_result(const char *p, const char *end)
{
	p = skip_spaces(p, end);
	if (p >= end || *p != '=') return false;
	p = skip_spaces(p + 1, end);
	return p < end;
}

static const char *scan_name(const char *p, const char *end, char *name)
{
	const char *q = p;
	while (q < end && (isalnum((unsigned char)*q) || *q == '_' || *q == '?')) q++;
	if (q == p || q - p >= TPARSE_NAME_MAX) return NULL;
	memcpy(name, p, (size_t)(q - p));
	name[q - p] = 0;
	return q;
}

/* the rest of a call after "NAME(" or "<... NAME resumed>" */
static int parse_call_rest(const char *p, const char *end, struct tparse_line *out)
{
	if (ends(p, end, UNFINISHED)) {
		out->unfinished = true;
		out->body_len -= strlen(UNFINISHED);
		return 0;
	}
	if (ends(p, end, DETACHED)) return 0;
	const char *q = tparse_skip_args(p, end, 1);
	return q && has_result(q, end) ? 0 : -1;
}

static int parse_body(const char *p, const char *end, struct tparse_line *out)
{
	out->body = p;
	out->body_len = (size_t)(end - p);
	if (p == end || starts(p, end, "strace: ") || starts(p, end, "[ Process ")) {
		out->kind = TP_SKIP;
		return 0;
	}
	if (starts(p, end, "--- ") && ends(p, end, " ---") && end - p >= 8) {
		out->kind = TP_SIGNAL;
		return 0;
	}
	if (starts(p, end, "+++ ") && ends(p, end, " +++") && end - p >= 8) {
		out->kind = TP_EXIT;
		return 0;
	}
	out->kind = TP_CALL;
	if (starts(p, end, "<... ")) {
		const char *q = scan_name(p + 5, end, out->name);
		if (!q || !starts(q, end, " resumed>")) return -1;
		out->resumed = true;
		out->body = q + 9;
		out->body_len = (size_t)(end - out->body);
		return parse_call_rest(out->body, end, out);
	}
	const char *q = scan_name(p, end, out->name);
	if (!q || q >= end || *q != '(' || isdigit((unsigned char)*p)) return -1;
	return parse_call_rest(q + 1, end, out);
}

int tparse_line(const char *line, size_t len, struct tparse_line *out)
{
	const char *p = line, *end = line + len;
	memset(out, 0, sizeof *out);
	while (end > p && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' ')) end--;
	p = skip_spaces(p, end);
	p = skip_prefix(p, end, &out->pid);
	p = skip_timestamp(p, end);
	end = strip_duration(p, end);
	while (end > p && end[-1] == ' ') end--;
	return parse_body(p, end, out);
}

bool tparse_result(const char *text, long *val)
{
	const char *end = text + strlen(text);
	char name[TPARSE_NAME_MAX];
	const char *p = scan_name(text, end, name);
	if (!p || p >= end || *p != '(') return false;
	p = tparse_skip_args(p + 1, end, 1);
	if (!p) return false;
	p = skip_spaces(p, end);
	if (p >= end || *p != '=') return false;
	p = skip_spaces(p + 1, end);
	if (starts(p, end, "0x")) {
		*val = (long)strtoul(p + 2, NULL, 16);
		return isxdigit((unsigned char)p[2]);
	}
	if (!isdigit((unsigned char)(*p == '-' ? p[1] : *p))) return false;
	*val = strtol(p, NULL, 10);
	return true;
}
