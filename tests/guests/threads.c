/* tests/guests/threads.c - threads and futexes.
 * A mutex/condvar producer-consumer; gettid distinct per thread and equal to the tid
 * glibc stored for the thread (the owner field of a mutex it holds, which glibc
 * fills from its own record of the tid); pthread_kill and tgkill reach exactly the
 * named thread; raw futex wait/wake; /proc/self/task lists every thread. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int failures;
static void check(int ok, const char *what)
{
	printf("%s: %s\n", what, ok ? "yes" : "no");
	if (!ok) {
		failures++;
		fprintf(stderr, "check failed: %s\n", what);	/* shown by the test harness */
	}
}

/* ---- producer / consumer ---- */
#define QSIZE 4
#define ITEMS 5000
static pthread_mutex_t qlock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t notfull = PTHREAD_COND_INITIALIZER, notempty = PTHREAD_COND_INITIALIZER;
static int queue[QSIZE], qhead, qlen, producers_left = 2;
static long consumed_sum, consumed_count;

static void *producer(void *arg)
{
	int base = (int)(long)arg;
	for (int i = 1; i <= ITEMS; i++) {
		pthread_mutex_lock(&qlock);
		while (qlen == QSIZE) pthread_cond_wait(&notfull, &qlock);
		queue[(qhead + qlen++) % QSIZE] = base + i;
		pthread_cond_signal(&notempty);
		pthread_mutex_unlock(&qlock);
	}
	pthread_mutex_lock(&qlock);
	producers_left--;
	pthread_cond_broadcast(&notempty);
	pthread_mutex_unlock(&qlock);
	return NULL;
}

static void *consumer(void *arg)
{
	(void)arg;
	for (;;) {
		pthread_mutex_lock(&qlock);
		while (qlen == 0 && producers_left) pthread_cond_wait(&notempty, &qlock);
		if (qlen == 0) { pthread_mutex_unlock(&qlock); return NULL; }
		int v = queue[qhead];
		qhead = (qhead + 1) % QSIZE;
		qlen--;
		consumed_sum += v;
		consumed_count++;
		pthread_cond_signal(&notfull);
		pthread_mutex_unlock(&qlock);
	}
}

/* ---- ids ---- */
#define NT 4
static pthread_barrier_t barrier;
struct tinfo { pid_t tid, owner; pid_t pid; int tasks_seen; };
static struct tinfo info[NT + 1];

static pid_t mutex_owner_tid(void)
{
	/* glibc records the owner's tid (from its thread descriptor, set by clone's
	 * CLONE_PARENT_SETTID or set_tid_address) in the mutex it holds */
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	pthread_mutex_lock(&m);
	pid_t owner = m.__data.__owner;
	pthread_mutex_unlock(&m);
	return owner;
}

static int count_tasks(void)
{
	DIR *d = opendir("/proc/self/task");
	int n = 0;
	struct dirent *e;
	if (!d) return -1;
	while ((e = readdir(d))) if (e->d_name[0] != '.') n++;
	closedir(d);
	return n;
}

static void *ids_thread(void *arg)
{
	struct tinfo *ti = arg;
	ti->tid = (pid_t)syscall(SYS_gettid);
	ti->owner = mutex_owner_tid();
	ti->pid = getpid();
	pthread_barrier_wait(&barrier);	/* everyone is alive */
	ti->tasks_seen = count_tasks();
	pthread_barrier_wait(&barrier);
	return NULL;
}

/* ---- signals to one thread ---- */
static volatile sig_atomic_t handled_by, handled_count;
static void on_usr(int sig)
{
	(void)sig;
	handled_by = (pid_t)syscall(SYS_gettid);
	handled_count++;
}

static pthread_mutex_t rlock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t rcond = PTHREAD_COND_INITIALIZER;
static int ready;
static pid_t target_tid;

static void *target_thread(void *arg)
{
	(void)arg;
	sigset_t block, empty;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &block, NULL);
	pthread_mutex_lock(&rlock);
	target_tid = (pid_t)syscall(SYS_gettid);
	ready = 1;
	pthread_cond_signal(&rcond);
	pthread_mutex_unlock(&rlock);
	sigemptyset(&empty);
	while (handled_count < 2) sigsuspend(&empty);
	return NULL;
}

/* ---- raw futex ---- */
static atomic_int futex_word;
static long futex(atomic_int *uaddr, int op, int val, const struct timespec *ts)
{
	return syscall(SYS_futex, uaddr, op, val, ts, NULL, 0);
}

static void *futex_waker(void *arg)
{
	(void)arg;
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	nanosleep(&ts, NULL);
	atomic_store(&futex_word, 1);
	futex(&futex_word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL);
	return NULL;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	alarm(30);
	pthread_t th[NT];

	/* producer / consumer */
	pthread_create(&th[0], NULL, producer, (void *)0L);
	pthread_create(&th[1], NULL, producer, (void *)1000000L);
	pthread_create(&th[2], NULL, consumer, NULL);
	pthread_create(&th[3], NULL, consumer, NULL);
	for (int i = 0; i < 4; i++) pthread_join(th[i], NULL);
	long expect = 2L * ITEMS * (ITEMS + 1) / 2 + 1000000L * ITEMS;
	check(consumed_count == 2 * ITEMS && consumed_sum == expect,
	      "producer-consumer moved every item exactly once");

	/* ids */
	pthread_barrier_init(&barrier, NULL, NT + 1);
	for (int i = 0; i < NT; i++) pthread_create(&th[i], NULL, ids_thread, &info[i]);
	pthread_barrier_wait(&barrier);
	pthread_barrier_wait(&barrier);
	for (int i = 0; i < NT; i++) pthread_join(th[i], NULL);
	pid_t me = getpid();
	int distinct = 1, stored = 1, samepid = 1, tasks = 1;
	for (int i = 0; i < NT; i++) {
		if (info[i].tid == me || info[i].tid <= 0) distinct = 0;
		for (int j = i + 1; j < NT; j++) if (info[i].tid == info[j].tid) distinct = 0;
		if (info[i].owner != info[i].tid) stored = 0;
		if (info[i].pid != me) samepid = 0;
		if (info[i].tasks_seen != NT + 1) tasks = 0;
	}
	check(syscall(SYS_gettid) == me, "main thread's gettid == getpid");
	check(mutex_owner_tid() == me, "main thread's stored tid == getpid");
	check(distinct, "threads' gettid distinct and not the pid");
	check(stored, "each thread's gettid == the tid pthread stored for it");
	check(samepid, "every thread's getpid == the process's");
	check(tasks, "/proc/self/task lists every live thread");
	/* a joined thread may still be finishing its exit for a moment */
	int left = count_tasks();
	for (int i = 0; i < 200 && left != 1; i++) {
		struct timespec d = { 0, 5 * 1000 * 1000 };
		nanosleep(&d, NULL);
		left = count_tasks();
	}
	check(left == 1, "/proc/self/task lists only main after joins");

	/* pthread_kill and tgkill reach the named thread */
	struct sigaction sa = { 0 };
	sa.sa_handler = on_usr;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	pthread_t tt;
	pthread_create(&tt, NULL, target_thread, NULL);
	pthread_mutex_lock(&rlock);
	while (!ready) pthread_cond_wait(&rcond, &rlock);
	pthread_mutex_unlock(&rlock);
	check(pthread_kill(tt, SIGUSR1) == 0, "pthread_kill succeeded");
	while (handled_count < 1) sched_yield();
	check(handled_by == target_tid, "pthread_kill's signal handled by the named thread");
	check(syscall(SYS_tgkill, getpid(), target_tid, SIGUSR2) == 0, "tgkill succeeded");
	pthread_join(tt, NULL);
	check(handled_by == target_tid, "tgkill's signal handled by the named thread");

	/* tgkill with a tid that is not in the named group */
	pid_t child = fork();
	if (child == 0) { pause(); _exit(0); }
	errno = 0;
	long rc = syscall(SYS_tgkill, child, (pid_t)syscall(SYS_gettid), 0);
	check(rc == -1 && errno == ESRCH, "tgkill(other pid, my tid) fails with ESRCH");
	rc = syscall(SYS_tgkill, getpid(), child, 0);
	check(rc == -1 && errno == ESRCH, "tgkill(my pid, other process's tid) fails with ESRCH");
	check(syscall(SYS_tgkill, child, child, 0) == 0, "tgkill(child, child, 0) succeeds");
	check(syscall(SYS_tkill, child, 0) == 0, "tkill(child, 0) succeeds");
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);

	/* raw futex */
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	errno = 0;
	rc = futex(&futex_word, FUTEX_WAIT_PRIVATE, 1, NULL);
	check(rc == -1 && errno == EAGAIN, "FUTEX_WAIT on a changed value: EAGAIN");
	errno = 0;
	rc = futex(&futex_word, FUTEX_WAIT_PRIVATE, 0, &ts);
	check(rc == -1 && errno == ETIMEDOUT, "FUTEX_WAIT with a timeout: ETIMEDOUT");
	pthread_t w;
	pthread_create(&w, NULL, futex_waker, NULL);
	while (atomic_load(&futex_word) == 0) futex(&futex_word, FUTEX_WAIT_PRIVATE, 0, NULL);
	pthread_join(w, NULL);
	check(atomic_load(&futex_word) == 1, "FUTEX_WAKE woke the waiter");
	return failures ? 1 : 0;
}
