/* tests/guests/shim_paths.c - the path syscalls the in-guest shim runs itself when
 * their path does not concern /proc, and gives to the ptrace path when it does.
 * Each check is made N times from the same call site, so that under --trap=shim the
 * site is patched after its first trap and the later calls take the shim. Prints
 * facts, never ids or host data, so the output is the same natively and under
 * Persona: "/proc/self/status names my pid" holds natively, and under Persona only
 * if the shim sent the call to the supervisor, which translated it.
 *
 *   shim_paths SECTION    sections: plain proc relative dotdot pool efault dents threads */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#define N 300

static int fails;

static void check(const char *what, int ok, int i)
{
	if (!ok && fails++ < 5) printf("FAIL %s (round %d, errno %d)\n", what, i, errno);
}

/* the Pid: line of a status file opened with openat(dirfd, path) */
static int status_pid(int dirfd, const char *path)
{
	char buf[4096];
	int fd = openat(dirfd, path, O_RDONLY);
	if (fd < 0) return -errno;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0) return -EIO;
	buf[n] = 0;
	const char *p = strstr(buf, "\nPid:");
	return p ? atoi(p + 5) : -EINVAL;
}

static void plain(void)
{
	struct stat st;
	struct statx sx;
	char link[256];
	for (int i = 0; i < N; i++) {
		check("stat /etc/passwd", stat("/etc/passwd", &st) == 0 && S_ISREG(st.st_mode), i);
		check("lstat /bin", lstat("/bin", &st) == 0, i);
		check("fstatat", fstatat(AT_FDCWD, "/etc/passwd", &st, 0) == 0, i);
		check("statx", statx(AT_FDCWD, "/etc", 0, STATX_BASIC_STATS, &sx) == 0 && S_ISDIR(sx.stx_mode), i);
		check("access", access("/etc/passwd", R_OK) == 0, i);
		check("faccessat ENOENT", faccessat(AT_FDCWD, "/nonexistent/x", F_OK, 0) < 0 && errno == ENOENT, i);
		int fd = open("/etc/passwd", O_RDONLY | O_CLOEXEC);
		check("open", fd >= 0, i);
		check("fstat", fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode), i);
		if (fd >= 0) close(fd);
		ssize_t n = readlink("/etc/passwd", link, sizeof link);
		check("readlink EINVAL", n < 0 && errno == EINVAL, i);
	}
	printf("plain: %s\n", fails ? "wrong" : "ok");
}

static void proc(void)
{
	char link[64], want[32];
	struct stat st, st2;
	snprintf(want, sizeof want, "%d", getpid());
	for (int i = 0; i < N; i++) {
		check("/proc/self/status", status_pid(AT_FDCWD, "/proc/self/status") == getpid(), i);
		ssize_t n = readlink("/proc/self", link, sizeof link - 1);
		if (n >= 0) link[n] = 0;
		check("readlink /proc/self", n > 0 && !strcmp(link, want), i);
		char path[64];
		snprintf(path, sizeof path, "/proc/%d/status", getpid());
		check("stat /proc/PID", stat(path, &st) == 0, i);
		check("/proc/self is /proc/PID", stat("/proc/self/", &st) == 0 &&
		      stat(path, &st2) == 0 && st2.st_ino != 0, i);
		check("access /proc/self/maps", access("/proc/self/maps", R_OK) == 0, i);
	}
	printf("proc: %s\n", fails ? "wrong" : "ok");
}

/* relative paths whose directory is in /proc, or that reach it */
static void relative(void)
{
	int procfd = open("/proc", O_RDONLY | O_DIRECTORY);
	int usrfd = open("/usr", O_RDONLY | O_DIRECTORY);
	struct stat st;
	for (int i = 0; i < N; i++) {
		check("openat(/proc, self/status)", status_pid(procfd, "self/status") == getpid(), i);
		check("openat(/usr, ../proc/self/status)", status_pid(usrfd, "../proc/self/status") == getpid(), i);
		check("openat(/usr, bin)", fstatat(usrfd, "bin", &st, 0) == 0 && S_ISDIR(st.st_mode), i);
	}
	check("chdir /proc", chdir("/proc") == 0, 0);
	for (int i = 0; i < N; i++)
		check("cwd /proc: self/status", status_pid(AT_FDCWD, "self/status") == getpid(), i);
	check("chdir /", chdir("/") == 0, 0);
	for (int i = 0; i < N; i++) {
		check("cwd /: proc/self/status", status_pid(AT_FDCWD, "proc/self/status") == getpid(), i);
		check("cwd /: etc/passwd", status_pid(AT_FDCWD, "etc/passwd") == -EINVAL, i);
	}
	printf("relative: %s\n", fails ? "wrong" : "ok");
}

static void dotdot(void)
{
	for (int i = 0; i < N; i++) {
		check("/usr/../proc/self/status", status_pid(AT_FDCWD, "/usr/../proc/self/status") == getpid(), i);
		check("/proc/../proc/./self//status", status_pid(AT_FDCWD, "/proc/../proc/./self//status") == getpid(), i);
		check("/../../proc/self/status", status_pid(AT_FDCWD, "/../../proc/self/status") == getpid(), i);
		check("/proc/self/../self/status", status_pid(AT_FDCWD, "/proc/self/../self/status") == getpid(), i);
		check("/usr/lib/../../etc/passwd", status_pid(AT_FDCWD, "/usr/lib/../../etc/passwd") == -EINVAL, i);
	}
	printf("dotdot: %s\n", fails ? "wrong" : "ok");
}

/* descriptor 1023 is never open natively; under Persona it is the frame pool's,
 * which the guest must see as closed */
static void pool(void)
{
	struct stat st;
	struct statx sx;
	char buf[256];
	for (int i = 0; i < N; i++) {
		check("fstat 1023", fstat(1023, &st) < 0 && errno == EBADF, i);
		check("fstatat 1023", fstatat(1023, "x", &st, 0) < 0 && errno == EBADF, i);
		check("openat 1023", openat(1023, "x", O_RDONLY) < 0 && errno == EBADF, i);
		check("statx 1023", statx(1023, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &sx) < 0 && errno == EBADF, i);
		check("getdents64 1023", syscall(SYS_getdents64, 1023, buf, sizeof buf) < 0 && errno == EBADF, i);
		check("readlinkat 1023", readlinkat(1023, "x", buf, sizeof buf) < 0 && errno == EBADF, i);
	}
	printf("pool: %s\n", fails ? "wrong" : "ok");
}

/* bad pointers: EFAULT, as Linux, never a crash */
static void efault(void)
{
	struct stat st;
	char buf[64];
	for (int i = 0; i < N; i++) {
		check("stat(bad path)", syscall(SYS_stat, (char *)8, &st) < 0 && errno == EFAULT, i);
		check("stat(bad buf)", syscall(SYS_stat, "/etc/passwd", (void *)8) < 0 && errno == EFAULT, i);
		check("newfstatat(bad path)", syscall(SYS_newfstatat, AT_FDCWD, (char *)-4096L, &st, 0) < 0 && errno == EFAULT, i);
		check("openat(bad path)", syscall(SYS_openat, AT_FDCWD, (char *)4096, O_RDONLY) < 0 && errno == EFAULT, i);
		check("readlink(bad buf)", syscall(SYS_readlink, "/proc/self/exe", (void *)16, 64) < 0 && errno == EFAULT, i);
		check("stat(read-only buf)", syscall(SYS_stat, "/etc/passwd", (void *)plain) < 0 && errno == EFAULT, i);
		check("readlink(ok)", readlink("/bin", buf, sizeof buf) > 0, i);
	}
	printf("efault: %s\n", fails ? "wrong" : "ok");
}

/* listings: /proc names my pid, /proc/self/fd never names 1023 */
static void dents(void)
{
	char want[32];
	snprintf(want, sizeof want, "%d", getpid());
	for (int i = 0; i < 50; i++) {
		int mine = 0, pool_listed = 0, etc_entries = 0;
		DIR *d = opendir("/proc");
		for (struct dirent *e; d && (e = readdir(d));) mine |= !strcmp(e->d_name, want);
		if (d) closedir(d);
		d = opendir("/proc/self/fd");
		for (struct dirent *e; d && (e = readdir(d));) pool_listed |= !strcmp(e->d_name, "1023");
		if (d) closedir(d);
		d = opendir("/etc");
		for (struct dirent *e; d && (e = readdir(d));) etc_entries++;
		if (d) closedir(d);
		check("/proc lists my pid", mine, i);
		check("/proc/self/fd hides 1023", !pool_listed, i);
		check("/etc listed", etc_entries > 10, i);
	}
	printf("dents: %s\n", fails ? "wrong" : "ok");
}

static void *thread_main(void *arg)
{
	(void)arg;
	struct stat st;
	for (int i = 0; i < N; i++) {
		check("thread: stat", stat("/etc/passwd", &st) == 0, i);
		check("thread: /proc/thread-self", stat("/proc/thread-self/status", &st) == 0, i);
		check("thread: /proc/self/status", status_pid(AT_FDCWD, "/proc/self/status") == getpid(), i);
	}
	return NULL;
}

/* sites patched while single-threaded, used by several threads */
static void threads(void)
{
	struct stat st;
	for (int i = 0; i < 3; i++) {
		stat("/etc/passwd", &st);
		status_pid(AT_FDCWD, "/proc/self/status");
	}
	pthread_t th[3];
	for (int i = 0; i < 3; i++) pthread_create(&th[i], NULL, thread_main, NULL);
	thread_main(NULL);
	for (int i = 0; i < 3; i++) pthread_join(th[i], NULL);
	printf("threads: %s\n", fails ? "wrong" : "ok");
}

int main(int argc, char **argv)
{
	static const struct { const char *name; void (*fn)(void); } sections[] = {
		{ "plain", plain }, { "proc", proc }, { "relative", relative }, { "dotdot", dotdot },
		{ "pool", pool }, { "efault", efault }, { "dents", dents }, { "threads", threads },
	};
	for (unsigned i = 0; i < sizeof sections / sizeof *sections; i++)
		if (argc > 1 && !strcmp(argv[1], sections[i].name)) {
			sections[i].fn();
			return fails ? 1 : 0;
		}
	fprintf(stderr, "usage: shim_paths plain|proc|relative|dotdot|pool|efault|dents|threads\n");
	return 2;
}
