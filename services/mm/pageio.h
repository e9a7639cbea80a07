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
#include "services/mm/frame.h"

/* Reads (or writes) the iovecs from (to) fd at off, the whole length: a short
 * transfer is continued. Returns the bytes transferred (less than asked only for a
 * read that reached the end of the file) or -errno. */
long page_io(int fd, bool write, struct iovec *iov, unsigned n, uint64_t off);
/* Fills the n contiguous frames from pfn with the bytes of fd from off: sendfile
 * into the pool (frame_pool_wfd), or a page_io read through the direct map for a file
 * sendfile refuses. What lies past the end of the file reads as zeroes. Returns the
 * bytes read from the file or -errno (the frames are then zeroes).
 * Thread: the tracer (the pool descriptor's file offset is not locked). */
long page_read_frames(int fd, uint64_t off, pfn_t pfn, uint64_t n);
/* Releases this thread's ring. */
void page_io_exit(void);
#endif
