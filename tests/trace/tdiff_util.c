/* tests/trace/tdiff_util.c - helpers of the persona diff tests (see tdiff_util.h) */
#include <check.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "core/syscall_table.h"
#include "services/trace/tracediff.h"
#include "tdiff_util.h"

char tdu_dir[64];

void tdu_setup(void)
{
	strcpy(tdu_dir, "/tmp/tracediff-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tdu_dir));
	ck_assert_int_eq(syscall_table_init(), 0);
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st; (void)flag; (void)f;
	return remove(p);
}

void tdu_teardown(void)
{
	nftw(tdu_dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* tdu_dir/name, in a rotating set of static buffers */
const char *tdu_path(const char *name)
{
	static char bufs[8][256];
	static int n;
	char *b = bufs[n++ % 8];
	snprintf(b, 256, "%s/%s", tdu_dir, name);
	return b;
}

const char *tdu_write(const char *name, const char *text)
{
	const char *p = tdu_path(name);
	FILE *f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	return p;
}

char *tdu_slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) return strdup("");
	char *s = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&s, &len);
	int c;
	while ((c = fgetc(f)) != EOF) fputc(c, m);
	fclose(m);
	fclose(f);
	return s;
}

/* Runs tracediff_main(args...) in a child with stdout and stderr captured */
struct tdu_run tdu_run(const char *first, ...)
{
	char *argv[16] = { "diff" };
	int argc = 1;
	va_list ap;
	va_start(ap, first);
	for (const char *a = first; a && argc < 15; a = va_arg(ap, const char *)) argv[argc++] = (char *)a;
	va_end(ap);
	argv[argc] = NULL;
	char out[300], err[300];
	snprintf(out, sizeof out, "%s/.out", tdu_dir);
	snprintf(err, sizeof err, "%s/.err", tdu_dir);
	fflush(NULL);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (!pid) {
		int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(o, 1);
		dup2(e, 2);
		int rc = tracediff_main(argc, argv);
		fflush(NULL);
		_exit(rc);
	}
	int st;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st), "tracediff_main crashed (status %#x)", st);
	return (struct tdu_run){ WEXITSTATUS(st), tdu_slurp(out), tdu_slurp(err) };
}

void tdu_free(struct tdu_run *r)
{
	free(r->out);
	free(r->err);
}

bool tdu_have_strace(void)
{
	return system("strace -V >/dev/null 2>&1") == 0;
}

/* strace OPTS -o tdu_dir/OUT COMMAND, in tdu_dir */
void tdu_strace(const char *opts, const char *out, const char *command)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "cd %s && strace %s -o %s %s >/dev/null 2>&1",
		 tdu_dir, opts, tdu_path(out), command);
	ck_assert_msg(system(cmd) == 0, "failed: %s", cmd);
}

/* the 1-based number of the first line of tdu_dir/name containing `needle` */
unsigned tdu_line_of(const char *name, const char *needle)
{
	char *s = tdu_slurp(tdu_path(name));
	unsigned n = 1;
	char *hit = strstr(s, needle);
	ck_assert_msg(hit, "\"%s\" not in %s", needle, name);
	for (char *p = s; p < hit; p++) n += *p == '\n';
	free(s);
	return n;
}

