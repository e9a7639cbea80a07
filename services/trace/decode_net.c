/* services/trace/decode_net.c - I/O vectors, socket addresses, message headers and
 * the poll/select/epoll structures. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "core/guest_mem.h"
#include "services/trace/decode_internal.h"

#define ARG(c, i) ((c)->a[i])
#define TYPE_AT(c, i) ((i) < (c)->d->nargs ? A_TYPE((c)->d->args[i]) : A_NONE)

/* the array elements strace shows: all with -v, else at most strsize */
static uint64_t shown(const struct dctx *c, uint64_t n)
{
	return !c->o->verbose && n > c->strsize ? c->strsize : n;
}

void tdec_iov(struct dctx *c, uint64_t addr, uint64_t n, uint64_t data_size, bool data)
{
	if (!addr) {
		strbuf_adds(c->sb, "NULL");
		return;
	}
	if (!n) {
		strbuf_adds(c->sb, "[]");
		return;
	}
	for (uint64_t k = 0; k < n; k++) {
		uint64_t iov[2];
		if (k) strbuf_adds(c->sb, ", ");
		if (copy_from_guest(c->tid, iov, addr + 16 * k, sizeof iov)) {
			if (!k) {
				tdec_addr(c->sb, addr);
				return;
			}
			strbuf_addf(c->sb, "... /* %#llx */", (unsigned long long)(addr + 16 * k));
			break;
		}
		if (!k) strbuf_addc(c->sb, '[');
		if (k >= shown(c, n)) {
			strbuf_adds(c->sb, "...");
			break;
		}
		uint64_t len = iov[1] < data_size ? iov[1] : data_size;
		data_size -= len;
		strbuf_adds(c->sb, "{iov_base=");
		if (data) tdec_printstr(c, iov[0], len, 0);
		else tdec_addr(c->sb, iov[0]);
		strbuf_addf(c->sb, ", iov_len=%llu}", (unsigned long long)iov[1]);
	}
	strbuf_addc(c->sb, ']');
}

/* count in the next argument; readv-like outputs show the result's bytes */
int tp_iovec(struct dctx *c, int i)
{
	uint64_t n = ARG(c, i + 1);
	if (!c->out) tdec_iov(c, ARG(c, i), n, UINT64_MAX, true);
	else if (dc_failed(c)) tdec_iov(c, ARG(c, i), n, 0, false);
	else tdec_iov(c, ARG(c, i), n, (uint64_t)c->ret, true);
	return i + 1;
}

static void sockaddr_un(struct strbuf *sb, const unsigned char *p, size_t len)
{
	strbuf_adds(sb, "{sa_family=AF_UNIX");
	if (len > 2) {
		const unsigned char *path = p + 2;
		size_t plen = len - 2;
		strbuf_adds(sb, ", sun_path=");
		if (path[0] == 0 && plen > 1) {
			strbuf_addc(sb, '@');
			tdec_quote(sb, path + 1, plen - 1, 0, false, NULL);
		} else {
			tdec_quote(sb, path, plen, Q_NUL, false, NULL);
		}
	}
	strbuf_addc(sb, '}');
}

static void sockaddr_in4(struct strbuf *sb, const struct sockaddr_in *in)
{
	char a[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &in->sin_addr, a, sizeof a);
	strbuf_addf(sb, "{sa_family=AF_INET, sin_port=htons(%u), sin_addr=inet_addr(\"%s\")}",
		    ntohs(in->sin_port), a);
}

static void sockaddr_in6(struct strbuf *sb, const struct sockaddr_in6 *in)
{
	char a[INET6_ADDRSTRLEN];
	inet_ntop(AF_INET6, &in->sin6_addr, a, sizeof a);
	strbuf_addf(sb, "{sa_family=AF_INET6, sin6_port=htons(%u), sin6_flowinfo=htonl(%u), "
		    "inet_pton(AF_INET6, \"%s\", &sin6_addr), sin6_scope_id=%u}",
		    ntohs(in->sin6_port), ntohl(in->sin6_flowinfo), a, in->sin6_scope_id);
}

void tdec_sockaddr(struct dctx *c, uint64_t addr, uint64_t len)
{
	union {
		struct sockaddr_storage ss;
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
		unsigned char b[sizeof(struct sockaddr_storage)];
	} u;
	memset(&u, 0, sizeof u);
	if (addr && len < 2) {
		tdec_addr(c->sb, addr);
		return;
	}
	if (len > sizeof u) len = sizeof u;
	if (!tdec_fetch(c, addr, &u, len)) return;
	struct strbuf *sb = c->sb;
	switch (u.ss.ss_family) {
	case AF_UNIX:
		sockaddr_un(sb, u.b, len);
		return;
	case AF_INET:
		if (len >= sizeof u.in) {
			sockaddr_in4(sb, &u.in);
			return;
		}
		break;
	case AF_INET6:
		if (len >= sizeof u.in6) {
			sockaddr_in6(sb, &u.in6);
			return;
		}
		break;
	case AF_NETLINK: {
		uint32_t nl[2];
		memcpy(nl, u.b + 4, sizeof nl);
		strbuf_addf(sb, "{sa_family=AF_NETLINK, nl_pid=%u, nl_groups=%08x}", nl[0], nl[1]);
		return;
	}
	}
	strbuf_adds(sb, "{sa_family=");
	tdec_xval(sb, &tx_af, u.ss.ss_family, false);
	strbuf_adds(sb, ", sa_data=");
	tdec_quote(sb, u.b + 2, len - 2, 0, false, NULL);
	strbuf_addc(sb, '}');
}

/* input: length in the next argument; output: *socklen after the call */
int tp_sockaddr(struct dctx *c, int i)
{
	uint64_t addr = ARG(c, i);
	if (!c->out) {
		tdec_sockaddr(c, addr, (uint32_t)ARG(c, i + 1));
		return i + 1;
	}
	unsigned len = 0;
	if (!addr || dc_failed(c) || TYPE_AT(c, i + 1) != A_SOCKLEN || !ARG(c, i + 1) ||
	    copy_from_guest(c->tid, &len, ARG(c, i + 1), sizeof len)) {
		tdec_addr(c->sb, addr);
		return i + 1;
	}
	tdec_sockaddr(c, addr, len);
	return i + 1;
}

int tp_msghdr(struct dctx *c, int i)
{
	struct msghdr m;
	if (!tdec_fetch(c, ARG(c, i), &m, sizeof m)) return i + 1;
	struct strbuf *sb = c->sb;
	strbuf_adds(sb, "{msg_name=");
	if (m.msg_name && m.msg_namelen) tdec_sockaddr(c, (uintptr_t)m.msg_name, m.msg_namelen);
	else tdec_addr(sb, (uintptr_t)m.msg_name);
	strbuf_addf(sb, ", msg_namelen=%u, msg_iov=", m.msg_namelen);
	uint64_t data = c->out ? (uint64_t)c->ret : UINT64_MAX;
	tdec_iov(c, (uintptr_t)m.msg_iov, m.msg_iovlen, data, true);
	strbuf_addf(sb, ", msg_iovlen=%llu", (unsigned long long)m.msg_iovlen);
	if (m.msg_controllen) {
		strbuf_adds(sb, ", msg_control=");
		tdec_addr(sb, (uintptr_t)m.msg_control);
	}
	strbuf_addf(sb, ", msg_controllen=%llu, msg_flags=", (unsigned long long)m.msg_controllen);
	tdec_flags(sb, &tx_msg_flags, (uint32_t)m.msg_flags);
	strbuf_addc(sb, '}');
	return i + 1;
}

/* struct pollfd arrays; with revents (the result) only the ready ones */
static void pollfds(struct dctx *c, uint64_t addr, uint64_t n, bool revents)
{
	unsigned printed = 0;
	if (!revents) {
		if (!addr) {
			strbuf_adds(c->sb, "NULL");
			return;
		}
	}
	strbuf_addc(c->sb, '[');
	for (uint64_t k = 0; k < n; k++) {
		struct { int32_t fd; int16_t events, revents; } p;
		if (copy_from_guest(c->tid, &p, addr + 8 * k, sizeof p)) break;
		if (revents && !p.revents) continue;
		if (printed++) strbuf_adds(c->sb, ", ");
		if (!revents && k >= shown(c, n)) {
			strbuf_adds(c->sb, "...");
			break;
		}
		strbuf_adds(c->sb, "{fd=");
		if (revents) strbuf_addf(c->sb, "%d", p.fd);
		else tdec_fd(c, p.fd);
		if (!revents && p.fd < 0) {
			strbuf_addc(c->sb, '}');
			continue;
		}
		strbuf_adds(c->sb, revents ? ", revents=" : ", events=");
		tdec_flags(c->sb, &tx_poll_events, (uint16_t)(revents ? p.revents : p.events));
		strbuf_addc(c->sb, '}');
	}
	strbuf_addc(c->sb, ']');
}

int tp_pollfd(struct dctx *c, int i)
{
	pollfds(c, ARG(c, i), (uint32_t)ARG(c, i + 1), false);
	return i + 1;
}

/* ", left {tv_sec=0, tv_nsec=999}": the timeout the kernel left (select, ppoll) */
static void time_left(struct dctx *c, int k)
{
	struct timespec ts;
	unsigned t = TYPE_AT(c, k);
	if ((t != A_TIMESPEC && t != A_TIMEVAL) || !ARG(c, k)) return;
	if (copy_from_guest(c->tid, &ts, ARG(c, k), sizeof ts)) return;
	strbuf_adds(c->sb, ", left ");
	if (t == A_TIMESPEC) tdec_timespec(c->sb, ts.tv_sec, ts.tv_nsec);
	else tdec_timeval(c->sb, ts.tv_sec, ts.tv_nsec);
}

bool tdec_poll_result(struct dctx *c, int i)
{
	if (c->ret == 0) {
		strbuf_adds(c->sb, "0 (Timeout)");
		return true;
	}
	strbuf_addf(c->sb, "%ld (", c->ret);
	pollfds(c, ARG(c, i), (uint32_t)ARG(c, i + 1), true);
	time_left(c, i + 2);
	strbuf_addc(c->sb, ')');
	return true;
}

/* the fds of an fd_set below nfds: [3 4] (with their paths unless bare); returns
 * how many */
static unsigned fdset(struct dctx *c, uint64_t addr, int nfds, const char *prefix, bool bare)
{
	uint64_t bits[16];
	unsigned n = 0;
	if (nfds < 0) nfds = 0;
	if (nfds > 1024) nfds = 1024;
	size_t len = ((size_t)nfds + 63) / 64 * 8;
	if (len && copy_from_guest(c->tid, bits, addr, len)) return 0;
	for (int fd = 0; fd < nfds; fd++) {
		if (!(bits[fd / 64] >> (fd % 64) & 1)) continue;
		strbuf_adds(c->sb, n++ ? " " : prefix);
		if (bare) strbuf_addf(c->sb, "%d", fd);
		else tdec_fd(c, fd);
	}
	if (n) strbuf_addc(c->sb, ']');
	return n;
}

int tp_fd_set(struct dctx *c, int i)
{
	uint64_t addr = ARG(c, i);
	if (!addr) {
		strbuf_adds(c->sb, "NULL");
		return i + 1;
	}
	int nfds = (int)ARG(c, 0);
	uint64_t probe;
	if (copy_from_guest(c->tid, &probe, addr, 1)) {
		tdec_addr(c->sb, addr);
		return i + 1;
	}
	if (!fdset(c, addr, nfds, "[", false)) strbuf_adds(c->sb, "[]");
	return i + 1;
}

bool tdec_select_result(struct dctx *c, int i)
{
	static const char *names[] = { "in", "out", "except" };
	if (c->ret == 0) {
		strbuf_adds(c->sb, "0 (Timeout)");
		return true;
	}
	strbuf_addf(c->sb, "%ld (", c->ret);
	bool any = false;
	for (int k = 0; k < 3; k++) {
		uint64_t addr = ARG(c, i + k);
		if (!addr) continue;
		char prefix[16];
		snprintf(prefix, sizeof prefix, "%s%s [", any ? ", " : "", names[k]);
		if (fdset(c, addr, (int)ARG(c, 0), prefix, true)) any = true;
	}
	if (any) time_left(c, i + 3);
	strbuf_addc(c->sb, ')');
	return true;
}

static void epoll_event(struct strbuf *sb, const unsigned char *e)
{
	uint32_t events, u32;
	uint64_t u64;
	memcpy(&events, e, 4);
	memcpy(&u32, e + 4, 4);
	memcpy(&u64, e + 4, 8);
	strbuf_adds(sb, "{events=");
	tdec_flags(sb, &tx_epoll_events, events);
	strbuf_addf(sb, ", data={u32=%u, u64=%llu}}", u32, (unsigned long long)u64);
}

/* epoll_ctl's event, or the array epoll_wait fills (the result's count) */
int tp_epoll_event(struct dctx *c, int i)
{
	unsigned char e[12];
	uint64_t addr = ARG(c, i);
	if (!c->out) {
		if (tdec_fetch(c, addr, e, sizeof e)) epoll_event(c->sb, e);
		return i + 1;
	}
	if (dc_failed(c)) {
		tdec_addr(c->sb, addr);
		return i + 1;
	}
	uint64_t n = (uint64_t)c->ret;
	strbuf_addc(c->sb, '[');
	for (uint64_t k = 0; k < n; k++) {
		if (k) strbuf_adds(c->sb, ", ");
		if (k >= shown(c, n)) {
			strbuf_adds(c->sb, "...");
			break;
		}
		if (copy_from_guest(c->tid, e, addr + 12 * k, sizeof e)) break;
		epoll_event(c->sb, e);
	}
	strbuf_addc(c->sb, ']');
	return i + 1;
}
