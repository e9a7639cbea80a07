/* tests/guests/sched_calls.c - the scheduling syscalls' results and errno for good and
 * bad arguments, printed one per line; the integration suite compares them with a
 * native run. Only changes an unprivileged process may make are made (nice up, IDLE
 * and back as root), so the native run is harmless. */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

struct attr {	/* struct sched_attr, VER1 */
	uint32_t size, policy;
	uint64_t flags;
	int32_t nice;
	uint32_t priority;
	uint64_t runtime, deadline, period;
	uint32_t util_min, util_max;
};

#define SHOW(name, call) do { errno = 0; long r_ = (call); \
	printf("%-34s %ld %s\n", name, r_, r_ < 0 ? strerror(errno) : ""); } while (0)

int main(void)
{
	struct sched_param p = { 0 };
	struct attr a;
	struct timespec ts;
	uint64_t mask = 0;
	SHOW("getscheduler(0)", sched_getscheduler(0));
	SHOW("getscheduler(-1)", sched_getscheduler(-1));
	SHOW("getscheduler(99999)", sched_getscheduler(99999));
	SHOW("getparam(0)", sched_getparam(0, &p));
	printf("  priority %d\n", p.sched_priority);
	SHOW("getparam(0, NULL)", syscall(SYS_sched_getparam, 0, NULL));
	SHOW("setscheduler(FIFO, 0)", sched_setscheduler(0, SCHED_FIFO, &p));
	p.sched_priority = 100;
	SHOW("setscheduler(RR, 100)", sched_setscheduler(0, SCHED_RR, &p));
	p.sched_priority = 1;
	SHOW("setscheduler(OTHER, 1)", sched_setscheduler(0, SCHED_OTHER, &p));
	SHOW("setscheduler(policy 7)", sched_setscheduler(0, 7, &p));
	SHOW("setscheduler(-1 pid)", sched_setscheduler(-1, SCHED_OTHER, &p));
	SHOW("setscheduler(NULL param)", syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, NULL));
	SHOW("setscheduler(bad param)", syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, (void *)8));
	p.sched_priority = 0;
	SHOW("setscheduler(99999)", sched_setscheduler(99999, SCHED_OTHER, &p));
	SHOW("setscheduler(IDLE)", sched_setscheduler(0, SCHED_IDLE, &p));
	SHOW("getscheduler(0) now", sched_getscheduler(0));
	SHOW("setscheduler(OTHER)", sched_setscheduler(0, SCHED_OTHER, &p));
	SHOW("setparam(0, 5)", sched_setparam(0, &(struct sched_param){ 5 }));
	SHOW("get_priority_max(FIFO)", sched_get_priority_max(SCHED_FIFO));
	SHOW("get_priority_min(RR)", sched_get_priority_min(SCHED_RR));
	SHOW("get_priority_max(9)", sched_get_priority_max(9));
	SHOW("rr_get_interval(-1)", sched_rr_get_interval(-1, &ts));
	SHOW("rr_get_interval(99999)", sched_rr_get_interval(99999, &ts));
	SHOW("rr_get_interval(bad ts)", syscall(SYS_sched_rr_get_interval, 0, (void *)8));
	SHOW("yield", sched_yield());
	memset(&a, 0, sizeof a);
	a.size = 1;
	SHOW("setattr(size 1)", syscall(SYS_sched_setattr, 0, &a, 0));
	printf("  size now %u\n", a.size);
	memset(&a, 0, sizeof a);
	a.size = sizeof a;
	SHOW("setattr(flags arg 1)", syscall(SYS_sched_setattr, 0, &a, 1));
	SHOW("setattr(NULL)", syscall(SYS_sched_setattr, 0, NULL, 0));
	a.flags = 0x1000;
	SHOW("setattr(unknown flag)", syscall(SYS_sched_setattr, 0, &a, 0));
	a.flags = 0;
	a.policy = 6;	/* SCHED_DEADLINE with bad parameters */
	a.runtime = 2000000; a.deadline = 1000000; a.period = 3000000;
	SHOW("setattr(DL runtime>deadline)", syscall(SYS_sched_setattr, 0, &a, 0));
	a.runtime = 100;
	SHOW("setattr(DL runtime 100)", syscall(SYS_sched_setattr, 0, &a, 0));
	a.runtime = 1000000; a.deadline = 5000000; a.period = 3000000;
	SHOW("setattr(DL deadline>period)", syscall(SYS_sched_setattr, 0, &a, 0));
	memset(&a, 0, sizeof a);
	a.size = sizeof a; a.policy = SCHED_OTHER; a.nice = 3;
	SHOW("setattr(OTHER nice 3)", syscall(SYS_sched_setattr, 0, &a, 0));
	memset(&a, 0xff, sizeof a);
	SHOW("getattr(size 10)", syscall(SYS_sched_getattr, 0, &a, 10, 0));
	SHOW("getattr(flags 1)", syscall(SYS_sched_getattr, 0, &a, sizeof a, 1));
	SHOW("getattr(48)", syscall(SYS_sched_getattr, 0, &a, 48, 0));
	printf("  size %u policy %u nice %d prio %u flags %llu\n", a.size, a.policy, a.nice,
	       a.priority, (unsigned long long)a.flags);
	SHOW("getpriority(PROCESS, 0)", getpriority(PRIO_PROCESS, 0));
	SHOW("setpriority(PROCESS, 0, 7)", setpriority(PRIO_PROCESS, 0, 7));
	SHOW("getpriority(PROCESS, 0) now", getpriority(PRIO_PROCESS, 0));
	SHOW("setpriority(which 9)", setpriority(9, 0, 1));
	SHOW("getpriority(PROCESS, 99999)", getpriority(PRIO_PROCESS, 99999));
	SHOW("setpriority(PROCESS, 0, 40)", setpriority(PRIO_PROCESS, 0, 40));
	SHOW("getpriority(PROCESS, 0) clamped", getpriority(PRIO_PROCESS, 0));
	SHOW("getaffinity(len 4)", syscall(SYS_sched_getaffinity, 0, 4, &mask));
	SHOW("getaffinity(len 12)", syscall(SYS_sched_getaffinity, 0, 12, &mask));
	SHOW("getaffinity(len 8)", syscall(SYS_sched_getaffinity, 0, 8, &mask));
	printf("  mask %#llx\n", (unsigned long long)mask);
	SHOW("getaffinity(bad ptr)", syscall(SYS_sched_getaffinity, 0, 8, (void *)8));
	SHOW("getaffinity(99999)", syscall(SYS_sched_getaffinity, 99999, 8, &mask));
	uint64_t zero = 0, far = 1ull << 40;
	SHOW("setaffinity(empty)", syscall(SYS_sched_setaffinity, 0, 8, &zero));
	SHOW("setaffinity(cpu 40)", syscall(SYS_sched_setaffinity, 0, 8, &far));
	SHOW("setaffinity(bad ptr)", syscall(SYS_sched_setaffinity, 0, 8, (void *)8));
	SHOW("setaffinity(same)", syscall(SYS_sched_setaffinity, 0, 8, &mask));
	unsigned cpu = 999, node = 999;
	SHOW("getcpu", syscall(SYS_getcpu, &cpu, &node, NULL));
	printf("  cpu in mask %d node %u\n", cpu < 64 && (mask >> cpu & 1), node);
	SHOW("getcpu(bad ptr)", syscall(SYS_getcpu, (void *)8, NULL, NULL));
	return 0;
}
