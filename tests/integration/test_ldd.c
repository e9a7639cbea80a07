/* tests/integration/test_ldd.c - `persona ldd --plain` lists the same libraries at
 * the same paths as the system's ldd (glibc's ld.so in trace mode), for system
 * programs and for programs built here with DT_RPATH/DT_RUNPATH and $ORIGIN, with and
 * without LD_LIBRARY_PATH; without --plain each line says which rule found it. */
#include <check.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "harness.h"
#include "suites.h"

/* ldd's output reduced to "name => path" lines: no load addresses, no vDSO. */
static char *normalize(const char *out)
{
	size_t cap = strlen(out) + 1, n = 0;
	char *res = malloc(cap);
	ck_assert_ptr_nonnull(res);
	const char *p = out;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		const char *s = p;
		while (len && (*s == '\t' || *s == ' ')) s++, len--;
		/* " (0x00007f...)" at the end: the load address */
		for (size_t i = len; i >= 4 && s[len - 1] == ')'; i--)
			if (!strncmp(s + i - 4, " (0x", 4)) {
				len = i - 4;
				break;
			}
		if (len && strncmp(s, "linux-vdso.so", 13) != 0) {
			memcpy(res + n, s, len);
			n += len;
			res[n++] = '\n';
		}
		p = nl ? nl + 1 : p + strlen(p);
	}
	res[n] = '\0';
	return res;
}

static bool have_ldd(void)
{
	struct run_result r;
	if (run_cmd(ARGV("ldd", "--version"), NULL, 30, &r) != 0) return false;
	bool ok = WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0 && strstr(r.out, "GLIBC");
	run_free(&r);
	return ok;
}

/* Runs `[env VAR=VAL] ldd prog` and `[env VAR=VAL] persona ldd --plain prog` and
 * asserts the same normalized lists (stdout and stderr together, as ldd merges
 * ld.so's messages into its output). */
static void same_as_ldd(const char *env, const char *prog)
{
	struct run_result a, b;
	char *pers = (char *)persona_path();
	if (env) {
		ck_assert_int_eq(run_cmd(ARGV("env", (char *)env, "ldd", (char *)prog), NULL, 60, &a), 0);
		ck_assert_int_eq(run_cmd(ARGV("env", (char *)env, pers, "ldd", "--plain", (char *)prog),
					 NULL, 60, &b), 0);
	} else {
		ck_assert_int_eq(run_cmd(ARGV("ldd", (char *)prog), NULL, 60, &a), 0);
		ck_assert_int_eq(run_cmd(ARGV(pers, "ldd", "--plain", (char *)prog), NULL, 60, &b), 0);
	}
	size_t la = a.out_len + a.err_len + 1, lb = b.out_len + b.err_len + 1;
	char *ca = malloc(la), *cb = malloc(lb);
	snprintf(ca, la, "%s%s", a.out, a.err);
	snprintf(cb, lb, "%s%s", b.out, b.err);
	char *na = normalize(ca), *nb = normalize(cb);
	ck_assert_msg(na[0], "%s: ldd printed nothing: %s", prog, ca);
	ck_assert_msg(!strcmp(na, nb), "%s%s%s: ldd and persona ldd --plain differ\n--- ldd:\n%s--- persona:\n%s",
		      env ? env : "", env ? " " : "", prog, na, nb);
	ck_assert_msg(WIFEXITED(b.status) && WEXITSTATUS(b.status) == 0, "%s: persona ldd status %#x: %s",
		      prog, b.status, b.err);
	free(na);
	free(nb);
	free(ca);
	free(cb);
	run_free(&a);
	run_free(&b);
}

START_TEST(test_system_programs)
{
	if (!have_ldd()) return;	/* not a glibc system: nothing to compare with */
	same_as_ldd(NULL, "/bin/ls");
	same_as_ldd(NULL, "/bin/sh");
	if (access("/usr/bin/python3", X_OK) == 0) same_as_ldd(NULL, "/usr/bin/python3");
	/* a library, and a directory in LD_LIBRARY_PATH that holds other-class libraries */
	same_as_ldd(NULL, "/lib/x86_64-linux-gnu/libc.so.6");
	if (access("/usr/lib32/libc.so.6", R_OK) == 0)
		same_as_ldd("LD_LIBRARY_PATH=/usr/lib32", "/bin/ls");
}
END_TEST

static char tdir[64];

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	int r = system(cmd);
	ck_assert_msg(r == 0, "command failed (%d): %s", r, cmd);
}

/* T/lib/libleaf.so; T/lib/libmid.so needing it; T/other/libleaf.so; programs
 * needing libmid.so: bin/rpath (DT_RPATH $ORIGIN/../lib, inherited by libmid for
 * libleaf), bin/runpath (DT_RUNPATH $ORIGIN/../lib, not inherited: libleaf not
 * found), bin/abs (DT_RPATH T/other:T/lib). */
static void build(void)
{
	strcpy(tdir, "/tmp/persona-ldd-it-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tdir));
	const char *T = tdir;
	sh("mkdir -p %s/lib %s/other %s/bin", T, T, T);
	sh("cd %s && printf 'int leaf(void){return 1;}\\n' > leaf.c && "
	   "printf 'int leaf(void);\\nint mid(void){return leaf();}\\n' > mid.c && "
	   "printf 'int mid(void);\\nint main(void){return mid();}\\n' > main.c", T);
	sh("cd %s && cc -shared -fPIC -o lib/libleaf.so leaf.c -Wl,-soname,libleaf.so && "
	   "cp lib/libleaf.so other/ && "
	   "cc -shared -fPIC -o lib/libmid.so mid.c -Wl,-soname,libmid.so -Llib -lleaf", T);
	sh("cd %s && cc -o bin/rpath main.c -Llib -lmid -Wl,-rpath-link,lib "
	   "-Wl,--disable-new-dtags '-Wl,-rpath,$ORIGIN/../lib'", T);
	sh("cd %s && cc -o bin/runpath main.c -Llib -lmid -Wl,-rpath-link,lib "
	   "-Wl,--enable-new-dtags '-Wl,-rpath,$ORIGIN/../lib'", T);
	sh("cd %s && cc -o bin/abs main.c -Llib -lmid -Wl,-rpath-link,lib "
	   "-Wl,--disable-new-dtags -Wl,-rpath,%s/other:%s/lib", T, T, T);
}

static void unbuild(void)
{
	if (tdir[0]) sh("rm -rf '%s'", tdir);
}

START_TEST(test_rpath_programs)
{
	if (!have_ldd()) return;
	char prog[128], env[160];
	const char *progs[] = { "rpath", "runpath", "abs" };
	for (unsigned i = 0; i < 3; i++) {
		snprintf(prog, sizeof prog, "%s/bin/%s", tdir, progs[i]);
		same_as_ldd(NULL, prog);
		snprintf(env, sizeof env, "LD_LIBRARY_PATH=%s/other", tdir);
		same_as_ldd(env, prog);
		same_as_ldd("LD_LIBRARY_PATH=/nonexistent::/usr/lib32", prog);
	}

	/* the rules, without --plain */
	struct run_result r;
	snprintf(prog, sizeof prog, "%s/bin/rpath", tdir);
	ck_assert_int_eq(run_cmd(ARGV((char *)persona_path(), "ldd", prog), NULL, 60, &r), 0);
	char want[256];
	snprintf(want, sizeof want, "libleaf.so => %s/bin/../lib/libleaf.so (found by RPATH of %s)", tdir, prog);
	ck_assert_msg(strstr(r.out, want), "no '%s' in:\n%s", want, r.out);
	ck_assert_msg(strstr(r.out, "libc.so.6 => ") && strstr(r.out, "(found by ld.so.cache)"), "%s", r.out);
	ck_assert_msg(strstr(r.out, "(program interpreter)"), "%s", r.out);
	run_free(&r);
	snprintf(prog, sizeof prog, "%s/bin/runpath", tdir);
	ck_assert_int_eq(run_cmd(ARGV((char *)persona_path(), "ldd", prog), NULL, 60, &r), 0);
	ck_assert_msg(strstr(r.out, "(found by RUNPATH of ") && strstr(r.out, "libleaf.so => not found"),
		      "%s", r.out);
	run_free(&r);
}
END_TEST

START_TEST(test_not_dynamic)
{
	struct run_result r;
	/* a script is not a dynamic executable (exit 1, as ldd); no argument is a usage error */
	ck_assert_int_eq(run_cmd(ARGV((char *)persona_path(), "ldd", "--plain", "/usr/bin/ldd"),
				 NULL, 30, &r), 0);
	ck_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 1);
	ck_assert_msg(strstr(r.err, "not a dynamic executable"), "%s", r.err);
	run_free(&r);
	ck_assert_int_eq(run_cmd(ARGV((char *)persona_path(), "ldd"), NULL, 30, &r), 0);
	ck_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 2);
	run_free(&r);
	ck_assert_int_eq(run_cmd(ARGV((char *)persona_path(), "ldd", "/nonexistent/prog"), NULL, 30, &r), 0);
	ck_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 1);
	run_free(&r);
}
END_TEST

Suite *ldd_suite(void)
{
	Suite *s = suite_create("ldd");
	TCase *tc = tcase_create("same-as-ldd");
	tcase_set_timeout(tc, 180);
	tcase_add_test(tc, test_system_programs);
	tcase_add_test(tc, test_not_dynamic);
	suite_add_tcase(s, tc);
	tc = tcase_create("rpath");
	tcase_set_timeout(tc, 180);
	tcase_add_unchecked_fixture(tc, build, unbuild);
	tcase_add_test(tc, test_rpath_programs);
	suite_add_tcase(s, tc);
	return s;
}
