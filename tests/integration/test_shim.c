/* tests/integration/test_shim.c - the in-guest fast path (--trap=shim, docs/shim.md):
 * the guest program shim_ids, section by section, gives the native output under
 * --trap=shim, and --stats shows that its calls really went through patched sites
 * and the channel; real programs run the same in both modes. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include "harness.h"
#include "suites.h"

#define SHIM ARGV("--trap=shim")

/* test_GUEST_NAME: guest GUEST's section NAME gives native's output under the shim */
#define SECTION_OF(prog, name) \
	START_TEST(test_##prog##_##name) \
	{ assert_same_as_native_opts(SHIM, ARGV((char *)guest(#prog), #name), NULL); } END_TEST
#define SECTION(name) SECTION_OF(shim_ids, name)

SECTION(ids)
SECTION(threads)
SECTION(fork)
SECTION(vfork)
SECTION(nested)
SECTION(changes)
SECTION(own_sigsys)

#define PATHS(name) SECTION_OF(shim_paths, name)

PATHS(plain)
PATHS(proc)
PATHS(relative)
PATHS(dotdot)
PATHS(pool)
PATHS(efault)
PATHS(dents)
PATHS(threads)

#define MEM(name) SECTION_OF(shim_mem, name)

MEM(io)
MEM(read_threads)
MEM(iovec)
MEM(fresh)
MEM(xattr)
MEM(futex)
MEM(pool)
MEM(efault)
MEM(fork)

/* the numbers of the "shim: ..." line of --stats */
static void shim_stats(const char *section, unsigned long *patched, unsigned long *requests,
		       unsigned long *emulated, unsigned long *here)
{
	struct run_result r;
	ck_assert_int_eq(run_persona(ARGV("--trap=shim", "--stats"),
				     ARGV((char *)guest("shim_ids"), (char *)section), NULL, 60, &r), 0);
	ck_assert_msg(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "shim_ids %s failed: %s",
		      section, r.err);
	const char *line = strstr(r.err, "\nshim: ");
	ck_assert_msg(line != NULL, "no shim line in --stats:\n%s", r.err);
	unsigned long regions, refused, prepatched, native, traced;
	int n = sscanf(line, "\nshim: %lu regions, %lu sites patched (%lu refused; %lu of them learned "
		       "sites patched before an image ran), %lu channel requests: "
		       "%lu emulated, %lu native, %lu sent to ptrace; %lu answered in the guest", &regions,
		       patched, &refused, &prepatched, requests, emulated, &native, &traced, here);
	ck_assert_msg(n == 9, "unexpected shim line: %.200s", line);
	run_free(&r);
}

START_TEST(test_shim_takes_the_calls)
{
	unsigned long patched, requests, emulated, here;
	shim_stats("ids", &patched, &requests, &emulated, &here);
	/* 3000 rounds of 13 calls: all but the first few through the shim; the caller's
	 * own ids (9) answered in the guest, getpgid(pid) and getsid(pid) by the channel */
	ck_assert_msg(patched >= 6, "only %lu sites patched", patched);
	ck_assert_msg(requests >= 2 * 3000 - 10 && emulated == requests, "%lu requests, %lu emulated",
		      requests, emulated);
	ck_assert_msg(here >= 9 * 3000 - 20, "%lu answered in the guest", here);
}
END_TEST

START_TEST(test_shim_off_with_own_filter)
{
	unsigned long patched, requests, emulated, here;
	/* after the guest's own filter, getppid reaches the kernel: nothing more is
	 * answered in the guest than the 3000 rounds before it (the 200 getppid calls
	 * after it would be) */
	shim_stats("own_sigsys", &patched, &requests, &emulated, &here);
	ck_assert_msg(here <= 9 * 3000 + 10, "%lu answered in the guest", here);
}
END_TEST

/* the path-call part of the "shim: ..." line of --stats for shim_paths SECTION */
static void path_stats(const char *section, unsigned long *here, unsigned long *traced,
		       unsigned long *fixups)
{
	struct run_result r;
	ck_assert_int_eq(run_persona(ARGV("--trap=shim", "--stats"),
				     ARGV((char *)guest("shim_paths"), (char *)section), NULL, 60, &r), 0);
	ck_assert_msg(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "shim_paths %s failed: %s",
		      section, r.err);
	const char *line = strstr(r.err, "path calls: ");
	ck_assert_msg(line != NULL, "no path calls in --stats:\n%s", r.err);
	int n = sscanf(line, "path calls: %lu run in the guest, %lu sent to ptrace (%lu faults fixed up)",
		       here, traced, fixups);
	ck_assert_msg(n == 3, "unexpected shim line: %.200s", line);
	run_free(&r);
}

/* Plain paths run in the guest, /proc paths go to the supervisor, bad pointers
 * fault in the shim's probes and go to ptrace (which says EFAULT) */
START_TEST(test_shim_path_calls_in_guest)
{
	unsigned long here, traced, fixups;
	/* 300 rounds of 9 path calls (fstat included): the first of each site trapped */
	path_stats("plain", &here, &traced, &fixups);
	ck_assert_msg(here >= 300 * 9 - 20 && traced <= 20, "%lu run in the guest, %lu traced", here, traced);
	/* 300 rounds of 6 /proc path calls: none runs in the guest (but a few of ld.so
	 * and libc). Sites whose calls are translated are never patched (the patch
	 * waits for a call the handler leaves alone); readlink("/proc/self"), which is
	 * answered without a rewrite, is: its calls reach the shim, which sends them on */
	path_stats("proc", &here, &traced, &fixups);
	ck_assert_msg(here <= 20 && traced >= 300 - 10, "%lu /proc path calls in the guest, %lu traced",
		      here, traced);
	/* 300 rounds: 3 bad paths, a bad buffer and a read-only one fault in the probes
	 * (the bad readlink buffer's path is in /proc: traced before the shim touches it) */
	path_stats("efault", &here, &traced, &fixups);
	ck_assert_msg(fixups >= 300 * 5 - 20, "%lu faults fixed up", fixups);
}
END_TEST

/* "memory calls: N run in the guest, M sent to ptrace" of shim_mem SECTION */
static void mem_stats(const char *opt, const char *section, unsigned long *here, unsigned long *traced)
{
	struct run_result r;
	ck_assert_int_eq(run_persona(ARGV("--trap=shim", "--stats", (char *)opt),
				     ARGV((char *)guest("shim_mem"), (char *)section), NULL, 60, &r), 0);
	ck_assert_msg(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "shim_mem %s failed: %s\n%s",
		      section, r.out, r.err);
	const char *line = strstr(r.err, "memory calls: ");
	ck_assert_msg(line != NULL, "no memory calls in --stats:\n%s", r.err);
	ck_assert_int_eq(sscanf(line, "memory calls: %lu run in the guest, %lu sent to ptrace", here, traced), 2);
	run_free(&r);
}

/* Calls trapped only so their buffers are made present run in the guest after the
 * shim touched them; bad buffers go to ptrace; with a swap device (which could take a
 * touched page back before the call) none does, and the results are the same */
START_TEST(test_shim_memory_calls_in_guest)
{
	unsigned long here, traced;
	/* 300 rounds of write, read and pread64 (glibc's read is the SHAPE_READ site,
	 * core/trap_shim.c: its single-threaded test moves into the stub) */
	mem_stats("--hz=250", "io", &here, &traced);
	ck_assert_msg(here >= 3 * 300 - 10 && traced == 0, "%lu run in the guest, %lu traced", here, traced);
	mem_stats("--hz=250", "efault", &here, &traced);	/* 300 rounds of 5 bad buffers */
	ck_assert_msg(traced >= 5 * 300 - 10, "%lu bad buffers sent to ptrace", traced);
	mem_stats("--swap=16M", "io", &here, &traced);
	ck_assert_msg(here == 0, "%lu memory calls run in the guest with a swap device", here);
}
END_TEST

/* real programs under --trap=shim: the same as native */
START_TEST(test_shim_programs)
{
	assert_same_as_native_opts(SHIM, ARGV("sh", "-c", "echo $$ $PPID | wc -w; (echo sub) | cat; ls / >/dev/null; echo done"), NULL);
	assert_same_as_native_opts(SHIM, ARGV("python3", "-c", "import os, threading; t = threading.Thread(target=os.getpid); t.start(); t.join(); print(os.getpid() == int(os.readlink('/proc/self')))"), NULL);
}
END_TEST

/* Sites learned across processes (core/trap_shim.c): a shell's children each call
 * ld.so's openat twice and set_tid_address once, never three times in one process;
 * counted across processes, the sites are learned and each later image gets them
 * patched before it runs. The children still give native's output (glibc keeps the
 * tid set_tid_address returns, which the shim answers: pthread_kill uses it), and
 * the later children make none of those calls through a ptrace stop. */
START_TEST(test_shim_learned_sites)
{
	char loop[512];
	snprintf(loop, sizeof loop, "for i in 1 2 3 4 5 6 7 8; do %s; done", guest("tid_cache"));
	assert_same_as_native_opts(SHIM, ARGV("sh", "-c", loop), NULL);
	struct run_result r;
	ck_assert_int_eq(run_persona(ARGV("--trap=shim", "--stats", "--debug=syscall"),
				     ARGV("sh", "-c", loop), NULL, 60, &r), 0);
	ck_assert_msg(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "%s", r.err);
	const char *line = strstr(r.err, "\nshim: ");
	unsigned long regions, patched, refused, prepatched;
	ck_assert_msg(line && sscanf(line, "\nshim: %lu regions, %lu sites patched (%lu refused; %lu of them",
				     &regions, &patched, &refused, &prepatched) == 4, "no shim line");
	ck_assert_msg(prepatched >= 3 * 5, "%lu learned sites patched before images ran", prepatched);
	/* ptrace stops of openat and set_tid_address, by task: the children are
	 * tasks 10.. (after init and the kernel threads); the last ones have none */
	unsigned stops[64] = { 0 };
	int last = 0;
	for (const char *p = r.err; (p = strstr(p, "debug: [")); p++) {
		int vtid, nr;
		if (sscanf(p, "debug: [%d] syscall %d ->", &vtid, &nr) != 2 || vtid <= 1 || vtid >= 64) continue;
		if (vtid > last) last = vtid;
		if (nr == 257 || nr == 218) stops[vtid]++;
	}
	ck_assert_msg(last >= 8, "children not found in the log (last task %d)", last);
	for (int v = last - 2; v <= last; v++)
		ck_assert_msg(stops[v] == 0, "task %d: %u openat/set_tid_address ptrace stops", v, stops[v]);
	run_free(&r);
}
END_TEST

/* brk shrinks made by the shim (libc-shim/shim.c, services/mm/mmap.c mm_heap_sync):
 * the same results as natively, the shrinks really made in the guest, and a guest
 * that claims a shrink in its data page without unmapping is refused (its frames,
 * still mapped, must not be freed: they could go to another process) */
START_TEST(test_shim_heap_shrinks)
{
	assert_same_as_native_opts(SHIM, ARGV((char *)guest("brk_shrink"), "cycles"), NULL);
	struct run_result r;
	ck_assert_int_eq(run_persona(ARGV("--trap=shim", "--stats"), ARGV((char *)guest("brk_shrink"), "cycles"),
				     NULL, 60, &r), 0);
	ck_assert_msg(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "%s", r.err);
	const char *line = strstr(r.err, "OOM killer, ");
	unsigned long shrinks = 0;
	ck_assert_msg(line && sscanf(line, "OOM killer, %lu heap shrinks made by the shim", &shrinks) == 1,
		      "no heap shrinks in --stats:\n%s", r.err);
	ck_assert_msg(shrinks >= 100, "%lu heap shrinks made by the shim", shrinks);
	run_free(&r);
	ck_assert_int_eq(run_persona(SHIM, ARGV((char *)guest("brk_shrink"), "liar"), NULL, 60, &r), 0);
	ck_assert_msg(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "%s", r.err);
	ck_assert_str_eq(r.out, "liar: heap page still mapped, break kept\n");
	run_free(&r);
	/* with a swap device the shim leaves the heap to the supervisor */
	ck_assert_int_eq(run_persona(ARGV("--trap=shim", "--stats", "--swap=16M"),
				     ARGV((char *)guest("brk_shrink"), "cycles"), NULL, 60, &r), 0);
	line = strstr(r.err, "OOM killer, ");
	ck_assert_msg(line && sscanf(line, "OOM killer, %lu heap", &shrinks) == 1 && shrinks == 0,
		      "%lu heap shrinks made by the shim with a swap device", shrinks);
	ck_assert_str_eq(r.out, "cycles:\nok, back to the start 1\n");
	run_free(&r);
}
END_TEST

/* an unknown mode is a usage error */
START_TEST(test_shim_bad_mode)
{
	struct run_result r;
	ck_assert_int_eq(run_persona(ARGV("--trap=sigsys"), ARGV("true"), NULL, 30, &r), 0);
	ck_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 2);
	ck_assert(strstr(r.err, "--trap") != NULL);
	run_free(&r);
}
END_TEST

Suite *shim_suite(void)
{
	Suite *s = suite_create("shim");
	TCase *tc = tcase_create("shim");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_shim_ids_ids);
	tcase_add_test(tc, test_shim_ids_threads);
	tcase_add_test(tc, test_shim_ids_fork);
	tcase_add_test(tc, test_shim_ids_vfork);
	tcase_add_test(tc, test_shim_ids_nested);
	tcase_add_test(tc, test_shim_ids_changes);
	tcase_add_test(tc, test_shim_ids_own_sigsys);
	tcase_add_test(tc, test_shim_paths_plain);
	tcase_add_test(tc, test_shim_paths_proc);
	tcase_add_test(tc, test_shim_paths_relative);
	tcase_add_test(tc, test_shim_paths_dotdot);
	tcase_add_test(tc, test_shim_paths_pool);
	tcase_add_test(tc, test_shim_paths_efault);
	tcase_add_test(tc, test_shim_paths_dents);
	tcase_add_test(tc, test_shim_paths_threads);
	tcase_add_test(tc, test_shim_path_calls_in_guest);
	tcase_add_test(tc, test_shim_mem_io);
	tcase_add_test(tc, test_shim_mem_read_threads);
	tcase_add_test(tc, test_shim_mem_iovec);
	tcase_add_test(tc, test_shim_mem_fresh);
	tcase_add_test(tc, test_shim_mem_xattr);
	tcase_add_test(tc, test_shim_mem_futex);
	tcase_add_test(tc, test_shim_mem_pool);
	tcase_add_test(tc, test_shim_mem_efault);
	tcase_add_test(tc, test_shim_mem_fork);
	tcase_add_test(tc, test_shim_memory_calls_in_guest);
	tcase_add_test(tc, test_shim_takes_the_calls);
	tcase_add_test(tc, test_shim_off_with_own_filter);
	tcase_add_test(tc, test_shim_programs);
	tcase_add_test(tc, test_shim_learned_sites);
	tcase_add_test(tc, test_shim_heap_shrinks);
	tcase_add_test(tc, test_shim_bad_mode);
	suite_add_tcase(s, tc);
	return s;
}
