/* tests/unit/test_misc.c - the small core modules: sigdeliver (which siginfos carry a
 * sender pid), log (debug categories), compat (docs/compat.md from the table). */
#include <check.h>
#include <fcntl.h>
#include <unistd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include "core/compat.h"
#include "core/log.h"
#include "core/sigdeliver.h"
#include "core/syscall_table.h"
#include "core/task.h"
#include "tests/unit/unit.h"

static siginfo_t si(int signo, int code)
{
	siginfo_t s;
	memset(&s, 0, sizeof s);
	s.si_signo = signo;
	s.si_code = code;
	return s;
}

START_TEST(siginfo_pid)
{
	siginfo_t s;
	s = si(SIGTERM, SI_USER);	ck_assert(siginfo_has_pid(&s));
	s = si(SIGUSR1, SI_QUEUE);	ck_assert(siginfo_has_pid(&s));
	s = si(SIGUSR1, SI_TKILL);	ck_assert(siginfo_has_pid(&s));
	s = si(SIGIO, SI_MESGQ);	ck_assert(siginfo_has_pid(&s));
	s = si(SIGCHLD, CLD_EXITED);	ck_assert(siginfo_has_pid(&s));
	s = si(SIGCHLD, CLD_STOPPED);	ck_assert(siginfo_has_pid(&s));
	s = si(SIGALRM, SI_TIMER);	ck_assert(!siginfo_has_pid(&s));
	s = si(SIGIO, SI_SIGIO);	ck_assert(!siginfo_has_pid(&s));
	s = si(SIGIO, SI_ASYNCIO);	ck_assert(!siginfo_has_pid(&s));
	s = si(SIGSEGV, SEGV_MAPERR);	ck_assert(!siginfo_has_pid(&s));
	s = si(SIGBUS, BUS_ADRERR);	ck_assert(!siginfo_has_pid(&s));
	s = si(SIGTRAP, TRAP_BRKPT);	ck_assert(!siginfo_has_pid(&s));
	s = si(SIGKILL, SI_KERNEL);	ck_assert(!siginfo_has_pid(&s));
}
END_TEST

/* At a signal-delivery-stop, the sender's host pid becomes its virtual pid, or 0 for a
 * sender outside the namespace. The sender here is this process. */
START_TEST(siginfo_rewritten)
{
	pid_t child = unit_sleeper_fork();
	siginfo_t got;
	int st;
	task_table_reset();
	ck_assert_int_eq(ptrace(PTRACE_SEIZE, child, 0, 0), 0);
	struct task *init = task_create(424242, NULL, NULL);	/* virtual 1, never signalled */
	struct task *t = task_create(child, NULL, init);	/* 2 */
	(void)init;

	/* a sender outside the namespace */
	ck_assert_int_eq(kill(child, SIGUSR1), 0);
	ck_assert_int_eq(waitpid(child, &st, __WALL), child);
	ck_assert_int_eq(WSTOPSIG(st), SIGUSR1);
	ck_assert_int_eq(sigdeliver_prepare(t, SIGUSR1), SIGUSR1);
	ck_assert_int_eq(ptrace(PTRACE_GETSIGINFO, child, 0, &got), 0);
	ck_assert_int_eq(got.si_pid, 0);
	ck_assert_int_eq(got.si_code, SI_USER);
	ck_assert_int_eq(ptrace(PTRACE_CONT, child, 0, 0), 0);	/* suppressed */

	/* a sender of the namespace: us, as virtual 3 */
	struct task *me = task_create(getpid(), NULL, init);
	ck_assert_int_eq(task_vpid(me), 3);
	ck_assert_int_eq(kill(child, SIGUSR2), 0);
	ck_assert_int_eq(waitpid(child, &st, __WALL), child);
	ck_assert_int_eq(WSTOPSIG(st), SIGUSR2);
	ck_assert_int_eq(sigdeliver_prepare(t, SIGUSR2), SIGUSR2);
	ck_assert_int_eq(ptrace(PTRACE_GETSIGINFO, child, 0, &got), 0);
	ck_assert_int_eq(got.si_pid, 3);
	ck_assert_int_eq(got.si_signo, SIGUSR2);
	unit_kill_child(child);
	task_table_reset();
}
END_TEST

START_TEST(debug_categories)
{
	log_debug_mask = 0;
	ck_assert_int_eq(log_parse_debug("task,inject"), 0);
	ck_assert_uint_eq(log_debug_mask, DBG_TASK | DBG_INJECT);
	ck_assert_int_eq(log_parse_debug("syscall"), 0);
	ck_assert_uint_eq(log_debug_mask, DBG_TASK | DBG_INJECT | DBG_SYSCALL);
	log_debug_mask = 0;
	ck_assert_int_eq(log_parse_debug("all"), 0);
	ck_assert_uint_eq(log_debug_mask, ~0u);
	log_debug_mask = 0;
	int saved = dup(2), null = open("/dev/null", O_WRONLY);
	dup2(null, 2);		/* the complaint about "bogus" goes to stderr */
	int r = log_parse_debug("proc,bogus");
	dup2(saved, 2);
	close(saved);
	close(null);
	ck_assert_int_eq(r, -1);
	log_debug_mask = 0;
}
END_TEST

START_TEST(compat_page)
{
	char *text = NULL;
	size_t len = 0;
	unsigned counts[4] = { 0 }, rows = 0;
	unit_tables_init();
	FILE *f = open_memstream(&text, &len);
	ck_assert_int_eq(compat_print(f), 0);
	fclose(f);
	for (long nr = 0; nr < SYSCALL_MAX; nr++)
		if (syscall_desc(nr)->name) { counts[syscall_desc(nr)->status]++; rows++; }
	char totals[128];
	snprintf(totals, sizeof totals, "Totals: %u emulated, %u refused, %u native, %u not in table.",
		 counts[ST_EMULATED], counts[ST_REFUSED], counts[ST_NATIVE], counts[ST_UNKNOWN]);
	ck_assert_ptr_nonnull(strstr(text, totals));
	ck_assert_ptr_nonnull(strstr(text, "| 39 | getpid | emulated | always | %process %pure |\n"));
	ck_assert_ptr_nonnull(strstr(text, "| 0 | read | native | never | %desc |\n"));
	ck_assert_ptr_nonnull(strstr(text, "| 101 | ptrace | refused | always |"));
	ck_assert_ptr_nonnull(strstr(text, "| 16 | ioctl | emulated | arg1 in {0x5410, 0x540f, 0x5429} |"));
	ck_assert_ptr_nonnull(strstr(text, "| 302 | prlimit64 | emulated | arg0 != 0 |"));
	ck_assert_ptr_nonnull(strstr(text, "| 262 | newfstatat | emulated | (arg3 & 0x1000) == 0 |"));
	unsigned lines = 0;
	for (char *p = text; (p = strstr(p, "\n| ")); p++) lines++;
	ck_assert_uint_eq(lines, rows + 1);	/* the header, one line per named syscall */
	free(text);
}
END_TEST

Suite *misc_suite(void)
{
	Suite *s = suite_create("misc");
	TCase *tc = tcase_create("misc");
	tcase_add_test(tc, siginfo_pid);
	tcase_add_test(tc, siginfo_rewritten);
	tcase_add_test(tc, debug_categories);
	tcase_add_test(tc, compat_page);
	suite_add_tcase(s, tc);
	return s;
}
