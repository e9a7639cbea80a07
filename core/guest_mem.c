/* core/guest_mem.c - see guest_mem.h */
#include <errno.h>
#include <string.h>
#include <sys/uio.h>
#include "core/guest_mem.h"

#define PAGE 4096ul

int copy_from_guest(pid_t tid, void *dst, uint64_t addr, size_t len)
{
	struct iovec local = { dst, len }, remote = { (void *)(uintptr_t)addr, len };
	if (len == 0) return 0;
	if (addr + len < addr) return -EFAULT;
	ssize_t n = process_vm_readv(tid, &local, 1, &remote, 1, 0);
	return n == (ssize_t)len ? 0 : -EFAULT;
}

int copy_to_guest(pid_t tid, uint64_t addr, const void *src, size_t len)
{
	struct iovec local = { (void *)src, len }, remote = { (void *)(uintptr_t)addr, len };
	if (len == 0) return 0;
	if (addr + len < addr) return -EFAULT;
	ssize_t n = process_vm_writev(tid, &local, 1, &remote, 1, 0);
	return n == (ssize_t)len ? 0 : -EFAULT;
}

long guest_read_str(pid_t tid, char *dst, uint64_t addr, size_t max)
{
	size_t done = 0;
	if (max == 0) return -ENAMETOOLONG;
	/* read page by page: a string may end just before an unmapped page */
	while (done < max) {
		size_t chunk = PAGE - ((addr + done) & (PAGE - 1));
		if (chunk > max - done) chunk = max - done;
		if (copy_from_guest(tid, dst + done, addr + done, chunk)) return -EFAULT;
		char *nul = memchr(dst + done, 0, chunk);
		if (nul) return nul - dst;
		done += chunk;
	}
	dst[max - 1] = 0;
	return -ENAMETOOLONG;
}
