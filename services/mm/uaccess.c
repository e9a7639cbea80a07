/* services/mm/uaccess.c - native syscalls that reach into Persona-managed memory.
 *
 * The host kernel's copy_to_user/copy_from_user cannot take Persona's faults: on a
 * reserved (PROT_NONE) page or a write-protected copy-on-write page they fail, and a
 * read() into a fresh malloc buffer would return EFAULT where Linux faults the page
 * in. So the filter traps every syscall whose pointer arguments lie below
 * MM_UACCESS_FLOOR (where Persona's mappings are; the host-made stack and vDSO are
 * above), and before the call runs the pages it will touch are made present, and
 * writable for what it writes. How far each argument reaches comes from the one
 * syscall table's argument types (a buffer's length is the next argument, a path
 * ends at its NUL, an iovec array names more buffers...). Buffers are prefaulted up
 * to PREFAULT_MAX: a larger read may come back short, which read(2) allows.
 *
 * Here too the pool's descriptor number is refused with EBADF: guests never see it. */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include "core/guest_mem.h"
#include "core/syscall_table.h"
#include "core/log.h"
#include "services/mm/mm_internal.h"

#define PREFAULT_MAX	(2UL << 20)
#define UNKNOWN_STRUCT	256	/* an A_PTR argument of unknown size */

/* syscalls whose pointer arguments are addresses, not memory the call copies, or that
 * Persona handles itself */
static bool exempt(const char *name)
{
	static const char *const list[] = {
		"mmap", "munmap", "mprotect", "brk", "mremap", "madvise", "msync", "mlock",
		"munlock", "mlock2", "pkey_mprotect", "shmat", "shmdt", "set_tid_address",
		"set_robust_list", "rseq", "futex_waitv", "arch_prctl", "clone",
		"clone3", "io_uring_setup",
		"io_uring_enter", "io_uring_register", "modify_ldt", "ptrace", "exit",
		"exit_group", "io_setup", "io_destroy", "io_submit", "io_cancel",
		"io_getevents", "io_pgetevents", "remap_file_pages", "mbind", "migrate_pages",
		"move_pages", "get_mempolicy", "set_mempolicy", "process_madvise", "kcmp",
		"rt_sigreturn", "userfaultfd", "uretprobe", "map_shadow_stack",
	};
	for (unsigned i = 0; i < sizeof list / sizeof *list; i++)
		if (!strcmp(name, list[i])) return true;
	return false;
}

/* Fixed sizes of the structures the table names */
static long struct_size(enum arg_type t)
{
	switch (t) {
	case A_STAT: case A_RUSAGE: return 144;
	case A_STATX: return 256;
	case A_TIMESPEC: case A_TIMEVAL: case A_RLIMIT: case A_TIMESPEC_REM: return 16;
	case A_SIGACTION: case A_ITIMERVAL: case A_TMS: case A_UTIMES: case A_ITIMERSPEC: return 32;
	case A_SIGSET: case A_FDPAIR: case A_LOFF_PTR: case A_LOFF_INOUT: return 8;
	case A_UTSNAME: return 390;
	case A_WSTATUS: case A_SCHED_PARAM: case A_SOCKLEN: case A_INTPTR: return 4;
	case A_SIGINFO: case A_FD_SET: case A_SOCKADDR: return 128;
	case A_SIGSTACK: return 24;
	case A_SYSINFO: case A_STATFS: return 120;
	case A_PTR: return UNKNOWN_STRUCT;
	default: return -1;
	}
}

/* How argument i of syscall d reaches memory, as a rule (the shim applies the same
 * rules in the guest: core/shim_region.c). mincore is left out: its address is what
 * it asks about (prefaulting would change the answer). */
bool mm_uaccess_describe(const struct syscall_desc *d, int i, struct uaccess_desc *u)
{
	enum arg_type t = A_TYPE(d->args[i]);
	memset(u, 0, sizeof *u);
	u->len_arg = -1;
	u->write = A_IS_OUT(d->args[i]) || t == A_LOFF_INOUT;
	int next = i + 1 < d->nargs ? i + 1 : -1;
	switch (t) {
	case A_PATH: u->reach = R_STRING; u->fixed = 4096; return true;
	case A_STR: u->reach = R_STRING; u->fixed = 65536; return true;
	case A_BUF: case A_RANDBUF: case A_DIRENTS: case A_CWD: case A_CLONE_ARGS:
		u->reach = R_RANGE; u->len_arg = next; u->mult = 1; return next >= 0;
	case A_IOVEC: u->reach = R_IOVEC; u->len_arg = next; u->mult = 1; return next >= 0;
	case A_ARGV: case A_ENVP: u->reach = R_ARGV; return true;
	case A_MSGHDR: u->reach = R_MSGHDR; return true;
	case A_POLLFD: u->reach = R_RANGE; u->len_arg = next; u->mult = 8; return next >= 0;
	case A_EPOLL_EVENT:
		u->reach = R_RANGE;
		if (i + 2 < d->nargs) { u->len_arg = next; u->mult = 12; } else u->fixed = 12;
		return true;
	case A_GROUPS: u->reach = R_RANGE; u->len_arg = 0; u->mult = 4; return true;
	case A_CPUSET:
		u->reach = R_RANGE;
		if (i > 0) { u->len_arg = i - 1; u->mult = 1; } else u->fixed = 128;
		return true;
	default: {
		long n = struct_size(t);
		if (n < 0) return false;
		u->reach = R_RANGE;
		u->fixed = (uint32_t)n;
		return true;
	}
	}
}

/* How argument i of syscall d reaches memory, and how far (for R_RANGE/R_IOVEC). */
static enum uaccess_reach arg_reach(const struct syscall_desc *d, const uint64_t *args, int i, uint64_t *len)
{
	*len = 0;
	if (!strcmp(d->name, "mincore")) {
		/* the vector it writes has a byte per page */
		if (i != 2) return R_NONE;
		*len = (args[1] + PAGE_SIZE - 1) >> PAGE_SHIFT;
		return R_RANGE;
	}
	struct uaccess_desc u;
	if (!mm_uaccess_describe(d, i, &u)) return R_NONE;
	*len = u.len_arg >= 0 ? args[u.len_arg] * u.mult : u.fixed;
	return u.reach;
}

/* What the memory manager does with a syscall, worked out once per number (the
 * table is read-only after start): the syscall hot path tests a bit, not names. */
enum { UC_KNOWN = 1, UC_EXEMPT = 2, UC_ALWAYS = 4 };
static uint8_t uclass[SYSCALL_MAX];

static unsigned uaccess_class(const struct syscall_desc *d)
{
	long nr = d - syscall_desc(0);
	if (nr < 0 || nr >= SYSCALL_MAX) return UC_KNOWN | UC_EXEMPT;
	if (!uclass[nr]) {
		unsigned c = UC_KNOWN;
		if (!d->name || exempt(d->name)) c |= UC_EXEMPT;
		for (int i = 0; !(c & UC_EXEMPT) && i < d->nargs; i++) {
			uint64_t args[6] = { 0 }, len;
			enum uaccess_reach r = arg_reach(d, args, i, &len);
			/* pointers inside other memory: the filter cannot see them */
			if (r == R_IOVEC || r == R_ARGV || r == R_MSGHDR) c |= UC_ALWAYS;
		}
		uclass[nr] = (uint8_t)c;
	}
	return uclass[nr];
}

bool mm_uaccess_always(const struct syscall_desc *d) { return uaccess_class(d) & UC_ALWAYS; }
bool mm_uaccess_exempt(const struct syscall_desc *d) { return uaccess_class(d) & UC_EXEMPT; }

bool mm_uaccess_arg(const struct syscall_desc *d, int i)
{
	if ((uaccess_class(d) & UC_EXEMPT) || i >= d->nargs) return false;
	enum arg_type t = A_TYPE(d->args[i]);
	if (t == A_SIGFRAME) return false;
	uint64_t args[6] = { 0 }, len;
	return arg_reach(d, args, i, &len) != R_NONE;
}

struct prefault { struct task *t; struct mm *mm; uint64_t budget; int done; };

static bool managed(struct mm *mm, uint64_t addr)
{
	struct vma *v = vma_find(&mm->vmas, addr);
	return v && !(v->flags & VM_HOST);
}

/* Whether a page needs work: absent, or (for a write) write-protected COW */
static bool needs_fault(struct mm *mm, uint64_t addr, bool write)
{
	struct vma *v = vma_find(&mm->vmas, addr);
	if (!v || (v->flags & VM_HOST) || v->prot == PROT_NONE) return false;
	pte_t e = pgtable_get(mm->pt, addr);
	if (e & PTE_GUARD) return false;	/* the host's call gets EFAULT, as Linux's */
	if (!pte_present(e) || (e & PTE_AGED)) return true;
	return write && (e & PTE_COW) && (v->prot & PROT_WRITE);
}

static void prefault_range(struct prefault *p, uint64_t addr, uint64_t len, bool write)
{
	if (!addr || !len) return;
	mm_pin(p->t, addr, len);	/* reclaim leaves it alone while the call runs */
	if (len > p->budget) len = p->budget;
	p->budget -= len;
	uint64_t end = addr + len < addr ? UINT64_MAX : addr + len;
	for (uint64_t a = addr & PAGE_MASK; a < end; a += PAGE_SIZE) {
		if (!needs_fault(p->mm, a, write)) continue;
		mm_populate(p->t, p->mm, a, end, write);
		p->done = 1;
		break;
	}
}

/* A string: page by page until its NUL (at most two pages for a path, 64 KiB else).
 * A page is read (to find the NUL) only when the string could go on into a page
 * that needs work: a path whose second page is present needs no read at all (cc1
 * makes ~1,700 readlink calls on paths in its heap). */
static void prefault_string(struct prefault *p, uint64_t addr, uint64_t max)
{
	for (uint64_t a = addr, end = addr + max; a && a < end; a = (a & PAGE_MASK) + PAGE_SIZE) {
		if (!managed(p->mm, a)) return;
		prefault_range(p, a, 1, false);
		uint64_t next = (a & PAGE_MASK) + PAGE_SIZE;
		if (next >= end || (end - next <= PAGE_SIZE && !needs_fault(p->mm, next, false))) return;
		char buf[PAGE_SIZE];
		uint64_t n = PAGE_SIZE - (a & ~PAGE_MASK);
		if (copy_from_guest(p->t->tid, buf, a, n)) return;
		if (memchr(buf, 0, n)) return;
	}
}

static void prefault_iovec(struct prefault *p, uint64_t iov, uint64_t count, bool write)
{
	if (count > 1024) count = 1024;
	prefault_range(p, iov, count * sizeof(struct iovec), false);
	for (uint64_t i = 0; i < count && p->budget; i++) {
		struct iovec v;
		if (copy_from_guest(p->t->tid, &v, iov + i * sizeof v, sizeof v)) return;
		prefault_range(p, (uint64_t)v.iov_base, v.iov_len, write);
	}
}

/* argv/envp: the pointer array, read a page's worth at a time (an environment
 * has dozens of entries), and each string */
static void prefault_argv(struct prefault *p, uint64_t argv)
{
	uint64_t ptrs[512];
	for (unsigned i = 0; argv && i < 4096;) {
		uint64_t at = argv + i * 8;
		unsigned n = (unsigned)((PAGE_SIZE - (at & ~PAGE_MASK)) / 8);	/* to the page's end */
		prefault_range(p, at, n * 8, false);
		if (copy_from_guest(p->t->tid, ptrs, at, n * 8)) return;
		for (unsigned k = 0; k < n; k++, i++) {
			if (!ptrs[k]) return;
			prefault_string(p, ptrs[k], 128 * 1024);
		}
	}
}

static void prefault_msghdr(struct prefault *p, uint64_t addr, bool write)
{
	struct msghdr m;
	prefault_range(p, addr, sizeof m, write);
	if (copy_from_guest(p->t->tid, &m, addr, sizeof m)) return;
	prefault_range(p, (uint64_t)m.msg_name, m.msg_namelen, write);
	prefault_range(p, (uint64_t)m.msg_control, m.msg_controllen, write);
	prefault_iovec(p, (uint64_t)m.msg_iov, m.msg_iovlen, write);
}

/* close_range over the pool's number: close the rest, keep the pool */
static long close_range_around(struct sysreq *r)
{
	unsigned first = (unsigned)r->args[0], last = (unsigned)r->args[1];
	if (first > last || first > MM_POOL_FD || last < MM_POOL_FD) return 0;
	long res = 0;
	if (first < MM_POOL_FD)
		res = host_call(r->task, SYS_close_range, first, MM_POOL_FD - 1, r->args[2], 0, 0, 0);
	if (res < 0 || last == MM_POOL_FD) return res;
	sysreq_set_arg(r, 0, MM_POOL_FD + 1);
	return SYSRET_NATIVE;
}

static long syscall_entry(struct sysreq *r)
{
	struct mm *mm = r->task->mm;
	const struct syscall_desc *d = syscall_desc(r->nr);
	if (!mm_active() || !d || !d->name) return 0;
	for (int i = 0; i < d->nargs; i++) {
		enum arg_type t = A_TYPE(d->args[i]);
		if ((t == A_FD || t == A_DIRFD) && (int)r->args[i] == MM_POOL_FD) return -EBADF;
	}
	if (r->nr == SYS_close_range) {
		long res = close_range_around(r);
		if (res) return res;
	}
	unsigned uc = uaccess_class(d);
	mm_pins_clear(r->task);	/* its previous syscall is over */
	if (!mm || (uc & UC_EXEMPT)) return 0;
	struct prefault p = { r->task, mm, PREFAULT_MAX, 0 };
	mm_stat.uaccess_traps++;
	if (r->nr == SYS_futex) {
		/* the word(s) the kernel reads, or writes (PI, WAKE_OP): present and writable */
		prefault_range(&p, r->args[0], 4, true);
		prefault_range(&p, r->args[4], 4, true);
		mm_stat.prefaults += p.done;
		return 0;
	}
	bool remote_self = (r->nr == SYS_process_vm_readv || r->nr == SYS_process_vm_writev) &&
			   ((pid_t)r->args[0] == task_vpid(r->task));
	for (int i = 0; i < d->nargs; i++) {
		uint64_t a = r->args[i], len;
		/* process_vm_*: the remote iovecs are another process's memory, prefaulted
		 * only when it is the caller's own (another's threads are not stopped) */
		if ((r->nr == SYS_process_vm_readv || r->nr == SYS_process_vm_writev) && i == 3 && !remote_self)
			continue;
		if (!a || (a >= MM_UACCESS_FLOOR && !(uc & UC_ALWAYS))) continue;
		bool write = A_IS_OUT(d->args[i]) || A_TYPE(d->args[i]) == A_LOFF_INOUT ||
			     (r->nr == SYS_process_vm_readv && i == 1) ||
			     (r->nr == SYS_process_vm_writev && i == 3);
		switch (arg_reach(d, r->args, i, &len)) {
		case R_NONE: break;
		case R_RANGE: prefault_range(&p, a, len, write); break;
		case R_STRING: prefault_string(&p, a, A_TYPE(d->args[i]) == A_PATH ? 4096 : 65536); break;
		case R_IOVEC: prefault_iovec(&p, a, len, write); break;
		case R_ARGV: prefault_argv(&p, a); break;
		case R_MSGHDR: prefault_msghdr(&p, a, write || r->nr == SYS_recvmsg); break;
		}
	}
	mm_stat.prefaults += p.done;
	return 0;
}

long mm_syscall_entry(struct sysreq *r)
{
	uint64_t t0 = mm_clock_ns();
	long res = syscall_entry(r);
	mm_stat.entry_ns += mm_clock_ns() - t0;
	return res;
}

int mm_copy_to_guest(struct task *t, uint64_t addr, const void *src, size_t len)
{
	int err = copy_to_guest(t->tid, addr, src, len);
	if (err != -EFAULT || !t->mm) return err;
	/* a reserved or copy-on-write page: make it present and writable first */
	mm_populate(t, t->mm, addr, addr + len, true);
	return copy_to_guest(t->tid, addr, src, len);
}
