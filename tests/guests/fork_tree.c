/* tests/guests/fork_tree.c - a fork tree three levels deep.
 * Every node forks its children (all at once), checks in each child that getppid()
 * is the pid fork returned to the parent... from the child's side (the parent's
 * getpid), and waits for them: the pid wait returns must be one of the pids fork
 * returned, and each child's exit code (the size of its subtree) is added up to the
 * root. A node that sees anything wrong exits with a code above 200. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define FANOUT 3
#define DEPTH 3

static int failures;
static void check(int ok, const char *what)
{
	printf("%s: %s\n", what, ok ? "yes" : "no");
	if (!ok) {
		failures++;
		fprintf(stderr, "check failed: %s\n", what);	/* shown by the test harness */
	}
}

/* Returns the number of nodes in this subtree (itself included), or > 200 on error. */
static int node(int depth)
{
	pid_t kids[FANOUT];
	pid_t me = getpid();
	int total = 1;
	if (depth == 0) return 1;
	for (int i = 0; i < FANOUT; i++) {
		kids[i] = fork();
		if (kids[i] < 0) return 201;
		if (kids[i] == 0) {
			if (getppid() != me) _exit(202);
			if (getpid() == me) _exit(203);
			_exit(node(depth - 1));
		}
	}
	/* distinct pids */
	for (int i = 0; i < FANOUT; i++)
		for (int j = i + 1; j < FANOUT; j++)
			if (kids[i] == kids[j]) return 204;
	/* reap the first one by pid, the others with wait(-1) */
	for (int n = 0; n < FANOUT; n++) {
		int st;
		pid_t w = n == 0 ? waitpid(kids[0], &st, 0) : wait(&st);
		int found = 0;
		for (int i = 0; i < FANOUT; i++) if (kids[i] == w) { found = 1; kids[i] = -2; }
		if (!found) return 205;
		if (!WIFEXITED(st)) return 206;
		if (WEXITSTATUS(st) > 200) return WEXITSTATUS(st);
		total += WEXITSTATUS(st);
	}
	/* no children left */
	if (wait(NULL) != -1 || errno != ECHILD) return 207;
	return total;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	alarm(30);
	int total = node(DEPTH);
	/* 1 + 3 + 9 + 27 */
	printf("nodes counted: %d\n", total);
	check(total == 40, "every node ran, saw the right parent and was reaped");

	/* exit codes and signals propagate through two levels */
	pid_t c = fork();
	if (c == 0) {
		pid_t g = fork();
		if (g == 0) _exit(17);
		int st;
		if (waitpid(g, &st, 0) != g || !WIFEXITED(st)) _exit(1);
		_exit(WEXITSTATUS(st) + 1);
	}
	int st;
	pid_t w = waitpid(c, &st, 0);
	check(w == c, "waitpid returned the forked pid");
	check(WIFEXITED(st) && WEXITSTATUS(st) == 18, "grandchild's exit code propagated (17+1)");
	return failures ? 1 : 0;
}
