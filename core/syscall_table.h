/* core/syscall_table.h - the one declarative x86-64 syscall table.
 *
 * Each row (core/syscall_table.c) says everything Persona knows about a syscall:
 * argument and return types, strace class, handler, support status and when to
 * trap it. The seccomp filter builder (filter.c), the dispatcher (dispatch.c), the
 * tracer's decoder and the generated docs/compat.md all read this table; nothing
 * about a syscall is written anywhere else. Names and numbers come from libseccomp's
 * resolver, not from a list of our own.
 *
 * Thread: the table is built once by syscall_table_init() before any guest runs and
 * is read-only afterwards, so any thread may read it. */
#ifndef PERSONA_SYSCALL_TABLE_H
#define PERSONA_SYSCALL_TABLE_H
#include <stdint.h>
#include <stdbool.h>

#define SYSCALL_MAX 512		/* x86-64 numbers are below this (462 in Linux 6.12) */

/* Argument types. The C type a handler receives is derived from the type (see
 * arg_ctype()); the tracer decodes by the same type. */
enum arg_type {
	A_NONE = 0,
	A_INT, A_UINT, A_LONG, A_ULONG, A_HEX,	/* plain numbers */
	A_SIZE, A_SSIZE, A_OFF,			/* size_t, ssize_t, off_t */
	A_PTR,					/* guest pointer, printed in hex */
	A_FD, A_DIRFD, A_PID, A_SIG,		/* int-valued handles */
	A_PATH, A_STR,				/* guest NUL-terminated strings */
	A_BUF,					/* guest buffer; length: next arg (in), result (out) */
	A_OPEN_FLAGS, A_MODE, A_ATFLAGS, A_ACCESS_MODE,
	A_PROT, A_MAP_FLAGS, A_CLONE_FLAGS, A_WAIT_OPTIONS, A_SIGHOW,
	A_FCNTL_CMD, A_IOCTL_CMD, A_PRCTL_OPT, A_WHENCE, A_RLIMIT_RES,
	A_SOCK_FAMILY, A_SOCK_TYPE, A_CLOCKID, A_IDTYPE, A_WHICH_PRIO,
	A_FUTEX_OP, A_ARCH_PRCTL, A_MADV, A_SECCOMP_OP,
	/* pointers to structures, decoded by the tracer */
	A_STAT, A_STATX, A_TIMESPEC, A_TIMEVAL, A_RLIMIT, A_SIGACTION, A_SIGSET,
	A_IOVEC, A_SOCKADDR, A_POLLFD, A_UTSNAME, A_WSTATUS, A_SIGINFO, A_RUSAGE,
	A_ARGV, A_ENVP, A_CLONE_ARGS, A_ITIMERVAL, A_SIGSTACK, A_DIRENTS, A_FDPAIR,
	A_SYSINFO, A_TMS, A_SCHED_PARAM, A_CPUSET, A_MSGHDR, A_EPOLL_EVENT, A_FD_SET,
	/* finer types for the tracer's decoder (services/trace/decode*.c) */
	A_NORETURN,				/* result: the call does not return */
	A_O_FLAGS,				/* O_* flags without an access mode */
	A_UNSHARE_FLAGS, A_STATX_MASK, A_EPOLL_FLAGS, A_EFD_FLAGS, A_TFD_FLAGS,
	A_SFD_FLAGS, A_IN_FLAGS, A_MFD_FLAGS, A_SOCK_FLAGS, A_GRND_FLAGS, A_MSG_FLAGS,
	A_MREMAP_FLAGS, A_MSYNC_FLAGS, A_MLOCKALL_FLAGS, A_TIMER_FLAGS, A_RENAME_FLAGS,
	A_FLOCK_OP, A_XATTR_FLAGS, A_UMOUNT_FLAGS, A_RWF_FLAGS, A_SPLICE_FLAGS,
	A_CLOSE_RANGE_FLAGS, A_RUSAGE_WHO, A_FADVICE, A_EPOLL_OP, A_SHUT_HOW,
	A_ITIMER_WHICH, A_SCHED_POLICY,		/* named constants */
	A_SOCK_PROTO,				/* protocol, named by the family argument */
	A_SOCKOPT_LEVEL,			/* level; owns optname, optval, optlen */
	A_DEV,					/* mknod's device, shown for S_IFCHR/S_IFBLK */
	A_RANDBUF,				/* buffer shown in hex (getrandom) */
	A_CWD,					/* path written by the call (getcwd) */
	A_SOCKLEN,				/* pointer to a socklen_t: [16] */
	A_INTPTR,				/* pointer to an int: [0] */
	A_GROUPS,				/* gid array, count: the other argument/result */
	A_LOFF_PTR,				/* pointer to a loff_t offset, or NULL */
	A_UTIMES,				/* struct timespec[2] with UTIME_NOW/OMIT */
	A_STATFS, A_ITIMERSPEC,			/* structures */
	A_TIMESPEC_REM,				/* remaining time, shown only after EINTR */
	A_SIGFRAME,				/* not a register: the signal frame
						 * rt_sigreturn restores, found from the
						 * stack pointer */
	A_TFD_TIMER_FLAGS, A_INOTIFY_MASK, A_MOUNT_FLAGS,
	A_PERSONALITY,				/* result: PER_* in a comment */
	A_TIME_T,				/* result: seconds and their date */
	A_LOFF_INOUT,				/* loff_t * the call advances: [0] => [42] */
	A_TYPE_COUNT,
	A_OUT = 0x80,	/* flag: the call writes this argument (decoded at exit) */
};
#define A_TYPE(t) ((enum arg_type)((t) & ~A_OUT))
#define A_IS_OUT(t) (((t) & A_OUT) != 0)

/* strace's classes (-e trace=%file ...): a row may be in several */
enum syscall_class {
	CL_FILE = 1 << 0, CL_PROCESS = 1 << 1, CL_MEMORY = 1 << 2, CL_SIGNAL = 1 << 3,
	CL_IPC = 1 << 4, CL_NETWORK = 1 << 5, CL_DESC = 1 << 6, CL_CREDS = 1 << 7,
	CL_CLOCK = 1 << 8, CL_STAT = 1 << 9, CL_PURE = 1 << 10,
};

enum syscall_status {
	ST_UNKNOWN = 0,		/* not in the table: passes natively, ENOSYS under --strict */
	ST_NATIVE,		/* known, needs no emulation: runs natively, untrapped */
	ST_EMULATED,		/* trapped; the handler implements or rewrites it */
	ST_REFUSED,		/* trapped; refused with the errno Linux gives an unprivileged process */
};

/* Trap only when argument `arg` passes a test (seccomp compares arguments, never
 * strings): TRAP_IF_ONE_OF (low 32 bits equal one of `values`: ioctl only for the
 * job-control requests), TRAP_IF_NONZERO (a pid argument; 0 means the caller and
 * needs no translation), TRAP_IF_CLEAR (none of the bits in `mask` set: fstat's
 * newfstatat(fd, "", AT_EMPTY_PATH) names no path). */
enum trap_op { TRAP_IF_ONE_OF, TRAP_IF_NONZERO, TRAP_IF_CLEAR };
struct trap_cond {
	uint8_t arg;
	uint8_t op;		/* enum trap_op */
	uint8_t count;
	uint64_t mask;
	uint64_t values[6];
};

struct syscall_desc {
	const char *name;		/* from libseccomp; NULL for unassigned numbers */
	uint8_t nargs;
	uint8_t status;			/* enum syscall_status */
	uint16_t cls;			/* enum syscall_class bits */
	uint8_t ret;			/* enum arg_type of the result */
	uint8_t args[6];		/* enum arg_type */
	void *handler;			/* natural C prototype, see dispatch.h; NULL = native */
	const struct trap_cond *when;	/* NULL = trap always (if handler) */
	const char *note;		/* for docs/compat.md */
	bool every_ns;			/* handler runs for tasks in nested pid namespaces too */
	bool needs_mm;			/* the memory manager's: trapped only when it is on */
};

/* Builds the table: names from libseccomp, rows from syscall_table.c. Returns 0 or -errno. */
int syscall_table_init(void);
/* Row for `nr`, or NULL when nr is out of range. Rows exist for every number. */
const struct syscall_desc *syscall_desc(long nr);
/* Number for a name, or -1 (libseccomp's resolver). */
long syscall_lookup(const char *name);
/* Whether a syscall must be trapped in the default mode (a handler exists). */
bool syscall_is_trapped(const struct syscall_desc *d);
/* Human names, for docs and messages */
const char *syscall_class_names(unsigned cls, char *buf, unsigned len);
const char *syscall_status_name(unsigned status);
#endif
