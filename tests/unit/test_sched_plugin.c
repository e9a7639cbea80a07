/* tests/unit/test_sched_plugin.c - services/sched/plugin.c, sched_trace.c and
 * sched_proc.c, and the procfs files they feed:
 *   - the loader: every built-in by name; tests/sched-plugins/minimal.so by path and
 *     by NAME through $PERSONA_SCHED_PATH; each plugin that must be rejected with its
 *     own reason (nosym, badabi, noname, nopick, not an ELF file, missing file, no
 *     SCHED_NORMAL, bad names); an unknown name lists the search path; garbage.so
 *     loads (its bug shows only at run time, test_sched_conformance.c catches it);
 *   - `persona sched list|check` and its usage errors;
 *   - --sched-trace: a trace written, closed, and parsed back by python3's json;
 *   - /proc/PID/sched, schedstat, status's ctxt lines, /proc/cpuinfo, /proc/stat and
 *     /sys/devices/system/cpu/online from a hand-made scheduler state;
 *   - the pkg-config file: `make install DESTDIR=...`, then minimal.c built out of
 *     tree with `pkg-config --cflags persona-sched` and loaded.
 * The .so files come from $SCHED_PLUGINS (the Makefile sets it to
 * $(BUILD)/sched-plugins), else from sched-plugins/ beside this binary. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "services/sched/sched.h"
#include "services/sched/sched_internal.h"
#include "services/procfs/procfs_internal.h"
#include "core/task.h"
#include "tests/unit/unit.h"

static const char *const builtin_names[] = { "fifo", "rr", "cfs", "eevdf", "mlfq", "edf" };
#define NR_BUILTIN (sizeof builtin_names / sizeof builtin_names[0])

/* The directory of the test plugins */
static const char *plugins_dir(void)
{
	static char dir[PATH_MAX];
	const char *env = getenv("SCHED_PLUGINS");
	if (env && *env) return env;
	ssize_t n = readlink("/proc/self/exe", dir, sizeof dir - 32);
	ck_assert_int_gt(n, 0);
	dir[n] = 0;
	strcpy(strrchr(dir, '/'), "/sched-plugins");
	return dir;
}

static const char *so(const char *name)
{
	static char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/%s.so", plugins_dir(), name);
	ck_assert_msg(access(path, R_OK) == 0, "%s is missing: build it with make (SCHED_PLUGINS=%s)",
		      path, plugins_dir());
	return path;
}

/* Loads `name`, which must fail, and checks the reason mentions `want` */
static void expect_reject(const char *name, const char *want)
{
	char err[1024] = "";
	const struct persona_sched_ops *ops = sched_plugin_load(name, err, sizeof err);
	ck_assert_msg(ops == NULL, "%s was accepted", name);
	ck_assert_msg(strstr(err, want), "%s: reason \"%s\" lacks \"%s\"", name, err, want);
	ck_assert_msg(!strchr(err, '\n'), "reason is not one line: %s", err);
}

static char *make_tmpdir(void)
{
	static char dir[64];
	strcpy(dir, "/tmp/persona-sched-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	return dir;
}

static void rm_rf(const char *dir)
{
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void copy_file(const char *from, const char *to)
{
	char cmd[2 * PATH_MAX + 16];
	snprintf(cmd, sizeof cmd, "cp '%s' '%s'", from, to);
	ck_assert_int_eq(system(cmd), 0);
}

/* ---- the loader ---- */

START_TEST(builtins_by_name)
{
	for (unsigned i = 0; i < NR_BUILTIN; i++) {
		char err[512] = "";
		const struct persona_sched_ops *ops = sched_plugin_load(builtin_names[i], err, sizeof err);
		ck_assert_msg(ops, "%s: %s", builtin_names[i], err);
		ck_assert_str_eq(ops->name, builtin_names[i]);
		ck_assert_int_eq(sched_plugin_check(ops, err, sizeof err), 0);
	}
	char err[256];
	ck_assert_ptr_eq(sched_plugin_load("rr", err, sizeof err), SCHED_SAFE_PLUGIN);
	ck_assert_ptr_eq(sched_plugin_load("cfs", err, sizeof err), &sched_cfs_plugin);
}
END_TEST

START_TEST(minimal_by_path)
{
	char err[512] = "";
	const struct persona_sched_ops *ops = sched_plugin_load(so("minimal"), err, sizeof err);
	ck_assert_msg(ops, "%s", err);
	ck_assert_str_eq(ops->name, "minimal");
	ck_assert_uint_eq(ops->abi_version, PERSONA_SCHED_ABI_VERSION);
	ck_assert_uint_eq(ops->policies, PERSONA_POLICY_BIT(PERSONA_SCHED_NORMAL));
	ck_assert(ops->enqueue && ops->dequeue && ops->pick_next);
	ck_assert(!ops->init && !ops->tick && !ops->put_prev);	/* the smallest one */
	/* loading it again gives the same object (dlopen counts references) */
	ck_assert_ptr_eq(sched_plugin_load(so("minimal"), err, sizeof err), ops);
	/* a relative path with a '/' is a path too */
	char cwd[PATH_MAX];
	ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
	ck_assert_int_eq(chdir(plugins_dir()), 0);
	const struct persona_sched_ops *rel = sched_plugin_load("./minimal.so", err, sizeof err);
	ck_assert_int_eq(chdir(cwd), 0);
	ck_assert_msg(rel == ops, "./minimal.so: %s", err);
}
END_TEST

START_TEST(minimal_by_name_on_path)
{
	char *dir = make_tmpdir(), path[PATH_MAX], env[PATH_MAX + 32], err[1024] = "";
	snprintf(path, sizeof path, "%s/tutorial.so", dir);
	copy_file(so("minimal"), path);
	/* an empty and a missing directory first: skipped */
	snprintf(env, sizeof env, "::/nonexistent/persona:%s", dir);
	setenv("PERSONA_SCHED_PATH", env, 1);
	const struct persona_sched_ops *ops = sched_plugin_load("tutorial", err, sizeof err);
	ck_assert_msg(ops, "%s", err);
	ck_assert_str_eq(ops->name, "minimal");	/* the file's name need not be the plugin's */
	ck_assert_ptr_eq(sched_plugin_load("tutorial.so", err, sizeof err), ops);
	/* a built-in name wins over a file of that name on the path */
	snprintf(path, sizeof path, "%s/rr.so", dir);
	copy_file(so("minimal"), path);
	ck_assert_ptr_eq(sched_plugin_load("rr", err, sizeof err), &sched_rr_plugin);
	/* the first directory on the path wins */
	snprintf(env, sizeof env, "%s:%s", plugins_dir(), dir);
	setenv("PERSONA_SCHED_PATH", env, 1);
	ops = sched_plugin_load("garbage", err, sizeof err);
	ck_assert_msg(ops && !strcmp(ops->name, "garbage"), "%s", err);
	unsetenv("PERSONA_SCHED_PATH");
	rm_rf(dir);
}
END_TEST

START_TEST(rejected_plugins)
{
	expect_reject(so("nosym"), "no symbol `persona_sched_plugin`");
	expect_reject(so("badabi"), "ABI version 999, this persona implements 1");
	expect_reject(so("noname"), "empty name");
	expect_reject(so("nopick"), "required callback pick_next is missing");
	/* each reason starts with the file it is about */
	expect_reject(so("nopick"), so("nopick"));
	/* garbage.so is valid at load: its bug is for the core to catch at run time */
	char err[512] = "";
	const struct persona_sched_ops *g = sched_plugin_load(so("garbage"), err, sizeof err);
	ck_assert_msg(g, "%s", err);
	ck_assert_str_eq(g->name, "garbage");
	/* by NAME on the path, the same reasons */
	setenv("PERSONA_SCHED_PATH", plugins_dir(), 1);
	expect_reject("badabi", "ABI version 999");
	expect_reject("nosym", "no symbol");
	unsetenv("PERSONA_SCHED_PATH");
}
END_TEST

START_TEST(rejected_files)
{
	char *dir = make_tmpdir(), path[PATH_MAX];
	snprintf(path, sizeof path, "%s/text.so", dir);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("not an ELF file\n", f);
	fclose(f);
	expect_reject(path, "not a loadable shared object");
	snprintf(path, sizeof path, "%s/missing.so", dir);
	expect_reject(path, "No such file or directory");
	expect_reject(dir, "not a regular file");
	expect_reject("/bin/true", "not a loadable shared object");	/* an executable */
	rm_rf(dir);
}
END_TEST

START_TEST(bad_names)
{
	expect_reject("", "empty");
	expect_reject(NULL, "empty");
	expect_reject("Bad Name", "bad scheduler plugin name");
	expect_reject("this-name-is-much-longer-than-31-chars", "longer than 31");
}
END_TEST

static void nop_enq(struct persona_sched *s, struct persona_sched_task *t, unsigned f) {}
static struct persona_sched_task *nop_pick(struct persona_sched *s, unsigned cpu) { return NULL; }

START_TEST(check_rules)
{
	struct persona_sched_ops ops = {
		.abi_version = PERSONA_SCHED_ABI_VERSION, .name = "ok",
		.policies = PERSONA_POLICY_BIT(PERSONA_SCHED_NORMAL),
		.enqueue = nop_enq, .dequeue = nop_enq, .pick_next = nop_pick,
	};
	char err[256] = "";
	ck_assert_int_eq(sched_plugin_check(&ops, err, sizeof err), 0);
	struct persona_sched_ops o = ops;
	o.policies = PERSONA_POLICY_BIT(PERSONA_SCHED_FIFO);
	ck_assert_int_eq(sched_plugin_check(&o, err, sizeof err), -EINVAL);
	ck_assert_msg(strstr(err, "SCHED_NORMAL is not in its policies"), "%s", err);
	o = ops;
	o.policies |= 1u << 4;		/* no such policy */
	ck_assert_int_eq(sched_plugin_check(&o, err, sizeof err), -EINVAL);
	ck_assert_msg(strstr(err, "unknown policy"), "%s", err);
	o = ops;
	o.name = "Upper";
	ck_assert_int_eq(sched_plugin_check(&o, err, sizeof err), -EINVAL);
	ck_assert_msg(strstr(err, "bad name"), "%s", err);
	o.name = NULL;
	ck_assert_int_eq(sched_plugin_check(&o, err, sizeof err), -EINVAL);
	ck_assert_msg(strstr(err, "empty name"), "%s", err);
	o = ops;
	o.enqueue = NULL;
	ck_assert_int_eq(sched_plugin_check(&o, err, sizeof err), -EINVAL);
	ck_assert_msg(strstr(err, "enqueue is missing"), "%s", err);
	o = ops;
	o.dequeue = NULL;
	ck_assert_int_eq(sched_plugin_check(&o, err, sizeof err), -EINVAL);
	ck_assert_msg(strstr(err, "dequeue is missing"), "%s", err);
	o = ops;
	o.abi_version = 0;
	ck_assert_int_eq(sched_plugin_check(&o, err, sizeof err), -EINVAL);
	ck_assert_msg(strstr(err, "ABI version 0, this persona implements 1"), "%s", err);
	ck_assert_int_eq(sched_plugin_check(NULL, err, sizeof err), -EINVAL);
}
END_TEST

START_TEST(unknown_name_lists_path)
{
	setenv("PERSONA_SCHED_PATH", "/nonexistent/one:/nonexistent/two", 1);
	char err[1024] = "";
	ck_assert_ptr_null(sched_plugin_load("nosuchplugin", err, sizeof err));
	ck_assert_msg(strstr(err, "nosuchplugin.so"), "%s", err);
	ck_assert_msg(strstr(err, "/nonexistent/one:/nonexistent/two:"), "%s", err);
	ck_assert_msg(strstr(err, "/sched-plugins:"), "%s", err);	/* beside the binary */
	ck_assert_msg(strstr(err, "/lib/persona/sched"), "%s", err);	/* PREFIX's */
	ck_assert_msg(strstr(err, "fifo rr cfs eevdf mlfq edf"), "%s", err);
	unsetenv("PERSONA_SCHED_PATH");
}
END_TEST

/* ---- persona sched list | check ---- */

static char *list_buf;
static size_t list_len;

/* sched_plugin_list's output (free it) */
static char *list_output(void)
{
	FILE *f = open_memstream(&list_buf, &list_len);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(sched_plugin_list(f), 0);
	fclose(f);
	return list_buf;
}

/* The line of `out` that starts with word `name` followed by spaces, as a string of
 * its own (one of 8 static buffers), or NULL */
static const char *row(const char *out, const char *name)
{
	static char lines[8][1024];
	static unsigned next;
	size_t n = strlen(name);
	for (const char *l = out; *l; l = strchrnul(l, '\n') + (*strchrnul(l, '\n') ? 1 : 0))
		if (!strncmp(l, name, n) && l[n] == ' ') {
			char *r = lines[next++ % 8];
			snprintf(r, sizeof lines[0], "%.*s", (int)(strchrnul(l, '\n') - l), l);
			return r;
		}
	return NULL;
}

/* Where the row of `name` starts in out (for order checks) */
static const char *row_at(const char *out, const char *name)
{
	const char *r = row(out, name);
	ck_assert_msg(r, "no row %s", name);
	return strstr(out, r);
}

START_TEST(list_builtins_and_path)
{
	setenv("PERSONA_SCHED_PATH", plugins_dir(), 1);
	char *out = list_output();
	ck_assert_msg(!strncmp(out, "NAME ", 5), "%s", out);
	const char *h = out;
	size_t origin_col = strstr(h, "ORIGIN") - h, desc_col = strstr(h, "DESCRIPTION") - h;
	for (unsigned i = 0; i < NR_BUILTIN; i++) {
		const char *l = row(out, builtin_names[i]);
		ck_assert_msg(l, "%s missing from:\n%s", builtin_names[i], out);
		ck_assert_msg(!strncmp(l + origin_col, "builtin ", 8), "%.80s", l);
		ck_assert_msg(strncmp(l + desc_col, "-", 1), "%s has no description", builtin_names[i]);
	}
	/* the built-ins come first, in the table's order */
	ck_assert(row_at(out, "fifo") < row_at(out, "rr") && row_at(out, "edf") < row_at(out, "minimal"));
	const char *m = row(out, "minimal");
	ck_assert_msg(m && strstr(m, "minimal.so") && strstr(m, " normal "), "%s", out);
	ck_assert_msg(strstr(m, "tutorial"), "%.200s", m);
	const char *b = row(out, "badabi");
	ck_assert_msg(b && strstr(b, "BROKEN: ABI version 999"), "%s", out);
	ck_assert_msg(row(out, "nosym") && strstr(row(out, "nosym"), "BROKEN: no symbol"), "%s", out);
	ck_assert_msg(row(out, "nopick") && strstr(row(out, "nopick"), "BROKEN:"), "%s", out);
	ck_assert_msg(row(out, "noname") && strstr(row(out, "noname"), "BROKEN: empty name"), "%s", out);
	ck_assert_msg(row(out, "garbage") && !strstr(row(out, "garbage"), "BROKEN"), "%s", out);
	ck_assert_msg(strstr(out, "plugin path: "), "%s", out);
	/* each directory once, however it is spelt */
	char *twice = strstr(out, "/minimal.so");
	ck_assert_msg(twice && !strstr(twice + 1, "/minimal.so"), "%s", out);
	free(out);
	unsetenv("PERSONA_SCHED_PATH");
}
END_TEST

/* Runs sched_cmd_main with stdout and stderr to files; returns the exit status */
static int run_cmd(int argc, char **argv, char *out, size_t outlen)
{
	fflush(stdout);
	fflush(stderr);
	char path[] = "/tmp/persona-sched-out-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	int o1 = dup(1), o2 = dup(2);
	dup2(fd, 1);
	dup2(fd, 2);
	int rc = sched_cmd_main(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(o1, 1);
	dup2(o2, 2);
	close(o1);
	close(o2);
	ssize_t n = pread(fd, out, outlen - 1, 0);
	out[n > 0 ? n : 0] = 0;
	close(fd);
	unlink(path);
	return rc;
}

START_TEST(sched_command)
{
	char out[16384];
	char *none[] = { "sched", NULL };
	ck_assert_int_eq(run_cmd(1, none, out, sizeof out), 2);
	ck_assert_msg(strstr(out, "usage: persona sched list"), "%s", out);
	char *bad[] = { "sched", "frobnicate", NULL };
	ck_assert_int_eq(run_cmd(2, bad, out, sizeof out), 2);
	ck_assert_msg(strstr(out, "unknown command 'frobnicate'"), "%s", out);
	char *list[] = { "sched", "list", NULL };
	ck_assert_int_eq(run_cmd(2, list, out, sizeof out), 0);
	ck_assert_msg(row(out, "cfs") && row(out, "eevdf"), "%s", out);
	char *check_ok[] = { "sched", "check", (char *)so("minimal"), NULL };
	ck_assert_int_eq(run_cmd(3, check_ok, out, sizeof out), 0);
	ck_assert_msg(strstr(out, "ok: minimal (normal)"), "%s", out);
	char *check_bad[] = { "sched", "check", (char *)so("badabi"), NULL };
	ck_assert_int_eq(run_cmd(3, check_bad, out, sizeof out), 1);
	ck_assert_msg(strstr(out, "persona: ") && strstr(out, "ABI version 999"), "%s", out);
}
END_TEST

/* ---- --sched-trace ---- */

/* python3 checks the trace: valid JSON, and the fields the viewers need */
static const char trace_check_py[] =
	"import json, sys\n"
	"d = json.load(open(sys.argv[1]))\n"
	"assert d['displayTimeUnit'] == 'ns', d.keys()\n"
	"ev = d['traceEvents']\n"
	"meta = {(e['name'], e['tid']): e['args'] for e in ev if e['ph'] == 'M'}\n"
	"assert meta[('process_name', 0)]['name'] == 'persona vCPUs', meta\n"
	"assert meta[('thread_name', 0)]['name'] == 'CPU 0', meta\n"
	"assert meta[('thread_name', 1)]['name'] == 'CPU 1', meta\n"
	"x = [e for e in ev if e['ph'] == 'X']\n"
	"assert len(x) == 3 + 20000, len(x)\n"
	"a, b, c = x[0], x[1], x[2]\n"
	"assert a['name'] == 'sh 12' and a['tid'] == 0 and a['pid'] == 1, a\n"
	"assert a['ts'] == 0 and a['dur'] == 4000.25, a\n"
	"assert a['args'] == {'tid': 12, 'tgid': 12, 'comm': 'sh', 'end': 'preempt'}, a\n"
	"assert b['tid'] == 1 and b['ts'] == 1500.001 and b['dur'] == 0.999, b\n"
	"assert b['args']['end'] == 'block' and b['args']['tgid'] == 12, b\n"
	"assert c['name'] == 'we\"ird\\\\ \\t 14' and c['args']['comm'] == 'we\"ird\\\\ \\t', c\n"
	"i = [e for e in ev if e['ph'] == 'i']\n"
	"assert len(i) == 2, i\n"
	"assert i[0]['name'] == 'wakeup' and i[0]['s'] == 't' and i[0]['tid'] == 1, i\n"
	"assert i[0]['ts'] == -0.5 and i[0]['args']['tid'] == 13, i\n"
	"assert i[1]['name'] == 'swap cfs -> rr' and i[1]['s'] == 'g' and i[1]['args'] == {}, i\n"
	"assert d['otherData']['clock_base_ns'] == 5000000000, d['otherData']\n";

START_TEST(trace_json)
{
	char *dir = make_tmpdir(), path[PATH_MAX], py[PATH_MAX], cmd[3 * PATH_MAX];
	snprintf(path, sizeof path, "%s/trace.json", dir);
	snprintf(py, sizeof py, "%s/check.py", dir);
	ck_assert_int_eq(sched_trace_open(path, 2), 0);
	struct persona_sched_task sh = { .tid = 12, .tgid = 12, .comm = "sh" };
	struct persona_sched_task th = { .tid = 13, .tgid = 12, .comm = "sh" };
	struct persona_sched_task odd = { .tid = 14, .tgid = 14, .comm = "we\"ird\\ \t" };
	const uint64_t t0 = 5000000000ull;	/* the first event's start: ts 0 */
	sched_trace_slice(0, &sh, t0, t0 + 4000250, "preempt");
	sched_trace_slice(1, &th, t0 + 1500001, t0 + 1501000, "block");
	sched_trace_slice(0, &odd, t0 + 4000250, t0 + 5000000, "exit");
	sched_trace_instant(1, "wakeup", &th, t0 - 500);
	sched_trace_instant(~0u, "swap cfs -> rr", NULL, t0 + 6000000);
	/* a long run goes out in chunks, not into memory */
	for (int k = 0; k < 20000; k++)
		sched_trace_slice(k & 1, &sh, t0 + 10000000ull + k * 1000ull, t0 + 10000000ull + k * 1000ull + 999, "preempt");
	struct stat st;
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_msg(st.st_size > 1000000, "only %lld bytes written before close", (long long)st.st_size);
	sched_trace_close();
	sched_trace_close();	/* twice is harmless */
	sched_trace_slice(0, &sh, t0, t0 + 1, "late");	/* after close: ignored */
	FILE *f = fopen(py, "w");
	ck_assert_ptr_nonnull(f);
	fputs(trace_check_py, f);
	fclose(f);
	snprintf(cmd, sizeof cmd, "python3 '%s' '%s'", py, path);
	ck_assert_msg(system(cmd) == 0, "the trace failed the check (see the assertion above); kept in %s", dir);
	ck_assert_int_eq(sched_trace_open("/nonexistent/dir/trace.json", 1), -ENOENT);
	rm_rf(dir);
}
END_TEST

/* ---- /proc from the scheduler's records ---- */

static struct pidnum fake_pid = { .virt = 42 };
static struct task fake;
static struct sched_entity fake_se;

/* A scheduler with `ncpus` CPUs running `ops`, and one task (vtid 42, this process
 * on the host) whose record says what the tests expect */
static void fake_sched(unsigned ncpus, const struct persona_sched_ops *ops)
{
	memset(&fake, 0, sizeof fake);
	memset(&fake_se, 0, sizeof fake_se);
	fake.tid = getpid();
	fake.pid = &fake_pid;
	fake.leader = &fake;
	fake.live_threads = 3;
	fake.state = TASK_RUNNING;
	fake.se = &fake_se;
	fake_se.task = &fake;
	fake_se.pt = (struct persona_sched_task){ .tid = 42, .tgid = 42, .comm = "worker",
		.policy = PERSONA_SCHED_NORMAL, .nice = 5, .weight = persona_sched_nice_to_weight[25],
		.sum_exec_runtime = 1234567890ull, .slice_ns = 3000000 };
	fake_se.run_start = 18342013537594ull;
	fake_se.wait_sum = 987654321;
	fake_se.wait_max = 5000000;
	fake_se.nr_runs = 77;
	fake_se.nr_voluntary = 60;
	fake_se.nr_involuntary = 17;
	fake_se.nr_migrations = 4;
	fake_se.nr_wakeups = 59;
	sc.active = true;
	sc.ncpus = ncpus;
	sc.ops = ops;
}

static void unfake_sched(void)
{
	sc.active = false;
	sc.ncpus = 0;
	sc.ops = NULL;
}

/* The value of field `name` in a /proc/PID/sched text, checking Linux's layout:
 * the name in 45 columns, ':', the value right-aligned in 21 */
static const char *sched_field(const char *text, const char *name)
{
	static char val[64];
	for (const char *l = text; *l; l = strchrnul(l, '\n') + (*strchrnul(l, '\n') ? 1 : 0)) {
		size_t n = strlen(name);
		if (strncmp(l, name, n) || l[n] != ' ') continue;
		const char *e = strchrnul(l, '\n');
		ck_assert_msg(e - l == 45 + 1 + 21 && l[45] == ':', "bad layout: %.*s", (int)(e - l), l);
		const char *v = l + 46;
		while (*v == ' ') v++;
		snprintf(val, sizeof val, "%.*s", (int)(e - v), v);
		return val;
	}
	ck_abort_msg("no %s in:\n%s", name, text);
	return NULL;
}

static void cfs_like_dump(struct persona_sched *s, struct persona_sched_task *t, char *buf, size_t len)
{
	snprintf(buf, len, "se.vruntime : 1227901003\nlag : -1500\nqueue : 2\n");
}

START_TEST(proc_sched_file)
{
	struct persona_sched_ops ops = sched_rr_plugin;
	ops.dump = cfs_like_dump;
	fake_sched(2, &ops);
	char buf[8192];
	int n = sched_proc_sched(&fake, buf, sizeof buf);
	ck_assert_int_eq(n, (int)strlen(buf));
	ck_assert_msg(!strncmp(buf, "worker (42, #threads: 3)\n"
			      "-------------------------------------------------------------------\n", 93), "%s", buf);
	ck_assert_str_eq(sched_field(buf, "se.exec_start"), "18342013.537594");
	ck_assert_str_eq(sched_field(buf, "se.vruntime"), "1227.901003");
	ck_assert_str_eq(sched_field(buf, "se.sum_exec_runtime"), "1234.567890");
	ck_assert_str_eq(sched_field(buf, "se.nr_migrations"), "4");
	ck_assert_str_eq(sched_field(buf, "wait_sum"), "987.654321");
	ck_assert_str_eq(sched_field(buf, "wait_max"), "5.000000");
	ck_assert_str_eq(sched_field(buf, "wait_count"), "77");
	ck_assert_str_eq(sched_field(buf, "nr_wakeups"), "59");
	ck_assert_str_eq(sched_field(buf, "nr_switches"), "77");
	ck_assert_str_eq(sched_field(buf, "nr_voluntary_switches"), "60");
	ck_assert_str_eq(sched_field(buf, "nr_involuntary_switches"), "17");
	ck_assert_str_eq(sched_field(buf, "se.load.weight"), "343040");	/* 335 << 10 */
	ck_assert_str_eq(sched_field(buf, "policy"), "0");
	ck_assert_str_eq(sched_field(buf, "prio"), "125");
	ck_assert_str_eq(sched_field(buf, "se.slice"), "3000000");
	ck_assert_str_eq(sched_field(buf, "lag"), "-0.001500");	/* the plugin's lines */
	ck_assert_str_eq(sched_field(buf, "queue"), "2");
	sched_field(buf, "clock-delta");
	ck_assert_msg(!strstr(buf, "\nse.vruntime : "), "the plugin's raw line leaked: %s", buf);
	/* Linux's order of the first lines */
	ck_assert(strstr(buf, "se.exec_start") < strstr(buf, "se.vruntime") &&
		  strstr(buf, "se.vruntime") < strstr(buf, "se.sum_exec_runtime") &&
		  strstr(buf, "nr_switches") < strstr(buf, "se.load.weight") &&
		  strstr(buf, "prio") < strstr(buf, "clock-delta"));
	/* a real-time task: Linux's prio 99 - rt_priority */
	fake_se.pt.policy = PERSONA_SCHED_FIFO;
	fake_se.pt.rt_priority = 10;
	sched_proc_sched(&fake, buf, sizeof buf);
	ck_assert_str_eq(sched_field(buf, "policy"), "1");
	ck_assert_str_eq(sched_field(buf, "prio"), "89");
	/* too small a buffer says so */
	ck_assert_int_eq(sched_proc_sched(&fake, buf, 100), -EFBIG);
	unfake_sched();
}
END_TEST

START_TEST(proc_schedstat_and_ctxt)
{
	fake_sched(1, &sched_rr_plugin);
	char buf[256];
	ck_assert_int_gt(sched_proc_schedstat(&fake, buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "1234567890 987654321 77\n");
	ck_assert_int_gt(sched_proc_status_ctxt(&fake, buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "voluntary_ctxt_switches:\t60\nnonvoluntary_ctxt_switches:\t17\n");
	ck_assert_int_eq(sched_proc_schedstat(&fake, buf, 5), -EFBIG);
	fake.se = NULL;		/* no record: zeros */
	sched_proc_schedstat(&fake, buf, sizeof buf);
	ck_assert_str_eq(buf, "0 0 0\n");
	unfake_sched();
}
END_TEST

/* The whole generated file for a synthesized path */
static char *synth_read(struct proc_path *pp)
{
	int fd = procfs_synth_open(pp);
	ck_assert_msg(fd >= 0, "procfs_synth_open: %s", strerror(-fd));
	static char buf[1 << 20];
	ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
	close(fd);
	ck_assert_int_ge(n, 0);
	buf[n] = 0;
	return buf;
}

static int count_lines(const char *text, const char *prefix)
{
	int n = 0;
	size_t pl = strlen(prefix);
	for (const char *l = text; *l; l = strchrnul(l, '\n') + (*strchrnul(l, '\n') ? 1 : 0))
		n += !strncmp(l, prefix, pl);
	return n;
}

START_TEST(procfs_virtual_cpus)
{
	struct proc_path pp;
	/* off: the host's files, untouched */
	ck_assert_int_eq(procfs_resolve(&fake, AT_FDCWD, "/sys/devices/system/cpu/online", true, &pp), 0);
	fake_sched(3, &sched_rr_plugin);
	ck_assert_int_eq(procfs_resolve(&fake, AT_FDCWD, "/sys/devices/system/cpu/online", true, &pp), 1);
	ck_assert_int_eq(pp.synth, SYNTH_CPU_RANGE);
	ck_assert_str_eq(synth_read(&pp), "0-2\n");
	ck_assert_int_eq(procfs_resolve(&fake, AT_FDCWD, "/sys/devices/system//cpu/./possible", true, &pp), 1);
	ck_assert_int_eq(pp.synth, SYNTH_CPU_RANGE);
	ck_assert_int_eq(procfs_resolve(&fake, AT_FDCWD, "/sys/devices/system/cpu/present", true, &pp), 1);
	ck_assert_int_eq(procfs_resolve(&fake, AT_FDCWD, "/sys/devices/system/cpu/offline", true, &pp), 0);
	ck_assert_int_eq(procfs_resolve(&fake, AT_FDCWD, "/sys/kernel/mm", true, &pp), 0);
	sc.ncpus = 1;
	ck_assert_str_eq(synth_read(&pp), "0\n");
	/* cpuinfo: exactly N processors, numbered, N siblings and cores */
	sc.ncpus = 3;
	ck_assert_int_eq(procfs_resolve(&fake, AT_FDCWD, "/proc/cpuinfo", true, &pp), 1);
	ck_assert_int_eq(pp.synth, SYNTH_CPUINFO);
	char *ci = synth_read(&pp);
	ck_assert_int_eq(count_lines(ci, "processor"), 3);
	ck_assert_msg(strstr(ci, "processor\t: 0\n") && strstr(ci, "processor\t: 2\n"), "%s", ci);
	if (strstr(ci, "siblings")) {		/* x86 */
		ck_assert_int_eq(count_lines(ci, "siblings\t: 3\n"), 3);
		ck_assert_int_eq(count_lines(ci, "cpu cores\t: 3\n"), 3);
		ck_assert_int_eq(count_lines(ci, "siblings"), 3);
	}
	ck_assert_msg(ci[strlen(ci) - 1] == '\n' && ci[strlen(ci) - 2] == '\n', "blocks end with a blank line");
	/* /proc/stat: cpu0..cpu2, then the rest of the host's */
	ck_assert_int_eq(procfs_resolve(&fake, AT_FDCWD, "/proc/stat", true, &pp), 1);
	ck_assert_int_eq(pp.synth, SYNTH_PROCSTAT);
	char *st = synth_read(&pp);
	ck_assert_int_eq(count_lines(st, "cpu "), 1);
	ck_assert_int_eq(count_lines(st, "cpu0 "), 1);
	ck_assert_int_eq(count_lines(st, "cpu2 "), 1);
	ck_assert_int_eq(count_lines(st, "cpu3 "), 0);
	ck_assert_int_eq(count_lines(st, "ctxt "), 1);
	unfake_sched();
}
END_TEST

START_TEST(procfs_sched_files)
{
	fake_sched(2, &sched_rr_plugin);
	struct proc_path pp;
	/* /proc/self is the caller's view: the fake task */
	ck_assert_int_eq(procfs_resolve(&fake, AT_FDCWD, "/proc/self/sched", true, &pp), 1);
	ck_assert_int_eq(pp.synth, SYNTH_SCHED);
	ck_assert_ptr_eq(pp.task, &fake);
	ck_assert_msg(!strncmp(synth_read(&pp), "worker (42, #threads: 3)\n", 25), "%s", synth_read(&pp));
	ck_assert_int_eq(procfs_resolve(&fake, AT_FDCWD, "/proc/thread-self/schedstat", true, &pp), 1);
	ck_assert_int_eq(pp.synth, SYNTH_SCHEDSTAT);
	ck_assert_str_eq(synth_read(&pp), "1234567890 987654321 77\n");
	/* status: the personality's switch counts where the host's were */
	ck_assert_int_eq(procfs_resolve(&fake, AT_FDCWD, "/proc/self/status", true, &pp), 1);
	ck_assert_int_eq(pp.synth, SYNTH_STATUS);
	char *s = synth_read(&pp);
	ck_assert_msg(strstr(s, "\nvoluntary_ctxt_switches:\t60\nnonvoluntary_ctxt_switches:\t17\n"), "%s", s);
	ck_assert_int_eq(count_lines(s, "voluntary_ctxt_switches:"), 1);
	ck_assert_int_eq(count_lines(s, "nonvoluntary_ctxt_switches:"), 1);
	/* off: sched and schedstat are the host's */
	unfake_sched();
	ck_assert_int_eq(procfs_resolve(&fake, AT_FDCWD, "/proc/self/sched", true, &pp), 1);
	ck_assert_int_eq(pp.synth, SYNTH_NONE);
}
END_TEST

/* ---- the pkg-config file, as an out-of-tree plugin author uses it ---- */

/* The source tree: the current directory (make runs the tests there), else the
 * parent of the build directory */
static void source_tree(char *root, size_t len)
{
	if (access("tests/sched-plugins/minimal.c", R_OK) == 0 && access("Makefile", R_OK) == 0) {
		ck_assert_ptr_nonnull(getcwd(root, len));
		return;
	}
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	ck_assert_int_gt(n, 0);
	exe[n] = 0;
	*strrchr(exe, '/') = 0;
	*strrchr(exe, '/') = 0;
	snprintf(root, len, "%s", exe);
}

START_TEST(pkg_config_out_of_tree)
{
	char root[PATH_MAX], build[PATH_MAX], prefix[PATH_MAX] = "/usr/local", cmd[8 * PATH_MAX];
	source_tree(root, sizeof root);
	ck_assert_ptr_nonnull(realpath(plugins_dir(), build));
	*strrchr(build, '/') = 0;			/* $(BUILD) */
	char stamp[PATH_MAX + 16];
	snprintf(stamp, sizeof stamp, "%s/prefix.stamp", build);
	FILE *f = fopen(stamp, "r");		/* the PREFIX it was built with */
	if (f) {
		if (fgets(prefix, sizeof prefix, f)) prefix[strcspn(prefix, "\n")] = 0;
		fclose(f);
	}
	char *dir = make_tmpdir();
	snprintf(cmd, sizeof cmd, "cd '%s' && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s install "
		 "BUILD='%s' PREFIX='%s' DESTDIR='%s/stage' >'%s/make.log' 2>&1", root, build, prefix, dir, dir);
	ck_assert_msg(system(cmd) == 0, "make install failed: see %s/make.log", dir);
	/* the ABI headers and the .pc are installed; the test plugins are not */
	snprintf(cmd, sizeof cmd, "test -f '%s/stage%s/include/persona/sched.h' && "
		 "test -f '%s/stage%s/lib/pkgconfig/persona-sched.pc' && "
		 "! ls '%s/stage%s/lib/persona/sched/' | grep -q .", dir, prefix, dir, prefix, dir, prefix);
	ck_assert_msg(system(cmd) == 0, "installed files in %s/stage are not as expected", dir);
	/* minimal.c alone in a directory, built with what pkg-config says */
	snprintf(cmd, sizeof cmd, "cd '%s' && cp '%s/tests/sched-plugins/minimal.c' my.c && "
		 "export PKG_CONFIG_PATH='%s/stage%s/lib/pkgconfig' PKG_CONFIG_SYSROOT_DIR='%s/stage' && "
		 "pkg-config --cflags persona-sched >cflags && grep -q -- '-I%s/stage%s/include' cflags && "
		 "cc -Wall -Werror -shared -fPIC $(pkg-config --cflags persona-sched) -o my.so my.c "
		 ">cc.log 2>&1", dir, root, dir, prefix, dir, dir, prefix);
	ck_assert_msg(system(cmd) == 0, "the out-of-tree build failed: see %s (cflags, cc.log)", dir);
	char so_path[PATH_MAX + 16], err[512] = "";
	snprintf(so_path, sizeof so_path, "%s/my.so", dir);
	const struct persona_sched_ops *ops = sched_plugin_load(so_path, err, sizeof err);
	ck_assert_msg(ops, "%s", err);
	ck_assert_str_eq(ops->name, "minimal");
	rm_rf(dir);
}
END_TEST

Suite *sched_plugin_suite(void)
{
	Suite *s = suite_create("sched_plugin");
	TCase *tc = tcase_create("loader");
	tcase_add_test(tc, builtins_by_name);
	tcase_add_test(tc, minimal_by_path);
	tcase_add_test(tc, minimal_by_name_on_path);
	tcase_add_test(tc, rejected_plugins);
	tcase_add_test(tc, rejected_files);
	tcase_add_test(tc, bad_names);
	tcase_add_test(tc, check_rules);
	tcase_add_test(tc, unknown_name_lists_path);
	tcase_add_test(tc, list_builtins_and_path);
	tcase_add_test(tc, sched_command);
	suite_add_tcase(s, tc);
	tc = tcase_create("trace");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, trace_json);
	suite_add_tcase(s, tc);
	tc = tcase_create("proc");
	tcase_add_test(tc, proc_sched_file);
	tcase_add_test(tc, proc_schedstat_and_ctxt);
	tcase_add_test(tc, procfs_virtual_cpus);
	tcase_add_test(tc, procfs_sched_files);
	suite_add_tcase(s, tc);
	tc = tcase_create("pkg_config");
	tcase_set_timeout(tc, 600);	/* make install may have to link persona */
	tcase_add_test(tc, pkg_config_out_of_tree);
	suite_add_tcase(s, tc);
	return s;
}
