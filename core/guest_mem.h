/* core/guest_mem.h - the only way Persona reads or writes guest memory.
 * Like xv6's copyin/copyout: a guest pointer is never trusted; every helper returns
 * 0 or -EFAULT exactly where the kernel's copy_from_user/copy_to_user would.
 * Uses process_vm_readv/writev (no stop needed, any thread may call them while the
 * task exists). */
#ifndef PERSONA_GUEST_MEM_H
#define PERSONA_GUEST_MEM_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Reads len bytes at guest address `addr` of host tid `tid`. 0 or -EFAULT. */
int copy_from_guest(pid_t tid, void *dst, uint64_t addr, size_t len);
/* Writes len bytes. 0 or -EFAULT (unmapped or read-only, as copy_to_user). */
int copy_to_guest(pid_t tid, uint64_t addr, const void *src, size_t len);
/* Reads a NUL-terminated string of at most max-1 chars into dst. Returns its length,
 * -EFAULT, or -ENAMETOOLONG when no NUL is found within max bytes. */
long guest_read_str(pid_t tid, char *dst, uint64_t addr, size_t max);
#endif
