/* tests/integration/test_loader.c - execve performed by the personality (loader/):
 * real programs started through the loader give the output they give natively
 * (dynamic coreutils, sh, python3, gcc with cc1/as/ld, static busybox, a static-pie
 * program, `#!` scripts), execve's errors are Linux's, and the host only ever execs
 * the stub: the guest's host process shows persona-stub as its executable. */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include "harness.h"
#include "suites.h"

START_TEST(test_exec_errors) { assert_same_as_native(ARGV((char *)guest("exec_errors")), NULL); }
END_TEST

START_TEST(test_static_pie)
{
	assert_same_as_native(ARGV((char *)guest("static_pie")), NULL);
	assert_same_as_native(ARGV((char *)guest("static_pie"), "x"), NULL);
}
END_TEST

START_TEST(test_real_programs)
{
	assert_same_as_native(ARGV("ls", "-l", "/usr/share/common-licenses"), NULL);
	assert_same_as_native(ARGV("sh", "-c", "for i in 1 2 3; do echo $i; done | sort -r | tr '\\n' ' '"), NULL);
	assert_same_as_native(ARGV("python3", "-c", "import json, os; print(json.dumps({'a': [1, 2]}))"), NULL);
	assert_same_as_native(ARGV("busybox", "sh", "-c", "busybox seq 5 | busybox tail -2"), NULL);
	assert_same_as_native(ARGV("sh", "-c", "exec /proc/self/exe -c 'echo re-exec of self'"), NULL);
}
END_TEST

/* gcc: the driver execs cc1, as, collect2, ld: every one through the loader */
START_TEST(test_gcc)
{
	char dir[] = "/tmp/persona-gcc.XXXXXX", cmd[512];
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(cmd, sizeof cmd, "cd %s && printf '#include <stdio.h>\\nint main(void){printf(\"%%d\\\\n\", 6*7);return 3;}' > t.c "
		 "&& gcc -O1 -o t t.c && ./t; echo status $?", dir);
	assert_same_as_native(ARGV("sh", "-c", cmd), NULL);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* the host's view of the guest: its executable is the stub, never the program */
START_TEST(test_host_execs_only_the_stub)
{
	int out[2];
	ck_assert_int_eq(pipe(out), 0);
	pid_t sup = fork();
	if (sup == 0) {
		dup2(out[1], 1);
		execl(persona_path(), "persona", "run", "--", "sleep", "3", (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	char exe[4096] = "", path[64];
	for (int tries = 0; tries < 50 && !strstr(exe, "sleep") && !strstr(exe, "persona-stub"); tries++) {
		usleep(100000);
		char cmd[128];
		snprintf(cmd, sizeof cmd, "pgrep -P %d", sup);
		FILE *p = popen(cmd, "r");
		int child = 0;
		if (p && fscanf(p, "%d", &child) != 1) child = 0;
		if (p) pclose(p);
		if (!child) continue;
		snprintf(path, sizeof path, "/proc/%d/exe", child);
		ssize_t n = readlink(path, exe, sizeof exe - 1);
		exe[n > 0 ? n : 0] = 0;
	}
	kill(sup, SIGTERM);
	waitpid(sup, NULL, 0);
	close(out[0]);
	ck_assert_msg(strstr(exe, "persona-stub") != NULL, "the guest's host executable is '%s'", exe);
}
END_TEST

Suite *loader_suite(void)
{
	Suite *s = suite_create("loader");
	TCase *tc = tcase_create("exec");
	tcase_set_timeout(tc, 150);
	tcase_add_test(tc, test_exec_errors);
	tcase_add_test(tc, test_static_pie);
	tcase_add_test(tc, test_real_programs);
	tcase_add_test(tc, test_gcc);
	tcase_add_test(tc, test_host_execs_only_the_stub);
	suite_add_tcase(s, tc);
	return s;
}
