/* services/trace/traceload.c - a trace read into processes and events (see traceload.h) */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "services/trace/traceload.h"
#include "services/trace/traceparse.h"

/* ---- pid -> task map (open addressing) ---- */

struct pidslot { long pid; int first, latest; };	/* pid 0: empty (never a real pid here) */

struct tload_pidmap {
	struct pidslot *slot;
	size_t cap, used;
};

static struct pidslot *pidmap_find(const struct tload_pidmap *m, long pid)
{
	if (!m || !m->cap || pid <= 0) return NULL;
	for (size_t i = (size_t)pid * 2654435761u & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (m->slot[i].pid == pid) return &m->slot[i];
		if (!m->slot[i].pid) return NULL;
	}
}

static int pidmap_grow(struct tload_pidmap *m)
{
	struct tload_pidmap n = { calloc(m->cap ? m->cap * 2 : 64, sizeof *n.slot), m->cap ? m->cap * 2 : 64, 0 };
	if (!n.slot) return -1;
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->slot[i].pid) continue;
		size_t j = (size_t)m->slot[i].pid * 2654435761u & (n.cap - 1);
		while (n.slot[j].pid) j = (j + 1) & (n.cap - 1);
		n.slot[j] = m->slot[i];
		n.used++;
	}
	free(m->slot);
	*m = n;
	return 0;
}

/* records that task `ti` now has `pid` */
static int pidmap_set(struct tload_pidmap *m, long pid, int ti)
{
	if (pid <= 0) return 0;
	struct pidslot *s = pidmap_find(m, pid);
	if (s) { s->latest = ti; return 0; }
	if ((m->used + 1) * 2 > m->cap && pidmap_grow(m)) return -1;
	size_t i = (size_t)pid * 2654435761u & (m->cap - 1);
	while (m->slot[i].pid) i = (i + 1) & (m->cap - 1);
	m->slot[i] = (struct pidslot){ pid, ti, ti };
	m->used++;
	return 0;
}

/* ---- tasks and events ---- */

static int new_task(struct tload_trace *t, long pid, const char *file)
{
	if (t->ntask == t->taskcap) {
		size_t cap = t->taskcap ? t->taskcap * 2 : 16;
		struct tload_task *n = realloc(t->task, cap * sizeof *n);
		if (!n) return -1;
		t->task = n;
		t->taskcap = cap;
	}
	int ti = (int)t->ntask;
	if (pidmap_set(t->pids, pid, ti)) return -1;
	t->task[t->ntask++] = (struct tload_task){ .pid = pid, .file = file, .parent = -1, .open_ev = -1 };
	return ti;
}

static struct tload_event *push_event(struct tload_task *k, int kind, const char *file, unsigned line)
{
	if (k->nev == k->evcap) {
		size_t cap = k->evcap ? k->evcap * 2 : 64;
		struct tload_event *n = realloc(k->ev, cap * sizeof *n);
		if (!n) return NULL;
		k->ev = n;
		k->evcap = cap;
	}
	struct tload_event *e = &k->ev[k->nev++];
	*e = (struct tload_event){ .kind = (uint8_t)kind, .nr = -1, .line = line, .file = file };
	return e;
}

static char *concat(const char *a, size_t alen, const char *b, size_t blen)
{
	char *s = malloc(alen + blen + 1);
	if (!s) return NULL;
	memcpy(s, a, alen);
	memcpy(s + alen, b, blen);
	s[alen + blen] = 0;
	return s;
}

static bool is_fork_like(const char *name)
{
	return name && (!strcmp(name, "clone") || !strcmp(name, "clone3") ||
			!strcmp(name, "fork") || !strcmp(name, "vfork"));
}

/* a call is complete: remember the child a fork-like call returned */
static int call_done(struct tload_task *k, const struct tload_event *e)
{
	long v;
	if (!is_fork_like(e->name) || !tparse_result(e->text, &v) || v <= 0) return 0;
	if (k->nkids == k->kidcap) {
		size_t cap = k->kidcap ? k->kidcap * 2 : 8;
		long *n = realloc(k->kids, cap * sizeof *n);
		if (!n) return -1;
		k->kids = n;
		k->kidcap = cap;
	}
	k->kids[k->nkids++] = v;
	return 0;
}

/* the task holding an open call named `name`: `ti` first, then the others */
static int find_open(const struct tload_trace *t, int ti, const char *name)
{
	const struct tload_task *k = &t->task[ti];
	if (k->open_ev >= 0 && !strcmp(k->ev[k->open_ev].name, name)) return ti;
	for (size_t i = t->ntask; i-- > 0;) {
		k = &t->task[i];
		if (k->open_ev >= 0 && !strcmp(k->ev[k->open_ev].name, name)) return (int)i;
	}
	return -1;
}

static int add_resumed(struct tload_trace *t, int ti, const struct tparse_line *pl,
		       const char *file, unsigned line)
{
	int oi = find_open(t, ti, pl->name);
	if (oi < 0) {	/* an orphan: keep it as it was printed */
		struct tload_event *e = push_event(&t->task[ti], TL_CALL, file, line);
		if (!e || !(e->name = strdup(pl->name))) return -1;
		char head[TPARSE_NAME_MAX + 16];
		int n = snprintf(head, sizeof head, "<... %s resumed>", pl->name);
		return (e->text = concat(head, (size_t)n, pl->body, pl->body_len)) ? 0 : -1;
	}
	struct tload_task *k = &t->task[oi];
	struct tload_event *e = &k->ev[k->open_ev];
	char *joined = concat(e->text, strlen(e->text), pl->body, pl->body_len);
	if (!joined) return -1;
	free(e->text);
	e->text = joined;
	if (pl->unfinished) return 0;
	e->open = false;
	k->open_ev = -1;
	return call_done(k, e);
}

static int add_event(struct tload_trace *t, int ti, const struct tparse_line *pl,
		     const char *file, unsigned line)
{
	if (pl->kind == TP_CALL && pl->resumed) return add_resumed(t, ti, pl, file, line);
	struct tload_task *k = &t->task[ti];
	int kind = pl->kind == TP_CALL ? TL_CALL : pl->kind == TP_SIGNAL ? TL_SIGNAL : TL_EXIT;
	struct tload_event *e = push_event(k, kind, file, line);
	if (!e || !(e->text = strndup(pl->body, pl->body_len))) return -1;
	if (kind == TL_EXIT) k->exited = true;
	if (kind != TL_CALL) return 0;
	if (!(e->name = strdup(pl->name))) return -1;
	if (pl->unfinished) {
		e->open = true;
		k->open_ev = (int)(k->nev - 1);
		return 0;
	}
	return call_done(k, e);
}

/* ---- which task a line belongs to ---- */

struct reader {
	struct tload_trace *t;
	const char *file;
	int fixed;	/* the -ff file's task, -1 for a single file */
	int anon;	/* task of unprefixed lines whose pid is not yet known, -1 */
	int last;	/* task of the previous line */
};

static bool is_kid(const struct tload_task *k, long pid)
{
	for (size_t i = 0; i < k->nkids; i++)
		if (k->kids[i] == pid) return true;
	return false;
}

/* an unprefixed line: the anonymous process, or the only live one */
static int task_unprefixed(struct reader *r)
{
	struct tload_trace *t = r->t;
	if (r->anon >= 0 && !t->task[r->anon].exited) return r->anon;
	if (!t->ntask) return r->anon = new_task(t, -1, r->file);
	int live = -1, nlive = 0;
	for (size_t i = 0; i < t->ntask; i++)
		if (!t->task[i].exited) { live = (int)i; nlive++; }
	if (nlive == 1) return live;
	return r->last >= 0 ? r->last : live;
}

/* Terminal format: does an unknown `pid` name the anonymous process itself? Not if
 * it is one of its children, or may be one (a clone still in progress, unless this
 * line resumes that clone). */
static bool names_anon(const struct reader *r, long pid, const struct tparse_line *pl)
{
	const struct tload_task *a = &r->t->task[r->anon];
	if (is_kid(a, pid)) return false;
	if (a->open_ev >= 0 && is_fork_like(a->ev[a->open_ev].name))
		return pl->kind == TP_CALL && pl->resumed && !strcmp(pl->name, a->ev[a->open_ev].name);
	return true;
}

static int task_for(struct reader *r, const struct tparse_line *pl)
{
	struct tload_trace *t = r->t;
	if (r->fixed >= 0) return r->fixed;
	if (pl->pid < 0) return task_unprefixed(r);
	struct pidslot *s = pidmap_find(t->pids, pl->pid);
	if (s && !t->task[s->latest].exited) return s->latest;
	if (r->anon >= 0 && t->task[r->anon].pid < 0 && names_anon(r, pl->pid, pl)) {
		int ti = r->anon;
		t->task[ti].pid = pl->pid;
		r->anon = -1;
		return pidmap_set(t->pids, pl->pid, ti) ? -1 : ti;
	}
	return new_task(t, pl->pid, r->file);
}

/* ---- files ---- */

/* strace writing to a terminal may print "strace: Process N attached" in the middle
 * of a line: cut it off and return true (the line goes on in the next one) */
static bool cut_note(char *line, ssize_t *len)
{
	char *p = strstr(line, "strace: Process ");
	if (!p || p == line) return false;
	char *q = p + strlen("strace: Process ");
	while (*q >= '0' && *q <= '9') q++;
	if (strncmp(q, " attached", 9) && strncmp(q, " detached", 9)) return false;
	*p = 0;
	*len = p - line;
	return true;
}

static int parse_error(const char *file, unsigned line, const char *text, size_t len)
{
	while (len && (text[len - 1] == '\n' || text[len - 1] == '\r')) len--;
	fprintf(stderr, "%s:%u: cannot parse: %.*s\n", file, line, (int)len, text);
	return -1;
}

static int read_lines(struct reader *r, FILE *f)
{
	char *buf = NULL, *more = NULL;
	size_t cap = 0, mcap = 0;
	ssize_t len, mlen;
	unsigned lineno = 0;
	int rc = 0;
	while (!rc && (len = getline(&buf, &cap, f)) >= 0) {
		unsigned at = ++lineno;
		while (cut_note(buf, &len) && (mlen = getline(&more, &mcap, f)) >= 0) {
			lineno++;
			char *j = concat(buf, (size_t)len, more, (size_t)mlen);
			if (!j) { rc = -1; break; }
			free(buf);
			buf = j;
			cap = (size_t)(len += mlen) + 1;
		}
		struct tparse_line pl;
		if (rc || tparse_line(buf, (size_t)len, &pl)) {
			rc = rc ? rc : parse_error(r->file, at, buf, (size_t)len);
			break;
		}
		if (pl.kind == TP_SKIP) continue;
		int ti = task_for(r, &pl);
		if (ti < 0 || add_event(r->t, ti, &pl, r->file, at)) {
			fprintf(stderr, "persona diff: out of memory\n");
			rc = -1;
		}
		r->last = ti;
	}
	if (!rc && ferror(f)) rc = -1;
	free(buf);
	free(more);
	return rc;
}

static int read_file(struct tload_trace *t, const char *file, int fixed)
{
	FILE *f = fopen(file, "r");
	if (!f) {
		fprintf(stderr, "persona diff: %s: %s\n", file, strerror(errno));
		return -1;
	}
	struct reader r = { t, file, fixed, -1, -1 };
	int rc = read_lines(&r, f);
	if (rc && ferror(f)) fprintf(stderr, "persona diff: %s: %s\n", file, strerror(errno));
	fclose(f);
	return rc;
}

/* the pid in a -ff file name (FILE.PID), -1 when it has none */
static long name_pid(const char *name)
{
	const char *dot = strrchr(name, '.');
	if (!dot || !dot[1] || strspn(dot + 1, "0123456789") != strlen(dot + 1)) return -1;
	return strtol(dot + 1, NULL, 10);
}

static int cmp_files(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	long px = name_pid(x), py = name_pid(y);
	if (px != py) return px < py ? -1 : 1;
	return strcmp(x, y);
}

/* adds DIR/NAME ("" for the current directory: NAME alone) */
static int add_file(struct tload_trace *t, const char *dir, const char *name)
{
	char **n = realloc(t->files, (t->nfiles + 1) * sizeof *n);
	if (!n) return -1;
	t->files = n;
	size_t dl = strlen(dir);
	if (!(n[t->nfiles] = malloc(dl + strlen(name) + 2))) return -1;
	sprintf(n[t->nfiles++], "%s%s%s", dir, dl && dir[dl - 1] != '/' ? "/" : "", name);
	return 0;
}

/* the files in `dir`: all regular ones, or with `prefix` those named PREFIX.PID */
static int list_dir(struct tload_trace *t, const char *dir, const char *prefix)
{
	DIR *d = opendir(*dir ? dir : ".");
	if (!d) return -1;
	struct dirent *de;
	size_t pl = prefix ? strlen(prefix) : 0;
	int rc = 0;
	while (!rc && (de = readdir(d))) {
		if (de->d_name[0] == '.' || (de->d_type != DT_REG && de->d_type != DT_UNKNOWN))
			continue;
		if (prefix && (strncmp(de->d_name, prefix, pl) || de->d_name[pl] != '.' ||
			       name_pid(de->d_name + pl) < 0 || strchr(de->d_name + pl + 1, '.')))
			continue;
		rc = add_file(t, dir, de->d_name);
	}
	closedir(d);
	return rc;
}

/* PATH is a file, a directory of -ff files, or the FILE prefix of FILE.PID files */
static int collect_files(struct tload_trace *t, const char *path, bool *per_pid)
{
	struct stat st;
	int rc, err;
	*per_pid = true;
	if (!stat(path, &st)) {
		if (!S_ISDIR(st.st_mode)) *per_pid = false;
		rc = S_ISDIR(st.st_mode) ? list_dir(t, path, NULL) : add_file(t, "", path);
		err = rc ? errno : ENOENT;
	} else {
		err = errno;
		char *dir = strdup(path);
		if (!dir) return -1;
		char *slash = strrchr(dir, '/');
		if (slash) *slash = 0;
		rc = list_dir(t, slash ? (*dir ? dir : "/") : "", slash ? slash + 1 : dir);
		free(dir);
	}
	if (!rc && !t->nfiles) rc = -1, errno = err;
	if (rc) fprintf(stderr, "persona diff: %s: %s\n", path, strerror(errno));
	else qsort(t->files, t->nfiles, sizeof *t->files, cmp_files);
	return rc;
}

/* ---- canonical order: pre-order walk of the process tree ---- */

/* the task a fork-like call of task `pi` returned as `pid`: the first task with that
 * pid that has no parent yet */
static int kid_task(const struct tload_trace *t, int pi, long pid)
{
	const struct pidslot *s = pidmap_find(t->pids, pid);
	if (!s) return -1;
	if (t->task[s->first].parent < 0 && s->first != pi) return s->first;
	for (size_t i = (size_t)s->first + 1; i < t->ntask; i++)	/* pid reused */
		if (t->task[i].pid == pid && t->task[i].parent < 0 && (int)i != pi) return (int)i;
	return -1;
}

struct tree { int *head, *tail, *next, *stack; bool *done; };

static void link_kids(struct tload_trace *t, struct tree *w)
{
	for (size_t p = 0; p < t->ntask; p++)
		for (size_t j = 0; j < t->task[p].nkids; j++) {
			int c = kid_task(t, (int)p, t->task[p].kids[j]);
			if (c < 0) continue;
			t->task[c].parent = (int)p;
			if (w->tail[p] < 0) w->head[p] = c; else w->next[w->tail[p]] = c;
			w->tail[p] = c;
		}
}

/* appends the subtree of `root` to t->order in pre-order; returns the new length */
static size_t walk(struct tload_trace *t, struct tree *w, int root, size_t m)
{
	size_t sp = 0;
	w->stack[sp++] = root;
	while (sp) {
		int k = w->stack[--sp];
		if (w->done[k]) continue;
		w->done[k] = true;
		t->order[m++] = (size_t)k;
		size_t first = sp;	/* push the children, then reverse them */
		for (int c = w->head[k]; c >= 0; c = w->next[c]) w->stack[sp++] = c;
		for (size_t a = first, b = sp; a + 1 < b; a++, b--) {
			int x = w->stack[a];
			w->stack[a] = w->stack[b - 1];
			w->stack[b - 1] = x;
		}
	}
	return m;
}

static int make_order(struct tload_trace *t)
{
	size_t n = t->ntask, m = 0;
	struct tree w = { malloc((n + 1) * sizeof(int)), malloc((n + 1) * sizeof(int)),
			  malloc((n + 1) * sizeof(int)), malloc((n + 1) * sizeof(int)),
			  calloc(n + 1, sizeof(bool)) };
	t->order = malloc((n + 1) * sizeof *t->order);
	int rc = w.head && w.tail && w.next && w.stack && w.done && t->order ? 0 : -1;
	if (!rc) {
		for (size_t i = 0; i < n; i++) w.head[i] = w.tail[i] = w.next[i] = -1;
		link_kids(t, &w);
		for (size_t r = 0; r < n; r++)
			if (t->task[r].parent < 0) m = walk(t, &w, (int)r, m);
		for (size_t r = 0; r < n; r++)	/* a cycle of reused pids: appearance order */
			if (!w.done[r]) m = walk(t, &w, (int)r, m);
		for (size_t i = 0; i < n; i++) t->task[t->order[i]].ordinal = (unsigned)i + 1;
	}
	free(w.head); free(w.tail); free(w.next); free(w.stack); free(w.done);
	return rc;
}

int tload_read(const char *path, struct tload_trace *t)
{
	bool per_pid;
	memset(t, 0, sizeof *t);
	if (!(t->pids = calloc(1, sizeof *t->pids))) return -1;
	if (collect_files(t, path, &per_pid)) return -1;
	for (size_t i = 0; i < t->nfiles; i++) {
		int fixed = -1;
		if (per_pid && (fixed = new_task(t, name_pid(t->files[i]), t->files[i])) < 0) return -1;
		if (read_file(t, t->files[i], fixed)) return -1;
	}
	return make_order(t);
}

void tload_free(struct tload_trace *t)
{
	for (size_t i = 0; i < t->ntask; i++) {
		struct tload_task *k = &t->task[i];
		for (size_t j = 0; j < k->nev; j++) {
			free(k->ev[j].name);
			free(k->ev[j].text);
			free(k->ev[j].norm);
		}
		free(k->ev);
		free(k->kids);
	}
	for (size_t i = 0; i < t->nfiles; i++) free(t->files[i]);
	free(t->files);
	free(t->task);
	free(t->order);
	if (t->pids) free(t->pids->slot);
	free(t->pids);
	memset(t, 0, sizeof *t);
}

unsigned tload_pid_ordinal(const struct tload_trace *t, long pid)
{
	const struct pidslot *s = pidmap_find(t->pids, pid);
	return s ? t->task[s->first].ordinal : 0;
}

size_t tload_ncalls(const struct tload_task *k)
{
	size_t n = 0;
	for (size_t i = 0; i < k->nev; i++) n += k->ev[i].kind == TL_CALL;
	return n;
}
