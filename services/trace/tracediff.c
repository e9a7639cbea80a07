/* services/trace/tracediff.c - persona diff: options, pairing of processes, the
 * report (see tracediff.h) */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/syscall_table.h"
#include "services/trace/tracealign.h"
#include "services/trace/tracediff.h"
#include "services/trace/traceload.h"
#include "services/trace/tracenorm.h"

#define LINES_MAX 20	/* differing lines shown per side of one divergence */

struct opts {
	const char *path[2];
	unsigned long max;	/* divergences shown */
	unsigned long context;	/* equal lines shown around one */
	bool ignore[SYSCALL_MAX];
	unsigned cls;		/* classes compared (enum syscall_class), 0: all */
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: persona diff [options] TRACE_A TRACE_B\n"
		"Compares two syscall traces in strace's text format (strace -o, -f, -ff, -t,\n"
		"-tt, -ttt, -r, -T, -y; or persona trace). A trace is a file, a directory of -ff\n"
		"files, or the FILE prefix of -ff's FILE.PID files. Processes are paired in\n"
		"process-tree order (children in the order their parent created them); each\n"
		"pair's syscalls and exits are aligned (longest common subsequence). Signals\n"
		"come at no fixed point: the signals, rt_sigreturn and restart_syscall calls of\n"
		"a process are aligned on their own, and calls a signal interrupted (= ?\n"
		"ERESTARTSYS...: the kernel restarts them) are not compared.\n"
		"\n"
		"options:\n"
		"  --ignore=NAME,...  drop these syscalls before aligning (e.g. mmap,brk)\n"
		"  --class=%%CLASS,... compare only syscalls of these strace classes: %%file,\n"
		"                     %%process, %%memory, %%signal, %%ipc, %%network, %%desc,\n"
		"                     %%creds, %%clock, %%stat, %%pure\n"
		"  --max=N            show the first N divergences (5)\n"
		"  --context=N        equal lines shown around a divergence (3)\n"
		"  --help\n"
		"\n"
		"What differs between runs and is not compared:\n"
		"  pids, timestamps and -T durations in line prefixes; blanks outside strings\n"
		"  hexadecimal numbers (pointers, ASLR addresses): 0x... -> 0xPTR\n"
		"  pids in arguments and results (fork, clone, wait4, kill, getpid, getppid,\n"
		"    gettid, set_tid_address, ...), si_pid, l_pid, pid=, parent_tid, /proc/PID and\n"
		"    /task/TID in strings, readlink's result for /proc/self, d_name of /proc\n"
		"    listings, futex values that are tids (pthread_join):\n"
		"    <pid#N>, N the process's position in tree order; <pid?> outside the trace\n"
		"  times: tv_sec, tv_nsec, tv_usec, st_*time*, stx_*time, si_utime, si_stime, ru_*,\n"
		"    tms_*, sysinfo counters, their date comments; time() and times() results\n"
		"  inodes and devices: st_ino, stx_ino, d_ino, d_off, st_dev, stx_dev_*, statfs\n"
		"    free counts and f_fsid; pipe:[N] and socket:[N]\n"
		"  getrandom's random bytes; rt_sigreturn's result (the interrupted call's)\n"
		"  getdents/getdents64 buffer size, result, d_reclen and entry count\n"
		"Everything else is compared exactly.\n"
		"\n"
		"exit status: 0 equivalent, 1 different, 2 bad usage or unreadable trace\n");
}

/* ---- options ---- */

static int parse_count(const char *opt, const char *v, unsigned long *out)
{
	char *end;
	errno = 0;
	unsigned long n = strtoul(v, &end, 10);
	if (!*v || *end || errno || v[0] == '-') {
		fprintf(stderr, "persona diff: %s: not a number: '%s'\n", opt, v);
		return -1;
	}
	*out = n;
	return 0;
}

static int parse_ignore(const char *list, struct opts *o)
{
	char *copy = strdup(list), *save = NULL;
	int rc = copy ? 0 : -1;
	for (char *w = copy ? strtok_r(copy, ",", &save) : NULL; w; w = strtok_r(NULL, ",", &save)) {
		long nr = syscall_lookup(w);
		if (nr < 0) {
			fprintf(stderr, "persona diff: --ignore: unknown syscall '%s'\n", w);
			rc = -1;
			break;
		}
		o->ignore[nr] = true;
	}
	free(copy);
	return rc;
}

/* a class name (with or without '%') as its enum syscall_class bit, 0 if unknown */
static unsigned class_bit(const char *w)
{
	char names[64];
	if (*w == '%') w++;
	if (!strcmp(w, "net")) w = "network";
	for (unsigned i = 0; i < 16; i++) {
		syscall_class_names(1u << i, names, sizeof names);
		if (names[0] == '%' && !strcmp(names + 1, w)) return 1u << i;
	}
	return 0;
}

static int parse_class(const char *list, struct opts *o)
{
	char *copy = strdup(list), *save = NULL;
	int rc = copy ? 0 : -1;
	for (char *w = copy ? strtok_r(copy, ",", &save) : NULL; w; w = strtok_r(NULL, ",", &save)) {
		unsigned bit = class_bit(w);
		if (!bit) {
			fprintf(stderr, "persona diff: --class: unknown class '%s'\n", w);
			rc = -1;
			break;
		}
		o->cls |= bit;
	}
	free(copy);
	return rc;
}

/* argv[*i] is "--NAME=VALUE" or "--NAME VALUE": the value (advancing *i for the
 * second form); NULL if argv[*i] is another option */
static const char *opt_value(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);
	const char *a = argv[*i];
	if (strncmp(a, "--", 2) || strncmp(a + 2, name, n)) return NULL;
	if (a[2 + n] == '=') return a + 3 + n;
	if (a[2 + n] || *i + 1 >= argc) return NULL;
	return argv[++*i];
}

static int parse_option(int argc, char **argv, int *i, struct opts *o)
{
	const char *v;
	if ((v = opt_value(argc, argv, i, "ignore"))) return parse_ignore(v, o);
	if ((v = opt_value(argc, argv, i, "class"))) return parse_class(v, o);
	if ((v = opt_value(argc, argv, i, "max"))) return parse_count("--max", v, &o->max);
	if ((v = opt_value(argc, argv, i, "context"))) return parse_count("--context", v, &o->context);
	fprintf(stderr, "persona diff: unknown option '%s'\n", argv[*i]);
	return -1;
}

/* 0: compare; 1: --help was printed; -1: bad usage (reported) */
static int parse_opts(int argc, char **argv, struct opts *o)
{
	int npath = 0;
	bool dashdash = false;
	memset(o, 0, sizeof *o);
	o->max = 5;
	o->context = 3;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!dashdash && (!strcmp(a, "--help") || !strcmp(a, "-h"))) {
			usage(stdout);
			return 1;
		}
		if (!dashdash && !strcmp(a, "--")) {
			dashdash = true;
		} else if (!dashdash && a[0] == '-' && a[1]) {
			if (parse_option(argc, argv, &i, o)) return -1;
		} else if (npath < 2) {
			o->path[npath++] = a;
		} else {
			npath++;
		}
	}
	if (npath != 2) {
		fprintf(stderr, "persona diff: need two traces, got %d\n", npath);
		usage(stderr);
		return -1;
	}
	return 0;
}

/* ---- one process's selected events ---- */

struct seq {
	const struct tload_task *k;	/* NULL: the trace has no such process */
	size_t n, ncalls;
	const struct tload_event **ev;	/* the selected events */
	uint64_t *h;			/* their hashes */
	long *m;			/* index of the matched event in the other seq, -1 */
};

/* Signals arrive at no fixed point of a process's syscall sequence: a signal, the
 * rt_sigreturn that ends its handler and restart_syscall are aligned as a sequence
 * of their own, apart from the rest. */
static bool is_async(const struct tload_event *e)
{
	if (e->kind == TL_SIGNAL) return true;
	return e->kind == TL_CALL &&
	       (!strcmp(e->name, "rt_sigreturn") || !strcmp(e->name, "restart_syscall"));
}

/* A call a signal interrupted (= ? ERESTARTSYS, ERESTARTNOINTR...) is an artefact of
 * when the signal came: the kernel restarts it, and the restarted call is compared. */
static bool is_interrupted(const struct tload_event *e)
{
	return e->kind == TL_CALL && strstr(e->norm, " = ? ERESTART");
}

static bool selected(const struct opts *o, const struct tload_event *e)
{
	if (e->kind != TL_CALL) return true;	/* signals and exits: always */
	if (is_interrupted(e)) return false;
	if (e->nr >= 0 && e->nr < SYSCALL_MAX && o->ignore[e->nr]) return false;
	if (!o->cls) return true;
	const struct syscall_desc *d = e->nr >= 0 ? syscall_desc(e->nr) : NULL;
	return d && (d->cls & o->cls);
}

/* the selected events of k that are (async) or are not (!async) asynchronous */
static int seq_build(struct seq *s, const struct tload_task *k, const struct opts *o, bool async)
{
	size_t cap = k ? k->nev : 0;
	memset(s, 0, sizeof *s);
	s->k = k;
	s->ev = malloc((cap + 1) * sizeof *s->ev);
	s->h = malloc((cap + 1) * sizeof *s->h);
	s->m = malloc((cap + 1) * sizeof *s->m);
	if (!s->ev || !s->h || !s->m) return -1;
	for (size_t i = 0; i < cap; i++) {
		const struct tload_event *e = &k->ev[i];
		if (!selected(o, e) || is_async(e) != async) continue;
		s->ev[s->n] = e;
		s->h[s->n++] = e->hash;
		s->ncalls += e->kind == TL_CALL;
	}
	return 0;
}

static void seq_free(struct seq *s)
{
	free(s->ev);
	free(s->h);
	free(s->m);
}

/* ---- the report ---- */

struct report {
	const struct opts *o;
	unsigned long divergences, shown;
	size_t calls[2], matched, procs[2];
};

static void show(char mark, const struct tload_event *ea, const struct tload_event *eb)
{
	const struct tload_event *e = ea ? ea : eb;
	char *text = tnorm_squeeze(e->text);
	printf("  %c %s:%u", mark, e->file, e->line);
	if (ea && eb) printf(" %s:%u", eb->file, eb->line);
	printf("  %s%s\n", text ? text : e->text, e->open ? " <unfinished ...>" : "");
	free(text);
}

static void show_changed(char mark, const struct seq *s, size_t from, size_t to)
{
	for (size_t i = from; i < to && i < from + LINES_MAX; i++)
		show(mark, mark == '-' ? s->ev[i] : NULL, mark == '+' ? s->ev[i] : NULL);
	if (to - from > LINES_MAX)
		printf("  %c ... %zu more lines of %c\n", mark, to - from - LINES_MAX, mark == '-' ? 'A' : 'B');
}

static void where(const struct seq *s, size_t i, char *buf, size_t len)
{
	if (i < s->n) snprintf(buf, len, "%s:%u", s->ev[i]->file, s->ev[i]->line);
	else if (s->k) snprintf(buf, len, "%s (end)", s->k->file);
	else snprintf(buf, len, "(no such process)");
}

/* A's events [i, ei) and B's [j, ej) differ; A's events from *ctx on are not shown
 * yet. Shows them with context before and after, and moves *ctx. */
static void show_divergence(struct report *r, const char *what, const struct seq *a, const struct seq *b,
			    size_t i, size_t ei, size_t j, size_t ej, size_t *ctx)
{
	char wa[512], wb[512];
	where(a, i, wa, sizeof wa);
	where(b, j, wb, sizeof wb);
	printf("divergence %lu in %s: A %s, B %s\n", r->divergences, what, wa, wb);
	size_t from = i > r->o->context ? i - r->o->context : 0;
	for (size_t s = from > *ctx ? from : *ctx; s < i; s++)
		show(' ', a->ev[s], b->ev[a->m[s]]);
	show_changed('-', a, i, ei);
	show_changed('+', b, j, ej);
	size_t s = ei;
	for (; s < a->n && s < ei + r->o->context && a->m[s] == (long)(ej + s - ei); s++)
		show(' ', a->ev[s], b->ev[a->m[s]]);
	*ctx = s;
}

/* every maximal run of unmatched events is one divergence */
static void divergences(struct report *r, const char *what, const struct seq *a, const struct seq *b)
{
	size_t i = 0, j = 0, ctx = 0;
	while (i < a->n || j < b->n) {
		if (i < a->n && j < b->n && a->m[i] == (long)j) {
			i++, j++;
			continue;
		}
		size_t ei = i, ej = j;
		while (ei < a->n && a->m[ei] < 0) ei++;
		while (ej < b->n && b->m[ej] < 0) ej++;
		r->divergences++;
		if (r->shown < r->o->max) {
			show_divergence(r, what, a, b, i, ei, j, ej, &ctx);
			r->shown++;
		}
		if (ctx < ei) ctx = ei;
		i = ei;
		j = ej;
	}
}

static void pid_str(const struct tload_task *k, char *buf, size_t len)
{
	if (!k) snprintf(buf, len, "none");
	else if (k->pid < 0) snprintf(buf, len, "pid ? (%s)", k->file);
	else snprintf(buf, len, "pid %ld", k->pid);
}

/* builds and aligns the two seqs of events (async or not); -1 when out of memory */
static int align_pair(struct seq *a, struct seq *b, const struct tload_task *ka,
		      const struct tload_task *kb, const struct opts *o, bool async)
{
	if (seq_build(a, ka, o, async) || seq_build(b, kb, o, async)) return -1;
	return talign(a->h, a->n, b->h, b->n, a->m, b->m) < 0 ? -1 : 0;
}

static size_t matched_calls(const struct seq *a)
{
	size_t n = 0;
	for (size_t i = 0; i < a->n; i++) n += a->m[i] >= 0 && a->ev[i]->kind == TL_CALL;
	return n;
}

static int compare_process(struct report *r, unsigned ord, const struct tload_task *ka,
			   const struct tload_task *kb)
{
	struct seq s[4] = { { 0 } };	/* A, B; A, B asynchronous */
	int rc = align_pair(&s[0], &s[1], ka, kb, r->o, false) ||
		 align_pair(&s[2], &s[3], ka, kb, r->o, true) ? -1 : 0;
	if (!rc) {
		size_t ca = s[0].ncalls + s[2].ncalls, cb = s[1].ncalls + s[3].ncalls;
		size_t matched = matched_calls(&s[0]) + matched_calls(&s[2]);
		char pa[300], pb[300], what[64];
		pid_str(ka, pa, sizeof pa);
		pid_str(kb, pb, sizeof pb);
		printf("process #%u: A %s, B %s: syscalls A %zu, B %zu, matched %zu\n",
		       ord, pa, pb, ca, cb, matched);
		r->calls[0] += ca;
		r->calls[1] += cb;
		r->matched += matched;
		snprintf(what, sizeof what, "process #%u", ord);
		divergences(r, what, &s[0], &s[1]);
		snprintf(what, sizeof what, "process #%u (signals)", ord);
		divergences(r, what, &s[2], &s[3]);
	}
	for (int i = 0; i < 4; i++) seq_free(&s[i]);
	return rc;
}

static int compare(const struct opts *o, const struct tload_trace *ta, const struct tload_trace *tb)
{
	struct report r = { .o = o, .procs = { ta->ntask, tb->ntask } };
	size_t n = ta->ntask > tb->ntask ? ta->ntask : tb->ntask;
	printf("A: %s\nB: %s\n", o->path[0], o->path[1]);
	for (size_t i = 0; i < n; i++) {
		const struct tload_task *ka = i < ta->ntask ? &ta->task[ta->order[i]] : NULL;
		const struct tload_task *kb = i < tb->ntask ? &tb->task[tb->order[i]] : NULL;
		if (compare_process(&r, (unsigned)i + 1, ka, kb)) {
			fprintf(stderr, "persona diff: out of memory\n");
			return 2;
		}
	}
	printf("total: processes A %zu, B %zu; syscalls A %zu, B %zu, matched %zu; %lu divergence%s",
	       r.procs[0], r.procs[1], r.calls[0], r.calls[1], r.matched, r.divergences,
	       r.divergences == 1 ? "" : "s");
	if (r.divergences > r.shown) printf(" (%lu shown)", r.shown);
	printf("\n%s\n", r.divergences ? "traces differ" : "traces are equivalent");
	return r.divergences ? 1 : 0;
}

static int load(const char *path, struct tload_trace *t)
{
	if (tload_read(path, t)) return -1;
	if (tnorm_trace(t)) {
		fprintf(stderr, "persona diff: out of memory\n");
		return -1;
	}
	return 0;
}

int tracediff_main(int argc, char **argv)
{
	struct opts *o = malloc(sizeof *o);
	if (!o) return 2;
	int rc = syscall_table_init();
	if (rc) {
		fprintf(stderr, "persona diff: syscall table: %s\n", strerror(-rc));
		free(o);
		return 2;
	}
	rc = parse_opts(argc, argv, o);
	if (rc) {
		free(o);
		return rc > 0 ? 0 : 2;
	}
	struct tload_trace ta, tb;
	memset(&tb, 0, sizeof tb);
	if (load(o->path[0], &ta) || load(o->path[1], &tb)) rc = 2;
	else rc = compare(o, &ta, &tb);
	fflush(stdout);
	tload_free(&ta);
	tload_free(&tb);
	free(o);
	return rc;
}
