/* services/trace/decode_prctl.c - prctl(2): the option decides which operands
 * exist and how they print (strace's prctl.c); undecoded operands print in hex. */
#include "services/trace/decode_internal.h"

#define ARG(c, i) ((c)->a[i])
#define NARGS(c) ((c)->d->nargs)

XTAB(tx_prctl_opt, "PR_???",
     XN(1, "PR_SET_PDEATHSIG"), XN(2, "PR_GET_PDEATHSIG"), XN(3, "PR_GET_DUMPABLE"),
     XN(4, "PR_SET_DUMPABLE"), XN(5, "PR_GET_UNALIGN"), XN(6, "PR_SET_UNALIGN"),
     XN(7, "PR_GET_KEEPCAPS"), XN(8, "PR_SET_KEEPCAPS"), XN(9, "PR_GET_FPEMU"),
     XN(10, "PR_SET_FPEMU"), XN(11, "PR_GET_FPEXC"), XN(12, "PR_SET_FPEXC"),
     XN(13, "PR_GET_TIMING"), XN(14, "PR_SET_TIMING"), XN(15, "PR_SET_NAME"),
     XN(16, "PR_GET_NAME"), XN(19, "PR_GET_ENDIAN"), XN(20, "PR_SET_ENDIAN"),
     XN(21, "PR_GET_SECCOMP"), XN(22, "PR_SET_SECCOMP"), XN(23, "PR_CAPBSET_READ"),
     XN(24, "PR_CAPBSET_DROP"), XN(25, "PR_GET_TSC"), XN(26, "PR_SET_TSC"),
     XN(27, "PR_GET_SECUREBITS"), XN(28, "PR_SET_SECUREBITS"), XN(29, "PR_SET_TIMERSLACK"),
     XN(30, "PR_GET_TIMERSLACK"), XN(31, "PR_TASK_PERF_EVENTS_DISABLE"),
     XN(32, "PR_TASK_PERF_EVENTS_ENABLE"), XN(33, "PR_MCE_KILL"), XN(34, "PR_MCE_KILL_GET"),
     XN(35, "PR_SET_MM"), XN(36, "PR_SET_CHILD_SUBREAPER"), XN(37, "PR_GET_CHILD_SUBREAPER"),
     XN(38, "PR_SET_NO_NEW_PRIVS"), XN(39, "PR_GET_NO_NEW_PRIVS"),
     XN(40, "PR_GET_TID_ADDRESS"), XN(41, "PR_SET_THP_DISABLE"),
     XN(42, "PR_GET_THP_DISABLE"), XN(43, "PR_MPX_ENABLE_MANAGEMENT"),
     XN(44, "PR_MPX_DISABLE_MANAGEMENT"), XN(45, "PR_SET_FP_MODE"), XN(46, "PR_GET_FP_MODE"),
     XN(47, "PR_CAP_AMBIENT"), XN(50, "PR_SVE_SET_VL"), XN(51, "PR_SVE_GET_VL"),
     XN(52, "PR_GET_SPECULATION_CTRL"), XN(53, "PR_SET_SPECULATION_CTRL"),
     XN(54, "PR_PAC_RESET_KEYS"), XN(55, "PR_SET_TAGGED_ADDR_CTRL"),
     XN(56, "PR_GET_TAGGED_ADDR_CTRL"), XN(57, "PR_SET_IO_FLUSHER"),
     XN(58, "PR_GET_IO_FLUSHER"), XN(59, "PR_SET_SYSCALL_USER_DISPATCH"),
     XN(60, "PR_PAC_SET_ENABLED_KEYS"), XN(61, "PR_PAC_GET_ENABLED_KEYS"),
     XN(62, "PR_SCHED_CORE"), XN(63, "PR_SME_SET_VL"), XN(64, "PR_SME_GET_VL"),
     XN(65, "PR_SET_MDWE"), XN(66, "PR_GET_MDWE"), XN(0x53564d41, "PR_SET_VMA"),
     XN(0x59616d61, "PR_SET_PTRACER"));

XTAB(tx_cap_ambient, "PR_CAP_AMBIENT_???", XN(1, "PR_CAP_AMBIENT_IS_SET"),
     XN(2, "PR_CAP_AMBIENT_RAISE"), XN(3, "PR_CAP_AMBIENT_LOWER"),
     XN(4, "PR_CAP_AMBIENT_CLEAR_ALL"));

static const char *const caps[] = {
	"CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID",
	"SETUID", "SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST",
	"NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO",
	"SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE",
	"SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE",
	"AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM",
	"BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF", "CHECKPOINT_RESTORE",
};

static void cap_name(struct strbuf *sb, uint64_t v)
{
	if (v < NELEM(caps)) strbuf_addf(sb, "CAP_%s", caps[v]);
	else strbuf_addf(sb, "%#llx /* CAP_??? */", (unsigned long long)v);
}

static int rest_hex(struct dctx *c, int from)
{
	for (int k = from; k < NARGS(c); k++)
		strbuf_addf(c->sb, ", %#llx", (unsigned long long)ARG(c, k));
	return NARGS(c);
}

enum {
	PR_SET_PDEATHSIG_ = 1, PR_GET_PDEATHSIG_, PR_GET_DUMPABLE_, PR_SET_DUMPABLE_,
	PR_GET_KEEPCAPS_ = 7, PR_SET_KEEPCAPS_, PR_GET_FPEMU_, PR_SET_FPEMU_, PR_GET_FPEXC_,
	PR_SET_FPEXC_, PR_GET_TIMING_, PR_SET_TIMING_, PR_SET_NAME_, PR_GET_NAME_,
	PR_GET_ENDIAN_ = 19, PR_SET_ENDIAN_, PR_GET_SECCOMP_, PR_CAPBSET_READ_ = 23,
	PR_CAPBSET_DROP_, PR_SET_TIMERSLACK_ = 29, PR_GET_TIMERSLACK_,
	PR_TASK_PERF_EVENTS_DISABLE_, PR_TASK_PERF_EVENTS_ENABLE_,
	PR_SET_CHILD_SUBREAPER_ = 36, PR_GET_CHILD_SUBREAPER_, PR_SET_NO_NEW_PRIVS_,
	PR_GET_TID_ADDRESS_ = 40, PR_SET_THP_DISABLE_, PR_CAP_AMBIENT_ = 47,
	PR_SET_IO_FLUSHER_ = 57, PR_SET_PTRACER_ = 0x59616d61,
};

/* at exit: the value an option stored through its pointer operand */
static int prctl_exit(struct dctx *c, unsigned opt, int i)
{
	uint64_t addr = ARG(c, i + 1);
	if (opt == PR_GET_NAME_) {
		if (dc_failed(c)) {
			tdec_addr(c->sb, addr);
		} else {
			tdec_printstr(c, addr, 16, Q_NUL);
		}
		return NARGS(c);
	}
	if (opt == PR_GET_TID_ADDRESS_) {
		uint64_t v;
		if (tdec_fetch(c, addr, &v, sizeof v)) strbuf_addf(c->sb, "[%#llx]", (unsigned long long)v);
		return NARGS(c);
	}
	int v;
	if (!tdec_fetch(c, addr, &v, sizeof v)) return NARGS(c);
	strbuf_addc(c->sb, '[');
	if (opt == PR_GET_PDEATHSIG_) tdec_signame(c->sb, v);
	else strbuf_addf(c->sb, "%u", (unsigned)v);
	strbuf_addc(c->sb, ']');
	return NARGS(c);
}

/* options whose one operand is printed in a known way; false if not one of them */
static bool prctl_one(struct dctx *c, unsigned opt, uint64_t a2)
{
	struct strbuf *sb = c->sb;
	switch (opt) {
	case PR_SET_CHILD_SUBREAPER_: case PR_SET_ENDIAN_: case PR_SET_FPEMU_:
	case PR_SET_FPEXC_: case PR_SET_KEEPCAPS_: case PR_SET_TIMING_:
		strbuf_addf(sb, ", %llu", (unsigned long long)a2);
		return true;
	case PR_SET_DUMPABLE_:
		strbuf_adds(sb, ", ");
		tdec_xval(sb, &tx_dumpable, a2, false);
		return true;
	case PR_CAPBSET_READ_: case PR_CAPBSET_DROP_:
		strbuf_adds(sb, ", ");
		cap_name(sb, a2);
		return true;
	case PR_SET_PDEATHSIG_:
		strbuf_adds(sb, ", ");
		if (a2 > 128) strbuf_addf(sb, "%llu", (unsigned long long)a2);
		else tdec_signame(sb, (int)a2);
		return true;
	case PR_SET_PTRACER_:
		if ((int)a2 == -1) strbuf_adds(sb, ", PR_SET_PTRACER_ANY");
		else strbuf_addf(sb, ", %d", (int)a2);
		return true;
	case PR_SET_TIMERSLACK_:
		strbuf_addf(sb, ", %lld", (long long)a2);
		return true;
	case PR_SET_NAME_:
		strbuf_adds(sb, ", ");
		tdec_printstr(c, a2, 15, Q_NUL);
		return true;
	}
	return false;
}

int tc_prctl(struct dctx *c, int i)
{
	unsigned opt = (unsigned)ARG(c, i);
	uint64_t a2 = ARG(c, i + 1);
	if (c->exiting) return prctl_exit(c, opt, i);
	tdec_xval(c->sb, &tx_prctl_opt, opt, false);
	switch (opt) {
	case PR_GET_KEEPCAPS_: case PR_GET_SECCOMP_: case PR_GET_TIMERSLACK_:
	case PR_GET_TIMING_: case PR_TASK_PERF_EVENTS_DISABLE_: case PR_TASK_PERF_EVENTS_ENABLE_:
	case PR_GET_DUMPABLE_:
		return NARGS(c);
	case PR_GET_CHILD_SUBREAPER_: case PR_GET_ENDIAN_: case PR_GET_FPEMU_:
	case PR_GET_FPEXC_: case PR_GET_NAME_: case PR_GET_PDEATHSIG_: case PR_GET_TID_ADDRESS_:
		strbuf_adds(c->sb, ", ");
		c->stop = true;
		return i + 1;
	case PR_SET_NO_NEW_PRIVS_: case PR_SET_THP_DISABLE_: case PR_SET_IO_FLUSHER_:
		strbuf_addf(c->sb, ", %llu", (unsigned long long)a2);
		return rest_hex(c, i + 2);
	case PR_CAP_AMBIENT_:
		strbuf_adds(c->sb, ", ");
		tdec_xval(c->sb, &tx_cap_ambient, a2, false);
		if (a2 >= 1 && a2 <= 3) {
			strbuf_adds(c->sb, ", ");
			cap_name(c->sb, ARG(c, i + 2));
			return rest_hex(c, i + 3);
		}
		return rest_hex(c, i + 2);
	}
	if (prctl_one(c, opt, a2)) return NARGS(c);
	return rest_hex(c, i + 1);
}

/* prctl(PR_GET_DUMPABLE) = 1 (SUID_DUMP_USER) */
bool tdec_prctl_result(struct dctx *c, int i)
{
	if ((unsigned)ARG(c, i) != PR_GET_DUMPABLE_) return false;
	const char *name = tdec_xname(&tx_dumpable, (uint64_t)c->ret);
	if (!name) return false;
	strbuf_addf(c->sb, "%ld (%s)", c->ret, name);
	return true;
}
