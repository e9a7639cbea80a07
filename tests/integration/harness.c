/* tests/integration/harness.c - see harness.h */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "harness.h"

const char *persona_path(void)
{
	const char *p = getenv("PERSONA");
	return p ? p : "build/persona";
}

const char *guest(const char *name)
{
	static char buf[8][512];
	static int next;
	const char *dir = getenv("GUESTS");
	char *b = buf[next++ % 8];
	snprintf(b, sizeof buf[0], "%s/%s", dir ? dir : "build/guests", name);
	return b;
}

static void append(char **buf, size_t *len, size_t *cap, const char *data, size_t n)
{
	if (*len + n + 1 > *cap) {
		*cap = (*len + n + 1) * 2;
		*buf = realloc(*buf, *cap);
	}
	memcpy(*buf + *len, data, n);
	*len += n;
	(*buf)[*len] = 0;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int run_cmd(char *const argv[], const char *input, int timeout_s, struct run_result *r)
{
	int out[2], err[2], in[2];
	size_t ocap = 0, ecap = 0;
	memset(r, 0, sizeof *r);
	append(&r->out, &r->out_len, &ocap, "", 0);
	append(&r->err, &r->err_len, &ecap, "", 0);
	if (pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC) || pipe2(in, O_CLOEXEC)) return -1;
	pid_t pid = fork();
	if (pid < 0) return -1;
	if (pid == 0) {
		/* a test that Check's own timeout kills must not leave its persona (and
		 * with it the guests) running: one livelocked swap test kept a CPU busy
		 * for 17 minutes after its suite had moved on */
		pid_t parent = getppid();
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent) _exit(127);
		setpgid(0, 0);
		dup2(in[0], 0); dup2(out[1], 1); dup2(err[1], 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	r->pid = pid;
	close(out[1]); close(err[1]); close(in[0]);
	if (input && write(in[1], input, strlen(input)) < 0) { /* guest closed stdin */ }
	close(in[1]);
	struct pollfd pf[2] = { { out[0], POLLIN, 0 }, { err[0], POLLIN, 0 } };
	double deadline = now() + timeout_s;
	int open_fds = 2, timed_out = 0;
	while (open_fds > 0) {
		int left = (int)((deadline - now()) * 1000);
		if (left <= 0) { timed_out = 1; kill(-pid, SIGKILL); kill(pid, SIGKILL); break; }
		if (poll(pf, 2, left) < 0 && errno != EINTR) break;
		for (int i = 0; i < 2; i++) {
			if (pf[i].fd < 0 || !pf[i].revents) continue;
			char buf[65536];
			ssize_t n = read(pf[i].fd, buf, sizeof buf);
			if (n <= 0) { close(pf[i].fd); pf[i].fd = -1; open_fds--; continue; }
			if (i == 0) append(&r->out, &r->out_len, &ocap, buf, n);
			else append(&r->err, &r->err_len, &ecap, buf, n);
		}
	}
	for (int i = 0; i < 2; i++) if (pf[i].fd >= 0) close(pf[i].fd);
	waitpid(pid, &r->status, 0);
	if (timed_out) r->status = -1;
	return 0;
}

int run_persona(char *const opts[], char *const argv[], const char *input, int timeout_s,
		struct run_result *r)
{
	char *full[128];
	int n = 0;
	full[n++] = (char *)persona_path();
	full[n++] = "run";
	for (int i = 0; opts && opts[i] && n < 60; i++) full[n++] = opts[i];
	full[n++] = "--";
	for (int i = 0; argv[i] && n < 127; i++) full[n++] = argv[i];
	full[n] = NULL;
	return run_cmd(full, input, timeout_s, r);
}

void run_free(struct run_result *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}

static const char *describe(int status, char *buf, size_t len)
{
	if (status == -1) snprintf(buf, len, "timed out");
	else if (WIFEXITED(status)) snprintf(buf, len, "exit %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status)) snprintf(buf, len, "signal %d", WTERMSIG(status));
	else snprintf(buf, len, "status %#x", status);
	return buf;
}

void assert_same_as_native(char *const argv[], const char *input)
{
	assert_same_as_native_opts(NULL, argv, input);
}

void assert_same_as_native_opts(char *const opts[], char *const argv[], const char *input)
{
	struct run_result nat, per;
	char a[64], b[64];
	ck_assert_int_eq(run_cmd(argv, input, 60, &nat), 0);
	ck_assert_int_eq(run_persona(opts, argv, input, 60, &per), 0);
	ck_assert_msg(per.status == nat.status, "%s: status native %s, persona %s\nstderr: %s",
		      argv[0], describe(nat.status, a, sizeof a), describe(per.status, b, sizeof b),
		      per.err);
	ck_assert_msg(nat.out_len == per.out_len && !memcmp(nat.out, per.out, nat.out_len),
		      "%s: stdout differs\n--- native\n%s\n--- persona\n%s", argv[0], nat.out, per.out);
	ck_assert_msg(nat.err_len == per.err_len && !memcmp(nat.err, per.err, nat.err_len),
		      "%s: stderr differs\n--- native\n%s\n--- persona\n%s", argv[0], nat.err, per.err);
	run_free(&nat);
	run_free(&per);
}
