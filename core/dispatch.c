/* core/dispatch.c - see dispatch.h */
#include <errno.h>
#include <ffi.h>
#include "core/dispatch.h"
#include "core/log.h"

static ffi_cif cifs[SYSCALL_MAX];
static ffi_type *atypes[SYSCALL_MAX][7];

enum arg_ctype arg_ctype(enum arg_type t)
{
	switch (A_TYPE(t)) {
	case A_INT: case A_FD: case A_DIRFD: case A_PID: case A_SIG: case A_OPEN_FLAGS:
	case A_ATFLAGS: case A_ACCESS_MODE: case A_WAIT_OPTIONS: case A_SIGHOW:
	case A_FCNTL_CMD: case A_PRCTL_OPT: case A_WHENCE: case A_SOCK_FAMILY:
	case A_SOCK_TYPE: case A_CLOCKID: case A_IDTYPE: case A_WHICH_PRIO:
	case A_FUTEX_OP: case A_ARCH_PRCTL: case A_MADV:
		return CT_INT;
	case A_UINT: case A_MODE: case A_IOCTL_CMD: case A_RLIMIT_RES: case A_SECCOMP_OP:
		return CT_UINT;
	case A_LONG: case A_SSIZE: case A_OFF:
		return CT_LONG;
	case A_ULONG: case A_HEX: case A_SIZE: case A_PROT: case A_MAP_FLAGS:
	case A_CLONE_FLAGS: case A_NONE:
		return CT_ULONG;
	default:
		return CT_GPTR;
	}
}

static ffi_type *ffi_of(enum arg_type t)
{
	switch (arg_ctype(t)) {
	case CT_INT: return &ffi_type_sint;
	case CT_UINT: return &ffi_type_uint;
	case CT_LONG: return &ffi_type_slong;
	case CT_ULONG: return &ffi_type_ulong;
	default: return &ffi_type_uint64;
	}
}

int dispatch_init(void)
{
	for (long nr = 0; nr < SYSCALL_MAX; nr++) {
		const struct syscall_desc *d = syscall_desc(nr);
		if (!d->handler) continue;
		atypes[nr][0] = &ffi_type_pointer;
		for (int i = 0; i < d->nargs; i++) atypes[nr][i + 1] = ffi_of(d->args[i]);
		if (ffi_prep_cif(&cifs[nr], FFI_DEFAULT_ABI, d->nargs + 1, &ffi_type_slong,
				 atypes[nr]) != FFI_OK) {
			log_err("libffi cannot prepare the handler of %s", d->name);
			return -EINVAL;
		}
	}
	return 0;
}

long dispatch_call(struct sysreq *req)
{
	const struct syscall_desc *d = syscall_desc(req->nr);
	union { int i; unsigned u; long l; unsigned long ul; uint64_t p; } val[6];
	void *avalues[7];
	struct sysreq *rp = req;
	ffi_arg rc;

	if (!d || !d->handler) log_bug("dispatch of syscall %ld without handler", req->nr);
	avalues[0] = &rp;
	for (int i = 0; i < d->nargs; i++) {
		uint64_t raw = req->args[i];
		switch (arg_ctype(d->args[i])) {
		case CT_INT: val[i].i = (int)raw; break;
		case CT_UINT: val[i].u = (unsigned)raw; break;
		case CT_LONG: val[i].l = (long)raw; break;
		case CT_ULONG: val[i].ul = raw; break;
		default: val[i].p = raw; break;
		}
		avalues[i + 1] = &val[i];
	}
	ffi_call(&cifs[req->nr], FFI_FN(d->handler), &rc, avalues);
	return (long)rc;
}
