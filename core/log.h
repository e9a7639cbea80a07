/* core/log.h - diagnostics of the supervisor.
 * Messages go to stderr prefixed "persona: ". Debug categories are chosen with
 * --debug=LIST and cost one branch when off. */
#ifndef PERSONA_LOG_H
#define PERSONA_LOG_H
#include <stdbool.h>

enum debug_cat {
	DBG_SYSCALL = 1 << 0,	/* each dispatched request and its reply */
	DBG_TASK    = 1 << 1,	/* task creation, exit, reparenting */
	DBG_SIGNAL  = 1 << 2,	/* signal stops and siginfo rewriting */
	DBG_PROC    = 1 << 3,	/* /proc path translation */
	DBG_INJECT  = 1 << 4,	/* injected syscalls */
	DBG_IRQ     = 1 << 5,	/* interrupts (core/irq.c) */
	DBG_SOFTIRQ = 1 << 6,	/* softirqs and tasklets (services/deferred) */
	DBG_WORK    = 1 << 7,	/* workqueue items and kernel threads */
	DBG_TIMER   = 1 << 8,	/* timers (services/time) */
	DBG_MM      = 1 << 9,	/* page faults and injected mappings (services/mm) */
	DBG_LOADER  = 1 << 10,	/* exec by the user-space loader (loader/) */
	DBG_SCHED   = 1 << 11,	/* scheduling decisions (services/sched) */
	DBG_TIME    = 1 << 12,	/* not a category: each debug line starts with a monotonic time in µs */
};
extern unsigned log_debug_mask;

/* Parses "syscall,task,..." (or "all"); returns 0 or -1 naming the bad word on stderr. */
int log_parse_debug(const char *list);
void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_dbg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Supervisor invariant broken: message, then abort(). Never for a guest's mistake. */
void log_bug(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#define DBG(cat, ...) do { if (log_debug_mask & (cat)) log_dbg(__VA_ARGS__); } while (0)
#endif
