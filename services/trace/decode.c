/* services/trace/decode.c - the public half of the decoder (see decode.h): walks a
 * syscall's argument types from the table and prints each through its type's
 * printer (decode_args.c), then the result. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "core/guest_mem.h"
#include "services/trace/decode_internal.h"

void tdec_addr(struct strbuf *sb, uint64_t addr)
{
	if (addr) strbuf_addf(sb, "%#llx", (unsigned long long)addr);
	else strbuf_adds(sb, "NULL");
}

bool tdec_fetch(struct dctx *c, uint64_t addr, void *dst, size_t len)
{
	if (!addr) {
		strbuf_adds(c->sb, "NULL");
		return false;
	}
	if ((c->out && dc_failed(c)) || copy_from_guest(c->tid, dst, addr, len)) {
		tdec_addr(c->sb, addr);
		return false;
	}
	return true;
}

/* "<path>" from a /proc link, quoted as strace quotes it */
static void add_proc_link(struct dctx *c, const char *fmt, int n)
{
	char link[64], path[PATH_MAX];
	snprintf(link, sizeof link, fmt, (int)c->tid, n);
	static const char deleted[] = " (deleted)";
	ssize_t len = readlink(link, path, sizeof path);
	if (len <= 0) return;
	/* strace shows an unlinked file's path as <path>(deleted) */
	bool gone = (size_t)len > sizeof deleted - 1 &&
		    !memcmp(path + len - (sizeof deleted - 1), deleted, sizeof deleted - 1);
	if (gone) len -= sizeof deleted - 1;
	strbuf_addc(c->sb, '<');
	tdec_quote(c->sb, (const unsigned char *)path, (size_t)len, 0, true, "<>");
	strbuf_adds(c->sb, gone ? ">(deleted)" : ">");
}

void tdec_fd(struct dctx *c, int fd)
{
	strbuf_addf(c->sb, "%d", fd);
	if (c->o->fd_paths && fd >= 0) add_proc_link(c, "/proc/%d/fd/%d", fd);
}

void tdec_dirfd(struct dctx *c, int fd)
{
	if (fd != AT_FDCWD_VALUE) {
		tdec_fd(c, fd);
		return;
	}
	strbuf_adds(c->sb, "AT_FDCWD");
	if (c->o->fd_paths) add_proc_link(c, "/proc/%d/cwd", 0);
}

bool tdec_result_hook(struct dctx *c)
{
	for (int i = 0; i < c->d->nargs; i++) {
		switch (A_TYPE(c->d->args[i])) {
		case A_FCNTL_CMD: return tdec_fcntl_result(c, i);
		case A_PRCTL_OPT: return tdec_prctl_result(c, i);
		case A_POLLFD: return tdec_poll_result(c, i);
		case A_FD_SET: return tdec_select_result(c, i);
		default: break;
		}
	}
	return false;
}

static void init_ctx(struct dctx *c, struct strbuf *sb, pid_t tid, long nr,
		     const uint64_t *args, const struct trace_fmt_opts *o)
{
	static const struct trace_fmt_opts defaults = { 32, false, false };
	if (!o) o = &defaults;
	*c = (struct dctx){ .sb = sb, .tid = tid, .d = syscall_desc(nr), .a = args, .o = o,
			    .strsize = o->strsize ? o->strsize : 32 };
}

/* a row we can decode: known name and declared arguments */
static bool has_row(const struct syscall_desc *d)
{
	return d && d->name && d->status != ST_UNKNOWN;
}

/* Prints arguments from `i` on; at entry stops before the first output argument
 * (printing its separator) or when a printer asks to finish at exit. `first`: no
 * separator before argument i (the entry half printed it). Returns the index of
 * the first argument not printed. */
static int print_args(struct dctx *c, int i, bool first)
{
	while (i < c->d->nargs) {
		unsigned t = c->d->args[i];
		bool sep = i > 0 && !tdec_self_separating(A_TYPE(t));
		if (!c->exiting && A_IS_OUT(t)) {
			if (sep) strbuf_adds(c->sb, ", ");
			return i;
		}
		if (sep && !first) strbuf_adds(c->sb, ", ");
		first = false;
		c->out = A_IS_OUT(t);
		c->stop = false;
		int next = tdec_printer(A_TYPE(t))(c, i);
		i = next > i ? next : i + 1;
		if (c->stop) return i;
	}
	return i;
}

static void print_raw_args(struct dctx *c)
{
	for (int i = 0; i < 6; i++)
		strbuf_addf(c->sb, "%s%#llx", i ? ", " : "", (unsigned long long)c->a[i]);
}

int trace_decode_entry(struct strbuf *sb, pid_t tid, long nr, const uint64_t args[6],
		       const struct trace_fmt_opts *o)
{
	struct dctx c;
	init_ctx(&c, sb, tid, nr, args, o);
	if (c.d && c.d->name) strbuf_addf(sb, "%s(", c.d->name);
	else strbuf_addf(sb, "syscall_%#lx(", (unsigned long)nr);
	if (!has_row(c.d)) {
		print_raw_args(&c);
		return 6;
	}
	int from = print_args(&c, 0, false);
	for (int i = from; i < c.d->nargs; i++)
		if (A_TYPE(c.d->args[i]) == A_SOCKLEN) tdec_socklen_remember(&c, i);
	return from;
}

int trace_decode_restart(struct strbuf *sb, long prev_nr)
{
	const struct syscall_desc *d = syscall_desc(prev_nr);
	strbuf_adds(sb, "restart_syscall(<... resuming interrupted ");
	if (d && d->name) strbuf_adds(sb, d->name);
	else strbuf_addf(sb, "syscall_%#lx", (unsigned long)prev_nr);
	strbuf_adds(sb, " ...>");
	return 6;
}

/* The argument whose printer owns argument `from` (a command that decides how its
 * operands print and finishes them at exit), or -1 */
static int owner_of(const struct dctx *c, int from)
{
	for (int k = from - 1; k >= 0; k--)
		if (tdec_is_owner(A_TYPE(c->d->args[k]))) return k;
	return -1;
}

void trace_decode_exit_args(struct strbuf *sb, pid_t tid, long nr, const uint64_t args[6],
			    int from, long ret, const struct trace_fmt_opts *o)
{
	struct dctx c;
	init_ctx(&c, sb, tid, nr, args, o);
	c.exiting = true;
	c.ret = ret;
	if (has_row(c.d) && from >= 0 && from < c.d->nargs) {
		int k = owner_of(&c, from);
		bool first = true;
		if (k >= 0) {
			c.out = true;
			from = tdec_printer(A_TYPE(c.d->args[k]))(&c, k);
			first = false;
		}
		print_args(&c, from, first);
	}
	strbuf_addc(sb, ')');
}

/* " (2026-11-25T00:29:57+0000)", the date strace appends to time(2)'s result */
static void time_paren(struct strbuf *sb, long sec)
{
	time_t t = (time_t)sec;
	struct tm tm;
	char date[64];
	if (!localtime_r(&t, &tm)) return;
	strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S%z", &tm);
	strbuf_addf(sb, " (%s)", date);
}

void trace_decode_result(struct strbuf *sb, pid_t tid, long nr, const uint64_t args[6],
			 long ret, const struct trace_fmt_opts *o)
{
	struct dctx c;
	init_ctx(&c, sb, tid, nr, args, o);
	c.exiting = true;
	c.ret = ret;
	unsigned rt = has_row(c.d) ? A_TYPE(c.d->ret) : A_LONG;
	if (rt == A_NORETURN) {
		strbuf_adds(sb, " = ?");
		return;
	}
	if (dc_failed(&c)) {
		long err = -ret;
		bool restart = err == 512 || err == 513 || err == 514 || err == 516;
		strbuf_adds(sb, restart ? " = ? " : " = -1 ");
		tdec_errno(sb, err);
		return;
	}
	strbuf_adds(sb, " = ");
	if (has_row(c.d) && tdec_result_hook(&c)) return;
	switch (rt) {
	case A_PTR: case A_HEX:
		strbuf_addf(sb, "%#lx", (unsigned long)ret);
		break;
	case A_MODE:
		strbuf_addf(sb, "%#03lo", (unsigned long)ret);
		break;
	case A_UINT: case A_ULONG: case A_SIZE:
		strbuf_addf(sb, "%lu", (unsigned long)ret);
		break;
	case A_FD:
		tdec_fd(&c, (int)ret);
		break;
	case A_SIG:
		strbuf_addf(sb, "%ld (", ret);
		tdec_signame(sb, (int)ret);
		strbuf_addc(sb, ')');
		break;
	case A_PERSONALITY:
		strbuf_addf(sb, "%#lx", (unsigned long)ret);
		if (tdec_xname(&tx_personality, (uint64_t)ret))
			strbuf_addf(sb, " (%s)", tdec_xname(&tx_personality, (uint64_t)ret));
		break;
	case A_TIME_T:
		strbuf_addf(sb, "%ld", ret);
		time_paren(sb, ret);
		break;
	case A_SCHED_POLICY:
		strbuf_addf(sb, "%ld", ret);
		if (tdec_xname(&tx_sched_policy, (uint64_t)ret))
			strbuf_addf(sb, " (%s)", tdec_xname(&tx_sched_policy, (uint64_t)ret));
		break;
	default:
		strbuf_addf(sb, "%ld", ret);
	}
}

void trace_decode_exit(struct strbuf *sb, pid_t tid, long nr, const uint64_t args[6],
		       int from, long ret, const struct trace_fmt_opts *o)
{
	trace_decode_exit_args(sb, tid, nr, args, from, ret, o);
	trace_decode_result(sb, tid, nr, args, ret, o);
}
