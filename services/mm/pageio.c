/* services/mm/pageio.c - synchronous page I/O through io_uring (see pageio.h).
 *
 * Each thread that does page I/O gets its own small ring (a ring is not shared between
 * threads without locking): the tracer for page-cache and swap reads and direct
 * reclaim's writes, kswapd for its writeback. A request is submitted and waited for;
 * a short transfer (past the end of a file, or an interrupted copy) is finished with
 * plain pread/pwrite, and what a read finds past the end of the file is the caller's
 * to zero. */
#include <errno.h>
#include <liburing.h>
#include <string.h>
#include <unistd.h>
#include <sys/sendfile.h>
#include "services/mm/frame.h"
#include "services/mm/pageio.h"

static __thread struct io_uring ring;
static __thread bool ring_ready;

/* One request on this thread's ring, waited for. Returns its result. */
static long ring_io(int fd, bool write, const struct iovec *iov, unsigned n, uint64_t off)
{
	if (!ring_ready) {
		int err = io_uring_queue_init(8, &ring, 0);
		if (err < 0) return err;
		ring_ready = true;
	}
	struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
	if (!sqe) return -EBUSY;
	if (write) io_uring_prep_writev(sqe, fd, iov, n, off);
	else io_uring_prep_readv(sqe, fd, iov, n, off);
	struct io_uring_cqe *cqe;
	int err = io_uring_submit_and_wait(&ring, 1);
	while (err == -EINTR) err = io_uring_wait_cqe(&ring, &cqe);
	if (err < 0) return err;
	if ((err = io_uring_wait_cqe(&ring, &cqe)) < 0) return err;
	long res = cqe->res;
	io_uring_cqe_seen(&ring, cqe);
	return res;
}

long page_io(int fd, bool write, struct iovec *iov, unsigned n, uint64_t off)
{
	size_t want = 0;
	for (unsigned i = 0; i < n; i++) want += iov[i].iov_len;
	long r = ring_io(fd, write, iov, n, off);
	if (r < 0) return r;
	size_t done = (size_t)r;
	while (done < want) {	/* rare: finish page by page */
		size_t at = done, i = 0;
		while (at >= iov[i].iov_len) at -= iov[i++].iov_len;
		char *p = (char *)iov[i].iov_base + at;
		ssize_t k = write ? pwrite(fd, p, iov[i].iov_len - at, (off_t)(off + done))
				  : pread(fd, p, iov[i].iov_len - at, (off_t)(off + done));
		if (k < 0 && errno == EINTR) continue;
		if (k < 0) return -errno;
		if (k == 0) return write ? -EIO : (long)done;	/* a read at the end of the file */
		done += (size_t)k;
	}
	return (long)done;
}

/* The host copies from its page cache into the memfd's (shmem's write path: it
 * allocates the pool's pages itself), so neither a page fault of the supervisor's
 * direct map nor its page-table entries are paid: measured, cc1's 33 MB in 11-14 ms
 * by sendfile against 130 ms by pread into the direct map's fresh pages (87 ms
 * with MADV_POPULATE_WRITE first). */
long page_read_frames(int fd, uint64_t off, pfn_t pfn, uint64_t n)
{
	int wfd = frame_pool_wfd();
	uint64_t len = n << PAGE_SHIFT, done = 0;
	if (wfd < 0 || lseek(wfd, (off_t)frame_offset(pfn), SEEK_SET) < 0) goto fallback;
	while (done < len) {
		off_t at = (off_t)(off + done);
		ssize_t k = sendfile(wfd, fd, &at, len - done);
		if (k < 0 && errno == EINTR) continue;
		if (k < 0 && done == 0) goto fallback;	/* a file sendfile cannot read */
		if (k <= 0) break;	/* the end of the file (or an error: zeroes) */
		done += (uint64_t)k;
	}
	/* the rest of the last page, and any page past the end */
	if (done < len) frame_zero_bytes(pfn, done, len - done);
	return (long)done;
fallback:;
	struct iovec iov = { frame_to_virt_range(pfn, n), len };
	long r = page_io(fd, false, &iov, 1, off);
	done = r < 0 ? 0 : (uint64_t)r;
	memset((char *)iov.iov_base + done, 0, len - done);
	return r;
}

void page_io_exit(void)
{
	if (ring_ready) io_uring_queue_exit(&ring);
	ring_ready = false;
}
