/* tests/guests/print_ids.c - prints this process's raw ids (for Persona-only tests:
 * inside the namespace they are known values). With an argument N it forks N
 * levels deep first and each level prints its line after its child's. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	int depth = argc > 1 ? atoi(argv[1]) : 0;
	while (depth-- > 0) {
		pid_t pid = fork();
		if (pid > 0) {
			int st;
			waitpid(pid, &st, 0);
			printf("forked %d\n", pid);
			break;
		}
	}
	printf("pid %d ppid %d tid %ld pgrp %d sid %d\n", getpid(), getppid(),
	       (long)syscall(SYS_gettid), getpgrp(), getsid(0));
	return 0;
}
