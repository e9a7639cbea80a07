/* tests/guests/procfs_self.c - /proc agrees with the id syscalls:
 * /proc/self/status Pid/PPid/Tgid, readlink("/proc/self") and /proc/thread-self,
 * /proc/self/stat, /proc/CHILD/stat and status of a child (also as a zombie, then
 * gone), relative paths from a /proc/self cwd and dirfd, /proc and /proc/self/task
 * listings. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int failures;
static void check(int ok, const char *what)
{
	printf("%s: %s\n", what, ok ? "yes" : "no");
	if (!ok) {
		failures++;
		fprintf(stderr, "check failed: %s\n", what);	/* shown by the test harness */
	}
}

static int read_file_at(int dirfd, const char *path, char *buf, size_t len)
{
	int fd = openat(dirfd, path, O_RDONLY);
	if (fd < 0) return -errno;
	ssize_t n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0) return -1;
	buf[n] = 0;
	return (int)n;
}
static int read_file(const char *path, char *buf, size_t len) { return read_file_at(AT_FDCWD, path, buf, len); }

/* the numeric value of "Name:\t..." in a status file, -1 if absent */
static long status_field(const char *status, const char *name)
{
	char key[64];
	snprintf(key, sizeof key, "\n%s:", name);
	const char *p = strstr(status, key);
	return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

struct stat_fields { long pid, ppid, pgrp, session; char state; char comm[64]; };
static int parse_stat(const char *s, struct stat_fields *f)
{
	const char *lp = strchr(s, '('), *rp = strrchr(s, ')');
	if (!lp || !rp) return -1;
	f->pid = strtol(s, NULL, 10);
	snprintf(f->comm, sizeof f->comm, "%.*s", (int)(rp - lp - 1), lp + 1);
	return sscanf(rp + 2, "%c %ld %ld %ld", &f->state, &f->ppid, &f->pgrp, &f->session) == 4 ? 0 : -1;
}

static int dir_has(const char *dir, long num)
{
	char name[32];
	snprintf(name, sizeof name, "%ld", num);
	DIR *d = opendir(dir);
	struct dirent *e;
	int found = 0;
	if (!d) return 0;
	while ((e = readdir(d))) if (!strcmp(e->d_name, name)) found = 1;
	closedir(d);
	return found;
}

static pid_t thread_tid;
static char thread_self_link[64];
static long thread_status_pid, thread_status_tgid, tid_status_pid, tid_status_tgid, task_stat_pid;
static int task_listed;
static void *thread_fn(void *arg)
{
	(void)arg;
	char buf[4096], path[128];
	thread_tid = (pid_t)syscall(SYS_gettid);
	ssize_t n = readlink("/proc/thread-self", thread_self_link, sizeof thread_self_link - 1);
	thread_self_link[n > 0 ? n : 0] = 0;
	if (read_file("/proc/thread-self/status", buf, sizeof buf) > 0) {
		thread_status_pid = status_field(buf, "Pid");
		thread_status_tgid = status_field(buf, "Tgid");
	}
	/* a tid names the thread under /proc too (though /proc does not list it) */
	snprintf(path, sizeof path, "/proc/%d/status", thread_tid);
	if (read_file(path, buf, sizeof buf) > 0) {
		tid_status_pid = status_field(buf, "Pid");
		tid_status_tgid = status_field(buf, "Tgid");
	}
	struct stat_fields f;
	snprintf(path, sizeof path, "/proc/self/task/%d/stat", thread_tid);
	if (read_file(path, buf, sizeof buf) > 0 && parse_stat(buf, &f) == 0) task_stat_pid = f.pid;
	task_listed = dir_has("/proc/self/task", thread_tid) && dir_has("/proc/self/task", getpid()) &&
		      !dir_has("/proc", thread_tid);
	return NULL;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	alarm(30);
	char buf[8192], path[128], link[64];
	pid_t me = getpid();

	/* status */
	check(read_file("/proc/self/status", buf, sizeof buf) > 0, "/proc/self/status readable");
	check(status_field(buf, "Pid") == me, "/proc/self/status Pid: == getpid()");
	check(status_field(buf, "PPid") == getppid(), "/proc/self/status PPid: == getppid()");
	check(status_field(buf, "Tgid") == me, "/proc/self/status Tgid: == getpid()");
	check(status_field(buf, "TracerPid") == 0, "/proc/self/status TracerPid: 0");
	snprintf(path, sizeof path, "/proc/%d/status", me);
	check(read_file(path, buf, sizeof buf) > 0 && status_field(buf, "Pid") == me,
	      "/proc/<getpid()>/status Pid: == getpid()");

	/* the /proc/self link */
	ssize_t n = readlink("/proc/self", link, sizeof link - 1);
	link[n > 0 ? n : 0] = 0;
	check(n > 0 && strtol(link, NULL, 10) == me && strspn(link, "0123456789") == (size_t)n,
	      "readlink(/proc/self) is the decimal getpid()");
	n = readlink("/proc/thread-self", link, sizeof link - 1);
	link[n > 0 ? n : 0] = 0;
	snprintf(path, sizeof path, "%d/task/%d", me, me);
	check(!strcmp(link, path), "readlink(/proc/thread-self) is PID/task/TID");
	struct stat st1, st2;
	snprintf(path, sizeof path, "/proc/%d", me);
	check(stat("/proc/self", &st1) == 0 && stat(path, &st2) == 0 && st1.st_ino == st2.st_ino,
	      "stat(/proc/self) is /proc/<getpid()>");

	/* stat */
	struct stat_fields f;
	check(read_file("/proc/self/stat", buf, sizeof buf) > 0 && parse_stat(buf, &f) == 0,
	      "/proc/self/stat parses");
	check(f.pid == me && f.ppid == getppid(), "/proc/self/stat pid and ppid fields");
	check(f.pgrp == getpgrp() && f.session == getsid(0), "/proc/self/stat pgrp and session fields");
	check(!strcmp(f.comm, "procfs_self"), "/proc/self/stat comm field");

	/* a thread */
	pthread_t t;
	pthread_create(&t, NULL, thread_fn, NULL);
	pthread_join(t, NULL);
	snprintf(path, sizeof path, "%d/task/%d", me, thread_tid);
	check(!strcmp(thread_self_link, path), "in a thread: readlink(/proc/thread-self) is PID/task/TID");
	check(thread_status_pid == thread_tid && thread_status_tgid == me,
	      "in a thread: /proc/thread-self/status Pid: is gettid(), Tgid: getpid()");
	check(tid_status_pid == thread_tid && tid_status_tgid == me,
	      "in a thread: /proc/TID/status Pid: is gettid(), Tgid: getpid()");
	check(task_stat_pid == thread_tid, "in a thread: /proc/self/task/TID/stat first field is gettid()");
	check(task_listed, "/proc/self/task lists the tids; /proc does not list the thread");

	/* a child */
	int p[2];
	char c;
	if (pipe(p)) return 2;
	pid_t child = fork();
	if (child == 0) {
		setpgid(0, 0);
		close(p[0]);
		if (write(p[1], "r", 1) != 1) _exit(2);
		for (;;) pause();
	}
	close(p[1]);
	if (read(p[0], &c, 1) != 1) return 2;
	snprintf(path, sizeof path, "/proc/%d/stat", child);
	check(read_file(path, buf, sizeof buf) > 0 && parse_stat(buf, &f) == 0, "/proc/CHILD/stat readable");
	check(f.pid == child, "/proc/CHILD/stat first field == the child's pid");
	check(f.ppid == me, "/proc/CHILD/stat ppid field == getpid()");
	check(f.pgrp == child, "/proc/CHILD/stat pgrp field == the child's pid (its own group)");
	snprintf(path, sizeof path, "/proc/%d/status", child);
	check(read_file(path, buf, sizeof buf) > 0 && status_field(buf, "Pid") == child &&
	      status_field(buf, "PPid") == me, "/proc/CHILD/status Pid: and PPid:");
	snprintf(path, sizeof path, "/proc/%d/cmdline", child);
	check(read_file(path, buf, sizeof buf) > 0 && strstr(buf, "procfs_self"), "/proc/CHILD/cmdline names the program");
	check(dir_has("/proc", child) && dir_has("/proc", me), "/proc lists our pid and the child's");
	snprintf(path, sizeof path, "/proc/%d/task", child);
	check(dir_has(path, child), "/proc/CHILD/task lists the child's tid");

	/* zombie, then gone */
	kill(child, SIGKILL);
	siginfo_t si;
	waitid(P_PID, child, &si, WEXITED | WNOWAIT);
	snprintf(path, sizeof path, "/proc/%d/stat", child);
	check(read_file(path, buf, sizeof buf) > 0 && parse_stat(buf, &f) == 0 && f.state == 'Z' && f.pid == child,
	      "/proc/CHILD/stat of a zombie: state Z, its pid");
	waitpid(child, NULL, 0);
	check(read_file(path, buf, sizeof buf) == -ENOENT, "/proc/CHILD/stat after the reap: ENOENT");
	check(!dir_has("/proc", child), "/proc no longer lists the reaped child");

	/* relative paths: cwd and dirfd inside /proc/self */
	char oldcwd[4096];
	if (!getcwd(oldcwd, sizeof oldcwd)) return 2;
	check(chdir("/proc/self") == 0, "chdir(/proc/self)");
	check(read_file("status", buf, sizeof buf) > 0 && status_field(buf, "Pid") == me,
	      "relative \"status\" from cwd /proc/self: Pid: == getpid()");
	check(chdir("/proc") == 0, "chdir(/proc)");
	snprintf(path, sizeof path, "%d/status", me);
	check(read_file(path, buf, sizeof buf) > 0 && status_field(buf, "Pid") == me,
	      "relative \"PID/status\" from cwd /proc");
	check(read_file("self/status", buf, sizeof buf) > 0 && status_field(buf, "Pid") == me,
	      "relative \"self/status\" from cwd /proc");
	if (chdir(oldcwd)) return 2;
	int dfd = open("/proc/self", O_RDONLY | O_DIRECTORY);
	check(read_file_at(dfd, "status", buf, sizeof buf) > 0 && status_field(buf, "PPid") == getppid(),
	      "openat(/proc/self dirfd, \"status\"): PPid: == getppid()");
	check(read_file_at(dfd, "stat", buf, sizeof buf) > 0 && parse_stat(buf, &f) == 0 && f.pid == me,
	      "openat(/proc/self dirfd, \"stat\"): pid field == getpid()");
	close(dfd);
	return failures ? 1 : 0;
}
