/* tests/guests/pidargs.c - syscalls that name another process by pid: scheduling,
 * priority, resource limits, pidfds, process_vm_readv, capget; each on a child,
 * and each on a pid that names no process (ESRCH). */
#include <errno.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
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

static volatile long secret = 0;

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	alarm(30);
	int p[2];
	char c;
	if (pipe(p)) return 2;
	secret = 0x5eC2e7;
	pid_t child = fork();
	if (child == 0) {
		secret = 0xC41D;
		close(p[0]);
		if (write(p[1], "r", 1) != 1) _exit(2);
		for (;;) pause();
	}
	close(p[1]);
	if (read(p[0], &c, 1) != 1) return 2;

	/* scheduling */
	cpu_set_t mine, its;
	CPU_ZERO(&mine);
	CPU_ZERO(&its);
	check(sched_getaffinity(0, sizeof mine, &mine) == 0, "sched_getaffinity(0) succeeded");
	check(sched_getaffinity(child, sizeof its, &its) == 0, "sched_getaffinity(child) succeeded");
	check(CPU_EQUAL(&mine, &its), "child's affinity == ours");
	check(sched_setaffinity(child, sizeof its, &its) == 0, "sched_setaffinity(child) succeeded");
	check(sched_getscheduler(child) == SCHED_OTHER, "sched_getscheduler(child) == SCHED_OTHER");
	struct sched_param sp;
	check(sched_getparam(child, &sp) == 0 && sp.sched_priority == 0, "sched_getparam(child): priority 0");
	struct timespec ts;
	check(sched_rr_get_interval(child, &ts) == 0, "sched_rr_get_interval(child) succeeded");

	/* priority */
	errno = 0;
	int mynice = getpriority(PRIO_PROCESS, 0);
	check(errno == 0, "getpriority(PRIO_PROCESS, 0) succeeded");
	errno = 0;
	int its_nice = getpriority(PRIO_PROCESS, child);
	check(errno == 0 && its_nice == mynice, "getpriority(PRIO_PROCESS, child) == ours");
	int target = mynice + 3 > 19 ? 19 : mynice + 3;
	check(setpriority(PRIO_PROCESS, child, target) == 0, "setpriority(child, nice+3) succeeded");
	errno = 0;
	check(getpriority(PRIO_PROCESS, child) == target && errno == 0, "getpriority(child) reads it back");
	check(getpriority(PRIO_PROCESS, 0) == mynice, "our own nice unchanged");
	setpgid(child, child);
	errno = 0;
	check(getpriority(PRIO_PGRP, child) == target && errno == 0, "getpriority(PRIO_PGRP, child's group)");

	/* limits */
	struct rlimit mylim, itslim;
	check(prlimit(0, RLIMIT_NOFILE, NULL, &mylim) == 0, "prlimit(0) succeeded");
	check(prlimit(child, RLIMIT_NOFILE, NULL, &itslim) == 0, "prlimit(child) succeeded");
	check(mylim.rlim_cur == itslim.rlim_cur && mylim.rlim_max == itslim.rlim_max, "child's limit == ours");
	struct rlimit lower = { itslim.rlim_cur / 2, itslim.rlim_max };
	check(prlimit(child, RLIMIT_NOFILE, &lower, NULL) == 0, "prlimit(child) can set");
	check(prlimit(child, RLIMIT_NOFILE, NULL, &itslim) == 0 && itslim.rlim_cur == lower.rlim_cur,
	      "prlimit(child) reads the new limit back");

	/* memory */
	long val = 0;
	struct iovec local = { &val, sizeof val }, remote = { (void *)&secret, sizeof secret };
	check(process_vm_readv(child, &local, 1, &remote, 1, 0) == sizeof val, "process_vm_readv(child) succeeded");
	check(val == 0xC41D, "process_vm_readv read the child's value");

	/* capabilities */
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, child };
	struct __user_cap_data_struct data[2], mydata[2];
	check(syscall(SYS_capget, &hdr, data) == 0, "capget(child) succeeded");
	hdr.pid = 0;
	syscall(SYS_capget, &hdr, mydata);
	check(!memcmp(data, mydata, sizeof data), "child's capabilities == ours");

	/* pidfd */
	int pfd = (int)syscall(SYS_pidfd_open, child, 0);
	check(pfd >= 0, "pidfd_open(child) succeeded");
	check(syscall(SYS_pidfd_send_signal, pfd, SIGKILL, NULL, 0) == 0, "pidfd_send_signal(SIGKILL) succeeded");
	siginfo_t si;
	memset(&si, 0, sizeof si);
	check(waitid(P_PIDFD, pfd, &si, WEXITED) == 0, "waitid(P_PIDFD) succeeded");
	check(si.si_pid == child && si.si_code == CLD_KILLED && si.si_status == SIGKILL,
	      "waitid(P_PIDFD): the child, killed by SIGKILL");
	close(pfd);

	/* now the child is gone; and 999999 never existed */
	pid_t gone[2] = { child, 999999 };
	for (int i = 0; i < 2; i++) {
		pid_t x = gone[i];
		const char *who = i ? "999999" : "reaped child";
		char what[128];
#define CHECK_ESRCH(expr, name) do { errno = 0; long r_ = (long)(expr); \
		snprintf(what, sizeof what, "%s(%s): ESRCH", name, who); \
		check(r_ == -1 && errno == ESRCH, what); } while (0)
		CHECK_ESRCH(kill(x, 0), "kill");
		CHECK_ESRCH(sched_getaffinity(x, sizeof its, &its), "sched_getaffinity");
		CHECK_ESRCH(sched_getscheduler(x), "sched_getscheduler");
		CHECK_ESRCH(getpriority(PRIO_PROCESS, x), "getpriority");
		CHECK_ESRCH(prlimit(x, RLIMIT_NOFILE, NULL, &itslim), "prlimit");
		CHECK_ESRCH(getpgid(x), "getpgid");
		CHECK_ESRCH(getsid(x), "getsid");
		CHECK_ESRCH(syscall(SYS_tgkill, x, x, 0), "tgkill");
		CHECK_ESRCH(syscall(SYS_pidfd_open, x, 0), "pidfd_open");
		CHECK_ESRCH(process_vm_readv(x, &local, 1, &remote, 1, 0), "process_vm_readv");
		hdr.pid = x;
		CHECK_ESRCH(syscall(SYS_capget, &hdr, data), "capget");
		errno = 0;
		snprintf(what, sizeof what, "waitpid(%s): ECHILD", who);
		check(waitpid(x, NULL, WNOHANG) == -1 && errno == ECHILD, what);
	}
	return failures ? 1 : 0;
}
