/* services/trace/decode_internal.h - shared by the decoder's files (decode*.c).
 * Not an interface: see decode.h. */
#ifndef PERSONA_TRACE_DECODE_INTERNAL_H
#define PERSONA_TRACE_DECODE_INTERNAL_H
#include <stdbool.h>
#include <stddef.h>
#include <signal.h>
#include <stdint.h>
#include <sys/types.h>
#include "core/syscall_table.h"
#include "services/trace/decode.h"
#include "services/trace/strbuf.h"

/* One syscall being printed */
struct dctx {
	struct strbuf *sb;
	pid_t tid;			/* whose memory the pointers point into */
	const struct syscall_desc *d;
	const uint64_t *a;		/* the six argument registers */
	const struct trace_fmt_opts *o;
	unsigned strsize;		/* o->strsize, or 32 */
	bool exiting;			/* printing after the call */
	bool out;			/* the argument being printed is an output argument */
	bool stop;			/* set by a printer at entry: finish the rest at exit */
	long ret;			/* the result, when exiting */
};

#define AT_FDCWD_VALUE (-100)

/* the call failed (exit half only) */
static inline bool dc_failed(const struct dctx *c)
{
	return c->exiting && c->ret < 0 && c->ret >= -4095;
}

/* "name=value" tables, in strace's printing order */
struct xlat {
	uint64_t val;
	const char *name;
};
struct xtab {
	const struct xlat *x;
	unsigned n;
	const char *dflt;	/* comment for unknown values, e.g. "O_???" */
};
#define XE(v) { (uint64_t)(v), #v }
#define XN(v, name) { (uint64_t)(v), name }
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define XTAB(nm, dflt, ...) \
	static const struct xlat nm##_x[] = { __VA_ARGS__ }; \
	const struct xtab nm = { nm##_x, NELEM(nm##_x), dflt }

/* decode_xlat.c: name lookups and printing */
const char *tdec_xname(const struct xtab *t, uint64_t v);
/* the name, or the value ("%#llx", or decimal if `dec`) followed by the dflt comment */
void tdec_xval(struct strbuf *sb, const struct xtab *t, uint64_t v, bool dec);
/* "A|B|0x40" in table order; "0" if v == 0 and no zero entry; a value with no
 * known bit prints as hex followed by the dflt comment */
void tdec_flags(struct strbuf *sb, const struct xtab *t, uint64_t v);
/* the same, without the comment when nothing matched, and returning how many names
 * were printed (for composed values such as open flags) */
unsigned tdec_flags_bare(struct strbuf *sb, const struct xtab *t, uint64_t v);
void tdec_open_flags(struct strbuf *sb, uint64_t v);	/* O_RDONLY|O_CLOEXEC */
void tdec_mode(struct strbuf *sb, unsigned mode);	/* 0644 (arguments) */
void tdec_stat_mode(struct strbuf *sb, unsigned mode);	/* S_IFREG|S_ISUID|0755 */
void tdec_signame(struct strbuf *sb, int sig);		/* SIGINT, SIGRT_2, 0 */
void tdec_sigmask(struct strbuf *sb, const uint64_t *words, unsigned nbits);
void tdec_errno(struct strbuf *sb, long err);		/* "ENOENT (No such file ...)" */

extern const struct xtab tx_open_access, tx_open_flags, tx_at_flags, tx_at_eaccess_flags,
	tx_statx_sync, tx_access, tx_prot, tx_map_type, tx_map_flags, tx_clone_flags,
	tx_unshare_flags, tx_wait_opts, tx_sighow, tx_fcntl_cmd, tx_fd_flags, tx_lock_type,
	tx_owner_type, tx_seals, tx_whence, tx_rlimit, tx_af, tx_sock_type, tx_sock_flags,
	tx_ipproto, tx_clockid, tx_idtype, tx_prio_which, tx_futex_op, tx_futex_wakeop,
	tx_futex_wakecmp, tx_arch_prctl, tx_madv, tx_seccomp_op, tx_seccomp_flags, tx_sa_flags,
	tx_ss_flags, tx_statx_mask, tx_statx_attr, tx_epoll_flags, tx_efd_flags, tx_tfd_flags,
	tx_sfd_flags, tx_in_flags, tx_mfd_flags, tx_grnd_flags, tx_rusage_who, tx_fadvice,
	tx_epoll_op, tx_epoll_events, tx_poll_events, tx_msg_flags, tx_shut_how, tx_sol, tx_so,
	tx_mremap_flags, tx_msync_flags, tx_mlockall_flags, tx_timer_flags, tx_itimer_which,
	tx_rename_flags, tx_flock_op, tx_dumpable, tx_sched_policy, tx_dirent_type,
	tx_xattr_flags, tx_umount_flags, tx_rwf_flags, tx_splice_flags, tx_close_range_flags,
	tx_personality, tx_statfs_flags, tx_fs_magic, tx_tfd_timer_flags, tx_inotify_mask,
	tx_mount_flags, tx_tcp_opt, tx_ip_opt, tx_ipv6_opt;

/* decode_str.c: strings and buffers */
enum { Q_NUL = 1, Q_HEX = 2 };	/* stop at NUL / print every byte as \xNN */
/* Quotes n bytes as strace's string_quote() does (no surrounding quotes if `bare`);
 * returns true if a NUL stopped it. */
bool tdec_quote(struct strbuf *sb, const unsigned char *s, size_t n, unsigned style,
		bool bare, const char *escape);
/* A buffer of `len` bytes at addr: at most strsize shown, "..." after if longer */
void tdec_printstr(struct dctx *c, uint64_t addr, uint64_t len, unsigned style);
/* A NUL-terminated string, at most strsize shown */
void tdec_printcstr(struct dctx *c, uint64_t addr);
/* A path: shown whole (up to PATH_MAX) */
void tdec_printpath(struct dctx *c, uint64_t addr);
/* A path of at most n bytes (getcwd, readlink results) */
void tdec_printpathn(struct dctx *c, uint64_t addr, uint64_t n);
void tdec_argv(struct dctx *c, uint64_t addr);	/* ["ls", "-l"] */
void tdec_argc(struct dctx *c, uint64_t addr);	/* 0x7ffc... and a count comment */

/* decode.c: helpers shared by the type printers */
void tdec_addr(struct strbuf *sb, uint64_t addr);	/* NULL or 0x... */
/* Reads len bytes at addr for printing. Prints NULL / the address and returns false
 * when there is nothing to decode (NULL, failed call for an output, fault). */
bool tdec_fetch(struct dctx *c, uint64_t addr, void *dst, size_t len);
void tdec_fd(struct dctx *c, int fd);			/* 3 or 3</path> */
void tdec_dirfd(struct dctx *c, int fd);		/* AT_FDCWD or an fd */
/* Prints the result annotations of the argument types that have them (fcntl,
 * prctl, poll, select...). Returns true if it printed the whole result. */
bool tdec_result_hook(struct dctx *c);

/* decode_args.c: printers of argument types; each prints argument i (and any
 * neighbours it owns) and returns the index of the next argument to print */
typedef int (*tdec_fn)(struct dctx *c, int i);
tdec_fn tdec_printer(unsigned type);
/* at entry: remember the socklen_t argument i points to, for "[110 => 16]" */
void tdec_socklen_remember(struct dctx *c, int i);
/* true for types that print their own separator (or nothing at all) */
bool tdec_self_separating(unsigned type);
/* true for types whose printer owns the following arguments (a command and its
 * operands) and is called again at exit when it stopped at entry */
bool tdec_is_owner(unsigned type);

/* decode_structs.c, decode_net.c: printers of pointers to structures */
int tp_stat(struct dctx *c, int i), tp_statx(struct dctx *c, int i),
	tp_statfs(struct dctx *c, int i), tp_timespec(struct dctx *c, int i),
	tp_timespec_rem(struct dctx *c, int i), tp_timeval(struct dctx *c, int i),
	tp_itimerval(struct dctx *c, int i), tp_itimerspec(struct dctx *c, int i),
	tp_utimes(struct dctx *c, int i), tp_rlimit(struct dctx *c, int i),
	tp_sigaction(struct dctx *c, int i), tp_sigset(struct dctx *c, int i),
	tp_sigstack(struct dctx *c, int i), tp_siginfo(struct dctx *c, int i),
	tp_iovec(struct dctx *c, int i), tp_sockaddr(struct dctx *c, int i),
	tp_msghdr(struct dctx *c, int i), tp_pollfd(struct dctx *c, int i),
	tp_fd_set(struct dctx *c, int i), tp_epoll_event(struct dctx *c, int i),
	tp_utsname(struct dctx *c, int i), tp_wstatus(struct dctx *c, int i),
	tp_rusage(struct dctx *c, int i), tp_sysinfo(struct dctx *c, int i),
	tp_tms(struct dctx *c, int i), tp_sched_param(struct dctx *c, int i),
	tp_cpuset(struct dctx *c, int i), tp_dirents(struct dctx *c, int i),
	tp_sigframe(struct dctx *c, int i);
void tdec_timespec(struct strbuf *sb, int64_t sec, int64_t nsec);
void tdec_timeval(struct strbuf *sb, int64_t sec, int64_t usec);
/* an iovec array of n elements; data shown up to data_size bytes in all */
void tdec_iov(struct dctx *c, uint64_t addr, uint64_t n, uint64_t data_size, bool data);
void tdec_sockaddr(struct dctx *c, uint64_t addr, uint64_t len);
/* result annotations of poll and select: "1 ([{fd=3, revents=POLLIN}])" */
bool tdec_poll_result(struct dctx *c, int i);
bool tdec_select_result(struct dctx *c, int i);

/* decode_cmds.c: commands owning their operands */
int tc_clone(struct dctx *c, int i), tc_clone3(struct dctx *c, int i),
	tc_fcntl(struct dctx *c, int i), tc_ioctl(struct dctx *c, int i),
	tc_prctl(struct dctx *c, int i), tc_arch_prctl(struct dctx *c, int i),
	tc_futex(struct dctx *c, int i), tc_seccomp(struct dctx *c, int i),
	tc_sockopt(struct dctx *c, int i);
/* result annotations of fcntl and prctl: "0x1 (flags FD_CLOEXEC)" */
bool tdec_fcntl_result(struct dctx *c, int i);
bool tdec_prctl_result(struct dctx *c, int i);

/* decode_signal.c */
void tdec_siginfo(struct strbuf *sb, const siginfo_t *si);
void tdec_wstatus(struct strbuf *sb, int st);
#endif
