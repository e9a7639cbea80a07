/* tests/integration/harness.h - run a command natively and under Persona, capture
 * stdout, stderr and wait status, compare. Used by the Check integration suites.
 * Environment: PERSONA = path of the persona binary, GUESTS = directory of the guest
 * test programs (tests/guests/, built by make). */
#ifndef PERSONA_TEST_HARNESS_H
#define PERSONA_TEST_HARNESS_H
#include <stddef.h>
#include <sys/types.h>

struct run_result {
	char *out, *err;	/* NUL-terminated captures */
	size_t out_len, err_len;
	int status;		/* wait(2) status; -1 if it timed out (then killed) */
	pid_t pid;
};

/* Runs argv (PATH lookup) with `input` on stdin (NULL: /dev/null), captures its
 * output, kills it after timeout_s seconds. 0 or -1 (could not start). */
int run_cmd(char *const argv[], const char *input, int timeout_s, struct run_result *r);
/* The same under `persona run [opts...] -- argv...`; opts is NULL-terminated or NULL */
int run_persona(char *const opts[], char *const argv[], const char *input, int timeout_s,
		struct run_result *r);
void run_free(struct run_result *r);
/* $GUESTS/name */
const char *guest(const char *name);
const char *persona_path(void);

/* Runs argv natively and under Persona and asserts identical stdout, stderr and exit
 * status (Check assertions, with both outputs in the message on mismatch). */
void assert_same_as_native(char *const argv[], const char *input);
/* The same with `persona run OPTS... --` (opts NULL-terminated) */
void assert_same_as_native_opts(char *const opts[], char *const argv[], const char *input);
/* Builds a NULL-terminated argv from the arguments */
#define ARGV(...) ((char *const[]){ __VA_ARGS__, NULL })
#endif
