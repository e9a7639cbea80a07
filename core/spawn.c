/* core/spawn.c - see spawn.h */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "core/spawn.h"
#include <sys/personality.h>
#include "services/mm/mm.h"
#include "services/mm/frame.h"
#include "core/filter.h"

extern char **environ;

static int check_exec(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0) return -errno;
	if (S_ISDIR(st.st_mode)) return -EACCES;
	if (access(path, X_OK) < 0) return -errno;
	return 0;
}

int spawn_resolve(const char *file, char *out, size_t outlen)
{
	if (!*file) return -ENOENT;
	if (strchr(file, '/')) {
		if (strlen(file) >= outlen) return -ENAMETOOLONG;
		strcpy(out, file);
		return check_exec(out);
	}
	const char *path = getenv("PATH");
	int seen_eacces = 0;
	if (!path) path = "/usr/local/bin:/bin:/usr/bin";
	/* execvp: the first executable match wins; EACCES is reported only if nothing
	 * executable was found */
	for (const char *p = path;; p++) {
		const char *end = strchrnul(p, ':');
		int n = snprintf(out, outlen, "%.*s%s%s", (int)(end - p), p, end == p ? "" : "/", file);
		if (n < (int)outlen) {
			int err = check_exec(out);
			if (!err) return 0;
			if (err == -EACCES) seen_eacces = 1;
		}
		if (!*end) break;
		p = end;
	}
	return seen_eacces ? -EACCES : -ENOENT;
}

/* Between fork and exec: async-signal-safe calls only. */
static void child(const char *path, char *const argv[], const struct sock_fprog *prog,
		  const sigset_t *mask, pid_t supervisor, int go_fd, int err_fd)
{
	char c;
	int err;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != supervisor) _exit(127);	/* the supervisor died already */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	/* the supervisor ignores nothing that we inherit, but be explicit: signal
	 * dispositions and mask reach the guest as they were given to persona */
	if (mask) sigprocmask(SIG_SETMASK, mask, NULL);	/* not the event loop's blocks */
	if (read(go_fd, &c, 1) != 1) _exit(127);
	close(go_fd);
	if (mm_active()) {
		/* the frame pool, at the number injected mmaps name (services/mm) */
		if (dup2(frame_pool_fd(), MM_POOL_FD) < 0) {
			err = -errno;
			goto fail;
		}
		close(frame_pool_fd());	/* only the one number the filter guards */
		if (mm_config.aslr == 0) personality(ADDR_NO_RANDOMIZE);
	}
	if ((err = filter_install(prog)) < 0) goto fail;
	execve(path, argv, environ);
	err = -errno;
	if (errno == ENOEXEC) {	/* execvp: a file without #! runs under /bin/sh */
		int n = 0;
		while (argv[n]) n++;
		const char *sh_argv[n + 2];
		sh_argv[0] = "sh"; sh_argv[1] = path;
		for (int i = 1; i <= n; i++) sh_argv[i + 1] = argv[i];
		execve("/bin/sh", (char *const *)sh_argv, environ);
	}
fail:
	if (write(err_fd, &err, sizeof err) < 0) { /* parent sees EOF */ }
	_exit(127);
}

pid_t spawn_guest(const char *path, char *const argv[], const struct sock_fprog *prog,
		  const sigset_t *mask, int *err_fd)
{
	int go[2], errp[2];
	pid_t me = getpid(), pid;
	if (pipe2(go, O_CLOEXEC) < 0) return -errno;
	if (pipe2(errp, O_CLOEXEC) < 0) { close(go[0]); close(go[1]); return -errno; }
	pid = fork();
	if (pid == 0) {
		close(go[1]); close(errp[0]);
		child(path, argv, prog, mask, me, go[0], errp[1]);
	}
	close(go[0]); close(errp[1]);
	if (pid < 0 || ptrace(PTRACE_SEIZE, pid, 0, SPAWN_PTRACE_OPTIONS | PTRACE_O_TRACEEXIT) < 0) {
		int err = -errno;
		if (pid > 0) { kill(pid, SIGKILL); waitpid(pid, NULL, 0); }
		close(go[1]); close(errp[0]);
		return err;
	}
	if (write(go[1], "g", 1) != 1) { /* child died; the tracer loop sees it */ }
	close(go[1]);
	*err_fd = errp[0];
	return pid;
}
