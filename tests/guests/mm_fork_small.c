/* tests/guests/mm_fork_small.c - fork and exec of a small process, the paths a shell
 * takes: a single-threaded process with few writable pages forks without
 * copy-on-write for them (Persona copies them for the child at once), and every
 * image the loader builds keeps the stub's pages at 1 TiB, hidden, as the
 * trampoline of batched injections. Checked: data, bss, heap and stack written on
 * both sides after fork stay each side's own, over many forks and a grandchild;
 * fork+exec+wait of /bin/true in a loop; nothing at 1 TiB in /proc/self/maps; a
 * guest mapping of its own at 1 TiB (over the trampoline), written by parent and
 * child, then unmapped, with forks and execs still working after each step. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define TIB ((char *)0x10000000000UL)
static int failures;
static int data_word = 1;	/* .data */
static int bss_word;		/* .bss */

static int check(int ok, const char *what)
{
	printf("%s: %s\n", what, ok ? "yes" : "no");
	if (!ok) {
		failures++;
		fprintf(stderr, "check failed: %s\n", what);
	}
	return ok;
}

/* forks; the child writes everything and exits 0 if it saw the parent's values */
static int fork_and_write(int *heap, int round)
{
	int stack_word = round;
	pid_t pid = fork();
	if (pid < 0) return 0;
	if (pid == 0) {
		int ok = data_word == round + 1 && bss_word == round && *heap == round && stack_word == round;
		data_word = bss_word = *heap = stack_word = -1;
		_exit(ok ? 0 : 1);
	}
	data_word = bss_word = *heap = stack_word = 1000;	/* the parent writes too */
	int st;
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st)) return 0;
	return data_word == 1000 && bss_word == 1000 && *heap == 1000 && stack_word == 1000;
}

static int run_true(void)
{
	pid_t pid = fork();
	if (pid < 0) return 0;
	if (pid == 0) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	int st;
	return waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static int nothing_at_tib(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	int clear = 1;
	while (f && fgets(line, sizeof line, f)) {
		unsigned long s, e;
		if (sscanf(line, "%lx-%lx", &s, &e) == 2 && s < 0x10000010000UL && e > 0x10000000000UL)
			clear = 0;
	}
	if (f) fclose(f);
	return f && clear;
}

int main(void)
{
	int *heap = malloc(sizeof *heap);
	int ok = 1;
	for (int round = 0; round < 20 && ok; round++) {
		data_word = round + 1;
		bss_word = *heap = round;
		ok = fork_and_write(heap, round);
	}
	check(ok, "20 forks: each side keeps its own data, bss, heap and stack");
	pid_t pid = fork();	/* a grandchild sees the child's values */
	if (pid == 0) {
		data_word = 7;
		pid_t g = fork();
		if (g == 0) _exit(data_word == 7 ? 0 : 1);
		int st;
		_exit(waitpid(g, &st, 0) == g && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1);
	}
	int st;
	check(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0 && data_word == 1000,
	      "a grandchild sees its parent's writes, the grandparent keeps its own");
	ok = 1;
	for (int i = 0; i < 10 && ok; i++) ok = run_true();
	check(ok, "10 fork+exec+wait of /bin/true");
	check(nothing_at_tib(), "/proc/self/maps shows nothing at 1 TiB");

	char *p = mmap(TIB, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (!check(p == TIB, "mmap MAP_FIXED at 1 TiB")) return 1;
	memset(p, 5, 3 * 4096);
	check(!nothing_at_tib(), "/proc/self/maps shows the mapping at 1 TiB");
	pid = fork();
	if (pid == 0) {
		int seen = p[100] == 5 && p[2 * 4096 + 7] == 5;
		p[100] = 9;
		_exit(seen && run_true() ? 0 : 1);
	}
	check(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "a child sees the mapping at 1 TiB and can fork+exec");
	check(p[100] == 5, "the child's write at 1 TiB stays the child's");
	data_word = 1;	/* the values round 0 expects */
	bss_word = *heap = 0;
	check(fork_and_write(heap, 0), "fork after the mapping at 1 TiB: each side keeps its own");
	check(munmap(p, 3 * 4096) == 0, "munmap at 1 TiB");
	check(nothing_at_tib(), "/proc/self/maps shows nothing at 1 TiB again");
	ok = 1;
	for (int i = 0; i < 3 && ok; i++) ok = run_true();
	check(ok, "fork+exec+wait after the munmap");
	free(heap);
	return failures ? 1 : 0;
}
