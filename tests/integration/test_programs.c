/* tests/integration/test_programs.c - real programs give the same stdout, stderr and
 * exit status under Persona as natively. */
#include <check.h>
#include <string.h>
#include <sys/wait.h>
#include "harness.h"
#include "suites.h"

START_TEST(test_true_false)
{
	assert_same_as_native(ARGV("true"), NULL);
	assert_same_as_native(ARGV("false"), NULL);
}
END_TEST

START_TEST(test_echo_cat)
{
	assert_same_as_native(ARGV("echo", "hello", "world"), NULL);
	assert_same_as_native(ARGV("cat"), "line one\nline two\n");
}
END_TEST

START_TEST(test_ls)
{
	/* /proc's link count is the host's process count, which persona itself raises by
	 * one (as it would inside a Linux pid namespace), and /tmp's changes whenever
	 * anything on the machine makes a directory there: leave those lines out, and
	 * squeeze the spaces (ls pads the link-count column to /proc's, which crosses
	 * 100 when the machine is busy) */
	assert_same_as_native(ARGV("sh", "-c", "ls -l / | grep -v -e ' proc$' -e ' tmp$' | tr -s ' '"), NULL);
	assert_same_as_native(ARGV("ls", "-l", "/usr"), NULL);
}
END_TEST

START_TEST(test_sh_pipelines)
{
	assert_same_as_native(ARGV("sh", "-c", "echo a | tr a b; (echo sub; exit 3); echo $?"), NULL);
	assert_same_as_native(ARGV("sh", "-c", "for i in 1 2 3; do echo $i; done | sort -r"), NULL);
	assert_same_as_native(ARGV("sh", "-c", "trap 'echo trapped' USR1; kill -USR1 $$; echo after"), NULL);
	assert_same_as_native(ARGV("sh", "-c", "sleep 0.05 & sleep 0.01 & wait; echo jobs done"), NULL);
	assert_same_as_native(ARGV("sh", "-c", "exit 42"), NULL);
}
END_TEST

/* A report: about 1 run in 10 of this pipeline exited 255 with no message (the event
 * loop's "no children left" before the namespace was seen to end). Not reproduced
 * here; every run must give the shell's status and output. */
START_TEST(test_pipeline_repeated)
{
	char *const *argv = ARGV("sh", "-c", "for i in 1 2 3; do echo $i; done | sort -r | tr '\\n' ' '");
	for (int i = 0; i < 30; i++) {
		struct run_result r;
		ck_assert_int_eq(run_persona(NULL, argv, NULL, 60, &r), 0);
		ck_assert_msg(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0,
			      "run %d: status %#x\nstderr: %s", i, r.status, r.err);
		ck_assert_msg(!strcmp(r.out, "3 2 1 "), "run %d: stdout '%s'", i, r.out);
		run_free(&r);
	}
}
END_TEST

START_TEST(test_python_subprocess)
{
	assert_same_as_native(ARGV("python3", "-c",
		"import subprocess,sys; r=subprocess.run(['sh','-c','echo out; echo err >&2; exit 5'],"
		"capture_output=True); print(r.returncode, r.stdout, r.stderr); sys.exit(7)"), NULL);
}
END_TEST

START_TEST(test_busybox)
{
	assert_same_as_native(ARGV("busybox", "sh", "-c", "echo $((6*7)); busybox seq 3 | busybox wc -l"), NULL);
}
END_TEST

START_TEST(test_killed_by_signal)
{
	/* persona re-raises the guest's fatal signal: the status is the native one */
	assert_same_as_native(ARGV("sh", "-c", "kill -SEGV $$"), NULL);
	assert_same_as_native(ARGV("sh", "-c", "kill -KILL $$"), NULL);
}
END_TEST

Suite *programs_suite(void)
{
	Suite *s = suite_create("programs");
	TCase *tc = tcase_create("same-as-native");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_true_false);
	tcase_add_test(tc, test_echo_cat);
	tcase_add_test(tc, test_ls);
	tcase_add_test(tc, test_sh_pipelines);
	tcase_add_test(tc, test_pipeline_repeated);
	tcase_add_test(tc, test_python_subprocess);
	tcase_add_test(tc, test_busybox);
	tcase_add_test(tc, test_killed_by_signal);
	suite_add_tcase(s, tc);
	return s;
}
