/* services/time/sigcheck.c - pending signals of a task stopped in the personality
 * (see sigcheck.h). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "services/time/sigcheck.h"

#define BIT(sig) (1ull << ((sig) - 1))

static uint64_t field(const char *buf, const char *name)
{
	const char *p = strstr(buf, name);
	if (!p) return 0;
	return strtoull(p + strlen(name), NULL, 16);
}

static void parse(const char *buf, struct sigstate *s)
{
	s->pending = field(buf, "\nSigPnd:");
	s->shared = field(buf, "\nShdPnd:");
	s->blocked = field(buf, "\nSigBlk:");
	s->ignored = field(buf, "\nSigIgn:");
	s->caught = field(buf, "\nSigCgt:");
}

static int open_status(pid_t tgid, pid_t tid)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/task/%d/status", (int)tgid, (int)tid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static int read_status(int fd, struct sigstate *s)
{
	char buf[4096];
	ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
	if (n <= 0) return n < 0 ? -errno : -ESRCH;
	buf[n] = 0;
	parse(buf, s);
	return 0;
}

int sigstate_read(pid_t tgid, pid_t tid, struct sigstate *s)
{
	int fd = open_status(tgid, tid);
	if (fd < 0) return fd;
	int err = read_status(fd, s);
	close(fd);
	return err;
}

/* Open status files kept by callers: bounded, so that many sleepers cannot use up
 * the supervisor's descriptors */
#define MAX_CACHED_FDS 256
static unsigned cached_fds;

int sigstate_read_cached(pid_t tgid, pid_t tid, struct sigstate *s, int *fd)
{
	if (!fd) return sigstate_read(tgid, tid, s);
	if (*fd < 0) {
		if (cached_fds >= MAX_CACHED_FDS) return sigstate_read(tgid, tid, s);
		int f = open_status(tgid, tid);
		if (f < 0) return f;
		*fd = f;
		cached_fds++;
	}
	return read_status(*fd, s);
}

void sigstate_close_cached(int *fd)
{
	if (!fd || *fd < 0) return;
	close(*fd);
	*fd = -1;
	cached_fds--;
}

bool sig_default_ignore(int sig)
{
	return sig == SIGCHLD || sig == SIGWINCH || sig == SIGURG || sig == SIGCONT;
}

bool sig_default_stop(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

enum sigcheck sigcheck_classify(const struct sigstate *s, uint64_t set)
{
	enum sigcheck worst = SIGCHK_NONE, c;
	for (int sig = 1; sig <= 64 && set; sig++) {
		if (!(set & BIT(sig))) continue;
		set &= ~BIT(sig);
		if (sig == SIGKILL) c = SIGCHK_FATAL;
		else if (sig == SIGSTOP) c = SIGCHK_STOP;
		else if (s->ignored & BIT(sig)) c = SIGCHK_NONE;
		else if (s->caught & BIT(sig)) c = SIGCHK_INTERRUPT;
		else if (sig_default_ignore(sig)) c = SIGCHK_NONE;
		else if (sig_default_stop(sig)) c = SIGCHK_STOP;
		else c = SIGCHK_FATAL;
		if (c > worst) worst = c;
	}
	return worst;
}

/* Shared signals in `set` that no other thread of t's process takes first: a running
 * thread that does not block one takes it (complete_signal() wakes it); a thread
 * blocked in the personality ahead of t in the thread list is the one chosen. */
static uint64_t shared_for(struct task *t, uint64_t set)
{
	struct task *l = t->leader;
	struct list_head *pos;
	bool ahead = true;
	list_for_each(pos, &l->threads) {
		struct task *th = list_entry(pos, struct task, thread_node);
		struct sigstate o;
		if (!set) break;
		if (th == t) { ahead = false; continue; }
		bool running = th->state == TASK_RUNNING || th->state == TASK_TRAPPED;
		bool first = ahead && th->state == TASK_BLOCKED;
		if (!running && !first) continue;
		if (sigstate_read(task_tgid(th), th->tid, &o) < 0) continue;
		set &= o.blocked;
	}
	return set;
}

enum sigcheck task_signal_check_cached(struct task *t, int *fd)
{
	struct sigstate s;
	if (sigstate_read_cached(task_tgid(t), t->tid, &s, fd) < 0) return SIGCHK_NONE;
	enum sigcheck own = sigcheck_classify(&s, s.pending & ~s.blocked);
	uint64_t shared = s.shared & ~s.blocked;
	if (!shared || own == SIGCHK_FATAL) return own;
	/* only the shared signals that would change the verdict are worth a look at
	 * the other threads */
	enum sigcheck sh = sigcheck_classify(&s, shared);
	if (sh <= own) return own;
	shared = shared_for(t, shared);
	sh = sigcheck_classify(&s, shared);
	return sh > own ? sh : own;
}

enum sigcheck task_signal_check(struct task *t) { return task_signal_check_cached(t, NULL); }

bool task_signal_would_interrupt(struct task *t)
{
	enum sigcheck c = task_signal_check(t);
	return c == SIGCHK_INTERRUPT || c == SIGCHK_FATAL;
}

int sig_is_pending(pid_t tgid, pid_t tid, int sig, bool thread)
{
	struct sigstate s;
	int err = sigstate_read(tgid, tid, &s);
	if (err) return err;
	return ((thread ? s.pending : s.shared) & BIT(sig)) != 0;
}
