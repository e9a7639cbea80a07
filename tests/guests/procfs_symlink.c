/* tests/guests/procfs_symlink.c - /proc reached through symlinks is the guest's
 * /proc, not the host's: a symlink to /proc (absolute and relative), to /proc/self/fd
 * and to /proc/self/fd/1023, used as a path prefix, as a directory descriptor, as a
 * cwd (chdir and fchdir), with ".." after it, by openat2, stat, lstat, statx,
 * access, readlink and getdents. The frame pool's memfd (descriptor 1023 in every
 * guest under Persona) must stay out of reach: ENOENT, as natively for a process
 * without descriptor 1023; /proc/self and /proc/PID say the caller's own ids.
 * Every check holds natively too, so the output is native's. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
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
		fprintf(stderr, "check failed: %s\n", what);
	}
}

static char dir[64];
static char *in_dir(const char *name)
{
	static char buf[8][128];
	static int k;
	char *b = buf[k++ % 8];
	snprintf(b, sizeof buf[0], "%s/%s", dir, name);
	return b;
}

/* opening the path fails with ENOENT (and reads nothing) */
static int open_enoent_at(int dirfd, const char *path, int flags)
{
	int fd = openat(dirfd, path, flags);
	if (fd >= 0) {
		char b[16];
		ssize_t n = read(fd, b, sizeof b);
		fprintf(stderr, "%s opened (read %zd)\n", path, n);
		close(fd);
		return 0;
	}
	return errno == ENOENT;
}

static long status_field(int dirfd, const char *path, const char *name)
{
	char buf[4096], key[64];
	int fd = openat(dirfd, path, O_RDONLY);
	if (fd < 0) return -1;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0) return -1;
	buf[n] = 0;
	snprintf(key, sizeof key, "\n%s:", name);
	const char *p = strstr(buf, key);
	return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

static int readlink_is(int dirfd, const char *path, const char *want)
{
	char buf[256];
	ssize_t n = readlinkat(dirfd, path, buf, sizeof buf - 1);
	if (n < 0) return 0;
	buf[n] = 0;
	if (strcmp(buf, want)) fprintf(stderr, "readlink %s: %s, not %s\n", path, buf, want);
	return !strcmp(buf, want);
}

static int lists(int dirfd, const char *path, const char *name)
{
	int fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY);
	if (fd < 0) return -1;
	DIR *d = fdopendir(fd);
	struct dirent *e;
	int found = 0;
	while ((e = readdir(d))) found |= !strcmp(e->d_name, name);
	closedir(d);
	return found;
}

int main(void)
{
	char self[32], tself[64], mypid[16];
	snprintf(mypid, sizeof mypid, "%d", getpid());
	snprintf(self, sizeof self, "%d", getpid());
	snprintf(tself, sizeof tself, "%d/task/%d", getpid(), (int)syscall(SYS_gettid));
	close(1023);	/* natively too: no descriptor 1023 */
	snprintf(dir, sizeof dir, "/tmp/persona-procsym-XXXXXX");
	if (!mkdtemp(dir)) { perror("mkdtemp"); return 2; }
	char l[128];
	snprintf(l, sizeof l, "%s", in_dir("l"));
	if (symlink("/proc", l) || symlink("/proc/self/fd", in_dir("fds")) ||
	    symlink("/proc/self/fd/1023", in_dir("pool")) ||
	    symlink("../../../../../../../../proc", in_dir("rel")) ||
	    symlink("/proc/self", in_dir("me")) || symlink("l", in_dir("chain")) ||
	    mkdir(in_dir("sub"), 0700)) {
		perror("symlink");
		return 2;
	}

	/* the calls that can shrink a file by name: the pool must stay out of reach (a
	 * truncate of it killed the supervisor), directly and through a link */
	const char *pools[] = { "/proc/self/fd/1023", in_dir("l/self/fd/1023"), in_dir("pool") };
	for (int i = 0; i < 3; i++) {
		char what[128];
		errno = 0;
		snprintf(what, sizeof what, "truncate of pool path %d: ENOENT", i);
		check(truncate(pools[i], 4096) < 0 && errno == ENOENT, what);
		snprintf(what, sizeof what, "creat of pool path %d: ENOENT", i);
		int fd = creat(pools[i], 0600);
		check(fd < 0 && errno == ENOENT, what);
		if (fd >= 0) close(fd);
	}
	/* still alive, memory still ours */
	char *big = malloc(1 << 20);
	check(big && memset(big, 7, 1 << 20) && big[12345] == 7, "memory works after the attempts");
	free(big);

	/* a path through a symlink */
	check(open_enoent_at(AT_FDCWD, in_dir("l/self/fd/1023"), O_RDWR), "link/self/fd/1023 O_RDWR: ENOENT");
	check(open_enoent_at(AT_FDCWD, in_dir("l/self/fd/1023"), O_RDONLY), "link/self/fd/1023 O_RDONLY: ENOENT");
	check(open_enoent_at(AT_FDCWD, in_dir("l/thread-self/fd/1023"), O_RDONLY), "link/thread-self/fd/1023: ENOENT");
	check(open_enoent_at(AT_FDCWD, in_dir("l/self/fdinfo/1023"), O_RDONLY), "link/self/fdinfo/1023: ENOENT");
	check(open_enoent_at(AT_FDCWD, in_dir("fds/1023"), O_RDONLY), "link to /proc/self/fd, then 1023: ENOENT");
	check(open_enoent_at(AT_FDCWD, in_dir("pool"), O_RDWR), "link to /proc/self/fd/1023: ENOENT");
	check(open_enoent_at(AT_FDCWD, in_dir("rel/self/fd/1023"), O_RDONLY), "relative link/self/fd/1023: ENOENT");
	check(open_enoent_at(AT_FDCWD, in_dir("chain/self/fd/1023"), O_RDONLY), "link to link/self/fd/1023: ENOENT");
	check(open_enoent_at(AT_FDCWD, in_dir("me/../self/fd/1023"), O_RDONLY), "link/PID/../self/fd/1023: ENOENT");
	check(open_enoent_at(AT_FDCWD, in_dir("sub/../l/self/fd/1023"), O_RDONLY), "dir/../link/self/fd/1023: ENOENT");
	struct open_how how = { .flags = O_RDONLY };
	long fd2 = syscall(SYS_openat2, AT_FDCWD, in_dir("l/self/fd/1023"), &how, sizeof how);
	check(fd2 < 0 && errno == ENOENT, "openat2 link/self/fd/1023: ENOENT");
	if (fd2 >= 0) close((int)fd2);
	check(status_field(AT_FDCWD, in_dir("l/self/status"), "Pid") == getpid(), "link/self/status: my pid");
	check(status_field(AT_FDCWD, in_dir("l/self/status"), "PPid") == getppid(), "link/self/status: my ppid");
	check(status_field(AT_FDCWD, in_dir("me/status"), "Pid") == getpid(), "link to /proc/self, status: my pid");
	check(readlink_is(AT_FDCWD, in_dir("l/self"), self), "readlink link/self: my pid");
	check(readlink_is(AT_FDCWD, in_dir("l/thread-self"), tself), "readlink link/thread-self: my tid");
	check(readlink_is(AT_FDCWD, in_dir("me"), "/proc/self"), "readlink of the link itself");

	/* stat, lstat, statx, access */
	struct stat st;
	check(stat(in_dir("l/self/fd/1023"), &st) < 0 && errno == ENOENT, "stat link/self/fd/1023: ENOENT");
	check(lstat(in_dir("l/self/fd/1023"), &st) < 0 && errno == ENOENT, "lstat link/self/fd/1023: ENOENT");
	check(stat(in_dir("pool"), &st) < 0 && errno == ENOENT, "stat of a link to fd/1023: ENOENT");
	check(lstat(in_dir("pool"), &st) == 0 && S_ISLNK(st.st_mode), "lstat of a link to fd/1023: the link");
	struct statx sx;
	check(statx(AT_FDCWD, in_dir("l/self/fd/1023"), 0, STATX_BASIC_STATS, &sx) < 0 && errno == ENOENT,
	      "statx link/self/fd/1023: ENOENT");
	check(access(in_dir("l/self/fd/1023"), F_OK) < 0 && errno == ENOENT, "access link/self/fd/1023: ENOENT");
	check(faccessat(AT_FDCWD, in_dir("pool"), R_OK, 0) < 0 && errno == ENOENT, "faccessat of a link to fd/1023: ENOENT");
	check(stat(in_dir("l/self/status"), &st) == 0, "stat link/self/status");

	/* the symlink as a directory descriptor */
	int dfd = open(l, O_RDONLY | O_DIRECTORY);
	check(dfd >= 0, "open link as a directory");
	check(open_enoent_at(dfd, "self/fd/1023", O_RDWR), "openat(link fd, self/fd/1023): ENOENT");
	check(fstatat(dfd, "self/fd/1023", &st, 0) < 0 && errno == ENOENT, "fstatat(link fd, self/fd/1023): ENOENT");
	check(readlink_is(dfd, "self", self), "readlinkat(link fd, self): my pid");
	check(status_field(dfd, "self/status", "Pid") == getpid(), "openat(link fd, self/status): my pid");
	check(lists(dfd, ".", mypid) == 1, "listing through the link fd: my pid");
	close(dfd);
	int sfd = open(in_dir("l/self"), O_PATH | O_DIRECTORY);
	check(sfd >= 0, "open link/self O_PATH");
	check(open_enoent_at(sfd, "fd/1023", O_RDONLY), "openat(link/self fd, fd/1023): ENOENT");
	check(status_field(sfd, "status", "Pid") == getpid(), "openat(link/self fd, status): my pid");
	check(lists(sfd, "fd", "1023") == 0, "link/self/fd listing: no 1023");
	check(lists(AT_FDCWD, in_dir("l/self/fd"), "1023") == 0, "listing of link/self/fd: no 1023");

	/* a child's /proc/PID through the link */
	pid_t child = fork();
	if (child == 0) { pause(); _exit(0); }
	char cpath[64];
	snprintf(cpath, sizeof cpath, "l/%d/status", child);
	check(status_field(AT_FDCWD, in_dir(cpath), "PPid") == getpid(), "link/CHILD/status: its parent is me");
	check(status_field(AT_FDCWD, in_dir(cpath), "Pid") == child, "link/CHILD/status: its pid");
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);

	/* the cwd through the link: chdir, then fchdir */
	char old[4096];
	if (!getcwd(old, sizeof old)) return 2;
	check(chdir(l) == 0, "chdir link");
	check(open_enoent_at(AT_FDCWD, "self/fd/1023", O_RDWR), "after chdir: self/fd/1023: ENOENT");
	check(readlink_is(AT_FDCWD, "self", self), "after chdir: readlink self: my pid");
	check(status_field(AT_FDCWD, "self/status", "Pid") == getpid(), "after chdir: self/status: my pid");
	check(chdir("self") == 0, "chdir self");
	check(open_enoent_at(AT_FDCWD, "fd/1023", O_RDONLY), "after chdir self: fd/1023: ENOENT");
	check(access("fd/1023", F_OK) < 0 && errno == ENOENT, "after chdir self: access fd/1023: ENOENT");
	check(status_field(AT_FDCWD, "status", "Pid") == getpid(), "after chdir self: status: my pid");
	check(chdir(old) == 0, "chdir back");
	check(fchdir(sfd) == 0, "fchdir to link/self fd");
	check(open_enoent_at(AT_FDCWD, "fd/1023", O_RDONLY), "after fchdir: fd/1023: ENOENT");
	check(status_field(AT_FDCWD, "status", "Pid") == getpid(), "after fchdir: status: my pid");
	check(chdir(dir) == 0, "chdir to the test directory");
	check(open_enoent_at(AT_FDCWD, "l/self/fd/1023", O_RDONLY), "relative link/self/fd/1023: ENOENT");
	check(open_enoent_at(AT_FDCWD, "sub/../l/self/fd/1023", O_RDONLY), "relative dir/../link/self/fd/1023: ENOENT");
	check(chdir(old) == 0, "chdir back again");
	close(sfd);

	/* plain paths through plain symlinks still work */
	int fd = open(in_dir("chain/self/status"), O_RDONLY);
	check(fd >= 0, "open through two links");
	if (fd >= 0) close(fd);

	unlink(in_dir("l")); unlink(in_dir("fds")); unlink(in_dir("pool")); unlink(in_dir("rel"));
	unlink(in_dir("me")); unlink(in_dir("chain")); rmdir(in_dir("sub")); rmdir(dir);
	return failures ? 1 : 0;
}
