/* core/filter.c - see filter.h */
#include <errno.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/seccomp.h>
#include "core/filter.h"
#include "core/syscall_table.h"
#include "core/log.h"
#include "core/shim.h"
#include "services/mm/mm.h"

static int add_trap_rules(scmp_filter_ctx ctx, long nr, const struct trap_cond *c)
{
	if (!c) return seccomp_rule_add(ctx, SCMP_ACT_TRACE(0), nr, 0);
	if (c->op == TRAP_IF_NONZERO) {
		/* all 64 bits: garbage in the upper half of an int only traps more */
		struct scmp_arg_cmp cmp = { c->arg, SCMP_CMP_NE, 0, 0 };
		return seccomp_rule_add_array(ctx, SCMP_ACT_TRACE(0), nr, 1, &cmp);
	}
	if (c->op == TRAP_IF_CLEAR) {
		struct scmp_arg_cmp cmp = { c->arg, SCMP_CMP_MASKED_EQ, c->mask, 0 };
		return seccomp_rule_add_array(ctx, SCMP_ACT_TRACE(0), nr, 1, &cmp);
	}
	for (int i = 0; i < c->count; i++) {
		/* argument comparisons on the low 32 bits: int arguments may carry garbage
		 * in the upper half, which the kernel ignores too */
		struct scmp_arg_cmp cmp = { c->arg, SCMP_CMP_MASKED_EQ, 0xffffffffu, c->values[i] };
		int err = seccomp_rule_add_array(ctx, SCMP_ACT_TRACE(0), nr, 1, &cmp);
		if (err) return err;
	}
	return 0;
}

/* Under --strict the default action is ENOSYS, so known rows need ALLOW and a
 * conditionally trapped row is trapped always (its handler passes the other values
 * natively): libseccomp cannot express "allow when not one of these values". */
/* The memory manager's rules: guests' own use of the frame pool's descriptor is
 * trapped (and refused) wherever a descriptor argument could name it, and
 * close_range always (it could close it). */
static int add_pool_fd_rules(scmp_filter_ctx ctx, long nr, const struct syscall_desc *d)
{
	if (nr == SCMP_SYS(close_range)) return seccomp_rule_add(ctx, SCMP_ACT_TRACE(0), nr, 0);
	for (int i = 0; i < d->nargs; i++) {
		enum arg_type t = A_TYPE(d->args[i]);
		if (t != A_FD && t != A_DIRFD) continue;
		struct scmp_arg_cmp cmp = { i, SCMP_CMP_MASKED_EQ, 0xffffffffu, MM_POOL_FD };
		int err = seccomp_rule_add_array(ctx, SCMP_ACT_TRACE(0), nr, 1, &cmp);
		if (err) return err;
	}
	return 0;
}

static enum filter_mode build_mode;

uint32_t filter_inject_tag;

bool filter_inject_taggable(long nr)
{
	switch (nr) {
	case SYS_mmap: case SYS_munmap: case SYS_mprotect: case SYS_madvise:
	case SYS_rt_sigaction: case SYS_rt_sigprocmask: case SYS_prctl: case SYS_close_range:
		return true;
	default:
		return false;
	}
}

/* A tag no descriptor or unused register is likely to carry by chance: not 0 or
 * all ones in the upper half (a sign-extended negative int). */
static uint32_t new_inject_tag(void)
{
	uint32_t tag = 0;
	while (tag == 0 || tag == 0xffffffffu)
		if (getrandom(&tag, sizeof tag, 0) != sizeof tag) tag = 0x5e3c1a77u;
	return tag;
}

/* pointer arguments the uaccess prologue tests, for syscalls not trapped always */
static uint8_t uaccess_mask(long nr)
{
	const struct syscall_desc *d = syscall_desc(nr);
	if (!d || !d->name) return 0;
	if (syscall_is_trapped(d) && (!d->when || build_mode == FILTER_STRICT)) return 0;
	if (mm_uaccess_always(d)) return 0;	/* trapped always (add_rules) */
	uint8_t m = 0;
	for (int i = 0; i < d->nargs; i++)
		if (mm_uaccess_arg(d, i)) m |= 1u << i;
	return m;
}

static int add_rules(scmp_filter_ctx ctx, enum filter_mode mode)
{
	for (long nr = 0; nr < SYSCALL_MAX; nr++) {
		const struct syscall_desc *d = syscall_desc(nr);
		int err = 0;
		if (!d->name) continue;
		if (syscall_is_trapped(d))
			err = add_trap_rules(ctx, nr, mode == FILTER_STRICT ? NULL : d->when);
		else if (mode == FILTER_STRICT && d->status == ST_NATIVE)
			err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
		if (!err && mm_active() && !(syscall_is_trapped(d) && !d->when))
			err = mm_uaccess_always(d) ? seccomp_rule_add(ctx, SCMP_ACT_TRACE(0), nr, 0)
						   : add_pool_fd_rules(ctx, nr, d);
		if (err) {
			log_err("seccomp rule for %s: %s", d->name, strerror(-err));
			return err;
		}
	}
	return 0;
}

static int export_bpf(scmp_filter_ctx ctx, struct sock_fprog *prog)
{
	int fd = memfd_create("persona-bpf", MFD_CLOEXEC), err = 0;
	if (fd < 0) return -errno;
	if ((err = seccomp_export_bpf(ctx, fd)) == 0) {
		off_t len = lseek(fd, 0, SEEK_END);
		prog->filter = malloc(len);
		prog->len = len / sizeof(struct sock_filter);
		if (!prog->filter) err = -ENOMEM;
		else if (pread(fd, prog->filter, len, 0) != len) err = -EIO;
	}
	close(fd);
	return err;
}

/* Puts `pro` (malloc'd, taken) in front of *prog. 0 or -errno. */
static int prepend(struct sock_fprog *prog, struct sock_fprog *pro)
{
	unsigned n = pro->len + prog->len;
	struct sock_filter *all = n <= BPF_MAXINSNS ? malloc(n * sizeof *all) : NULL;
	if (!all) {
		free(pro->filter);
		return n > BPF_MAXINSNS ? -E2BIG : -ENOMEM;
	}
	memcpy(all, pro->filter, pro->len * sizeof *all);
	memcpy(all + pro->len, prog->filter, prog->len * sizeof *all);
	free(pro->filter);
	free(prog->filter);
	prog->filter = all;
	prog->len = (unsigned short)n;
	return 0;
}

/* [uaccess prologue][libseccomp's program]: the prologue falls through to it */
static int prepend_uaccess(enum filter_mode mode, struct sock_fprog *prog)
{
	struct sock_fprog pro;
	build_mode = mode;
	if (!filter_inject_tag) filter_inject_tag = new_inject_tag();
	int err = filter_uaccess_prologue(uaccess_mask, MM_UACCESS_FLOOR, filter_inject_tag, &pro);
	if (err) return err;
	return prepend(prog, &pro);
}

/* [shim prologue][...]: the shim's own syscalls are let through first */
static int prepend_shim(struct sock_fprog *prog)
{
	struct sock_fprog pro;
	unsigned nn;
	const struct shim_native *nrs = shim_native_nrs(&nn);
	int err = filter_shim_prologue(shim_gadget_ip(), nrs, nn, MM_POOL_FD, &pro);
	if (err) return err;
	return prepend(prog, &pro);
}

int filter_build(enum filter_mode mode, struct sock_fprog *prog)
{
	uint32_t def = mode == FILTER_TRAP_ALL ? SCMP_ACT_TRACE(0) :
		       mode == FILTER_STRICT ? SCMP_ACT_ERRNO(ENOSYS) : SCMP_ACT_ALLOW;
	scmp_filter_ctx ctx = seccomp_init(def);
	int err;
	if (!ctx) return -ENOMEM;
	seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ERRNO(ENOSYS));
	seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);	/* filter_install decides */
	seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);	/* binary tree */
	err = mode == FILTER_TRAP_ALL ? 0 : add_rules(ctx, mode);
	if (!err) err = export_bpf(ctx, prog);
	seccomp_release(ctx);
	if (!err && mode != FILTER_TRAP_ALL && mm_active()) err = prepend_uaccess(mode, prog);
	if (!err && mode != FILTER_TRAP_ALL && shim_enabled) err = prepend_shim(prog);
	return err;
}

/* seccomp(2), or prctl(PR_SET_SECCOMP) where seccomp(2) is missing (valgrind) */
static int load(const struct sock_fprog *prog)
{
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, prog) == 0) return 0;
	if (errno == ENOSYS && prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, prog, 0, 0) == 0) return 0;
	return -errno;
}

int filter_install(const struct sock_fprog *prog)
{
	/* Without CAP_SYS_ADMIN the kernel requires no_new_privs; with it we keep setuid
	 * programs working as they do natively. */
	int err = load(prog);
	if (err != -EACCES) return err;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) return -errno;
	return load(prog);
}
