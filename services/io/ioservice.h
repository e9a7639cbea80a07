/* services/io/ioservice.h - asynchronous I/O for the personality's services, on the
 * event loop's io_uring (Linux's block layer analogue: requests go down, completions
 * come back as an interrupt whose bottom half is BLOCK_SOFTIRQ).
 *
 * io_write()/io_read() queue a request; the event loop submits it with its next
 * wait. The completion raises IRQ_IO, whose top half moves it to a completion list and
 * raises BLOCK_SOFTIRQ; the softirq calls done(result, arg), in softirq context (it
 * must not sleep). Requests on one file descriptor are issued one at a time, in order,
 * and a short transfer is continued, so a stream of writes lands as written.
 * Users: the trace writer (services/trace); the memory manager's page-in and swap I/O
 * later.
 *
 * Thread: the tracer thread (the ring is its). */
#ifndef PERSONA_IOSERVICE_H
#define PERSONA_IOSERVICE_H
#include <stddef.h>
#include <sys/types.h>

typedef void (*io_done_fn)(long result, void *arg);

/* Writes len bytes of buf to fd at offset off (-1: the file position). buf must stay
 * valid until done runs; result is the byte count or -errno. 0 or -ENOMEM. */
int io_write(int fd, const void *buf, size_t len, off_t off, io_done_fn done, void *arg);
int io_read(int fd, void *buf, size_t len, off_t off, io_done_fn done, void *arg);
/* Waits until every request has completed and its done ran (not in interrupt
 * context). Used before the event loop shuts down. */
void io_drain(void);
/* Requests queued or in flight */
unsigned io_pending(void);

/* For the event loop: prepares queued requests as SQEs of `ring`; handles one
 * completion whose user data is an io request. */
struct io_uring;
struct io_uring_cqe;
void io_prepare(struct io_uring *ring);
void io_complete(struct io_uring_cqe *cqe);
void io_init(void);
#endif
