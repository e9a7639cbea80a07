/* tests/unit/test_spawn.c - core/spawn: spawn_resolve searches PATH like execvp;
 * spawn_guest forks, seizes and execs a guest under the filter (driven here by a
 * minimal tracer loop that lets every stop continue). */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "core/filter.h"
#include "core/spawn.h"
#include "tests/unit/unit.h"

static char root[64], d_exec[128], d_noexec[128], d_dir[128], d_other[128];
static char *saved_path, saved_cwd[PATH_MAX];

static void make_file(const char *dir, const char *name, mode_t mode, const char *text)
{
	char p[256];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	ck_assert_int_eq(chmod(p, mode), 0);
}

static void setup(void)
{
	char p[256];
	unit_tables_init();
	saved_path = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
	ck_assert_ptr_nonnull(getcwd(saved_cwd, sizeof saved_cwd));
	strcpy(root, "/tmp/persona-spawn-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
	snprintf(d_exec, sizeof d_exec, "%s/exec", root);
	snprintf(d_noexec, sizeof d_noexec, "%s/noexec", root);
	snprintf(d_dir, sizeof d_dir, "%s/dir", root);
	snprintf(d_other, sizeof d_other, "%s/other", root);
	ck_assert_int_eq(mkdir(d_exec, 0755), 0);
	ck_assert_int_eq(mkdir(d_noexec, 0755), 0);
	ck_assert_int_eq(mkdir(d_dir, 0755), 0);
	ck_assert_int_eq(mkdir(d_other, 0755), 0);
	make_file(d_exec, "prog", 0755, "#!/bin/sh\nexit 0\n");
	make_file(d_noexec, "prog", 0644, "#!/bin/sh\nexit 0\n");
	make_file(d_noexec, "plain", 0644, "data\n");
	make_file(d_other, "prog", 0755, "#!/bin/sh\nexit 0\n");
	make_file(d_other, "noshebang", 0755, "exit 7\n");
	snprintf(p, sizeof p, "%s/prog", d_dir);	/* a directory named like the program */
	ck_assert_int_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof p, "%s/sub", d_dir);
	ck_assert_int_eq(mkdir(p, 0755), 0);
}

static void teardown(void)
{
	char cmd[128];
	if (saved_path) setenv("PATH", saved_path, 1); else unsetenv("PATH");
	free(saved_path);
	if (chdir(saved_cwd)) {}
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	if (system(cmd)) {}
}

static void set_path(const char *a, const char *b)
{
	char p[512];
	if (b) snprintf(p, sizeof p, "%s:%s", a, b);
	else snprintf(p, sizeof p, "%s", a);
	setenv("PATH", p, 1);
}

static char expect[256];
static const char *in(const char *dir, const char *name)
{
	snprintf(expect, sizeof expect, "%s/%s", dir, name);
	return expect;
}

START_TEST(found_in_path)
{
	char out[PATH_MAX];
	set_path("/nonexistent", d_exec);
	ck_assert_int_eq(spawn_resolve("prog", out, sizeof out), 0);
	ck_assert_str_eq(out, in(d_exec, "prog"));
	/* the first match wins */
	set_path(d_other, d_exec);
	ck_assert_int_eq(spawn_resolve("prog", out, sizeof out), 0);
	ck_assert_str_eq(out, in(d_other, "prog"));
	/* the real PATH finds sh */
	setenv("PATH", "/usr/local/bin:/usr/bin:/bin", 1);
	ck_assert_int_eq(spawn_resolve("sh", out, sizeof out), 0);
	ck_assert_int_eq(access(out, X_OK), 0);
}
END_TEST

START_TEST(not_found)
{
	char out[PATH_MAX];
	set_path(d_exec, d_other);
	ck_assert_int_eq(spawn_resolve("no-such-program", out, sizeof out), -ENOENT);
	ck_assert_int_eq(spawn_resolve("", out, sizeof out), -ENOENT);
	set_path("/nonexistent/a", "/nonexistent/b");
	ck_assert_int_eq(spawn_resolve("prog", out, sizeof out), -ENOENT);
}
END_TEST

START_TEST(directory_is_eacces)
{
	char out[PATH_MAX];
	set_path(d_dir, NULL);
	ck_assert_int_eq(spawn_resolve("prog", out, sizeof out), -EACCES);
	ck_assert_int_eq(spawn_resolve("sub", out, sizeof out), -EACCES);
}
END_TEST

START_TEST(not_executable_is_eacces)
{
	char out[PATH_MAX];
	set_path(d_noexec, NULL);
	ck_assert_int_eq(spawn_resolve("plain", out, sizeof out), -EACCES);
	ck_assert_int_eq(spawn_resolve("prog", out, sizeof out), -EACCES);
	/* execvp goes on after EACCES: a later executable match wins */
	set_path(d_noexec, d_exec);
	ck_assert_int_eq(spawn_resolve("prog", out, sizeof out), 0);
	ck_assert_str_eq(out, in(d_exec, "prog"));
	/* EACCES is reported even when a later directory lacks the name */
	set_path(d_noexec, d_other);
	ck_assert_int_eq(spawn_resolve("plain", out, sizeof out), -EACCES);
	set_path(d_dir, d_noexec);
	ck_assert_int_eq(spawn_resolve("prog", out, sizeof out), -EACCES);
}
END_TEST

START_TEST(absolute_and_relative_paths)
{
	char out[PATH_MAX], p[256];
	set_path("/nonexistent", NULL);	/* a path with '/' never searches PATH */
	snprintf(p, sizeof p, "%s/prog", d_exec);
	ck_assert_int_eq(spawn_resolve(p, out, sizeof out), 0);
	ck_assert_str_eq(out, p);
	snprintf(p, sizeof p, "%s/prog", d_noexec);
	ck_assert_int_eq(spawn_resolve(p, out, sizeof out), -EACCES);
	snprintf(p, sizeof p, "%s/prog", d_dir);
	ck_assert_int_eq(spawn_resolve(p, out, sizeof out), -EACCES);
	snprintf(p, sizeof p, "%s/missing", d_exec);
	ck_assert_int_eq(spawn_resolve(p, out, sizeof out), -ENOENT);
	ck_assert_int_eq(spawn_resolve("/bin/sh", out, sizeof out), 0);
	ck_assert_str_eq(out, "/bin/sh");
	/* relative with a slash: from the current directory */
	ck_assert_int_eq(chdir(d_exec), 0);
	ck_assert_int_eq(spawn_resolve("./prog", out, sizeof out), 0);
	ck_assert_str_eq(out, "./prog");
	ck_assert_int_eq(spawn_resolve("../exec/prog", out, sizeof out), 0);
	/* no room for the path */
	ck_assert_int_eq(spawn_resolve("/bin/sh", out, 7), -ENAMETOOLONG);
	ck_assert_int_eq(spawn_resolve("/bin/sh", out, 8), 0);
}
END_TEST

/* An empty PATH element is the current directory, as for execvp */
START_TEST(empty_path_element)
{
	char out[PATH_MAX];
	ck_assert_int_eq(chdir(d_exec), 0);
	setenv("PATH", ":/nonexistent", 1);
	ck_assert_int_eq(spawn_resolve("prog", out, sizeof out), 0);
	ck_assert_int_eq(access(out, X_OK), 0);
	setenv("PATH", "/nonexistent:", 1);
	ck_assert_int_eq(spawn_resolve("prog", out, sizeof out), 0);
	ck_assert_int_eq(access(out, X_OK), 0);
	setenv("PATH", "/nonexistent", 1);
	ck_assert_int_eq(spawn_resolve("prog", out, sizeof out), -ENOENT);
}
END_TEST

START_TEST(no_path_variable)
{
	char out[PATH_MAX];
	unsetenv("PATH");
	ck_assert_int_eq(spawn_resolve("sh", out, sizeof out), 0);
	ck_assert_int_eq(access(out, X_OK), 0);
}
END_TEST

/* Drives a spawned guest to its end: every stop continues (a trapped syscall left at
 * its seccomp stop with PTRACE_CONT runs natively). Returns the exit status. */
static int run_guest(pid_t pid, int *seccomp_stops)
{
	int st;
	*seccomp_stops = 0;
	for (;;) {
		pid_t w = waitpid(-1, &st, __WALL);
		ck_assert_int_gt(w, 0);
		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			if (w == pid) return st;
			continue;
		}
		int sig = WSTOPSIG(st), ev = st >> 16, deliver = 0;
		if (ev == PTRACE_EVENT_SECCOMP) (*seccomp_stops)++;
		if (!ev && sig != (SIGTRAP | 0x80)) deliver = sig;
		ptrace(PTRACE_CONT, w, 0, deliver);
	}
}

static int read_exec_errno(int fd)
{
	int err = 0;
	ssize_t n = read(fd, &err, sizeof err);
	close(fd);
	return n == sizeof err ? err : 0;
}

START_TEST(spawn_runs_guest_under_filter)
{
	struct sock_fprog prog;
	char *argv[] = { "true", NULL };
	int err_fd = -1, stops;
	ck_assert_int_eq(filter_build(FILTER_DEFAULT, &prog), 0);
	pid_t pid = spawn_guest("/bin/true", argv, &prog, NULL, &err_fd);
	free(prog.filter);
	ck_assert_int_gt(pid, 0);
	ck_assert_int_ge(err_fd, 0);
	int st = run_guest(pid, &stops);
	ck_assert(WIFEXITED(st));
	ck_assert_int_eq(WEXITSTATUS(st), 0);
	ck_assert_int_eq(read_exec_errno(err_fd), 0);	/* EOF: the exec worked */
	ck_assert_int_gt(stops, 0);	/* the dynamic loader's openat was trapped */
}
END_TEST

START_TEST(spawn_reports_exec_error)
{
	struct sock_fprog prog;
	char *argv[] = { "missing", NULL };
	int err_fd = -1, stops;
	ck_assert_int_eq(filter_build(FILTER_DEFAULT, &prog), 0);
	pid_t pid = spawn_guest("/nonexistent/missing", argv, &prog, NULL, &err_fd);
	free(prog.filter);
	ck_assert_int_gt(pid, 0);
	int st = run_guest(pid, &stops);
	ck_assert(WIFEXITED(st));
	ck_assert_int_eq(WEXITSTATUS(st), 127);
	ck_assert_int_eq(read_exec_errno(err_fd), -ENOENT);
}
END_TEST

/* execvp runs a file without #! with /bin/sh */
START_TEST(spawn_script_without_shebang)
{
	struct sock_fprog prog;
	char p[256];
	char *argv[] = { "noshebang", NULL };
	int err_fd = -1, stops;
	snprintf(p, sizeof p, "%s/noshebang", d_other);
	ck_assert_int_eq(filter_build(FILTER_DEFAULT, &prog), 0);
	pid_t pid = spawn_guest(p, argv, &prog, NULL, &err_fd);
	free(prog.filter);
	ck_assert_int_gt(pid, 0);
	int st = run_guest(pid, &stops);
	ck_assert(WIFEXITED(st));
	ck_assert_int_eq(WEXITSTATUS(st), 7);
	ck_assert_int_eq(read_exec_errno(err_fd), 0);
}
END_TEST

Suite *spawn_suite(void)
{
	Suite *s = suite_create("spawn");
	TCase *tc = tcase_create("resolve");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, found_in_path);
	tcase_add_test(tc, not_found);
	tcase_add_test(tc, directory_is_eacces);
	tcase_add_test(tc, not_executable_is_eacces);
	tcase_add_test(tc, absolute_and_relative_paths);
	tcase_add_test(tc, empty_path_element);
	tcase_add_test(tc, no_path_variable);
	suite_add_tcase(s, tc);
	TCase *g = tcase_create("guest");
	tcase_add_checked_fixture(g, setup, teardown);
	tcase_set_timeout(g, 20);
	tcase_add_test(g, spawn_runs_guest_under_filter);
	tcase_add_test(g, spawn_reports_exec_error);
	tcase_add_test(g, spawn_script_without_shebang);
	suite_add_tcase(s, g);
	return s;
}
