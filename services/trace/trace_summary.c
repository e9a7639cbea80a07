/* services/trace/trace_summary.c - see trace_summary.h */
#include <stdlib.h>
#include <string.h>
#include "services/trace/trace_summary.h"
#include "core/syscall_table.h"

struct count { long nr; unsigned long calls, errors; double secs; };
static struct count counts[SYSCALL_MAX];

void trace_summary_add(long nr, long ret, double seconds)
{
	if (nr < 0 || nr >= SYSCALL_MAX) return;
	counts[nr].nr = nr;
	counts[nr].calls++;
	if (ret < 0 && ret >= -4095) counts[nr].errors++;
	counts[nr].secs += seconds;
}

void trace_summary_reset(void) { memset(counts, 0, sizeof counts); }

static int by_time(const void *a, const void *b)
{
	const struct count *x = a, *y = b;
	if (x->secs != y->secs) return x->secs < y->secs ? 1 : -1;
	if (x->calls != y->calls) return x->calls < y->calls ? 1 : -1;
	return strcmp(syscall_desc(x->nr)->name, syscall_desc(y->nr)->name);
}

static void rule(FILE *f)
{
	fprintf(f, "------ ----------- ----------- --------- --------- ----------------\n");
}

void trace_summary_print(FILE *f)
{
	struct count rows[SYSCALL_MAX];
	unsigned n = 0;
	double total = 0;
	unsigned long calls = 0, errors = 0;
	for (long nr = 0; nr < SYSCALL_MAX; nr++)
		if (counts[nr].calls) {
			rows[n++] = counts[nr];
			total += counts[nr].secs;
			calls += counts[nr].calls;
			errors += counts[nr].errors;
		}
	qsort(rows, n, sizeof rows[0], by_time);
	fprintf(f, "%% time     seconds  usecs/call     calls    errors syscall\n");
	rule(f);
	for (unsigned i = 0; i < n; i++) {
		fprintf(f, "%6.2f %11.6f %11lu %9lu ", total > 0 ? 100.0 * rows[i].secs / total : 0.0,
			rows[i].secs, (unsigned long)(1e6 * rows[i].secs / rows[i].calls), rows[i].calls);
		if (rows[i].errors) fprintf(f, "%9lu", rows[i].errors);
		else fprintf(f, "%9s", "");
		fprintf(f, " %s\n", syscall_desc(rows[i].nr)->name);
	}
	rule(f);
	fprintf(f, "%6.2f %11.6f %11lu %9lu %9lu total\n", total > 0 ? 100.0 : 0.0, total,
		calls ? (unsigned long)(1e6 * total / calls) : 0, calls, errors);
}
