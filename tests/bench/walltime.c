/* tests/bench/walltime.c - wall-clock time of one command, for the workload section
 * of run.sh (tests/bench/workloads.sh).
 *
 *     build/bench/walltime OUTFILE CMD [ARG...]
 *
 * Runs CMD with its stdout sent to OUTFILE (truncated; /dev/null to discard it),
 * stdin from /dev/null and stderr inherited, waits for it and prints
 *
 *     walltime NS
 *
 * on stdout: CLOCK_MONOTONIC from just before the fork to the end of the wait. The
 * exit status is CMD's (128+N when it died of signal N, 127 if it could not be run).
 *
 * A timer of its own rather than `date +%s%N` around the command: two forks of date
 * and their dynamic linking would add a few ms of noise to commands that take ~100 ms. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* In the child: redirect stdin and stdout, exec; never returns. */
static void child(const char *outfile, char **argv)
{
	int in = open("/dev/null", O_RDONLY);
	int out = open(outfile, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (in < 0 || out < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0) {
		fprintf(stderr, "walltime: %s: %s\n", outfile, strerror(errno));
		_exit(127);
	}
	close(in);
	close(out);
	execvp(argv[0], argv);
	fprintf(stderr, "walltime: %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s OUTFILE CMD [ARG...]\n", argv[0]);
		return 2;
	}
	long long t0 = now_ns();
	pid_t pid = fork();
	if (pid < 0) {
		perror("walltime: fork");
		return 127;
	}
	if (pid == 0)
		child(argv[1], argv + 2);
	int status;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			perror("walltime: waitpid");
			return 127;
		}
	}
	long long t1 = now_ns();
	printf("walltime %lld\n", t1 - t0);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
