/* tests/trace/tdiff_util.h - helpers of the persona diff tests: a scratch directory
 * per test, files in it, tracediff_main run in a child with its output captured,
 * and strace runs. */
#ifndef PERSONA_TDIFF_UTIL_H
#define PERSONA_TDIFF_UTIL_H
#include <stdbool.h>
#include <string.h>

extern char tdu_dir[64];	/* the scratch directory of the running test */

/* Check fixture: creates tdu_dir and initialises the syscall table / removes tdu_dir */
void tdu_setup(void);
void tdu_teardown(void);
/* tdu_dir/name (one of 8 rotating static buffers) */
const char *tdu_path(const char *name);
/* writes tdu_dir/name; returns its path */
const char *tdu_write(const char *name, const char *text);
/* a file's contents ("" if unreadable); caller frees */
char *tdu_slurp(const char *path);

struct tdu_run { int rc; char *out, *err; };
/* tracediff_main("diff", args..., NULL) in a child, stdout and stderr captured */
struct tdu_run tdu_run(const char *first, ...);
void tdu_free(struct tdu_run *r);

bool tdu_have_strace(void);
/* runs `strace OPTS -o tdu_dir/OUT COMMAND` in tdu_dir; asserts success */
void tdu_strace(const char *opts, const char *out, const char *command);
/* the 1-based number of the first line of tdu_dir/name containing needle */
unsigned tdu_line_of(const char *name, const char *needle);

#define tdu_assert_has(hay, needle) \
	ck_assert_msg(strstr((hay), (needle)), "expected \"%s\" in:\n%.3000s", (needle), (hay))
#define tdu_assert_lacks(hay, needle) \
	ck_assert_msg(!strstr((hay), (needle)), "did not expect \"%s\" in:\n%.3000s", (needle), (hay))
#endif
