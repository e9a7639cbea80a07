/* tests/integration/test_badinput.c - bad input gets a clear error and the right
 * exit status; a dead supervisor leaves no guest behind. */
#include <check.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "harness.h"
#include "suites.h"

static void expect(char *const opts[], char *const argv[], int code, const char *msg)
{
	struct run_result r;
	ck_assert_int_eq(run_persona(opts, argv, NULL, 30, &r), 0);
	ck_assert_msg(WIFEXITED(r.status) && WEXITSTATUS(r.status) == code,
		      "%s: expected exit %d, got status %#x, stderr: %s", argv[0], code, r.status, r.err);
	ck_assert_msg(strstr(r.err, msg), "%s: stderr lacks '%s': %s", argv[0], msg, r.err);
	run_free(&r);
}

START_TEST(test_missing_program)
{
	expect(NULL, ARGV("no-such-program-xyz"), 127,
	       "persona: cannot run 'no-such-program-xyz': No such file or directory");
	expect(NULL, ARGV("/nonexistent/prog"), 127, "No such file or directory");
}
END_TEST

START_TEST(test_not_executable)
{
	expect(NULL, ARGV("/etc"), 126, "persona: cannot run '/etc': Permission denied");
	char path[] = "/tmp/persona-noexec-XXXXXX";
	int fd = mkstemp(path);	/* mode 0600: not executable */
	ck_assert(fd >= 0);
	close(fd);
	expect(NULL, ARGV(path), 126, "Permission denied");
	unlink(path);
}
END_TEST

START_TEST(test_unknown_option)
{
	struct run_result r;
	char *argv[] = { (char *)persona_path(), "run", "--no-such-option", "--", "true", NULL };
	ck_assert_int_eq(run_cmd(argv, NULL, 30, &r), 0);
	ck_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 2);
	ck_assert(strstr(r.err, "usage:"));
	run_free(&r);
	char *argv2[] = { (char *)persona_path(), "frobnicate", NULL };
	ck_assert_int_eq(run_cmd(argv2, NULL, 30, &r), 0);
	ck_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 2);
	run_free(&r);
	expect(ARGV("--debug=nonsense"), ARGV("true"), 2, "unknown debug category");
}
END_TEST

START_TEST(test_script_without_shebang)
{
	char path[] = "/tmp/persona-noshebang-XXXXXX";
	int fd = mkstemp(path);
	ck_assert(fd >= 0);
	ck_assert(write(fd, "echo script ran\nexit 9\n", 23) == 23);
	close(fd);
	chmod(path, 0755);
	assert_same_as_native(ARGV(path), NULL);
	unlink(path);
}
END_TEST

/* Counts processes whose command line contains `marker` */
static int count_marked(const char *marker)
{
	int n = 0;
	DIR *d = opendir("/proc");
	struct dirent *e;
	while (d && (e = readdir(d))) {
		char path[300], buf[4096];
		snprintf(path, sizeof path, "/proc/%s/cmdline", e->d_name);
		FILE *f = fopen(path, "r");
		if (!f) continue;
		size_t len = fread(buf, 1, sizeof buf - 1, f);
		fclose(f);
		for (size_t i = 0; i < len; i++) if (!buf[i]) buf[i] = ' ';
		buf[len] = 0;
		if (!strcmp(buf, marker) || (!strncmp(buf, marker, strlen(marker)) && buf[strlen(marker)] == ' '))
			n++;
	}
	if (d) closedir(d);
	return n;
}

START_TEST(test_supervisor_sigkill_leaves_no_guest)
{
	char marker[64];
	snprintf(marker, sizeof marker, "sleep 77.%d", getpid());
	char script[512];
	snprintf(script, sizeof script, "%s & (%s & %s) & %s", marker, marker, marker, marker);
	pid_t pid = fork();
	if (pid == 0) {
		execl(persona_path(), "persona", "run", "--", "sh", "-c", script, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 100 && count_marked(marker) < 4; i++) usleep(20000);
	ck_assert_int_eq(count_marked(marker), 4);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	int left = 4;
	for (int i = 0; i < 100 && (left = count_marked(marker)) > 0; i++) usleep(20000);
	ck_assert_msg(left == 0, "%d guests survived the supervisor", left);
}
END_TEST

Suite *badinput_suite(void)
{
	Suite *s = suite_create("badinput");
	TCase *tc = tcase_create("errors");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_missing_program);
	tcase_add_test(tc, test_not_executable);
	tcase_add_test(tc, test_unknown_option);
	tcase_add_test(tc, test_script_without_shebang);
	tcase_add_test(tc, test_supervisor_sigkill_leaves_no_guest);
	suite_add_tcase(s, tc);
	return s;
}
