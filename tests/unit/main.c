/* tests/unit/main.c - runs every unit suite (one per core module; each file exports a
 * `Suite *NAME_suite(void)` declared in unit.h).
 *
 *   make build/unit-tests && build/unit-tests
 *   CK_RUN_SUITE=pidmap build/unit-tests      (one suite; CK_VERBOSITY=verbose ...) */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "core/dispatch.h"
#include "core/syscall_table.h"
#include "tests/unit/unit.h"

void unit_tables_init(void)
{
	static int done;
	if (done) return;
	if (syscall_table_init() != 0 || dispatch_init() != 0) {
		fprintf(stderr, "unit-tests: cannot build the syscall table\n");
		exit(EXIT_FAILURE);
	}
	done = 1;
}

pid_t unit_sleeper_fork(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);	/* never outlive the test */
		for (;;) pause();
	}
	return pid;
}

void unit_kill_child(pid_t pid)
{
	if (pid <= 0) return;
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, __WALL) < 0 && errno == EINTR) {}
}

int main(void)
{
	unit_tables_init();	/* once, before the runner forks a process per test */
	SRunner *sr = srunner_create(syscall_table_suite());
	srunner_add_suite(sr, dispatch_suite());
	srunner_add_suite(sr, pidmap_suite());
	srunner_add_suite(sr, task_suite());
	srunner_add_suite(sr, guest_mem_suite());
	srunner_add_suite(sr, filter_suite());
	srunner_add_suite(sr, spawn_suite());
	srunner_add_suite(sr, inject_suite());
	srunner_add_suite(sr, trap_suite());
	srunner_add_suite(sr, lifecycle_suite());
	srunner_add_suite(sr, misc_suite());
	srunner_add_suite(sr, deferred_suite());
	srunner_add_suite(sr, deferred_tasklet_suite());
	srunner_add_suite(sr, deferred_wq_suite());
	srunner_add_suite(sr, ktimer_suite());
	srunner_add_suite(sr, frame_suite());
	srunner_add_suite(sr, pagecache_suite());
	srunner_add_suite(sr, swap_suite());
	srunner_add_suite(sr, vma_suite());
	srunner_add_suite(sr, pgtable_suite());
	srunner_add_suite(sr, elf_suite());
	srunner_add_suite(sr, mm_proc_suite());
	srunner_add_suite(sr, ldd_suite());
	srunner_add_suite(sr, sched_plugin_suite());
	srunner_add_suite(sr, sched_conformance_suite());
	srunner_add_suite(sr, sched_fair_suite());
	srunner_add_suite(sr, sched_mlfq_edf_suite());
	srunner_add_suite(sr, sched_rt_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
