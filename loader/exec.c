/* loader/exec.c - execve and execveat checked by the personality (see exec.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include "core/guest_mem.h"
#include "core/inject.h"
#include "core/log.h"
#include "loader/elf.h"
#include "loader/exec.h"
#include "loader/image.h"
#include "services/mm/mm.h"
#include "services/procfs/procfs.h"

#define BINPRM_BUF_SIZE		256	/* what binfmt_script sees of a `#!` line */
#define BINPRM_MAX_RECURSION	5	/* script rewrites exec_binprm allows */
#define MAX_ARG_STRLEN		(32 * 4096)
#define MAX_SCRIPT_ARGS		4096

bool loader_enabled = true;
static char stub_path[PATH_MAX];
/* the stub's batch routine (its entry) and table (its bss), loader/stub/stub.c */
static struct { uint64_t code, table, lo, hi; } stub;

/* Reads where the stub's routine and table are; without them every call of an
 * image build is its own injection. */
static void stub_layout(void)
{
	struct elf_info *e = calloc(1, sizeof *e);
	char why[256];
	int fd = open(stub_path, O_RDONLY | O_CLOEXEC);
	if (e && fd >= 0 && elf_parse(fd, e, why, sizeof why) == 0 && !e->is_dyn) {
		for (unsigned i = 0; i < e->nseg; i++)
			if ((e->seg[i].prot & PROT_WRITE) && e->seg[i].memsz >= INJECT_BATCH_MAX * sizeof(struct inject_op))
				stub.table = e->seg[i].vaddr;
		stub.code = stub.table ? e->entry : 0;
		stub.lo = e->lo;
		stub.hi = e->hi;
	}
	if (fd >= 0) close(fd);
	free(e);
}

bool loader_stub_batch(uint64_t *code, uint64_t *table, uint64_t *lo, uint64_t *hi)
{
	*code = stub.code;
	*table = stub.table;
	*lo = stub.lo;
	*hi = stub.hi;
	return stub.code != 0;
}

int loader_init(void)
{
	char self[PATH_MAX - 64];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n < 0) return -errno;
	self[n] = 0;
	char *slash = strrchr(self, '/');
	if (slash) *slash = 0;
	snprintf(stub_path, sizeof stub_path, "%s/persona-stub", self);
	if (access(stub_path, X_OK)) {
		/* installed: PREFIX/bin/persona and PREFIX/lib/persona/persona-stub */
		snprintf(stub_path, sizeof stub_path, "%s/../lib/persona/persona-stub", self);
		if (access(stub_path, X_OK)) return -ENOENT;
	}
	stub_layout();
	return 0;
}

const char *loader_stub_path(void) { return stub_path; }

/* The host path for a guest's (dirfd, path): its own view through /proc/HOSTPID. */
static int host_path(struct task *t, int dirfd, const char *path, int flags, char *out, size_t len)
{
	int n;
	if (!*path && (flags & AT_EMPTY_PATH)) n = snprintf(out, len, "/proc/%d/fd/%d", task_tgid(t), dirfd);
	else if (!*path) return -ENOENT;
	else if (path[0] == '/') n = snprintf(out, len, "%s", path);
	else if (dirfd == AT_FDCWD) n = snprintf(out, len, "/proc/%d/cwd/%s", t->tid, path);
	else n = snprintf(out, len, "/proc/%d/fd/%d/%s", task_tgid(t), dirfd, path);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* Opens an executable as execve's do_open_execat: a regular file we may execute. */
static int open_exec(const char *path, bool nofollow)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0));
	if (fd < 0) return errno == ELOOP && nofollow ? -ELOOP : -errno;
	struct stat st;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || faccessat(AT_FDCWD, path, X_OK, AT_EACCESS)) {
		close(fd);
		return -EACCES;
	}
	return fd;
}

/* A `#!` line: the interpreter and its optional argument, as binfmt_script parses
 * them. 1 when buf is a script, 0 when not, -ENOEXEC for a bad line. */
static int parse_shebang(char *buf, size_t n, char **interp, char **arg)
{
	if (n < 2 || buf[0] != '#' || buf[1] != '!') return 0;
	buf[n < BINPRM_BUF_SIZE ? n : BINPRM_BUF_SIZE - 1] = 0;
	char *nl = strchr(buf, '\n');
	if (nl) *nl = 0;
	else if (n >= BINPRM_BUF_SIZE) return -ENOEXEC;	/* truncated interpreter: refused */
	char *p = buf + 2;
	while (*p == ' ' || *p == '\t') p++;
	if (!*p) return -ENOEXEC;
	*interp = p;
	while (*p && *p != ' ' && *p != '\t') p++;
	if (*p) *p++ = 0;
	while (*p == ' ' || *p == '\t') p++;
	char *end = p + strlen(p);
	while (end > p && (end[-1] == ' ' || end[-1] == '\t')) *--end = 0;
	*arg = *p ? p : NULL;
	return 1;
}

struct argvec { char **v; unsigned n, cap; };

static int argvec_push(struct argvec *a, const char *s)
{
	if (a->n + 2 > a->cap) {
		unsigned cap = a->cap ? a->cap * 2 : 16;
		char **v = realloc(a->v, cap * sizeof *v);
		if (!v) return -ENOMEM;
		a->v = v;
		a->cap = cap;
	}
	if (!(a->v[a->n] = strdup(s))) return -ENOMEM;
	a->v[++a->n] = NULL;
	return 0;
}

static void argvec_free(struct argvec *a)
{
	for (unsigned i = 0; i < a->n; i++) free(a->v[i]);
	free(a->v);
}

/* The guest's argv[from..] appended to a. 0 or -errno (EFAULT, E2BIG). */
static int read_guest_argv(struct task *t, uint64_t argv, unsigned from, struct argvec *a)
{
	static char s[MAX_ARG_STRLEN];
	for (unsigned i = 0; argv && i < MAX_SCRIPT_ARGS; i++) {
		uint64_t p;
		if (copy_from_guest(t->tid, &p, argv + 8 * i, 8)) return -EFAULT;
		if (!p) return 0;
		long n = guest_read_str(t->tid, s, p, sizeof s);
		if (n == -ENAMETOOLONG) return -E2BIG;
		if (n < 0) return -EFAULT;
		if (i >= from && argvec_push(a, s)) return -ENOMEM;
	}
	return argv ? -E2BIG : 0;
}

/* The argv array and its strings on the guest's stack (below the red zone) for the
 * native execve of the stub; 0 when they do not fit. */
static uint64_t push_argv(struct sysreq *r, struct argvec *a)
{
	uint64_t ptrs[a->n + 1];
	for (unsigned i = a->n; i-- > 0;)
		if (!(ptrs[i] = sysreq_push(r, a->v[i], strlen(a->v[i]) + 1))) return 0;
	ptrs[a->n] = 0;
	return sysreq_push(r, ptrs, sizeof ptrs);
}

/* "/proc/self/exe", "/proc/thread-self/exe", "/proc/N/exe" of a process the loader
 * built: its program's path in out. */
static bool proc_exe_target(struct task *t, const char *path, char *out, size_t len)
{
	if (!loader_enabled || strncmp(path, "/proc/", 6)) return false;
	const char *p = path + 6, *slash = strchr(p, '/');
	if (!slash || strcmp(slash, "/exe")) return false;
	struct task *who = NULL;
	if (!strncmp(p, "self/", 5) || !strncmp(p, "thread-self/", 12)) who = t;
	else {
		char *end;
		long v = strtol(p, &end, 10);
		if (end == slash && v > 0) who = task_by_virt((pid_t)v);
	}
	const char *exe = mm_exe(who);
	if (!exe) return false;
	snprintf(out, len, "%s", exe);
	return true;
}

static long exec_exit(struct sysreq *r, long res)
{
	if (res < 0) loader_forget(r->task);	/* the host refused the stub: nothing to build */
	return res;
}

static long do_exec(struct sysreq *r, int dirfd, uint64_t upath, uint64_t argv, uint64_t envp, int flags)
{
	struct task *t = r->task;
	char path[PATH_MAX], hpath[PATH_MAX];
	long n = guest_read_str(t->tid, path, upath, sizeof path);
	if (n < 0) return n;
	/* /proc/PID/exe: the program the loader mapped there (the host would name the stub) */
	char exe[PATH_MAX];
	if (proc_exe_target(t, path, exe, sizeof exe)) {
		snprintf(hpath, sizeof hpath, "%s", exe);
		goto resolved;
	}
	/* other /proc paths: the procfs service translates them for a host exec */
	if (!loader_enabled || !mm_active() || !strncmp(path, "/proc/", 6) || (flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW)))
		return r->nr == SYS_execve ? sys_execve(r, upath, argv, envp)
					   : sys_execveat(r, dirfd, upath, argv, envp, flags);
	int err = host_path(t, dirfd, path, flags, hpath, sizeof hpath);
	if (err) return err;
resolved:;
	struct argvec args = { 0 };
	bool script = false;
	int fd = -1;
	for (int depth = 0;; depth++) {
		fd = open_exec(hpath, depth == 0 && (flags & AT_SYMLINK_NOFOLLOW));
		if (fd < 0) {
			err = fd;
			goto fail;
		}
		char buf[BINPRM_BUF_SIZE + 1], *interp, *arg;
		ssize_t got = pread(fd, buf, BINPRM_BUF_SIZE, 0);
		int sh = parse_shebang(buf, got > 0 ? (size_t)got : 0, &interp, &arg);
		if (sh < 0) {
			err = sh;
			goto fail;
		}
		if (!sh) break;
		if (depth + 1 > BINPRM_MAX_RECURSION) {
			err = -ELOOP;
			goto fail;
		}
		/* argv becomes: interpreter, its argument, the script as named, argv[1..] */
		struct argvec next = { 0 };
		if (argvec_push(&next, interp) || (arg && argvec_push(&next, arg)) ||
		    argvec_push(&next, depth == 0 ? path : args.v[0])) {
			argvec_free(&next);
			err = -ENOMEM;
			goto fail;
		}
		if (depth == 0) err = read_guest_argv(t, argv, 1, &next);
		else for (unsigned i = 1; i < args.n && !err; i++) err = argvec_push(&next, args.v[i]);
		argvec_free(&args);
		args = next;
		if (err) goto fail;
		script = true;
		close(fd);
		fd = -1;
		snprintf(hpath, sizeof hpath, "%s", interp);
	}
	struct exec_image *img = image_prepare(fd, hpath, path, &err);
	fd = -1;	/* the image owns it */
	if (!img) goto fail;
	uint64_t stub = sysreq_push(r, loader_stub_path(), strlen(loader_stub_path()) + 1);
	uint64_t new_argv = script ? push_argv(r, &args) : argv;
	argvec_free(&args);
	if (!stub || !new_argv) {
		image_free(img);
		return -E2BIG;
	}
	loader_forget(t);
	t->exec_pending = img;
	if (r->nr != SYS_execve) sysreq_set_nr(r, SYS_execve);
	sysreq_set_arg(r, 0, stub);
	sysreq_set_arg(r, 1, new_argv);
	sysreq_set_arg(r, 2, envp);
	sysreq_on_exit(r, exec_exit);
	DBG(DBG_LOADER, "[%d] exec %s%s: the host execs the stub", task_vtid(t), path, script ? " (script)" : "");
	return SYSRET_NATIVE;
fail:
	if (fd >= 0) close(fd);
	argvec_free(&args);
	DBG(DBG_LOADER, "[%d] exec %s: %s", task_vtid(t), path, strerror(-err));
	return err;
}

long loader_sys_execve(struct sysreq *r, uint64_t path, uint64_t argv, uint64_t envp)
{
	return do_exec(r, AT_FDCWD, path, argv, envp, 0);
}

long loader_sys_execveat(struct sysreq *r, int dirfd, uint64_t path, uint64_t argv, uint64_t envp, int flags)
{
	return do_exec(r, dirfd, path, argv, envp, flags);
}

void loader_forget(struct task *t)
{
	if (t->exec_pending) image_free(t->exec_pending);
	t->exec_pending = NULL;
}
