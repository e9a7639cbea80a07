/* services/trace/traceparse.h - one line of strace's text output, taken apart
 * (for `persona diff`, which compares traces written by strace or by persona trace).
 *
 * A line is   [PREFIX] [TIMESTAMP] BODY [DURATION]
 *   PREFIX     "PID  " (strace -f -o FILE) or "[pid  PID] " (strace -f to a terminal);
 *              persona trace --host-pids writes "VPID/HOSTPID": the first pid is taken
 *   TIMESTAMP  "HH:MM:SS " (-t), "HH:MM:SS.UUUUUU " (-tt), "SECS.UUUUUU " (-ttt, -r)
 *   DURATION   " <SECS.UUUUUU>" (-T)
 *   BODY       NAME(ARGS) = RESULT              a complete call
 *              NAME(ARGS <unfinished ...>       the first half of an interrupted call
 *              <... NAME resumed>ARGS) = RESULT its second half (may be unfinished again)
 *              NAME(ARGS <detached ...>         a call strace stopped following
 *              --- SIGNAME {...} ---            a signal (also "--- stopped by SIG ---")
 *              +++ exited with N +++            an exit ("killed by SIG", "superseded ...")
 *              strace: ... / [ Process ... ]    strace's own notes: nothing to compare
 * Every function here is pure: no allocation, no global state, any thread. */
#ifndef PERSONA_TRACEPARSE_H
#define PERSONA_TRACEPARSE_H
#include <stdbool.h>
#include <stddef.h>

enum tparse_kind {
	TP_SKIP,	/* blank line or one of strace's notes */
	TP_CALL,	/* a syscall, whole or in part (see resumed/unfinished) */
	TP_SIGNAL,	/* --- ... --- */
	TP_EXIT,	/* +++ ... +++ */
};

#define TPARSE_NAME_MAX 64

struct tparse_line {
	enum tparse_kind kind;
	long pid;		/* from PREFIX; -1 when the line has none */
	const char *body;	/* BODY, pointing into the line; for a resumed call the text
				 * after "<... NAME resumed>"; without " <unfinished ...>" */
	size_t body_len;
	char name[TPARSE_NAME_MAX];	/* the syscall's name (TP_CALL) */
	bool resumed;		/* the line continues an unfinished call of NAME */
	bool unfinished;	/* the call goes on in a later "<... NAME resumed>" line */
};

/* Takes apart `line` (len bytes, no newline needed; a trailing "\n" or "\r\n" is
 * ignored). Returns 0 and fills *out, or -1 when the line is not a trace line: a
 * call must be NAME( ... ) = RESULT with balanced brackets outside strings, or end
 * in <unfinished ...> / <detached ...>. out->body points into `line`. */
int tparse_line(const char *line, size_t len, struct tparse_line *out);

/* Scans a call's arguments: `p` points just after the opening '(' (or anywhere
 * inside the argument list, `depth` brackets deep, 1 = directly in the call's
 * parentheses). Returns a pointer just past the ')' that closes the call, or NULL
 * when `end` comes first. Strings ("..." with \ escapes) are
 * skipped whole, and so are strace's C-style comments;
 * (), [] and {} are counted. */
const char *tparse_skip_args(const char *p, const char *end, int depth);

/* The result of a complete call `text` (NAME(ARGS) = RESULT): true and *val when
 * RESULT starts with a decimal or 0x number, false for "?" or no result. */
bool tparse_result(const char *text, long *val);
#endif
