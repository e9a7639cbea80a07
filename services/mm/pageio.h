/* services/mm/pageio.h - the memory manager's page I/O: page-cache reads, swap-out
 * and swap-in, each one io_uring request (liburing) submitted and waited for by the
 * calling thread on a ring of its own.
 *
 * Thread: any (the ring is per thread). */
#ifndef PERSONA_MM_PAGEIO_H
#define PERSONA_MM_PAGEIO_H
#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

/* Reads (or writes) the iovecs from (to) fd at off, the whole length: a short
 * transfer is continued. Returns the bytes transferred (less than asked only for a
 * read that reached the end of the file) or -errno. */
long page_io(int fd, bool write, struct iovec *iov, unsigned n, uint64_t off);
/* Releases this thread's ring. */
void page_io_exit(void);
#endif
