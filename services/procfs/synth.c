/* services/procfs/synth.c - /proc/PID/status and /proc/PID/stat from the task table.
 * The host's file is read and its id fields are replaced by the guest's view, as
 * Linux shows them inside a pid namespace: Tgid/Pid/PPid and NS* lines with one level,
 * TracerPid 0 (the supervisor's tracing is not the guest's business), and in stat
 * the pid, ppid, pgrp, session and tpgid fields. The result is served from a memfd. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "services/procfs/procfs_internal.h"
#include "core/pidmap.h"

#define MAXFILE 16384

static long read_host(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) return -errno;
	ssize_t n = read(fd, buf, len - 1);
	int err = errno;
	close(fd);
	if (n < 0) return -err;
	buf[n] = 0;
	return n;
}

static pid_t vppid(const struct task *t)
{
	const struct task *p = t->leader->parent;
	return p ? task_vpid(p) : 0;
}

static pid_t vgroup(const struct pidnum *p) { return p ? p->virt : 0; }

/* The host shows a task stopped by its tracer as 't'. The guest sees what Linux
 * would: a task we hold in a trap is running its syscall ('R'), one blocked in the
 * personality sleeps ('S'), one in a group-stop is stopped ('T'). */
static char guest_state(const struct task *t, char host)
{
	if (host != 't' && host != 'T') return host;
	if (t->state == TASK_STOPPED) return 'T';
	return t->state == TASK_BLOCKED ? 'S' : 'R';
}

static const char *state_name(char s)
{
	switch (s) {
	case 'R': return "R (running)";
	case 'S': return "S (sleeping)";
	case 'T': return "T (stopped)";
	default: return NULL;
	}
}

/* Appends line `name:\tvalue` in place of the host's line for `name` */
static int status_line(char *out, size_t len, const char *line, size_t n, const struct task *t)
{
	const struct task *l = t->leader;
	static const char *ids[] = { "Tgid:", "Pid:", "PPid:", "TracerPid:", "NStgid:",
				     "NSpid:", "NSpgid:", "NSsid:" };
	long val[] = { task_vpid(t), task_vtid(t), vppid(t), 0, task_vpid(t), task_vtid(t),
		       vgroup(l->pgrp), vgroup(l->session) };
	for (unsigned i = 0; i < sizeof ids / sizeof ids[0]; i++)
		if (!strncmp(line, ids[i], strlen(ids[i])))
			return snprintf(out, len, "%s\t%ld\n", ids[i], val[i]);
	if (!strncmp(line, "State:\t", 7)) {
		const char *name = state_name(guest_state(t, line[7]));
		if (name && guest_state(t, line[7]) != line[7])
			return snprintf(out, len, "State:\t%s\n", name);
	}
	return snprintf(out, len, "%.*s", (int)n, line);
}

static long gen_status(const struct task *t, const char *in, char *out, size_t len)
{
	size_t o = 0;
	for (const char *l = in; *l && o < len; ) {
		const char *e = strchrnul(l, '\n');
		size_t n = e - l + (*e ? 1 : 0);
		o += status_line(out + o, len - o, l, n, t);
		l += n;
	}
	return o < len ? (long)o : -EFBIG;
}

/* stat: "pid (comm) state ppid pgrp session tty_nr tpgid flags ..." where comm may
 * hold spaces and parentheses: fields after it start at the last ')'. */
static long gen_stat(const struct task *t, const char *in, char *out, size_t len)
{
	const char *rp = strrchr(in, ')'), *lp = strchr(in, '(');
	if (!rp || !lp || rp[1] != ' ') return -EIO;
	char state;
	int ppid, pgrp, session, tty, tpgid;
	int used = 0;
	if (sscanf(rp + 2, "%c %d %d %d %d %d %n", &state, &ppid, &pgrp, &session, &tty,
		   &tpgid, &used) < 6)
		return -EIO;
	int n = snprintf(out, len, "%d %.*s %c %d %d %d %d %d %s", task_vtid(t), (int)(rp - lp + 1),
			 lp, guest_state(t, state), vppid(t), vgroup(t->leader->pgrp), vgroup(t->leader->session),
			 tty, tpgid > 0 ? pidmap_to_virt(tpgid) : tpgid, rp + 2 + used);
	return n < (int)len ? n : -EFBIG;
}

int procfs_synth_open(const struct proc_path *pp)
{
	char *in = malloc(MAXFILE), *out = malloc(MAXFILE);
	long n = in && out ? read_host(pp->host, in, MAXFILE) : -ENOMEM;
	int fd = -1;
	if (n >= 0)
		n = pp->synth == SYNTH_STATUS ? gen_status(pp->task, in, out, MAXFILE)
					      : gen_stat(pp->task, in, out, MAXFILE);
	if (n >= 0) {
		fd = memfd_create("persona-proc", MFD_CLOEXEC);
		if (fd < 0 || write(fd, out, n) != n) {
			n = -EIO;
			if (fd >= 0) close(fd);
		}
	}
	free(in);
	free(out);
	return n < 0 ? (int)n : fd;
}
