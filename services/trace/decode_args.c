/* services/trace/decode_args.c - one printer per argument type: numbers, handles,
 * strings and flag sets here; structures in decode_structs.c; commands that own
 * their operands (fcntl, ioctl, prctl, futex, clone...) in decode_cmds.c. */
#include <pthread.h>
#include <string.h>
#include "core/guest_mem.h"
#include "services/trace/decode_internal.h"

#define ARG(c, i) ((c)->a[i])
#define IARG(c, i) ((int)(c)->a[i])
#define TYPE_AT(c, i) ((i) < (c)->d->nargs ? A_TYPE((c)->d->args[i]) : A_NONE)

static int p_int(struct dctx *c, int i)
{
	strbuf_addf(c->sb, "%d", IARG(c, i));
	return i + 1;
}

static int p_uint(struct dctx *c, int i)
{
	strbuf_addf(c->sb, "%u", (unsigned)ARG(c, i));
	return i + 1;
}

static int p_long(struct dctx *c, int i)
{
	strbuf_addf(c->sb, "%lld", (long long)ARG(c, i));
	return i + 1;
}

static int p_ulong(struct dctx *c, int i)
{
	strbuf_addf(c->sb, "%llu", (unsigned long long)ARG(c, i));
	return i + 1;
}

static int p_hex(struct dctx *c, int i)
{
	strbuf_addf(c->sb, "%#llx", (unsigned long long)ARG(c, i));
	return i + 1;
}

static int p_ptr(struct dctx *c, int i)
{
	tdec_addr(c->sb, ARG(c, i));
	return i + 1;
}

static int p_fd(struct dctx *c, int i)
{
	tdec_fd(c, IARG(c, i));
	return i + 1;
}

static int p_dirfd(struct dctx *c, int i)
{
	tdec_dirfd(c, IARG(c, i));
	return i + 1;
}

static int p_sig(struct dctx *c, int i)
{
	tdec_signame(c->sb, IARG(c, i));
	return i + 1;
}

static int p_path(struct dctx *c, int i)
{
	tdec_printpath(c, ARG(c, i));
	return i + 1;
}

static int p_str(struct dctx *c, int i)
{
	tdec_printcstr(c, ARG(c, i));
	return i + 1;
}

/* input: length in the next argument; output: the result's bytes */
static void buf_common(struct dctx *c, int i, unsigned style)
{
	if (!c->out) tdec_printstr(c, ARG(c, i), ARG(c, i + 1), style);
	else if (dc_failed(c)) tdec_addr(c->sb, ARG(c, i));
	else tdec_printstr(c, ARG(c, i), (uint64_t)c->ret, style);
}

static int p_buf(struct dctx *c, int i)
{
	buf_common(c, i, 0);
	return i + 1;
}

static int p_randbuf(struct dctx *c, int i)
{
	buf_common(c, i, Q_HEX);
	return i + 1;
}

static int p_cwd(struct dctx *c, int i)
{
	if (dc_failed(c)) tdec_addr(c->sb, ARG(c, i));
	else tdec_printpathn(c, ARG(c, i), c->ret > 0 ? (uint64_t)c->ret - 1 : 0);
	return i + 1;
}

static int p_open_flags(struct dctx *c, int i)
{
	uint64_t f = (uint32_t)ARG(c, i);
	tdec_open_flags(c->sb, f);
	/* the mode only matters (and strace only shows it) when a file may be created */
	if (TYPE_AT(c, i + 1) == A_MODE && !(f & (0100 | 020000000))) return i + 2;
	return i + 1;
}

/* numeric, except mknod's (followed by its device), which has a file type */
static int p_mode(struct dctx *c, int i)
{
	if (TYPE_AT(c, i + 1) == A_DEV) tdec_stat_mode(c->sb, (unsigned)ARG(c, i));
	else tdec_mode(c->sb, (unsigned)ARG(c, i));
	return i + 1;
}

/* mknod's dev: ", makedev(0x1, 0x3)" for devices, nothing otherwise */
static int p_dev(struct dctx *c, int i)
{
	unsigned fmt = i > 0 ? (unsigned)ARG(c, i - 1) & 0170000 : 0;
	if (fmt != 0020000 && fmt != 0060000) return i + 1;
	uint64_t dev = ARG(c, i);
	unsigned major = (unsigned)(((dev >> 32) & 0xfffff000) | ((dev >> 8) & 0xfff));
	unsigned minor = (unsigned)(((dev >> 12) & 0xffffff00) | (dev & 0xff));
	strbuf_addf(c->sb, ", makedev(%#x, %#x)", major, minor);
	return i + 1;
}

/* AT_* flags; statx (followed by its mask) shows the sync type first, faccessat2
 * (after an access mode) has AT_EACCESS where others have AT_REMOVEDIR */
static int p_atflags(struct dctx *c, int i)
{
	uint64_t f = (uint32_t)ARG(c, i);
	if (TYPE_AT(c, i + 1) == A_STATX_MASK) {
		tdec_xval(c->sb, &tx_statx_sync, f & 0x6000, false);
		if (f & ~(uint64_t)0x6000) {
			strbuf_addc(c->sb, '|');
			tdec_flags_bare(c->sb, &tx_at_flags, f & ~(uint64_t)0x6000);
		}
	} else if (i > 0 && TYPE_AT(c, i - 1) == A_ACCESS_MODE) {
		tdec_flags(c->sb, &tx_at_eaccess_flags, f);
	} else {
		tdec_flags(c->sb, &tx_at_flags, f);
	}
	return i + 1;
}

/* MAP_PRIVATE|MAP_ANONYMOUS|2<<MAP_HUGE_SHIFT */
static int p_map_flags(struct dctx *c, int i)
{
	uint64_t f = ARG(c, i);
	tdec_xval(c->sb, &tx_map_type, f & 0xf, false);
	f &= ~(uint64_t)0xf;
	uint64_t huge = f & (0x3full << 26);
	f &= ~huge;
	if (f) {
		strbuf_addc(c->sb, '|');
		tdec_flags_bare(c->sb, &tx_map_flags, f);
	}
	if (huge) strbuf_addf(c->sb, "|%llu<<MAP_HUGE_SHIFT", (unsigned long long)(huge >> 26));
	return i + 1;
}

/* mremap's flags; the new address only exists with MREMAP_MAYMOVE|MREMAP_FIXED */
static int p_mremap_flags(struct dctx *c, int i)
{
	uint64_t f = ARG(c, i);
	tdec_flags(c->sb, &tx_mremap_flags, f);
	if ((f & 3) == 3) {
		strbuf_adds(c->sb, ", ");
		tdec_addr(c->sb, ARG(c, i + 1));
	}
	return i + 2;
}

/* MS_MGC_VAL|MS_NOSUID: the old magic in the high half is named on its own */
static int p_mount_flags(struct dctx *c, int i)
{
	uint64_t f = ARG(c, i);
	if ((f & 0xffff0000) == 0xc0ed0000) {
		strbuf_adds(c->sb, "MS_MGC_VAL");
		f &= ~(uint64_t)0xffff0000;
		if (!f) return i + 1;
		strbuf_addc(c->sb, '|');
	}
	tdec_flags(c->sb, &tx_mount_flags, f);
	return i + 1;
}

/* SOCK_STREAM|SOCK_CLOEXEC */
static int p_sock_type(struct dctx *c, int i)
{
	uint64_t t = (uint32_t)ARG(c, i);
	tdec_xval(c->sb, &tx_sock_type, t & 0xf, false);
	if (t & ~(uint64_t)0xf) {
		strbuf_addc(c->sb, '|');
		tdec_flags_bare(c->sb, &tx_sock_flags, t & ~(uint64_t)0xf);
	}
	return i + 1;
}

/* IPPROTO_* for IP families, a number otherwise */
static int p_sock_proto(struct dctx *c, int i)
{
	int fam = i > 0 ? IARG(c, 0) : 0;
	if (fam == 2 || fam == 10) tdec_xval(c->sb, &tx_ipproto, (uint32_t)ARG(c, i), false);
	else strbuf_addf(c->sb, "%d", IARG(c, i));
	return i + 1;
}

static int p_argv(struct dctx *c, int i)
{
	tdec_argv(c, ARG(c, i));
	return i + 1;
}

static int p_envp(struct dctx *c, int i)
{
	if (c->o->verbose) tdec_argv(c, ARG(c, i));
	else tdec_argc(c, ARG(c, i));
	return i + 1;
}

/* [3, 4] */
static int p_fdpair(struct dctx *c, int i)
{
	int fds[2];
	if (!tdec_fetch(c, ARG(c, i), fds, sizeof fds)) return i + 1;
	strbuf_adds(c->sb, "[");
	tdec_fd(c, fds[0]);
	strbuf_adds(c->sb, ", ");
	tdec_fd(c, fds[1]);
	strbuf_adds(c->sb, "]");
	return i + 1;
}

/* [0] */
static int p_intptr(struct dctx *c, int i)
{
	int v;
	if (tdec_fetch(c, ARG(c, i), &v, sizeof v)) strbuf_addf(c->sb, "[%d]", v);
	return i + 1;
}

/* The socklen_t of accept/getsockname/recvfrom is read and written by the call;
 * strace shows "[110 => 16]" when it changed. Its value at entry is remembered
 * here per thread until the exit half prints it (the only state the decoder keeps). */
static struct { pid_t tid; uint64_t addr; unsigned val; } socklen_memo[64];
static pthread_mutex_t memo_lock = PTHREAD_MUTEX_INITIALIZER;

void tdec_socklen_remember(struct dctx *c, int i)
{
	unsigned v;
	if (!ARG(c, i) || copy_from_guest(c->tid, &v, ARG(c, i), sizeof v)) return;
	pthread_mutex_lock(&memo_lock);
	unsigned slot = (unsigned)c->tid % NELEM(socklen_memo);
	socklen_memo[slot].tid = c->tid;
	socklen_memo[slot].addr = ARG(c, i);
	socklen_memo[slot].val = v;
	pthread_mutex_unlock(&memo_lock);
}

static bool socklen_recall(struct dctx *c, uint64_t addr, unsigned *v)
{
	bool found = false;
	pthread_mutex_lock(&memo_lock);
	unsigned slot = (unsigned)c->tid % NELEM(socklen_memo);
	if (socklen_memo[slot].tid == c->tid && socklen_memo[slot].addr == addr) {
		*v = socklen_memo[slot].val;
		socklen_memo[slot].tid = 0;
		found = true;
	}
	pthread_mutex_unlock(&memo_lock);
	return found;
}

/* socklen_t *: [16], or [110 => 16] when the call changed it */
static int p_socklen(struct dctx *c, int i)
{
	unsigned v, before;
	bool out = c->out;
	bool known = c->exiting && socklen_recall(c, ARG(c, i), &before);
	c->out = false;	/* strace shows the length even when the call failed */
	if (tdec_fetch(c, ARG(c, i), &v, sizeof v)) {
		if (known && before != v) strbuf_addf(c->sb, "[%u => %u]", before, v);
		else strbuf_addf(c->sb, "[%u]", v);
	}
	c->out = out;
	return i + 1;
}

/* loff_t *: NULL or [123] */
static int p_loff_ptr(struct dctx *c, int i)
{
	int64_t v;
	if (tdec_fetch(c, ARG(c, i), &v, sizeof v)) strbuf_addf(c->sb, "[%lld]", (long long)v);
	return i + 1;
}

/* loff_t * the call reads and advances (sendfile): "[0]" at entry, " => [42]" at
 * exit when it moved */
static int p_loff_inout(struct dctx *c, int i)
{
	int64_t v;
	if (c->exiting) {
		if (!dc_failed(c) && c->ret > 0 && !copy_from_guest(c->tid, &v, ARG(c, i), sizeof v))
			strbuf_addf(c->sb, " => [%lld]", (long long)v);
		return i + 1;
	}
	if (tdec_fetch(c, ARG(c, i), &v, sizeof v)) {
		strbuf_addf(c->sb, "[%lld]", (long long)v);
		c->stop = true;
	}
	return i + 1;
}

/* gid_t list: getgroups shows the result's count, setgroups its size argument */
static int p_groups(struct dctx *c, int i)
{
	uint64_t addr = ARG(c, i);
	if (addr && dc_failed(c)) {
		tdec_addr(c->sb, addr);
		return i + 1;
	}
	uint64_t n = c->out ? (uint64_t)c->ret : (uint32_t)ARG(c, i - 1);
	if (!addr) {
		strbuf_adds(c->sb, "NULL");
		return i + 1;
	}
	strbuf_addc(c->sb, '[');
	for (uint64_t k = 0; k < n; k++) {
		unsigned g;
		if (k) strbuf_adds(c->sb, ", ");
		if (k >= c->strsize && !c->o->verbose) {
			strbuf_adds(c->sb, "...");
			break;
		}
		if (copy_from_guest(c->tid, &g, addr + 4 * k, 4)) {
			strbuf_addf(c->sb, "... /* %#llx */", (unsigned long long)(addr + 4 * k));
			break;
		}
		strbuf_addf(c->sb, "%u", g);
	}
	strbuf_addc(c->sb, ']');
	return i + 1;
}

/* Types printed through a table: enums and flag sets */
enum { K_FN, K_ENUM, K_FLAGS, K_FLAGS64 };
struct tinfo {
	uint8_t kind;
	bool selfsep;
	bool owner;
	const struct xtab *x;
	tdec_fn fn;
};

static const struct tinfo types[A_TYPE_COUNT] = {
	[A_INT] = { .fn = p_int }, [A_UINT] = { .fn = p_uint }, [A_LONG] = { .fn = p_long },
	[A_ULONG] = { .fn = p_ulong }, [A_HEX] = { .fn = p_hex }, [A_SIZE] = { .fn = p_ulong },
	[A_SSIZE] = { .fn = p_long }, [A_OFF] = { .fn = p_long }, [A_PTR] = { .fn = p_ptr },
	[A_FD] = { .fn = p_fd }, [A_DIRFD] = { .fn = p_dirfd }, [A_PID] = { .fn = p_int },
	[A_SIG] = { .fn = p_sig }, [A_PATH] = { .fn = p_path }, [A_STR] = { .fn = p_str },
	[A_BUF] = { .fn = p_buf }, [A_RANDBUF] = { .fn = p_randbuf }, [A_CWD] = { .fn = p_cwd },
	[A_OPEN_FLAGS] = { .fn = p_open_flags }, [A_MODE] = { .fn = p_mode },
	[A_DEV] = { .fn = p_dev, .selfsep = true }, [A_ATFLAGS] = { .fn = p_atflags },
	[A_MAP_FLAGS] = { .fn = p_map_flags }, [A_SOCK_TYPE] = { .fn = p_sock_type },
	[A_MREMAP_FLAGS] = { .fn = p_mremap_flags }, [A_MOUNT_FLAGS] = { .fn = p_mount_flags },
	[A_SOCK_PROTO] = { .fn = p_sock_proto }, [A_ARGV] = { .fn = p_argv },
	[A_ENVP] = { .fn = p_envp }, [A_FDPAIR] = { .fn = p_fdpair },
	[A_INTPTR] = { .fn = p_intptr }, [A_SOCKLEN] = { .fn = p_socklen },
	[A_LOFF_PTR] = { .fn = p_loff_ptr }, [A_GROUPS] = { .fn = p_groups },
	[A_LOFF_INOUT] = { .fn = p_loff_inout, .owner = true },
	/* structures (decode_structs.c) */
	[A_STAT] = { .fn = tp_stat }, [A_STATX] = { .fn = tp_statx },
	[A_STATFS] = { .fn = tp_statfs }, [A_TIMESPEC] = { .fn = tp_timespec },
	[A_TIMESPEC_REM] = { .fn = tp_timespec_rem }, [A_TIMEVAL] = { .fn = tp_timeval },
	[A_ITIMERVAL] = { .fn = tp_itimerval }, [A_ITIMERSPEC] = { .fn = tp_itimerspec },
	[A_UTIMES] = { .fn = tp_utimes }, [A_RLIMIT] = { .fn = tp_rlimit },
	[A_SIGACTION] = { .fn = tp_sigaction }, [A_SIGSET] = { .fn = tp_sigset },
	[A_SIGSTACK] = { .fn = tp_sigstack }, [A_SIGINFO] = { .fn = tp_siginfo },
	[A_IOVEC] = { .fn = tp_iovec }, [A_SOCKADDR] = { .fn = tp_sockaddr },
	[A_MSGHDR] = { .fn = tp_msghdr }, [A_POLLFD] = { .fn = tp_pollfd },
	[A_FD_SET] = { .fn = tp_fd_set }, [A_EPOLL_EVENT] = { .fn = tp_epoll_event },
	[A_UTSNAME] = { .fn = tp_utsname }, [A_WSTATUS] = { .fn = tp_wstatus },
	[A_RUSAGE] = { .fn = tp_rusage }, [A_SYSINFO] = { .fn = tp_sysinfo },
	[A_TMS] = { .fn = tp_tms }, [A_SCHED_PARAM] = { .fn = tp_sched_param },
	[A_CPUSET] = { .fn = tp_cpuset }, [A_DIRENTS] = { .fn = tp_dirents },
	[A_SIGFRAME] = { .fn = tp_sigframe },
	/* commands owning their operands (decode_cmds.c) */
	[A_CLONE_FLAGS] = { .fn = tc_clone, .owner = true },
	[A_CLONE_ARGS] = { .fn = tc_clone3, .owner = true },
	[A_FCNTL_CMD] = { .fn = tc_fcntl, .owner = true },
	[A_IOCTL_CMD] = { .fn = tc_ioctl, .owner = true },
	[A_PRCTL_OPT] = { .fn = tc_prctl, .owner = true },
	[A_ARCH_PRCTL] = { .fn = tc_arch_prctl, .owner = true },
	[A_FUTEX_OP] = { .fn = tc_futex, .owner = true },
	[A_SECCOMP_OP] = { .fn = tc_seccomp, .owner = true },
	[A_SOCKOPT_LEVEL] = { .fn = tc_sockopt, .owner = true },
	/* tables */
	[A_ACCESS_MODE] = { K_FLAGS, .x = &tx_access }, [A_PROT] = { K_FLAGS, .x = &tx_prot },
	[A_WAIT_OPTIONS] = { K_FLAGS, .x = &tx_wait_opts },
	[A_SIGHOW] = { K_ENUM, .x = &tx_sighow }, [A_WHENCE] = { K_ENUM, .x = &tx_whence },
	[A_RLIMIT_RES] = { K_ENUM, .x = &tx_rlimit }, [A_SOCK_FAMILY] = { K_ENUM, .x = &tx_af },
	[A_CLOCKID] = { K_ENUM, .x = &tx_clockid }, [A_IDTYPE] = { K_ENUM, .x = &tx_idtype },
	[A_WHICH_PRIO] = { K_ENUM, .x = &tx_prio_which }, [A_MADV] = { K_ENUM, .x = &tx_madv },
	[A_O_FLAGS] = { K_FLAGS, .x = &tx_open_flags },
	[A_UNSHARE_FLAGS] = { K_FLAGS64, .x = &tx_unshare_flags },
	[A_STATX_MASK] = { K_FLAGS, .x = &tx_statx_mask },
	[A_EPOLL_FLAGS] = { K_FLAGS, .x = &tx_epoll_flags },
	[A_EFD_FLAGS] = { K_FLAGS, .x = &tx_efd_flags },
	[A_TFD_FLAGS] = { K_FLAGS, .x = &tx_tfd_flags },
	[A_SFD_FLAGS] = { K_FLAGS, .x = &tx_sfd_flags },
	[A_IN_FLAGS] = { K_FLAGS, .x = &tx_in_flags },
	[A_MFD_FLAGS] = { K_FLAGS, .x = &tx_mfd_flags },
	[A_SOCK_FLAGS] = { K_FLAGS, .x = &tx_sock_flags },
	[A_GRND_FLAGS] = { K_FLAGS, .x = &tx_grnd_flags },
	[A_MSG_FLAGS] = { K_FLAGS, .x = &tx_msg_flags },
	[A_MSYNC_FLAGS] = { K_FLAGS, .x = &tx_msync_flags },
	[A_MLOCKALL_FLAGS] = { K_FLAGS, .x = &tx_mlockall_flags },
	[A_TIMER_FLAGS] = { K_FLAGS, .x = &tx_timer_flags },
	[A_RENAME_FLAGS] = { K_FLAGS, .x = &tx_rename_flags },
	[A_FLOCK_OP] = { K_FLAGS, .x = &tx_flock_op },
	[A_XATTR_FLAGS] = { K_FLAGS, .x = &tx_xattr_flags },
	[A_UMOUNT_FLAGS] = { K_FLAGS, .x = &tx_umount_flags },
	[A_RWF_FLAGS] = { K_FLAGS, .x = &tx_rwf_flags },
	[A_SPLICE_FLAGS] = { K_FLAGS, .x = &tx_splice_flags },
	[A_CLOSE_RANGE_FLAGS] = { K_FLAGS, .x = &tx_close_range_flags },
	[A_RUSAGE_WHO] = { K_ENUM, .x = &tx_rusage_who },
	[A_FADVICE] = { K_ENUM, .x = &tx_fadvice }, [A_EPOLL_OP] = { K_ENUM, .x = &tx_epoll_op },
	[A_SHUT_HOW] = { K_ENUM, .x = &tx_shut_how },
	[A_ITIMER_WHICH] = { K_ENUM, .x = &tx_itimer_which },
	[A_SCHED_POLICY] = { K_ENUM, .x = &tx_sched_policy },
	[A_TFD_TIMER_FLAGS] = { K_FLAGS, .x = &tx_tfd_timer_flags },
	[A_INOTIFY_MASK] = { K_FLAGS, .x = &tx_inotify_mask },
};

/* a table type's printer */
static int p_table(struct dctx *c, int i)
{
	const struct tinfo *t = &types[A_TYPE(c->d->args[i])];
	uint64_t v = ARG(c, i);
	if (t->kind != K_ENUM) {
		tdec_flags(c->sb, t->x, t->kind == K_FLAGS64 ? v : (uint32_t)v);
		return i + 1;
	}
	const char *name = tdec_xname(t->x, (uint64_t)(int64_t)(int32_t)v);
	if (name) strbuf_adds(c->sb, name);
	else strbuf_addf(c->sb, "%#x /* %s */", (unsigned)v, t->x->dflt);
	return i + 1;
}

tdec_fn tdec_printer(unsigned type)
{
	if (type >= A_TYPE_COUNT) return p_hex;
	if (types[type].kind != K_FN) return p_table;
	return types[type].fn ? types[type].fn : p_hex;
}

bool tdec_self_separating(unsigned type)
{
	return type < A_TYPE_COUNT && types[type].selfsep;
}

bool tdec_is_owner(unsigned type)
{
	return type < A_TYPE_COUNT && types[type].owner;
}
