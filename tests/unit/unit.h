/* tests/unit/unit.h - shared declarations of the unit-test suites (one per core
 * module, each in its own file) and small helpers used by several of them. */
#ifndef PERSONA_TESTS_UNIT_H
#define PERSONA_TESTS_UNIT_H
#include <check.h>
#include <sys/types.h>

Suite *syscall_table_suite(void);
Suite *dispatch_suite(void);
Suite *pidmap_suite(void);
Suite *task_suite(void);
Suite *guest_mem_suite(void);
Suite *filter_suite(void);
Suite *spawn_suite(void);
Suite *inject_suite(void);
Suite *trap_suite(void);
Suite *lifecycle_suite(void);
Suite *misc_suite(void);
Suite *deferred_suite(void);		/* softirqs, kthreads (test_deferred.c) */
Suite *deferred_tasklet_suite(void);
Suite *deferred_wq_suite(void);
Suite *ktimer_suite(void);
Suite *frame_suite(void);
Suite *pagecache_suite(void);		/* services/mm/pagecache.c */
Suite *swap_suite(void);		/* services/mm/swap.c, reclaim.c lists */
Suite *vma_suite(void);
Suite *pgtable_suite(void);
Suite *elf_suite(void);
Suite *mm_proc_suite(void);
Suite *ldd_suite(void);			/* loader/dynamic.c, loader/ldd.c */
Suite *sched_plugin_suite(void);		/* services/sched: loader, trace, /proc */
Suite *sched_conformance_suite(void);	/* every plugin under tests/unit/sched_sim.h */
Suite *sched_fair_suite(void);		/* rbtree.h, the cfs and eevdf plugins */
Suite *sched_mlfq_edf_suite(void);	/* the mlfq and edf plugins */
Suite *sched_rt_suite(void);		/* the fifo and rr plugins */

/* Builds the syscall table and the dispatcher once per process (the table keeps the
 * names libseccomp allocates, so building it twice would leak them). */
void unit_tables_init(void);

/* A child process that only sleeps (pause() in a loop), for tests that read or write
 * another process's memory. Since fork copies the address space, the addresses of the
 * test's own globals, heap and stack are valid in it. */
pid_t unit_sleeper_fork(void);
/* SIGKILLs and reaps a child (no-op for pid <= 0). */
void unit_kill_child(pid_t pid);
#endif
