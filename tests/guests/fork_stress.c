/* tests/guests/fork_stress.c - many processes at once: 20 children each fork 20
 * grandchildren without waiting in between, then everybody is reaped; every exit
 * code is accounted for. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define N 20

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	alarm(60);
	pid_t kids[N];
	for (int i = 0; i < N; i++) {
		kids[i] = fork();
		if (kids[i] < 0) { printf("fork failed\n"); return 1; }
		if (kids[i] == 0) {
			pid_t g[N];
			for (int j = 0; j < N; j++) {
				g[j] = fork();
				if (g[j] == 0) _exit(j);
				if (g[j] < 0) _exit(200);
			}
			int sum = 0;
			for (int j = 0; j < N; j++) {
				int st;
				pid_t w = waitpid(g[j], &st, 0);
				if (w != g[j] || !WIFEXITED(st)) _exit(201);
				sum += WEXITSTATUS(st);
			}
			_exit(sum == N * (N - 1) / 2 ? i : 202);
		}
	}
	int ok = 0, bad = 0;
	for (int n = 0; n < N; n++) {
		int st;
		pid_t w = wait(&st);
		int idx = -1;
		for (int i = 0; i < N; i++) if (kids[i] == w) idx = i;
		if (idx >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == idx) ok++;
		else bad++;
	}
	errno = 0;
	int none_left = wait(NULL) == -1 && errno == ECHILD;
	printf("children reaped with the right codes: %d of %d\n", ok, N);
	printf("no children left: %s\n", none_left ? "yes" : "no");
	if (ok != N || bad || !none_left)
		fprintf(stderr, "check failed: %d of %d children reaped right, %s\n", ok, N,
			none_left ? "none left" : "some left");
	return ok == N && !bad && none_left ? 0 : 1;
}
