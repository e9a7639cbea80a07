/* services/trace/decode_structs.c - printers of pointers to file, time and process
 * structures, in strace's field order; "..." ends the abbreviated ones unless -v. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/utsname.h>
#include "core/guest_mem.h"
#include "services/trace/decode_internal.h"

#define ARG(c, i) ((c)->a[i])
#define ABBREV(c) (!(c)->o->verbose)

void tdec_timespec(struct strbuf *sb, int64_t sec, int64_t nsec)
{
	strbuf_addf(sb, "{tv_sec=%lld, tv_nsec=%lld}", (long long)sec, (long long)nsec);
}

void tdec_timeval(struct strbuf *sb, int64_t sec, int64_t usec)
{
	strbuf_addf(sb, "{tv_sec=%lld, tv_usec=%lld}", (long long)sec, (long long)usec);
}

/* the date comment strace appends to timestamps: 2024-11-24T23:49:40.123+0000 */
static void time_comment(struct strbuf *sb, int64_t sec, long nsec)
{
	time_t t = (time_t)sec;
	struct tm tm;
	char date[64], zone[16];
	if (!localtime_r(&t, &tm)) return;
	strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
	strftime(zone, sizeof zone, "%z", &tm);
	if (nsec) strbuf_addf(sb, " /* %s.%09ld%s */", date, nsec, zone);
	else strbuf_addf(sb, " /* %s%s */", date, zone);
}

static void dev_field(struct strbuf *sb, const char *name, uint64_t dev)
{
	strbuf_addf(sb, "%s=makedev(%#x, %#x)", name, major(dev), minor(dev));
}

static void stat_time(struct strbuf *sb, const char *name, const struct timespec *ts)
{
	strbuf_addf(sb, ", %s=%lld", name, (long long)ts->tv_sec);
	time_comment(sb, ts->tv_sec, ts->tv_nsec);
	strbuf_addf(sb, ", %s_nsec=%ld", name, ts->tv_nsec);
}

int tp_stat(struct dctx *c, int i)
{
	struct stat st;
	if (!tdec_fetch(c, ARG(c, i), &st, sizeof st)) return i + 1;
	struct strbuf *sb = c->sb;
	bool dev = S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode);
	strbuf_addc(sb, '{');
	if (!ABBREV(c)) {
		dev_field(sb, "st_dev", st.st_dev);
		strbuf_addf(sb, ", st_ino=%llu, ", (unsigned long long)st.st_ino);
	}
	strbuf_adds(sb, "st_mode=");
	tdec_stat_mode(sb, st.st_mode);
	if (!ABBREV(c))
		strbuf_addf(sb, ", st_nlink=%lu, st_uid=%u, st_gid=%u, st_blksize=%ld, st_blocks=%lld",
			    (unsigned long)st.st_nlink, st.st_uid, st.st_gid, (long)st.st_blksize,
			    (long long)st.st_blocks);
	strbuf_adds(sb, ", ");
	if (dev) dev_field(sb, "st_rdev", st.st_rdev);
	else strbuf_addf(sb, "st_size=%lld", (long long)st.st_size);
	if (ABBREV(c)) {
		strbuf_adds(sb, ", ...}");
		return i + 1;
	}
	stat_time(sb, "st_atime", &st.st_atim);
	stat_time(sb, "st_mtime", &st.st_mtim);
	stat_time(sb, "st_ctime", &st.st_ctim);
	strbuf_addc(sb, '}');
	return i + 1;
}

static void statx_time(struct strbuf *sb, const char *name, const struct statx_timestamp *t)
{
	strbuf_addf(sb, ", %s=", name);
	tdec_timespec(sb, t->tv_sec, t->tv_nsec);
	time_comment(sb, t->tv_sec, (long)t->tv_nsec);
}

static void statx_verbose_tail(struct strbuf *sb, const struct statx *s)
{
	strbuf_addf(sb, ", stx_blocks=%llu, stx_attributes_mask=",
		    (unsigned long long)s->stx_blocks);
	tdec_flags(sb, &tx_statx_attr, s->stx_attributes_mask);
	/* the timestamps the kernel filled in (STATX_ATIME, _BTIME, _CTIME, _MTIME) */
	if (s->stx_mask & 0x20) statx_time(sb, "stx_atime", &s->stx_atime);
	if (s->stx_mask & 0x800) statx_time(sb, "stx_btime", &s->stx_btime);
	if (s->stx_mask & 0x80) statx_time(sb, "stx_ctime", &s->stx_ctime);
	if (s->stx_mask & 0x40) statx_time(sb, "stx_mtime", &s->stx_mtime);
	strbuf_addf(sb, ", stx_rdev_major=%u, stx_rdev_minor=%u, stx_dev_major=%u, stx_dev_minor=%u",
		    s->stx_rdev_major, s->stx_rdev_minor, s->stx_dev_major, s->stx_dev_minor);
	if (s->stx_mask & 0x1000)
		strbuf_addf(sb, ", stx_mnt_id=%#llx", (unsigned long long)s->stx_mnt_id);
	if (s->stx_mask & 0x2000)
		strbuf_addf(sb, ", stx_dio_mem_align=%u, stx_dio_offset_align=%u",
			    s->stx_dio_mem_align, s->stx_dio_offset_align);
}

int tp_statx(struct dctx *c, int i)
{
	struct statx s;
	if (!tdec_fetch(c, ARG(c, i), &s, sizeof s)) return i + 1;
	struct strbuf *sb = c->sb;
	strbuf_adds(sb, "{stx_mask=");
	tdec_flags(sb, &tx_statx_mask, s.stx_mask);
	if (!ABBREV(c)) strbuf_addf(sb, ", stx_blksize=%u", s.stx_blksize);
	strbuf_adds(sb, ", stx_attributes=");
	tdec_flags(sb, &tx_statx_attr, s.stx_attributes);
	if (!ABBREV(c))
		strbuf_addf(sb, ", stx_nlink=%u, stx_uid=%u, stx_gid=%u", s.stx_nlink, s.stx_uid,
			    s.stx_gid);
	strbuf_adds(sb, ", stx_mode=");
	tdec_stat_mode(sb, s.stx_mode);
	if (!ABBREV(c)) strbuf_addf(sb, ", stx_ino=%llu", (unsigned long long)s.stx_ino);
	strbuf_addf(sb, ", stx_size=%llu", (unsigned long long)s.stx_size);
	if (ABBREV(c)) strbuf_adds(sb, ", ...");
	else statx_verbose_tail(sb, &s);
	strbuf_addc(sb, '}');
	return i + 1;
}

int tp_statfs(struct dctx *c, int i)
{
	struct statfs f;
	if (!tdec_fetch(c, ARG(c, i), &f, sizeof f)) return i + 1;
	struct strbuf *sb = c->sb;
	int fsid[2];
	memcpy(fsid, &f.f_fsid, sizeof fsid);
	strbuf_adds(sb, "{f_type=");
	tdec_xval(sb, &tx_fs_magic, (uint64_t)f.f_type, false);
	strbuf_addf(sb, ", f_bsize=%ld, f_blocks=%llu, f_bfree=%llu, f_bavail=%llu, f_files=%llu, "
		    "f_ffree=%llu, f_fsid={val=[%#x, %#x]}, f_namelen=%ld, f_frsize=%ld, f_flags=",
		    (long)f.f_bsize, (unsigned long long)f.f_blocks, (unsigned long long)f.f_bfree,
		    (unsigned long long)f.f_bavail, (unsigned long long)f.f_files,
		    (unsigned long long)f.f_ffree, (unsigned)fsid[0], (unsigned)fsid[1],
		    (long)f.f_namelen, (long)f.f_frsize);
	tdec_flags(sb, &tx_statfs_flags, (uint64_t)f.f_flags);
	strbuf_addc(sb, '}');
	return i + 1;
}

int tp_timespec(struct dctx *c, int i)
{
	struct timespec ts;
	if (tdec_fetch(c, ARG(c, i), &ts, sizeof ts)) tdec_timespec(c->sb, ts.tv_sec, ts.tv_nsec);
	return i + 1;
}

/* nanosleep's remaining time: written only when a signal interrupted the sleep */
int tp_timespec_rem(struct dctx *c, int i)
{
	bool restart = c->ret <= -512 && c->ret >= -516;
	if (ARG(c, i) && !restart) {
		tdec_addr(c->sb, ARG(c, i));
		return i + 1;
	}
	c->out = false;
	return tp_timespec(c, i);
}

int tp_timeval(struct dctx *c, int i)
{
	struct timeval tv;
	if (tdec_fetch(c, ARG(c, i), &tv, sizeof tv)) tdec_timeval(c->sb, tv.tv_sec, tv.tv_usec);
	return i + 1;
}

int tp_itimerval(struct dctx *c, int i)
{
	struct itimerval it;
	if (!tdec_fetch(c, ARG(c, i), &it, sizeof it)) return i + 1;
	strbuf_adds(c->sb, "{it_interval=");
	tdec_timeval(c->sb, it.it_interval.tv_sec, it.it_interval.tv_usec);
	strbuf_adds(c->sb, ", it_value=");
	tdec_timeval(c->sb, it.it_value.tv_sec, it.it_value.tv_usec);
	strbuf_addc(c->sb, '}');
	return i + 1;
}

int tp_itimerspec(struct dctx *c, int i)
{
	struct itimerspec it;
	if (!tdec_fetch(c, ARG(c, i), &it, sizeof it)) return i + 1;
	strbuf_adds(c->sb, "{it_interval=");
	tdec_timespec(c->sb, it.it_interval.tv_sec, it.it_interval.tv_nsec);
	strbuf_adds(c->sb, ", it_value=");
	tdec_timespec(c->sb, it.it_value.tv_sec, it.it_value.tv_nsec);
	strbuf_addc(c->sb, '}');
	return i + 1;
}

/* utimensat's times: [UTIME_NOW, {tv_sec=1, tv_nsec=0} and a date comment] */
int tp_utimes(struct dctx *c, int i)
{
	struct timespec ts[2];
	if (!tdec_fetch(c, ARG(c, i), ts, sizeof ts)) return i + 1;
	strbuf_addc(c->sb, '[');
	for (int k = 0; k < 2; k++) {
		if (k) strbuf_adds(c->sb, ", ");
		if (ts[k].tv_nsec == UTIME_NOW) {
			strbuf_adds(c->sb, "UTIME_NOW");
		} else if (ts[k].tv_nsec == UTIME_OMIT) {
			strbuf_adds(c->sb, "UTIME_OMIT");
		} else {
			tdec_timespec(c->sb, ts[k].tv_sec, ts[k].tv_nsec);
			time_comment(c->sb, ts[k].tv_sec, ts[k].tv_nsec);
		}
	}
	strbuf_addc(c->sb, ']');
	return i + 1;
}

static void rlim_val(struct strbuf *sb, uint64_t v)
{
	if (v == UINT64_MAX) strbuf_adds(sb, "RLIM64_INFINITY");
	else if (v > 1024 && v % 1024 == 0) strbuf_addf(sb, "%llu*1024", (unsigned long long)(v / 1024));
	else strbuf_addf(sb, "%llu", (unsigned long long)v);
}

int tp_rlimit(struct dctx *c, int i)
{
	uint64_t rl[2];
	if (!tdec_fetch(c, ARG(c, i), rl, sizeof rl)) return i + 1;
	strbuf_adds(c->sb, "{rlim_cur=");
	rlim_val(c->sb, rl[0]);
	strbuf_adds(c->sb, ", rlim_max=");
	rlim_val(c->sb, rl[1]);
	strbuf_addc(c->sb, '}');
	return i + 1;
}

/* strace's PRINT_FIELD_CLOCK_T: ticks, and seconds in a comment */
static void clock_t_field(struct strbuf *sb, const char *name, long long v)
{
	strbuf_addf(sb, "%s=%lld", name, v);
	if (v) strbuf_addf(sb, " /* %lld.%02lld s */", v / 100, v % 100);
}

int tp_tms(struct dctx *c, int i)
{
	struct tms t;
	if (!tdec_fetch(c, ARG(c, i), &t, sizeof t)) return i + 1;
	strbuf_addc(c->sb, '{');
	clock_t_field(c->sb, "tms_utime", t.tms_utime);
	clock_t_field(c->sb, ", tms_stime", t.tms_stime);
	clock_t_field(c->sb, ", tms_cutime", t.tms_cutime);
	clock_t_field(c->sb, ", tms_cstime", t.tms_cstime);
	strbuf_addc(c->sb, '}');
	return i + 1;
}

int tp_rusage(struct dctx *c, int i)
{
	struct rusage r;
	if (!tdec_fetch(c, ARG(c, i), &r, sizeof r)) return i + 1;
	struct strbuf *sb = c->sb;
	strbuf_adds(sb, "{ru_utime=");
	tdec_timeval(sb, r.ru_utime.tv_sec, r.ru_utime.tv_usec);
	strbuf_adds(sb, ", ru_stime=");
	tdec_timeval(sb, r.ru_stime.tv_sec, r.ru_stime.tv_usec);
	if (ABBREV(c)) {
		strbuf_adds(sb, ", ...}");
		return i + 1;
	}
	strbuf_addf(sb, ", ru_maxrss=%ld, ru_ixrss=%ld, ru_idrss=%ld, ru_isrss=%ld, ru_minflt=%ld, "
		    "ru_majflt=%ld, ru_nswap=%ld, ru_inblock=%ld, ru_oublock=%ld, ru_msgsnd=%ld, "
		    "ru_msgrcv=%ld, ru_nsignals=%ld, ru_nvcsw=%ld, ru_nivcsw=%ld}",
		    r.ru_maxrss, r.ru_ixrss, r.ru_idrss, r.ru_isrss, r.ru_minflt, r.ru_majflt,
		    r.ru_nswap, r.ru_inblock, r.ru_oublock, r.ru_msgsnd, r.ru_msgrcv,
		    r.ru_nsignals, r.ru_nvcsw, r.ru_nivcsw);
	return i + 1;
}

int tp_sysinfo(struct dctx *c, int i)
{
	struct sysinfo s;
	if (!tdec_fetch(c, ARG(c, i), &s, sizeof s)) return i + 1;
	strbuf_addf(c->sb, "{uptime=%ld, loads=[%lu, %lu, %lu], totalram=%lu, freeram=%lu, "
		    "sharedram=%lu, bufferram=%lu, totalswap=%lu, freeswap=%lu, procs=%u, "
		    "totalhigh=%lu, freehigh=%lu, mem_unit=%u}",
		    s.uptime, s.loads[0], s.loads[1], s.loads[2], s.totalram, s.freeram,
		    s.sharedram, s.bufferram, s.totalswap, s.freeswap, (unsigned)s.procs,
		    s.totalhigh, s.freehigh, s.mem_unit);
	return i + 1;
}

static void utsname_field(struct strbuf *sb, const char *name, const char *v)
{
	strbuf_addf(sb, "%s=", name);
	tdec_quote(sb, (const unsigned char *)v, 65, Q_NUL, false, NULL);
}

int tp_utsname(struct dctx *c, int i)
{
	struct utsname u;
	if (!tdec_fetch(c, ARG(c, i), &u, sizeof u)) return i + 1;
	struct strbuf *sb = c->sb;
	strbuf_addc(sb, '{');
	utsname_field(sb, "sysname", u.sysname);
	utsname_field(sb, ", nodename", u.nodename);
	if (ABBREV(c)) {
		strbuf_adds(sb, ", ...}");
		return i + 1;
	}
	utsname_field(sb, ", release", u.release);
	utsname_field(sb, ", version", u.version);
	utsname_field(sb, ", machine", u.machine);
	utsname_field(sb, ", domainname", u.domainname);
	strbuf_addc(sb, '}');
	return i + 1;
}

int tp_sched_param(struct dctx *c, int i)
{
	int prio;
	if (tdec_fetch(c, ARG(c, i), &prio, sizeof prio)) strbuf_addf(c->sb, "[%d]", prio);
	return i + 1;
}

/* CPU set: [0 1]; sched_getaffinity shows the result's bytes, setaffinity its size */
int tp_cpuset(struct dctx *c, int i)
{
	uint64_t len = c->out ? (uint64_t)c->ret : (i > 0 ? ARG(c, i - 1) : 0);
	uint64_t addr = ARG(c, i);
	uint64_t words[128];
	if (len > sizeof words) len = sizeof words;
	len &= ~(uint64_t)7;
	if (!tdec_fetch(c, len ? addr : 0, words, len)) return i + 1;
	char sep = '[';
	for (unsigned b = 0; b < len * 8; b++) {
		if (!(words[b / 64] >> (b % 64) & 1)) continue;
		strbuf_addf(c->sb, "%c%u", sep, b);
		sep = ' ';
	}
	if (sep == '[') strbuf_addc(c->sb, '[');
	strbuf_addc(c->sb, ']');
	return i + 1;
}

/* getdents64: the address and an entry count comment, or the entries with -v */
int tp_dirents(struct dctx *c, int i)
{
	uint64_t addr = ARG(c, i);
	if (dc_failed(c) || !addr) {
		tdec_addr(c->sb, addr);
		return i + 1;
	}
	size_t len = c->ret > 0 ? (size_t)c->ret : 0;
	unsigned char *buf = len ? malloc(len) : NULL;
	if (len && (!buf || copy_from_guest(c->tid, buf, addr, len))) {
		free(buf);
		tdec_addr(c->sb, addr);
		return i + 1;
	}
	unsigned n = 0;
	bool verbose = !ABBREV(c);
	if (verbose) strbuf_addc(c->sb, '[');
	else tdec_addr(c->sb, addr);
	for (size_t off = 0; off + 19 <= len; n++) {
		uint16_t reclen;
		memcpy(&reclen, buf + off + 16, 2);
		if (reclen < 19 || off + reclen > len) break;
		if (verbose) {
			uint64_t ino, doff;
			memcpy(&ino, buf + off, 8);
			memcpy(&doff, buf + off + 8, 8);
			strbuf_addf(c->sb, "%s{d_ino=%llu, d_off=%lld, d_reclen=%u, d_type=",
				    n ? ", " : "", (unsigned long long)ino, (long long)doff, reclen);
			tdec_xval(c->sb, &tx_dirent_type, buf[off + 18], false);
			strbuf_adds(c->sb, ", d_name=");
			tdec_quote(c->sb, buf + off + 19, reclen - 19u, Q_NUL, false, NULL);
			strbuf_addc(c->sb, '}');
		}
		off += reclen;
	}
	if (verbose) strbuf_addc(c->sb, ']');
	else strbuf_addf(c->sb, " /* %u entries */", n);
	free(buf);
	return i + 1;
}
