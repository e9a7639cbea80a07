/* tests/guests/shim_ids.c - the id syscalls the in-guest shim answers (getpid,
 * gettid, getppid, getpgrp, getpgid, getsid), called many times from the same call
 * sites (so under --trap=shim the sites are patched and later calls take the shim),
 * in threads, forked and vforked children, from a signal handler interrupting a call,
 * and after the program installs its own seccomp filter and SIGSYS handler. Prints
 * facts, never ids, so the output is the same natively and under Persona.
 *
 *   shim_ids SECTION      sections: ids threads fork vfork nested changes own_sigsys */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <ucontext.h>

#define N 3000

static long raw(long nr) { return syscall(nr, 0, 0, 0, 0, 0, 0); }

static long proc_link(const char *path)
{
	char buf[64];
	ssize_t n = readlink(path, buf, sizeof buf - 1);
	if (n < 0) return -1;
	buf[n] = 0;
	char *slash = strrchr(buf, '/');
	return atol(slash ? slash + 1 : buf);
}

static void say(const char *what, int ok) { printf("%s: %s\n", what, ok ? "yes" : "NO"); }

/* every id, N times from the same sites; 1 when every answer equals the first */
static int stable(long *pid, long *tid, long *ppid)
{
	long p0 = getpid(), t0 = gettid(), pp0 = getppid(), g0 = getpgrp(), s0 = getsid(0);
	int ok = 1;
	for (int i = 0; i < N; i++) {
		ok &= getpid() == p0 && raw(SYS_getpid) == p0;
		ok &= gettid() == t0 && raw(SYS_gettid) == t0;
		ok &= getppid() == pp0 && raw(SYS_getppid) == pp0;
		ok &= getpgrp() == g0 && getpgid(0) == g0 && getsid(0) == s0;
		ok &= getpgid((pid_t)p0) == g0 && getsid((pid_t)p0) == s0;	/* named: asked */
	}
	*pid = p0;
	*tid = t0;
	*ppid = pp0;
	return ok;
}

static void ids(void)
{
	long pid, tid, ppid;
	say("ids stable over many calls", stable(&pid, &tid, &ppid));
	say("pid is /proc/self", pid == proc_link("/proc/self"));
	say("main thread's tid is the pid", tid == pid);
	say("getpgid(pid) is getpgrp", getpgid((pid_t)pid) == getpgrp());
	errno = 0;
	say("getpgid of no process fails with ESRCH", getpgid(999999) < 0 && errno == ESRCH);
}

static long main_pid;

static void *thread_fn(void *arg)
{
	long pid, tid, ppid;
	int ok = stable(&pid, &tid, &ppid);
	ok &= pid == main_pid && tid != pid && tid == proc_link("/proc/thread-self");
	*(int *)arg = ok;
	return NULL;
}

static void threads(void)
{
	long tid, ppid;
	stable(&main_pid, &tid, &ppid);	/* the sites are patched before the threads exist */
	pthread_t th[4];
	int ok[4];
	for (int i = 0; i < 4; i++) pthread_create(&th[i], NULL, thread_fn, &ok[i]);
	int all = 1;
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		all &= ok[i];
	}
	say("threads: own tids, the process's pid, stable", all);
}

static void fork_section(void)
{
	long pid, tid, ppid;
	stable(&pid, &tid, &ppid);
	pid_t c = fork();
	if (c == 0) {
		long cp, ct, cpp;
		int ok = stable(&cp, &ct, &cpp);
		ok &= cp != pid && cpp == pid && ct == cp && cp == proc_link("/proc/self");
		pid_t g = fork();	/* a grandchild: the copy of a copy */
		if (g == 0) {
			long gp, gt, gpp;
			_exit(stable(&gp, &gt, &gpp) && gpp == cp && gp != cp ? 0 : 1);
		}
		int st;
		waitpid(g, &st, 0);
		_exit(ok && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1);
	}
	int st;
	say("fork returned the child's pid", waitpid(c, &st, 0) == c);
	say("children: own pid, parent's pid as ppid, stable", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	say("parent unchanged after fork", getpid() == pid && raw(SYS_getpid) == pid);
}

static void vfork_section(void)
{
	long pid, tid, ppid;
	stable(&pid, &tid, &ppid);
	static volatile long child_pid, child_ppid;
	pid_t c = vfork();
	if (c == 0) {	/* shares the parent's memory, shim included */
		child_pid = raw(SYS_getpid);
		child_ppid = raw(SYS_getppid);
		_exit(0);
	}
	int st;
	waitpid(c, &st, 0);
	say("vfork child saw its own pid", child_pid == c && child_pid != pid);
	say("vfork child saw the parent as ppid", child_ppid == pid);
	say("parent unchanged after vfork", getpid() == pid && raw(SYS_getpid) == pid);
}

static volatile long handler_bad, handler_calls;
static long expect_ppid, expect_sid, self_pid;

static void on_alarm(int sig)
{
	(void)sig;
	handler_calls++;
	if (raw(SYS_getppid) != expect_ppid || getppid() != expect_ppid) handler_bad++;
	if (getsid((pid_t)self_pid) != expect_sid) handler_bad++;
}

static void nested(void)
{
	long tid;
	stable(&self_pid, &tid, &expect_ppid);
	expect_sid = getsid(0);
	signal(SIGALRM, on_alarm);
	struct itimerval it = { { 0, 200 }, { 0, 200 } };
	setitimer(ITIMER_REAL, &it, NULL);
	int ok = 1;
	for (int i = 0; i < 20 * N && handler_calls < 50; i++)
		ok &= raw(SYS_getppid) == expect_ppid && getsid((pid_t)self_pid) == expect_sid;
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	setitimer(ITIMER_REAL, &off, NULL);
	say("calls interrupted by a handler making the same call: right answers", ok && !handler_bad);
}

/* ids that change: the answers the shim gives itself must follow */
static void changes(void)
{
	long pid, tid, ppid;
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);	/* orphans come here, natively too */
	stable(&pid, &tid, &ppid);
	int p[2], q[2];
	if (pipe(p) || pipe(q)) return;
	pid_t c = fork();
	if (c == 0) {
		long cp, ct, cpp;
		stable(&cp, &ct, &cpp);
		int ok = setpgid(0, 0) == 0 && getpgrp() == cp && getpgid(0) == cp;
		ok &= setsid() < 0;	/* a group leader cannot */
		pid_t g = fork();
		if (g == 0) {
			long gp, gt, gpp;
			stable(&gp, &gt, &gpp);
			int gok = gpp == cp && setsid() == gp && getsid(0) == gp && getpgrp() == gp;
			char x = 'r';
			if (write(q[1], &x, 1) != 1) gok = 0;	/* its parent may go now */
			if (read(p[0], &x, 1) != 1) gok = 0;	/* its parent has exited */
			for (int i = 0; i < 5000 && getppid() == cp; i++) usleep(1000);
			gok &= getppid() == pid && raw(SYS_getppid) == pid;
			_exit(gok ? 0 : 1);
		}
		char x;
		if (read(q[0], &x, 1) != 1) ok = 0;	/* the grandchild saw us as its parent */
		_exit(ok ? 0 : 1);
	}
	int st;
	waitpid(c, &st, 0);
	say("child: setpgid and a refused setsid seen at once", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	if (write(p[1], "x", 1) != 1) return;
	pid_t g = wait(&st);
	say("grandchild: setsid seen, then reparented to the subreaper", g > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static volatile long sigsys_nr, sigsys_code, sigsys_calls;

static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	sigsys_calls++;
	sigsys_nr = si->si_syscall;
	sigsys_code = si->si_code;
	((ucontext_t *)uc)->uc_mcontext.gregs[REG_RAX] = 4242;
}

static void own_sigsys(void)
{
	long pid, tid, ppid;
	stable(&pid, &tid, &ppid);	/* patched first */
	struct sigaction sa = { 0 };
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSYS, &sa, NULL);
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { 4, f };
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	say("own filter installed", prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) == 0);
	int ok = 1;
	for (int i = 0; i < 100; i++) ok &= getppid() == 4242 && raw(SYS_getppid) == 4242;
	say("own SIGSYS handler answered every trapped call", ok && sigsys_calls == 200);
	say("siginfo: SYS_SECCOMP for getppid", sigsys_code == 1 && sigsys_nr == SYS_getppid);
	say("other ids still right", getpid() == pid && gettid() == tid);
}

int main(int argc, char **argv)
{
	const char *s = argc > 1 ? argv[1] : "ids";
	setvbuf(stdout, NULL, _IONBF, 0);
	if (!strcmp(s, "ids")) ids();
	else if (!strcmp(s, "threads")) threads();
	else if (!strcmp(s, "fork")) fork_section();
	else if (!strcmp(s, "vfork")) vfork_section();
	else if (!strcmp(s, "nested")) nested();
	else if (!strcmp(s, "changes")) changes();
	else if (!strcmp(s, "own_sigsys")) own_sigsys();
	else { fprintf(stderr, "unknown section %s\n", s); return 2; }
	return 0;
}
