/* services/trace/decode_cmds.c - arguments that are commands owning their operands:
 * clone's flags, clone3's struct, fcntl, prctl, arch_prctl, futex, seccomp and
 * setsockopt (ioctl is in decode_ioctl.c). Each printer is called at entry with the
 * command's index and prints the operands it knows; when an operand is written by
 * the call it prints the separator, sets c->stop and is called again at exit
 * (c->exiting) to finish. They return the index after the last argument. */
#include <string.h>
#include "core/guest_mem.h"
#include "services/trace/decode_internal.h"

#define ARG(c, i) ((c)->a[i])
#define NARGS(c) ((c)->d->nargs)

static int defer(struct dctx *c, int next)
{
	strbuf_adds(c->sb, ", ");
	c->stop = true;
	return next;
}

/* [123] for an int the call wrote (address if it failed) */
static void out_int(struct dctx *c, uint64_t addr, const char *fmt)
{
	int v;
	c->out = true;
	if (!tdec_fetch(c, addr, &v, sizeof v)) return;
	strbuf_addc(c->sb, '[');
	strbuf_addf(c->sb, fmt, v);
	strbuf_addc(c->sb, ']');
}

/* clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|SIGCHLD, child_tidptr=0x...) */
enum { CL_PIDFD = 0x1000, CL_SETTLS = 0x80000, CL_PARENT_SETTID = 0x100000,
       CL_CHILD_CLEARTID = 0x200000, CL_CHILD_SETTID = 0x1000000 };

static void clone_exit(struct dctx *c, uint64_t flags)
{
	if (flags & (CL_PARENT_SETTID | CL_PIDFD)) {
		strbuf_adds(c->sb, ", parent_tid=");
		out_int(c, ARG(c, 2), "%d");
	}
	if (flags & CL_SETTLS) {
		strbuf_adds(c->sb, ", tls=");
		tdec_addr(c->sb, ARG(c, 4));
	}
	if (flags & (CL_CHILD_SETTID | CL_CHILD_CLEARTID)) {
		strbuf_adds(c->sb, ", child_tidptr=");
		tdec_addr(c->sb, ARG(c, 3));
	}
}

int tc_clone(struct dctx *c, int i)
{
	uint64_t flags = ARG(c, i) & ~(uint64_t)0xff;
	int sig = (int)(ARG(c, i) & 0xff);
	if (c->exiting) {
		clone_exit(c, flags);
		return NARGS(c);
	}
	strbuf_adds(c->sb, "child_stack=");
	tdec_addr(c->sb, ARG(c, i + 1));
	strbuf_adds(c->sb, ", flags=");
	if (flags) {
		tdec_flags(c->sb, &tx_clone_flags, flags);
		if (sig) strbuf_addc(c->sb, '|');
	}
	if (sig || !flags) tdec_signame(c->sb, sig);
	if (flags & (CL_PARENT_SETTID | CL_PIDFD | CL_CHILD_SETTID | CL_CHILD_CLEARTID | CL_SETTLS)) {
		c->stop = true;
		return i + 2;
	}
	return NARGS(c);
}

/* clone3({flags=..., exit_signal=SIGCHLD, stack=NULL, stack_size=0} => {parent_tid=[42]}, 88) */
struct clone_args_k {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls,
		set_tid, set_tid_size, cgroup;
};

static void clone3_struct(struct strbuf *sb, const struct clone_args_k *a)
{
	strbuf_adds(sb, "{flags=");
	tdec_flags(sb, &tx_clone_flags, a->flags);
	if (a->flags & CL_PIDFD) strbuf_addf(sb, ", pidfd=%#llx", (unsigned long long)a->pidfd);
	if (a->flags & (CL_CHILD_SETTID | CL_CHILD_CLEARTID)) {
		strbuf_adds(sb, ", child_tid=");
		tdec_addr(sb, a->child_tid);
	}
	if (a->flags & CL_PARENT_SETTID) {
		strbuf_adds(sb, ", parent_tid=");
		tdec_addr(sb, a->parent_tid);
	}
	strbuf_adds(sb, ", exit_signal=");
	if (a->exit_signal < 0x7fffffff) tdec_signame(sb, (int)a->exit_signal);
	else strbuf_addf(sb, "%llu", (unsigned long long)a->exit_signal);
	strbuf_adds(sb, ", stack=");
	tdec_addr(sb, a->stack);
	strbuf_addf(sb, ", stack_size=%#llx", (unsigned long long)a->stack_size);
	if (a->flags & CL_SETTLS) {
		strbuf_adds(sb, ", tls=");
		tdec_addr(sb, a->tls);
	}
	if (a->set_tid || a->set_tid_size) {
		strbuf_adds(sb, ", set_tid=");
		tdec_addr(sb, a->set_tid);
		strbuf_addf(sb, ", set_tid_size=%llu", (unsigned long long)a->set_tid_size);
	}
	if (a->cgroup || (a->flags & 0x200000000ull))
		strbuf_addf(sb, ", cgroup=%llu", (unsigned long long)a->cgroup);
	strbuf_addc(sb, '}');
}

static void clone3_exit(struct dctx *c, uint64_t addr, size_t size)
{
	struct clone_args_k a;
	memset(&a, 0, sizeof a);
	if (dc_failed(c)) return;
	if (copy_from_guest(c->tid, &a, addr, size)) {
		strbuf_adds(c->sb, " => ");
		tdec_addr(c->sb, addr);
		return;
	}
	const char *sep = " => {";
	if (a.flags & CL_PIDFD) {
		strbuf_addf(c->sb, "%spidfd=", sep);
		out_int(c, a.pidfd, "%d");
		sep = ", ";
	}
	if (a.flags & CL_PARENT_SETTID) {
		strbuf_addf(c->sb, "%sparent_tid=", sep);
		out_int(c, a.parent_tid, "%d");
		sep = ", ";
	}
	if (sep[0] == ',') strbuf_addc(c->sb, '}');
}

int tc_clone3(struct dctx *c, int i)
{
	uint64_t addr = ARG(c, i), size = ARG(c, i + 1);
	size_t fetch = size < sizeof(struct clone_args_k) ? (size_t)size : sizeof(struct clone_args_k);
	struct clone_args_k a;
	memset(&a, 0, sizeof a);
	if (c->exiting) {
		clone3_exit(c, addr, fetch);
	} else if (fetch < 64) {
		tdec_addr(c->sb, addr);
	} else if (tdec_fetch(c, addr, &a, fetch)) {
		clone3_struct(c->sb, &a);
		if (a.flags & (CL_PIDFD | CL_PARENT_SETTID)) {
			c->stop = true;
			return i + 1;
		}
	}
	strbuf_addf(c->sb, ", %llu", (unsigned long long)size);
	return NARGS(c);
}

/* struct flock: {l_type=F_WRLCK, l_whence=SEEK_SET, l_start=0, l_len=10[, l_pid=0]} */
static void flock_struct(struct dctx *c, uint64_t addr, bool pid)
{
	struct { int16_t type, whence; int64_t start, len; int32_t pid; } fl;
	if (!tdec_fetch(c, addr, &fl, sizeof fl)) return;
	strbuf_adds(c->sb, "{l_type=");
	tdec_xval(c->sb, &tx_lock_type, (uint16_t)fl.type, false);
	strbuf_adds(c->sb, ", l_whence=");
	tdec_xval(c->sb, &tx_whence, (uint16_t)fl.whence, false);
	strbuf_addf(c->sb, ", l_start=%lld, l_len=%lld", (long long)fl.start, (long long)fl.len);
	if (pid) strbuf_addf(c->sb, ", l_pid=%d", fl.pid);
	strbuf_addc(c->sb, '}');
}

static void owner_struct(struct dctx *c, uint64_t addr)
{
	struct { int32_t type, pid; } o;
	if (!tdec_fetch(c, addr, &o, sizeof o)) return;
	strbuf_adds(c->sb, "{type=");
	tdec_xval(c->sb, &tx_owner_type, (uint32_t)o.type, false);
	strbuf_addf(c->sb, ", pid=%d}", o.pid);
}

enum { F_DUPFD_ = 0, F_GETFD_ = 1, F_SETFD_ = 2, F_GETFL_ = 3, F_SETFL_ = 4, F_GETLK_ = 5,
       F_SETLK_ = 6, F_SETLKW_ = 7, F_SETOWN_ = 8, F_GETOWN_ = 9, F_SETSIG_ = 10,
       F_GETSIG_ = 11, F_SETOWN_EX_ = 15, F_GETOWN_EX_ = 16, F_OFD_GETLK_ = 36,
       F_OFD_SETLK_ = 37, F_OFD_SETLKW_ = 38, F_SETLEASE_ = 1024, F_GETLEASE_ = 1025,
       F_DUPFD_CLOEXEC_ = 1030, F_SETPIPE_SZ_ = 1031, F_GETPIPE_SZ_ = 1032,
       F_ADD_SEALS_ = 1033, F_GET_SEALS_ = 1034 };

int tc_fcntl(struct dctx *c, int i)
{
	int cmd = (int)ARG(c, i);
	uint64_t arg = ARG(c, i + 1);
	if (c->exiting) {
		if (cmd == F_GETOWN_EX_) owner_struct(c, arg);
		else flock_struct(c, arg, true);
		return NARGS(c);
	}
	tdec_xval(c->sb, &tx_fcntl_cmd, (uint32_t)cmd, false);
	switch (cmd) {
	case F_GETFD_: case F_GETFL_: case F_GETOWN_: case F_GETSIG_: case F_GETLEASE_:
	case F_GETPIPE_SZ_: case F_GET_SEALS_:
		return NARGS(c);
	case F_GETLK_: case F_OFD_GETLK_: case F_GETOWN_EX_:
		return defer(c, i + 1);
	}
	strbuf_adds(c->sb, ", ");
	switch (cmd) {
	case F_SETFD_: tdec_flags(c->sb, &tx_fd_flags, (uint32_t)arg); break;
	case F_SETFL_: tdec_open_flags(c->sb, (uint32_t)arg); break;
	case F_SETLK_: case F_SETLKW_: case F_OFD_SETLK_: case F_OFD_SETLKW_:
		flock_struct(c, arg, false);
		break;
	case F_SETOWN_EX_: owner_struct(c, arg); break;
	case F_SETSIG_: tdec_signame(c->sb, (int)arg); break;
	case F_SETLEASE_: tdec_xval(c->sb, &tx_lock_type, (uint32_t)arg, false); break;
	case F_ADD_SEALS_: tdec_flags(c->sb, &tx_seals, (uint32_t)arg); break;
	case F_DUPFD_: case F_DUPFD_CLOEXEC_: case F_SETOWN_: case F_SETPIPE_SZ_:
		strbuf_addf(c->sb, "%d", (int)arg);
		break;
	default: strbuf_addf(c->sb, "%#llx", (unsigned long long)arg);
	}
	return NARGS(c);
}

bool tdec_fcntl_result(struct dctx *c, int i)
{
	unsigned long r = (unsigned long)c->ret;
	switch ((int)ARG(c, i)) {
	case F_DUPFD_: case F_DUPFD_CLOEXEC_:
		tdec_fd(c, (int)c->ret);
		return true;
	case F_GETFD_:
		if (!r) return false;
		strbuf_addf(c->sb, "%#lx (flags ", r);
		tdec_flags(c->sb, &tx_fd_flags, r);
		break;
	case F_GETFL_:
		strbuf_addf(c->sb, "%#lx (flags ", r);
		tdec_open_flags(c->sb, r);
		break;
	case F_GET_SEALS_:
		if (!r) return false;
		strbuf_addf(c->sb, "%#lx (seals ", r);
		tdec_flags(c->sb, &tx_seals, r);
		break;
	case F_GETLEASE_:
		strbuf_addf(c->sb, "%#lx (", r);
		tdec_xval(c->sb, &tx_lock_type, r, false);
		break;
	default:
		return false;
	}
	strbuf_addc(c->sb, ')');
	return true;
}

/* arch_prctl(ARCH_SET_FS, 0x7f...) / arch_prctl(ARCH_GET_FS, [0x7f...]) */
int tc_arch_prctl(struct dctx *c, int i)
{
	unsigned op = (unsigned)ARG(c, i);
	uint64_t addr = ARG(c, i + 1);
	if (c->exiting) {
		uint64_t v;
		c->out = true;
		if (tdec_fetch(c, addr, &v, sizeof v)) strbuf_addf(c->sb, "[%#llx]", (unsigned long long)v);
		return NARGS(c);
	}
	tdec_xval(c->sb, &tx_arch_prctl, op, false);
	switch (op) {
	case 0x1003: case 0x1004:		/* ARCH_GET_FS, ARCH_GET_GS */
	case 0x1021: case 0x1022: case 0x1024:	/* ARCH_GET_XCOMP_* */
		return defer(c, i + 1);
	case 0x1011:				/* ARCH_GET_CPUID */
		return NARGS(c);
	case 0x1012: case 0x1023: case 0x1025:	/* ARCH_SET_CPUID, ARCH_REQ_XCOMP_* */
		strbuf_addf(c->sb, ", %llu", (unsigned long long)addr);
		return NARGS(c);
	}
	strbuf_addf(c->sb, ", %#llx", (unsigned long long)addr);
	return NARGS(c);
}

static void futex_op_name(struct strbuf *sb, int op)
{
	const char *base = tdec_xname(&tx_futex_op, (unsigned)op & 127);
	if (!base || (op & ~(127 | 128 | 256))) {
		strbuf_addf(sb, "%#x /* FUTEX_??? */", (unsigned)op);
		return;
	}
	strbuf_addf(sb, "%s%s%s", base, op & 128 ? "_PRIVATE" : "",
		    op & 256 ? "|FUTEX_CLOCK_REALTIME" : "");
}

static void futex_timeout(struct dctx *c, uint64_t addr)
{
	struct { int64_t s, ns; } ts;
	strbuf_adds(c->sb, ", ");
	if (tdec_fetch(c, addr, &ts, sizeof ts)) tdec_timespec(c->sb, ts.s, ts.ns);
}

static void futex_bitset(struct strbuf *sb, unsigned v)
{
	if (v == 0xffffffffu) strbuf_adds(sb, ", FUTEX_BITSET_MATCH_ANY");
	else strbuf_addf(sb, ", %#x", v);
}

static void futex_wake_op(struct strbuf *sb, unsigned v3)
{
	strbuf_adds(sb, ", ");
	if ((v3 >> 28) & 8) strbuf_adds(sb, "FUTEX_OP_OPARG_SHIFT<<28|");
	const char *op = tdec_xname(&tx_futex_wakeop, (v3 >> 28) & 7);
	if (op) strbuf_addf(sb, "%s<<28", op);
	else strbuf_addf(sb, "%#x<<28 /* FUTEX_OP_??? */", (v3 >> 28) & 7);
	strbuf_addf(sb, "|%#x<<12|", (v3 >> 12) & 0xfff);
	const char *cmp = tdec_xname(&tx_futex_wakecmp, (v3 >> 24) & 0xf);
	if (cmp) strbuf_addf(sb, "%s<<24", cmp);
	else strbuf_addf(sb, "%#x<<24 /* FUTEX_OP_CMP_??? */", (v3 >> 24) & 0xf);
	strbuf_addf(sb, "|%#x", v3 & 0xfff);
}

/* futex(uaddr, op, ...): which operands exist depends on the operation */
int tc_futex(struct dctx *c, int i)
{
	int op = (int)ARG(c, i);
	unsigned val = (unsigned)ARG(c, i + 1), val2 = (unsigned)ARG(c, i + 2);
	uint64_t timeout = ARG(c, i + 2), uaddr2 = ARG(c, i + 3);
	unsigned val3 = (unsigned)ARG(c, i + 4);
	struct strbuf *sb = c->sb;
	futex_op_name(sb, op);
	switch (op & 127) {
	case 0: case 11:	/* FUTEX_WAIT, FUTEX_WAIT_REQUEUE_PI */
		strbuf_addf(sb, ", %u", val);
		futex_timeout(c, timeout);
		if ((op & 127) == 11) {
			strbuf_adds(sb, ", ");
			tdec_addr(sb, uaddr2);
		}
		break;
	case 6: case 13:	/* FUTEX_LOCK_PI, FUTEX_LOCK_PI2 */
		futex_timeout(c, timeout);
		break;
	case 9:			/* FUTEX_WAIT_BITSET */
		strbuf_addf(sb, ", %u", val);
		futex_timeout(c, timeout);
		futex_bitset(sb, val3);
		break;
	case 10:		/* FUTEX_WAKE_BITSET */
		strbuf_addf(sb, ", %u", val);
		futex_bitset(sb, val3);
		break;
	case 3: case 4: case 12: case 5:	/* REQUEUE, CMP_REQUEUE(_PI), WAKE_OP */
		strbuf_addf(sb, ", %u, %u, ", val, val2);
		tdec_addr(sb, uaddr2);
		if ((op & 127) == 5) futex_wake_op(sb, val3);
		else if ((op & 127) != 3) strbuf_addf(sb, ", %u", val3);
		break;
	case 1: case 2:		/* FUTEX_WAKE, FUTEX_FD */
		strbuf_addf(sb, ", %u", val);
		break;
	case 7: case 8:		/* FUTEX_UNLOCK_PI, FUTEX_TRYLOCK_PI */
		break;
	default:
		strbuf_addf(sb, ", %u, ", val);
		tdec_addr(sb, timeout);
		strbuf_adds(sb, ", ");
		tdec_addr(sb, uaddr2);
		strbuf_addf(sb, ", %#x", val3);
	}
	return NARGS(c);
}

/* seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, {len=12, filter=0x...}) */
int tc_seccomp(struct dctx *c, int i)
{
	unsigned op = (unsigned)ARG(c, i), flags = (unsigned)ARG(c, i + 1);
	uint64_t args = ARG(c, i + 2);
	tdec_xval(c->sb, &tx_seccomp_op, op, false);
	strbuf_adds(c->sb, ", ");
	if (op == 2 || op == 3) {
		strbuf_addf(c->sb, "%u, ", flags);
		tdec_addr(c->sb, args);
		return NARGS(c);
	}
	tdec_flags(c->sb, &tx_seccomp_flags, flags);
	strbuf_adds(c->sb, ", ");
	struct { uint16_t len; uint16_t pad[3]; uint64_t filter; } prog;
	if (op == 1 && tdec_fetch(c, args, &prog, sizeof prog)) {
		strbuf_addf(c->sb, "{len=%u, filter=", prog.len);
		tdec_addr(c->sb, prog.filter);
		strbuf_addc(c->sb, '}');
	} else if (op != 1) {
		tdec_addr(c->sb, args);
	}
	return NARGS(c);
}

/* setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, [1], 4) */
static void sockopt_name(struct strbuf *sb, int level, int name)
{
	const struct xtab *t = level == 1 ? &tx_so : level == 6 ? &tx_tcp_opt :
			       level == 0 ? &tx_ip_opt : level == 41 ? &tx_ipv6_opt : NULL;
	if (t) tdec_xval(sb, t, (uint32_t)name, false);
	else strbuf_addf(sb, "%d", name);
}

static void sockopt_value(struct dctx *c, int level, int name, uint64_t val, int len)
{
	int v[2];
	if (level == 1 && name == 13 && len == (int)sizeof v) {	/* SO_LINGER */
		if (tdec_fetch(c, val, v, sizeof v))
			strbuf_addf(c->sb, "{l_onoff=%d, l_linger=%d}", v[0], v[1]);
	} else if (level == 1 && name == 25) {			/* SO_BINDTODEVICE */
		tdec_printstr(c, val, len > 0 ? (uint64_t)len : 0, 0);
	} else if (len == (int)sizeof v[0]) {
		if (tdec_fetch(c, val, v, sizeof v[0])) strbuf_addf(c->sb, "[%d]", v[0]);
	} else if (len > 0) {
		tdec_printstr(c, val, (uint64_t)len, Q_HEX);
	} else {
		tdec_addr(c->sb, val);
	}
}

int tc_sockopt(struct dctx *c, int i)
{
	int level = (int)ARG(c, i), name = (int)ARG(c, i + 1);
	int len = (int)ARG(c, i + 3);
	tdec_xval(c->sb, &tx_sol, (uint32_t)level, false);
	strbuf_adds(c->sb, ", ");
	sockopt_name(c->sb, level, name);
	strbuf_adds(c->sb, ", ");
	sockopt_value(c, level, name, ARG(c, i + 2), len);
	strbuf_addf(c->sb, ", %d", len);
	return NARGS(c);
}
