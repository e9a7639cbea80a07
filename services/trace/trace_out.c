/* services/trace/trace_out.c - see trace_out.h */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "services/trace/trace_out.h"
#include "services/io/ioservice.h"

#define CHUNK 65536

struct tout {
	int fd;
	char *buf;
	size_t len;
	bool line_flush;	/* terminal or stderr: a write per line */
	bool closing;
	unsigned inflight;
};

static struct tout *make(int fd, bool line_flush)
{
	struct tout *o = calloc(1, sizeof *o);
	if (!o || !(o->buf = malloc(CHUNK))) { free(o); errno = ENOMEM; return NULL; }
	o->fd = fd;
	o->line_flush = line_flush;
	return o;
}

struct tout *tout_open(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0) return NULL;
	struct tout *o = make(fd, isatty(fd));
	if (!o) close(fd);
	return o;
}

struct tout *tout_stderr(void) { return make(STDERR_FILENO, true); }

static void written(long res, void *arg)
{
	char **pair = arg;	/* { buffer, stream } */
	struct tout *o = (struct tout *)pair[1];
	free(pair[0]);
	free(pair);
	if (--o->inflight == 0 && o->closing) {
		if (o->fd != STDERR_FILENO) close(o->fd);
		free(o->buf);
		free(o);
	}
}

void tout_flush(struct tout *o)
{
	if (!o->len) return;
	char **pair = malloc(2 * sizeof *pair);
	char *next = malloc(CHUNK);
	if (!pair || !next || io_write(o->fd, o->buf, o->len, -1, written, pair)) {
		/* no memory for an asynchronous write: write synchronously */
		if (write(o->fd, o->buf, o->len) < 0) { /* the trace loses these lines */ }
		free(pair);
		free(next);
		o->len = 0;
		return;
	}
	pair[0] = o->buf;
	pair[1] = (char *)o;
	o->inflight++;
	o->buf = next;
	o->len = 0;
}

void tout_write(struct tout *o, const char *s, size_t n)
{
	while (n) {
		size_t k = CHUNK - o->len < n ? CHUNK - o->len : n;
		memcpy(o->buf + o->len, s, k);
		o->len += k;
		s += k;
		n -= k;
		if (o->len == CHUNK) tout_flush(o);
	}
}

void tout_newline(struct tout *o)
{
	tout_write(o, "\n", 1);
	if (o->line_flush || o->len > CHUNK - 4096) tout_flush(o);
}

void tout_close(struct tout *o)
{
	tout_flush(o);
	o->closing = true;
	if (o->inflight == 0) {
		if (o->fd != STDERR_FILENO) close(o->fd);
		free(o->buf);
		free(o);
	}
}
