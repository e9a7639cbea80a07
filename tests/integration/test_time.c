/* tests/integration/test_time.c - the personality's timers (services/time): the guest
 * programs time_sleep and time_timers, section by section, and real programs that
 * sleep and time out, give the same output and status under Persona as natively.
 * The programs print facts ("within tolerance: yes"), never times. */
#include <check.h>
#include <string.h>
#include <sys/wait.h>
#include "harness.h"
#include "suites.h"

#define SECTION(prog, name) \
	START_TEST(test_##prog##_##name) \
	{ assert_same_as_native(ARGV((char *)guest(#prog), #name), NULL); } END_TEST

SECTION(time_sleep, durations)
SECTION(time_sleep, errors)
SECTION(time_sleep, interrupted)
SECTION(time_sleep, not_interrupted)
SECTION(time_sleep, fatal)
SECTION(time_timers, alarm)
SECTION(time_timers, itimer)
SECTION(time_timers, ids)
SECTION(time_timers, errors)
SECTION(time_timers, signal_timers)
SECTION(time_timers, sigev_none)
SECTION(time_timers, thread_id)
SECTION(time_timers, sigev_thread)
SECTION(time_timers, exec_fork)
SECTION(time_timers, limit)

/* coreutils: sleep, and timeout's timer (timer_create + SIGALRM) killing its child */
START_TEST(test_programs_sleep_timeout)
{
	assert_same_as_native(ARGV("sh", "-c", "sleep 0.1; echo slept; sleep 0.05 & wait; echo waited"), NULL);
	assert_same_as_native(ARGV("sh", "-c", "timeout 0.2 sleep 5; echo $?"), NULL);
	assert_same_as_native(ARGV("sh", "-c", "timeout -s INT 0.1 sleep 5; echo $?"), NULL);
	/* a shell's trap handler interrupts sleep's nanosleep: sleep dies of SIGTERM */
	assert_same_as_native(ARGV("sh", "-c", "sleep 5 & p=$!; sleep 0.1; kill $p; wait $p; echo $?"), NULL);
}
END_TEST

/* a guest that asks for a great many timers gets EAGAIN, and Persona stays responsive:
 * the run finishes and its output is the native one */
SECTION(time_timers, flood)

Suite *time_suite(void)
{
	Suite *s = suite_create("time");
	TCase *tc = tcase_create("same-as-native");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_time_sleep_durations);
	tcase_add_test(tc, test_time_sleep_errors);
	tcase_add_test(tc, test_time_sleep_interrupted);
	tcase_add_test(tc, test_time_sleep_not_interrupted);
	tcase_add_test(tc, test_time_sleep_fatal);
	tcase_add_test(tc, test_time_timers_alarm);
	tcase_add_test(tc, test_time_timers_itimer);
	tcase_add_test(tc, test_time_timers_ids);
	tcase_add_test(tc, test_time_timers_errors);
	tcase_add_test(tc, test_time_timers_signal_timers);
	tcase_add_test(tc, test_time_timers_sigev_none);
	tcase_add_test(tc, test_time_timers_thread_id);
	tcase_add_test(tc, test_time_timers_sigev_thread);
	tcase_add_test(tc, test_time_timers_exec_fork);
	tcase_add_test(tc, test_time_timers_limit);
	tcase_add_test(tc, test_time_timers_flood);
	tcase_add_test(tc, test_programs_sleep_timeout);
	suite_add_tcase(s, tc);
	return s;
}
