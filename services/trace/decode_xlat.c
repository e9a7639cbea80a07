/* services/trace/decode_xlat.c - printing values through name tables, as strace's
 * printxval()/printflags() do; signal names and sets; errno names. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "services/trace/decode_internal.h"

const char *tdec_xname(const struct xtab *t, uint64_t v)
{
	for (unsigned i = 0; i < t->n; i++)
		if (t->x[i].val == v) return t->x[i].name;
	return NULL;
}

void tdec_xval(struct strbuf *sb, const struct xtab *t, uint64_t v, bool dec)
{
	const char *name = tdec_xname(t, v);
	if (name) {
		strbuf_adds(sb, name);
		return;
	}
	if (dec) strbuf_addf(sb, "%lld", (long long)v);
	else strbuf_addf(sb, "%#llx", (unsigned long long)v);
	if (t->dflt) strbuf_addf(sb, " /* %s */", t->dflt);
}

unsigned tdec_flags_bare(struct strbuf *sb, const struct xtab *t, uint64_t v)
{
	unsigned n = 0;
	for (unsigned i = 0; i < t->n && v; i++) {
		uint64_t f = t->x[i].val;
		if (!f || (v & f) != f) continue;
		strbuf_adds(sb, n++ ? "|" : "");
		strbuf_adds(sb, t->x[i].name);
		v &= ~f;
	}
	if (v) {
		strbuf_addf(sb, "%s%#llx", n ? "|" : "", (unsigned long long)v);
		if (!n) return 0;
	}
	return n;
}

void tdec_flags(struct strbuf *sb, const struct xtab *t, uint64_t v)
{
	if (!v) {
		const char *zero = tdec_xname(t, 0);
		strbuf_adds(sb, zero ? zero : "0");
		return;
	}
	if (!tdec_flags_bare(sb, t, v) && t->dflt) strbuf_addf(sb, " /* %s */", t->dflt);
}

/* O_RDONLY|O_CREAT|..., the access mode always first */
void tdec_open_flags(struct strbuf *sb, uint64_t v)
{
	strbuf_adds(sb, tdec_xname(&tx_open_access, v & 3));
	v &= ~(uint64_t)3;
	if (!v) return;
	strbuf_addc(sb, '|');
	tdec_flags_bare(sb, &tx_open_flags, v);
}

/* strace's print_numeric_umode_t: 0644, 000 */
void tdec_mode(struct strbuf *sb, unsigned mode)
{
	strbuf_addf(sb, "%#03o", mode);
}

/* strace's print_symbolic_mode_t: S_IFDIR|S_ISVTX|0777 */
void tdec_stat_mode(struct strbuf *sb, unsigned mode)
{
	static const struct { unsigned v; const char *n; } ifmt[] = {
		{ S_IFREG, "S_IFREG" }, { S_IFSOCK, "S_IFSOCK" }, { S_IFIFO, "S_IFIFO" },
		{ S_IFLNK, "S_IFLNK" }, { S_IFDIR, "S_IFDIR" }, { S_IFBLK, "S_IFBLK" },
		{ S_IFCHR, "S_IFCHR" },
	};
	const char *type = "";
	if (mode & S_IFMT) {
		type = NULL;
		for (unsigned i = 0; i < NELEM(ifmt); i++)
			if (ifmt[i].v == (mode & S_IFMT)) type = ifmt[i].n;
	}
	if (!type) {
		strbuf_addf(sb, "%#03o", mode);
		return;
	}
	strbuf_addf(sb, "%s%s%s%s%s%#03o", type, *type ? "|" : "", mode & S_ISUID ? "S_ISUID|" : "",
		    mode & S_ISGID ? "S_ISGID|" : "", mode & S_ISVTX ? "S_ISVTX|" : "",
		    mode & ~(unsigned)(S_IFMT | S_ISUID | S_ISGID | S_ISVTX));
}

const char *trace_signal_name(int sig, char buf[16])
{
	if (sig > 0 && sig < 32) {
		/* glibc calls 29 POLL; strace (and the kernel's signal list) IO */
		const char *abbrev = sig == SIGIO ? "IO" : sigabbrev_np(sig);
		if (abbrev) {
			snprintf(buf, 16, "SIG%s", abbrev);
			return buf;
		}
	}
	if (sig == 32) return "SIGRTMIN";
	if (sig > 32 && sig <= 64) {
		snprintf(buf, 16, "SIGRT_%d", sig - 32);
		return buf;
	}
	snprintf(buf, 16, "%d", sig);
	return buf;
}

void tdec_signame(struct strbuf *sb, int sig)
{
	char buf[16];
	strbuf_adds(sb, trace_signal_name(sig, buf));
}

/* [INT TERM], or ~[...] listing the signals not in the set when at least 2/3 of
 * the bits are set (strace's sprintsigmask_n) */
void tdec_sigmask(struct strbuf *sb, const uint64_t *words, unsigned nbits)
{
	uint64_t m[2] = { 0, 0 };
	unsigned set = 0;
	for (unsigned b = 0; b < nbits && b < 128; b++)
		if (words[b / 64] >> (b % 64) & 1) {
			m[b / 64] |= 1ull << (b % 64);
			set++;
		}
	bool inv = set >= nbits * 2 / 3;
	if (inv) strbuf_addc(sb, '~');
	char sep = '[';
	for (unsigned b = 0; b < nbits && b < 128; b++) {
		if (!(m[b / 64] >> (b % 64) & 1) == !inv) continue;
		char buf[16];
		const char *name = trace_signal_name((int)b + 1, buf);
		strbuf_addc(sb, sep);
		strbuf_adds(sb, strncmp(name, "SIG", 3) ? name : name + 3);
		sep = ' ';
	}
	if (sep == '[') strbuf_addc(sb, '[');
	strbuf_addc(sb, ']');
}

/* kernel-internal codes a tracer can see; only the four restart codes have a
 * message of strace's own, the others get strerror()'s "Unknown error N" */
static const struct { short err; const char *name, *msg; } internal[] = {
	{ 512, "ERESTARTSYS", "To be restarted if SA_RESTART is set" },
	{ 513, "ERESTARTNOINTR", "To be restarted" },
	{ 514, "ERESTARTNOHAND", "To be restarted if no handler" },
	{ 515, "ENOIOCTLCMD", NULL },
	{ 516, "ERESTART_RESTARTBLOCK", "Interrupted by signal" },
	{ 517, "EPROBE_DEFER", NULL }, { 518, "EOPENSTALE", NULL },
	{ 519, "ENOPARAM", NULL }, { 521, "EBADHANDLE", NULL }, { 522, "ENOTSYNC", NULL },
	{ 523, "EBADCOOKIE", NULL }, { 524, "ENOTSUPP", NULL }, { 525, "ETOOSMALL", NULL },
	{ 526, "ESERVERFAULT", NULL }, { 527, "EBADTYPE", NULL }, { 528, "EJUKEBOX", NULL },
	{ 529, "EIOCBQUEUED", NULL }, { 530, "ERECALLCONFLICT", NULL },
};

/* "ENOENT (No such file or directory)" for a positive errno */
void tdec_errno(struct strbuf *sb, long err)
{
	for (unsigned i = 0; i < NELEM(internal); i++) {
		if (internal[i].err != err) continue;
		strbuf_addf(sb, "%s (%s)", internal[i].name,
			    internal[i].msg ? internal[i].msg : strerror((int)err));
		return;
	}
	const char *name = err < 4096 ? strerrorname_np((int)err) : NULL;
	if (name) strbuf_addf(sb, "%s (%s)", name, strerror((int)err));
	else strbuf_addf(sb, "%ld", err);
}
