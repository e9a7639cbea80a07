/* tests/guests/time_timers.c - alarm, setitimer/getitimer (ITIMER_REAL) and POSIX
 * timers: return values, the siginfo of their signals (si_code, si_timerid,
 * si_overrun, si_value), interval reloads, overruns, per-process ids (0, 1, 2, ...
 * never reused, not reset by exec, from 0 again in a fork child), SIGEV_NONE,
 * SIGEV_THREAD_ID and glibc's SIGEV_THREAD, TIMER_ABSTIME, argument errors, what exec
 * and fork keep, and EAGAIN past RLIMIT_SIGPENDING. Prints facts only. */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MS 1000000LL
#define SLACK (100 * MS)
#ifndef SIGEV_THREAD_ID
#define SIGEV_THREAD_ID 4
#endif
#define sigev_tid _sigev_un._tid

static int failures;
static void check(int ok, const char *what)
{
	printf("%s: %s\n", what, ok ? "yes" : "no");
	if (!ok) {
		failures++;
		fprintf(stderr, "check failed: %s\n", what);
	}
}

static long long now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sleep_ms(long ms)
{
	struct timespec d = { ms / 1000, (ms % 1000) * MS };
	while (nanosleep(&d, &d) < 0 && errno == EINTR) {}
}

/* raw syscalls: kernel ids and errnos, no glibc bookkeeping */
static long k_create(clockid_t c, struct sigevent *ev, int *id)
{
	long r = syscall(SYS_timer_create, c, ev, id);
	return r < 0 ? -errno : r;
}
static long k_settime(int id, int flags, const struct itimerspec *v, struct itimerspec *o)
{
	long r = syscall(SYS_timer_settime, id, flags, v, o);
	return r < 0 ? -errno : r;
}
static long k_gettime(int id, struct itimerspec *v)
{
	long r = syscall(SYS_timer_gettime, id, v);
	return r < 0 ? -errno : r;
}
static long k_getoverrun(int id)
{
	long r = syscall(SYS_timer_getoverrun, id);
	return r < 0 ? -errno : r;
}
static long k_delete(int id)
{
	long r = syscall(SYS_timer_delete, id);
	return r < 0 ? -errno : r;
}

static struct itimerspec its(long long value, long long interval)
{
	struct itimerspec s;
	s.it_value.tv_sec = value / 1000000000LL;
	s.it_value.tv_nsec = value % 1000000000LL;
	s.it_interval.tv_sec = interval / 1000000000LL;
	s.it_interval.tv_nsec = interval % 1000000000LL;
	return s;
}
static long long ts_ns(const struct timespec *t) { return t->tv_sec * 1000000000LL + t->tv_nsec; }

static volatile sig_atomic_t nsig;
static siginfo_t last;
static volatile pid_t handler_tid;
static void on_sig(int sig, siginfo_t *si, void *uc)
{
	(void)sig; (void)uc;
	last = *si;
	handler_tid = (pid_t)syscall(SYS_gettid);
	nsig++;
}

static void install(int sig)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_sig;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static void block(int sig, int how)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, sig);
	sigprocmask(how, &s, NULL);
}

static void test_alarm(void)
{
	check(alarm(5) == 0, "alarm with none pending returns 0");
	check(alarm(3) == 5, "alarm returns the seconds left, rounded");
	check(alarm(0) == 3, "alarm(0) cancels and returns the seconds left");
	check(alarm(0) == 0, "no alarm left");

	install(SIGALRM);
	nsig = 0;
	long long t0 = now();
	alarm(1);
	while (!nsig) pause();
	long long took = now() - t0;
	check(took >= 1000 * MS && took < 1000 * MS + SLACK, "SIGALRM after 1s");
	check(last.si_signo == SIGALRM && last.si_code == SI_KERNEL, "alarm's SIGALRM has si_code SI_KERNEL");
	check(last.si_pid == 0, "alarm's SIGALRM has si_pid 0");
}

static void test_itimer(void)
{
	struct itimerval v, o;
	memset(&v, 0, sizeof v);
	v.it_value.tv_sec = 1;
	check(setitimer(ITIMER_REAL, &v, NULL) == 0, "setitimer 1s");
	check(getitimer(ITIMER_REAL, &o) == 0 && o.it_value.tv_sec == 0 && o.it_value.tv_usec > 900000 &&
	      o.it_interval.tv_sec == 0 && o.it_interval.tv_usec == 0, "getitimer shows the time left");
	check(alarm(0) == 1, "alarm sees the itimer");

	/* interval reloads */
	install(SIGALRM);
	nsig = 0;
	v.it_value.tv_sec = 0;
	v.it_value.tv_usec = 20000;
	v.it_interval.tv_usec = 20000;
	long long t0 = now();
	setitimer(ITIMER_REAL, &v, NULL);
	while (nsig < 5) pause();
	long long took = now() - t0;
	getitimer(ITIMER_REAL, &o);
	check(o.it_interval.tv_usec == 20000 && o.it_value.tv_usec <= 20000, "getitimer shows the interval");
	memset(&v, 0, sizeof v);
	setitimer(ITIMER_REAL, &v, &o);
	check(o.it_interval.tv_usec == 20000, "setitimer returns the old interval");
	check(nsig == 5 && took >= 100 * MS && took < 100 * MS + SLACK, "5 reloads of a 20ms interval in 100ms");
	check(last.si_code == SI_KERNEL, "itimer SIGALRM si_code SI_KERNEL");
	getitimer(ITIMER_REAL, &o);
	check(o.it_value.tv_sec == 0 && o.it_value.tv_usec == 0, "disarmed");

	/* errors */
	v.it_value.tv_usec = 1000000;
	check(setitimer(ITIMER_REAL, &v, NULL) < 0 && errno == EINVAL, "setitimer tv_usec 1e6: EINVAL");
	v.it_value.tv_usec = 0;
	v.it_value.tv_sec = -1;
	check(setitimer(ITIMER_REAL, &v, NULL) < 0 && errno == EINVAL, "setitimer tv_sec -1: EINVAL");
	check(syscall(SYS_setitimer, ITIMER_REAL, (void *)8, NULL) < 0 && errno == EFAULT,
	      "setitimer bad pointer: EFAULT");
	check(syscall(SYS_getitimer, ITIMER_REAL, (void *)8) < 0 && errno == EFAULT,
	      "getitimer bad pointer: EFAULT");
	check(syscall(SYS_setitimer, 99, NULL, NULL) < 0 && errno == EINVAL, "setitimer which 99: EINVAL");
	/* ITIMER_VIRTUAL is the host's: set and read back */
	memset(&v, 0, sizeof v);
	v.it_value.tv_sec = 100;
	check(setitimer(ITIMER_VIRTUAL, &v, NULL) == 0 && getitimer(ITIMER_VIRTUAL, &o) == 0 &&
	      o.it_value.tv_sec >= 99, "ITIMER_VIRTUAL works");
	memset(&v, 0, sizeof v);
	setitimer(ITIMER_VIRTUAL, &v, NULL);
	signal(SIGALRM, SIG_DFL);
}

static void test_ids(void)
{
	/* a fork child starts counting at 0 */
	pid_t c = fork();
	if (c == 0) {
		int id[5], ok = 1;
		for (int i = 0; i < 3; i++) ok &= k_create(CLOCK_MONOTONIC, NULL, &id[i]) == 0;
		check(ok && id[0] == 0 && id[1] == 1 && id[2] == 2, "timer ids 0, 1, 2");
		check(k_delete(1) == 0, "timer_delete");
		check(k_create(CLOCK_MONOTONIC, NULL, &id[3]) == 0 && id[3] == 3, "a deleted id is not reused");
		struct sigevent ev;
		memset(&ev, 0, sizeof ev);
		ev.sigev_notify = SIGEV_SIGNAL;
		ev.sigev_signo = 65;
		check(k_create(CLOCK_MONOTONIC, &ev, &id[4]) == -EINVAL, "signal 65: EINVAL");
		check(k_create(CLOCK_MONOTONIC, NULL, (int *)8) == -EFAULT, "bad id pointer: EFAULT");
		check(k_create(CLOCK_MONOTONIC_RAW, NULL, &id[4]) == -EOPNOTSUPP, "MONOTONIC_RAW: EOPNOTSUPP");
		check(k_create(99, NULL, &id[4]) == -EINVAL, "clock 99: EINVAL");
		check(k_create(CLOCK_MONOTONIC, NULL, &id[4]) == 0 && id[4] == 6,
		      "failed creations used up ids 4 and 5");
		_exit(failures ? 1 : 0);
	}
	int st;
	waitpid(c, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st)) failures++;
}

static void test_errors(void)
{
	int id;
	struct sigevent ev;
	memset(&ev, 0, sizeof ev);
	ev.sigev_notify = 99;
	ev.sigev_signo = SIGUSR1;
	check(k_create(CLOCK_MONOTONIC, &ev, &id) == -EINVAL, "sigev_notify 99: EINVAL");
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = 0;
	check(k_create(CLOCK_MONOTONIC, &ev, &id) == -EINVAL, "signal 0: EINVAL");
	ev.sigev_notify = SIGEV_THREAD_ID;
	ev.sigev_signo = SIGUSR1;
	ev.sigev_tid = getppid();
	check(k_create(CLOCK_MONOTONIC, &ev, &id) == -EINVAL, "SIGEV_THREAD_ID of another process: EINVAL");
	check(k_create(CLOCK_MONOTONIC, (struct sigevent *)8, &id) == -EFAULT, "bad sigevent pointer: EFAULT");
	ev.sigev_notify = SIGEV_NONE;
	check(k_create(CLOCK_BOOTTIME, &ev, &id) == 0, "SIGEV_NONE on BOOTTIME");
	struct itimerspec v = its(0, 0), bad = its(0, 0);
	bad.it_value.tv_nsec = 1000000000;
	check(k_settime(id, 0, NULL, NULL) == -EINVAL, "timer_settime NULL: EINVAL");
	check(k_settime(id, 0, (void *)8, NULL) == -EFAULT, "timer_settime bad pointer: EFAULT");
	check(k_settime(id, 0, &bad, NULL) == -EINVAL, "timer_settime tv_nsec 1e9: EINVAL");
	bad = its(0, 0);
	bad.it_interval.tv_sec = -1;
	check(k_settime(id, 0, &bad, NULL) == -EINVAL, "timer_settime interval tv_sec -1: EINVAL");
	check(k_settime(12345, 0, &v, NULL) == -EINVAL, "timer_settime bad id: EINVAL");
	check(k_gettime(12345, &v) == -EINVAL, "timer_gettime bad id: EINVAL");
	check(k_gettime(id, (void *)8) == -EFAULT, "timer_gettime bad pointer: EFAULT");
	check(k_getoverrun(12345) == -EINVAL, "timer_getoverrun bad id: EINVAL");
	check(k_delete(12345) == -EINVAL, "timer_delete bad id: EINVAL");
	check(k_delete(id) == 0 && k_delete(id) == -EINVAL, "deleted twice: EINVAL");
	check(k_gettime(id, &v) == -EINVAL, "deleted timer: EINVAL");
}

static void test_signal_timers(void)
{
	int id;
	/* default sigevent: SIGALRM, sival_int = the id */
	install(SIGALRM);
	nsig = 0;
	check(k_create(CLOCK_MONOTONIC, NULL, &id) == 0, "timer_create without sigevent");
	struct itimerspec v = its(10 * MS, 0);
	k_settime(id, 0, &v, NULL);
	while (!nsig) pause();
	check(last.si_signo == SIGALRM && last.si_code == SI_TIMER, "default: SIGALRM with SI_TIMER");
	check(last.si_timerid == id && last.si_value.sival_int == id, "si_timerid and sival_int are the id");
	check(last.si_overrun == 0, "si_overrun 0");
	struct itimerspec cur;
	check(k_gettime(id, &cur) == 0 && cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0,
	      "expired one-shot reads 0");
	check(k_getoverrun(id) == 0, "timer_getoverrun 0");
	k_delete(id);
	signal(SIGALRM, SIG_DFL);

	/* SIGEV_SIGNAL with a realtime signal and a pointer value */
	int sig = SIGRTMIN + 1;
	install(sig);
	nsig = 0;
	struct sigevent ev;
	memset(&ev, 0, sizeof ev);
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = sig;
	ev.sigev_value.sival_ptr = (void *)(uintptr_t)0x12345678abcdULL;
	check(k_create(CLOCK_REALTIME, &ev, &id) == 0, "SIGEV_SIGNAL on REALTIME");
	v = its(10 * MS, 0);
	long long t0 = now();
	k_settime(id, 0, &v, NULL);
	while (!nsig) pause();
	check(now() - t0 >= 10 * MS, "not before its time");
	check(last.si_signo == sig && last.si_code == SI_TIMER && last.si_timerid == id &&
	      last.si_value.sival_ptr == (void *)(uintptr_t)0x12345678abcdULL, "si_value is sigev_value");

	/* TIMER_ABSTIME */
	nsig = 0;
	struct timespec rt;
	clock_gettime(CLOCK_REALTIME, &rt);
	long long at = ts_ns(&rt) + 30 * MS;
	v = its(at, 0);
	t0 = now();
	check(k_settime(id, TIMER_ABSTIME, &v, NULL) == 0, "TIMER_ABSTIME on REALTIME");
	while (!nsig) pause();
	clock_gettime(CLOCK_REALTIME, &rt);
	check(ts_ns(&rt) >= at && ts_ns(&rt) < at + SLACK, "absolute expiry on time");

	/* gettime of an armed one-shot, and the old value from settime */
	v = its(1000 * MS, 0);
	k_settime(id, 0, &v, NULL);
	k_gettime(id, &cur);
	check(ts_ns(&cur.it_value) > 900 * MS && ts_ns(&cur.it_value) <= 1000 * MS &&
	      ts_ns(&cur.it_interval) == 0, "timer_gettime: the time left");
	struct itimerspec old, zero = its(0, 0);
	k_settime(id, 0, &zero, &old);
	check(ts_ns(&old.it_value) > 900 * MS, "timer_settime returns the old value");
	k_gettime(id, &cur);
	check(ts_ns(&cur.it_value) == 0, "disarmed by a zero value");

	/* interval reloads */
	nsig = 0;
	v = its(10 * MS, 10 * MS);
	t0 = now();
	k_settime(id, 0, &v, NULL);
	while (nsig < 5) pause();
	long long took = now() - t0;
	k_gettime(id, &cur);
	check(ts_ns(&cur.it_interval) == 10 * MS && ts_ns(&cur.it_value) > 0 &&
	      ts_ns(&cur.it_value) <= 10 * MS, "interval timer: gettime within the period");
	k_settime(id, 0, &zero, NULL);
	check(took >= 50 * MS && took < 50 * MS + SLACK, "5 expiries of a 10ms interval in 50ms");

	/* overruns: the signal blocked for ~50 periods of 2ms */
	block(sig, SIG_BLOCK);
	nsig = 0;
	v = its(2 * MS, 2 * MS);
	k_settime(id, 0, &v, NULL);
	sleep_ms(100);
	block(sig, SIG_UNBLOCK);	/* delivered now, with the overruns counted */
	while (nsig < 1) pause();
	int ov = last.si_overrun;
	check(k_getoverrun(id) == ov, "timer_getoverrun matches si_overrun");
	k_settime(id, 0, &zero, NULL);
	check(ov >= 25 && ov <= 60, "si_overrun counts the expiries while blocked");
	check(k_getoverrun(id) == 0, "timer_settime resets the overrun");

	/* a queued signal of a timer that is re-set is dropped (Linux >= 6.13) */
	block(sig, SIG_BLOCK);
	nsig = 0;
	v = its(2 * MS, 0);
	k_settime(id, 0, &v, NULL);
	sleep_ms(20);
	sigset_t pend;
	sigpending(&pend);
	check(sigismember(&pend, sig), "expired timer's signal pending while blocked");
	v = its(0, 0);
	k_settime(id, 0, &v, NULL);
	block(sig, SIG_UNBLOCK);
	sleep_ms(5);
	printf("signal of a re-set timer delivered: %s\n", nsig ? "yes" : "no");
	k_delete(id);
	signal(sig, SIG_DFL);
}

static void test_sigev_none(void)
{
	int id;
	struct sigevent ev;
	memset(&ev, 0, sizeof ev);
	ev.sigev_notify = SIGEV_NONE;
	check(k_create(CLOCK_MONOTONIC, &ev, &id) == 0, "SIGEV_NONE");
	struct itimerspec v = its(50 * MS, 0), cur;
	k_settime(id, 0, &v, NULL);
	k_gettime(id, &cur);
	check(ts_ns(&cur.it_value) > 0 && ts_ns(&cur.it_value) <= 50 * MS, "SIGEV_NONE counts down");
	sleep_ms(70);
	k_gettime(id, &cur);
	check(ts_ns(&cur.it_value) == 0, "SIGEV_NONE one-shot reads 0 once expired");
	v = its(20 * MS, 20 * MS);
	k_settime(id, 0, &v, NULL);
	sleep_ms(50);
	k_gettime(id, &cur);
	check(ts_ns(&cur.it_value) > 0 && ts_ns(&cur.it_value) <= 20 * MS && ts_ns(&cur.it_interval) == 20 * MS,
	      "SIGEV_NONE interval forwarded");
	check(k_getoverrun(id) == 0, "SIGEV_NONE overrun 0");
	k_delete(id);
}

static volatile pid_t thread_tid;
static sem_t thread_ready, thread_done;
static void *target_thread(void *arg)
{
	(void)arg;
	thread_tid = (pid_t)syscall(SYS_gettid);
	sem_post(&thread_ready);
	while (nsig < 1) pause();
	sem_post(&thread_done);
	return NULL;
}

static void test_thread_id(void)
{
	int sig = SIGRTMIN + 3, id;
	install(sig);
	nsig = 0;
	handler_tid = 0;
	block(sig, SIG_BLOCK);	/* the main thread blocks it: only the target may take it */
	sem_init(&thread_ready, 0, 0);
	sem_init(&thread_done, 0, 0);
	pthread_t th;
	sigset_t none, old;
	sigemptyset(&none);
	pthread_sigmask(SIG_SETMASK, &none, &old);	/* the thread inherits an open mask */
	pthread_create(&th, NULL, target_thread, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	sem_wait(&thread_ready);
	struct sigevent ev;
	memset(&ev, 0, sizeof ev);
	ev.sigev_notify = SIGEV_THREAD_ID;
	ev.sigev_signo = sig;
	ev.sigev_tid = thread_tid;
	ev.sigev_value.sival_int = 4242;
	check(k_create(CLOCK_MONOTONIC, &ev, &id) == 0, "SIGEV_THREAD_ID timer");
	struct itimerspec v = its(10 * MS, 0);
	k_settime(id, 0, &v, NULL);
	struct timespec deadline;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 3;
	int ok = sem_timedwait(&thread_done, &deadline) == 0;
	check(ok && handler_tid == thread_tid, "signal delivered to the named thread");
	check(last.si_code == SI_TIMER && last.si_value.sival_int == 4242 && last.si_timerid == id,
	      "thread-directed siginfo");
	pthread_join(th, NULL);
	k_delete(id);
	block(sig, SIG_UNBLOCK);
	signal(sig, SIG_DFL);
}

static volatile int cb_count;
static volatile int cb_value;
static sem_t cb_sem;
static void callback(union sigval v)
{
	cb_value = v.sival_int;
	cb_count++;
	sem_post(&cb_sem);
}

static void test_sigev_thread(void)
{
	timer_t t;
	struct sigevent ev;
	memset(&ev, 0, sizeof ev);
	ev.sigev_notify = SIGEV_THREAD;
	ev.sigev_notify_function = callback;
	ev.sigev_value.sival_int = 777;
	sem_init(&cb_sem, 0, 0);
	check(timer_create(CLOCK_MONOTONIC, &ev, &t) == 0, "glibc SIGEV_THREAD timer_create");
	struct itimerspec v = its(10 * MS, 10 * MS);
	check(timer_settime(t, 0, &v, NULL) == 0, "glibc timer_settime");
	struct timespec deadline;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 3;
	int ok = 1;
	for (int i = 0; i < 3 && ok; i++) ok = sem_timedwait(&cb_sem, &deadline) == 0;
	check(ok && cb_value == 777, "SIGEV_THREAD callback ran 3 times with sigev_value");
	check(timer_delete(t) == 0, "glibc timer_delete");
}

/* exec keeps ITIMER_REAL and the id counter, deletes POSIX timers */
static int after_exec(int argc, char **argv)
{
	int id = atoi(argv[2]), next;
	struct itimerspec cur;
	check(k_gettime(id, &cur) == -EINVAL, "POSIX timer deleted by exec");
	check(k_create(CLOCK_MONOTONIC, NULL, &next) == 0 && next == id + 1, "exec keeps the id counter");
	unsigned left = alarm(0);
	check(left >= 1 && left <= 2, "alarm survives exec");
	(void)argc;
	return failures ? 1 : 0;
}

static void test_exec_fork(const char *self)
{
	pid_t c = fork();
	if (c == 0) {
		int id;
		k_create(CLOCK_MONOTONIC, NULL, &id);
		struct itimerspec v = its(5000 * MS, 0);
		k_settime(id, 0, &v, NULL);
		alarm(2);
		char buf[16];
		snprintf(buf, sizeof buf, "%d", id);
		execl(self, self, "after_exec", buf, (char *)NULL);
		_exit(2);
	}
	int st;
	waitpid(c, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st)) failures++;

	/* fork: neither alarm nor POSIX timers are inherited */
	alarm(10);
	int id;
	k_create(CLOCK_MONOTONIC, NULL, &id);
	struct itimerspec v = its(5000 * MS, 0);
	k_settime(id, 0, &v, NULL);
	c = fork();
	if (c == 0) {
		struct itimerval o;
		struct itimerspec cur;
		getitimer(ITIMER_REAL, &o);
		check(o.it_value.tv_sec == 0 && o.it_value.tv_usec == 0, "fork child has no ITIMER_REAL");
		check(k_gettime(id, &cur) == -EINVAL, "fork child has no POSIX timers");
		_exit(failures ? 1 : 0);
	}
	waitpid(c, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st)) failures++;
	check(alarm(0) >= 9, "parent keeps its alarm");
	k_delete(id);
}

/* RLIMIT_SIGPENDING bounds the timers of a user: EAGAIN, and the process goes on */
static void test_limit(void)
{
	pid_t c = fork();
	if (c == 0) {
		/* the limit is charged per user natively (other processes of the user
		 * count too), so only facts that hold whatever they hold are printed */
		struct rlimit rl = { 200, 200 };
		setrlimit(RLIMIT_SIGPENDING, &rl);
		int id, n = 0;
		long r;
		while ((r = k_create(CLOCK_MONOTONIC, NULL, &id)) == 0 && n < 100000) n++;
		check(r == -EAGAIN, "EAGAIN past RLIMIT_SIGPENDING");
		check(n <= 200, "no more timers than the limit");
		struct itimerspec cur;
		check(n == 0 || k_gettime(id, &cur) == 0, "the timers created work");
		_exit(failures ? 1 : 0);
	}
	int st;
	waitpid(c, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st)) failures++;
}

/* a guest asking for "a billion" timers under its default limit: EAGAIN comes, the
 * timers it got work, and everything stays responsive */
static void test_flood(void)
{
	pid_t c = fork();
	if (c == 0) {
		int id, n = 0;
		long r;
		while ((r = k_create(CLOCK_MONOTONIC, NULL, &id)) == 0 && n < 10000000) n++;
		check(r == -EAGAIN, "EAGAIN before ten million timers");
		struct itimerspec v = its(5000 * MS, 0), cur;
		check(k_settime(id, 0, &v, NULL) == 0 && k_gettime(id, &cur) == 0 &&
		      ts_ns(&cur.it_value) > 4000 * MS, "the last timer works");
		long long t0 = now();
		sleep_ms(10);
		check(now() - t0 < 10 * MS + SLACK, "sleeping still on time");
		_exit(failures ? 1 : 0);
	}
	int st;
	waitpid(c, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st)) failures++;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 2 && !strcmp(argv[1], "after_exec")) return after_exec(argc, argv);
	const char *only = argc > 1 ? argv[1] : NULL;
#define RUN(name) if (!only || !strcmp(only, #name)) test_##name()
	RUN(alarm);
	RUN(itimer);
	RUN(ids);
	RUN(errors);
	RUN(signal_timers);
	RUN(sigev_none);
	RUN(thread_id);
	RUN(sigev_thread);
	if (!only || !strcmp(only, "exec_fork")) test_exec_fork(argv[0]);
	RUN(limit);
	if (only && !strcmp(only, "flood")) test_flood();	/* not in the default run */
	return failures ? 1 : 0;
}
