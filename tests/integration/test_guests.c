/* tests/integration/test_guests.c - the process-model guest programs (tests/guests/)
 * give the same stdout, stderr and exit status under Persona as natively. Each
 * program prints relations between ids ("wait returned the forked pid: yes"), never
 * raw pids, and exits non-zero when one of its checks fails. */
#include <check.h>
#include "harness.h"
#include "suites.h"

#define SAME(name) \
	START_TEST(test_##name) { assert_same_as_native(ARGV((char *)guest(#name)), NULL); } END_TEST
SAME(fork_tree)
SAME(fork_stress)
SAME(vfork_exec)
SAME(clone_flags)
SAME(threads)
SAME(thread_fork)
SAME(thread_exec)
SAME(exit_group_thread)
SAME(siginfo)
SAME(sigmask)
SAME(sigaltstack)
SAME(segv)
SAME(kill_guests)
SAME(wait_status)
SAME(wait_interrupted)
SAME(autoreap)
SAME(pgrp_session)
SAME(orphan_subreaper)
SAME(procfs_self)
SAME(procfs_symlink)	/* /proc through symlinks, dirfds, cwds: the guest's /proc */
SAME(proc_listing)
SAME(tty_jobctl)
SAME(pidargs)
SAME(pid_channels)

/* shell job control on guest processes */
START_TEST(test_sh_job_control)
{
	assert_same_as_native(ARGV("sh", "-c",
		"(sleep 5 & p=$!; kill -STOP $p; kill -CONT $p; kill $p; wait $p; echo $?) 2>/dev/null"), NULL);
	/* dash prints "Killed" only if its own poll has not reaped the job before `wait`:
	 * a race natively too, so its stderr is left out */
	assert_same_as_native(ARGV("sh", "-c",
		"(sleep 5 & p=$!; kill -STOP $p; kill -KILL $p; wait $p; echo $?) 2>/dev/null"), NULL);
	assert_same_as_native(ARGV("sh", "-c",
		"(exit 3) & p=$!; wait $p; echo $?; kill -0 $p 2>/dev/null || echo gone"), NULL);
}
END_TEST

/* a nested pid namespace (needs CAP_SYS_ADMIN; without it unshare fails the same
 * way natively and under Persona): inside it, the first process is pid 1 */
START_TEST(test_nested_pid_namespace)
{
	assert_same_as_native(ARGV("unshare", "--pid", "--fork", "sh", "-c",
				   "echo $$; sh -c 'echo $PPID'"), NULL);
}
END_TEST

Suite *guests_suite(void)
{
	Suite *s = suite_create("guests");
	TCase *tc = tcase_create("same-as-native");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_fork_tree);
	tcase_add_test(tc, test_fork_stress);
	tcase_add_test(tc, test_vfork_exec);
	tcase_add_test(tc, test_clone_flags);
	tcase_add_test(tc, test_threads);
	tcase_add_test(tc, test_thread_fork);
	tcase_add_test(tc, test_thread_exec);
	tcase_add_test(tc, test_exit_group_thread);
	tcase_add_test(tc, test_siginfo);
	tcase_add_test(tc, test_sigmask);
	tcase_add_test(tc, test_sigaltstack);
	tcase_add_test(tc, test_segv);
	tcase_add_test(tc, test_kill_guests);
	tcase_add_test(tc, test_wait_status);
	tcase_add_test(tc, test_wait_interrupted);
	tcase_add_test(tc, test_autoreap);
	tcase_add_test(tc, test_pgrp_session);
	tcase_add_test(tc, test_orphan_subreaper);
	tcase_add_test(tc, test_procfs_self);
	tcase_add_test(tc, test_procfs_symlink);
	tcase_add_test(tc, test_proc_listing);
	tcase_add_test(tc, test_tty_jobctl);
	tcase_add_test(tc, test_pidargs);
	tcase_add_test(tc, test_pid_channels);
	tcase_add_test(tc, test_sh_job_control);
	tcase_add_test(tc, test_nested_pid_namespace);
	suite_add_tcase(s, tc);
	return s;
}
