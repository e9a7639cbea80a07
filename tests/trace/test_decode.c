/* tests/trace/test_decode.c - the syscall decoder against lines strace prints:
 * strings and buffers, flags and constants, files, memory, results and errors.
 * Structures, signals, processes and sockets are in test_decode_more.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include "core/syscall_table.h"
#include "tests/trace/decode_test.h"

const struct trace_fmt_opts dt_plain = { 32, false, false };
const struct trace_fmt_opts dt_verbose = { 32, true, false };
const struct trace_fmt_opts dt_paths = { 32, false, true };

const char *dt_line(const struct trace_fmt_opts *o, long nr, long ret, const uint64_t a[6])
{
	static struct strbuf sb = STRBUF_INIT;
	strbuf_reset(&sb);
	int from = trace_decode_entry(&sb, getpid(), nr, a, o);
	trace_decode_exit(&sb, getpid(), nr, a, from, ret, o);
	return sb.buf;
}

const char *dt_fmt(const char *fmt, ...)
{
	static char bufs[4][4096];
	static int n;
	char *b = bufs[n++ % 4];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(b, sizeof bufs[0], fmt, ap);
	va_end(ap);
	return b;
}

void dt_setup(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	ck_assert_int_eq(syscall_table_init(), 0);
}

/* --- strings and buffers --- */

START_TEST(write_escapes)
{
	/* write(8, "a\tb\nc\"d\\e\1\0020\33x\177\200\377 end\0", 22): \1 is short, \002 is
	 * followed by a digit so it takes three, the trailing NUL is \0 */
	static const char data[] = "a\tb\nc\"d\\e\001\0020\033x\177\200\377 end";
	EQ(DEC(SYS_write, 22, 8, U(data), 22),
	   "write(8, \"a\\tb\\nc\\\"d\\\\e\\1\\0020\\33x\\177\\200\\377 end\\0\", 22) = 22");
	static const char ctl[] = "\f\r\v\a";
	EQ(DEC(SYS_write, 4, 1, U(ctl), 4), "write(1, \"\\f\\r\\v\\7\", 4) = 4");
}
END_TEST

START_TEST(write_truncated)
{
	static const char data[] = "0123456789012345678901234567890123456789";
	EQ(DEC(SYS_write, 40, 8, U(data), 40),
	   "write(8, \"01234567890123456789012345678901\"..., 40) = 40");
	/* exactly strsize bytes: no ellipsis */
	EQ(DEC(SYS_write, 32, 8, U(data), 32),
	   "write(8, \"01234567890123456789012345678901\", 32) = 32");
	struct trace_fmt_opts s8 = { 8, false, false };
	EQ(DECO(&s8, SYS_write, 40, 1, U(data), 40), "write(1, \"01234567\"..., 40) = 40");
	EQ(DEC(SYS_write, 0, 1, U(data), 0), "write(1, \"\", 0) = 0");
}
END_TEST

START_TEST(read_binary)
{
	/* the first read of ld.so on libc.so.6 */
	static const unsigned char elf[64] = {
		0x7f, 'E', 'L', 'F', 2, 1, 1, 3, 0, 0, 0, 0, 0, 0, 0, 0,
		3, 0, '>', 0, 1, 0, 0, 0, 0x10, 't', 2, 0, 0, 0, 0, 0 };
	EQ(DEC(SYS_read, 832, 3, U(elf), 832),
	   "read(3, \"\\177ELF\\2\\1\\1\\3\\0\\0\\0\\0\\0\\0\\0\\0\\3\\0>\\0\\1\\0\\0\\0\\20t\\2\\0\\0\\0\\0\\0\"..., 832) = 832");
}
END_TEST

START_TEST(read_failed_prints_address)
{
	char buf[10];
	EQ(DEC(SYS_read, -EAGAIN, 3, U(buf), 10),
	   dt_fmt("read(3, %#lx, 10) = -1 EAGAIN (Resource temporarily unavailable)",
		  (unsigned long)(uintptr_t)buf));
	EQ(DEC(SYS_pread64, 4, 9, U("llow"), 4, 2), "pread64(9, \"llow\", 4, 2) = 4");
}
END_TEST

START_TEST(entry_exit_halves)
{
	/* strace prints "read(3, " at entry (then <unfinished ...>) and the rest at exit */
	static struct strbuf sb = STRBUF_INIT;
	uint64_t a[6] = { 7, U("a\n"), 22 };
	strbuf_reset(&sb);
	int from = trace_decode_entry(&sb, getpid(), SYS_read, a, &dt_plain);
	EQ(sb.buf, "read(7, ");
	ck_assert_int_eq(from, 1);
	strbuf_reset(&sb);
	trace_decode_exit_args(&sb, getpid(), SYS_read, a, from, 2, &dt_plain);
	EQ(sb.buf, "\"a\\n\", 22)");
	strbuf_pad_to(&sb, TRACE_RESULT_COLUMN);
	trace_decode_result(&sb, getpid(), SYS_read, a, 2, &dt_plain);
	EQ(sb.buf, "\"a\\n\", 22)                              = 2");
	/* all inputs: everything at entry */
	uint64_t c[6] = { 3 };
	strbuf_reset(&sb);
	from = trace_decode_entry(&sb, getpid(), SYS_close, c, &dt_plain);
	EQ(sb.buf, "close(3");
	ck_assert_int_eq(from, 1);
	strbuf_pad_to(&sb, 0);
	trace_decode_exit(&sb, getpid(), SYS_close, c, from, 0, &dt_plain);
	EQ(sb.buf, "close(3) = 0");
}
END_TEST

START_TEST(paths_are_not_truncated)
{
	static const char path[] = "/tmp/st/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	EQ(DEC(SYS_chdir, 0, U(path)), dt_fmt("chdir(\"%s\") = 0", path));
	EQ(DEC(SYS_unlink, -ENOENT, U("we\"ird\n")),
	   "unlink(\"we\\\"ird\\n\") = -1 ENOENT (No such file or directory)");
	EQ(DEC(SYS_access, 0, 0, 4), "access(NULL, R_OK) = 0");
}
END_TEST

START_TEST(readlink_and_getcwd)
{
	static const char target[] = "/tmp/st/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/bbbb";
	/* readlink's buffer is a string of the result's length, cut at -s */
	EQ(DEC(SYS_readlink, 64, U("/tmp/st/longlink"), U(target), 64),
	   "readlink(\"/tmp/st/longlink\", \"/tmp/st/aaaaaaaaaaaaaaaaaaaaaaaa\"..., 64) = 64");
	EQ(DEC(SYS_readlink, 1, U("/tmp/st/l"), U("t"), 2), "readlink(\"/tmp/st/l\", \"t\", 2) = 1");
	/* getcwd's is a whole path */
	EQ(DEC(SYS_getcwd, (long)sizeof target, U(target), 4096),
	   dt_fmt("getcwd(\"%s\", 4096) = %zu", target, sizeof target));
}
END_TEST

START_TEST(getrandom_hex)
{
	static const unsigned char rnd[8] = { 0xd1, 0xa9, 0x80, 0x95, 0x00, 0x87, 0x7a, 0xb9 };
	EQ(DEC(SYS_getrandom, 8, U(rnd), 8, 1),
	   "getrandom(\"\\xd1\\xa9\\x80\\x95\\x00\\x87\\x7a\\xb9\", 8, GRND_NONBLOCK) = 8");
}
END_TEST

/* --- flags and constants --- */

START_TEST(open_flags)
{
	EQ(DEC(SYS_openat, 3, (uint64_t)AT_FDCWD, U("/etc/ld.so.cache"), O_RDONLY | O_CLOEXEC),
	   "openat(AT_FDCWD, \"/etc/ld.so.cache\", O_RDONLY|O_CLOEXEC) = 3");
	/* the mode is shown only when the call may create the file */
	EQ(DEC(SYS_openat, 9, (uint64_t)AT_FDCWD, U("/tmp/st/f1"), O_WRONLY | O_CREAT | O_TRUNC, 0644),
	   "openat(AT_FDCWD, \"/tmp/st/f1\", O_WRONLY|O_CREAT|O_TRUNC, 0644) = 9");
	EQ(DEC(SYS_openat, -ENOENT, (uint64_t)AT_FDCWD, U("/tmp/st/tmpf"), O_RDWR | O_TMPFILE | O_EXCL, 0600),
	   "openat(AT_FDCWD, \"/tmp/st/tmpf\", O_RDWR|O_EXCL|O_TMPFILE, 0600) = -1 ENOENT (No such file or directory)");
	EQ(DEC(SYS_openat, 23, (uint64_t)AT_FDCWD, U("/tmp"),
	       O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_PATH | O_SYNC | 0x40000000),
	   "openat(AT_FDCWD, \"/tmp\", O_RDONLY|O_SYNC|O_NOFOLLOW|O_PATH|O_DIRECTORY|0x40000000) = 23");
	EQ(DEC(SYS_open, 24, U("/tmp/st/f1"), 3), "open(\"/tmp/st/f1\", O_ACCMODE) = 24");
	EQ(DEC(SYS_open, 4, U("/x"), 0100000 | 02000000), "open(\"/x\", O_RDONLY|O_LARGEFILE|O_CLOEXEC) = 4");
}
END_TEST

START_TEST(mode_and_umask)
{
	EQ(DEC(SYS_umask, 022, 0), "umask(000) = 022");
	EQ(DEC(SYS_chmod, 0, U("/tmp/st/f1"), 04755), "chmod(\"/tmp/st/f1\", 04755) = 0");
	EQ(DEC(SYS_mkdirat, 0, (uint64_t)AT_FDCWD, U("/tmp/st/dd/e"), 01777),
	   "mkdirat(AT_FDCWD, \"/tmp/st/dd/e\", 01777) = 0");
	/* mknod shows the file type, and the device only for devices */
	EQ(DEC(SYS_mknodat, 0, (uint64_t)AT_FDCWD, U("/tmp/st/fifo"), S_IFIFO | 0600, 0),
	   "mknodat(AT_FDCWD, \"/tmp/st/fifo\", S_IFIFO|0600) = 0");
	EQ(DEC(SYS_mknod, 0, U("/dev/null2"), S_IFCHR | 0666, makedev(1, 3)),
	   "mknod(\"/dev/null2\", S_IFCHR|0666, makedev(0x1, 0x3)) = 0");
}
END_TEST

START_TEST(at_flags)
{
	EQ(DEC(SYS_unlinkat, 0, (uint64_t)AT_FDCWD, U("/tmp/st/dd"), AT_REMOVEDIR),
	   "unlinkat(AT_FDCWD, \"/tmp/st/dd\", AT_REMOVEDIR) = 0");
	/* faccessat2 calls 0x200 AT_EACCESS */
	EQ(DEC(SYS_faccessat2, 0, (uint64_t)AT_FDCWD, U("/tmp"), W_OK,
	       AT_SYMLINK_NOFOLLOW | AT_EACCESS | AT_EMPTY_PATH),
	   "faccessat2(AT_FDCWD, \"/tmp\", W_OK, AT_SYMLINK_NOFOLLOW|AT_EACCESS|AT_EMPTY_PATH) = 0");
	EQ(DEC(SYS_access, 0, U("/tmp"), R_OK | W_OK | X_OK), "access(\"/tmp\", R_OK|W_OK|X_OK) = 0");
	EQ(DEC(SYS_access, -ENOENT, U("/etc/selinux/config"), F_OK),
	   "access(\"/etc/selinux/config\", F_OK) = -1 ENOENT (No such file or directory)");
	EQ(DEC(SYS_fchownat, 0, (uint64_t)AT_FDCWD, U("/f"), -1, -1, AT_SYMLINK_NOFOLLOW),
	   "fchownat(AT_FDCWD, \"/f\", -1, -1, AT_SYMLINK_NOFOLLOW) = 0");
	EQ(DEC(SYS_renameat2, 0, (uint64_t)AT_FDCWD, U("/a"), (uint64_t)AT_FDCWD, U("/b"), 1),
	   "renameat2(AT_FDCWD, \"/a\", AT_FDCWD, \"/b\", RENAME_NOREPLACE) = 0");
}
END_TEST

START_TEST(mmap_family)
{
	EQ(DEC(SYS_mmap, 0x7fd22243e000, 0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
	       (uint64_t)-1, 0),
	   "mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7fd22243e000");
	EQ(DEC(SYS_mmap, 0x7f953e4f000, 0x7f953e4f000, 110592, PROT_READ | PROT_EXEC,
	       MAP_PRIVATE | MAP_FIXED | MAP_DENYWRITE, 3, 0x7000),
	   "mmap(0x7f953e4f000, 110592, PROT_READ|PROT_EXEC, MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE, 3, 0x7000) = 0x7f953e4f000");
	EQ(DEC(SYS_mmap, 0x7fd22243d000, 0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC | PROT_GROWSDOWN | 0x100,
	       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_GROWSDOWN | 0x8000000, (uint64_t)-1, 0),
	   "mmap(NULL, 4096, PROT_READ|PROT_WRITE|PROT_EXEC|PROT_GROWSDOWN|0x100, MAP_PRIVATE|MAP_ANONYMOUS|MAP_GROWSDOWN|MAP_STACK|2<<MAP_HUGE_SHIFT, -1, 0) = 0x7fd22243d000");
	EQ(DEC(SYS_mmap, -EBADF, 0, 4096, PROT_READ, MAP_SHARED, 99, 0x1000),
	   "mmap(NULL, 4096, PROT_READ, MAP_SHARED, 99, 0x1000) = -1 EBADF (Bad file descriptor)");
	EQ(DEC(SYS_mprotect, 0, 0x7fd22243e000, 4096, PROT_NONE),
	   "mprotect(0x7fd22243e000, 4096, PROT_NONE) = 0");
	EQ(DEC(SYS_munmap, 0, 0x7ff953e76000, 41675), "munmap(0x7ff953e76000, 41675) = 0");
	EQ(DEC(SYS_brk, 0x55d362c17000, 0), "brk(NULL) = 0x55d362c17000");
	EQ(DEC(SYS_madvise, 0, 0x7fd22243e000, 4096, MADV_DONTNEED),
	   "madvise(0x7fd22243e000, 4096, MADV_DONTNEED) = 0");
	EQ(DEC(SYS_mremap, -EFAULT, 0x7fd22243e000, 8192, 16384, 1, 0),
	   "mremap(0x7fd22243e000, 8192, 16384, MREMAP_MAYMOVE) = -1 EFAULT (Bad address)");
	EQ(DEC(SYS_msync, 0, 0x7fd22243e000, 4096, MS_SYNC | MS_INVALIDATE),
	   "msync(0x7fd22243e000, 4096, MS_SYNC|MS_INVALIDATE) = 0");
}
END_TEST

START_TEST(fd_syscalls)
{
	EQ(DEC(SYS_lseek, 5, 9, 5, SEEK_END), "lseek(9, 5, SEEK_END) = 5");
	EQ(DEC(SYS_lseek, 4, 9, (uint64_t)-1, SEEK_CUR), "lseek(9, -1, SEEK_CUR) = 4");
	EQ(DEC(SYS_lseek, -ENXIO, 9, 0, SEEK_DATA),
	   "lseek(9, 0, SEEK_DATA) = -1 ENXIO (No such device or address)");
	EQ(DEC(SYS_dup2, 1, 3, 1), "dup2(3, 1) = 1");
	EQ(DEC(SYS_dup3, 10, 7, 10, O_CLOEXEC), "dup3(7, 10, O_CLOEXEC) = 10");
	EQ(DEC(SYS_flock, 0, 9, LOCK_EX | LOCK_NB), "flock(9, LOCK_EX|LOCK_NB) = 0");
	EQ(DEC(SYS_fadvise64, 0, 3, 0, 0, POSIX_FADV_SEQUENTIAL),
	   "fadvise64(3, 0, 0, POSIX_FADV_SEQUENTIAL) = 0");
	int fds[2] = { 3, 4 };
	EQ(DEC(SYS_pipe2, 0, U(fds), O_CLOEXEC), "pipe2([3, 4], O_CLOEXEC) = 0");
	EQ(DEC(SYS_pipe2, 0, U(fds), 0), "pipe2([3, 4], 0) = 0");
	EQ(DEC(SYS_pipe2, -EMFILE, U(fds), O_NONBLOCK | O_CLOEXEC),
	   dt_fmt("pipe2(%#lx, O_NONBLOCK|O_CLOEXEC) = -1 EMFILE (Too many open files)",
		  (unsigned long)(uintptr_t)fds));
	EQ(DEC(SYS_copy_file_range, 1221, 3, 0, 4, 0, 9223372035781033984ull, 0),
	   "copy_file_range(3, NULL, 4, NULL, 9223372035781033984, 0) = 1221");
	EQ(DEC(SYS_sendfile, 10, 1, 3, 0, 10), "sendfile(1, 3, NULL, 10) = 10");
	/* the offset the call advanced: shown before and after */
	static struct strbuf sb = STRBUF_INIT;
	int64_t off = 0;
	uint64_t sf[6] = { 4, 3, U(&off), 8388608 };
	strbuf_reset(&sb);
	int from = trace_decode_entry(&sb, getpid(), SYS_sendfile, sf, &dt_plain);
	EQ(sb.buf, "sendfile(4, 3, [0]");
	off = 1221;
	trace_decode_exit(&sb, getpid(), SYS_sendfile, sf, from, 1221, &dt_plain);
	EQ(sb.buf, "sendfile(4, 3, [0] => [1221], 8388608) = 1221");
	EQ(DEC(SYS_sendfile, 0, 4, 3, U(&off), 8388608), "sendfile(4, 3, [1221], 8388608) = 0");
	EQ(DEC(SYS_eventfd2, 17, 0, 1 | O_CLOEXEC | O_NONBLOCK),
	   "eventfd2(0, EFD_SEMAPHORE|EFD_CLOEXEC|EFD_NONBLOCK) = 17");
	EQ(DEC(SYS_epoll_create1, 16, O_CLOEXEC), "epoll_create1(EPOLL_CLOEXEC) = 16");
	EQ(DEC(SYS_inotify_init1, 21, O_NONBLOCK | O_CLOEXEC), "inotify_init1(IN_NONBLOCK|IN_CLOEXEC) = 21");
	EQ(DEC(SYS_memfd_create, 22, U("mfd"), 3), "memfd_create(\"mfd\", MFD_CLOEXEC|MFD_ALLOW_SEALING) = 22");
}
END_TEST

START_TEST(fcntl_commands)
{
	EQ(DEC(SYS_fcntl, 0x8001, 9, F_GETFL), "fcntl(9, F_GETFL) = 0x8001 (flags O_WRONLY|O_LARGEFILE)");
	EQ(DEC(SYS_fcntl, 0x38800, 3, F_GETFL),
	   "fcntl(3, F_GETFL) = 0x38800 (flags O_RDONLY|O_NONBLOCK|O_LARGEFILE|O_NOFOLLOW|O_DIRECTORY)");
	EQ(DEC(SYS_fcntl, 0, 9, F_SETFL, O_WRONLY | O_APPEND | O_NONBLOCK),
	   "fcntl(9, F_SETFL, O_WRONLY|O_APPEND|O_NONBLOCK) = 0");
	EQ(DEC(SYS_fcntl, 0, 9, F_GETFD), "fcntl(9, F_GETFD) = 0");
	EQ(DEC(SYS_fcntl, 1, 11, F_GETFD), "fcntl(11, F_GETFD) = 0x1 (flags FD_CLOEXEC)");
	EQ(DEC(SYS_fcntl, 0, 9, F_SETFD, FD_CLOEXEC), "fcntl(9, F_SETFD, FD_CLOEXEC) = 0");
	EQ(DEC(SYS_fcntl, 0, 9, F_SETFD, 0), "fcntl(9, F_SETFD, 0) = 0");
	EQ(DEC(SYS_fcntl, 11, 0, F_DUPFD, 10), "fcntl(0, F_DUPFD, 10) = 11");
	EQ(DEC(SYS_fcntl, 65536, 7, F_GETPIPE_SZ), "fcntl(7, F_GETPIPE_SZ) = 65536");
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10 };
	EQ(DEC(SYS_fcntl, 0, 9, F_SETLK, U(&fl)),
	   "fcntl(9, F_SETLK, {l_type=F_WRLCK, l_whence=SEEK_SET, l_start=0, l_len=10}) = 0");
	/* F_GETLK's struct is written by the call and shown at exit, with l_pid */
	fl.l_type = F_UNLCK;
	EQ(DEC(SYS_fcntl, 0, 9, F_GETLK, U(&fl)),
	   "fcntl(9, F_GETLK, {l_type=F_UNLCK, l_whence=SEEK_SET, l_start=0, l_len=10, l_pid=0}) = 0");
}
END_TEST

START_TEST(ioctl_requests)
{
	char buf[64];
	EQ(DEC(SYS_ioctl, -ENOTTY, 0, 0x5401, U(buf)),
	   dt_fmt("ioctl(0, TCGETS, %#lx) = -1 ENOTTY (Inappropriate ioctl for device)",
		  (unsigned long)(uintptr_t)buf));
	int n = 0;
	EQ(DEC(SYS_ioctl, 0, 7, 0x541b, U(&n)), "ioctl(7, FIONREAD, [0]) = 0");
	EQ(DEC(SYS_ioctl, 0, 7, 0x5451), "ioctl(7, FIOCLEX) = 0");
	unsigned short ws[4] = { 24, 80, 0, 0 };
	EQ(DEC(SYS_ioctl, 0, 0, 0x5413, U(ws)),
	   "ioctl(0, TIOCGWINSZ, {ws_row=24, ws_col=80, ws_xpixel=0, ws_ypixel=0}) = 0");
	/* the terminal settings stty reads, abbreviated as strace does without -v */
	struct { uint32_t i, o, c, l; uint8_t line, cc[19]; } tio = { 0400 | 02000, 01 | 04, 017 | 060 | 0200,
		01 | 02 | 010 | 020 | 040 | 0100000 | 01000 | 04000, 0, { 3 } };
	EQ(DEC(SYS_ioctl, 0, 0, 0x5401, U(&tio)),
	   "ioctl(0, TCGETS, {c_iflag=ICRNL|IXON, c_oflag=NL0|CR0|TAB0|BS0|VT0|FF0|OPOST|ONLCR, c_cflag=B38400|CS8|CREAD, c_lflag=ISIG|ICANON|ECHO|ECHOE|ECHOK|IEXTEN|ECHOCTL|ECHOKE, ...}) = 0");
	EQ(DEC(SYS_ioctl, -EOPNOTSUPP, 4, 0x40049409, 3),
	   "ioctl(4, BTRFS_IOC_CLONE or FICLONE, 3) = -1 EOPNOTSUPP (Operation not supported)");
	EQ(DEC(SYS_ioctl, -ENOTTY, 3, 0xc0081234, 0x1000),
	   "ioctl(3, _IOC(_IOC_READ|_IOC_WRITE, 0x12, 0x34, 0x8), 0x1000) = -1 ENOTTY (Inappropriate ioctl for device)");
}
END_TEST

START_TEST(results_and_errors)
{
	EQ(DEC(SYS_close, -EBADF, 12345), "close(12345) = -1 EBADF (Bad file descriptor)");
	EQ(DEC(SYS_getpid, 29102), "getpid() = 29102");
	EQ(DEC(SYS_exit_group, 0, 0), "exit_group(0) = ?");
	/* interrupted calls the kernel restarts print "?" and the kernel's name */
	EQ(DEC(SYS_pause, -514), "pause() = ? ERESTARTNOHAND (To be restarted if no handler)");
	EQ(DEC(SYS_wait4, -512, 3122, 0x7ffd8d8d0280, 0, 0),
	   "wait4(3122, 0x7ffd8d8d0280, 0, NULL) = ? ERESTARTSYS (To be restarted if SA_RESTART is set)");
	EQ(DEC(SYS_rt_sigsuspend, -516, U("\0\0\0\0\0\0\0"), 8),
	   "rt_sigsuspend([], 8) = ? ERESTART_RESTARTBLOCK (Interrupted by signal)");
	const char *xargv[] = { "x", NULL };
	EQ(DEC(SYS_execve, -ENOENT, U("/nonexistent"), U(xargv), 0),
	   "execve(\"/nonexistent\", [\"x\"], NULL) = -1 ENOENT (No such file or directory)");
	/* numbers without a name and rows we do not know print raw arguments */
	EQ(DEC(500, -ENOSYS, 1, 2, 3, 4, 5, 6),
	   "syscall_0x1f4(0x1, 0x2, 0x3, 0x4, 0x5, 0x6) = -1 ENOSYS (Function not implemented)");
	EQ(DEC(SYS_sched_getscheduler, 0, 0), "sched_getscheduler(0) = 0 (SCHED_OTHER)");
	EQ(DEC(SYS_alarm, 0, 0), "alarm(0) = 0");
}
END_TEST

START_TEST(fd_paths)
{
	/* -y: <path> after descriptors, AT_FDCWD</cwd>, returned descriptors too */
	char cwd[4096];
	ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
	int fd = open("/dev/null", O_RDONLY);
	ck_assert_int_ge(fd, 0);
	EQ(DECO(&dt_paths, SYS_openat, fd, (uint64_t)AT_FDCWD, U("/dev/null"), O_RDONLY),
	   dt_fmt("openat(AT_FDCWD<%s>, \"/dev/null\", O_RDONLY) = %d</dev/null>", cwd, fd));
	EQ(DECO(&dt_paths, SYS_close, 0, (uint64_t)fd), dt_fmt("close(%d</dev/null>) = 0", fd));
	close(fd);
	EQ(DECO(&dt_paths, SYS_close, -EBADF, (uint64_t)fd),
	   dt_fmt("close(%d) = -1 EBADF (Bad file descriptor)", fd));
}
END_TEST

Suite *decode_suite(void)
{
	Suite *s = suite_create("decode");
	TCase *t = tcase_create("strings");
	tcase_add_checked_fixture(t, dt_setup, NULL);
	tcase_add_test(t, write_escapes);
	tcase_add_test(t, write_truncated);
	tcase_add_test(t, read_binary);
	tcase_add_test(t, read_failed_prints_address);
	tcase_add_test(t, entry_exit_halves);
	tcase_add_test(t, paths_are_not_truncated);
	tcase_add_test(t, readlink_and_getcwd);
	tcase_add_test(t, getrandom_hex);
	suite_add_tcase(s, t);
	t = tcase_create("flags");
	tcase_add_checked_fixture(t, dt_setup, NULL);
	tcase_add_test(t, open_flags);
	tcase_add_test(t, mode_and_umask);
	tcase_add_test(t, at_flags);
	tcase_add_test(t, mmap_family);
	tcase_add_test(t, fd_syscalls);
	tcase_add_test(t, fcntl_commands);
	tcase_add_test(t, ioctl_requests);
	tcase_add_test(t, results_and_errors);
	tcase_add_test(t, fd_paths);
	suite_add_tcase(s, t);
	decode_more_tests(s);
	return s;
}
