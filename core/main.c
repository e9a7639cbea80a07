/* core/main.c - the persona command: argument parsing and the run of one namespace.
 *
 *   persona run [options] -- PROGRAM [ARGS...]
 *   persona compat          print docs/compat.md from the syscall table
 *
 * Exit status of `run`: the guest init's. A guest killed by signal N is reported the
 * way the host reports it: persona re-raises N on itself (without a core dump), so a
 * shell shows "Killed"/"Segmentation fault" and sees status 128+N, exactly as for the
 * program run natively. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include "core/dispatch.h"
#include "core/filter.h"
#include "core/shim.h"
#include "core/lifecycle.h"
#include "core/log.h"
#include "services/mm/mm.h"
#include "loader/exec.h"
#include "core/spawn.h"
#include "core/syscall_table.h"
#include "core/tracer.h"
#include "core/compat.h"
#include "core/control.h"
#include "core/evloop.h"
#include "core/irq.h"
#include "core/kthread_task.h"
#include "core/stats.h"
#include "services/deferred/deferred.h"
#include "services/deferred/workqueue.h"
#include "services/time/time.h"
#include "services/io/ioservice.h"
#include "services/trace/tracediff.h"
#include "services/trace/trace.h"
#include "services/trace/trace_opts.h"
#include "loader/elf_cmd.h"
#include "loader/ldd_cmd.h"
#include "services/sched/sched.h"

#define PERSONA_VERSION "0.1.0"

static volatile pid_t init_host_pid;

static void usage(FILE *f)
{
	fprintf(f,
		"usage: persona run [options] -- PROGRAM [ARGS...]\n"
		"       persona trace [strace options] -- PROGRAM [ARGS...]\n"
		"       persona diff [--ignore=SET] [--class=%%CLASS] TRACE_A TRACE_B\n"
		"       persona ctl SUPERVISOR_PID status|stats|help\n"
		"       persona elf PROGRAM      its ELF headers and where it would be mapped\n"
		"       persona ldd [--plain] PROGRAM...  its shared libraries and how ld.so finds them\n"
		"       persona sched list|check PLUGIN  scheduler plugins: installed, or one checked\n"
		"       persona compat\n"
		"       persona --help | --version\n"
		"\n"
		"run options:\n"
		"  --strict          refuse syscalls Persona does not know with ENOSYS\n"
		"  --hz=N            timer tick rate (250; 0: no tick, and then the host\n"
		"                    schedules: --sched needs a tick)\n"
		"  --stats           print interrupt, softirq, work and timer counts at exit\n"
		"  --debug=LIST      log categories: syscall,task,signal,proc,inject,irq,\n"
		"                    softirq,work,timer,mm,loader,sched,all; and time:\n"
		"                    each line starts with a monotonic time (s.µs)\n"
		"  --mem=SIZE        guest physical memory, the frame pool (default: host RAM)\n"
		"  --aslr=0|1|2      address randomization, as randomize_va_space (2)\n"
		"  --norandmaps      same as --aslr=0\n"
		"  --fault-around=N  pages filled per page fault, a power of 2 (16)\n"
		"  --swap=FILE[:SIZE]|SIZE  swap area: a file (created or sized to SIZE), or\n"
		"                    a temporary file of SIZE (no swap by default)\n"
		"  --overcommit=0|1|2  vm.overcommit_memory: heuristic (0), always (1), or\n"
		"                    never beyond CommitLimit = mem/2 + swap (2)\n"
		"  --mm=on|off       Persona's memory manager (on) or the host's (off)\n"
		"  --exec=persona|host  execve by Persona's loader (default, needs --mm=on)\n"
		"                    or by the host kernel\n"
		"  --sched=NAME      scheduler plugin: a built-in (persona sched list), NAME.so\n"
		"                    on the plugin path, ./FILE.so, or off (the host's) (cfs)\n"
		"  --cpus=N          virtual CPUs (default: host CPUs)\n"
		"  --pin             pin virtual CPU c to host CPU c (getcpu via the vDSO agrees)\n"
		"  --sched-trace=FILE  the schedule as Chrome Trace Event JSON (Perfetto)\n"
		"  --trap=ptrace|shim  how trapped syscalls reach Persona: the in-guest shim for\n"
		"                    the calls it takes (default; ptrace where it cannot be:\n"
		"                    --mm=off, --exec=host), or ptrace stops only\n"
		"                    (docs/shim.md; PERSONA_TRAP=ptrace|shim sets the default)\n");
}

static bool shim_implicit;	/* the default, not --trap=shim: falls back to ptrace */

/* Signals aimed at persona itself go to the guest's init; terminal signals (SIGINT,
 * SIGQUIT) reach the guests from the terminal directly, so persona only survives them. */
static void forward_signal(int sig)
{
	if (init_host_pid > 0) kill(init_host_pid, sig);
}
static void ignore_signal(int sig) { (void)sig; }

static void install_signal_handlers(void)
{
	struct sigaction sa = { 0 };
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = forward_signal;
	int fwd[] = { SIGTERM, SIGHUP, SIGUSR1, SIGUSR2 };
	for (unsigned i = 0; i < sizeof fwd / sizeof fwd[0]; i++) sigaction(fwd[i], &sa, NULL);
	/* a handler, not SIG_IGN: an ignored disposition would be inherited by the guest */
	sa.sa_handler = ignore_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
}

static int exit_like(int status)
{
	if (WIFEXITED(status)) return WEXITSTATUS(status);
	int sig = WTERMSIG(status);
	struct rlimit no_core = { 0, 0 };
	setrlimit(RLIMIT_CORE, &no_core);
	signal(sig, SIG_DFL);
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, sig);
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	raise(sig);
	return 128 + sig;	/* signals that do not kill (none are expected) */
}

static int setup(enum filter_mode mode, struct sock_fprog *prog)
{
	int err = syscall_table_init();
	if (!err) err = dispatch_init();
	if (!err) err = filter_build(mode, prog);
	if (err) log_err("cannot build the syscall filter: %s", strerror(-err));
	return err;
}

struct run_opts {
	enum filter_mode mode;
	unsigned hz;		/* --hz: tick rate, 0 = no tick */
	bool stats;		/* --stats: counters at exit */
	struct sched_options sched;	/* --sched, --cpus, --sched-trace */
	void (*before_shutdown)(void);	/* last words while the event loop still runs */
};

/* The kernel's own machinery, before the first guest: interrupts and the event
 * loop, timers, deferred work (kthreads, softirqs, workqueues). */
static int start_kernel(const struct run_opts *o)
{
	int err = evloop_init(o->hz);
	if (err) {
		log_err("cannot start the event loop: %s", strerror(-err));
		return err;
	}
	if (log_debug_mask & DBG_SOFTIRQ) deferred_debug |= DEFERRED_DBG_SOFTIRQ;
	if (log_debug_mask & DBG_WORK) deferred_debug |= DEFERRED_DBG_WORK | DEFERRED_DBG_KTHREAD;
	deferred_hz = o->hz ? o->hz : 250;	/* workqueue delays are in jiffies */
	time_init();
	struct sched_options so = o->sched;
	so.hz = o->hz;
	/* The scheduler learns that a guest fell asleep inside the host (a pipe read)
	 * only at a tick: without one, such a sleeper keeps its virtual CPU and the
	 * others can wait forever (measured: sh|sort|tr deadlocked 5% of runs). So
	 * --hz=0 means the host schedules, and asking for a plugin with it is an error. */
	if (!so.hz && !so.off) {
		if (so.plugin) {
			log_err("--hz=0 leaves the scheduler without a tick (it could never take a CPU back "
				"from a guest asleep in the host): use --sched=off or a tick rate");
			return -EINVAL;
		}
		so.off = true;
	}
	if ((err = sched_init(&so))) return err;
	if (sched_active()) irq_ncpus = sched_ncpus();
	return 0;
}

/* Phase times of a run, for --stats: what persona itself costs around a guest */
enum { PH_START, PH_SETUP, PH_KERNEL, PH_SPAWN, PH_KTHREADS, PH_RUN, PH_SHUTDOWN, PH_N };
static double phase_ms[PH_N];

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void print_phases(void)
{
	fprintf(stderr, "persona: phases (ms): setup %.2f, kernel %.2f, spawn %.2f, kernel threads %.2f, "
		"guests %.2f, shutdown %.2f\n", phase_ms[PH_SETUP] - phase_ms[PH_START],
		phase_ms[PH_KERNEL] - phase_ms[PH_SETUP], phase_ms[PH_SPAWN] - phase_ms[PH_KERNEL],
		phase_ms[PH_KTHREADS] - phase_ms[PH_SPAWN], phase_ms[PH_RUN] - phase_ms[PH_KTHREADS],
		now_ms() - phase_ms[PH_RUN]);
}

/* Runs gargv as the namespace's init. Returns 0 with init's wait status in *wstatus,
 * or persona's own exit code when the guest could not run. */
static int run_guest(char **gargv, const struct run_opts *o, int *wstatus)
{
	enum filter_mode mode = o->mode;
	char path[4096];
	phase_ms[PH_START] = now_ms();
	int err = spawn_resolve(gargv[0], path, sizeof path);
	if (err) {
		log_err("cannot run '%s': %s", gargv[0], strerror(-err));
		return err == -ENOENT ? 127 : 126;
	}
	struct sock_fprog prog;
	if (loader_enabled && loader_init()) {
		log_err("the loader's stub (persona-stub) is missing next to persona: execve is the host's");
		loader_enabled = false;
	}
	if ((err = mm_init())) {	/* before the filter: it traps for the memory manager */
		log_err("cannot create the frame pool: %s", strerror(-err));
		return 125;
	}
	if (mode == FILTER_TRAP_ALL) shim_enabled = false;	/* tracing sees every stop */
	if (shim_enabled && shim_init()) {
		if (!shim_implicit) {
			log_err("--trap=shim needs the memory manager and the loader (--mm=on --exec=persona)");
			return 125;
		}
		shim_enabled = false;	/* --mm=off, --exec=host: the ptrace path */
	}
	phase_ms[PH_SETUP] = now_ms();
	if (setup(mode, &prog)) return 125;
	prctl(PR_SET_CHILD_SUBREAPER, 1);	/* orphans left when init dies come to us */
	install_signal_handlers();
	if (start_kernel(o)) {
		free(prog.filter);	/* (leaked on this path: LeakSanitizer) */
		return 125;
	}
	phase_ms[PH_KERNEL] = now_ms();
	if (shim_enabled && !evloop_has_futex_wait()) {
		if (!shim_implicit) {
			log_err("--trap=shim needs io_uring futex waits (Linux 6.7 or later)");
			free(prog.filter);
			return 125;
		}
		shim_enabled = false;	/* no region exists yet: the ptrace path only */
	}
	int err_fd = -1;
	pid_t pid = spawn_guest(path, gargv, &prog, &evloop_saved_sigmask, &err_fd);
	free(prog.filter);
	if (pid < 0) {
		log_err("cannot start '%s': %s", gargv[0], strerror(-pid));
		return 125;
	}
	init_host_pid = pid;
	if (!lifecycle_start(pid)) { kill(pid, SIGKILL); return 125; }
	phase_ms[PH_SPAWN] = now_ms();
	kthread_tasks_start(irq_ncpus);	/* kthreadd is pid 2, as on Linux */
	mm_start_kthreads();		/* kswapd0 */
	phase_ms[PH_KTHREADS] = now_ms();
	int status = evloop_run();
	phase_ms[PH_RUN] = now_ms();
	if (o->before_shutdown) o->before_shutdown();
	io_drain();	/* the services' last writes (the trace) complete */
	mm_stop_kthreads();
	kthread_tasks_stop();
	if (o->stats) {
		print_phases();
		stats_print(stderr);
		mm_print_stats();
		shim_print_stats();
		sched_print_stats(stderr);
	}
	sched_shutdown();
	mm_shutdown();
	evloop_shutdown();
	int exec_err = 0;
	if (read(err_fd, &exec_err, sizeof exec_err) == sizeof exec_err && exec_err) {
		log_err("cannot run '%s': %s", gargv[0], strerror(-exec_err));
		return exec_err == -ENOENT ? 127 : 126;
	}
	*wstatus = status;
	return 0;
}

static int cmd_run(int argc, char **argv)
{
	struct run_opts o = { FILTER_DEFAULT, 250, false, { 0 }, NULL };
	/* the shim unless PERSONA_TRAP=ptrace (whole test suites in that mode); --trap
	 * overrides both */
	const char *trap_env = getenv("PERSONA_TRAP");
	shim_enabled = shim_implicit = !(trap_env && !strcmp(trap_env, "ptrace"));
	static const struct option opts[] = {
		{ "strict", no_argument, NULL, 's' },
		{ "debug", required_argument, NULL, 'd' },
		{ "hz", required_argument, NULL, 'z' },
		{ "stats", no_argument, NULL, 'S' },
		{ "mem", required_argument, NULL, 'm' },
		{ "aslr", required_argument, NULL, 'a' },
		{ "norandmaps", no_argument, NULL, 'R' },
		{ "fault-around", required_argument, NULL, 'F' },
		{ "swap", required_argument, NULL, 'W' },
		{ "overcommit", required_argument, NULL, 'O' },
		{ "mm", required_argument, NULL, 'M' },
		{ "exec", required_argument, NULL, 'E' },
		{ "sched", required_argument, NULL, 'P' },
		{ "cpus", required_argument, NULL, 'C' },
		{ "sched-trace", required_argument, NULL, 'T' },
		{ "pin", no_argument, NULL, 'I' },
		{ "trap", required_argument, NULL, 'X' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;
	char *end;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 's': o.mode = FILTER_STRICT; break;
		case 'd': if (log_parse_debug(optarg)) return 2; break;
		case 'z':
			o.hz = (unsigned)strtoul(optarg, &end, 10);
			if (*end || o.hz > 10000) {
				log_err("--hz: '%s' is not a tick rate from 0 to 10000", optarg);
				return 2;
			}
			break;
		case 'S': o.stats = true; break;
		case 'm': {
			int64_t v = mm_parse_size(optarg);
			if (v < (int64_t)(1 << 20)) {
				log_err("--mem: '%s' is not a size of at least 1M (e.g. 512M, 4G)", optarg);
				return 2;
			}
			mm_config.mem = (uint64_t)v;
			break;
		}
		case 'a':
			if (strlen(optarg) != 1 || optarg[0] < '0' || optarg[0] > '2') {
				log_err("--aslr: '%s' is not 0, 1 or 2", optarg);
				return 2;
			}
			mm_config.aslr = optarg[0] - '0';
			break;
		case 'R': mm_config.aslr = 0; break;
		case 'F': {
			unsigned long n = strtoul(optarg, &end, 10);
			if (*end || !n || n > 512 || (n & (n - 1))) {
				log_err("--fault-around: '%s' is not a power of 2 from 1 to 512", optarg);
				return 2;
			}
			mm_config.fault_around = (unsigned)n;
			break;
		}
		case 'W': mm_config.swap = optarg; break;
		case 'O':
			if (strlen(optarg) != 1 || optarg[0] < '0' || optarg[0] > '2') {
				log_err("--overcommit: '%s' is not 0, 1 or 2", optarg);
				return 2;
			}
			mm_config.overcommit = optarg[0] - '0';
			break;
		case 'M':
			if (strcmp(optarg, "on") && strcmp(optarg, "off")) {
				log_err("--mm: '%s' is not on or off", optarg);
				return 2;
			}
			mm_config.enabled = !strcmp(optarg, "on");
			break;
		case 'E':
			if (strcmp(optarg, "persona") && strcmp(optarg, "host")) {
				log_err("--exec: '%s' is not persona or host", optarg);
				return 2;
			}
			loader_enabled = !strcmp(optarg, "persona");
			break;
		case 'P':
			o.sched.off = !strcmp(optarg, "off");
			o.sched.plugin = optarg;
			break;
		case 'C': {
			unsigned long n = strtoul(optarg, &end, 10);
			if (*end || !n || n > PERSONA_SCHED_MAX_CPUS) {
				log_err("--cpus: '%s' is not a number of CPUs from 1 to %d", optarg,
					PERSONA_SCHED_MAX_CPUS);
				return 2;
			}
			o.sched.ncpus = (unsigned)n;
			break;
		}
		case 'T': o.sched.trace_file = optarg; break;
		case 'I': o.sched.pin = true; break;
		case 'X':
			if (strcmp(optarg, "ptrace") && strcmp(optarg, "shim")) {
				log_err("--trap: '%s' is not ptrace or shim", optarg);
				return 2;
			}
			shim_enabled = !strcmp(optarg, "shim");
			shim_implicit = false;
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind >= argc) { usage(stderr); return 2; }
	if (!o.sched.off) {	/* a bad plugin is a usage error, found before anything runs */
		char err[1024];
		if (!sched_plugin_load(o.sched.plugin ? o.sched.plugin : "cfs", err, sizeof err)) {
			log_err("--sched: %s", err);
			return 2;
		}
	}
	int status, rc = run_guest(argv + optind, &o, &status);
	return rc ? rc : exit_like(status);
}

static int cmd_trace(int argc, char **argv)
{
	static struct trace_config cfg;
	if (trace_opts_parse(argc, argv, &cfg)) return 2;
	if (syscall_table_init()) return 125;
	int rc = trace_begin(&cfg);
	if (rc) return rc;
	int status;
	struct run_opts o = { FILTER_TRAP_ALL, 250, false, { 0 }, trace_end };
	rc = run_guest(argv + cfg.argi, &o, &status);
	return rc ? rc : exit_like(status);
}

int main(int argc, char **argv)
{
	if (argc < 2) { usage(stderr); return 2; }
	if (!strcmp(argv[1], "run")) return cmd_run(argc - 1, argv + 1);
	if (!strcmp(argv[1], "trace")) return cmd_trace(argc - 1, argv + 1);
	if (!strcmp(argv[1], "diff")) return tracediff_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "elf")) return elf_cmd_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "ldd")) return ldd_cmd_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "sched")) return sched_cmd_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "ctl")) {
		char *end;
		long pid = argc > 3 ? strtol(argv[2], &end, 10) : 0;
		if (argc < 4 || *end || pid <= 0) { usage(stderr); return 2; }
		return control_client((pid_t)pid, argc - 3, argv + 3);
	}
	if (!strcmp(argv[1], "compat")) {
		if (syscall_table_init()) return 1;
		return compat_print(stdout);
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) { usage(stdout); return 0; }
	if (!strcmp(argv[1], "--version")) { printf("persona %s\n", PERSONA_VERSION); return 0; }
	fprintf(stderr, "persona: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
