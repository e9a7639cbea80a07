/* tests/guests/time_sleep.c - nanosleep and clock_nanosleep: durations (relative and
 * absolute, every emulated clock), argument errors, interruption by a handled signal
 * (EINTR and the remaining time; rmtp in read-only memory: EFAULT), signals that do not
 * interrupt (SIGCHLD by default, a stop and continue), a fatal signal. Prints facts
 * only ("within tolerance: yes"), never raw times. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MS 1000000LL
#define SLACK (100 * MS)	/* scheduling and tracing latency allowed */

static int failures;
static void check(int ok, const char *what)
{
	printf("%s: %s\n", what, ok ? "yes" : "no");
	if (!ok) {
		failures++;
		fprintf(stderr, "check failed: %s\n", what);
	}
}

static long long now(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long raw_nanosleep(const struct timespec *req, struct timespec *rem)
{
	long r = syscall(SYS_nanosleep, req, rem);
	return r < 0 ? -errno : r;
}

static long raw_clock_nanosleep(clockid_t c, int flags, const struct timespec *req, struct timespec *rem)
{
	long r = syscall(SYS_clock_nanosleep, c, flags, req, rem);
	return r < 0 ? -errno : r;
}

static struct timespec ns_ts(long long ns) { return (struct timespec){ ns / 1000000000LL, ns % 1000000000LL }; }
static long long ts_ns(const struct timespec *t) { return t->tv_sec * 1000000000LL + t->tv_nsec; }

static int within(long long got, long long want) { return got >= want && got <= want + SLACK; }

static void durations(void)
{
	struct timespec req = ns_ts(20 * MS);
	long long t0 = now(CLOCK_MONOTONIC);
	check(raw_nanosleep(&req, NULL) == 0, "nanosleep 20ms returns 0");
	check(within(now(CLOCK_MONOTONIC) - t0, 20 * MS), "nanosleep 20ms within tolerance");

	static const struct { clockid_t c; const char *name; } clocks[] = {
		{ CLOCK_REALTIME, "REALTIME" }, { CLOCK_MONOTONIC, "MONOTONIC" },
		{ CLOCK_BOOTTIME, "BOOTTIME" }, { CLOCK_TAI, "TAI" },
	};
	char what[128];
	for (unsigned i = 0; i < sizeof clocks / sizeof clocks[0]; i++) {
		clockid_t c = clocks[i].c;
		t0 = now(CLOCK_MONOTONIC);
		req = ns_ts(15 * MS);
		long r = raw_clock_nanosleep(c, 0, &req, NULL);
		snprintf(what, sizeof what, "clock_nanosleep %s relative 15ms within tolerance", clocks[i].name);
		check(r == 0 && within(now(CLOCK_MONOTONIC) - t0, 15 * MS), what);

		long long target = now(c) + 25 * MS;
		req = ns_ts(target);
		r = raw_clock_nanosleep(c, TIMER_ABSTIME, &req, NULL);
		long long late = now(c) - target;
		snprintf(what, sizeof what, "clock_nanosleep %s absolute wakes at the time", clocks[i].name);
		check(r == 0 && late >= 0 && late <= SLACK, what);

		/* an absolute time in the past returns at once */
		req = ns_ts(now(c) - 1000 * MS);
		t0 = now(CLOCK_MONOTONIC);
		r = raw_clock_nanosleep(c, TIMER_ABSTIME, &req, NULL);
		snprintf(what, sizeof what, "clock_nanosleep %s absolute past returns 0 at once", clocks[i].name);
		check(r == 0 && now(CLOCK_MONOTONIC) - t0 < SLACK, what);
	}
	req = ns_ts(0);
	check(raw_nanosleep(&req, NULL) == 0, "nanosleep 0 returns 0");
	/* flags other than TIMER_ABSTIME are ignored */
	req = ns_ts(5 * MS);
	check(raw_clock_nanosleep(CLOCK_MONOTONIC, 0x10, &req, NULL) == 0, "unknown flags ignored");
	/* glibc's wrappers */
	t0 = now(CLOCK_MONOTONIC);
	check(usleep(10000) == 0 && within(now(CLOCK_MONOTONIC) - t0, 10 * MS), "usleep 10ms within tolerance");
	req = ns_ts(10 * MS);
	check(clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL) == 0, "glibc clock_nanosleep returns 0");
}

static void errors(void)
{
	struct timespec bad_nsec = { 0, 1000000000 }, neg_nsec = { 0, -1 }, neg_sec = { -1, 0 };
	struct timespec ok = { 0, 1000 };
	check(raw_nanosleep(&bad_nsec, NULL) == -EINVAL, "nanosleep tv_nsec 1e9: EINVAL");
	check(raw_nanosleep(&neg_nsec, NULL) == -EINVAL, "nanosleep tv_nsec -1: EINVAL");
	check(raw_nanosleep(&neg_sec, NULL) == -EINVAL, "nanosleep tv_sec -1: EINVAL");
	check(raw_nanosleep(NULL, NULL) == -EFAULT, "nanosleep NULL: EFAULT");
	check(raw_nanosleep((void *)8, NULL) == -EFAULT, "nanosleep bad pointer: EFAULT");
	check(raw_clock_nanosleep(CLOCK_MONOTONIC, 0, &bad_nsec, NULL) == -EINVAL,
	      "clock_nanosleep tv_nsec 1e9: EINVAL");
	check(raw_clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &neg_sec, NULL) == -EINVAL,
	      "clock_nanosleep absolute tv_sec -1: EINVAL");
	check(raw_clock_nanosleep(CLOCK_MONOTONIC, 0, NULL, NULL) == -EFAULT, "clock_nanosleep NULL: EFAULT");
	check(raw_clock_nanosleep(99, 0, &ok, NULL) == -EINVAL, "clock_nanosleep clock 99: EINVAL");
	check(raw_clock_nanosleep(99, 0, NULL, NULL) == -EINVAL, "clock_nanosleep clock 99 before EFAULT");
	check(raw_clock_nanosleep(CLOCK_MONOTONIC_RAW, 0, &ok, NULL) == -EOPNOTSUPP,
	      "clock_nanosleep MONOTONIC_RAW: EOPNOTSUPP");
	check(raw_clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &ok, NULL) == -EOPNOTSUPP,
	      "clock_nanosleep THREAD_CPUTIME: EOPNOTSUPP");
	/* CPU time does not pass while asleep: an absolute time already passed */
	check(raw_clock_nanosleep(CLOCK_PROCESS_CPUTIME_ID, TIMER_ABSTIME, &ok, NULL) == 0,
	      "clock_nanosleep PROCESS_CPUTIME absolute past returns 0");
	check(clock_nanosleep(99, 0, &ok, NULL) == EINVAL, "glibc clock_nanosleep returns the error");
}

static volatile sig_atomic_t got_usr1;
static void on_usr1(int sig) { (void)sig; got_usr1++; }

static void install(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = fn;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

/* a child that signals us after `ms` */
static pid_t signal_later(int sig, int ms)
{
	pid_t parent = getpid(), pid = fork();
	if (pid == 0) {
		struct timespec d = ns_ts(ms * MS);
		nanosleep(&d, NULL);
		kill(parent, sig);
		_exit(0);
	}
	return pid;
}

static void interrupted(void)
{
	struct timespec req, rem;
	install(SIGUSR1, on_usr1, SA_RESTART);	/* nanosleep is never restarted */

	got_usr1 = 0;
	pid_t c = signal_later(SIGUSR1, 50);
	req = ns_ts(2000 * MS);
	rem = ns_ts(0);
	long long t0 = now(CLOCK_MONOTONIC);
	long r = raw_nanosleep(&req, &rem);
	long long slept = now(CLOCK_MONOTONIC) - t0;
	waitpid(c, NULL, 0);
	check(r == -EINTR, "nanosleep interrupted by a handled signal: EINTR");
	check(got_usr1 == 1, "the handler ran once");
	check(slept < 1000 * MS, "woken early");
	check(ts_ns(&rem) > 0 && ts_ns(&rem) <= 2000 * MS - slept + SLACK &&
	      ts_ns(&rem) >= 2000 * MS - slept - SLACK, "remaining time within tolerance");

	/* relative clock_nanosleep writes the remaining time too */
	got_usr1 = 0;
	c = signal_later(SIGUSR1, 30);
	req = ns_ts(2000 * MS);
	rem = ns_ts(0);
	r = raw_clock_nanosleep(CLOCK_REALTIME, 0, &req, &rem);
	waitpid(c, NULL, 0);
	check(r == -EINTR && ts_ns(&rem) > 1000 * MS, "clock_nanosleep relative: EINTR, remaining written");

	/* absolute: EINTR, rmtp untouched */
	got_usr1 = 0;
	c = signal_later(SIGUSR1, 30);
	req = ns_ts(now(CLOCK_MONOTONIC) + 2000 * MS);
	rem = (struct timespec){ 77, 77 };
	r = raw_clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &req, &rem);
	waitpid(c, NULL, 0);
	check(r == -EINTR && rem.tv_sec == 77 && rem.tv_nsec == 77, "clock_nanosleep absolute: EINTR, rmtp untouched");

	/* NULL rmtp: just EINTR */
	c = signal_later(SIGUSR1, 30);
	req = ns_ts(2000 * MS);
	r = raw_nanosleep(&req, NULL);
	waitpid(c, NULL, 0);
	check(r == -EINTR, "nanosleep without rmtp: EINTR");

	/* rmtp in read-only memory: the copy-out fails, EFAULT (nanosleep_copyout) */
	struct timespec *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	c = signal_later(SIGUSR1, 30);
	req = ns_ts(2000 * MS);
	r = raw_nanosleep(&req, ro);
	waitpid(c, NULL, 0);
	check(r == -EFAULT, "read-only rmtp: EFAULT");
	munmap(ro, 4096);

	/* an interval itimer's SIGALRM with a handler */
	install(SIGALRM, on_usr1, 0);
	got_usr1 = 0;
	alarm(1);
	req = ns_ts(5000 * MS);
	t0 = now(CLOCK_MONOTONIC);
	r = raw_nanosleep(&req, &rem);
	check(r == -EINTR && now(CLOCK_MONOTONIC) - t0 < 2000 * MS, "alarm interrupts nanosleep");
	signal(SIGALRM, SIG_DFL);
}

static void not_interrupted(void)
{
	struct timespec req = ns_ts(150 * MS);
	/* SIGCHLD with the default disposition (ignore) does not end a sleep */
	pid_t c = fork();
	if (c == 0) _exit(0);
	long long t0 = now(CLOCK_MONOTONIC);
	long r = raw_nanosleep(&req, NULL);
	check(r == 0 && now(CLOCK_MONOTONIC) - t0 >= 150 * MS, "SIGCHLD (default) does not interrupt");
	waitpid(c, NULL, 0);

	/* an ignored signal neither */
	signal(SIGUSR2, SIG_IGN);
	c = signal_later(SIGUSR2, 20);
	t0 = now(CLOCK_MONOTONIC);
	r = raw_nanosleep(&req, NULL);
	check(r == 0 && now(CLOCK_MONOTONIC) - t0 >= 150 * MS, "SIG_IGN signal does not interrupt");
	waitpid(c, NULL, 0);
	signal(SIGUSR2, SIG_DFL);

	/* stop and continue: the sleeper stops, and its sleep still ends at the
	 * original time with 0 (restart_syscall) */
	int pfd[2];
	if (pipe(pfd)) exit(2);
	c = fork();
	if (c == 0) {
		struct timespec d = ns_ts(400 * MS);
		long long s0 = now(CLOCK_MONOTONIC);
		long rr = raw_nanosleep(&d, NULL);
		long long took = now(CLOCK_MONOTONIC) - s0;
		char ok = rr == 0 && took >= 400 * MS && took <= 400 * MS + 200 * MS ? 'y' : 'n';
		if (write(pfd[1], &ok, 1) != 1) _exit(3);
		_exit(0);
	}
	struct timespec d = ns_ts(50 * MS);
	nanosleep(&d, NULL);
	kill(c, SIGSTOP);
	int st;
	pid_t w = waitpid(c, &st, WUNTRACED);
	check(w == c && WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP, "sleeping child stops on SIGSTOP");
	d = ns_ts(100 * MS);
	nanosleep(&d, NULL);
	kill(c, SIGCONT);
	char ok = 'n';
	if (read(pfd[0], &ok, 1) != 1) ok = 'n';
	check(ok == 'y', "after SIGCONT its sleep ends on time with 0");
	waitpid(c, &st, 0);
	close(pfd[0]);
	close(pfd[1]);
}

static void fatal(void)
{
	pid_t c = fork();
	if (c == 0) {
		struct timespec d = ns_ts(10000 * MS);
		raw_nanosleep(&d, NULL);
		_exit(0);
	}
	struct timespec d = ns_ts(30 * MS);
	nanosleep(&d, NULL);
	long long t0 = now(CLOCK_MONOTONIC);
	kill(c, SIGTERM);
	int st;
	waitpid(c, &st, 0);
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM, "sleeping child killed by SIGTERM");
	check(now(CLOCK_MONOTONIC) - t0 < 2000 * MS, "killed promptly");

	/* SIGKILL too */
	c = fork();
	if (c == 0) {
		struct timespec dd = ns_ts(10000 * MS);
		raw_clock_nanosleep(CLOCK_MONOTONIC, 0, &dd, NULL);
		_exit(0);
	}
	nanosleep(&d, NULL);
	kill(c, SIGKILL);
	waitpid(c, &st, 0);
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "sleeping child killed by SIGKILL");
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	const char *only = argc > 1 ? argv[1] : NULL;
	if (!only || !strcmp(only, "durations")) durations();
	if (!only || !strcmp(only, "errors")) errors();
	if (!only || !strcmp(only, "interrupted")) interrupted();
	if (!only || !strcmp(only, "not_interrupted")) not_interrupted();
	if (!only || !strcmp(only, "fatal")) fatal();
	return failures ? 1 : 0;
}
