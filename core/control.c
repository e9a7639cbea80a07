/* core/control.c - see control.h */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>
#include "core/control.h"
#include "core/irq.h"
#include "core/log.h"
#include "core/stats.h"
#include "services/sched/sched.h"
#include "core/task.h"

static int listen_fd = -1;

static socklen_t address(pid_t pid, struct sockaddr_un *a)
{
	memset(a, 0, sizeof *a);
	a->sun_family = AF_UNIX;
	int n = snprintf(a->sun_path + 1, sizeof a->sun_path - 1, "persona-ctl-%d", pid);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
}

int control_init(void)
{
	struct sockaddr_un a;
	socklen_t len = address(getpid(), &a);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) return -errno;
	if (bind(fd, (struct sockaddr *)&a, len) < 0 || listen(fd, 8) < 0) {
		int err = -errno;
		close(fd);
		return err;
	}
	return listen_fd = fd;
}

void control_shutdown(void)
{
	if (listen_fd >= 0) close(listen_fd);
	listen_fd = -1;
}

struct counts { unsigned tasks, guests, kthreads, zombies; };

static int count(struct task *t, void *arg)
{
	struct counts *c = arg;
	c->tasks++;
	if (t->kthread) c->kthreads++;
	else if (task_is_leader(t)) c->guests++;
	if (t->state == TASK_ZOMBIE) c->zombies++;
	return 0;
}

static void reply_status(FILE *f)
{
	struct counts c = { 0 };
	task_for_each(count, &c);
	fprintf(f, "supervisor %d\ntasks %u\nprocesses %u\nkernel-threads %u\nzombies %u\n"
		"jiffies %lu\nhz %u\ncpus %u\nsched %s\n", getpid(), c.tasks, c.guests, c.kthreads, c.zombies,
		(unsigned long)jiffies, irq_hz, irq_ncpus, sched_active() ? sched_plugin_name() : "off");
}

/* "sched": the plugin in use; "sched NAME": swap to NAME, moving every task */
static void reply_sched(FILE *f, const char *arg)
{
	char msg[1200];
	while (*arg == ' ') arg++;
	if (!*arg) {
		fprintf(f, "%s\n", sched_active() ? sched_plugin_name() : "off");
		return;
	}
	if (sched_swap(arg, msg, sizeof msg)) fprintf(f, "error: %s\n", msg);
	else fprintf(f, "%s\n", msg);
}

/* Whether the peer is one of our guests */
static int from_guest(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof cred;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) return 1;
	return task_by_host(cred.pid) != NULL;
}

/* Reads one command line (up to its newline) within the socket's timeout. The
 * read can fail with EINTR with no signal: io_uring completions queue task work that
 * interrupts a blocking read with SO_RCVTIMEO set; retry until the deadline. */
static ssize_t read_command(int fd, char *cmd, size_t size)
{
	size_t len = 0;
	uint64_t deadline = sched_clock() + 2000000000ull;
	while (len < size - 1) {
		ssize_t n = read(fd, cmd + len, size - 1 - len);
		if (n < 0 && errno == EINTR && sched_clock() < deadline) continue;
		if (n < 0) return len ? (ssize_t)len : -1;
		if (n == 0) break;
		len += (size_t)n;
		if (memchr(cmd + len - n, '\n', (size_t)n)) break;
	}
	return (ssize_t)len;
}

void control_serve(int fd)
{
	char cmd[256];
	struct timeval tv = { 2, 0 };	/* a client sends its command at once (but a loaded
					 * host may run it late) */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	ssize_t n = read_command(fd, cmd, sizeof cmd);	/* read first: the client is writing */
	bool guest = from_guest(fd);
	FILE *f = fdopen(fd, "w");
	if (!f) { close(fd); return; }
	if (guest) {
		fprintf(f, "error: refused\n");
	} else if (n < 0) {
		fprintf(f, "error: no command received\n");
	} else {
		cmd[n] = 0;
		cmd[strcspn(cmd, "\r\n")] = 0;
		DBG(DBG_IRQ, "control command '%s'", cmd);
		if (!strcmp(cmd, "status")) reply_status(f);
		else if (!strcmp(cmd, "stats")) stats_print(f);
		else if (!strncmp(cmd, "sched", 5) && (!cmd[5] || cmd[5] == ' ')) reply_sched(f, cmd + 5);
		else if (!strcmp(cmd, "help") || !cmd[0])
			fprintf(f, "commands: status, stats, sched [NAME], help\n");
		else fprintf(f, "error: unknown command '%s'\n", cmd);
	}
	fclose(f);
}

int control_client(pid_t pid, int argc, char **argv)
{
	struct sockaddr_un a;
	char cmd[256] = "", buf[4096];
	socklen_t len = address(pid, &a);
	for (int i = 0; i < argc; i++)
		snprintf(cmd + strlen(cmd), sizeof cmd - strlen(cmd), "%s%s", i ? " " : "", argv[i]);
	strncat(cmd, "\n", sizeof cmd - strlen(cmd) - 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, len) < 0) {
		log_err("no supervisor with pid %d", pid);
		if (fd >= 0) close(fd);
		return 1;
	}
	int rc = send(fd, cmd, strlen(cmd), MSG_NOSIGNAL) < 0 ? 1 : 0;
	ssize_t n;
	while ((n = read(fd, buf, sizeof buf)) > 0) {
		if (fwrite(buf, 1, n, stdout) != (size_t)n) break;
		if (!strncmp(buf, "error:", 6)) rc = 1;
	}
	close(fd);
	return rc;
}
