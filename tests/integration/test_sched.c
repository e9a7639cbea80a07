/* tests/integration/test_sched.c - the scheduler with real guests: CPU shares under
 * cfs, priority order under fifo, wake-up latency among hogs, hot swap with persona
 * ctl, the emulated scheduling syscalls against native, virtual CPU counts, /proc,
 * --sched-trace, and plugins that must be refused or replaced. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "harness.h"
#include "suites.h"

static void run_ok(char *const opts[], char *const argv[], struct run_result *r)
{
	ck_assert_int_eq(run_persona(opts, argv, NULL, 120, r), 0);
	ck_assert_msg(WIFEXITED(r->status) && WEXITSTATUS(r->status) == 0,
		      "status %#x\nstdout:\n%s\nstderr:\n%s", r->status, r->out, r->err);
}

/* directory of the test plugins (.so), built next to persona */
static const char *plugin_dir(void)
{
	static char dir[4096];
	const char *env = getenv("SCHED_PLUGINS");
	if (env) return env;
	snprintf(dir, sizeof dir, "%s", persona_path());
	char *slash = strrchr(dir, '/');
	if (slash) strcpy(slash + 1, "sched-plugins");
	else strcpy(dir, "sched-plugins");
	return dir;
}

static const char *plugin(const char *name)
{
	static char path[2][4200];
	static int i;
	i ^= 1;
	snprintf(path[i], sizeof path[i], "%s/%s.so", plugin_dir(), name);
	return path[i];
}

START_TEST(test_sched_list)
{
	char *argv[] = { (char *)persona_path(), "sched", "list", NULL };
	struct run_result r;
	ck_assert_int_eq(run_cmd(argv, NULL, 30, &r), 0);
	ck_assert_msg(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "%s", r.err);
	const char *names[] = { "fifo", "rr", "cfs", "mlfq", "edf", "eevdf" };
	for (unsigned i = 0; i < 6; i++) ck_assert_msg(strstr(r.out, names[i]), "%s missing:\n%s", names[i], r.out);
	run_free(&r);
}
END_TEST

/* Three hogs at nice 0, 0, 5 on one CPU get shares within 10% of 1024:1024:335 */
START_TEST(test_cfs_shares)
{
	struct run_result r;
	run_ok(ARGV("--sched=cfs", "--cpus=1"), ARGV((char *)guest("sched_share"), "3", "0", "0", "5"), &r);
	double share[3] = { 0 }, w[3] = { 1024, 1024, 335 }, wsum = 2383;
	const char *p = r.out;
	for (int i = 0; i < 3; i++) {
		p = strstr(p, "share ");
		ck_assert_msg(p, "%s", r.out);
		share[i] = atof(p + 6);
		p += 6;
	}
	for (int i = 0; i < 3; i++) {
		double want = 100 * w[i] / wsum;
		ck_assert_msg(fabs(share[i] / want - 1) <= 0.10, "child %d: share %.2f%%, weight says %.2f%%\n%s",
			      i, share[i], want, r.out);
	}
	run_free(&r);
}
END_TEST

/* Under fifo, a higher-priority guest started later runs to completion first */
START_TEST(test_fifo_order)
{
	struct run_result r;
	run_ok(ARGV("--sched=fifo", "--cpus=1"), ARGV((char *)guest("sched_order"), "100000000"), &r);
	ck_assert_str_eq(r.out, "high low \n");
	run_free(&r);
	run_ok(ARGV("--sched=rr", "--cpus=1"), ARGV((char *)guest("sched_order"), "100000000"), &r);
	ck_assert_str_eq(r.out, "high low \n");
	run_free(&r);
}
END_TEST

static void latency(const char *sched, long p50_max, long p90_max)
{
	struct run_result r;
	char opt[64];
	snprintf(opt, sizeof opt, "--sched=%s", sched);
	run_ok(ARGV(opt, "--cpus=1"), ARGV((char *)guest("sched_latency"), "3", "60", "10000"), &r);
	long p50 = -1, p90 = -1, max = -1;
	ck_assert_msg(sscanf(r.out, "latency_us p50 %ld p90 %ld max %ld", &p50, &p90, &max) == 3, "%s", r.out);
	ck_assert_msg(p50 <= p50_max && p90 <= p90_max, "%s: wake-up latency p50 %ld us, p90 %ld us (max %ld)",
		      sched, p50, p90, max);
	run_free(&r);
}

/* An interactive guest (10 ms sleeps) keeps a low wake-up latency while 3 hogs run */
START_TEST(test_latency_cfs) { latency("cfs", 2000, 10000); }
END_TEST
START_TEST(test_latency_mlfq) { latency("mlfq", 2000, 10000); }
END_TEST

/* persona ctl PID sched NAME swaps plugins under a running workload; no task is lost */
START_TEST(test_hot_swap)
{
	struct run_result r;
	char pid[16];
	int out[2];
	ck_assert(pipe(out) == 0);
	pid_t sup = fork();
	if (sup == 0) {
		dup2(out[1], 1);
		close(out[0]);
		execl(persona_path(), "persona", "run", "--sched=cfs", "--cpus=1", "--", guest("sched_share"),
		      "8", "0", "0", "0", "0", (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	snprintf(pid, sizeof pid, "%d", sup);
	const char *seq[] = { "rr", "mlfq", "fifo", "edf", "eevdf", "cfs" };
	char *st[] = { (char *)persona_path(), "ctl", pid, "sched", NULL };
	int tries = 0;
	do {	/* until the supervisor is listening */
		usleep(50000);
		ck_assert_int_eq(run_cmd(st, NULL, 30, &r), 0);
		if (WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0) break;
		run_free(&r);
	} while (++tries < 40);
	ck_assert_str_eq(r.out, "cfs\n");
	run_free(&r);
	usleep(300000);
	for (unsigned i = 0; i < 6; i++) {
		char *sw[] = { (char *)persona_path(), "ctl", pid, "sched", (char *)seq[i], NULL };
		ck_assert_int_eq(run_cmd(sw, NULL, 30, &r), 0);
		ck_assert_msg(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0 && strstr(r.out, "tasks moved"),
			      "swap to %s: %s%s", seq[i], r.out, r.err);
		run_free(&r);
		usleep(250000);
	}
	char *bad[] = { (char *)persona_path(), "ctl", pid, "sched", "nosuchplugin", NULL };
	ck_assert_int_eq(run_cmd(bad, NULL, 30, &r), 0);
	ck_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 1);
	run_free(&r);
	char buf[4096];
	ssize_t n, len = 0;
	while ((n = read(out[0], buf + len, sizeof buf - 1 - len)) > 0) len += n;
	buf[len] = 0;
	close(out[0]);
	int status;
	waitpid(sup, &status, 0);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x", status);
	/* every child finished with CPU time of its own: none was lost in a swap */
	int lines = 0;
	for (char *p = buf; (p = strstr(p, "cpu_ms ")); p += 7) {
		ck_assert_msg(atoi(p + 7) > 100, "%s", buf);
		lines++;
	}
	ck_assert_msg(lines == 4, "%s", buf);
}
END_TEST

/* The scheduling syscalls: same results and errno as native (default plugin cfs, as
 * many virtual CPUs as host CPUs) */
START_TEST(test_sched_calls)
{
	assert_same_as_native(ARGV((char *)guest("sched_calls")), NULL);
}
END_TEST

/* A policy the plugin does not implement is EINVAL; one it does is accepted */
START_TEST(test_policy_support)
{
	struct run_result r;
	ck_assert_int_eq(run_persona(ARGV("--sched=cfs"), ARGV("chrt", "-f", "10", "true"), NULL, 30, &r), 0);
	ck_assert_msg(WIFEXITED(r.status) && WEXITSTATUS(r.status) != 0 && strstr(r.err, "Invalid argument"),
		      "%s", r.err);
	run_free(&r);
	run_ok(ARGV("--sched=fifo"), ARGV("chrt", "-f", "10", "chrt", "-p", "0"), &r);
	ck_assert_msg(strstr(r.out, "SCHED_FIFO") && strstr(r.out, "priority: 10"), "%s", r.out);
	run_free(&r);
	run_ok(ARGV("--sched=rr"), ARGV("chrt", "-r", "5", "chrt", "-p", "0"), &r);
	ck_assert_msg(strstr(r.out, "SCHED_RR") && strstr(r.out, "priority: 5"), "%s", r.out);
	run_free(&r);
}
END_TEST

/* nproc, os.cpu_count() and the affinity mask show the virtual CPUs */
START_TEST(test_virtual_cpus)
{
	struct run_result r;
	run_ok(ARGV("--cpus=1"), ARGV("nproc"), &r);
	ck_assert_str_eq(r.out, "1\n");
	run_free(&r);
	run_ok(ARGV("--cpus=3"), ARGV("nproc"), &r);
	ck_assert_str_eq(r.out, "3\n");
	run_free(&r);
	run_ok(ARGV("--cpus=3"), ARGV("python3", "-c", "import os; print(os.cpu_count(), len(os.sched_getaffinity(0)))"), &r);
	ck_assert_str_eq(r.out, "3 3\n");
	run_free(&r);
	run_ok(ARGV("--cpus=3"), ARGV("sh", "-c", "grep -c ^processor /proc/cpuinfo"), &r);
	ck_assert_str_eq(r.out, "3\n");
	run_free(&r);
	run_ok(ARGV("--cpus=8"), ARGV("sh", "-c", "taskset -p 0d $$ >/dev/null; grep ^Cpus_allowed /proc/$$/status"), &r);
	ck_assert_str_eq(r.out, "Cpus_allowed:\t0d\nCpus_allowed_list:\t0,2-3\n");
	run_free(&r);
}
END_TEST

/* /proc/PID/sched, schedstat and the ctxt lines come from the personality */
START_TEST(test_proc_files)
{
	struct run_result r;
	run_ok(ARGV("--cpus=1"), ARGV("sh", "-c", "cat /proc/self/schedstat; grep ctxt /proc/self/status; "
				       "head -1 /proc/self/sched; grep -c nr_switches /proc/self/sched"), &r);
	unsigned long long run, wait, n;
	ck_assert_msg(sscanf(r.out, "%llu %llu %llu", &run, &wait, &n) == 3 && run > 0 && n >= 1, "%s", r.out);
	ck_assert_msg(strstr(r.out, "voluntary_ctxt_switches:") && strstr(r.out, "nonvoluntary_ctxt_switches:"),
		      "%s", r.out);
	ck_assert_msg(strstr(r.out, "cat (") || strstr(r.out, "head ("), "%s", r.out);
	run_free(&r);
}
END_TEST

/* --sched-trace writes Chrome Trace Event JSON: one track per CPU, slices per run */
START_TEST(test_sched_trace)
{
	char file[] = "/tmp/persona-sched-trace-XXXXXX";
	int fd = mkstemp(file);
	ck_assert(fd >= 0);
	close(fd);
	char opt[128];
	snprintf(opt, sizeof opt, "--sched-trace=%s", file);
	struct run_result r;
	run_ok(ARGV(opt, "--cpus=2"), ARGV("sh", "-c", "for i in 1 2 3; do ls / >/dev/null; done"), &r);
	run_free(&r);
	char *py[] = { "python3", "-c",
		"import json,sys\n"
		"d=json.load(open(sys.argv[1]))\n"
		"ev=d['traceEvents']\n"
		"x=[e for e in ev if e.get('ph')=='X']\n"
		"tracks={e['tid'] for e in x}\n"
		"names={e['args'].get('name', e['name']) for e in ev if e.get('ph')=='M' and e['name']=='thread_name'}\n"
		"print(len(x)>=4, tracks<= {0,1}, any('ls' in e['name'] for e in x), len(names)>=2)\n",
		file, NULL };
	ck_assert_int_eq(run_cmd(py, NULL, 30, &r), 0);
	ck_assert_msg(!strcmp(r.out, "True True True True\n"), "%s%s", r.out, r.err);
	run_free(&r);
	unlink(file);
}
END_TEST

/* Plugins that cannot be used are refused before anything runs; one that breaks
 * the rules at run time is replaced by rr, and the guests finish */
START_TEST(test_bad_plugins)
{
	struct run_result r;
	struct { const char *opt, *msg; } cases[] = {
		{ "--sched=nosuchplugin", "nosuchplugin" },
		{ "--sched=@nosym", "persona_sched_plugin" },
		{ "--sched=@badabi", "ABI" },
		{ "--sched=@nopick", "pick_next" },
		{ "--sched=/etc/passwd", "passwd" },
	};
	for (unsigned i = 0; i < sizeof cases / sizeof *cases; i++) {
		char opt[4300];
		if (cases[i].opt[8] == '@') snprintf(opt, sizeof opt, "--sched=%s", plugin(cases[i].opt + 9));
		else snprintf(opt, sizeof opt, "%s", cases[i].opt);
		ck_assert_int_eq(run_persona(ARGV(opt), ARGV("true"), NULL, 30, &r), 0);
		ck_assert_msg(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 2 && strstr(r.err, cases[i].msg),
			      "%s: status %#x: %s", opt, r.status, r.err);
		run_free(&r);
	}
	ck_assert_int_eq(run_persona(ARGV("--cpus=0"), ARGV("true"), NULL, 30, &r), 0);
	ck_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 2);
	run_free(&r);
	char opt[4300];
	snprintf(opt, sizeof opt, "--sched=%s", plugin("garbage"));
	run_ok(ARGV(opt, "--cpus=1"), ARGV("sh", "-c", "for i in 1 2 3; do (echo $i) & done; wait"), &r);
	ck_assert_msg(strstr(r.err, "falling back to rr"), "%s", r.err);
	ck_assert_int_eq((int)strlen(r.out), 6);
	run_free(&r);
	snprintf(opt, sizeof opt, "--sched=%s", plugin("minimal"));
	run_ok(ARGV(opt, "--cpus=1"), ARGV("sh", "-c", "echo a; (echo b) & wait"), &r);
	ck_assert_str_eq(r.out, "a\nb\n");
	run_free(&r);
}
END_TEST

/* --sched=off: the host schedules, nothing is held */
START_TEST(test_sched_off)
{
	assert_same_as_native(ARGV("sh", "-c", "nproc; echo done"), NULL);
	struct run_result r;
	run_ok(ARGV("--sched=off"), ARGV("sh", "-c", "echo $(nproc)"), &r);
	ck_assert_int_eq(atoi(r.out), (int)sysconf(_SC_NPROCESSORS_ONLN));
	run_free(&r);
}
END_TEST

Suite *sched_suite(void)
{
	Suite *s = suite_create("sched");
	TCase *tc = tcase_create("sched");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_sched_list);
	tcase_add_test(tc, test_cfs_shares);
	tcase_add_test(tc, test_fifo_order);
	tcase_add_test(tc, test_latency_cfs);
	tcase_add_test(tc, test_latency_mlfq);
	tcase_add_test(tc, test_hot_swap);
	tcase_add_test(tc, test_sched_calls);
	tcase_add_test(tc, test_policy_support);
	tcase_add_test(tc, test_virtual_cpus);
	tcase_add_test(tc, test_proc_files);
	tcase_add_test(tc, test_sched_trace);
	tcase_add_test(tc, test_bad_plugins);
	tcase_add_test(tc, test_sched_off);
	suite_add_tcase(s, tc);
	return s;
}
