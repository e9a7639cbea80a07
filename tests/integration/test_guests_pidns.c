/* tests/integration/test_guests_pidns.c - what only a pid namespace shows, checked
 * under Persona alone: the first guest is pid 1 with parent 0, guests see small
 * virtual pids everywhere (ps, /proc), nothing outside the namespace can be named,
 * ptrace is refused, orphans go to pid 1, and the end of pid 1 ends everyone. */
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "harness.h"
#include "suites.h"

#define GUEST(name) ((char *)guest(name))

static const char *describe(int status, char *buf, size_t len)
{
	if (status == -1) snprintf(buf, len, "timed out");
	else if (WIFEXITED(status)) snprintf(buf, len, "exit %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status)) snprintf(buf, len, "signal %d", WTERMSIG(status));
	else snprintf(buf, len, "status %#x", status);
	return buf;
}

/* Runs argv under Persona and checks its exit code and exact stdout. */
static void expect_persona(char *const argv[], int code, const char *out)
{
	struct run_result r;
	char d[64];
	ck_assert_int_eq(run_persona(NULL, argv, NULL, 30, &r), 0);
	ck_assert_msg(r.status != -1 && WIFEXITED(r.status) && WEXITSTATUS(r.status) == code,
		      "%s: expected exit %d, got %s\nstdout: %s\nstderr: %s", argv[0], code,
		      describe(r.status, d, sizeof d), r.out, r.err);
	ck_assert_msg(!strcmp(r.out, out), "%s: stdout\n--- expected\n%s--- got\n%s--- stderr\n%s",
		      argv[0], out, r.out, r.err);
	run_free(&r);
}

/* Kernel threads (kthreadd is pid 2, then ksoftirqd/N, kworkers...) take the pids
 * after init, as on Linux: the first pid a guest forks is the one after them. */
static int first_child_pid(void)
{
	struct run_result r;
	int pid = 0;
	ck_assert_int_eq(run_persona(NULL, ARGV("sh", "-c", "sleep 0.01 & echo $!; wait"), NULL, 30, &r), 0);
	ck_assert_int_eq(sscanf(r.out, "%d", &pid), 1);
	run_free(&r);
	ck_assert_msg(pid > 2, "the first child got pid %d", pid);
	return pid;
}

START_TEST(test_sh_pid_is_1)
{
	char buf[256];
	int c = first_child_pid();
	expect_persona(ARGV("sh", "-c", "echo $$"), 0, "1\n");
	expect_persona(ARGV("sh", "-c", "echo $PPID"), 0, "0\n");
	snprintf(buf, sizeof buf, "%d\n", c);
	expect_persona(ARGV("sh", "-c", "readlink /proc/self; exit 0"), 0, buf);
	/* exec keeps the pid */
	expect_persona(ARGV("sh", "-c", "exec sh -c 'echo $$'"), 0, "1\n");
}
END_TEST

START_TEST(test_init_ids)
{
	/* pid 1's parent, group and session are outside the namespace: 0 */
	expect_persona(ARGV(GUEST("print_ids")), 0, "pid 1 ppid 0 tid 1 pgrp 0 sid 0\n");
	char buf[512];
	int c = first_child_pid();
	snprintf(buf, sizeof buf, "pid %d ppid %d tid %d pgrp 0 sid 0\nforked %d\n"
		 "pid %d ppid 1 tid %d pgrp 0 sid 0\nforked %d\n"
		 "pid 1 ppid 0 tid 1 pgrp 0 sid 0\n", c + 1, c, c + 1, c + 1, c, c, c);
	expect_persona(ARGV(GUEST("print_ids"), "2"), 0, buf);
	expect_persona(ARGV("setsid", GUEST("print_ids")), 0, "pid 1 ppid 0 tid 1 pgrp 1 sid 1\n");
}
END_TEST

START_TEST(test_ps_lists_guests)
{
	struct run_result r;
	ck_assert_int_eq(run_persona(NULL, ARGV("sh", "-c", "sleep 1 & ps -e -o pid=,ppid=,comm=; exit 0"),
				     NULL, 30, &r), 0);
	ck_assert_msg(r.status == 0, "ps under persona failed: %s", r.err);
	int pid[64], ppid[64], n = 0, kthreads = 0, kthreadd = 0;
	char comm[64][64];
	for (char *line = strtok(r.out, "\n"); line && n < 64; line = strtok(NULL, "\n")) {
		int p, pp;
		char c[64];
		if (sscanf(line, "%d %d %63s", &p, &pp, c) != 3) continue;
		if (p == 2 || pp == 2) {	/* kthreadd and its kernel threads */
			kthreads++;
			kthreadd |= p == 2 && pp == 0 && !strcmp(c, "kthreadd");
			continue;
		}
		pid[n] = p; ppid[n] = pp; strcpy(comm[n], c); n++;
	}
	ck_assert_msg(kthreadd && kthreads >= 3, "no [kthreadd] (pid 2) with its kernel threads");
	ck_assert_msg(n == 3, "ps listed %d guest processes, expected 3 (sh, sleep, ps)", n);
	ck_assert_msg(pid[0] == 1 && ppid[0] == 0 && !strcmp(comm[0], "sh"), "first: %d %d %s", pid[0], ppid[0], comm[0]);
	ck_assert_msg(pid[1] > 2 && ppid[1] == 1 && !strcmp(comm[1], "sleep"), "second: %d %d %s", pid[1], ppid[1], comm[1]);
	ck_assert_msg(pid[2] == pid[1] + 1 && ppid[2] == 1 && !strcmp(comm[2], "ps"), "third: %d %d %s", pid[2], ppid[2], comm[2]);
	run_free(&r);
}
END_TEST

START_TEST(test_proc_lists_only_guests)
{
	struct run_result r;
	ck_assert_int_eq(run_persona(NULL, ARGV("sh", "-c", "ls /proc; echo --; ls /proc/1/task; exit 0"),
				     NULL, 30, &r), 0);
	ck_assert_int_eq(r.status, 0);
	char *tasks = strstr(r.out, "--\n");
	ck_assert_ptr_nonnull(tasks);
	*tasks = 0;
	tasks += 3;
	/* guests 1 (sh) and c (ls); kernel threads from 2 to c - 1 */
	int c = first_child_pid(), seen = 0;
	for (char *e = strtok(r.out, "\n"); e; e = strtok(NULL, "\n")) {
		if (strspn(e, "0123456789") != strlen(e)) continue;
		int p = atoi(e);
		ck_assert_msg(p >= 1 && p <= c, "/proc lists a pid %s outside the namespace", e);
		seen++;
	}
	ck_assert_msg(seen == c, "/proc should list 1..%d, listed %d pids", c, seen);
	ck_assert_str_eq(tasks, "1\n");
	run_free(&r);
}
END_TEST

START_TEST(test_kill_outside_namespace)
{
	/* persona's parent is this test process; the check runner is above it */
	char cmd[256];
	snprintf(cmd, sizeof cmd, "kill -0 %d; echo $?; kill -0 %d; echo $?; kill -0 -%d; echo $?",
		 (int)getpid(), (int)getppid(), (int)getpgrp());
	struct run_result r;
	ck_assert_int_eq(run_persona(NULL, ARGV("sh", "-c", cmd), NULL, 30, &r), 0);
	ck_assert_msg(r.status == 0, "sh failed: %s", r.err);
	ck_assert_msg(!strcmp(r.out, "1\n1\n1\n"), "kill -0 of pids outside the namespace should fail; got\n%s", r.out);
	ck_assert_msg(strstr(r.err, "No such process") != NULL, "expected ESRCH, stderr: %s", r.err);
	run_free(&r);
	/* and from a compiled guest: errno ESRCH, not EPERM */
	snprintf(cmd, sizeof cmd, "import os,sys\ntry:\n os.kill(%d, 0); print('ok')\n"
		 "except OSError as e: print(e.strerror)", (int)getpid());
	expect_persona(ARGV("python3", "-c", cmd), 0, "No such process\n");
}
END_TEST

START_TEST(test_ptrace_refused)
{
	expect_persona(ARGV(GUEST("ptrace_traceme")), 0,
		       "PTRACE_TRACEME: EPERM\nPTRACE_ATTACH to a child: EPERM\n");
}
END_TEST

START_TEST(test_orphan_goes_to_init)
{
	expect_persona(ARGV(GUEST("orphan_init")), 0,
		       "orphan's new ppid: 1\nreaped the middle child: yes\nreaped the orphan: yes\nmy pid: 1\n");
}
END_TEST

START_TEST(test_orphan_goes_to_init_without_subreaper_flag)
{
	/* the init of a pid namespace reaps orphans whether or not it set
	 * PR_SET_CHILD_SUBREAPER (it is the namespace's child reaper) */
	expect_persona(ARGV(GUEST("orphan_init"), "clear-subreaper"), 0,
		       "orphan's new ppid: 1\nreaped the middle child: yes\nreaped the orphan: yes\nmy pid: 1\n");
}
END_TEST

START_TEST(test_init_subreaper_flag)
{
	/* pid 1 did not ask to be a subreaper: PR_GET_CHILD_SUBREAPER reads 0 */
	expect_persona(ARGV(GUEST("orphan_init"), "flag"), 0, "child subreaper flag: 0\n");
}
END_TEST

START_TEST(test_init_clone_parent)
{
	/* Linux refuses CLONE_PARENT to a namespace's init (its parent is outside) */
	expect_persona(ARGV(GUEST("clone_flags"), "clone-parent-self"), 0,
		       "CLONE_PARENT from this process: EINVAL\n");
}
END_TEST

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Host processes whose command line has `marker` as an argument (SIGKILLed by pid
 * when `kill_them`) */
static int count_marked(const char *marker, int kill_them)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;
	while (d && (e = readdir(d))) {
		char path[300], buf[4096];
		if (strspn(e->d_name, "0123456789") != strlen(e->d_name)) continue;
		snprintf(path, sizeof path, "/proc/%s/cmdline", e->d_name);
		FILE *f = fopen(path, "r");
		if (!f) continue;
		size_t len = fread(buf, 1, sizeof buf - 1, f);
		fclose(f);
		buf[len] = 0;
		for (size_t i = 0; i < len; i += strlen(buf + i) + 1)
			if (!strcmp(buf + i, marker)) {
				n++;
				if (kill_them) kill(atoi(e->d_name), SIGKILL);
				break;
			}
	}
	if (d) closedir(d);
	return n;
}

/* `script` (a sh -c script, %s = the marker argument for sleep) must end promptly
 * with `status` and leave no process with the marker behind. */
static void init_exit_case(const char *script, int want_status)
{
	char marker[64], cmd[512], d1[64], d2[64];
	snprintf(marker, sizeof marker, "30.%d%ld", (int)getpid(), (long)(now() * 1000) % 100000);
	snprintf(cmd, sizeof cmd, script, marker, marker, marker);
	struct run_result r;
	double t0 = now();
	ck_assert_int_eq(run_persona(NULL, ARGV("sh", "-c", cmd), NULL, 25, &r), 0);
	double took = now() - t0;
	int left = count_marked(marker, 0);
	if (left) count_marked(marker, 1);	/* do not leave them around */
	ck_assert_msg(r.status == want_status, "'%s': status %s, expected %s\nstderr: %s", cmd,
		      describe(r.status, d1, sizeof d1), describe(want_status, d2, sizeof d2), r.err);
	ck_assert_msg(took < 10, "'%s': persona took %.1f s after pid 1 exited", cmd, took);
	ck_assert_msg(left == 0, "'%s': %d 'sleep %s' processes survived pid 1", cmd, left, marker);
	run_free(&r);
}

START_TEST(test_init_exit_kills_namespace)
{
	init_exit_case("sleep %s & exit 0", W_EXITCODE(0, 0));
	init_exit_case("sleep %s & exit 7", W_EXITCODE(7, 0));
	/* grandchildren, a new session, a stopped one, one ignoring SIGTERM */
	init_exit_case("(sleep %s & wait) & setsid sleep %s & (trap '' TERM; sleep %s) & exit 0", W_EXITCODE(0, 0));
	init_exit_case("sleep %s & kill -STOP $!; exit 0", W_EXITCODE(0, 0));
	/* pid 1 killed by a signal: persona reports that signal */
	init_exit_case("sleep %s & kill -KILL $$", SIGKILL);
}
END_TEST

/* persona run -- argv in the background, its stdout on *out; returns persona's pid */
static pid_t start_persona(char *const argv[], int *out)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC)) return -1;
	pid_t pid = fork();
	if (pid == 0) {
		char *full[16];
		int n = 0;
		full[n++] = (char *)persona_path();
		full[n++] = "run";
		full[n++] = "--";
		for (int i = 0; argv[i] && n < 15; i++) full[n++] = argv[i];
		full[n] = NULL;
		setpgid(0, 0);
		dup2(p[1], 1);
		int null = open("/dev/null", O_RDONLY);
		dup2(null, 0);
		execv(full[0], full);
		_exit(127);
	}
	close(p[1]);
	*out = p[0];
	return pid;
}

/* Reads one line (up to 5 s) into buf */
static int read_line(int fd, char *buf, size_t len)
{
	size_t n = 0;
	while (n + 1 < len) {
		struct pollfd pf = { fd, POLLIN, 0 };
		if (poll(&pf, 1, 5000) <= 0) break;
		if (read(fd, buf + n, 1) != 1) break;
		if (buf[n++] == '\n') break;
	}
	buf[n] = 0;
	return (int)n;
}

/* The host pid of persona's child (the guest's pid 1) */
static pid_t child_of(pid_t parent)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t found = -1;
	while (d && (e = readdir(d))) {
		char path[300], buf[512];
		if (strspn(e->d_name, "0123456789") != strlen(e->d_name)) continue;
		snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
		FILE *f = fopen(path, "r");
		if (!f) continue;
		size_t len = fread(buf, 1, sizeof buf - 1, f);
		fclose(f);
		buf[len] = 0;
		char *rp = strrchr(buf, ')');
		int ppid = 0;
		if (rp && sscanf(rp + 2, "%*c %d", &ppid) == 1 && ppid == parent) found = atoi(e->d_name);
	}
	if (d) closedir(d);
	return found;
}

START_TEST(test_signals_from_outside)
{
	/* a signal sent from outside the namespace (directly to the guest, or to persona
	 * which forwards it to pid 1) has a sender the guest cannot name: si_pid 0 */
	int out;
	char line[256];
	pid_t pid = start_persona(ARGV(GUEST("await_signals"), "2"), &out);
	ck_assert_int_gt(pid, 0);
	read_line(out, line, sizeof line);
	ck_assert_msg(!strcmp(line, "ready\n"), "guest did not start: '%s'", line);
	pid_t guest_pid = child_of(pid);
	ck_assert_int_gt(guest_pid, 0);
	kill(guest_pid, SIGUSR1);
	read_line(out, line, sizeof line);
	int ok1 = !strcmp(line, "signal 10 si_code 0 si_pid 0\n");
	char first[256];
	snprintf(first, sizeof first, "%s", line);
	kill(pid, SIGTERM);	/* persona forwards it to pid 1 */
	read_line(out, line, sizeof line);
	int ok2 = !strcmp(line, "signal 15 si_code 0 si_pid 0\n");
	int st;
	for (int i = 0; i < 50 && waitpid(pid, &st, WNOHANG) == 0; i++) usleep(100000);
	if (waitpid(pid, &st, WNOHANG) == 0) { kill(pid, SIGKILL); waitpid(pid, &st, 0); }
	close(out);
	ck_assert_msg(ok1, "kill from outside to the guest: expected si_pid 0, got: %s", first);
	ck_assert_msg(ok2, "SIGTERM to persona forwarded to pid 1: expected si_pid 0, got: %s", line);
}
END_TEST

Suite *guests_pidns_suite(void)
{
	Suite *s = suite_create("guests_pidns");
	TCase *tc = tcase_create("persona-only");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_sh_pid_is_1);
	tcase_add_test(tc, test_init_ids);
	tcase_add_test(tc, test_ps_lists_guests);
	tcase_add_test(tc, test_proc_lists_only_guests);
	tcase_add_test(tc, test_kill_outside_namespace);
	tcase_add_test(tc, test_ptrace_refused);
	tcase_add_test(tc, test_orphan_goes_to_init);
	tcase_add_test(tc, test_orphan_goes_to_init_without_subreaper_flag);
	tcase_add_test(tc, test_init_subreaper_flag);
	tcase_add_test(tc, test_init_clone_parent);
	tcase_add_test(tc, test_init_exit_kills_namespace);
	tcase_add_test(tc, test_signals_from_outside);
	suite_add_tcase(s, tc);
	return s;
}
