/* tests/guests/mm_oom.c - the OOM killer's choice: K children each allocate and
 * touch memory, then hold it until every child is done or dead. Child 0 sets
 * oom_score_adj -1000 and takes a little memory before the others start; child 1
 * sets 1000 and takes its share next; the others (adj 0) then start together. With
 * a memory smaller than the sum (persona --mem) some must die: child 1 first (the
 * biggest badness), never child 0, never the parent. The parent prints one line per
 * child: index, pid, adj, and whether it died of SIGKILL; it exits 0 unless one of
 * its own calls fails. Natively (enough memory) nobody is killed. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define K 4
#define MiB (1UL << 20)

static const int adj[K] = { -1000, 1000, 0, 0 };
static const size_t size[K] = { 8 * MiB, 40 * MiB, 40 * MiB, 40 * MiB };

/* the child: set adj, allocate and touch, say ready, hold until released */
static void child(int i, int ready, int release)
{
	char s[16];
	int fd = open("/proc/self/oom_score_adj", O_WRONLY);
	int n = snprintf(s, sizeof s, "%d\n", adj[i]);
	if (fd < 0 || write(fd, s, (size_t)n) != n)
		printf("child %d: oom_score_adj %d refused (%s)\n", i, adj[i], strerror(errno));
	if (fd >= 0) close(fd);
	char *m = mmap(NULL, size[i], PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED) _exit(2);
	for (size_t off = 0; off < size[i]; off += 4096) m[off] = (char)(off >> 12 | 1);
	char me = (char)('0' + i);
	if (write(ready, &me, 1) != 1) _exit(3);
	char c;
	while (read(release, &c, 1) > 0) {}	/* until the parent closes its end */
	_exit(0);
}

static pid_t pid[K];
static int status[K], reaped[K], done[K];

/* Waits until every child up to `last` said ready (its index) or died. */
static void wait_done(int ready, int last)
{
	for (;;) {
		char c;
		while (read(ready, &c, 1) == 1) done[c - '0'] = 1;
		for (int i = 0; i <= last; i++) {
			if (!reaped[i] && waitpid(pid[i], &status[i], WNOHANG) == pid[i])
				reaped[i] = done[i] = 1;
		}
		int all = 1;
		for (int i = 0; i <= last; i++) all &= done[i];
		if (all) return;
		usleep(10000);
	}
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	alarm(50);
	int rp[2], rel[2];
	if (pipe(rp) || pipe(rel) || fcntl(rp[0], F_SETFL, O_NONBLOCK)) return 1;
	for (int i = 0; i < K; i++) {
		pid[i] = fork();
		if (pid[i] < 0) return 1;
		if (pid[i] == 0) {
			close(rp[0]);
			close(rel[1]);
			child(i, rp[1], rel[0]);
		}
		/* children 0 and 1 hold their memory before the others start */
		if (i < 2) wait_done(rp[0], i);
	}
	close(rp[1]);
	close(rel[0]);
	wait_done(rp[0], K - 1);
	close(rel[1]);	/* the survivors exit */
	for (int i = 0; i < K; i++) {
		if (!reaped[i] && waitpid(pid[i], &status[i], 0) != pid[i]) return 1;
		int killed = WIFSIGNALED(status[i]) && WTERMSIG(status[i]) == SIGKILL;
		printf("child %d pid %d adj %d: %s\n", i, pid[i], adj[i], killed ? "killed" : "survived");
	}
	return 0;
}
