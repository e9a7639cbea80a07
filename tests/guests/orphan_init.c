/* tests/guests/orphan_init.c - an orphan without a subreaper goes to init.
 * Meant to run as the first process of a pid namespace (pid 1): it forks A, A forks
 * G and exits, G waits until its parent changed and reports its new getppid();
 * pid 1 reaps A and then G (orphans become its children). Prints raw values:
 * natively the new parent is whatever reaper the host has.
 *   orphan_init flag             prints PR_GET_CHILD_SUBREAPER (0 for a namespace's init)
 *   orphan_init clear-subreaper  first clears the flag: the init of a pid namespace
 *                                reaps orphans whatever its flag says */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	alarm(30);
	if (argc == 2 && !strcmp(argv[1], "flag")) {
		int flag = -1;
		prctl(PR_GET_CHILD_SUBREAPER, &flag);
		printf("child subreaper flag: %d\n", flag);
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "clear-subreaper")) prctl(PR_SET_CHILD_SUBREAPER, 0);
	int p[2];
	if (pipe(p)) return 2;
	pid_t a = fork();
	if (a == 0) {
		pid_t amid = getpid();
		pid_t g = fork();
		if (g == 0) {
			for (int i = 0; i < 5000 && getppid() == amid; i++) {
				struct timespec ts = { 0, 1000000 };
				nanosleep(&ts, NULL);
			}
			printf("orphan's new ppid: %d\n", getppid());
			_exit(5);
		}
		if (write(p[1], &g, sizeof g) != sizeof g) _exit(2);
		_exit(4);
	}
	pid_t g;
	if (read(p[0], &g, sizeof g) != sizeof g) return 2;
	int st, st2;
	pid_t w = waitpid(a, &st, 0);
	pid_t w2 = waitpid(g, &st2, 0);	/* (the orphan printed its line before it exited) */
	printf("reaped the middle child: %s\n", w == a && WEXITSTATUS(st) == 4 ? "yes" : "no");
	printf("reaped the orphan: %s\n", w2 == g && WIFEXITED(st2) && WEXITSTATUS(st2) == 5 ? "yes" : "no");
	printf("my pid: %d\n", getpid());
	return 0;
}
