/* services/trace/decode_signal.c - signal structures (sigaction, sigset_t, stack_t,
 * siginfo_t), wait statuses, and the "--- SIG ---" / "+++ exited +++" lines. */
#include <stdio.h>
#include <string.h>
#include "core/guest_mem.h"
#include <sys/wait.h>
#include "core/syscall_table.h"
#include "services/trace/decode_internal.h"

#define ARG(c, i) ((c)->a[i])

XTAB(tx_si_code, NULL,
     XN(0, "SI_USER"), XN(0x80, "SI_KERNEL"), XN(-1ll, "SI_QUEUE"), XN(-2ll, "SI_TIMER"),
     XN(-3ll, "SI_MESGQ"), XN(-4ll, "SI_ASYNCIO"), XN(-5ll, "SI_SIGIO"), XN(-6ll, "SI_TKILL"),
     XN(-7ll, "SI_DETHREAD"), XN(-60ll, "SI_ASYNCNL"));
XTAB(tx_cld_code, NULL, XN(1, "CLD_EXITED"), XN(2, "CLD_KILLED"), XN(3, "CLD_DUMPED"),
     XN(4, "CLD_TRAPPED"), XN(5, "CLD_STOPPED"), XN(6, "CLD_CONTINUED"));
XTAB(tx_segv_code, NULL, XN(1, "SEGV_MAPERR"), XN(2, "SEGV_ACCERR"), XN(3, "SEGV_BNDERR"),
     XN(4, "SEGV_PKUERR"), XN(5, "SEGV_ACCADI"), XN(6, "SEGV_ADIDERR"),
     XN(7, "SEGV_ADIPERR"), XN(8, "SEGV_MTEAERR"), XN(9, "SEGV_MTESERR"),
     XN(10, "SEGV_CPERR"));
XTAB(tx_bus_code, NULL, XN(1, "BUS_ADRALN"), XN(2, "BUS_ADRERR"), XN(3, "BUS_OBJERR"),
     XN(4, "BUS_MCEERR_AR"), XN(5, "BUS_MCEERR_AO"));
XTAB(tx_ill_code, NULL, XN(1, "ILL_ILLOPC"), XN(2, "ILL_ILLOPN"), XN(3, "ILL_ILLADR"),
     XN(4, "ILL_ILLTRP"), XN(5, "ILL_PRVOPC"), XN(6, "ILL_PRVREG"), XN(7, "ILL_COPROC"),
     XN(8, "ILL_BADSTK"), XN(9, "ILL_BADIADDR"));
XTAB(tx_fpe_code, NULL, XN(1, "FPE_INTDIV"), XN(2, "FPE_INTOVF"), XN(3, "FPE_FLTDIV"),
     XN(4, "FPE_FLTOVF"), XN(5, "FPE_FLTUND"), XN(6, "FPE_FLTRES"), XN(7, "FPE_FLTINV"),
     XN(8, "FPE_FLTSUB"), XN(14, "FPE_FLTUNK"), XN(15, "FPE_CONDTRAP"));
XTAB(tx_trap_code, NULL, XN(1, "TRAP_BRKPT"), XN(2, "TRAP_TRACE"), XN(3, "TRAP_BRANCH"),
     XN(4, "TRAP_HWBKPT"), XN(5, "TRAP_UNK"), XN(6, "TRAP_PERF"));
XTAB(tx_poll_code, NULL, XN(1, "POLL_IN"), XN(2, "POLL_OUT"), XN(3, "POLL_MSG"),
     XN(4, "POLL_ERR"), XN(5, "POLL_PRI"), XN(6, "POLL_HUP"));
XTAB(tx_sys_code, NULL, XN(1, "SYS_SECCOMP"), XN(2, "SYS_USER_DISPATCH"));
XTAB(tx_ptrace_event, "PTRACE_EVENT_???", XN(1, "PTRACE_EVENT_FORK"),
     XN(2, "PTRACE_EVENT_VFORK"), XN(3, "PTRACE_EVENT_CLONE"), XN(4, "PTRACE_EVENT_EXEC"),
     XN(5, "PTRACE_EVENT_VFORK_DONE"), XN(6, "PTRACE_EVENT_EXIT"),
     XN(7, "PTRACE_EVENT_SECCOMP"), XN(128, "PTRACE_EVENT_STOP"));

static void si_code_name(struct strbuf *sb, int code, int signo)
{
	const char *name = tdec_xname(&tx_si_code, (uint64_t)(int64_t)code);
	const struct xtab *t = NULL;
	switch (signo) {
	case SIGCHLD: t = &tx_cld_code; break;
	case SIGSEGV: t = &tx_segv_code; break;
	case SIGBUS: t = &tx_bus_code; break;
	case SIGILL: t = &tx_ill_code; break;
	case SIGFPE: t = &tx_fpe_code; break;
	case SIGTRAP: t = &tx_trap_code; break;
	case SIGIO: t = &tx_poll_code; break;
	case SIGSYS: t = &tx_sys_code; break;
	}
	if (!name && t) name = tdec_xname(t, (uint64_t)(int64_t)code);
	if (name) strbuf_adds(sb, name);
	else strbuf_addf(sb, "%d", code);
}

static void si_source(struct strbuf *sb, const siginfo_t *si)
{
	strbuf_addf(sb, ", si_pid=%d, si_uid=%u", si->si_pid, si->si_uid);
}

static void si_sigval(struct strbuf *sb, const siginfo_t *si)
{
	strbuf_addf(sb, ", si_int=%d, si_ptr=", si->si_int);
	tdec_addr(sb, (uint64_t)(uintptr_t)si->si_ptr);
}

static void si_clock(struct strbuf *sb, const char *name, long long v)
{
	strbuf_addf(sb, ", %s=%lld", name, v);
	if (v) strbuf_addf(sb, " /* %lld.%02lld s */", v / 100, v % 100);
}

/* the fields of a signal sent by a process (si_code <= 0) */
static void si_user_info(struct strbuf *sb, const siginfo_t *si)
{
	switch (si->si_code) {
	case SI_USER: case SI_TKILL:
		si_source(sb, si);
		break;
	case SI_TIMER:
		strbuf_addf(sb, ", si_timerid=%#x, si_overrun=%d", (unsigned)si->si_timerid,
			    si->si_overrun);
		si_sigval(sb, si);
		break;
	case SI_SIGIO:
		strbuf_addf(sb, ", si_band=%ld, si_fd=%d", (long)si->si_band, si->si_fd);
		break;
	default:
		si_source(sb, si);
		if (si->si_ptr) si_sigval(sb, si);
	}
}

static void si_sigsys(struct strbuf *sb, const siginfo_t *si)
{
	const struct syscall_desc *d = syscall_desc(si->si_syscall);
	strbuf_adds(sb, ", si_call_addr=");
	tdec_addr(sb, (uint64_t)(uintptr_t)si->si_call_addr);
	if (d && d->name) strbuf_addf(sb, ", si_syscall=__NR_%s", d->name);
	else strbuf_addf(sb, ", si_syscall=%d", si->si_syscall);
	if (si->si_arch == 0xc000003e) strbuf_adds(sb, ", si_arch=AUDIT_ARCH_X86_64");
	else strbuf_addf(sb, ", si_arch=%#x", si->si_arch);
}

/* the fields of a signal sent by the kernel */
static void si_kernel_info(struct strbuf *sb, const siginfo_t *si)
{
	switch (si->si_signo) {
	case SIGCHLD:
		si_source(sb, si);
		if (si->si_code == CLD_EXITED) strbuf_addf(sb, ", si_status=%d", si->si_status);
		else {
			strbuf_adds(sb, ", si_status=");
			tdec_signame(sb, si->si_status);
		}
		si_clock(sb, "si_utime", si->si_utime);
		si_clock(sb, "si_stime", si->si_stime);
		break;
	case SIGILL: case SIGFPE: case SIGBUS: case SIGSEGV: case SIGTRAP:
		strbuf_adds(sb, ", si_addr=");
		tdec_addr(sb, (uint64_t)(uintptr_t)si->si_addr);
		if (si->si_signo == SIGSEGV && si->si_code == 4)
			strbuf_addf(sb, ", si_pkey=%u", (unsigned)si->si_pkey);
		if (si->si_signo == SIGBUS && (si->si_code == 4 || si->si_code == 5))
			strbuf_addf(sb, ", si_addr_lsb=%#x", (unsigned)si->si_addr_lsb);
		break;
	case SIGIO:
		if (si->si_code >= 1 && si->si_code <= 3)
			strbuf_addf(sb, ", si_band=%ld, si_fd=%d", (long)si->si_band, si->si_fd);
		break;
	case SIGSYS:
		si_sigsys(sb, si);
		break;
	default:
		if (si->si_pid || si->si_uid) si_source(sb, si);
		if (si->si_ptr) si_sigval(sb, si);
	}
}

void tdec_siginfo(struct strbuf *sb, const siginfo_t *si)
{
	strbuf_addc(sb, '{');
	if (si->si_signo) {
		strbuf_adds(sb, "si_signo=");
		tdec_signame(sb, si->si_signo);
		strbuf_adds(sb, ", si_code=");
		si_code_name(sb, si->si_code, si->si_signo);
		if (si->si_errno) {
			const char *e = strerrorname_np(si->si_errno);
			if (e) strbuf_addf(sb, ", si_errno=%s", e);
			else strbuf_addf(sb, ", si_errno=%u", (unsigned)si->si_errno);
		}
		if (si->si_code <= 0) si_user_info(sb, si);
		else si_kernel_info(sb, si);
	}
	strbuf_addc(sb, '}');
}

/* {WIFEXITED(s) && WEXITSTATUS(s) == 0}, as strace's printstatus() */
void tdec_wstatus(struct strbuf *sb, int st)
{
	unsigned rest;
	if (WIFSTOPPED(st)) {
		int sig = WSTOPSIG(st);
		strbuf_adds(sb, "[{WIFSTOPPED(s) && WSTOPSIG(s) == ");
		tdec_signame(sb, sig & 0x7f);
		strbuf_adds(sb, sig & 0x80 ? " | 0x80}" : "}");
		rest = (unsigned)st & ~0xffffu;
	} else if (WIFSIGNALED(st)) {
		strbuf_adds(sb, "[{WIFSIGNALED(s) && WTERMSIG(s) == ");
		tdec_signame(sb, WTERMSIG(st));
		strbuf_adds(sb, WCOREDUMP(st) ? " && WCOREDUMP(s)}" : "}");
		rest = (unsigned)st & ~0xffu;
	} else if (WIFEXITED(st)) {
		strbuf_addf(sb, "[{WIFEXITED(s) && WEXITSTATUS(s) == %d}", WEXITSTATUS(st));
		rest = (unsigned)st & ~0xff00u;
	} else if (WIFCONTINUED(st)) {
		strbuf_adds(sb, "[{WIFCONTINUED(s)}");
		rest = (unsigned)st & ~0xffffu;
	} else {
		strbuf_addf(sb, "[%#x]", (unsigned)st);
		return;
	}
	if (rest >> 16) {
		strbuf_adds(sb, " | ");
		tdec_xval(sb, &tx_ptrace_event, rest >> 16, false);
		strbuf_adds(sb, " << 16");
		rest &= 0xffff;
	}
	if (rest) strbuf_addf(sb, " | %#x", rest);
	strbuf_addc(sb, ']');
}

int tp_wstatus(struct dctx *c, int i)
{
	int st;
	if (c->exiting && c->ret == 0 && ARG(c, i)) {
		tdec_addr(c->sb, ARG(c, i));	/* WNOHANG and nothing to report */
		return i + 1;
	}
	if (tdec_fetch(c, ARG(c, i), &st, sizeof st)) tdec_wstatus(c->sb, st);
	return i + 1;
}

int tp_siginfo(struct dctx *c, int i)
{
	siginfo_t si;
	if (tdec_fetch(c, ARG(c, i), &si, sizeof si)) tdec_siginfo(c->sb, &si);
	return i + 1;
}

/* the sigset size is the next A_SIZE argument (the kernel's is 8 bytes) */
static uint64_t sigset_size(const struct dctx *c, int i)
{
	for (int k = i + 1; k < c->d->nargs; k++)
		if (A_TYPE(c->d->args[k]) == A_SIZE) return c->a[k];
	return 8;
}

int tp_sigset(struct dctx *c, int i)
{
	uint64_t mask;
	uint64_t len = sigset_size(c, i);
	if (ARG(c, i) && len != 8) {
		tdec_addr(c->sb, ARG(c, i));
		return i + 1;
	}
	if (tdec_fetch(c, ARG(c, i), &mask, sizeof mask)) tdec_sigmask(c->sb, &mask, 64);
	return i + 1;
}

static void print_sa_handler(struct strbuf *sb, uint64_t h)
{
	if (h == 0) strbuf_adds(sb, "SIG_DFL");
	else if (h == 1) strbuf_adds(sb, "SIG_IGN");
	else if (h == UINT64_MAX) strbuf_adds(sb, "SIG_ERR");
	else tdec_addr(sb, h);
}

int tp_sigaction(struct dctx *c, int i)
{
	struct { uint64_t handler, flags, restorer, mask; } sa;
	if (!tdec_fetch(c, ARG(c, i), &sa, sizeof sa)) return i + 1;
	strbuf_adds(c->sb, "{sa_handler=");
	print_sa_handler(c->sb, sa.handler);
	strbuf_adds(c->sb, ", sa_mask=");
	tdec_sigmask(c->sb, &sa.mask, 64);
	strbuf_adds(c->sb, ", sa_flags=");
	tdec_flags(c->sb, &tx_sa_flags, sa.flags);
	if (sa.flags & 0x04000000) {
		strbuf_adds(c->sb, ", sa_restorer=");
		tdec_addr(c->sb, sa.restorer);
	}
	strbuf_addc(c->sb, '}');
	return i + 1;
}

int tp_sigstack(struct dctx *c, int i)
{
	struct { uint64_t sp; int32_t flags; uint32_t pad; uint64_t size; } ss;
	if (!tdec_fetch(c, ARG(c, i), &ss, sizeof ss)) return i + 1;
	strbuf_adds(c->sb, "{ss_sp=");
	tdec_addr(c->sb, ss.sp);
	strbuf_adds(c->sb, ", ss_flags=");
	tdec_flags(c->sb, &tx_ss_flags, (uint32_t)ss.flags);
	strbuf_addf(c->sb, ", ss_size=%llu}", (unsigned long long)ss.size);
	return i + 1;
}

/* rt_sigreturn's frame: the ucontext the stack pointer points to at the call (the
 * handler's return popped the restorer address); its uc_sigmask is at 0x128. The
 * stack pointer of a task stopped in a syscall is in /proc/TID/syscall. */
int tp_sigframe(struct dctx *c, int i)
{
	char path[64], text[512];
	snprintf(path, sizeof path, "/proc/%d/syscall", (int)c->tid);
	FILE *f = fopen(path, "re");
	size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;
	if (f) fclose(f);
	text[n] = 0;
	unsigned long long v[9];
	uint64_t mask;
	int got = sscanf(text, "%llu %llx %llx %llx %llx %llx %llx %llx %llx", &v[0], &v[1], &v[2],
			 &v[3], &v[4], &v[5], &v[6], &v[7], &v[8]);
	strbuf_adds(c->sb, "{mask=");
	if (got == 9 && !copy_from_guest(c->tid, &mask, v[7] + 0x128, sizeof mask))
		tdec_sigmask(c->sb, &mask, 64);
	else
		strbuf_addc(c->sb, '?');
	strbuf_addc(c->sb, '}');
	return i + 1;
}

void trace_decode_signal(struct strbuf *sb, const siginfo_t *si)
{
	strbuf_adds(sb, "--- ");
	tdec_signame(sb, si->si_signo);
	strbuf_addc(sb, ' ');
	tdec_siginfo(sb, si);
	strbuf_adds(sb, " ---");
}

void trace_decode_exit_status(struct strbuf *sb, int wstatus)
{
	if (WIFSIGNALED(wstatus)) {
		strbuf_adds(sb, "+++ killed by ");
		tdec_signame(sb, WTERMSIG(wstatus));
		strbuf_adds(sb, WCOREDUMP(wstatus) ? " (core dumped) +++" : " +++");
	} else {
		strbuf_addf(sb, "+++ exited with %d +++", WEXITSTATUS(wstatus));
	}
}
