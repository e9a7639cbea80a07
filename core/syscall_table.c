/* core/syscall_table.c - the rows of the one syscall table (see syscall_table.h).
 *
 * ROW(name, classes, status, return type, handler, argument types...)
 * Rows are indexed by libseccomp's SCMP_SYS(name) (the kernel's __NR_ numbers); the
 * name strings are filled in by syscall_table_init() from libseccomp's resolver, for
 * every number, so syscalls without a row still have their name. A row without a
 * handler is ST_NATIVE; the trap condition of a handled row, if any, is WHEN(...). */
#include <errno.h>
#include <signal.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <fcntl.h>
#include <sys/time.h>
#include <time.h>
#include "core/syscall_table.h"
#include "services/pm/pm.h"
#include "services/sched/sched_syscalls.h"
#include "services/procfs/procfs.h"
#include "services/time/time.h"
#include "services/mm/mm.h"
#include "loader/exec.h"

/* an argument the call writes */
#define O(t) ((t) | A_OUT)
#define NARGS(...) (sizeof((uint8_t[]){ 0, ##__VA_ARGS__ }) - 1)
#define ROW_(nm, cl, st, rt, h, w, ...) \
	[SCMP_SYS(nm)] = { .status = (st), .cls = (cl), .ret = (rt), .handler = (void *)(h), \
			   .when = (w), .nargs = NARGS(__VA_ARGS__), .args = { __VA_ARGS__ } }
/* natively run, known */
#define N(nm, cl, rt, ...)	ROW_(nm, cl, ST_NATIVE, rt, NULL, NULL, ##__VA_ARGS__)
/* emulated or rewritten by a handler, trapped always */
#define E(nm, cl, rt, h, ...)	ROW_(nm, cl, ST_EMULATED, rt, h, NULL, ##__VA_ARGS__)
/* trapped only when the condition holds */
#define EW(nm, cl, rt, h, w, ...) ROW_(nm, cl, ST_EMULATED, rt, h, w, ##__VA_ARGS__)
/* emulated, and the handler runs for tasks of nested pid namespaces too (the others
 * only translate ids into Persona's namespace, which a nested one has replaced) */
#define EN(nm, cl, rt, h, ...)	[SCMP_SYS(nm)] = { .status = ST_EMULATED, .cls = (cl), .ret = (rt), \
	.handler = (void *)(h), .every_ns = true, .nargs = NARGS(__VA_ARGS__), .args = { __VA_ARGS__ } }
/* the memory manager's: emulated for every task, trapped only while it is on (--mm) */
#define EM(nm, cl, rt, h, ...)	[SCMP_SYS(nm)] = { .status = ST_EMULATED, .cls = (cl), .ret = (rt), \
	.handler = (void *)(h), .every_ns = true, .needs_mm = true, .nargs = NARGS(__VA_ARGS__), \
	.args = { __VA_ARGS__ } }
/* the memory manager's, trapped under a condition */
#define EMW(nm, cl, rt, h, w, ...)	[SCMP_SYS(nm)] = { .status = ST_EMULATED, .cls = (cl), .ret = (rt), \
	.handler = (void *)(h), .when = (w), .every_ns = true, .needs_mm = true, \
	.nargs = NARGS(__VA_ARGS__), .args = { __VA_ARGS__ } }
/* trapped and refused by policy */
#define R(nm, cl, rt, h, ...)	[SCMP_SYS(nm)] = { .status = ST_REFUSED, .cls = (cl), .ret = (rt), \
	.handler = (void *)(h), .every_ns = true, .nargs = NARGS(__VA_ARGS__), .args = { __VA_ARGS__ } }

#define F CL_FILE
#define P CL_PROCESS
#define M CL_MEMORY
#define S CL_SIGNAL
#define I CL_IPC
#define NW CL_NETWORK
#define D CL_DESC
#define C CL_CREDS
#define CK CL_CLOCK
#define ST CL_STAT
#define PU CL_PURE

/* job-control ids cross the boundary in these requests only */
#define ONE_OF(a, n, ...) { .arg = (a), .op = TRAP_IF_ONE_OF, .count = (n), .values = { __VA_ARGS__ } }
static const struct trap_cond ioctl_jobctl = ONE_OF(1, 3, TIOCSPGRP, TIOCGPGRP, TIOCGSID);
static const struct trap_cond fcntl_owner = ONE_OF(1, 5, F_SETOWN, F_GETOWN, F_SETOWN_EX, F_GETOWN_EX, F_GETLK);
static const struct trap_cond sockopt_peercred = ONE_OF(2, 1, SO_PEERCRED);
static const struct trap_cond fault_signals = ONE_OF(0, 2, SIGSEGV, SIGBUS);
static const struct trap_cond prctl_tracked = ONE_OF(0, 3, PR_SET_CHILD_SUBREAPER, PR_GET_CHILD_SUBREAPER,
						      PR_SET_SECCOMP);
static const struct trap_cond pid0_named = { .arg = 0, .op = TRAP_IF_NONZERO };
static const struct trap_cond who1_named = { .arg = 1, .op = TRAP_IF_NONZERO };
static const struct trap_cond ptr1_given = { .arg = 1, .op = TRAP_IF_NONZERO };
static const struct trap_cond ptr2_given = { .arg = 2, .op = TRAP_IF_NONZERO };
/* fstat is newfstatat(fd, "", buf, AT_EMPTY_PATH): no path to translate. A guest that
 * passes a /proc path *with* AT_EMPTY_PATH sees the host's entry (documented). */
static const struct trap_cond fstatat_path = { .arg = 3, .op = TRAP_IF_CLEAR, .mask = AT_EMPTY_PATH };
static const struct trap_cond statx_path = { .arg = 2, .op = TRAP_IF_CLEAR, .mask = AT_EMPTY_PATH };
/* services/time emulates these clocks and ITIMER_REAL; CPU-time clocks and
 * ITIMER_VIRTUAL/ITIMER_PROF run untrapped */
static const struct trap_cond clock_emulated = ONE_OF(0, 4, CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME, CLOCK_TAI);
static const struct trap_cond itimer_real = ONE_OF(0, 1, ITIMER_REAL);

static struct syscall_desc table[SYSCALL_MAX] = {
	/* file descriptors and I/O */
	N(read, D, A_SSIZE, A_FD, O(A_BUF), A_SIZE),
	N(write, D, A_SSIZE, A_FD, A_BUF, A_SIZE),
	N(pread64, D, A_SSIZE, A_FD, O(A_BUF), A_SIZE, A_OFF),
	N(pwrite64, D, A_SSIZE, A_FD, A_BUF, A_SIZE, A_OFF),
	N(readv, D, A_SSIZE, A_FD, O(A_IOVEC), A_INT),
	N(writev, D, A_SSIZE, A_FD, A_IOVEC, A_INT),
	N(preadv, D, A_SSIZE, A_FD, O(A_IOVEC), A_INT, A_OFF),
	N(pwritev, D, A_SSIZE, A_FD, A_IOVEC, A_INT, A_OFF),
	N(preadv2, D, A_SSIZE, A_FD, O(A_IOVEC), A_INT, A_OFF, A_ULONG, A_RWF_FLAGS),
	N(pwritev2, D, A_SSIZE, A_FD, A_IOVEC, A_INT, A_OFF, A_ULONG, A_RWF_FLAGS),
	N(close, D, A_INT, A_FD),
	N(close_range, PU, A_INT, A_UINT, A_UINT, A_CLOSE_RANGE_FLAGS),
	N(dup, D, A_FD, A_FD),
	N(dup2, D, A_FD, A_FD, A_FD),
	N(dup3, D, A_FD, A_FD, A_FD, A_O_FLAGS),
	N(lseek, D, A_OFF, A_FD, A_OFF, A_WHENCE),
	N(pipe, D, A_INT, O(A_FDPAIR)),
	N(pipe2, D, A_INT, O(A_FDPAIR), A_O_FLAGS),
	EW(ioctl, D, A_INT, sys_ioctl, &ioctl_jobctl, A_FD, A_IOCTL_CMD, A_PTR),
	EW(fcntl, D, A_INT, sys_fcntl, &fcntl_owner, A_FD, A_FCNTL_CMD, A_ULONG),
	N(flock, D, A_INT, A_FD, A_FLOCK_OP),
	N(fsync, D, A_INT, A_FD),
	N(fdatasync, D, A_INT, A_FD),
	N(sync, 0, A_INT),
	N(syncfs, D, A_INT, A_FD),
	N(ftruncate, D, A_INT, A_FD, A_OFF),
	N(fallocate, D, A_INT, A_FD, A_INT, A_OFF, A_OFF),
	N(fadvise64, D, A_INT, A_FD, A_OFF, A_OFF, A_FADVICE),
	N(readahead, D, A_SSIZE, A_FD, A_OFF, A_SIZE),
	N(sendfile, D | NW, A_SSIZE, A_FD, A_FD, A_LOFF_INOUT, A_SIZE),
	N(splice, D, A_SSIZE, A_FD, A_LOFF_PTR, A_FD, A_LOFF_PTR, A_SIZE, A_SPLICE_FLAGS),
	N(tee, D, A_SSIZE, A_FD, A_FD, A_SIZE, A_SPLICE_FLAGS),
	N(copy_file_range, D, A_SSIZE, A_FD, A_LOFF_PTR, A_FD, A_LOFF_PTR, A_SIZE, A_HEX),
	N(select, D, A_INT, A_INT, A_FD_SET, A_FD_SET, A_FD_SET, A_TIMEVAL),
	N(pselect6, D, A_INT, A_INT, A_FD_SET, A_FD_SET, A_FD_SET, A_TIMESPEC, A_PTR),
	N(poll, D, A_INT, A_POLLFD, A_UINT, A_INT),
	N(ppoll, D, A_INT, A_POLLFD, A_UINT, A_TIMESPEC, A_SIGSET, A_SIZE),
	N(epoll_create, D, A_FD, A_INT),
	N(epoll_create1, D, A_FD, A_EPOLL_FLAGS),
	N(epoll_ctl, D, A_INT, A_FD, A_EPOLL_OP, A_FD, A_EPOLL_EVENT),
	N(epoll_wait, D, A_INT, A_FD, O(A_EPOLL_EVENT), A_INT, A_INT),
	N(epoll_pwait, D, A_INT, A_FD, O(A_EPOLL_EVENT), A_INT, A_INT, A_SIGSET, A_SIZE),
	N(epoll_pwait2, D, A_INT, A_FD, O(A_EPOLL_EVENT), A_INT, A_TIMESPEC, A_SIGSET, A_SIZE),
	N(eventfd, D, A_FD, A_UINT),
	N(eventfd2, D, A_FD, A_UINT, A_EFD_FLAGS),
	N(signalfd, D | S, A_FD, A_FD, A_SIGSET, A_SIZE),
	N(signalfd4, D | S, A_FD, A_FD, A_SIGSET, A_SIZE, A_SFD_FLAGS),
	N(timerfd_create, D, A_FD, A_CLOCKID, A_TFD_FLAGS),
	N(timerfd_settime, D, A_INT, A_FD, A_TFD_TIMER_FLAGS, A_ITIMERSPEC, O(A_ITIMERSPEC)),
	N(timerfd_gettime, D, A_INT, A_FD, O(A_ITIMERSPEC)),
	N(inotify_init, D, A_FD),
	N(inotify_init1, D, A_FD, A_IN_FLAGS),
	N(inotify_add_watch, D | F, A_INT, A_FD, A_PATH, A_INOTIFY_MASK),
	N(inotify_rm_watch, D, A_INT, A_FD, A_INT),
	N(memfd_create, D, A_FD, A_STR, A_MFD_FLAGS),
	N(io_uring_setup, D, A_FD, A_UINT, A_PTR),
	N(io_uring_enter, D | S, A_INT, A_FD, A_UINT, A_UINT, A_UINT, A_PTR, A_SIZE),
	N(io_uring_register, D | M, A_INT, A_FD, A_UINT, A_PTR, A_UINT),

	/* files and paths; path syscalls that can name /proc/PID are translated */
	E(open, D | F, A_FD, sys_open, A_PATH, A_OPEN_FLAGS, A_MODE),
	E(openat, D | F, A_FD, sys_openat, A_DIRFD, A_PATH, A_OPEN_FLAGS, A_MODE),
	E(openat2, D | F, A_FD, sys_openat2, A_DIRFD, A_PATH, A_PTR, A_SIZE),
	E(creat, D | F, A_FD, sys_creat, A_PATH, A_MODE),
	E(stat, F | ST, A_INT, sys_stat, A_PATH, O(A_STAT)),
	E(lstat, F | ST, A_INT, sys_lstat, A_PATH, O(A_STAT)),
	N(fstat, D | ST, A_INT, A_FD, O(A_STAT)),
	EW(newfstatat, D | F | ST, A_INT, sys_newfstatat, &fstatat_path, A_DIRFD, A_PATH, O(A_STAT), A_ATFLAGS),
	EW(statx, D | F | ST, A_INT, sys_statx, &statx_path, A_DIRFD, A_PATH, A_ATFLAGS, A_STATX_MASK, O(A_STATX)),
	N(statfs, F, A_INT, A_PATH, O(A_STATFS)),
	N(fstatfs, D, A_INT, A_FD, O(A_STATFS)),
	E(access, F, A_INT, sys_access, A_PATH, A_ACCESS_MODE),
	E(faccessat, D | F, A_INT, sys_faccessat, A_DIRFD, A_PATH, A_ACCESS_MODE),
	E(faccessat2, D | F, A_INT, sys_faccessat2, A_DIRFD, A_PATH, A_ACCESS_MODE, A_ATFLAGS),
	E(readlink, F, A_SSIZE, sys_readlink, A_PATH, O(A_BUF), A_SIZE),
	E(readlinkat, D | F, A_SSIZE, sys_readlinkat, A_DIRFD, A_PATH, O(A_BUF), A_SIZE),
	E(getdents64, D, A_SSIZE, sys_getdents64, A_FD, O(A_DIRENTS), A_UINT),
	N(getdents, D, A_SSIZE, A_FD, O(A_DIRENTS), A_UINT),
	E(chdir, F, A_INT, sys_chdir, A_PATH),
	N(fchdir, D, A_INT, A_FD),
	N(getcwd, F, A_SSIZE, O(A_CWD), A_SIZE),
	N(mkdir, F, A_INT, A_PATH, A_MODE),
	N(mkdirat, D | F, A_INT, A_DIRFD, A_PATH, A_MODE),
	N(rmdir, F, A_INT, A_PATH),
	N(unlink, F, A_INT, A_PATH),
	N(unlinkat, D | F, A_INT, A_DIRFD, A_PATH, A_ATFLAGS),
	N(rename, F, A_INT, A_PATH, A_PATH),
	N(renameat, D | F, A_INT, A_DIRFD, A_PATH, A_DIRFD, A_PATH),
	N(renameat2, D | F, A_INT, A_DIRFD, A_PATH, A_DIRFD, A_PATH, A_RENAME_FLAGS),
	N(link, F, A_INT, A_PATH, A_PATH),
	N(linkat, D | F, A_INT, A_DIRFD, A_PATH, A_DIRFD, A_PATH, A_ATFLAGS),
	N(symlink, F, A_INT, A_PATH, A_PATH),
	N(symlinkat, D | F, A_INT, A_PATH, A_DIRFD, A_PATH),
	N(chmod, F, A_INT, A_PATH, A_MODE),
	N(fchmod, D, A_INT, A_FD, A_MODE),
	N(fchmodat, D | F, A_INT, A_DIRFD, A_PATH, A_MODE),
	N(chown, F, A_INT, A_PATH, A_INT, A_INT),
	N(fchown, D, A_INT, A_FD, A_INT, A_INT),
	N(lchown, F, A_INT, A_PATH, A_INT, A_INT),
	N(fchownat, D | F, A_INT, A_DIRFD, A_PATH, A_INT, A_INT, A_ATFLAGS),
	E(truncate, F, A_INT, sys_truncate, A_PATH, A_OFF),
	N(utimensat, D | F, A_INT, A_DIRFD, A_PATH, A_UTIMES, A_ATFLAGS),
	N(utime, F, A_INT, A_PATH, A_PTR),
	N(utimes, F, A_INT, A_PATH, A_PTR),
	N(futimesat, D | F, A_INT, A_DIRFD, A_PATH, A_PTR),
	N(mknod, F, A_INT, A_PATH, A_MODE, A_DEV),
	N(mknodat, D | F, A_INT, A_DIRFD, A_PATH, A_MODE, A_DEV),
	N(umask, PU, A_MODE, A_MODE),
	N(getxattr, F, A_SSIZE, A_PATH, A_STR, O(A_BUF), A_SIZE),
	N(lgetxattr, F, A_SSIZE, A_PATH, A_STR, O(A_BUF), A_SIZE),
	N(fgetxattr, D, A_SSIZE, A_FD, A_STR, O(A_BUF), A_SIZE),
	N(listxattr, F, A_SSIZE, A_PATH, O(A_BUF), A_SIZE),
	N(llistxattr, F, A_SSIZE, A_PATH, O(A_BUF), A_SIZE),
	N(flistxattr, D, A_SSIZE, A_FD, O(A_BUF), A_SIZE),
	N(setxattr, F, A_INT, A_PATH, A_STR, A_BUF, A_SIZE, A_XATTR_FLAGS),
	N(lsetxattr, F, A_INT, A_PATH, A_STR, A_BUF, A_SIZE, A_XATTR_FLAGS),
	N(fsetxattr, D, A_INT, A_FD, A_STR, A_BUF, A_SIZE, A_XATTR_FLAGS),
	N(chroot, F, A_INT, A_PATH),
	N(mount, F, A_INT, A_STR, A_PATH, A_STR, A_MOUNT_FLAGS, A_STR),
	N(umount2, F, A_INT, A_PATH, A_UMOUNT_FLAGS),

	/* memory */
	EM(mmap, D | M, A_PTR, sys_mmap, A_PTR, A_SIZE, A_PROT, A_MAP_FLAGS, A_FD, A_HEX),
	EM(munmap, M, A_INT, sys_munmap, A_PTR, A_SIZE),
	EM(mprotect, M, A_INT, sys_mprotect, A_PTR, A_SIZE, A_PROT),
	EM(brk, M, A_PTR, sys_brk, A_PTR),
	EM(mremap, M, A_PTR, sys_mremap, A_PTR, A_SIZE, A_SIZE, A_MREMAP_FLAGS, A_PTR),
	EM(madvise, M, A_INT, sys_madvise, A_PTR, A_SIZE, A_MADV),
	N(mincore, M, A_INT, A_PTR, A_SIZE, O(A_PTR)),
	N(msync, M, A_INT, A_PTR, A_SIZE, A_MSYNC_FLAGS),
	EM(mlock, M, A_INT, sys_mlock, A_PTR, A_SIZE),
	EM(munlock, M, A_INT, sys_munlock, A_PTR, A_SIZE),
	EM(mlock2, M, A_INT, sys_mlock2, A_PTR, A_SIZE, A_UINT),
	EM(mlockall, M, A_INT, sys_mlockall, A_MLOCKALL_FLAGS),
	EM(munlockall, M, A_INT, sys_munlockall),
	N(membarrier, M, A_INT, A_INT, A_UINT, A_INT),
	N(pkey_mprotect, M, A_INT, A_PTR, A_SIZE, A_PROT, A_INT),

	/* processes */
	E(getpid, P | PU, A_PID, sys_getpid),
	E(getppid, PU, A_PID, sys_getppid),
	E(gettid, PU, A_PID, sys_gettid),
	E(set_tid_address, P, A_PID, sys_set_tid_address, A_PTR),
	EN(fork, P, A_PID, sys_fork),
	EN(vfork, P, A_PID, sys_vfork),
	EN(clone, P, A_PID, sys_clone, A_CLONE_FLAGS, A_PTR, A_PTR, A_PTR, A_PTR),
	EN(clone3, P, A_PID, sys_clone3, A_CLONE_ARGS, A_SIZE),
	EN(execve, F | P, A_INT, loader_sys_execve, A_PATH, A_ARGV, A_ENVP),
	EN(execveat, D | F | P, A_INT, loader_sys_execveat, A_DIRFD, A_PATH, A_ARGV, A_ENVP, A_ATFLAGS),
	N(exit, P, A_NORETURN, A_INT),
	N(exit_group, P, A_NORETURN, A_INT),
	E(wait4, P, A_PID, sys_wait4, A_PID, O(A_WSTATUS), A_WAIT_OPTIONS, O(A_RUSAGE)),
	E(waitid, P, A_INT, sys_waitid, A_IDTYPE, A_PID, O(A_SIGINFO), A_WAIT_OPTIONS, O(A_RUSAGE)),
	E(getpgid, PU, A_PID, sys_getpgid, A_PID),
	E(getpgrp, PU, A_PID, sys_getpgrp),
	E(setpgid, 0, A_INT, sys_setpgid, A_PID, A_PID),
	E(getsid, 0, A_PID, sys_getsid, A_PID),
	E(setsid, 0, A_PID, sys_setsid),
	EW(prlimit64, 0, A_INT, sys_prlimit64, &pid0_named, A_PID, A_RLIMIT_RES, A_RLIMIT, O(A_RLIMIT)),
	N(getrlimit, 0, A_INT, A_RLIMIT_RES, O(A_RLIMIT)),
	N(setrlimit, 0, A_INT, A_RLIMIT_RES, A_RLIMIT),
	N(getrusage, 0, A_INT, A_RUSAGE_WHO, O(A_RUSAGE)),
	N(times, 0, A_LONG, O(A_TMS)),
	E(sched_setaffinity, 0, A_INT, sys_sched_setaffinity, A_PID, A_SIZE, A_CPUSET),
	E(sched_getaffinity, 0, A_INT, sys_sched_getaffinity, A_PID, A_SIZE, O(A_CPUSET)),
	E(sched_setscheduler, 0, A_INT, sys_sched_setscheduler, A_PID, A_INT, A_SCHED_PARAM),
	E(sched_getscheduler, 0, A_SCHED_POLICY, sys_sched_getscheduler, A_PID),
	E(sched_setparam, 0, A_INT, sys_sched_setparam, A_PID, A_SCHED_PARAM),
	E(sched_getparam, 0, A_INT, sys_sched_getparam, A_PID, O(A_SCHED_PARAM)),
	E(sched_rr_get_interval, 0, A_INT, sys_sched_rr_get_interval, A_PID, O(A_TIMESPEC)),
	E(sched_setattr, 0, A_INT, sys_sched_setattr, A_PID, A_PTR, A_UINT),
	E(sched_getattr, 0, A_INT, sys_sched_getattr, A_PID, O(A_PTR), A_UINT, A_UINT),
	E(sched_yield, 0, A_INT, sys_sched_yield),
	E(getcpu, 0, A_INT, sys_getcpu, O(A_INTPTR), O(A_INTPTR), A_PTR),
	N(sched_get_priority_max, 0, A_INT, A_INT),
	N(sched_get_priority_min, 0, A_INT, A_INT),
	E(getpriority, 0, A_INT, sys_getpriority, A_WHICH_PRIO, A_INT),
	E(setpriority, 0, A_INT, sys_setpriority, A_WHICH_PRIO, A_INT, A_INT),
	EW(ioprio_get, 0, A_INT, sys_ioprio_get, &who1_named, A_INT, A_INT),
	EW(ioprio_set, 0, A_INT, sys_ioprio_set, &who1_named, A_INT, A_INT, A_INT),
	EW(get_robust_list, 0, A_INT, sys_get_robust_list, &pid0_named, A_PID, O(A_PTR), O(A_PTR)),
	N(set_robust_list, 0, A_INT, A_PTR, A_SIZE),
	E(process_vm_readv, 0, A_SSIZE, sys_process_vm_readv, A_PID, A_IOVEC, A_ULONG, A_IOVEC, A_ULONG, A_HEX),
	E(process_vm_writev, 0, A_SSIZE, sys_process_vm_writev, A_PID, A_IOVEC, A_ULONG, A_IOVEC, A_ULONG, A_HEX),
	E(kcmp, 0, A_INT, sys_kcmp, A_PID, A_PID, A_INT, A_ULONG, A_ULONG),
	E(pidfd_open, D, A_FD, sys_pidfd_open, A_PID, A_UINT),
	EW(pidfd_send_signal, D | S, A_INT, sys_pidfd_send_signal, &ptr2_given, A_FD, A_SIG, A_SIGINFO, A_UINT),
	N(pidfd_getfd, D, A_FD, A_FD, A_FD, A_UINT),
	R(ptrace, 0, A_LONG, sys_ptrace, A_LONG, A_PID, A_PTR, A_PTR),
	EN(seccomp, 0, A_INT, sys_seccomp, A_SECCOMP_OP, A_HEX, A_PTR),
	EW(prctl, 0, A_INT, sys_prctl, &prctl_tracked, A_PRCTL_OPT, A_ULONG, A_ULONG, A_ULONG, A_ULONG),
	N(arch_prctl, P, A_INT, A_ARCH_PRCTL, A_PTR),
	EM(rseq, 0, A_INT, sys_rseq, A_PTR, A_HEX, A_HEX, A_HEX),
	N(futex, 0, A_INT, A_PTR, A_FUTEX_OP, A_UINT, A_PTR, A_PTR, A_UINT),
	N(uname, 0, A_INT, O(A_UTSNAME)),
	N(sysinfo, 0, A_INT, O(A_SYSINFO)),
	N(getrandom, 0, A_SSIZE, O(A_RANDBUF), A_SIZE, A_GRND_FLAGS),
	N(personality, P, A_PERSONALITY, A_HEX),
	EN(unshare, P, A_INT, sys_unshare, A_UNSHARE_FLAGS),
	EN(setns, D, A_INT, sys_setns, A_FD, A_UNSHARE_FLAGS),
	N(sethostname, 0, A_INT, A_STR, A_INT),

	/* credentials */
	N(getuid, C | PU, A_INT),
	N(geteuid, C | PU, A_INT),
	N(getgid, C | PU, A_INT),
	N(getegid, C | PU, A_INT),
	N(setuid, C, A_INT, A_INT),
	N(setgid, C, A_INT, A_INT),
	N(setreuid, C, A_INT, A_INT, A_INT),
	N(setregid, C, A_INT, A_INT, A_INT),
	N(setresuid, C, A_INT, A_INT, A_INT, A_INT),
	N(setresgid, C, A_INT, A_INT, A_INT, A_INT),
	N(getresuid, C, A_INT, O(A_INTPTR), O(A_INTPTR), O(A_INTPTR)),
	N(getresgid, C, A_INT, O(A_INTPTR), O(A_INTPTR), O(A_INTPTR)),
	N(getgroups, C, A_INT, A_INT, O(A_GROUPS)),
	N(setgroups, C, A_INT, A_INT, A_GROUPS),
	N(setfsuid, C, A_INT, A_INT),
	N(setfsgid, C, A_INT, A_INT),
	E(capget, C, A_INT, sys_capget, A_PTR, O(A_PTR)),
	E(capset, C, A_INT, sys_capset, A_PTR, A_PTR),

	/* signals */
	EMW(rt_sigaction, S, A_INT, sys_rt_sigaction, &fault_signals, A_SIG, A_SIGACTION, O(A_SIGACTION), A_SIZE),
	N(rt_sigprocmask, S, A_INT, A_SIGHOW, A_SIGSET, O(A_SIGSET), A_SIZE),
	N(rt_sigreturn, S, A_INT, A_SIGFRAME),
	N(rt_sigsuspend, S, A_INT, A_SIGSET, A_SIZE),
	N(rt_sigpending, S, A_INT, O(A_SIGSET), A_SIZE),
	EW(rt_sigtimedwait, S, A_SIG, sys_rt_sigtimedwait, &ptr1_given, A_SIGSET, O(A_SIGINFO), A_TIMESPEC, A_SIZE),
	EM(sigaltstack, S, A_INT, sys_sigaltstack, A_SIGSTACK, O(A_SIGSTACK)),
	N(pause, S, A_INT),
	E(kill, S | P, A_INT, sys_kill, A_PID, A_SIG),
	E(tkill, S, A_INT, sys_tkill, A_PID, A_SIG),
	E(tgkill, S, A_INT, sys_tgkill, A_PID, A_PID, A_SIG),
	E(rt_sigqueueinfo, S, A_INT, sys_rt_sigqueueinfo, A_PID, A_SIG, A_SIGINFO),
	E(rt_tgsigqueueinfo, S | P, A_INT, sys_rt_tgsigqueueinfo, A_PID, A_PID, A_SIG, A_SIGINFO),

	/* time */
	E(nanosleep, 0, A_INT, sys_nanosleep, A_TIMESPEC, O(A_TIMESPEC_REM)),
	EW(clock_nanosleep, CK, A_INT, sys_clock_nanosleep, &clock_emulated, A_CLOCKID, A_TIMER_FLAGS, A_TIMESPEC, O(A_TIMESPEC_REM)),
	N(clock_gettime, CK, A_INT, A_CLOCKID, O(A_TIMESPEC)),
	N(clock_getres, CK, A_INT, A_CLOCKID, O(A_TIMESPEC)),
	N(clock_settime, CK, A_INT, A_CLOCKID, A_TIMESPEC),
	N(gettimeofday, CK, A_INT, O(A_TIMEVAL), O(A_PTR)),
	N(settimeofday, CK, A_INT, A_TIMEVAL, A_PTR),
	N(time, CK, A_TIME_T, O(A_PTR)),
	E(alarm, 0, A_UINT, sys_alarm, A_UINT),
	EW(getitimer, 0, A_INT, sys_getitimer, &itimer_real, A_ITIMER_WHICH, O(A_ITIMERVAL)),
	EW(setitimer, 0, A_INT, sys_setitimer, &itimer_real, A_ITIMER_WHICH, A_ITIMERVAL, O(A_ITIMERVAL)),
	E(timer_create, 0, A_INT, sys_timer_create, A_CLOCKID, A_PTR, O(A_PTR)),
	E(timer_settime, 0, A_INT, sys_timer_settime, A_INT, A_TIMER_FLAGS, A_ITIMERSPEC, O(A_ITIMERSPEC)),
	E(timer_gettime, 0, A_INT, sys_timer_gettime, A_INT, O(A_ITIMERSPEC)),
	E(timer_getoverrun, 0, A_INT, sys_timer_getoverrun, A_INT),
	E(timer_delete, 0, A_INT, sys_timer_delete, A_INT),

	/* network */
	N(socket, NW, A_FD, A_SOCK_FAMILY, A_SOCK_TYPE, A_SOCK_PROTO),
	N(socketpair, NW, A_INT, A_SOCK_FAMILY, A_SOCK_TYPE, A_SOCK_PROTO, O(A_FDPAIR)),
	N(bind, NW, A_INT, A_FD, A_SOCKADDR, A_INT),
	N(listen, NW, A_INT, A_FD, A_INT),
	N(accept, NW, A_FD, A_FD, O(A_SOCKADDR), A_SOCKLEN),
	N(accept4, NW, A_FD, A_FD, O(A_SOCKADDR), A_SOCKLEN, A_SOCK_FLAGS),
	N(connect, NW, A_INT, A_FD, A_SOCKADDR, A_INT),
	N(getsockname, NW, A_INT, A_FD, O(A_SOCKADDR), A_SOCKLEN),
	N(getpeername, NW, A_INT, A_FD, O(A_SOCKADDR), A_SOCKLEN),
	N(sendto, NW, A_SSIZE, A_FD, A_BUF, A_SIZE, A_MSG_FLAGS, A_SOCKADDR, A_INT),
	N(recvfrom, NW, A_SSIZE, A_FD, O(A_BUF), A_SIZE, A_MSG_FLAGS, O(A_SOCKADDR), A_SOCKLEN),
	N(sendmsg, NW, A_SSIZE, A_FD, A_MSGHDR, A_MSG_FLAGS),
	N(recvmsg, NW, A_SSIZE, A_FD, O(A_MSGHDR), A_MSG_FLAGS),
	N(sendmmsg, NW, A_INT, A_FD, A_PTR, A_UINT, A_MSG_FLAGS),
	N(recvmmsg, NW, A_INT, A_FD, A_PTR, A_UINT, A_MSG_FLAGS, A_TIMESPEC),
	N(shutdown, NW, A_INT, A_FD, A_SHUT_HOW),
	N(setsockopt, NW, A_INT, A_FD, A_SOCKOPT_LEVEL, A_INT, A_PTR, A_INT),
	EW(getsockopt, NW, A_INT, sys_getsockopt, &sockopt_peercred, A_FD, A_INT, A_INT, O(A_PTR), O(A_PTR)),

	/* System V and POSIX IPC */
	N(shmget, I, A_INT, A_INT, A_SIZE, A_HEX),
	N(shmat, I | M, A_PTR, A_INT, A_PTR, A_HEX),
	N(shmdt, I | M, A_INT, A_PTR),
	N(shmctl, I, A_INT, A_INT, A_INT, A_PTR),
	N(semget, I, A_INT, A_INT, A_INT, A_HEX),
	N(semop, I, A_INT, A_INT, A_PTR, A_SIZE),
	N(semctl, I, A_INT, A_INT, A_INT, A_INT, A_PTR),
	N(msgget, I, A_INT, A_INT, A_HEX),
	N(msgsnd, I, A_INT, A_INT, A_PTR, A_SIZE, A_HEX),
	N(msgrcv, I, A_SSIZE, A_INT, A_PTR, A_SIZE, A_LONG, A_HEX),
	N(msgctl, I, A_INT, A_INT, A_INT, A_PTR),
	N(mq_open, D, A_FD, A_STR, A_OPEN_FLAGS, A_MODE, A_PTR),
	N(mq_unlink, 0, A_INT, A_STR),
};

int syscall_table_init(void)
{
	static bool done;
	if (done) return 0;
	done = true;
	for (long nr = 0; nr < SYSCALL_MAX; nr++) {
		char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, (int)nr);
		/* libseccomp returns a malloc'd string; the table keeps it for the run */
		table[nr].name = name;
		if (table[nr].status != ST_UNKNOWN && !name) return -EINVAL;
	}
	return 0;
}

const struct syscall_desc *syscall_desc(long nr)
{
	return nr >= 0 && nr < SYSCALL_MAX ? &table[nr] : NULL;
}

long syscall_lookup(const char *name)
{
	int nr = seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, name);
	return nr >= 0 && nr < SYSCALL_MAX ? nr : -1;
}

bool syscall_is_trapped(const struct syscall_desc *d)
{
	if (d->needs_mm && !mm_active()) return false;
	return d->handler && (d->status == ST_EMULATED || d->status == ST_REFUSED);
}

const char *syscall_class_names(unsigned cls, char *buf, unsigned len)
{
	static const char *names[] = { "%file", "%process", "%memory", "%signal", "%ipc",
		"%network", "%desc", "%creds", "%clock", "%stat", "%pure" };
	unsigned n = 0;
	buf[0] = 0;
	for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
		if (cls & (1u << i))
			n += snprintf(buf + n, n < len ? len - n : 0, "%s%s", n ? " " : "", names[i]);
	return buf;
}

const char *syscall_status_name(unsigned status)
{
	static const char *names[] = { "native (not in table)", "native", "emulated", "refused" };
	return status < 4 ? names[status] : "?";
}
