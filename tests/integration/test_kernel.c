/* tests/integration/test_kernel.c - the kernel machinery as a guest sees it: kernel
 * threads in ps, /proc/interrupts and /proc/softirqs from the personality's counters,
 * --stats and --hz. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "harness.h"
#include "suites.h"

static void run_ok(char *const opts[], char *const argv[], struct run_result *r)
{
	ck_assert_int_eq(run_persona(opts, argv, NULL, 60, r), 0);
	ck_assert_msg(WIFEXITED(r->status) && WEXITSTATUS(r->status) == 0, "status %#x, stderr %s",
		      r->status, r->err);
}

START_TEST(test_ps_lists_kernel_threads)
{
	struct run_result r;
	run_ok(NULL, ARGV("ps", "-e", "-o", "pid=,ppid=,args="), &r);
	ck_assert_msg(strstr(r.out, "    2     0 [kthreadd]\n"), "no [kthreadd] as pid 2:\n%s", r.out);
	ck_assert_msg(strstr(r.out, " 2 [ksoftirqd/0]\n"), "no [ksoftirqd/0] child of 2:\n%s", r.out);
	ck_assert_msg(strstr(r.out, " 2 [kworker/0:0]\n"), "no [kworker/0:0]:\n%s", r.out);
	ck_assert_msg(strstr(r.out, "    1     0 ps -e -o pid=,ppid=,args=\n"), "ps is not pid 1:\n%s", r.out);
	run_free(&r);
}
END_TEST

START_TEST(test_kernel_threads_untouchable)
{
	struct run_result r;
	/* signalling kthreadd, or reading its memory, is refused */
	ck_assert_int_eq(run_persona(NULL, ARGV("sh", "-c", "kill -0 2"), NULL, 30, &r), 0);
	ck_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) != 0);
	ck_assert_msg(strstr(r.err, "ermitted"), "%s", r.err);
	run_free(&r);
	run_ok(NULL, ARGV("sh", "-c", "cat /proc/2/cmdline | wc -c; readlink /proc/2/exe || echo noexe"), &r);
	ck_assert_str_eq(r.out, "0\nnoexe\n");
	run_free(&r);
}
END_TEST

/* the count of interrupt `name` (summed over CPUs) in a /proc/interrupts text */
static unsigned long irq_total(const char *text, const char *name)
{
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		const char *e = strchrnul(l, '\n');
		char line[512];
		snprintf(line, sizeof line, "%.*s", (int)(e - l), l);
		size_t n = strlen(line), k = strlen(name);
		if (n < k || strcmp(line + n - k, name) || line[n - k - 1] != ' ') continue;
		unsigned long sum = 0, v;
		char *p = strchr(line, ':');
		if (!p) continue;
		for (p++; sscanf(p, "%lu", &v) == 1; ) {
			sum += v;
			while (*p == ' ') p++;
			while (*p >= '0' && *p <= '9') p++;
		}
		return sum;
	}
	return (unsigned long)-1;
}

START_TEST(test_proc_interrupts)
{
	struct run_result r;
	/* 0.2 s at 250 Hz: about 50 ticks; children make child interrupts */
	run_ok(NULL, ARGV("sh", "-c", "sleep 0.2; cat /proc/interrupts"), &r);
	ck_assert_msg(!strncmp(r.out, "           CPU0", 15), "header: %s", r.out);
	unsigned long ticks = irq_total(r.out, "timer"), child = irq_total(r.out, "child");
	ck_assert_msg(ticks >= 25 && ticks <= 200, "timer interrupts %lu:\n%s", ticks, r.out);
	ck_assert_msg(child >= 5 && child != (unsigned long)-1, "child interrupts %lu", child);
	ck_assert_msg(irq_total(r.out, "hrtimer") >= 1, "the sleep's hrtimer did not fire:\n%s", r.out);
	run_free(&r);
	run_ok(ARGV("--hz=0"), ARGV("sh", "-c", "sleep 0.1; cat /proc/interrupts"), &r);
	ck_assert_msg(irq_total(r.out, "timer") == 0, "--hz=0 still ticks:\n%s", r.out);
	run_free(&r);
	/* without a tick the host schedules (Persona's scheduler could not take a CPU
	 * back from a guest asleep in the host: this pipeline deadlocked 5% of runs) */
	run_ok(ARGV("--hz=0"), ARGV("sh", "-c", "for i in 1 2 3 4 5 6 7 8 9 10; do "
	       "for j in 1 2 3; do echo $j; done | sort -r | tr '\\n' ' '; done"), &r);
	ck_assert_str_eq(r.out, "3 2 1 3 2 1 3 2 1 3 2 1 3 2 1 3 2 1 3 2 1 3 2 1 3 2 1 3 2 1 ");
	run_free(&r);
	ck_assert_int_eq(run_persona(ARGV("--hz=0", "--sched=cfs"), ARGV("true"), NULL, 30, &r), 0);
	ck_assert_msg(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 125, "status %#x", r.status);
	ck_assert_ptr_nonnull(strstr(r.err, "--hz=0 leaves the scheduler without a tick"));
	run_free(&r);
}
END_TEST

START_TEST(test_proc_softirqs)
{
	struct run_result r;
	run_ok(NULL, ARGV("sh", "-c", "sleep 0.1; cat /proc/softirqs"), &r);
	ck_assert_msg(!strncmp(r.out, "                    CPU0", 24), "header: %s", r.out);
	const char *names[] = { "HI:", "TIMER:", "BLOCK:", "SCHED:", "TASKLET:" };
	for (unsigned i = 0; i < 5; i++) ck_assert_msg(strstr(r.out, names[i]), "no %s in\n%s", names[i], r.out);
	unsigned long timer = 0, v;
	const char *t = strstr(r.out, "TIMER:") + 6;
	while (sscanf(t, "%lu", &v) == 1) {
		timer += v;
		while (*t == ' ') t++;
		while (*t >= '0' && *t <= '9') t++;
	}
	ck_assert_msg(timer >= 10, "TIMER softirq ran %lu times", timer);
	run_free(&r);
}
END_TEST

START_TEST(test_stats)
{
	struct run_result r;
	run_ok(ARGV("--stats"), ARGV("sleep", "0.05"), &r);
	ck_assert_msg(strstr(r.err, "persona: --- stats ---") && strstr(r.err, "persona: kernel threads created"),
		      "%s", r.err);
	ck_assert_msg(strstr(r.err, "sleeps 1 (interrupted 0)"), "%s", r.err);
	run_free(&r);
	ck_assert_int_eq(run_persona(ARGV("--hz=abc"), ARGV("true"), NULL, 30, &r), 0);
	ck_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 2);
	run_free(&r);
}
END_TEST

START_TEST(test_control_socket)
{
	struct run_result r;
	char pid[16];
	pid_t sup = fork();
	if (sup == 0) {
		execl(persona_path(), "persona", "run", "--", "sleep", "3", (char *)NULL);
		_exit(127);
	}
	snprintf(pid, sizeof pid, "%d", sup);
	char *argv[] = { (char *)persona_path(), "ctl", pid, "status", NULL };
	int tries = 0;
	do {	/* until the supervisor is listening */
		usleep(50000);
		ck_assert_int_eq(run_cmd(argv, NULL, 30, &r), 0);
		if (WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0) break;
		run_free(&r);
	} while (++tries < 20);
	ck_assert_msg(strstr(r.out, "processes 1\n") && strstr(r.out, "kernel-threads "), "%s%s", r.out, r.err);
	run_free(&r);
	char *bad[] = { (char *)persona_path(), "ctl", pid, "frobnicate", NULL };
	ck_assert_int_eq(run_cmd(bad, NULL, 30, &r), 0);
	ck_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 1);
	ck_assert(strstr(r.out, "unknown command"));
	run_free(&r);
	int st;
	waitpid(sup, &st, 0);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	char *none[] = { (char *)persona_path(), "ctl", "999999", "status", NULL };
	ck_assert_int_eq(run_cmd(none, NULL, 30, &r), 0);
	ck_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 1);
	ck_assert(strstr(r.err, "no supervisor with pid 999999"));
	run_free(&r);
}
END_TEST

/* A guest does not steer its own supervisor, even knowing its host pid */
START_TEST(test_control_refuses_guests)
{
	char file[] = "/tmp/persona-suppid-XXXXXX", script[512];
	int fd = mkstemp(file);
	ck_assert(fd >= 0);
	close(fd);
	unlink(file);
	snprintf(script, sizeof script, "while [ ! -s %s ]; do sleep 0.02; done; "
		 "ASAN_OPTIONS=detect_leaks=0 exec %s ctl \"$(cat %s)\" status", file, persona_path(), file);
	int out[2];
	ck_assert(pipe(out) == 0);
	pid_t sup = fork();
	if (sup == 0) {
		dup2(out[1], 1);
		execl(persona_path(), "persona", "run", "--", "sh", "-c", script, (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	FILE *f = fopen(file, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "%d\n", sup);
	fclose(f);
	char buf[256] = "";
	ssize_t n = read(out[0], buf, sizeof buf - 1);
	buf[n > 0 ? n : 0] = 0;
	int st;
	waitpid(sup, &st, 0);
	unlink(file);
	ck_assert_msg(strstr(buf, "error: refused"), "guest got: %s", buf);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1);
}
END_TEST

/* Without IORING_OP_WAITID (kernels before 6.7) children are reaped after SIGCHLD
 * through the signalfd; PERSONA_NO_WAITID forces that path */
START_TEST(test_signalfd_child_path)
{
	setenv("PERSONA_NO_WAITID", "1", 1);	/* this test runs in its own process */
	assert_same_as_native(ARGV("sh", "-c", "echo a | tr a b; (exit 3); echo $?; sleep 0.01 & wait"), NULL);
	assert_same_as_native(ARGV("/usr/bin/python3", "-c",
		"import subprocess; print(subprocess.run(['true']).returncode)"), NULL);
}
END_TEST

Suite *kernel_suite(void)
{
	Suite *s = suite_create("kernel");
	TCase *tc = tcase_create("machinery");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_ps_lists_kernel_threads);
	tcase_add_test(tc, test_kernel_threads_untouchable);
	tcase_add_test(tc, test_proc_interrupts);
	tcase_add_test(tc, test_proc_softirqs);
	tcase_add_test(tc, test_stats);
	tcase_add_test(tc, test_control_socket);
	tcase_add_test(tc, test_control_refuses_guests);
	tcase_add_test(tc, test_signalfd_child_path);
	suite_add_tcase(s, tc);
	return s;
}
