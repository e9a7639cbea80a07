/* services/trace/tracenorm.c - normalisation of trace events (see tracenorm.h).
 *
 * One left-to-right pass over an event's text. The pass knows where it is: inside a
 * string, a comment, how deep in (), [], {}, which argument of the call (depth 1),
 * and which "field=" the current value belongs to. A context (volatile, pid, size,
 * random) comes from the field's name, from the argument's type in the syscall
 * table or from the syscall's name, and is inherited by everything nested in the
 * value; numbers and strings are rewritten according to it. */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/syscall_table.h"
#include "services/trace/tracenorm.h"

enum {
	C_VOL = 1,		/* differs from run to run: "?" */
	C_PID = 2,		/* a pid: <pid#N> */
	C_SIZE = 4,		/* a getdents size: positive values are "N" */
	C_RANDOM = 8,		/* random bytes: the string is "<random>" */
	C_PIDIFKNOWN = 16,	/* a pid if a process of the trace had it */
	C_PIDNAME = 32,		/* a string that is a pid if it is all digits */
	F_NAMED = 64,		/* (field[] only) the value has a "name=" */
	C_OUTSIDE0 = 128,	/* an id query's 0: "outside the pid namespace", <pid?> */
};

#define MAXDEPTH 64

struct buf { char *s; size_t len, cap; bool oom; };

struct walk {
	struct buf out;
	const struct tload_trace *t;
	const struct syscall_desc *d;	/* the call's row, NULL if unknown or not a call */
	const char *name;		/* the call's name, NULL if not a call */
	bool in_args;			/* depth 1 is the call's argument list */
	bool dropped;			/* a value was made "?": drop its comment */
	int depth, arg;
	unsigned inherit[MAXDEPTH];	/* context of everything at a depth */
	unsigned field[MAXDEPTH];	/* context of the current value at a depth */
};

static void put(struct buf *b, const char *s, size_t n)
{
	if (b->oom) return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 128;
		while (b->len + n + 1 > cap) cap *= 2;
		char *ns = realloc(b->s, cap);
		if (!ns) { b->oom = true; return; }
		b->s = ns;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = 0;
}

static void puts_(struct buf *b, const char *s) { put(b, s, strlen(s)); }

static char last_char(const struct buf *b) { return b->len ? b->s[b->len - 1] : 0; }

static bool is_word(char c) { return isalnum((unsigned char)c) || c == '_'; }

/* ---- contexts ---- */

static unsigned field_ctx(const char *f, size_t n)
{
	static const char *const vol[] = {
		"st_ino", "st_dev", "st_atime", "st_atime_nsec", "st_mtime", "st_mtime_nsec",
		"st_ctime", "st_ctime_nsec", "stx_ino", "stx_dev_major", "stx_dev_minor",
		"stx_atime", "stx_btime", "stx_ctime", "stx_mtime", "stx_mnt_id", "tv_sec",
		"tv_nsec", "tv_usec", "si_utime", "si_stime", "uptime", "loads", "freeram",
		"sharedram", "bufferram", "freeswap", "procs", "d_ino", "d_off", "d_reclen", "f_bfree",
		"f_bavail", "f_ffree", "f_fsid",
	};
	static const char *const pid[] = { "si_pid", "l_pid", "pid", "parent_tid" };
	for (size_t i = 0; i < sizeof vol / sizeof vol[0]; i++)
		if (strlen(vol[i]) == n && !memcmp(vol[i], f, n)) return C_VOL;
	for (size_t i = 0; i < sizeof pid / sizeof pid[0]; i++)
		if (strlen(pid[i]) == n && !memcmp(pid[i], f, n)) return C_PID;
	if (n == 6 && !memcmp(f, "d_name", 6)) return C_PIDNAME;	/* listings of /proc */
	if ((n > 3 && !memcmp(f, "ru_", 3)) || (n > 4 && !memcmp(f, "tms_", 4))) return C_VOL;
	return 0;
}

static bool named(const struct walk *w, const char *s) { return w->name && !strcmp(w->name, s); }

static bool is_getdents(const struct walk *w) { return named(w, "getdents") || named(w, "getdents64"); }

/* context of the call's argument number w->arg */
static unsigned arg_ctx(const struct walk *w)
{
	if (w->d && w->arg < w->d->nargs && A_TYPE(w->d->args[w->arg]) == A_PID) return C_PID;
	if (w->arg == 0 && named(w, "getrandom")) return C_RANDOM;
	if (w->arg == 2 && is_getdents(w)) return C_SIZE;
	if (w->arg == 2 && named(w, "futex")) return C_PIDIFKNOWN;	/* pthread_join: a tid */
	return 0;
}

static unsigned ret_ctx(const struct walk *w)
{
	/* Inside a pid namespace (persona), ids of processes outside it read as 0:
	 * getppid of the first process, its process group and session */
	if (named(w, "getppid") || named(w, "getpgid") || named(w, "getpgrp") || named(w, "getsid"))
		return C_PID | C_OUTSIDE0;
	if (w->d && A_TYPE(w->d->ret) == A_PID) return C_PID;
	if (named(w, "time") || named(w, "times")) return C_VOL;
	if (is_getdents(w)) return C_SIZE;
	return 0;
}

static int level(const struct walk *w) { return w->depth < MAXDEPTH ? w->depth : MAXDEPTH - 1; }

static unsigned ctx_here(const struct walk *w)
{
	int l = level(w);
	unsigned c = w->inherit[l] | (w->field[l] & ~(unsigned)F_NAMED);
	if (l == 1 && w->in_args && !(w->field[1] & F_NAMED)) c |= arg_ctx(w);
	return c;
}

/* ---- tokens ---- */

static void put_pid(struct walk *w, long v)
{
	unsigned ord = w->t ? tload_pid_ordinal(w->t, v) : 0;
	char s[32];
	if (ord) snprintf(s, sizeof s, "<pid#%u>", ord);
	else snprintf(s, sizeof s, "<pid?>");
	puts_(&w->out, s);
}

/* a decimal number p..q (without its sign) in context c */
static void put_number(struct walk *w, const char *p, const char *q, bool neg, unsigned c)
{
	long v = strtol(p, NULL, 10);
	if (c & C_VOL) {
		puts_(&w->out, "?");
		w->dropped = true;
		return;
	}
	if ((c & C_OUTSIDE0) && !neg && v == 0) {
		puts_(&w->out, "<pid?>");
		return;
	}
	if (neg) puts_(&w->out, "-");
	if ((c & C_SIZE) && !neg && v > 0) puts_(&w->out, "N");
	else if (((c & C_PID) || ((c & C_PIDIFKNOWN) && w->t && tload_pid_ordinal(w->t, v))) && v > 0 && !(neg && v == 1)) put_pid(w, v);
	else put(&w->out, p, (size_t)(q - p));
}

static const char *do_number(struct walk *w, const char *p, const char *end)
{
	bool neg = *p == '-';
	const char *q = p + neg, *r = q;
	unsigned c = ctx_here(w);
	if (end - q > 2 && q[0] == '0' && q[1] == 'x' && isxdigit((unsigned char)q[2])) {
		for (r = q + 2; r < end && isxdigit((unsigned char)*r); r++);
		if (!(r < end && is_word(*r))) {
			if (c & C_VOL) put_number(w, q, r, neg, c);
			else puts_(&w->out, neg ? "-0xPTR" : "0xPTR");
			return r;
		}
	}
	for (r = q; r < end && isdigit((unsigned char)*r); r++);
	if (r < end && is_word(*r)) {	/* not a number: a word starting with digits */
		while (r < end && is_word(*r)) r++;
		put(&w->out, p, (size_t)(r - p));
		return r;
	}
	put_number(w, q, r, neg, c);
	return r;
}

/* "pipe:[N]" or "socket:[N]" at p: its length, 0 if none */
static size_t inode_ref(const char *p, const char *end)
{
	static const char *const kinds[] = { "pipe:[", "socket:[" };
	for (size_t i = 0; i < 2; i++) {
		size_t n = strlen(kinds[i]);
		if ((size_t)(end - p) <= n || memcmp(p, kinds[i], n)) continue;
		const char *q = p + n;
		while (q < end && isdigit((unsigned char)*q)) q++;
		if (q > p + n && q < end && *q == ']') return (size_t)(q + 1 - p);
	}
	return 0;
}

static const char *put_inode_ref(struct walk *w, const char *p, size_t n)
{
	put(&w->out, p, (size_t)(strchr(p, '[') + 1 - p));
	puts_(&w->out, "INO]");
	return p + n;
}

/* "/proc/PID" or "/task/TID" at p (the number followed by '/' or the end of the
 * string); with bare, also "PID" (readlink("/proc/self") gives "PID"). Returns the
 * number's start, *e its end; NULL if there is none. */
static const char *proc_pid(const char *p, const char *end, bool bare, const char **e)
{
	const char *q = NULL;
	if ((size_t)(end - p) > 6 && !memcmp(p, "/proc/", 6)) q = p + 6;
	else if ((size_t)(end - p) > 6 && !memcmp(p, "/task/", 6)) q = p + 6;
	else if (bare) q = p;
	if (!q) return NULL;
	const char *r = q;
	while (r < end && isdigit((unsigned char)*r)) r++;
	*e = r;
	return r > q && (r == end || *r == '/') ? q : NULL;
}

static const char *do_string(struct walk *w, const char *p, const char *end)
{
	const char *q = p + 1;
	while (q < end && *q != '"') q += *q == '\\' ? 2 : 1;
	if (q > end) q = end;
	const char *close = q < end ? q + 1 : end;
	unsigned c = ctx_here(w);
	if (c & C_RANDOM) {
		puts_(&w->out, "\"<random>\"");
		return close;
	}
	if ((c & C_PIDNAME) && q > p + 1 && q < end && strspn(p + 1, "0123456789") == (size_t)(q - p - 1)) {
		puts_(&w->out, "\"");
		put_pid(w, strtol(p + 1, NULL, 10));
		puts_(&w->out, "\"");
		return close;
	}
	puts_(&w->out, "\"");
	bool readlink = named(w, "readlink") || named(w, "readlinkat");
	for (const char *s = p + 1; s < q;) {
		const char *e, *num;
		size_t n;
		if ((num = proc_pid(s, q, readlink && s == p + 1, &e))) {
			put(&w->out, s, (size_t)(num - s));
			put_pid(w, strtol(num, NULL, 10));
			s = e;
		} else if ((n = inode_ref(s, q))) {
			s = put_inode_ref(w, s, n);
		} else {
			n = *s == '\\' && s + 1 < q ? 2 : 1;
			put(&w->out, s, n);
			s += n;
		}
	}
	if (q < end) puts_(&w->out, "\"");	/* else strace cut the line short */
	return close;
}

static const char *do_comment(struct walk *w, const char *p, const char *end)
{
	const char *q = memmem(p + 2, (size_t)(end - p - 2), "*/", 2);
	q = q ? q + 2 : end;
	unsigned n;
	char tail[16];
	if (w->dropped) {	/* the date after a time value, "0.01 s" after si_stime */
		if (last_char(&w->out) == ' ') w->out.s[--w->out.len] = 0;
		while (q < end && *q == ' ') q++;
	} else if (sscanf(p, "/* %u entries *%1[/]", &n, tail) == 2) {
		puts_(&w->out, "/* N entries */");
	} else {
		put(&w->out, p, (size_t)(q - p));
	}
	return q;
}

static const char *do_word(struct walk *w, const char *p, const char *end)
{
	size_t n = inode_ref(p, end);
	if (n) return put_inode_ref(w, p, n);
	const char *q = p;
	while (q < end && is_word(*q)) q++;
	if (q < end && *q == '=' && !(q + 1 < end && q[1] == '='))
		w->field[level(w)] = F_NAMED | field_ctx(p, (size_t)(q - p));
	put(&w->out, p, (size_t)(q - p));
	return q;
}

static void open_bracket(struct walk *w)
{
	unsigned c = ctx_here(w);
	w->depth++;
	w->inherit[level(w)] = c;
	w->field[level(w)] = 0;
}

/* Walks p..end; with stop_at_close, returns just after the ')' that brings the depth
 * back to 0 (the end of a call's arguments), else at end. */
static const char *walk(struct walk *w, const char *p, const char *end, bool stop_at_close)
{
	while (p < end && !w->out.oom) {
		char c = *p;
		bool was_dropped = w->dropped;
		w->dropped = false;
		if (c == ' ' || c == '\t') {
			while (p < end && (*p == ' ' || *p == '\t')) p++;
			if (w->out.len && last_char(&w->out) != ' ') puts_(&w->out, " ");
			w->dropped = was_dropped;
		} else if (c == '"') {
			p = do_string(w, p, end);
		} else if (c == '/' && p + 1 < end && p[1] == '*') {
			w->dropped = was_dropped;
			p = do_comment(w, p, end);
			w->dropped = false;
		} else if (isdigit((unsigned char)c) ||
			   (c == '-' && p + 1 < end && isdigit((unsigned char)p[1]) && !is_word(last_char(&w->out)))) {
			p = do_number(w, p, end);
		} else if (is_word(c)) {
			p = do_word(w, p, end);
		} else {
			put(&w->out, p++, 1);
			if (c == '(' || c == '[' || c == '{') {
				open_bracket(w);
			} else if (c == ')' || c == ']' || c == '}') {
				if (w->depth > 0) w->depth--;
				if (stop_at_close && w->depth == 0) return p;
			} else if (c == ',') {
				w->field[level(w)] = 0;
				if (w->depth == 1) w->arg++;
			}
		}
	}
	return p;
}

/* " = RESULT" after a call's arguments */
static void walk_result(struct walk *w, const char *p, const char *end)
{
	while (p < end && *p == ' ') p++;
	if (p >= end || *p != '=') { walk(w, p, end, false); return; }
	puts_(&w->out, " = ");
	for (p++; p < end && *p == ' '; p++);
	w->in_args = false;
	/* rt_sigreturn: the interrupted call's result, errno and all; time(): with a date */
	if (named(w, "rt_sigreturn") || (ret_ctx(w) & C_VOL)) {
		puts_(&w->out, "?");
		return;
	}
	w->inherit[0] = ret_ctx(w);
	if (p < end && (isdigit((unsigned char)*p) || (*p == '-' && p + 1 < end && isdigit((unsigned char)p[1]))))
		p = do_number(w, p, end);
	w->inherit[0] = 0;
	walk(w, p, end, false);
}

static char *normalise(const struct tload_trace *t, int kind, const char *name, int nr, const char *text)
{
	struct walk w = { .t = t };
	const char *p = text, *end = text + strlen(text);
	size_t nl = name ? strlen(name) : 0;
	static const char superseded[] = "+++ superseded by execve in pid ";
	if (kind == TL_CALL && nl && !strncmp(text, name, nl) && text[nl] == '(') {
		w.name = name;
		w.d = nr >= 0 ? syscall_desc(nr) : NULL;
		w.in_args = true;
		put(&w.out, text, nl + 1);
		w.depth = 1;
		p = walk(&w, text + nl + 1, end, true);
		walk_result(&w, p, end);
	} else if (kind == TL_EXIT && !strncmp(text, superseded, strlen(superseded))) {
		puts_(&w.out, superseded);
		w.inherit[0] = C_PID;
		p = walk(&w, text + strlen(superseded), end, false);
	} else {
		walk(&w, p, end, false);
	}
	while (w.out.len && last_char(&w.out) == ' ') w.out.s[--w.out.len] = 0;
	if (!w.out.oom && !w.out.s) puts_(&w.out, "");
	if (w.out.oom) { free(w.out.s); return NULL; }
	return w.out.s;
}

char *tnorm_event(const struct tload_trace *t, int kind, const char *name, const char *text)
{
	return normalise(t, kind, name, name ? (int)syscall_lookup(name) : -1, text);
}

/* ---- the whole trace ---- */

#define NAMECACHE 1024

struct namecache { const char *name[NAMECACHE]; int nr[NAMECACHE]; };

static int lookup_nr(struct namecache *c, const char *name)
{
	size_t i = tnorm_hash(name) & (NAMECACHE - 1);
	for (size_t n = 0; n < NAMECACHE; n++, i = (i + 1) & (NAMECACHE - 1)) {
		if (!c->name[i]) {
			c->name[i] = name;
			return c->nr[i] = (int)syscall_lookup(name);
		}
		if (!strcmp(c->name[i], name)) return c->nr[i];
	}
	return (int)syscall_lookup(name);	/* full: more names than syscalls */
}

int tnorm_trace(struct tload_trace *t)
{
	struct namecache *c = calloc(1, sizeof *c);
	if (!c) return -1;
	int rc = 0;
	for (size_t i = 0; !rc && i < t->ntask; i++) {
		struct tload_task *k = &t->task[i];
		for (size_t j = 0; !rc && j < k->nev; j++) {
			struct tload_event *e = &k->ev[j];
			e->nr = e->name ? lookup_nr(c, e->name) : -1;
			free(e->norm);
			e->norm = normalise(t, e->kind, e->name, e->nr, e->text);
			if (!e->norm) rc = -1;
			else e->hash = tnorm_hash(e->norm);
		}
	}
	free(c);
	return rc;
}

char *tnorm_squeeze(const char *text)
{
	char *s = malloc(strlen(text) + 1), *o = s;
	if (!s) return NULL;
	for (const char *p = text; *p;) {
		if (*p == '"') {	/* a string, whole */
			*o++ = *p++;
			while (*p && *p != '"') {
				if (*p == '\\' && p[1]) *o++ = *p++;
				*o++ = *p++;
			}
			if (*p) *o++ = *p++;
		} else if (*p == ' ' || *p == '\t') {
			while (*p == ' ' || *p == '\t') p++;
			if (o > s && *p) *o++ = ' ';
		} else {
			*o++ = *p++;
		}
	}
	*o = 0;
	return s;
}

uint64_t tnorm_hash(const char *s)
{
	uint64_t h = 14695981039346656037ull;
	for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}
