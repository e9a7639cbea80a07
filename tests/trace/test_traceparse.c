/* tests/trace/test_traceparse.c - the pieces of `persona diff`: strace lines taken
 * apart (traceparse), traces read into processes (traceload), normalisation
 * (tracenorm) and alignment (tracealign). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "services/trace/tracealign.h"
#include "services/trace/traceload.h"
#include "services/trace/tracenorm.h"
#include "services/trace/traceparse.h"
#include "tdiff_util.h"

/* ---- lines ---- */

static struct tparse_line parse_ok(const char *l)
{
	struct tparse_line pl;
	ck_assert_msg(tparse_line(l, strlen(l), &pl) == 0, "could not parse: %s", l);
	return pl;
}

static void assert_body(const struct tparse_line *pl, const char *body)
{
	ck_assert_msg(pl->body_len == strlen(body) && !memcmp(pl->body, body, pl->body_len),
		      "body \"%.*s\", not \"%s\"", (int)pl->body_len, pl->body, body);
}

START_TEST(test_parse_lines)
{
	struct tparse_line pl;
	const char *l = "[pid  4242] 12:00:01.123456 read(3, \"a\", 1) = 1 <0.000012>\n";
	ck_assert_int_eq(tparse_line(l, strlen(l), &pl), 0);
	ck_assert_int_eq(pl.kind, TP_CALL);
	ck_assert_int_eq(pl.pid, 4242);
	ck_assert_str_eq(pl.name, "read");
	ck_assert_int_eq((int)pl.body_len, (int)strlen("read(3, \"a\", 1) = 1"));
	ck_assert_int_eq(memcmp(pl.body, "read(3, \"a\", 1) = 1", pl.body_len), 0);

	pl = parse_ok("1234  close(4 <unfinished ...>");
	ck_assert(pl.unfinished && !pl.resumed);
	ck_assert_int_eq(pl.pid, 1234);
	assert_body(&pl, "close(4");
	pl = parse_ok("1234  <... close resumed>)              = 0 <0.000020>");
	ck_assert(pl.resumed && !pl.unfinished);
	ck_assert_str_eq(pl.name, "close");
	assert_body(&pl, ")              = 0");
	pl = parse_ok("[pid 7] <... wait4 resumed> <unfinished ...>");
	ck_assert(pl.resumed && pl.unfinished);
	assert_body(&pl, "");
	pl = parse_ok("1795564194.537911 execve(\"/bin/true\", [\"true\"], 0x7fff /* 41 vars */) = 0");
	ck_assert_int_eq(pl.pid, -1);
	ck_assert_str_eq(pl.name, "execve");
	pl = parse_ok("     0.000123 brk(NULL) = 0x55");	/* -r */
	assert_body(&pl, "brk(NULL) = 0x55");
	pl = parse_ok("8  23:48:40 --- SIGCHLD {si_signo=SIGCHLD, si_pid=9} ---");
	ck_assert_int_eq(pl.kind, TP_SIGNAL);
	pl = parse_ok("8  +++ killed by SIGKILL (core dumped) +++");
	ck_assert_int_eq(pl.kind, TP_EXIT);
	pl = parse_ok("8  write(1, \"a) = 3 (\\\"\", 5) = 5");	/* a string with ) and " */
	assert_body(&pl, "write(1, \"a) = 3 (\\\"\", 5) = 5");
	pl = parse_ok("8  openat(AT_FDCWD, \"/x\", O_RDONLY) = 3</x> <0.000010>");	/* -y, -T */
	assert_body(&pl, "openat(AT_FDCWD, \"/x\", O_RDONLY) = 3</x>");
	pl = parse_ok("strace: Process 8 attached");
	ck_assert_int_eq(pl.kind, TP_SKIP);
	pl = parse_ok("\n");
	ck_assert_int_eq(pl.kind, TP_SKIP);
	pl = parse_ok("?\?\?\?( <detached ...>");
	ck_assert_int_eq(pl.kind, TP_CALL);

	const char *bad[] = { "hello", "8  read(3, \"abc\", 3", "8  read(3) = ", "8  read(3))) = 1",
			      "8  <... read>) = 1", "8  1read(3) = 1", "[pid 8 read(3) = 1" };
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(tparse_line(bad[i], strlen(bad[i]), &pl) == -1, "parsed: %s", bad[i]);

	long v;
	ck_assert(tparse_result("clone(child_stack=NULL, flags=SIGCHLD) = 8128", &v) && v == 8128);
	ck_assert(tparse_result("brk(NULL) = 0x55", &v) && v == 0x55);
	ck_assert(tparse_result("open(\"a)\") = -1 ENOENT (No such file)", &v) && v == -1);
	ck_assert(!tparse_result("exit_group(0) = ?", &v));
}
END_TEST

/* ---- whole traces ---- */

START_TEST(test_load_joins_halves)
{
	const char *a = tdu_write("a",
		"10  clone(child_stack=NULL, flags=SIGCHLD <unfinished ...>\n"
		"11  getpid()  = 11\n"
		"10  <... clone resumed>, child_tidptr=0x7f0) = 11\n"
		"10  wait4(-1,  <unfinished ...>\n"
		"11  write(1, \"x\", 1 <unfinished ...>\n"
		"11  <... write resumed>)   = 1\n"
		"11  exit_group(0)          = ?\n"
		"11  +++ exited with 0 +++\n"
		"10  <... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 11\n"
		"10  exit_group(0) = ?\n"
		"10  +++ exited with 0 +++\n");
	struct tload_trace t;
	ck_assert_int_eq(tload_read(a, &t), 0);
	ck_assert_uint_eq(t.ntask, 2);
	const struct tload_task *p = &t.task[t.order[0]], *c = &t.task[t.order[1]];
	ck_assert_int_eq(p->pid, 10);
	ck_assert_int_eq(c->pid, 11);
	ck_assert_uint_eq(p->nev, 4);
	ck_assert_str_eq(p->ev[0].text, "clone(child_stack=NULL, flags=SIGCHLD, child_tidptr=0x7f0) = 11");
	ck_assert_uint_eq(p->ev[0].line, 1);
	ck_assert_str_eq(p->ev[1].text, "wait4(-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 11");
	ck_assert_uint_eq(p->ev[1].line, 4);
	ck_assert_str_eq(c->ev[1].text, "write(1, \"x\", 1)   = 1");
	ck_assert_int_eq(c->ev[1].open, false);
	ck_assert_uint_eq(tload_ncalls(c), 3);
	tload_free(&t);

}
END_TEST

START_TEST(test_load_processes)
{
	/* pid 5 exits and comes back: a second process; a killed call stays open */
	const char *a = tdu_write("a",
		"4  clone(child_stack=NULL, flags=SIGCHLD) = 5\n"
		"5  read(0,  <unfinished ...>\n"
		"5  +++ killed by SIGKILL +++\n"
		"4  clone(child_stack=NULL, flags=SIGCHLD) = 5\n"
		"5  getpid() = 5\n");
	struct tload_trace t;
	ck_assert_int_eq(tload_read(a, &t), 0);
	ck_assert_uint_eq(t.ntask, 3);
	ck_assert_uint_eq(t.task[1].nev, 2);
	ck_assert(t.task[1].ev[0].open);
	ck_assert_str_eq(t.task[1].ev[0].text, "read(0, ");
	ck_assert_str_eq(t.task[2].ev[0].text, "getpid() = 5");
	ck_assert_int_eq(t.task[1].parent, 0);
	ck_assert_int_eq(t.task[2].parent, 0);
	ck_assert_uint_eq(t.task[2].ordinal, 3);
	tload_free(&t);

	/* strace to a terminal, with its note in the middle of a line */
	a = tdu_write("b",
		"execve(\"/bin/sh\", [\"sh\"], 0x7ff /* 1 vars */) = 0\n"
		"clone(child_stack=NULL, flags=SIGCHLDstrace: Process 31 attached\n"
		", child_tidptr=0x7f1) = 31\n"
		"[pid    31] getpid() = 31\n"
		"[pid    30] wait4(-1,  <unfinished ...>\n"
		"[pid    31] +++ exited with 0 +++\n"
		"<... wait4 resumed>NULL, 0, NULL) = 31\n");
	ck_assert_int_eq(tload_read(a, &t), 0);
	ck_assert_uint_eq(t.ntask, 2);
	ck_assert_int_eq(t.task[0].pid, 30);
	ck_assert_uint_eq(t.task[0].nev, 3);
	ck_assert_str_eq(t.task[0].ev[1].text, "clone(child_stack=NULL, flags=SIGCHLD, child_tidptr=0x7f1) = 31");
	ck_assert_uint_eq(t.task[0].ev[1].line, 2);
	ck_assert_uint_eq(t.task[0].ev[2].line, 5);
	ck_assert_str_eq(t.task[0].ev[2].text, "wait4(-1, NULL, 0, NULL) = 31");
	tload_free(&t);
}
END_TEST

/* ---- normalisation ---- */

static void assert_norm(const char *name, const char *text, const char *expect)
{
	char *n = tnorm_event(NULL, name ? TL_CALL : TL_SIGNAL, name, text);
	ck_assert_ptr_nonnull(n);
	ck_assert_msg(!strcmp(n, expect), "normalised\n  %s\nas\n  %s\nnot\n  %s", text, n, expect);
	free(n);
}

START_TEST(test_normalise)
{
	assert_norm("mmap", "mmap(0x7f905f93d000, 1400832, PROT_READ|PROT_EXEC, MAP_PRIVATE, 3, 0x26000)   = 0x7f905f93d000",
		    "mmap(0xPTR, 1400832, PROT_READ|PROT_EXEC, MAP_PRIVATE, 3, 0xPTR) = 0xPTR");
	assert_norm("getrandom", "getrandom(\"\\x96\\xd5\\x4c\\xa7\", 4, GRND_NONBLOCK) = 4",
		    "getrandom(\"<random>\", 4, GRND_NONBLOCK) = 4");
	assert_norm("kill", "kill(1234, SIGTERM) = 0", "kill(<pid?>, SIGTERM) = 0");
	assert_norm("wait4", "wait4(-1, NULL, WNOHANG, NULL) = 77", "wait4(-1, NULL, WNOHANG, NULL) = <pid?>");
	assert_norm("getpid", "getpid() = 77", "getpid() = <pid?>");
	assert_norm("write", "write(1, \"pid 1234 /proc/77/stat\", 22) = 22",
		    "write(1, \"pid 1234 /proc/<pid?>/stat\", 22) = 22");
	assert_norm("newfstatat", "newfstatat(3, \"\", {st_dev=makedev(0x8, 0x1), st_ino=123, st_mode=S_IFREG|0644, "
		    "st_size=5, st_atime=1700000000 /* 2023-11-14T22:13:20+0000 */, st_atime_nsec=5}, 0) = 0",
		    "newfstatat(3, \"\", {st_dev=makedev(?, ?), st_ino=?, st_mode=S_IFREG|0644, st_size=5, st_atime=?, "
		    "st_atime_nsec=?}, 0) = 0");
	assert_norm("clock_gettime", "clock_gettime(CLOCK_MONOTONIC, {tv_sec=5, tv_nsec=123}) = 0",
		    "clock_gettime(CLOCK_MONOTONIC, {tv_sec=?, tv_nsec=?}) = 0");
	assert_norm("getdents64", "getdents64(3, 0x5555 /* 12 entries */, 32768) = 392",
		    "getdents64(3, 0xPTR /* N entries */, N) = N");
	assert_norm("getdents64", "getdents64(3, [], 32768) = 0", "getdents64(3, [], N) = 0");
	assert_norm("fstat", "fstat(0</pipe:[12345]>, {st_mode=S_IFIFO|0600, ...}) = 0",
		    "fstat(0</pipe:[INO]>, {st_mode=S_IFIFO|0600, ...}) = 0");
	assert_norm("time", "time(NULL) = 1700000000 (2023-11-14T22:13:20+0000)", "time(NULL) = ?");
	assert_norm("openat", "openat(AT_FDCWD, \"/nope\", O_RDONLY)      = -1 ENOENT (No such file or directory)",
		    "openat(AT_FDCWD, \"/nope\", O_RDONLY) = -1 ENOENT (No such file or directory)");
	assert_norm("execve", "execve(\"/bin/true\", [\"true\"], 0x7ffd /* 41 vars */) = 0",
		    "execve(\"/bin/true\", [\"true\"], 0xPTR /* 41 vars */) = 0");
	assert_norm("write", "write(1, \"a  b\", 4) = 4", "write(1, \"a  b\", 4) = 4");	/* strings exact */
	assert_norm("rt_sigreturn", "rt_sigreturn({mask=[]}) = -1 ENOENT (No such file or directory)",
		    "rt_sigreturn({mask=[]}) = ?");
	assert_norm(NULL, "--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=8128, si_uid=0, si_status=0, "
		    "si_utime=0, si_stime=1 /* 0.01 s */} ---",
		    "--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=<pid?>, si_uid=0, si_status=0, "
		    "si_utime=?, si_stime=?} ---");

	/* pids of the trace's processes become their tree-order ordinals */
	const char *a = tdu_write("a",
		"50  clone(child_stack=NULL, flags=SIGCHLD) = 60\n"
		"50  clone(child_stack=NULL, flags=SIGCHLD) = 55\n"
		"55  getppid() = 50\n"
		"60  kill(55, SIGTERM) = 0\n"
		"50  wait4(-1, NULL, 0, NULL) = 60\n");
	struct tload_trace t;
	ck_assert_int_eq(tload_read(a, &t), 0);
	ck_assert_int_eq(tnorm_trace(&t), 0);
	ck_assert_uint_eq(tload_pid_ordinal(&t, 50), 1);
	ck_assert_uint_eq(tload_pid_ordinal(&t, 60), 2);
	ck_assert_uint_eq(tload_pid_ordinal(&t, 55), 3);
	ck_assert_str_eq(t.task[0].ev[1].norm, "clone(child_stack=NULL, flags=SIGCHLD) = <pid#3>");
	ck_assert_str_eq(t.task[2].ev[0].norm, "kill(<pid#3>, SIGTERM) = 0");
	ck_assert_str_eq(t.task[0].ev[2].norm, "wait4(-1, NULL, 0, NULL) = <pid#2>");
	tload_free(&t);
}
END_TEST

/* ---- alignment ---- */

static long align(const char *a, const char *b, long *ma, long *mb)
{
	uint64_t ha[64], hb[64];
	for (size_t i = 0; a[i]; i++) ha[i] = (uint64_t)a[i];
	for (size_t j = 0; b[j]; j++) hb[j] = (uint64_t)b[j];
	return talign(ha, strlen(a), hb, strlen(b), ma, mb);
}

START_TEST(test_align)
{
	long ma[64], mb[64];
	ck_assert_int_eq(align("ABCABBA", "CBABAC", ma, mb), 4);	/* Myers's example */
	ck_assert_int_eq(align("abcdef", "abcdef", ma, mb), 6);
	ck_assert_int_eq(align("", "abc", ma, mb), 0);
	ck_assert_int_eq(mb[2], -1);
	ck_assert_int_eq(align("abXcd", "abcYd", ma, mb), 4);
	ck_assert_int_eq(ma[2], -1);
	ck_assert_int_eq(ma[3], 2);
	ck_assert_int_eq(mb[3], -1);

	/* more differences than Myers is given: the greedy walk; pairs stay consistent */
	size_t n = 20000;
	uint64_t *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
	long *la = malloc(n * sizeof *la), *lb = malloc(n * sizeof *lb);
	for (size_t i = 0; i < n; i++) {
		a[i] = i;
		b[i] = i % 4 == 1 ? n + i : i;
	}
	ck_assert_int_eq(talign(a, n, b, n, la, lb), (long)(n - n / 4));
	long last = -1;
	for (size_t i = 0; i < n; i++) {
		if (la[i] < 0) continue;
		ck_assert_int_gt(la[i], last);
		ck_assert_int_eq(a[i], b[la[i]]);
		ck_assert_int_eq(lb[la[i]], (long)i);
		last = la[i];
	}
	free(a); free(b); free(la); free(lb);
}
END_TEST

Suite *traceparse_suite(void)
{
	Suite *s = suite_create("traceparse");
	TCase *tc = tcase_create("pieces");
	tcase_add_checked_fixture(tc, tdu_setup, tdu_teardown);
	tcase_add_test(tc, test_parse_lines);
	tcase_add_test(tc, test_load_joins_halves);
	tcase_add_test(tc, test_load_processes);
	tcase_add_test(tc, test_normalise);
	tcase_add_test(tc, test_align);
	suite_add_tcase(s, tc);
	return s;
}
