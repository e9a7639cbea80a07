/* tests/unit/deferred_test.h - helpers shared by the deferred-work suites
 * (test_deferred*.c). */
#ifndef PERSONA_TESTS_DEFERRED_TEST_H
#define PERSONA_TESTS_DEFERRED_TEST_H
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "services/deferred/deferred.h"
#include "services/deferred/wait.h"

/* Polls `cond` every 100 us for up to `ms` milliseconds; evaluates to its last value. */
#define WAIT_UNTIL(cond, ms) ({						\
	uint64_t __end = deferred_now_ns() + (uint64_t)(ms) * 1000000u;	\
	struct timespec __nap = { 0, 100000 };				\
	while (!(cond) && deferred_now_ns() < __end) nanosleep(&__nap, NULL);	\
	(bool)(cond); })

static inline void msleep(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };
	nanosleep(&ts, NULL);
}

/* Runs fn in a forked child with stderr captured into buf (NUL-terminated); returns
 * the child's wait status. */
static inline int run_in_child(void (*fn)(void), char *buf, size_t len)
{
	int p[2], st = 0;
	ssize_t n, got = 0;
	pid_t pid;
	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(p[1], STDERR_FILENO);
		close(p[0]);
		fn();
		_exit(0);
	}
	close(p[1]);
	while (got + 1 < (ssize_t)len && (n = read(p[0], buf + got, len - 1 - got)) > 0) got += n;
	buf[got] = 0;
	close(p[0]);
	waitpid(pid, &st, 0);
	return st;
}

/* Points stderr at a temporary file; stderr_restore returns what was written. */
struct captured { int saved, fd; };
static inline struct captured stderr_capture(void)
{
	struct captured c;
	char path[] = "/tmp/persona-deferred-XXXXXX";
	c.fd = mkstemp(path);
	ck_assert_int_ge(c.fd, 0);
	unlink(path);
	c.saved = dup(STDERR_FILENO);
	dup2(c.fd, STDERR_FILENO);
	return c;
}

static inline void stderr_restore(struct captured c, char *buf, size_t len)
{
	ssize_t n;
	dup2(c.saved, STDERR_FILENO);
	close(c.saved);
	n = pread(c.fd, buf, len - 1, 0);
	buf[n > 0 ? n : 0] = 0;
	close(c.fd);
}
#endif
