/* services/io/ioservice.c - see ioservice.h */
#include <errno.h>
#include <liburing.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "services/io/ioservice.h"
#include "services/deferred/softirq.h"
#include "core/irq.h"
#include "core/log.h"

struct io_req {
	int fd;
	bool write;
	char *buf;
	size_t len, done_len;
	off_t off;
	io_done_fn done;
	void *arg;
	long result;
	struct io_req *next;		/* queue of its fd, then the completion list */
};

/* One queue per descriptor in use: the head is in flight, the rest wait. */
#define QUEUES 64
static struct { int fd; struct io_req *head, *tail; bool issued; } queues[QUEUES];
static struct io_req *completed, **completed_tail = &completed;
static unsigned pending;
static int nqueues;

static int queue_of(int fd, bool create)
{
	for (int i = 0; i < nqueues; i++) if (queues[i].fd == fd) return i;
	if (!create || nqueues == QUEUES) return -1;
	queues[nqueues].fd = fd;
	queues[nqueues].head = queues[nqueues].tail = NULL;
	queues[nqueues].issued = false;
	return nqueues++;
}

static int submit(int fd, bool write, void *buf, size_t len, off_t off, io_done_fn done, void *arg)
{
	struct io_req *r = calloc(1, sizeof *r);
	int q = queue_of(fd, true);
	if (!r || q < 0) { free(r); return -ENOMEM; }
	r->fd = fd; r->write = write; r->buf = buf; r->len = len; r->off = off;
	r->done = done; r->arg = arg;
	if (queues[q].tail) queues[q].tail->next = r;
	else queues[q].head = r;
	queues[q].tail = r;
	pending++;
	return 0;
}

int io_write(int fd, const void *buf, size_t len, off_t off, io_done_fn done, void *arg)
{
	return submit(fd, true, (void *)buf, len, off, done, arg);
}

int io_read(int fd, void *buf, size_t len, off_t off, io_done_fn done, void *arg)
{
	return submit(fd, false, buf, len, off, done, arg);
}

unsigned io_pending(void) { return pending; }

void io_prepare(struct io_uring *ring)
{
	for (int i = 0; i < nqueues; i++) {
		struct io_req *r = queues[i].head;
		if (!r || queues[i].issued) continue;
		struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
		if (!sqe) return;	/* ring full: next time */
		off_t off = r->off < 0 ? -1 : r->off + (off_t)r->done_len;
		if (r->write) io_uring_prep_write(sqe, r->fd, r->buf + r->done_len, r->len - r->done_len, off);
		else io_uring_prep_read(sqe, r->fd, r->buf + r->done_len, r->len - r->done_len, off);
		io_uring_sqe_set_data(sqe, r);
		queues[i].issued = true;
	}
}

/* BLOCK_SOFTIRQ: the bottom half runs the callbacks */
static void block_softirq(unsigned cpu)
{
	struct io_req *r = completed;
	completed = NULL;
	completed_tail = &completed;
	while (r) {
		struct io_req *n = r->next;
		if (r->done) r->done(r->result, r->arg);
		free(r);
		pending--;
		r = n;
	}
}

/* IRQ_IO's top half: continue a short transfer, or retire the request */
void io_complete(struct io_uring_cqe *cqe)
{
	struct io_req *r = io_uring_cqe_get_data(cqe);
	int q = queue_of(r->fd, false);
	unsigned cpu = 0;
	irq_enter(cpu, IRQ_IO);
	queues[q].issued = false;
	if (r->write && cqe->res > 0 && r->done_len + cqe->res < r->len) {
		r->done_len += cqe->res;	/* short write: the rest goes out next */
	} else {
		r->result = cqe->res < 0 ? cqe->res : (long)(r->done_len + cqe->res);
		queues[q].head = r->next;
		if (!queues[q].head) queues[q].tail = NULL;
		r->next = NULL;
		*completed_tail = r;
		completed_tail = &r->next;
		raise_softirq(cpu, BLOCK_SOFTIRQ);
	}
	irq_exit(cpu);
}

void io_init(void) { open_softirq(BLOCK_SOFTIRQ, block_softirq); }

void evloop_poll_io(void);	/* core/evloop.c */

void io_drain(void)
{
	might_sleep();
	while (pending) evloop_poll_io();
}
