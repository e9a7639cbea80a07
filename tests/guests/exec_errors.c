/* tests/guests/exec_errors.c - execve's errors as Linux reports them, and scripts:
 * a missing file, a directory, a file without x permission, garbage, a truncated
 * ELF header, a script whose interpreter is missing, a chain of scripts (4 levels
 * run, 5 fail with ELOOP), an empty `#!` line, execveat with AT_EMPTY_PATH. Each case
 * runs in a child; the parent prints the errno or the child's output and status. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static char dir[64];

static void put(const char *name, const char *text, mode_t mode)
{
	char p[128];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd < 0 || write(fd, text, strlen(text)) < 0) exit(2);
	close(fd);
	chmod(p, mode);
}

static const char *errname(int e)
{
	switch (e) {
	case ENOENT: return "ENOENT"; case EACCES: return "EACCES"; case ENOEXEC: return "ENOEXEC";
	case ELOOP: return "ELOOP"; case ENOTDIR: return "ENOTDIR"; case E2BIG: return "E2BIG";
	case EFAULT: return "EFAULT"; case EINVAL: return "EINVAL"; default: return "other";
	}
}

/* runs `name` (relative to dir unless absolute) with one argument */
static void run(const char *label, const char *name)
{
	char p[128];
	if (name[0] == '/') snprintf(p, sizeof p, "%s", name);
	else snprintf(p, sizeof p, "%s/%s", dir, name);
	int pfd[2];
	if (pipe(pfd)) exit(2);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(pfd[1], 1);
		char *argv[] = { p, "arg1", NULL };
		execv(p, argv);
		int e = errno;
		dprintf(pfd[1], "execve: %s\n", errname(e));
		_exit(100);
	}
	close(pfd[1]);
	char buf[512];
	ssize_t n = read(pfd[0], buf, sizeof buf - 1);
	buf[n > 0 ? n : 0] = 0;
	close(pfd[0]);
	int st;
	waitpid(pid, &st, 0);
	/* the script's own path is in its output: print it relative to dir */
	char *at;
	while ((at = strstr(buf, dir))) memmove(at, at + strlen(dir) - 1, strlen(at + strlen(dir) - 1) + 1), *at = '.';
	printf("%s: %s[status %d]\n", label, buf, WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
}

int main(void)
{
	snprintf(dir, sizeof dir, "/tmp/exec_errors.XXXXXX");
	if (!mkdtemp(dir)) return 2;
	char sub[128];
	snprintf(sub, sizeof sub, "%s/adir", dir);
	mkdir(sub, 0755);
	put("noexec", "#!/bin/sh\necho no\n", 0644);
	put("garbage", "this is not a program\n", 0755);
	put("trunc", "\177ELF\2\1\1", 0755);
	put("nointerp", "#!/nonexistent/interp\n", 0755);
	put("empty", "#!\n", 0755);
	put("spaces", "#!   \t \n", 0755);
	put("s0", "#!/bin/sh\necho \"s0 got $# args: $0 $1\"\n", 0755);
	char text[256];
	for (int i = 1; i <= 5; i++) {	/* s(i) is interpreted by s(i-1) */
		snprintf(text, sizeof text, "#!%s/s%d\n", dir, i - 1);
		char name[8];
		snprintf(name, sizeof name, "s%d", i);
		put(name, text, 0755);
	}
	put("witharg", "#!/bin/sh -e\necho \"witharg: $0 $1\"\n", 0755);
	put("spaced", "#!/bin/sh    -e   \necho \"spaced: $1\"\n", 0755);
	run("missing file", "missing");
	run("a directory", "adir");
	run("no x permission", "noexec");
	run("garbage", "garbage");
	run("truncated ELF", "trunc");
	run("missing interpreter", "nointerp");
	run("empty #!", "empty");
	run("#! of spaces", "spaces");
	run("script", "s0");
	run("script of script", "s1");
	run("4 levels", "s3");
	run("5 levels", "s4");
	run("6 levels", "s5");
	run("interpreter with an argument", "witharg");
	run("argument with spaces around", "spaced");
	run("ELF", "/bin/true");
	/* execveat(fd, "", AT_EMPTY_PATH) */
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open("/bin/echo", O_PATH);
		char *argv[] = { "echo", "execveat ok", NULL };
		syscall(SYS_execveat, fd, "", argv, environ, AT_EMPTY_PATH);
		printf("execveat: %s\n", errname(errno));
		_exit(1);
	}
	int st;
	waitpid(pid, &st, 0);
	printf("execveat status %d\n", WEXITSTATUS(st));
	char cmd[160];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	return system(cmd) ? 1 : 0;
}
