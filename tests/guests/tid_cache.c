/* tests/guests/tid_cache.c - glibc keeps the thread's tid from set_tid_address's
 * return value (at startup: ld.so's or, static, the program's own call) and raise,
 * pthread_kill and the thread functions use it. Under the shim, which answers
 * set_tid_address in the guest once the call site is learned, that value must still
 * be the guest's tid: run many times in a row (tests/integration/test_shim.c), every
 * run must print the same as natively. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

static volatile sig_atomic_t got;

static void on_usr1(int sig) { (void)sig; got++; }

static void *thread_main(void *arg)
{
	if (raise(SIGUSR1)) perror("raise in a thread");
	/* to another thread: glibc's tgkill takes that thread's remembered tid */
	if (pthread_kill(*(pthread_t *)arg, SIGUSR1)) fputs("pthread_kill of main failed\n", stderr);
	return NULL;
}

int main(void)
{
	signal(SIGUSR1, on_usr1);
	if (raise(SIGUSR1)) perror("raise");
	if (pthread_kill(pthread_self(), SIGUSR1)) fputs("pthread_kill failed\n", stderr);
	pthread_t th, self = pthread_self();
	if (pthread_create(&th, NULL, thread_main, &self) || pthread_join(th, NULL))
		fputs("thread failed\n", stderr);
	printf("signals delivered %d, main tid is pid %d\n", (int)got,
	       (pid_t)syscall(SYS_gettid) == getpid());
	return 0;
}
