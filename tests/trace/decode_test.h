/* tests/trace/decode_test.h - helpers of the decoder tests (test_decode*.c).
 *
 * Each case is a recorded register set: the syscall number, its six arguments and
 * the result. Pointer arguments point into this process's own memory, where the
 * case has put what the guest (input) or the kernel (output) would have put there,
 * and the decoder reads it back with tid = getpid(). The expected strings are the
 * lines strace 6.1 printed for the same calls (tests/guests-like programs traced
 * with `strace -f -o`), with their addresses replaced by ours. */
#ifndef PERSONA_TEST_DECODE_H
#define PERSONA_TEST_DECODE_H
#include <check.h>
#include <stdint.h>
#include <sys/syscall.h>
#include "services/trace/decode.h"

#define U(p) ((uint64_t)(uintptr_t)(p))

extern const struct trace_fmt_opts dt_plain, dt_verbose, dt_paths;

/* entry + exit of one call, as a complete line (without the column padding) */
const char *dt_line(const struct trace_fmt_opts *o, long nr, long ret, const uint64_t a[6]);
/* printf into a rotating static buffer, for expected lines with addresses in them */
const char *dt_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* syscall_table_init() and TZ=UTC (strace prints dates in local time) */
void dt_setup(void);

#define DEC(nr, ret, ...) dt_line(&dt_plain, (nr), (ret), (const uint64_t[6]){ __VA_ARGS__ })
#define DECO(o, nr, ret, ...) dt_line((o), (nr), (ret), (const uint64_t[6]){ __VA_ARGS__ })
#define EQ(got, want) ck_assert_str_eq((got), (want))

void decode_more_tests(Suite *s);
#endif
