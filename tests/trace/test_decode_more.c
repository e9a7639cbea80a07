/* tests/trace/test_decode_more.c - the decoder on structures, signals, processes
 * and sockets, against lines strace prints (see decode_test.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/timerfd.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/futex.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <poll.h>
#include <sys/epoll.h>
#include "tests/trace/decode_test.h"

#define ADDR(p) ((unsigned long)(uintptr_t)(p))

/* --- files and time --- */

START_TEST(stat_struct)
{
	struct stat st;
	memset(&st, 0, sizeof st);
	st.st_mode = S_IFREG | 0644;
	st.st_size = 41675;
	EQ(DEC(SYS_newfstatat, 0, 3, U(""), U(&st), AT_EMPTY_PATH),
	   "newfstatat(3, \"\", {st_mode=S_IFREG|0644, st_size=41675, ...}, AT_EMPTY_PATH) = 0");
	st.st_mode = S_IFCHR | 0666;
	st.st_rdev = makedev(1, 3);
	EQ(DEC(SYS_newfstatat, 0, (uint64_t)AT_FDCWD, U("/dev/null"), U(&st), AT_SYMLINK_NOFOLLOW),
	   "newfstatat(AT_FDCWD, \"/dev/null\", {st_mode=S_IFCHR|0666, st_rdev=makedev(0x1, 0x3), ...}, AT_SYMLINK_NOFOLLOW) = 0");
	/* the call failed: the buffer is an address */
	EQ(DEC(SYS_newfstatat, -ENOENT, (uint64_t)AT_FDCWD, U("/nonexistent"), U(&st), 0),
	   dt_fmt("newfstatat(AT_FDCWD, \"/nonexistent\", %#lx, 0) = -1 ENOENT (No such file or directory)",
		  ADDR(&st)));
}
END_TEST

START_TEST(stat_verbose)
{
	struct stat st;
	memset(&st, 0, sizeof st);
	st.st_dev = makedev(0xfe, 0);
	st.st_ino = 10952991;
	st.st_mode = S_IFREG | 0644;
	st.st_nlink = 1;
	st.st_blksize = 4096;
	st.st_blocks = 8;
	st.st_size = 3181;
	st.st_atim = (struct timespec){ 1795565565, 798085632 };
	st.st_mtim = st.st_ctim = (struct timespec){ 1795565565, 775405437 };
	EQ(DECO(&dt_verbose, SYS_newfstatat, 0, (uint64_t)AT_FDCWD, U("/tmp/st/g2.c"), U(&st), 0),
	   "newfstatat(AT_FDCWD, \"/tmp/st/g2.c\", {st_dev=makedev(0xfe, 0), st_ino=10952991, "
	   "st_mode=S_IFREG|0644, st_nlink=1, st_uid=0, st_gid=0, st_blksize=4096, st_blocks=8, "
	   "st_size=3181, st_atime=1795565565 /* 2026-11-25T00:12:45.798085632+0000 */, "
	   "st_atime_nsec=798085632, st_mtime=1795565565 /* 2026-11-25T00:12:45.775405437+0000 */, "
	   "st_mtime_nsec=775405437, st_ctime=1795565565 /* 2026-11-25T00:12:45.775405437+0000 */, "
	   "st_ctime_nsec=775405437}, 0) = 0");
}
END_TEST

START_TEST(statx_struct)
{
	struct statx sx;
	memset(&sx, 0, sizeof sx);
	sx.stx_mask = 0x1fff;
	sx.stx_mode = S_IFLNK | 0777;
	sx.stx_size = 1;
	EQ(DEC(SYS_statx, 0, (uint64_t)AT_FDCWD, U("/tmp/st/l"),
	       AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT, 0xfff, U(&sx)),
	   "statx(AT_FDCWD, \"/tmp/st/l\", AT_STATX_SYNC_AS_STAT|AT_SYMLINK_NOFOLLOW|AT_NO_AUTOMOUNT, "
	   "STATX_ALL, {stx_mask=STATX_ALL|STATX_MNT_ID, stx_attributes=0, stx_mode=S_IFLNK|0777, "
	   "stx_size=1, ...}) = 0");
	sx.stx_mask = 0x17ff;
	sx.stx_mode = S_IFDIR | S_ISVTX | 0777;
	sx.stx_size = 4096;
	EQ(DEC(SYS_statx, 0, (uint64_t)AT_FDCWD, U("/tmp"), AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT,
	       0x25e, U(&sx)),
	   "statx(AT_FDCWD, \"/tmp\", AT_STATX_SYNC_AS_STAT|AT_SYMLINK_NOFOLLOW|AT_NO_AUTOMOUNT, "
	   "STATX_MODE|STATX_NLINK|STATX_UID|STATX_GID|STATX_MTIME|STATX_SIZE, {stx_mask="
	   "STATX_BASIC_STATS|STATX_MNT_ID, stx_attributes=0, stx_mode=S_IFDIR|S_ISVTX|0777, "
	   "stx_size=4096, ...}) = 0");
	EQ(DEC(SYS_statx, -ENOENT, (uint64_t)AT_FDCWD, U("/nonexist"), AT_NO_AUTOMOUNT, 2, U(&sx)),
	   dt_fmt("statx(AT_FDCWD, \"/nonexist\", AT_STATX_SYNC_AS_STAT|AT_NO_AUTOMOUNT, STATX_MODE, "
		  "%#lx) = -1 ENOENT (No such file or directory)", ADDR(&sx)));
}
END_TEST

START_TEST(statfs_struct)
{
	struct statfs f;
	memset(&f, 0, sizeof f);
	f.f_type = 0xef53;
	f.f_bsize = f.f_frsize = 4096;
	f.f_blocks = 66053021;
	f.f_bfree = 61889257;
	f.f_bavail = 20920533;
	f.f_files = 16777216;
	f.f_ffree = 16366094;
	int fsid[2] = { 0x11146553, 0x900a29 };
	memcpy(&f.f_fsid, fsid, sizeof fsid);
	f.f_namelen = 255;
	f.f_flags = 0x20 | 0x1000;
	EQ(DEC(SYS_statfs, 0, U("/"), U(&f)),
	   "statfs(\"/\", {f_type=EXT2_SUPER_MAGIC, f_bsize=4096, f_blocks=66053021, f_bfree=61889257, "
	   "f_bavail=20920533, f_files=16777216, f_ffree=16366094, f_fsid={val=[0x11146553, 0x900a29]}, "
	   "f_namelen=255, f_frsize=4096, f_flags=ST_VALID|ST_RELATIME}) = 0");
}
END_TEST

START_TEST(time_structs)
{
	struct timespec req = { 0, 10000000 }, rem = { 0, 480287600 };
	/* the remaining time is only meaningful when a signal interrupted the sleep */
	EQ(DEC(SYS_clock_nanosleep, 0, CLOCK_REALTIME, 0, U(&req), U(&rem)),
	   dt_fmt("clock_nanosleep(CLOCK_REALTIME, 0, {tv_sec=0, tv_nsec=10000000}, %#lx) = 0", ADDR(&rem)));
	EQ(DEC(SYS_clock_nanosleep, -516, CLOCK_REALTIME, 0, U(&req), U(&rem)),
	   "clock_nanosleep(CLOCK_REALTIME, 0, {tv_sec=0, tv_nsec=10000000}, {tv_sec=0, tv_nsec=480287600}) = ? ERESTART_RESTARTBLOCK (Interrupted by signal)");
	EQ(DEC(SYS_clock_nanosleep, 0, CLOCK_MONOTONIC, 0, U(&req), 0),
	   "clock_nanosleep(CLOCK_MONOTONIC, 0, {tv_sec=0, tv_nsec=10000000}, NULL) = 0");
	struct timespec now = { 0, 7151101 };
	EQ(DEC(SYS_clock_gettime, 0, CLOCK_PROCESS_CPUTIME_ID, U(&now)),
	   "clock_gettime(CLOCK_PROCESS_CPUTIME_ID, {tv_sec=0, tv_nsec=7151101}) = 0");
	struct itimerval it = { { 0, 0 }, { 0, 0 } };
	EQ(DEC(SYS_setitimer, 0, ITIMER_REAL, U(&it), 0),
	   "setitimer(ITIMER_REAL, {it_interval={tv_sec=0, tv_usec=0}, it_value={tv_sec=0, tv_usec=0}}, NULL) = 0");
	struct timespec ts2[2] = { { 0, UTIME_NOW }, { 1, UTIME_OMIT } };
	EQ(DEC(SYS_utimensat, 0, (uint64_t)AT_FDCWD, U("/tmp/st/f1"), U(ts2), 0),
	   "utimensat(AT_FDCWD, \"/tmp/st/f1\", [UTIME_NOW, UTIME_OMIT], 0) = 0");
	EQ(DEC(SYS_utimensat, 0, 0, 0, 0, 0), "utimensat(0, NULL, NULL, 0) = 0");
}
END_TEST

START_TEST(rlimit_struct)
{
	uint64_t rl[2] = { 8192 * 1024, UINT64_MAX };
	EQ(DEC(SYS_prlimit64, 0, 0, RLIMIT_STACK, 0, U(rl)),
	   "prlimit64(0, RLIMIT_STACK, NULL, {rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}) = 0");
	uint64_t cpu[2] = { 1000, 1025 };
	EQ(DEC(SYS_prlimit64, 0, 0, RLIMIT_CPU, U(cpu), 0),
	   "prlimit64(0, RLIMIT_CPU, {rlim_cur=1000, rlim_max=1025}, NULL) = 0");
	uint64_t nofile[2] = { 20000, 1024 };
	EQ(DEC(SYS_prlimit64, 0, 0, RLIMIT_NOFILE, 0, U(nofile)),
	   "prlimit64(0, RLIMIT_NOFILE, NULL, {rlim_cur=20000, rlim_max=1024}) = 0");
}
END_TEST

START_TEST(process_structs)
{
	struct rusage ru;
	memset(&ru, 0, sizeof ru);
	ru.ru_stime.tv_usec = 5786;
	EQ(DEC(SYS_getrusage, 0, RUSAGE_SELF, U(&ru)),
	   "getrusage(RUSAGE_SELF, {ru_utime={tv_sec=0, tv_usec=0}, ru_stime={tv_sec=0, tv_usec=5786}, ...}) = 0");
	ru.ru_maxrss = 1084;
	ru.ru_minflt = 61;
	ru.ru_nvcsw = 72;
	ru.ru_nivcsw = 1;
	EQ(DECO(&dt_verbose, SYS_getrusage, 0, (uint64_t)-1, U(&ru)),
	   "getrusage(RUSAGE_CHILDREN, {ru_utime={tv_sec=0, tv_usec=0}, ru_stime={tv_sec=0, tv_usec=5786}, "
	   "ru_maxrss=1084, ru_ixrss=0, ru_idrss=0, ru_isrss=0, ru_minflt=61, ru_majflt=0, ru_nswap=0, "
	   "ru_inblock=0, ru_oublock=0, ru_msgsnd=0, ru_msgrcv=0, ru_nsignals=0, ru_nvcsw=72, ru_nivcsw=1}) = 0");
	struct utsname u;
	memset(&u, 0, sizeof u);
	strcpy(u.sysname, "Linux");
	strcpy(u.nodename, "vm");
	strcpy(u.release, "6.18.44-fc-v782");
	strcpy(u.version, "#1 SMP PREEMPT_DYNAMIC @0");
	strcpy(u.machine, "x86_64");
	strcpy(u.domainname, "(none)");
	EQ(DEC(SYS_uname, 0, U(&u)), "uname({sysname=\"Linux\", nodename=\"vm\", ...}) = 0");
	EQ(DECO(&dt_verbose, SYS_uname, 0, U(&u)),
	   "uname({sysname=\"Linux\", nodename=\"vm\", release=\"6.18.44-fc-v782\", version=\"#1 SMP "
	   "PREEMPT_DYNAMIC @0\", machine=\"x86_64\", domainname=\"(none)\"}) = 0");
	struct sysinfo si;
	memset(&si, 0, sizeof si);
	si.uptime = 1430;
	si.loads[0] = 78144, si.loads[1] = 74016, si.loads[2] = 38560;
	si.totalram = 25276026880ul, si.freeram = 24945954816ul;
	si.sharedram = 9166848, si.bufferram = 1785856, si.procs = 110, si.mem_unit = 1;
	EQ(DEC(SYS_sysinfo, 0, U(&si)),
	   "sysinfo({uptime=1430, loads=[78144, 74016, 38560], totalram=25276026880, freeram=24945954816, "
	   "sharedram=9166848, bufferram=1785856, totalswap=0, freeswap=0, procs=110, totalhigh=0, "
	   "freehigh=0, mem_unit=1}) = 0");
	uint64_t cpus[16] = { 3 };
	EQ(DEC(SYS_sched_getaffinity, 32, 0, 128, U(cpus)), "sched_getaffinity(0, 128, [0 1]) = 32");
	int ids[3] = { 0, 0, 0 };
	EQ(DEC(SYS_getresuid, 0, U(&ids[0]), U(&ids[1]), U(&ids[2])), "getresuid([0], [0], [0]) = 0");
	unsigned groups[2] = { 0, 27 };
	EQ(DEC(SYS_getgroups, 0, 0, 0), "getgroups(0, NULL) = 0");
	EQ(DEC(SYS_getgroups, 0, 8, U(groups)), "getgroups(8, []) = 0");
	EQ(DEC(SYS_getgroups, 2, 8, U(groups)), "getgroups(8, [0, 27]) = 2");
}
END_TEST

/* a getdents64 buffer with the given names */
static size_t dirents(unsigned char *buf, const char *const *names, unsigned n)
{
	size_t off = 0;
	for (unsigned i = 0; i < n; i++) {
		size_t len = strlen(names[i]);
		uint16_t reclen = (uint16_t)((19 + len + 1 + 7) & ~7u);
		uint64_t ino = 100 + i, doff = i + 1;
		memset(buf + off, 0, reclen);
		memcpy(buf + off, &ino, 8);
		memcpy(buf + off + 8, &doff, 8);
		memcpy(buf + off + 16, &reclen, 2);
		buf[off + 18] = i ? 8 : 4;
		memcpy(buf + off + 19, names[i], len);
		off += reclen;
	}
	return off;
}

START_TEST(getdents_struct)
{
	static unsigned char buf[256];
	static const char *const names[] = { ".", "h.c", "longer-name" };
	size_t len = dirents(buf, names, 3);
	EQ(DEC(SYS_getdents64, (long)len, 3, U(buf), 32768),
	   dt_fmt("getdents64(3, %#lx /* 3 entries */, 32768) = %zu", ADDR(buf), len));
	EQ(DEC(SYS_getdents64, 0, 3, U(buf), 32768),
	   dt_fmt("getdents64(3, %#lx /* 0 entries */, 32768) = 0", ADDR(buf)));
	EQ(DECO(&dt_verbose, SYS_getdents64, (long)len, 3, U(buf), 32768),
	   dt_fmt("getdents64(3, [{d_ino=100, d_off=1, d_reclen=24, d_type=DT_DIR, d_name=\".\"}, "
		  "{d_ino=101, d_off=2, d_reclen=24, d_type=DT_REG, d_name=\"h.c\"}, "
		  "{d_ino=102, d_off=3, d_reclen=32, d_type=DT_REG, d_name=\"longer-name\"}], 32768) = %zu", len));
	EQ(DEC(SYS_getdents64, -EBADF, 3, U(buf), 32768),
	   dt_fmt("getdents64(3, %#lx, 32768) = -1 EBADF (Bad file descriptor)", ADDR(buf)));
}
END_TEST

/* --- signals --- */

START_TEST(sigaction_struct)
{
	struct { uint64_t handler, flags, restorer, mask; } act = {
		1, 0x04000000 | 0x10000000, 0x7fd22228f050, 1ull << (SIGUSR1 - 1) }, old = { 0, 0, 0, 0 };
	EQ(DEC(SYS_rt_sigaction, 0, SIGUSR2, U(&act), 0, 8),
	   "rt_sigaction(SIGUSR2, {sa_handler=SIG_IGN, sa_mask=[USR1], sa_flags=SA_RESTORER|SA_RESTART, sa_restorer=0x7fd22228f050}, NULL, 8) = 0");
	EQ(DEC(SYS_rt_sigaction, 0, SIGINT, 0, U(&old), 8),
	   "rt_sigaction(SIGINT, NULL, {sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}, 8) = 0");
	act.handler = 0x56057e8fbdc0;
	act.flags = 0x04000000;
	act.mask = ~((1ull << 31) | (1ull << 32));
	EQ(DEC(SYS_rt_sigaction, 0, SIGCHLD, U(&act), 0, 8),
	   "rt_sigaction(SIGCHLD, {sa_handler=0x56057e8fbdc0, sa_mask=~[RTMIN RT_1], sa_flags=SA_RESTORER, sa_restorer=0x7fd22228f050}, NULL, 8) = 0");
}
END_TEST

START_TEST(sigsets)
{
	uint64_t set = (1ull << (SIGINT - 1)) | (1ull << (SIGTERM - 1)), old = set;
	EQ(DEC(SYS_rt_sigprocmask, 0, SIG_UNBLOCK, U(&set), U(&old), 8),
	   "rt_sigprocmask(SIG_UNBLOCK, [INT TERM], [INT TERM], 8) = 0");
	uint64_t rt = (1ull << 33) | (1ull << 39) | (1ull << 63), none = 0;
	EQ(DEC(SYS_rt_sigprocmask, 0, SIG_SETMASK, U(&rt), 0, 8),
	   "rt_sigprocmask(SIG_SETMASK, [RT_2 RT_8 RT_32], NULL, 8) = 0");
	uint64_t most = ~((1ull << (SIGKILL - 1)) | (1ull << (SIGSTOP - 1)) | (1ull << 31) | (1ull << 32));
	EQ(DEC(SYS_rt_sigprocmask, 0, SIG_SETMASK, U(&none), U(&most), 8),
	   "rt_sigprocmask(SIG_SETMASK, [], ~[KILL STOP RTMIN RT_1], 8) = 0");
	uint64_t io = 1ull << (SIGIO - 1);
	EQ(DEC(SYS_rt_sigprocmask, 0, SIG_BLOCK, U(&io), 0, 8), "rt_sigprocmask(SIG_BLOCK, [IO], NULL, 8) = 0");
	/* a size the kernel does not use: the address */
	EQ(DEC(SYS_rt_sigprocmask, -EINVAL, SIG_BLOCK, U(&io), 0, 16),
	   dt_fmt("rt_sigprocmask(SIG_BLOCK, %#lx, NULL, 16) = -1 EINVAL (Invalid argument)", ADDR(&io)));
	struct { uint64_t sp; int32_t flags, pad; uint64_t size; } ss = { 0x55d6ee2322a0, 0, 0, 65536 };
	EQ(DEC(SYS_sigaltstack, 0, U(&ss), 0),
	   "sigaltstack({ss_sp=0x55d6ee2322a0, ss_flags=0, ss_size=65536}, NULL) = 0");
	EQ(DEC(SYS_kill, 0, 3121, 0), "kill(3121, 0) = 0");
	EQ(DEC(SYS_tgkill, 0, 3124, 3124, SIGSTOP), "tgkill(3124, 3124, SIGSTOP) = 0");
	siginfo_t si;
	memset(&si, 0, sizeof si);
	si.si_signo = SIGUSR2;
	si.si_code = SI_QUEUE;
	si.si_pid = 27053;
	si.si_value.sival_int = 42;
	uint64_t usr2 = 1ull << (SIGUSR2 - 1);
	EQ(DEC(SYS_rt_sigtimedwait, SIGUSR2, U(&usr2), U(&si), 0, 8),
	   "rt_sigtimedwait([USR2], {si_signo=SIGUSR2, si_code=SI_QUEUE, si_pid=27053, si_uid=0, si_int=42, si_ptr=0x2a}, NULL, 8) = 12 (SIGUSR2)");
}
END_TEST

START_TEST(signal_lines)
{
	static struct strbuf sb = STRBUF_INIT;
	siginfo_t si;
	memset(&si, 0, sizeof si);
	si.si_signo = SIGCHLD;
	si.si_code = CLD_EXITED;
	si.si_pid = 42;
	si.si_utime = 4;
	si.si_stime = 2;
	strbuf_reset(&sb);
	trace_decode_signal(&sb, &si);
	EQ(sb.buf, "--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=42, si_uid=0, si_status=0, "
		   "si_utime=4 /* 0.04 s */, si_stime=2 /* 0.02 s */} ---");
	si.si_code = CLD_KILLED;
	si.si_status = SIGSEGV;
	si.si_utime = si.si_stime = 0;
	strbuf_reset(&sb);
	trace_decode_signal(&sb, &si);
	EQ(sb.buf, "--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_KILLED, si_pid=42, si_uid=0, si_status=SIGSEGV, "
		   "si_utime=0, si_stime=0} ---");
	memset(&si, 0, sizeof si);
	si.si_signo = SIGSEGV;
	si.si_code = SEGV_MAPERR;
	strbuf_reset(&sb);
	trace_decode_signal(&sb, &si);
	EQ(sb.buf, "--- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=NULL} ---");
	memset(&si, 0, sizeof si);
	si.si_signo = SIGTERM;
	si.si_code = SI_USER;
	si.si_pid = 3123;
	strbuf_reset(&sb);
	trace_decode_signal(&sb, &si);
	EQ(sb.buf, "--- SIGTERM {si_signo=SIGTERM, si_code=SI_USER, si_pid=3123, si_uid=0} ---");
	memset(&si, 0, sizeof si);
	si.si_signo = SIGALRM;
	si.si_code = SI_KERNEL;
	strbuf_reset(&sb);
	trace_decode_signal(&sb, &si);
	EQ(sb.buf, "--- SIGALRM {si_signo=SIGALRM, si_code=SI_KERNEL} ---");
	memset(&si, 0, sizeof si);
	si.si_signo = 34;
	si.si_code = SI_TKILL;
	si.si_pid = 7;
	strbuf_reset(&sb);
	trace_decode_signal(&sb, &si);
	EQ(sb.buf, "--- SIGRT_2 {si_signo=SIGRT_2, si_code=SI_TKILL, si_pid=7, si_uid=0} ---");
}
END_TEST

START_TEST(exit_lines)
{
	static struct strbuf sb = STRBUF_INIT;
	strbuf_reset(&sb);
	trace_decode_exit_status(&sb, 0);
	EQ(sb.buf, "+++ exited with 0 +++");
	strbuf_reset(&sb);
	trace_decode_exit_status(&sb, 3 << 8);
	EQ(sb.buf, "+++ exited with 3 +++");
	strbuf_reset(&sb);
	trace_decode_exit_status(&sb, SIGKILL);
	EQ(sb.buf, "+++ killed by SIGKILL +++");
	strbuf_reset(&sb);
	trace_decode_exit_status(&sb, SIGSEGV | 0x80);
	EQ(sb.buf, "+++ killed by SIGSEGV (core dumped) +++");
	char buf[16];
	EQ(trace_signal_name(SIGIO, buf), "SIGIO");
	EQ(trace_signal_name(32, buf), "SIGRTMIN");
	EQ(trace_signal_name(64, buf), "SIGRT_32");
	EQ(trace_signal_name(0, buf), "0");
}
END_TEST

/* --- processes --- */

START_TEST(wait_statuses)
{
	int st = 3 << 8;
	struct rusage ru;
	memset(&ru, 0, sizeof ru);
	ru.ru_stime.tv_usec = 1281;
	EQ(DEC(SYS_wait4, 3122, 3122, U(&st), 0, U(&ru)),
	   "wait4(3122, [{WIFEXITED(s) && WEXITSTATUS(s) == 3}], 0, {ru_utime={tv_sec=0, tv_usec=0}, ru_stime={tv_sec=0, tv_usec=1281}, ...}) = 3122");
	st = SIGTERM;
	EQ(DEC(SYS_wait4, 3123, 3123, U(&st), 0, 0),
	   "wait4(3123, [{WIFSIGNALED(s) && WTERMSIG(s) == SIGTERM}], 0, NULL) = 3123");
	st = SIGABRT | 0x80;
	EQ(DEC(SYS_wait4, 27056, 27056, U(&st), 0, 0),
	   "wait4(27056, [{WIFSIGNALED(s) && WTERMSIG(s) == SIGABRT && WCOREDUMP(s)}], 0, NULL) = 27056");
	st = (SIGSTOP << 8) | 0x7f;
	EQ(DEC(SYS_wait4, 3124, 3124, U(&st), WUNTRACED, 0),
	   "wait4(3124, [{WIFSTOPPED(s) && WSTOPSIG(s) == SIGSTOP}], WSTOPPED, NULL) = 3124");
	/* WNOHANG with nothing to report: the status is not written */
	EQ(DEC(SYS_wait4, 0, (uint64_t)-1, U(&st), WNOHANG, 0),
	   dt_fmt("wait4(-1, %#lx, WNOHANG, NULL) = 0", ADDR(&st)));
	EQ(DEC(SYS_wait4, -ECHILD, (uint64_t)-1, 0, WNOHANG, 0),
	   "wait4(-1, NULL, WNOHANG, NULL) = -1 ECHILD (No child processes)");
	siginfo_t si;
	memset(&si, 0, sizeof si);
	si.si_signo = SIGCHLD;
	si.si_code = CLD_EXITED;
	si.si_pid = 3124;
	EQ(DEC(SYS_waitid, 0, P_PID, 3124, U(&si), WEXITED, 0),
	   "waitid(P_PID, 3124, {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=3124, si_uid=0, si_status=0, si_utime=0, si_stime=0}, WEXITED, NULL) = 0");
}
END_TEST

START_TEST(clone_calls)
{
	EQ(DEC(SYS_clone, 29114, 0x01200000 | SIGCHLD, 0, 0, 0x7f36eaa8ba10, 0),
	   "clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f36eaa8ba10) = 29114");
	int ptid = 27055;
	EQ(DEC(SYS_clone, 27055, 0x00100000 | SIGCHLD, 0, U(&ptid), 0, 0),
	   "clone(child_stack=NULL, flags=CLONE_PARENT_SETTID|SIGCHLD, parent_tid=[27055]) = 27055");
	EQ(DEC(SYS_clone, 5, 0x4000 | 0x100 | SIGCHLD, 0x7ffd0000, 0, 0, 0),
	   "clone(child_stack=0x7ffd0000, flags=CLONE_VM|CLONE_VFORK|SIGCHLD) = 5");
	/* clone3: the struct at entry, what the kernel wrote at exit */
	int child = 0, parent = 27054;
	uint64_t ca[11] = { 0x00100000 | 0x01000000, 0, U(&child), U(&parent), SIGCHLD, 0, 0, 0, 0, 0, 0 };
	EQ(DEC(SYS_clone3, 27054, U(ca), 88),
	   dt_fmt("clone3({flags=CLONE_PARENT_SETTID|CLONE_CHILD_SETTID, child_tid=%#lx, parent_tid=%#lx, "
		  "exit_signal=SIGCHLD, stack=NULL, stack_size=0} => {parent_tid=[27054]}, 88) = 27054",
		  ADDR(&child), ADDR(&parent)));
	EQ(DEC(SYS_vfork, 3126), "vfork() = 3126");
	EQ(DEC(SYS_set_tid_address, 29102, 0x7f36eaa8ba10), "set_tid_address(0x7f36eaa8ba10) = 29102");
	EQ(DEC(SYS_set_robust_list, 0, 0x7f36eaa8ba20, 24), "set_robust_list(0x7f36eaa8ba20, 24) = 0");
	EQ(DEC(SYS_rseq, 0, 0x7f36eaa8c060, 0x20, 0, 0x53053053),
	   "rseq(0x7f36eaa8c060, 0x20, 0, 0x53053053) = 0");
}
END_TEST

START_TEST(execve_args)
{
	const char *argv[] = { "/bin/true", "arg1", "a b\n", NULL };
	const char *envp[] = { "A=1", "B=2", NULL };
	EQ(DEC(SYS_execve, 0, U("/bin/true"), U(argv), U(envp)),
	   dt_fmt("execve(\"/bin/true\", [\"/bin/true\", \"arg1\", \"a b\\n\"], %#lx /* 2 vars */) = 0", ADDR(envp)));
	EQ(DECO(&dt_verbose, SYS_execve, 0, U("/bin/true"), U(argv), U(envp)),
	   "execve(\"/bin/true\", [\"/bin/true\", \"arg1\", \"a b\\n\"], [\"A=1\", \"B=2\"]) = 0");
	/* long strings are cut at -s, long arrays after -s elements */
	const char *longv[] = { "sh", "-c", "cp /etc/passwd /tmp/st/p; mkdir -p /tmp/st/d/e", NULL };
	EQ(DEC(SYS_execve, 0, U("/usr/bin/sh"), U(longv), 0),
	   "execve(\"/usr/bin/sh\", [\"sh\", \"-c\", \"cp /etc/passwd /tmp/st/p; mkdir \"...], NULL) = 0");
	struct trace_fmt_opts s2 = { 2, false, false };
	EQ(DECO(&s2, SYS_execve, 0, U("/bin/true"), U(argv), U(envp)),
	   dt_fmt("execve(\"/bin/true\", [\"/b\"..., \"ar\"..., ...], %#lx /* 2 vars */) = 0", ADDR(envp)));
	const char *one[] = { "X=1", NULL };
	EQ(DEC(SYS_execve, 0, U("/x"), U(one), U(one)), dt_fmt("execve(\"/x\", [\"X=1\"], %#lx /* 1 var */) = 0", ADDR(one)));
}
END_TEST

START_TEST(commands)
{
	uint64_t fs = 0x7fd222250740;
	EQ(DEC(SYS_arch_prctl, 0, 0x1002, 0x7ff953bc9800), "arch_prctl(ARCH_SET_FS, 0x7ff953bc9800) = 0");
	EQ(DEC(SYS_arch_prctl, 0, 0x1003, U(&fs)), "arch_prctl(ARCH_GET_FS, [0x7fd222250740]) = 0");
	EQ(DEC(SYS_arch_prctl, -EINVAL, 0x3001, 0x7ffc1000),
	   "arch_prctl(0x3001 /* ARCH_??? */, 0x7ffc1000) = -1 EINVAL (Invalid argument)");
	EQ(DEC(SYS_futex, 0, 0x7f97468bda4c, FUTEX_WAKE_PRIVATE, 2147483647),
	   "futex(0x7f97468bda4c, FUTEX_WAKE_PRIVATE, 2147483647) = 0");
	struct timespec to = { 0, 1000 };
	EQ(DEC(SYS_futex, -ETIMEDOUT, 0x7ffd8d8d03a8, FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 0,
	       U(&to), 0, FUTEX_BITSET_MATCH_ANY),
	   "futex(0x7ffd8d8d03a8, FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME, 0, {tv_sec=0, tv_nsec=1000}, FUTEX_BITSET_MATCH_ANY) = -1 ETIMEDOUT (Connection timed out)");
	EQ(DEC(SYS_futex, -EAGAIN, 0x7ffd8d8d03a8, FUTEX_WAIT, 1, 0),
	   "futex(0x7ffd8d8d03a8, FUTEX_WAIT, 1, NULL) = -1 EAGAIN (Resource temporarily unavailable)");
	EQ(DEC(SYS_futex, 0, 0x7ffd8d8d03a8, FUTEX_WAKE_OP_PRIVATE, 1, 1, 0x7ffd8d8d05b8,
	       FUTEX_OP(FUTEX_OP_ADD, 1, FUTEX_OP_CMP_GT, 0)),
	   "futex(0x7ffd8d8d03a8, FUTEX_WAKE_OP_PRIVATE, 1, 1, 0x7ffd8d8d05b8, FUTEX_OP_ADD<<28|0x1<<12|FUTEX_OP_CMP_GT<<24|0) = 0");
	EQ(DEC(SYS_prctl, 0, PR_SET_NAME, U("g1name")), "prctl(PR_SET_NAME, \"g1name\") = 0");
	EQ(DEC(SYS_prctl, 0, PR_GET_NAME, U("g1name")), "prctl(PR_GET_NAME, \"g1name\") = 0");
	EQ(DEC(SYS_prctl, 0, PR_SET_PDEATHSIG, SIGKILL), "prctl(PR_SET_PDEATHSIG, SIGKILL) = 0");
	EQ(DEC(SYS_prctl, 1, PR_GET_DUMPABLE), "prctl(PR_GET_DUMPABLE) = 1 (SUID_DUMP_USER)");
	EQ(DEC(SYS_prctl, 0, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) = 0");
	int one = 1;
	EQ(DEC(SYS_prctl, 0, PR_GET_CHILD_SUBREAPER, U(&one)), "prctl(PR_GET_CHILD_SUBREAPER, [1]) = 0");
	EQ(DEC(SYS_prctl, 1, PR_CAPBSET_READ, 5), "prctl(PR_CAPBSET_READ, CAP_KILL) = 1");
}
END_TEST

START_TEST(misc_calls)
{
	EQ(DEC(SYS_mount, -ENOENT, U("none"), U("/nonexistent"), U("tmpfs"), MS_NOSUID | MS_NODEV, U("size=1m")),
	   "mount(\"none\", \"/nonexistent\", \"tmpfs\", MS_NOSUID|MS_NODEV, \"size=1m\") = -1 ENOENT (No such file or directory)");
	EQ(DEC(SYS_inotify_add_watch, 1, 6, U("/tmp"), 0x300),
	   "inotify_add_watch(6, \"/tmp\", IN_CREATE|IN_DELETE) = 1");
	EQ(DEC(SYS_inotify_init, 6), "inotify_init() = 6");
	EQ(DEC(SYS_personality, 0, 0xffffffff), "personality(0xffffffff) = 0 (PER_LINUX)");
	EQ(DEC(SYS_time, 1795566597, 0), "time(NULL) = 1795566597 (2026-11-25T00:29:57+0000)");
	struct itimerspec its = { { 0, 0 }, { 0, 1000000 } };
	EQ(DEC(SYS_timerfd_settime, 0, 4, 1, U(&its), 0),
	   "timerfd_settime(4, TFD_TIMER_ABSTIME, {it_interval={tv_sec=0, tv_nsec=0}, it_value={tv_sec=0, tv_nsec=1000000}}, NULL) = 0");
	int lg[2] = { 1, 5 };
	EQ(DEC(SYS_setsockopt, 0, 14, SOL_SOCKET, SO_LINGER, U(lg), 8),
	   "setsockopt(14, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=5}, 8) = 0");
	int one = 1;
	EQ(DEC(SYS_setsockopt, 0, 14, IPPROTO_TCP, 1, U(&one), 4), "setsockopt(14, SOL_TCP, TCP_NODELAY, [1], 4) = 0");
	EQ(DEC(SYS_setsockopt, 0, 14, SOL_SOCKET, SO_BINDTODEVICE, U("lo"), 3),
	   "setsockopt(14, SOL_SOCKET, SO_BINDTODEVICE, \"lo\\0\", 3) = 0");
	/* restart_syscall names the call it resumes; the loop knows which */
	static struct strbuf sb = STRBUF_INIT;
	uint64_t a[6] = { 0 };
	strbuf_reset(&sb);
	int from = trace_decode_restart(&sb, SYS_clock_nanosleep);
	trace_decode_exit(&sb, getpid(), SYS_restart_syscall, a, from, -516, &dt_plain);
	EQ(sb.buf, "restart_syscall(<... resuming interrupted clock_nanosleep ...>) = ? ERESTART_RESTARTBLOCK (Interrupted by signal)");
}
END_TEST

/* --- sockets and polling --- */

START_TEST(socket_calls)
{
	EQ(DEC(SYS_socket, 13, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP),
	   "socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC, IPPROTO_UDP) = 13");
	EQ(DEC(SYS_socket, 3, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0),
	   "socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK, 0) = 3");
	struct sockaddr_un su = { AF_UNIX, "/var/run/nscd/socket" };
	EQ(DEC(SYS_connect, -ENOENT, 3, U(&su), 110),
	   "connect(3, {sa_family=AF_UNIX, sun_path=\"/var/run/nscd/socket\"}, 110) = -1 ENOENT (No such file or directory)");
	struct sockaddr_un ab = { AF_UNIX, "" };
	memcpy(ab.sun_path + 1, "abstract", 8);
	EQ(DEC(SYS_bind, 0, 6, U(&ab), 11), "bind(6, {sa_family=AF_UNIX, sun_path=@\"abstract\"}, 11) = 0");
	struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons(53), .sin_addr.s_addr = htonl(0x7f000001) };
	EQ(DEC(SYS_connect, 0, 13, U(&in), 16),
	   "connect(13, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr(\"127.0.0.1\")}, 16) = 0");
	EQ(DEC(SYS_sendto, 1, 13, U("q"), 1, MSG_DONTWAIT | MSG_NOSIGNAL, U(&in), 16),
	   "sendto(13, \"q\", 1, MSG_DONTWAIT|MSG_NOSIGNAL, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr(\"127.0.0.1\")}, 16) = 1");
	struct sockaddr_in6 in6 = { .sin6_family = AF_INET6, .sin6_port = htons(80), .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	EQ(DEC(SYS_connect, -ECONNREFUSED, 14, U(&in6), 28),
	   "connect(14, {sa_family=AF_INET6, sin6_port=htons(80), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, \"::1\", &sin6_addr), sin6_scope_id=0}, 28) = -1 ECONNREFUSED (Connection refused)");
	socklen_t len = 16;
	EQ(DEC(SYS_getsockname, 0, 13, U(&in), U(&len)),
	   "getsockname(13, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr(\"127.0.0.1\")}, [16]) = 0");
	len = 110;
	EQ(DEC(SYS_accept4, -EAGAIN, 15, U(&su), U(&len), SOCK_CLOEXEC),
	   dt_fmt("accept4(15, %#lx, [110], SOCK_CLOEXEC) = -1 EAGAIN (Resource temporarily unavailable)", ADDR(&su)));
	int v = 1;
	EQ(DEC(SYS_setsockopt, 0, 13, SOL_SOCKET, SO_REUSEADDR, U(&v), 4),
	   "setsockopt(13, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0");
	EQ(DEC(SYS_shutdown, 0, 11, SHUT_WR), "shutdown(11, SHUT_WR) = 0");
	EQ(DEC(SYS_recvfrom, 3, 8, U("abc"), 10, 0, 0, 0), "recvfrom(8, \"abc\", 10, 0, NULL, NULL) = 3");
}
END_TEST

START_TEST(socklen_changed_by_the_call)
{
	/* strace shows the value at entry and the one the kernel wrote */
	static struct strbuf sb = STRBUF_INIT;
	struct sockaddr_un su = { AF_UNIX, "" };
	socklen_t len = 110;
	uint64_t a[6] = { 4, U(&su), U(&len) };
	strbuf_reset(&sb);
	int from = trace_decode_entry(&sb, getpid(), SYS_getpeername, a, &dt_plain);
	len = 2;
	trace_decode_exit(&sb, getpid(), SYS_getpeername, a, from, 0, &dt_plain);
	EQ(sb.buf, "getpeername(4, {sa_family=AF_UNIX}, [110 => 2]) = 0");
}
END_TEST

START_TEST(io_vectors)
{
	struct iovec iov[2] = { { "hello", 5 }, { "world\n", 6 } };
	EQ(DEC(SYS_writev, 11, 9, U(iov), 2),
	   "writev(9, [{iov_base=\"hello\", iov_len=5}, {iov_base=\"world\\n\", iov_len=6}], 2) = 11");
	/* readv shows what was read: the result's bytes, spread over the buffers */
	char b1[3] = "hel", b2[20] = "loworld\n";
	struct iovec riov[2] = { { b1, 3 }, { b2, 20 } };
	EQ(DEC(SYS_readv, 23, 9, U(riov), 2),
	   "readv(9, [{iov_base=\"hel\", iov_len=3}, {iov_base=\"loworld\\n\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\", iov_len=20}], 2) = 23");
	EQ(DEC(SYS_readv, 5, 9, U(riov), 2),
	   "readv(9, [{iov_base=\"hel\", iov_len=3}, {iov_base=\"lo\", iov_len=20}], 2) = 5");
	struct iovec siov = { "hello", 5 };
	struct msghdr mh = { .msg_iov = &siov, .msg_iovlen = 1 };
	EQ(DEC(SYS_sendmsg, 5, 7, U(&mh), 0),
	   "sendmsg(7, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"hello\", iov_len=5}], msg_iovlen=1, msg_controllen=0, msg_flags=0}, 0) = 5");
}
END_TEST

START_TEST(polling)
{
	struct pollfd pfd[2] = { { 7, POLLIN, 0 }, { 8, POLLOUT | POLLIN, POLLOUT } };
	EQ(DEC(SYS_poll, 1, U(pfd), 2, 0),
	   "poll([{fd=7, events=POLLIN}, {fd=8, events=POLLIN|POLLOUT}], 2, 0) = 1 ([{fd=8, revents=POLLOUT}])");
	EQ(DEC(SYS_poll, 0, U(pfd), 1, 0), "poll([{fd=7, events=POLLIN}], 1, 0) = 0 (Timeout)");
	uint64_t rd = (1 << 7) | (1 << 8), none_set = 0;
	struct timespec zero = { 0, 0 };
	EQ(DEC(SYS_pselect6, 0, 9, U(&rd), 0, 0, U(&zero), 0),
	   "pselect6(9, [7 8], NULL, NULL, {tv_sec=0, tv_nsec=0}, NULL) = 0 (Timeout)");
	uint64_t in = 1 << 4, out = 1 << 5;
	EQ(DEC(SYS_pselect6, 2, 6, U(&in), U(&out), 0, 0, 0),
	   "pselect6(6, [4], [5], NULL, NULL, NULL) = 2 (in [4], out [5])");
	struct timespec left = { 1, 499996965 };
	EQ(DEC(SYS_pselect6, 1, 5, U(&in), 0, 0, U(&left), 0),
	   "pselect6(5, [4], NULL, NULL, {tv_sec=1, tv_nsec=499996965}, NULL) = 1 (in [4], left {tv_sec=1, tv_nsec=499996965})");
	EQ(DEC(SYS_pselect6, 0, 6, U(&none_set), 0, 0, U(&zero), 0),
	   "pselect6(6, [], NULL, NULL, {tv_sec=0, tv_nsec=0}, NULL) = 0 (Timeout)");
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data.fd = 8 };
	EQ(DEC(SYS_epoll_ctl, 0, 16, EPOLL_CTL_ADD, 8, U(&ev)),
	   "epoll_ctl(16, EPOLL_CTL_ADD, 8, {events=EPOLLIN|EPOLLET, data={u32=8, u64=8}}) = 0");
	EQ(DEC(SYS_epoll_wait, 0, 16, U(&ev), 4, 0), "epoll_wait(16, [], 4, 0) = 0");
	ev.events = EPOLLIN;
	EQ(DEC(SYS_epoll_wait, 1, 16, U(&ev), 4, (uint64_t)-1),
	   "epoll_wait(16, [{events=EPOLLIN, data={u32=8, u64=8}}], 4, -1) = 1");
}
END_TEST

void decode_more_tests(Suite *s)
{
	TCase *t = tcase_create("structs");
	tcase_add_checked_fixture(t, dt_setup, NULL);
	tcase_add_test(t, stat_struct);
	tcase_add_test(t, stat_verbose);
	tcase_add_test(t, statx_struct);
	tcase_add_test(t, statfs_struct);
	tcase_add_test(t, time_structs);
	tcase_add_test(t, rlimit_struct);
	tcase_add_test(t, process_structs);
	tcase_add_test(t, getdents_struct);
	suite_add_tcase(s, t);
	t = tcase_create("signals");
	tcase_add_checked_fixture(t, dt_setup, NULL);
	tcase_add_test(t, sigaction_struct);
	tcase_add_test(t, sigsets);
	tcase_add_test(t, signal_lines);
	tcase_add_test(t, exit_lines);
	suite_add_tcase(s, t);
	t = tcase_create("processes");
	tcase_add_checked_fixture(t, dt_setup, NULL);
	tcase_add_test(t, wait_statuses);
	tcase_add_test(t, clone_calls);
	tcase_add_test(t, execve_args);
	tcase_add_test(t, commands);
	tcase_add_test(t, misc_calls);
	suite_add_tcase(s, t);
	t = tcase_create("sockets");
	tcase_add_checked_fixture(t, dt_setup, NULL);
	tcase_add_test(t, socket_calls);
	tcase_add_test(t, socklen_changed_by_the_call);
	tcase_add_test(t, io_vectors);
	tcase_add_test(t, polling);
	suite_add_tcase(s, t);
}
