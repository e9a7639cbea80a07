/* tests/trace/test_tracediff.c - `persona diff` as a command: strace's formats, the
 * report, the options and the exit status, on hand-written traces and on real strace
 * output (generated when strace is installed). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "tdiff_util.h"

/* ---- a hand-written pair: 11 lines, line 7 differs ---- */

static const char *trace_a =
	"100   execve(\"/bin/prog\", [\"prog\"], 0x7ffd1234 /* 10 vars */) = 0\n"
	"100   brk(NULL)                         = 0x555500000000\n"
	"100   openat(AT_FDCWD, \"/etc/ld.so.cache\", O_RDONLY|O_CLOEXEC) = 3\n"
	"100   close(3)                          = 0\n"
	"100   getpid()                          = 100\n"
	"100   getuid()                          = 0\n"
	"100   openat(AT_FDCWD, \"/etc/hostname\", O_RDONLY) = 3\n"
	"100   read(3, \"box\\n\", 4096)            = 4\n"
	"100   close(3)                          = 0\n"
	"100   exit_group(0)                     = ?\n"
	"100   +++ exited with 0 +++\n";

static const char *trace_b =
	"200   execve(\"/bin/prog\", [\"prog\"], 0x7ffe9999 /* 10 vars */) = 0\n"
	"200   brk(NULL)                         = 0x561200000000\n"
	"200   openat(AT_FDCWD, \"/etc/ld.so.cache\", O_RDONLY|O_CLOEXEC) = 3\n"
	"200   close(3)                          = 0\n"
	"200   getpid()                          = 200\n"
	"200   getuid()                          = 0\n"
	"200   openat(AT_FDCWD, \"/etc/passwd\", O_RDONLY) = 3\n"
	"200   read(3, \"box\\n\", 4096)            = 4\n"
	"200   close(3)                          = 0\n"
	"200   exit_group(0)                     = ?\n"
	"200   +++ exited with 0 +++\n";

START_TEST(test_line7_differs)
{
	const char *a = tdu_write("a", trace_a), *b = tdu_write("b", trace_b);
	struct tdu_run r = tdu_run(a, b, NULL);
	char exp[600];
	ck_assert_int_eq(r.rc, 1);
	snprintf(exp, sizeof exp, "divergence 1 in process #1: A %s:7, B %s:7", a, b);
	tdu_assert_has(r.out, exp);
	snprintf(exp, sizeof exp, "  - %s:7  openat(AT_FDCWD, \"/etc/hostname\", O_RDONLY) = 3", a);
	tdu_assert_has(r.out, exp);
	snprintf(exp, sizeof exp, "  + %s:7  openat(AT_FDCWD, \"/etc/passwd\", O_RDONLY) = 3", b);
	tdu_assert_has(r.out, exp);
	for (int l = 4; l <= 10; l++) {	/* 3 lines of context each side */
		snprintf(exp, sizeof exp, "    %s:%d %s:%d  ", a, l, b, l);
		if (l == 7) tdu_assert_lacks(r.out, exp);
		else tdu_assert_has(r.out, exp);
	}
	snprintf(exp, sizeof exp, "    %s:3 %s:3  ", a, b);
	tdu_assert_lacks(r.out, exp);
	tdu_assert_has(r.out, "process #1: A pid 100, B pid 200: syscalls A 10, B 10, matched 9");
	tdu_assert_has(r.out, "1 divergence\ntraces differ\n");
	tdu_free(&r);

	r = tdu_run("--context=1", a, b, NULL);	/* --context */
	snprintf(exp, sizeof exp, "    %s:5 %s:5  ", a, b);
	tdu_assert_lacks(r.out, exp);
	snprintf(exp, sizeof exp, "    %s:6 %s:6  getuid() = 0", a, b);
	tdu_assert_has(r.out, exp);
	tdu_free(&r);

	r = tdu_run(a, a, NULL);	/* a trace is equivalent to itself */
	ck_assert_int_eq(r.rc, 0);
	tdu_assert_has(r.out, "syscalls A 10, B 10, matched 10");
	tdu_assert_has(r.out, "traces are equivalent");
	tdu_free(&r);
}
END_TEST

START_TEST(test_max_divergences)
{
	char a[4096] = "", b[4096] = "";
	for (int i = 0; i < 40; i++) {	/* 8 differing calls among equal ones */
		char la[128], lb[128];
		snprintf(la, sizeof la, "1  openat(AT_FDCWD, \"/f%d\", O_RDONLY) = 3\n", i);
		snprintf(lb, sizeof lb, "2  openat(AT_FDCWD, \"/f%d%s\", O_RDONLY) = 3\n", i, i % 5 == 2 ? "x" : "");
		strcat(a, la);
		strcat(b, lb);
	}
	const char *pa = tdu_write("a", a), *pb = tdu_write("b", b);
	struct tdu_run r = tdu_run(pa, pb, NULL);
	ck_assert_int_eq(r.rc, 1);
	tdu_assert_has(r.out, "divergence 5 in");
	tdu_assert_lacks(r.out, "divergence 6 in");
	tdu_assert_has(r.out, "8 divergences (5 shown)");
	tdu_free(&r);
	r = tdu_run("--max", "2", pa, pb, NULL);
	tdu_assert_has(r.out, "divergence 2 in");
	tdu_assert_lacks(r.out, "divergence 3 in");
	tdu_assert_has(r.out, "8 divergences (2 shown)");
	tdu_free(&r);
}
END_TEST

/* ---- real strace output ---- */

START_TEST(test_strace_two_runs_equivalent)
{
	if (!tdu_have_strace()) { fprintf(stderr, "strace not installed: skipped\n"); return; }
	/* A program's behaviour may vary (a SIGCHLD coalesced...): allow 3 attempts */
	struct tdu_run r = { 0 };
	for (int attempt = 0; attempt < 3; attempt++) {
		tdu_free(&r);
		tdu_strace("-f", "run1", "sh -c 'echo a | tr a b'");
		tdu_strace("-f", "run2", "sh -c 'echo a | tr a b'");
		r = tdu_run(tdu_path("run1"), tdu_path("run2"), NULL);
		if (r.rc == 0) break;
	}
	ck_assert_msg(r.rc == 0, "two runs differ:\n%.2000s%.1000s", r.out, r.err);
	tdu_assert_has(r.out, "traces are equivalent");
	tdu_assert_has(r.out, "process #3:");	/* sh, echo's and tr's processes */
	tdu_assert_lacks(r.out, "process #4:");
	tdu_free(&r);
}
END_TEST

START_TEST(test_strace_different_files)
{
	if (!tdu_have_strace()) { fprintf(stderr, "strace not installed: skipped\n"); return; }
	tdu_write("one", "first\n");
	tdu_write("two", "second file\n");
	tdu_strace("-f", "cat1", "cat one");
	tdu_strace("-f", "cat2", "cat two");
	struct tdu_run r = tdu_run(tdu_path("cat1"), tdu_path("cat2"), NULL);
	ck_assert_int_eq(r.rc, 1);
	char exp[600];
	snprintf(exp, sizeof exp, "divergence 1 in process #1: A %s:1, B %s:1\n", tdu_path("cat1"), tdu_path("cat2"));
	tdu_assert_has(r.out, exp);	/* execve's argv */
	unsigned l1 = tdu_line_of("cat1", "openat(AT_FDCWD, \"one\""), l2 = tdu_line_of("cat2", "openat(AT_FDCWD, \"two\"");
	snprintf(exp, sizeof exp, "divergence 2 in process #1: A %s:%u, B %s:%u\n", tdu_path("cat1"), l1, tdu_path("cat2"), l2);
	tdu_assert_has(r.out, exp);
	snprintf(exp, sizeof exp, "  - %s:%u  openat(AT_FDCWD, \"one\", O_RDONLY) = ", tdu_path("cat1"), l1);
	tdu_assert_has(r.out, exp);
	snprintf(exp, sizeof exp, "  + %s:%u  openat(AT_FDCWD, \"two\", O_RDONLY) = ", tdu_path("cat2"), l2);
	tdu_assert_has(r.out, exp);
	tdu_assert_has(r.out, "write(1, \"first\\n\", 6) = 6");	/* the next divergence */
	tdu_free(&r);
}
END_TEST

START_TEST(test_strace_ff_and_timestamps)
{
	if (!tdu_have_strace()) { fprintf(stderr, "strace not installed: skipped\n"); return; }
	struct tdu_run r = { 0 };
	for (int attempt = 0; attempt < 3; attempt++) {	/* see above */
		char dir[16], prefix[32];
		snprintf(dir, sizeof dir, "ff%d", attempt);	/* -ff files of one run only */
		snprintf(prefix, sizeof prefix, "%s/t", dir);
		mkdir(tdu_path(dir), 0700);
		tdu_free(&r);
		tdu_strace("-f", "plain", "sh -c 'echo a | tr a b'");
		tdu_strace("-ff -tt -T", prefix, "sh -c 'echo a | tr a b'");
		tdu_strace("-f -ttt -T", "stamped", "sh -c 'echo a | tr a b'");
		r = tdu_run(tdu_path("plain"), tdu_path(dir), NULL);	/* a directory */
		if (r.rc) continue;
		tdu_free(&r);
		r = tdu_run(tdu_path(prefix), tdu_path("stamped"), NULL);	/* a prefix */
		if (!r.rc) break;
	}
	ck_assert_msg(r.rc == 0, "%.2000s%.1000s", r.out, r.err);
	tdu_assert_has(r.out, "process #3:");
	tdu_free(&r);
}
END_TEST

/* ---- -ff input, hand-written ---- */

static void write_ff(const char *dir, long parent, long child, const char *word)
{
	char name[64], text[1024];
	snprintf(name, sizeof name, "%s", dir);
	mkdir(tdu_path(name), 0700);
	snprintf(name, sizeof name, "%s/t.%ld", dir, parent);
	snprintf(text, sizeof text,
		 "execve(\"/bin/sh\", [\"sh\"], 0x7ffd0000 /* 5 vars */) = 0\n"
		 "clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f00aa) = %ld\n"
		 "wait4(-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = %ld\n"
		 "--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=%ld, si_uid=0, si_status=0, si_utime=0, si_stime=0} ---\n"
		 "exit_group(0) = ?\n"
		 "+++ exited with 0 +++\n", child, child, child);
	tdu_write(name, text);
	snprintf(name, sizeof name, "%s/t.%ld", dir, child);
	snprintf(text, sizeof text,
		 "getpid() = %ld\n"
		 "getppid() = %ld\n"
		 "write(1, \"%s\\n\", 3) = 3\n"
		 "exit_group(0) = ?\n"
		 "+++ exited with 0 +++\n", child, parent, word);
	tdu_write(name, text);
}

START_TEST(test_ff_directories)
{
	write_ff("d1", 100, 101, "hi");
	write_ff("d2", 3000, 2999, "hi");	/* pid wrapped: the child's file sorts first */
	write_ff("d3", 500, 501, "ho");
	struct tdu_run r = tdu_run(tdu_path("d1"), tdu_path("d2"), NULL);
	ck_assert_msg(r.rc == 0, "%.2000s%.1000s", r.out, r.err);
	tdu_assert_has(r.out, "process #1: A pid 100, B pid 3000: syscalls A 4, B 4, matched 4");
	tdu_assert_has(r.out, "process #2: A pid 101, B pid 2999: syscalls A 4, B 4, matched 4");
	tdu_free(&r);

	r = tdu_run(tdu_path("d1/t"), tdu_path("d3"), NULL);	/* a prefix and a directory */
	ck_assert_int_eq(r.rc, 1);
	char exp[600];
	snprintf(exp, sizeof exp, "divergence 1 in process #2: A %s:3, B %s:3",
		 tdu_path("d1/t.101"), tdu_path("d3/t.501"));
	tdu_assert_has(r.out, exp);
	tdu_free(&r);

	tdu_write("single",	/* the same as d1, by strace -f */
		   "7  execve(\"/bin/sh\", [\"sh\"], 0x7ffd0000 /* 5 vars */) = 0\n"
		   "7  clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD <unfinished ...>\n"
		   "8  getpid() = 8\n"
		   "7  <... clone resumed>, child_tidptr=0x7f00bb) = 8\n"
		   "8  getppid( <unfinished ...>\n"
		   "7  wait4(-1,  <unfinished ...>\n"
		   "8  <... getppid resumed>) = 7\n"
		   "8  write(1, \"hi\\n\", 3) = 3\n"
		   "8  exit_group(0) = ?\n"
		   "8  +++ exited with 0 +++\n"
		   "7  <... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 8\n"
		   "7  --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=8, si_uid=0, si_status=0, si_utime=0, si_stime=0} ---\n"
		   "7  exit_group(0) = ?\n"
		   "7  +++ exited with 0 +++\n");
	r = tdu_run(tdu_path("single"), tdu_path("d1"), NULL);
	ck_assert_msg(r.rc == 0, "%.2000s%.1000s", r.out, r.err);
	tdu_free(&r);

	r = tdu_run(tdu_path("d1/nothing"), tdu_path("d1"), NULL);	/* no such prefix */
	ck_assert_int_eq(r.rc, 2);
	tdu_assert_has(r.err, "d1/nothing: No such file or directory");
	tdu_free(&r);
}
END_TEST

/* ---- unfinished / resumed ---- */

static const char *interleaved =
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
	"10  +++ exited with 0 +++\n";

START_TEST(test_unfinished_resumed)
{
	const char *a = tdu_write("a", interleaved);
	const char *b = tdu_write("b",
		"20  clone(child_stack=NULL, flags=SIGCHLD, child_tidptr=0x7f8) = 21\n"
		"20  wait4(-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 21\n"
		"21  getpid() = 21\n"
		"21  write(1, \"x\", 1) = 1\n"
		"21  exit_group(0) = ?\n"
		"21  +++ exited with 0 +++\n"
		"20  exit_group(0) = ?\n"
		"20  +++ exited with 0 +++\n");
	struct tdu_run r = tdu_run(a, b, NULL);
	ck_assert_msg(r.rc == 0, "%.2000s%.1000s", r.out, r.err);
	tdu_assert_has(r.out, "process #1: A pid 10, B pid 20: syscalls A 3, B 3, matched 3");
	tdu_assert_has(r.out, "process #2: A pid 11, B pid 21: syscalls A 3, B 3, matched 3");
	tdu_free(&r);
}
END_TEST

START_TEST(test_terminal_format)
{
	/* strace -f writing to a terminal: "[pid N]" only while several processes live */
	const char *a = tdu_write("a",
		"clone(child_stack=NULL, flags=SIGCHLD) = 11\n"
		"[pid    10] wait4(-1,  <unfinished ...>\n"
		"[pid    11] getpid()  = 11\n"
		"[pid    11] write(1, \"x\", 1) = 1\n"
		"[pid    11] exit_group(0)          = ?\n"
		"[pid    11] +++ exited with 0 +++\n"
		"<... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 11\n"
		"exit_group(0) = ?\n"
		"+++ exited with 0 +++\n");
	const char *b = tdu_write("b",
		"20  clone(child_stack=NULL, flags=SIGCHLD) = 21\n"
		"20  wait4(-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 21\n"
		"21  getpid() = 21\n"
		"21  write(1, \"x\", 1) = 1\n"
		"21  exit_group(0) = ?\n"
		"21  +++ exited with 0 +++\n"
		"20  exit_group(0) = ?\n"
		"20  +++ exited with 0 +++\n");
	struct tdu_run r = tdu_run(a, b, NULL);
	ck_assert_msg(r.rc == 0, "%.2000s%.1000s", r.out, r.err);
	tdu_assert_has(r.out, "process #1: A pid 10, B pid 20: syscalls A 3, B 3, matched 3");
	tdu_free(&r);
}
END_TEST

/* ---- timestamps, durations, prefixes ---- */

START_TEST(test_timestamps_stripped)
{
	const char *plain = tdu_write("plain",
		"5  execve(\"/bin/true\", [\"true\"], 0x7ffc00 /* 3 vars */) = 0\n"
		"5  brk(NULL) = 0x5500\n"
		"5  exit_group(0) = ?\n"
		"5  +++ exited with 0 +++\n");
	const char *variants[] = {
		/* -tt -T */
		"7  12:00:01.123456 execve(\"/bin/true\", [\"true\"], 0x7ffd00 /* 3 vars */) = 0 <0.000321>\n"
		"7  12:00:01.123999 brk(NULL)         = 0x5600 <0.000010>\n"
		"7  12:00:01.124000 exit_group(0)     = ?\n"
		"7  12:00:01.124100 +++ exited with 0 +++\n",
		/* -ttt -T, terminal prefixes */
		"[pid     9] 1700000000.123456 execve(\"/bin/true\", [\"true\"], 0x7ffe00 /* 3 vars */) = 0 <0.000321>\n"
		"[pid     9] 1700000000.123500 brk(NULL) = 0x5700 <0.000010>\n"
		"[pid     9] 1700000000.123600 exit_group(0) = ?\n"
		"[pid     9] 1700000000.123700 +++ exited with 0 +++\n",
		/* -t, no pids */
		"12:00:01 execve(\"/bin/true\", [\"true\"], 0x7ffe00 /* 3 vars */) = 0\n"
		"12:00:01 brk(NULL) = 0x5700\n"
		"12:00:02 exit_group(0) = ?\n"
		"12:00:02 +++ exited with 0 +++\n",
		/* -r, persona trace --host-pids */
		"3/4567       0.000000 execve(\"/bin/true\", [\"true\"], 0x7ffe00 /* 3 vars */) = 0\n"
		"3/4567       0.000123 brk(NULL) = 0x5700\n"
		"3/4567       0.000100 exit_group(0) = ?\n"
		"3/4567       0.000050 +++ exited with 0 +++\n",
	};
	for (unsigned i = 0; i < sizeof variants / sizeof variants[0]; i++) {
		char name[16];
		snprintf(name, sizeof name, "v%u", i);
		struct tdu_run r = tdu_run(plain, tdu_write(name, variants[i]), NULL);
		ck_assert_msg(r.rc == 0, "variant %u:\n%.2000s%.1000s", i, r.out, r.err);
		tdu_assert_has(r.out, "syscalls A 3, B 3, matched 3");
		tdu_free(&r);
	}
}
END_TEST

/* ---- signals ---- */

START_TEST(test_signals_asynchronous)
{
	const char *sig = "1  --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=2, si_uid=0, "
			  "si_status=0, si_utime=0, si_stime=3 /* 0.03 s */} ---\n"
			  "1  rt_sigreturn({mask=[]}) = 0\n";
	char a[2048], b[2048];
	snprintf(a, sizeof a, "1  getuid() = 0\n%s1  getgid() = 0\n1  geteuid() = 0\n1  +++ exited with 0 +++\n", sig);
	/* elsewhere, after interrupting a call that the kernel restarts, another si_stime */
	snprintf(b, sizeof b, "1  getuid() = 0\n1  getgid() = 0\n"
		 "1  wait4(-1, 0x7ff, 0, NULL) = ? ERESTARTSYS (To be restarted if SA_RESTART is set)\n"
		 "1  --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=2, si_uid=0, "
		 "si_status=0, si_utime=1, si_stime=0} ---\n"
		 "1  rt_sigreturn({mask=[]}) = -1 EINTR (Interrupted system call)\n"
		 "1  geteuid() = 0\n1  +++ exited with 0 +++\n");
	struct tdu_run r = tdu_run(tdu_write("a", a), tdu_write("b", b), NULL);
	ck_assert_msg(r.rc == 0, "%.2000s%.1000s", r.out, r.err);
	tdu_assert_has(r.out, "syscalls A 4, B 4, matched 4");
	tdu_free(&r);
	/* a signal more: a difference, reported as one of the signals */
	snprintf(b, sizeof b, "1  getuid() = 0\n%s1  getgid() = 0\n%s1  geteuid() = 0\n1  +++ exited with 0 +++\n",
		 sig, sig);
	r = tdu_run(tdu_path("a"), tdu_write("b", b), NULL);
	ck_assert_int_eq(r.rc, 1);
	tdu_assert_has(r.out, "divergence 1 in process #1 (signals)");
	tdu_assert_has(r.out, "syscalls A 4, B 5, matched 4");
	tdu_free(&r);
}
END_TEST

/* ---- --ignore and --class ---- */

START_TEST(test_ignore)
{
	const char *a = tdu_write("a",
		"1  brk(NULL) = 0x5500\n"
		"1  openat(AT_FDCWD, \"/x\", O_RDONLY) = 3\n"
		"1  close(3) = 0\n");
	const char *b = tdu_write("b",
		"2  brk(NULL) = 0x5600\n"
		"2  mmap(NULL, 8192, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f00\n"
		"2  openat(AT_FDCWD, \"/x\", O_RDONLY) = 3\n"
		"2  brk(0x5700) = 0x5700\n"
		"2  close(3) = 0\n");
	struct tdu_run r = tdu_run(a, b, NULL);
	ck_assert_int_eq(r.rc, 1);
	tdu_assert_has(r.out, "2 divergences");
	tdu_free(&r);
	r = tdu_run("--ignore=mmap,brk", a, b, NULL);
	ck_assert_msg(r.rc == 0, "%.2000s%.1000s", r.out, r.err);
	tdu_assert_has(r.out, "syscalls A 2, B 2, matched 2");
	tdu_free(&r);
	r = tdu_run("--ignore", "mmap", a, b, NULL);
	ck_assert_int_eq(r.rc, 1);
	tdu_assert_has(r.out, "1 divergence\n");
	tdu_free(&r);
	r = tdu_run("--ignore=mmap,nosuchcall", a, b, NULL);
	ck_assert_int_eq(r.rc, 2);
	tdu_assert_has(r.err, "unknown syscall 'nosuchcall'");
	tdu_free(&r);
}
END_TEST

START_TEST(test_class)
{
	const char *a = tdu_write("a",
		"1  getuid() = 0\n"
		"1  openat(AT_FDCWD, \"/x\", O_RDONLY) = 3\n"
		"1  newfstatat(3, \"\", {st_mode=S_IFREG|0644, st_size=5, ...}, AT_EMPTY_PATH) = 0\n"
		"1  kill(1, SIGTERM) = 0\n"
		"1  close(3) = 0\n");
	const char *b = tdu_write("b",
		"2  getuid() = 1000\n"
		"2  openat(AT_FDCWD, \"/x\", O_RDONLY) = 3\n"
		"2  newfstatat(3, \"\", {st_mode=S_IFREG|0644, st_size=5, ...}, AT_EMPTY_PATH) = 0\n"
		"2  close(3) = 0\n");
	struct tdu_run r = tdu_run(a, b, NULL);
	ck_assert_int_eq(r.rc, 1);
	tdu_free(&r);
	r = tdu_run("--class=%file", a, b, NULL);	/* openat, newfstatat */
	ck_assert_msg(r.rc == 0, "%.2000s%.1000s", r.out, r.err);
	tdu_assert_has(r.out, "syscalls A 2, B 2, matched 2");
	tdu_free(&r);
	r = tdu_run("--class=%file,desc", a, b, NULL);	/* and close */
	ck_assert_int_eq(r.rc, 0);
	tdu_assert_has(r.out, "syscalls A 3, B 3, matched 3");
	tdu_free(&r);
	r = tdu_run("--class=%process", a, b, NULL);	/* kill, only in A */
	ck_assert_int_eq(r.rc, 1);
	tdu_assert_has(r.out, "kill(1, SIGTERM) = 0");
	tdu_free(&r);
	r = tdu_run("--class=%creds", a, b, NULL);
	ck_assert_int_eq(r.rc, 1);
	tdu_assert_has(r.out, "getuid() = 1000");
	tdu_free(&r);
	r = tdu_run("--class=%nonsense", a, b, NULL);
	ck_assert_int_eq(r.rc, 2);
	tdu_assert_has(r.err, "unknown class");
	tdu_free(&r);
}
END_TEST

/* ---- bad input and usage ---- */

START_TEST(test_bad_input)
{
	const char *good = tdu_write("good", "1  getuid() = 0\n");
	const char *bad = tdu_write("bad",
		"1  getuid() = 0\n"
		"1  getgid() = 0\n"
		"this is not strace\n"
		"1  getpid() = 1\n");
	struct tdu_run r = tdu_run(good, bad, NULL);
	char exp[400];
	ck_assert_int_eq(r.rc, 2);
	snprintf(exp, sizeof exp, "%s:3: cannot parse: this is not strace\n", bad);
	ck_assert_str_eq(r.err, exp);
	ck_assert_str_eq(r.out, "");
	tdu_free(&r);

	const char *cut = tdu_write("cut", "1  getuid() = 0\n1  read(3, \"abc\", 3\n");
	r = tdu_run(cut, good, NULL);	/* a call without its result */
	ck_assert_int_eq(r.rc, 2);
	snprintf(exp, sizeof exp, "%s:2: cannot parse: 1  read(3, \"abc\", 3\n", cut);
	ck_assert_str_eq(r.err, exp);
	tdu_free(&r);

	r = tdu_run(good, tdu_path("missing"), NULL);
	ck_assert_int_eq(r.rc, 2);
	tdu_assert_has(r.err, "missing: No such file or directory");
	tdu_free(&r);

	r = tdu_run(good, NULL);
	ck_assert_int_eq(r.rc, 2);
	tdu_assert_has(r.err, "usage: persona diff");
	tdu_free(&r);

	r = tdu_run("--max=many", good, good, NULL);
	ck_assert_int_eq(r.rc, 2);
	tdu_free(&r);

	r = tdu_run("--frobnicate", good, good, NULL);
	ck_assert_int_eq(r.rc, 2);
	tdu_assert_has(r.err, "unknown option '--frobnicate'");
	tdu_free(&r);

	r = tdu_run("--help", NULL);
	ck_assert_int_eq(r.rc, 0);
	tdu_assert_has(r.out, "0xPTR");
	tdu_assert_has(r.out, "--ignore");
	tdu_free(&r);

	/* strace's notes and blank lines are not errors */
	const char *notes = tdu_write("notes",
		"strace: Process 1 attached\n\n1  getuid() = 0\n[ Process PID=1 runs in 32 bit mode. ]\n");
	r = tdu_run(notes, good, NULL);
	ck_assert_msg(r.rc == 0, "%.2000s%.1000s", r.out, r.err);
	tdu_free(&r);
}
END_TEST

START_TEST(test_wrong_child_reaped)
{
	/* the same calls, but wait4 reaps the other child: a real difference */
	const char *head =
		"%d  clone(child_stack=NULL, flags=SIGCHLD) = %d\n"
		"%d  clone(child_stack=NULL, flags=SIGCHLD) = %d\n"
		"%d  wait4(-1, NULL, 0, NULL) = %d\n"
		"%d  exit_group(0) = ?\n"
		"%d  exit_group(0) = ?\n";
	char a[512], b[512];
	snprintf(a, sizeof a, head, 1, 2, 1, 3, 1, 2, 2, 3);
	snprintf(b, sizeof b, head, 7, 9, 7, 8, 7, 9, 9, 8);	/* renumbered: the same */
	struct tdu_run r = tdu_run(tdu_write("a", a), tdu_write("b", b), NULL);
	ck_assert_msg(r.rc == 0, "%.2000s%.1000s", r.out, r.err);
	tdu_free(&r);
	snprintf(b, sizeof b, head, 7, 9, 7, 8, 7, 8, 9, 8);
	r = tdu_run(tdu_path("a"), tdu_write("b", b), NULL);
	ck_assert_int_eq(r.rc, 1);
	tdu_assert_has(r.out, "wait4(-1, NULL, 0, NULL) = 8");
	tdu_free(&r);
}
END_TEST

/* ---- size ---- */

static void write_big(const char *name, int n, int pid, int change_every)
{
	FILE *f = fopen(tdu_path(name), "w");
	ck_assert_ptr_nonnull(f);
	for (int i = 0; i < n; i++) {
		if (change_every && i % change_every == change_every / 2)
			fprintf(f, "%d  openat(AT_FDCWD, \"/other/%d\", O_RDONLY) = 3\n", pid, i);
		else
			fprintf(f, "%d  read(%d, 0x%x, 4096) = %d\n", pid, i % 7, 0x5000 + i * pid, i % 13);
	}
	fclose(f);
}

START_TEST(test_large_traces)
{
	write_big("a", 100000, 11, 0);
	write_big("b", 100000, 12, 25000);	/* 4 lines replaced */
	write_big("c", 100000, 13, 3);	/* a third of the lines replaced */
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct tdu_run r = tdu_run(tdu_path("a"), tdu_path("b"), NULL);
	ck_assert_int_eq(r.rc, 1);
	tdu_assert_has(r.out, "syscalls A 100000, B 100000, matched 99996; 4 divergences");
	tdu_free(&r);
	r = tdu_run(tdu_path("a"), tdu_path("c"), NULL);	/* many differences: the greedy walk */
	ck_assert_int_eq(r.rc, 1);
	tdu_assert_has(r.out, "matched 66667; 33333 divergences");
	tdu_free(&r);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double s = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	ck_assert_msg(s < 20, "two 100k-line comparisons took %.1f s", s);
}
END_TEST

Suite *tracediff_suite(void)
{
	Suite *s = suite_create("tracediff");
	TCase *tc = tcase_create("diff");
	tcase_add_checked_fixture(tc, tdu_setup, tdu_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_line7_differs);
	tcase_add_test(tc, test_max_divergences);
	tcase_add_test(tc, test_strace_two_runs_equivalent);
	tcase_add_test(tc, test_strace_different_files);
	tcase_add_test(tc, test_strace_ff_and_timestamps);
	tcase_add_test(tc, test_ff_directories);
	tcase_add_test(tc, test_unfinished_resumed);
	tcase_add_test(tc, test_terminal_format);
	tcase_add_test(tc, test_timestamps_stripped);
	tcase_add_test(tc, test_signals_asynchronous);
	tcase_add_test(tc, test_ignore);
	tcase_add_test(tc, test_class);
	tcase_add_test(tc, test_bad_input);
	tcase_add_test(tc, test_wrong_child_reaped);
	tcase_add_test(tc, test_large_traces);
	suite_add_tcase(s, tc);
	return s;
}
