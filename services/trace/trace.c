/* services/trace/trace.c - see trace.h.
 * Each task has a pending line: the entry text, printed when the syscall returns.
 * If another task's line must be written to the same stream first, the pending one
 * is printed with " <unfinished ...>" and completed later as "<... NAME resumed>",
 * as strace does. Output is stdio-buffered (64 KiB) and flushed at the end or, for a
 * terminal, per line. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include "services/trace/trace.h"
#include "services/trace/decode.h"
#include "services/trace/strbuf.h"
#include "services/trace/trace_summary.h"
#include "services/trace/trace_out.h"
#include "core/trap.h"
#include "core/task.h"
#include "core/log.h"

struct ttask {
	pid_t tid;			/* host tid */
	pid_t vtid;
	struct strbuf line;		/* entry text while the syscall runs */
	bool pending, unfinished;	/* a line is open; it was printed unfinished */
	int from;			/* first argument still to print at exit */
	long nr;
	long restart_nr;		/* a call interrupted with ERESTART_RESTARTBLOCK */
	struct timespec start;
	struct tout *out;
	struct ttask *next;
};

#define THASH 256
static struct ttask *ttasks[THASH];
static const struct trace_config *cfg;
static struct tout *main_out;
static struct trace_fmt_opts fmt;

static double ts_diff(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) + (b->tv_nsec - a->tv_nsec) / 1e9;
}

static struct tout *stream_for(struct task *t)
{
	if (!cfg->per_pid_files || !cfg->outfile) return main_out;
	char path[4096];
	snprintf(path, sizeof path, "%s.%d", cfg->outfile, task_vtid(t));
	struct tout *f = tout_open(path);
	if (!f) log_err("can't fopen '%s': %s", path, strerror(errno));
	return f ? f : main_out;
}

static struct ttask *tt_get(struct task *t, bool create)
{
	struct ttask **pp = &ttasks[(unsigned)t->tid % THASH];
	for (struct ttask *x = *pp; x; x = x->next)
		if (x->tid == t->tid && x->vtid == task_vtid(t)) return x;
	if (!create) return NULL;
	struct ttask *x = calloc(1, sizeof *x);
	if (!x) return NULL;
	x->tid = t->tid;
	x->vtid = task_vtid(t);
	strbuf_init(&x->line);
	x->out = stream_for(t);
	x->next = *pp;
	*pp = x;
	return x;
}

static void tt_free(struct task *t)
{
	struct ttask **pp = &ttasks[(unsigned)t->tid % THASH];
	for (; *pp; pp = &(*pp)->next)
		if ((*pp)->tid == t->tid) {
			struct ttask *x = *pp;
			*pp = x->next;
			if (x->out != main_out) tout_close(x->out);
			strbuf_free(&x->line);
			free(x);
			return;
		}
}

static bool shown(struct task *t) { return cfg->follow || task_vtid(t) == 1; }

static void prefix(struct strbuf *sb, struct ttask *x, struct task *t)
{
	if (cfg->follow && !(cfg->per_pid_files && cfg->outfile)) {
		char id[32];
		if (cfg->host_pids) snprintf(id, sizeof id, "%d/%d", x->vtid, x->tid);
		else snprintf(id, sizeof id, "%d", x->vtid);
		if (cfg->outfile) strbuf_addf(sb, "%-5s ", id);
		else strbuf_addf(sb, "[pid %5s] ", id);
	}
	if (cfg->timestamps) {
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		if (cfg->timestamps == 3) {
			strbuf_addf(sb, "%ld.%06ld ", (long)now.tv_sec, now.tv_nsec / 1000);
		} else {
			struct tm tm;
			localtime_r(&now.tv_sec, &tm);
			strbuf_addf(sb, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
			if (cfg->timestamps == 2) strbuf_addf(sb, ".%06ld", now.tv_nsec / 1000);
			strbuf_addf(sb, " ");
		}
	}
	(void)t;
}

/* Closes every other open line on stream `out` with " <unfinished ...>" */
static void interrupt_others(struct ttask *self, struct tout *out)
{
	for (unsigned i = 0; i < THASH; i++)
		for (struct ttask *x = ttasks[i]; x; x = x->next) {
			if (x == self || !x->pending || x->unfinished || x->out != out) continue;
			tout_write(out, x->line.buf, x->line.len);
			tout_write(out, " <unfinished ...>", 17);
			tout_newline(out);
			x->unfinished = true;
		}
}

static void emit(struct ttask *x, const struct strbuf *sb)
{
	interrupt_others(x, x->out);
	tout_write(x->out, sb->buf, sb->len);
	tout_newline(x->out);
}

static bool printing(void) { return !cfg->summary || cfg->summary_too; }

static void trace_on_entry(struct task *t)
{
	long nr = t->req.nr;
	if (nr < 0 || nr >= SYSCALL_MAX || !cfg->selected[nr] || !shown(t)) return;
	struct ttask *x = tt_get(t, true);
	if (!x) return;
	x->nr = nr;
	x->pending = true;
	x->unfinished = false;
	clock_gettime(CLOCK_MONOTONIC, &x->start);
	if (!printing()) return;
	strbuf_reset(&x->line);
	prefix(&x->line, x, t);
	if (nr == SYS_restart_syscall && x->restart_nr)	/* the kernel resuming a call */
		x->from = trace_decode_restart(&x->line, x->restart_nr);
	else
		x->from = trace_decode_entry(&x->line, t->tid, nr, t->req.orig_args, &fmt);
}

static void trace_on_exit(struct task *t, long ret)
{
	struct ttask *x = tt_get(t, false);
	if (!x || !x->pending) return;
	struct timespec end;
	clock_gettime(CLOCK_MONOTONIC, &end);
	double dur = ts_diff(&x->start, &end);
	x->pending = false;
	x->restart_nr = ret == -516 ? x->nr : x->nr == SYS_restart_syscall ? x->restart_nr : 0;
	trace_summary_add(x->nr, ret, dur);
	if (!printing()) return;
	struct strbuf sb;
	strbuf_init(&sb);
	if (x->unfinished) {
		prefix(&sb, x, t);
		strbuf_addf(&sb, "<... %s resumed>", syscall_desc(x->nr)->name);
	} else {
		strbuf_addn(&sb, x->line.buf, x->line.len);
	}
	trace_decode_exit_args(&sb, t->tid, x->nr, t->req.orig_args, x->from, ret, &fmt);
	strbuf_pad_to(&sb, TRACE_RESULT_COLUMN);	/* strace's column for " = " */
	trace_decode_result(&sb, t->tid, x->nr, t->req.orig_args, ret, &fmt);
	if (cfg->durations) strbuf_addf(&sb, " <%.6f>", dur);
	emit(x, &sb);
	strbuf_free(&sb);
}

static void trace_on_signal(struct task *t, const siginfo_t *si)
{
	if (!printing() || !shown(t)) return;
	struct ttask *x = tt_get(t, true);
	if (!x) return;
	struct strbuf sb;
	strbuf_init(&sb);
	prefix(&sb, x, t);
	trace_decode_signal(&sb, si);
	emit(x, &sb);
	strbuf_free(&sb);
}

/* "--- stopped by SIGSTOP ---", as strace writes a group-stop */
static void trace_on_group_stop(struct task *t, int sig)
{
	char name[16];
	if (!printing() || !shown(t)) return;
	struct ttask *x = tt_get(t, true);
	if (!x) return;
	struct strbuf sb;
	strbuf_init(&sb);
	prefix(&sb, x, t);
	strbuf_addf(&sb, "--- stopped by %s ---", trace_signal_name(sig, name));
	emit(x, &sb);
	strbuf_free(&sb);
}

static void trace_on_gone(struct task *t, int wstatus)
{
	struct ttask *x = tt_get(t, false);
	if (x && printing() && shown(t)) {
		struct strbuf sb;
		strbuf_init(&sb);
		if (x->pending) {	/* exit, exit_group, or killed inside a syscall */
			if (x->unfinished) {
				prefix(&sb, x, t);
				strbuf_addf(&sb, "<... %s resumed>", syscall_desc(x->nr)->name);
			} else {
				strbuf_addn(&sb, x->line.buf, x->line.len);
			}
			strbuf_addf(&sb, ")");
			strbuf_pad_to(&sb, TRACE_RESULT_COLUMN);
			strbuf_addf(&sb, " = ?");
			emit(x, &sb);
			strbuf_reset(&sb);
		}
		prefix(&sb, x, t);
		trace_decode_exit_status(&sb, wstatus);
		emit(x, &sb);
		strbuf_free(&sb);
	}
	if (x && x->pending) trace_summary_add(x->nr, 0, 0);
	if (x) tt_free(t);
}

static const struct trap_observer observer = {
	.syscall_entry = trace_on_entry,
	.syscall_exit = trace_on_exit,
	.signal = trace_on_signal,
	.task_gone = trace_on_gone,
	.group_stop = trace_on_group_stop,
	.want_exit = true,
};

int trace_begin(const struct trace_config *c)
{
	cfg = c;
	fmt.strsize = c->strsize;
	fmt.verbose = c->verbose;
	fmt.fd_paths = c->fd_paths;
	main_out = tout_stderr();
	if (c->outfile && !c->per_pid_files) {
		tout_close(main_out);
		main_out = tout_open(c->outfile);
		if (!main_out) {
			log_err("can't fopen '%s': %s", c->outfile, strerror(errno));
			return 1;
		}
	} else if (c->outfile) {	/* -ff: check the directory is writable now */
		char probe[4096];
		snprintf(probe, sizeof probe, "%s.probe", c->outfile);
		FILE *f = fopen(probe, "we");
		if (!f) {
			log_err("can't fopen '%s': %s", probe, strerror(errno));
			return 1;
		}
		fclose(f);
		remove(probe);
	}
	trap_observer = &observer;
	return 0;
}

void trace_end(void)
{
	trap_observer = NULL;
	if (cfg->summary || cfg->summary_too) {
		char *text = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&text, &len);
		if (m) {
			trace_summary_print(m);
			fclose(m);
			tout_write(main_out, text, len);
			free(text);
		}
	}
	for (unsigned i = 0; i < THASH; i++)
		for (struct ttask *x = ttasks[i], *n; x; x = n) {
			n = x->next;
			if (x->out != main_out) tout_close(x->out);
			strbuf_free(&x->line);
			free(x);
		}
	tout_close(main_out);
	main_out = NULL;
}
