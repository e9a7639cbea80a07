/* tests/integration/test_mm.c - the memory-management guest programs (tests/guests/mm_*)
 * give the same stdout, stderr and exit status under Persona as natively: the exact
 * errno of every mmap/munmap/mprotect/mremap/brk/madvise/mincore/mlock/msync edge case,
 * fault signals and their siginfo, fork's copy-on-write, threads sharing one address
 * space, /proc/self/maps and friends, a 1 GiB touch-every-page run, and the kernel
 * using never-touched memory as syscall buffers. Each program prints facts, never
 * addresses, and exits non-zero when one of its own checks fails. */
#include <check.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/time.h>
#include <sys/wait.h>
#include "harness.h"
#include "suites.h"

#define SAME(name) \
	START_TEST(test_##name) { assert_same_as_native(ARGV((char *)guest(#name)), NULL); } END_TEST
SAME(mm_mmap_errno)
SAME(mm_segv)
SAME(mm_fork_cow)
SAME(mm_threads)
SAME(mm_maps)
SAME(mm_syscall_buffers)
SAME(mm_big)
SAME(mm_unmap_stack)
SAME(mm_fork_small)

/* the heap grown and shrunk by brk 200 times (sbrk(-n) failed with ENOMEM on the
 * ptrace path: the shrink's munmap left its page-aligned address in %rdi, which
 * glibc's __brk compares with the new break); under the shim the shrinks are made
 * in the guest (test_shim.c counts them) */
START_TEST(test_mm_brk_cycles)
{
	assert_same_as_native(ARGV((char *)guest("brk_shrink"), "cycles"), NULL);
}
END_TEST

/* real programs with the memory manager on: python3 importing modules and
 * allocating 200 MiB, a shell pipeline (gcc runs in the loader suite) */
START_TEST(test_real_programs)
{
	assert_same_as_native(ARGV("python3", "-c",
		"import json, re, collections\n"
		"x = bytearray(200 * 1024 * 1024)\n"
		"x[-1] = 7\n"
		"print(len(x), sum(x[::4096]), json.dumps(collections.Counter('hello')))"), NULL);
	assert_same_as_native(ARGV("sh", "-c", "seq 1 20000 | sort -rn | head -3; ls /usr/bin | wc -l"), NULL);
}
END_TEST

/* the --stats line "frames: N in use, peak P, of T": N and P */
static void frames_in_use(const char *err, unsigned long *used, unsigned long *peak)
{
	const char *p = strstr(err, "mm: frames: ");
	ck_assert_msg(p != NULL, "no frames line in --stats:\n%s", err);
	ck_assert_int_eq(sscanf(p, "mm: frames: %lu in use, peak %lu", used, peak), 2);
}

/* 1000 short-lived guests (fork, exec, exit) leave no frame behind: the pool is
 * empty again when the last one is gone, though thousands were in use */
START_TEST(test_no_frame_leak)
{
	struct run_result r;
	ck_assert_int_eq(run_persona(ARGV("--stats"), ARGV("sh", "-c",
		"i=0; while [ $i -lt 1000 ]; do /bin/true; i=$((i+1)); done; echo $i"), NULL, 120, &r), 0);
	ck_assert_msg(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "status %#x\n%s", r.status, r.err);
	ck_assert_str_eq(r.out, "1000\n");
	unsigned long used, peak;
	frames_in_use(r.err, &used, &peak);
	ck_assert_msg(used == 0, "%lu frames still in use after every guest exited", used);
	ck_assert_msg(peak > 100, "peak %lu frames: was the memory manager on?", peak);
	run_free(&r);
}
END_TEST

/* With --mm=off the host manages memory: nothing comes from the pool */
START_TEST(test_mm_off)
{
	struct run_result r;
	ck_assert_int_eq(run_persona(ARGV("--mm=off", "--stats"), ARGV((char *)guest("mm_fork_cow")), NULL, 60, &r), 0);
	ck_assert_msg(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "status %#x\n%s", r.status, r.err);
	ck_assert_ptr_null(strstr(r.err, "mm: frames"));
	run_free(&r);
}
END_TEST

/* bad memory options get a clear error and usage status 2 */
START_TEST(test_bad_options)
{
	static const char *const bad[] = { "--mem=12x", "--mem=100", "--aslr=3", "--fault-around=3", "--mm=maybe",
					   "--overcommit=3" };
	for (unsigned i = 0; i < sizeof bad / sizeof *bad; i++) {
		struct run_result r;
		ck_assert_int_eq(run_persona(ARGV((char *)bad[i]), ARGV("true"), NULL, 30, &r), 0);
		ck_assert_msg(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 2, "%s: status %#x", bad[i], r.status);
		ck_assert_msg(strstr(r.err, bad[i] + 2) || strstr(r.err, "--"), "%s: %s", bad[i], r.err);
		run_free(&r);
	}
}
END_TEST

/* a guest larger than --mem is killed, and says why; the supervisor survives. With
 * the default heuristic overcommit (as Linux's vm.overcommit_memory=0) the single
 * 200 MiB request fails at once (MemoryError); with --overcommit=1 it is granted and
 * the OOM killer ends the process when its pages cannot be found */
START_TEST(test_pool_exhausted)
{
	struct run_result r;
	ck_assert_int_eq(run_persona(ARGV("--mem=64M"), ARGV("python3", "-c",
		"x = bytearray(200 * 1024 * 1024); print('survived')"), NULL, 60, &r), 0);
	ck_assert_msg(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 1 && strstr(r.err, "MemoryError"),
		      "status %#x\n%s", r.status, r.err);
	run_free(&r);
	ck_assert_int_eq(run_persona(ARGV("--mem=64M", "--overcommit=1"), ARGV("python3", "-c",
		"x = bytearray(200 * 1024 * 1024); print('survived')"), NULL, 60, &r), 0);
	ck_assert_msg(WIFSIGNALED(r.status) && WTERMSIG(r.status) == SIGKILL, "status %#x\n%s", r.status, r.err);
	ck_assert_ptr_nonnull(strstr(r.err, "Out of memory"));
	run_free(&r);
}
END_TEST

/* the line "child I pid P adj A: killed|survived" of mm_oom for child i: P, and
 * whether it was killed */
static bool oom_child(const char *out, int i, int *pid)
{
	char key[32], verdict[16];
	snprintf(key, sizeof key, "child %d pid ", i);
	const char *p = strstr(out, key);
	ck_assert_msg(p != NULL, "no line for child %d:\n%s", i, out);
	int adj;
	ck_assert_int_eq(sscanf(p + strlen(key), "%d adj %d: %15s", pid, &adj, verdict), 3);
	return !strcmp(verdict, "killed");
}

/* the OOM killer: with --mem smaller than what mm_oom's children want, victims are
 * chosen by badness (child 1 at oom_score_adj 1000 first), the -1000 child and the
 * parent (init) live, the kernel's line is logged, /proc/vmstat counts the kill */
START_TEST(test_oom_killer)
{
	struct run_result r;
	ck_assert_int_eq(run_persona(ARGV("--mem=64M"), ARGV((char *)guest("mm_oom")), NULL, 60, &r), 0);
	ck_assert_msg(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "status %#x\n%s\n%s", r.status, r.out, r.err);
	int pid[4], killed = 0;
	for (int i = 0; i < 4; i++) killed += oom_child(r.out, i, &pid[i]);
	ck_assert_msg(killed >= 1, "nobody was OOM-killed:\n%s", r.out);
	ck_assert_msg(!oom_child(r.out, 0, &pid[0]), "the -1000 child was killed:\n%s", r.out);
	ck_assert_msg(oom_child(r.out, 1, &pid[1]), "the +1000 child survived:\n%s", r.out);
	const char *line = strstr(r.err, "Out of memory: Killed process ");
	ck_assert_msg(line != NULL, "no OOM report:\n%s", r.err);
	int first = 0;
	ck_assert_int_eq(sscanf(line, "Out of memory: Killed process %d", &first), 1);
	ck_assert_msg(first == pid[1], "first victim %d, not the +1000 child %d:\n%s", first, pid[1], r.err);
	ck_assert_ptr_nonnull(strstr(line, "oom_score_adj:1000"));
	run_free(&r);

	ck_assert_int_eq(run_persona(ARGV("--mem=64M", "--overcommit=1"), ARGV("sh", "-c",
		"python3 -c 'x = bytearray(200 * 1024 * 1024)'; grep -E '^(pgfault|oom_kill) [0-9]+$' /proc/vmstat"),
		NULL, 60, &r), 0);
	ck_assert_msg(WIFEXITED(r.status), "status %#x\n%s", r.status, r.err);
	ck_assert_msg(strstr(r.out, "pgfault ") && strstr(r.out, "oom_kill 1\n"), "vmstat:\n%s\n%s", r.out, r.err);
	run_free(&r);
}
END_TEST

/* the "name value" line of /proc/vmstat text for `name` (-1 if missing) */
static long vmstat_value(const char *text, const char *name)
{
	char key[64];
	snprintf(key, sizeof key, "\n%s ", name);
	const char *p = strstr(text, key);
	return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

/* swap: a working set of 3x --mem (one process, then four threads) keeps every byte
 * (mm_swap checks each page's checksum sequentially, at random and after a fork);
 * pages went out and came back in; without swap the same guest is OOM-killed and the
 * supervisor reports it and exits with the guest's status */
START_TEST(test_swap_working_set)
{
	struct run_result r;
	ck_assert_int_eq(run_persona(ARGV("--mem=8M", "--swap=128M"), ARGV("sh", "-c",
		"\"$0\" 24 && \"$0\" 24 4 && grep -E '^(pswpin|pswpout|pgmajfault|pgsteal_kswapd|pgsteal_direct) ' /proc/vmstat",
		(char *)guest("mm_swap")), NULL, 140, &r), 0);	/* within the tcase's 150 s */
	ck_assert_msg(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "status %#x\n%s\n%s", r.status, r.out, r.err);
	ck_assert_msg(strstr(r.out, "ok 6144 pages\nok 6144 pages\n") != NULL, "output:\n%s", r.out);
	char *vm = strchr(r.out, 'p') ? strstr(r.out, "\npswpin") : NULL;
	ck_assert_msg(vm != NULL, "no vmstat lines:\n%s", r.out);
	ck_assert_msg(vmstat_value(vm, "pswpin") > 6144 && vmstat_value(vm, "pswpout") > 6144,
		      "pswpin %ld pswpout %ld\n%s", vmstat_value(vm, "pswpin"), vmstat_value(vm, "pswpout"), r.out);
	ck_assert_msg(vmstat_value(vm, "pgmajfault") > 0, "%s", r.out);
	ck_assert_ptr_null(strstr(r.err, "Out of memory"));
	run_free(&r);

	/* an idle process's memory is taken for a busy one: the first fills 12 MiB and
	 * sleeps (blocked in the personality), the second needs 12 MiB of a 16 MiB pool;
	 * both find every byte, and the sleeper's VmSwap shows what was taken. (A
	 * reservation must cover only its victims: a present page left in a reserved
	 * range lost its data.) */
	ck_assert_int_eq(run_persona(ARGV("--mem=16M", "--swap=128M"), ARGV("sh", "-c",
		"\"$0\" 12 1 sleep=5 & p=$!; sleep 2; \"$0\" 12 1 nofork; grep VmSwap /proc/$p/status; wait $p",
		(char *)guest("mm_swap")), NULL, 140, &r), 0);	/* within the tcase's 150 s */
	ck_assert_msg(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "status %#x\n%s\n%s", r.status, r.out, r.err);
	ck_assert_msg(strstr(r.out, "sleeping\nok 3072 pages\nVmSwap:") != NULL, "output:\n%s\n%s", r.out, r.err);
	const char *vs = strstr(r.out, "VmSwap:");
	ck_assert_msg(strtol(vs + 7, NULL, 10) >= 4096, "the sleeper kept its memory:\n%s", r.out);
	ck_assert_msg(strstr(vs, "ok 3072 pages\n") != NULL, "output:\n%s\n%s", r.out, r.err);
	ck_assert_ptr_null(strstr(r.err, "Out of memory"));
	run_free(&r);

	ck_assert_int_eq(run_persona(ARGV("--mem=8M", "--overcommit=1"), ARGV((char *)guest("mm_swap"), "24"),
				     NULL, 120, &r), 0);
	ck_assert_msg(WIFSIGNALED(r.status) && WTERMSIG(r.status) == SIGKILL, "status %#x\n%s\n%s", r.status, r.out, r.err);
	ck_assert_ptr_nonnull(strstr(r.err, "Out of memory: Killed process 1 (mm_swap)"));
	run_free(&r);
}
END_TEST

/* /proc/meminfo's swap and LRU lines and the tools that read them: SwapTotal is the
 * --swap size less its header page, SwapFree falls while pages are out; `free` and
 * `vmstat` run in the guest */
START_TEST(test_swap_meminfo_tools)
{
	struct run_result r;
	ck_assert_int_eq(run_persona(ARGV("--mem=16M", "--swap=64M"), ARGV("sh", "-c",
		"grep -E '^(SwapTotal|SwapFree|Active|Inactive|Active.anon.|Inactive.anon.|CommitLimit):' /proc/meminfo;"
		"python3 -c 'import time; b = bytearray(40 << 20); [open(\"/proc/meminfo\").read() for _ in range(1)];"
		" print(\"during\", [l for l in open(\"/proc/meminfo\") if l.startswith(\"SwapFree\")][0].split()[1]);"
		" print(\"smaps\", [l for l in open(\"/proc/self/smaps_rollup\") if l.startswith(\"Swap:\")][0].split()[1]); b[0] = 1';"
		"free -k | sed -n 3p; vmstat 1 2 | tail -n 1 | wc -w"), NULL, 120, &r), 0);
	ck_assert_msg(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "status %#x\n%s\n%s", r.status, r.out, r.err);
	long total = -1, free_kb = -1, during = -1, limit = -1;
	const char *p;
	ck_assert_ptr_nonnull(p = strstr(r.out, "SwapTotal:"));
	total = strtol(p + 10, NULL, 10);
	ck_assert_ptr_nonnull(p = strstr(r.out, "SwapFree:"));
	free_kb = strtol(p + 9, NULL, 10);
	ck_assert_ptr_nonnull(p = strstr(r.out, "CommitLimit:"));
	limit = strtol(p + 12, NULL, 10);
	ck_assert_ptr_nonnull(p = strstr(r.out, "during "));
	during = strtol(p + 7, NULL, 10);
	ck_assert_int_eq(total, 64 * 1024 - 4);
	ck_assert_int_eq(free_kb, total);
	ck_assert_int_eq(limit, 8 * 1024 + total);
	ck_assert_msg(during < total - 16 * 1024, "SwapFree %ld during a 40 MiB allocation\n%s", during, r.out);
	ck_assert_ptr_nonnull(p = strstr(r.out, "smaps "));
	ck_assert_msg(strtol(p + 6, NULL, 10) > 16 * 1024, "smaps_rollup Swap:\n%s", r.out);
	ck_assert_ptr_nonnull(strstr(r.out, "Inactive(anon):"));
	ck_assert_msg(strstr(r.out, "Swap:") && strstr(r.out, "65532"), "free:\n%s", r.out);
	ck_assert_msg(strstr(r.out, "\n17\n") != NULL, "vmstat line:\n%s", r.out);
	run_free(&r);
}
END_TEST

/* clean file pages are dropped, not swapped: a process that keeps a 20 MiB private
 * file mapping mapped (read in full) and then needs 20 MiB of anonymous memory in a
 * 32 MiB pool gets the file's pages dropped from its page table, and reads the same
 * bytes again afterwards */
START_TEST(test_clean_file_pages_dropped)
{
	char path[] = "/tmp/persona-filedrop.XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	static char block[1 << 16];
	for (size_t i = 0; i < sizeof block; i++) block[i] = (char)(i * 7 + (i >> 8));
	for (int i = 0; i < 320; i++) ck_assert_int_eq(write(fd, block, sizeof block), (ssize_t)sizeof block);
	struct timeval old[2] = { { time(NULL) - 3600, 0 }, { time(NULL) - 3600, 0 } };
	ck_assert_int_eq(futimes(fd, old), 0);	/* older than the page cache's racy window */
	close(fd);
	char py[1024];
	snprintf(py, sizeof py, "import mmap, hashlib\nf = open('%s', 'rb')\n"
		 "m = mmap.mmap(f.fileno(), 0, flags=mmap.MAP_PRIVATE, prot=mmap.PROT_READ)\n"
		 "h1 = hashlib.sha256(m[:]).hexdigest()\nb = bytearray(20 << 20)\n"
		 "for i in range(0, len(b), 4096): b[i] = 1\n"
		 "print('same' if hashlib.sha256(m[:]).hexdigest() == h1 else 'different', sum(b[::4096]))\n", path);
	struct run_result r;
	ck_assert_int_eq(run_persona(ARGV("--mem=32M", "--swap=64M", "--overcommit=1", "--stats"),
				     ARGV("/usr/bin/python3", "-c", py), NULL, 180, &r), 0);
	unlink(path);
	ck_assert_msg(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "status %#x\n%s\n%s", r.status, r.out, r.err);
	ck_assert_msg(strstr(r.out, "same 5120\n") != NULL, "%s\n%s", r.out, r.err);
	const char *p = strstr(r.err, "mm: reclaim: ");
	ck_assert_msg(p && strtol(p + 13, NULL, 10) > 256, "file pages dropped:\n%s", r.err);
	run_free(&r);
}
END_TEST

/* --overcommit=2: an mmap that would take Committed_AS past CommitLimit (mem/2 +
 * swap) fails with ENOMEM; the same size fits with swap added; mode 1 lets it pass */
START_TEST(test_overcommit_never)
{
	struct run_result r;
	const char *py = "import mmap\ntry:\n  m = mmap.mmap(-1, 48 << 20)\n  print('mapped')\n"
			 "except OSError as e:\n  print('errno', e.errno)\n";
	ck_assert_int_eq(run_persona(ARGV("--mem=64M", "--overcommit=2"), ARGV("python3", "-c", (char *)py), NULL, 60, &r), 0);
	ck_assert_msg(strstr(r.out, "errno 12\n") != NULL, "%s\n%s", r.out, r.err);
	run_free(&r);
	ck_assert_int_eq(run_persona(ARGV("--mem=64M", "--overcommit=2", "--swap=64M"), ARGV("python3", "-c", (char *)py), NULL, 60, &r), 0);
	ck_assert_msg(strstr(r.out, "mapped\n") != NULL, "%s\n%s", r.out, r.err);
	run_free(&r);
	ck_assert_int_eq(run_persona(ARGV("--mem=32M", "--overcommit=1"), ARGV("python3", "-c", (char *)py), NULL, 60, &r), 0);
	ck_assert_msg(strstr(r.out, "mapped\n") != NULL, "%s\n%s", r.out, r.err);
	run_free(&r);
	ck_assert_int_eq(run_persona(ARGV("--swap=/nonexistent/dir/swapfile:1M"), ARGV("true"), NULL, 60, &r), 0);
	ck_assert_msg(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 125, "status %#x\n%s", r.status, r.err);
	ck_assert_ptr_nonnull(strstr(r.err, "--swap: /nonexistent/dir/swapfile: No such file or directory"));
	run_free(&r);
}
END_TEST

/* the --stats line "page cache: P pages, H hits, M misses": H and M */
static void cache_counters(const char *err, unsigned long *hits, unsigned long *misses)
{
	const char *p = strstr(err, "mm: page cache: ");
	unsigned long pages;
	ck_assert_msg(p != NULL, "no page cache line in --stats:\n%s", err);
	ck_assert_int_eq(sscanf(p, "mm: page cache: %lu pages, %lu hits, %lu misses", &pages, hits, misses), 3);
}

/* The page cache: ten guests running at once map one copy of libc's text. Two of
 * them see it in their smaps (the text resident, all of it Shared_Clean, Pss well
 * under Rss), /proc/meminfo counts it as Cached, and the cache hit more than it
 * missed. */
START_TEST(test_page_cache_shared)
{
	struct run_result r;
	ck_assert_int_eq(run_persona(ARGV("--stats"), ARGV("sh", "-c",
		"for i in 1 2 3 4 5 6 7 8 9 10; do sh -c 'sleep 2' & pids=\"$pids $!\"; done; sleep 1\n"
		"set -- $pids\n"
		"for p in $1 $5; do awk '/^[0-9a-f]+-/ { text = / r-xp / && /\\/libc\\.so/ }\n"
		"  text && /^(Rss|Pss|Shared_Clean):/ { printf \"%s %d \", $1, $2 } END { print \"\" }' /proc/$p/smaps; done\n"
		"grep '^Cached:' /proc/meminfo; wait"), NULL, 60, &r), 0);
	ck_assert_msg(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "status %#x\n%s", r.status, r.err);
	const char *line = r.out;
	/* with the shim (the default; not under PERSONA_TRAP=ptrace) the pages of libc's
	 * patched call sites are each process's own: docs/shim.md */
	const char *trap = getenv("PERSONA_TRAP");
	unsigned long patched_kb = trap && !strcmp(trap, "ptrace") ? 0 : 4 * 4;
	for (int i = 0; i < 2; i++) {
		unsigned long rss, pss, shared;
		ck_assert_msg(sscanf(line, "Rss: %lu Pss: %lu Shared_Clean: %lu", &rss, &pss, &shared) == 3,
			      "guest %d's libc text in smaps:\n%s", i, r.out);
		ck_assert_msg(rss > 0 && shared <= rss && shared + patched_kb >= rss && pss * 4 < rss,
			      "libc text not shared: Rss %lu Pss %lu Shared_Clean %lu\n%s", rss, pss, shared, r.out);
		line = strchr(line, '\n') + 1;
	}
	unsigned long cached;
	ck_assert_int_eq(sscanf(line, "Cached: %lu kB", &cached), 1);
	ck_assert_msg(cached > 1000, "Cached: %lu kB", cached);
	unsigned long hits, misses;
	cache_counters(r.err, &hits, &misses);
	ck_assert_msg(hits > misses, "page cache: %lu hits, %lu misses", hits, misses);
	run_free(&r);
}
END_TEST

Suite *mm_suite(void)
{
	Suite *s = suite_create("mm");
	/* longer than the two runs' own 60 s limits, so that a hung guest is killed by
	 * run_cmd (persona's process group) rather than orphaned by Check's timeout */
	TCase *tc = tcase_create("same-as-native");
	tcase_set_timeout(tc, 150);
	tcase_add_test(tc, test_mm_mmap_errno);
	tcase_add_test(tc, test_mm_segv);
	tcase_add_test(tc, test_mm_fork_small);
	tcase_add_test(tc, test_mm_brk_cycles);
	tcase_add_test(tc, test_mm_fork_cow);
	tcase_add_test(tc, test_mm_threads);
	tcase_add_test(tc, test_mm_maps);
	tcase_add_test(tc, test_mm_syscall_buffers);
	tcase_add_test(tc, test_real_programs);
	tcase_add_test(tc, test_mm_unmap_stack);
	suite_add_tcase(s, tc);
	/* 262144 demand faults natively and again under Persona (about 5 s each on a
	 * VM where a fault costs 12-20 us); each run has its own 60 s limit */
	TCase *big = tcase_create("big");
	tcase_set_timeout(big, 150);
	tcase_add_test(big, test_mm_big);
	suite_add_tcase(s, big);
	TCase *pool = tcase_create("frame-pool");
	tcase_set_timeout(pool, 150);
	tcase_add_test(pool, test_no_frame_leak);
	tcase_add_test(pool, test_mm_off);
	tcase_add_test(pool, test_bad_options);
	tcase_add_test(pool, test_pool_exhausted);
	tcase_add_test(pool, test_oom_killer);
	tcase_add_test(pool, test_page_cache_shared);
	tcase_add_test(pool, test_swap_working_set);
	tcase_add_test(pool, test_swap_meminfo_tools);
	tcase_add_test(pool, test_overcommit_never);
	tcase_add_test(pool, test_clean_file_pages_dropped);
	suite_add_tcase(s, pool);
	return s;
}
