/* tests/guests/sched_order.c - real-time priority order on one CPU.
 * The parent makes itself SCHED_FIFO 50, forks LOW (which drops to FIFO 10) and then
 * HIGH (FIFO 20); each spins for a fixed amount of work and reports when it finished.
 * On one CPU under a FIFO scheduler HIGH, though started later, runs to completion
 * before LOW: the output is "high low". Needs the right to use SCHED_FIFO (root, or
 * RLIMIT_RTPRIO). */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void child(const char *name, int prio, int out, long work)
{
	struct sched_param p = { .sched_priority = prio };
	if (sched_setscheduler(0, SCHED_FIFO, &p)) { perror("sched_setscheduler"); _exit(1); }
	volatile unsigned long x = 0;
	for (long i = 0; i < work; i++) x += i;
	if (write(out, name, strlen(name)) < 0 || write(out, " ", 1) < 0) _exit(1);
	_exit(0);
}

int main(int argc, char **argv)
{
	long work = argc > 1 ? atol(argv[1]) : 300000000;
	struct sched_param p = { .sched_priority = 50 };
	int fd[2];
	if (pipe(fd)) return 1;
	if (sched_setscheduler(0, SCHED_FIFO, &p)) { perror("sched_setscheduler"); return 1; }
	if (fork() == 0) child("low", 10, fd[1], work);
	if (fork() == 0) child("high", 20, fd[1], work);
	close(fd[1]);
	p.sched_priority = 0;
	sched_setscheduler(0, SCHED_OTHER, &p);	/* the parent leaves the CPU to them */
	char buf[64] = "";
	ssize_t n, len = 0;
	while ((n = read(fd[0], buf + len, sizeof buf - 1 - len)) > 0) len += n;
	buf[len] = 0;
	while (wait(NULL) > 0) {}
	printf("%s\n", buf);
	return 0;
}
