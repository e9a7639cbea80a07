/* core/log.c - see log.h */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "core/log.h"

unsigned log_debug_mask;

static const struct { const char *name; unsigned bit; } debug_names[] = {
	{ "syscall", DBG_SYSCALL }, { "task", DBG_TASK }, { "signal", DBG_SIGNAL },
	{ "proc", DBG_PROC }, { "inject", DBG_INJECT }, { "irq", DBG_IRQ },
	{ "softirq", DBG_SOFTIRQ }, { "work", DBG_WORK }, { "timer", DBG_TIMER }, { "mm", DBG_MM }, { "loader", DBG_LOADER }, { "sched", DBG_SCHED }, { "time", DBG_TIME },
};

int log_parse_debug(const char *list)
{
	char buf[256], *save = NULL, *w;
	snprintf(buf, sizeof buf, "%s", list);
	for (w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		size_t i;
		if (!strcmp(w, "all")) { log_debug_mask = ~0u; continue; }
		for (i = 0; i < sizeof debug_names / sizeof debug_names[0]; i++)
			if (!strcmp(w, debug_names[i].name)) break;
		if (i == sizeof debug_names / sizeof debug_names[0]) {
			log_err("unknown debug category '%s'", w);
			return -1;
		}
		log_debug_mask |= debug_names[i].bit;
	}
	return 0;
}

static void vlog(const char *prefix, const char *fmt, va_list ap)
{
	char buf[1024];
	int n;
	if (log_debug_mask & DBG_TIME) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		n = snprintf(buf, sizeof buf, "persona: %llu.%06ld %s", (unsigned long long)ts.tv_sec,
			     ts.tv_nsec / 1000, prefix);
	} else {
		n = snprintf(buf, sizeof buf, "persona: %s", prefix);
	}
	n += vsnprintf(buf + n, sizeof buf - n - 1, fmt, ap);
	if (n > (int)sizeof buf - 2) n = sizeof buf - 2;
	buf[n++] = '\n';
	/* one write: lines from the supervisor never interleave mid-line with guests' */
	if (write(STDERR_FILENO, buf, n) < 0) { /* nothing useful to do */ }
}

void log_err(const char *fmt, ...) { va_list ap; va_start(ap, fmt); vlog("", fmt, ap); va_end(ap); }
void log_dbg(const char *fmt, ...) { va_list ap; va_start(ap, fmt); vlog("debug: ", fmt, ap); va_end(ap); }
void log_bug(const char *fmt, ...)
{
	va_list ap; va_start(ap, fmt); vlog("BUG: ", fmt, ap); va_end(ap);
	abort();
}
