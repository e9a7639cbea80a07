/* services/sched/sched_trace.c - `persona run --sched-trace FILE`: what ran on each
 * virtual CPU, as Chrome Trace Event JSON (the "JSON Object Format" that Perfetto's
 * UI, ui.perfetto.dev, and chrome://tracing open).
 *
 *   {"traceEvents":[
 *     {"ph":"M","name":"process_name","pid":1,"tid":0,"args":{"name":"persona vCPUs"}},
 *     {"ph":"M","name":"thread_name","pid":1,"tid":0,"args":{"name":"CPU 0"}}, ...
 *     {"ph":"X","cat":"sched","name":"sh 12","pid":1,"tid":0,"ts":1500.250,"dur":3999.875,
 *      "args":{"tid":12,"tgid":12,"comm":"sh","end":"preempt"}},
 *     {"ph":"i","s":"t","cat":"sched","name":"wakeup","pid":1,"tid":1,"ts":1503.000,
 *      "args":{"tid":13,"tgid":12,"comm":"sh"}}, ...
 *   ],"displayTimeUnit":"ns","otherData":{...}}
 *
 * One process, "persona vCPUs", with one thread (a track) per virtual CPU: CPU n is
 * tid n, named "CPU n" and sorted by n. Each run of a task on a CPU is
 * a complete event named "comm tid" ("ph":"X"), with why it ended; wake-ups and
 * plugin swaps are instant events, on a CPU's track or, for cpu >= ncpus, global.
 * Times are in µs, as the format wants, with three decimals to keep nanoseconds,
 * counted from the first event the trace saw (otherData.clock_base_ns says which
 * sched_clock value that was), so the numbers stay small enough for a double.
 *
 * Events go through a 64 KB stdio buffer, written out each time it fills: a long
 * run does not hold the trace in memory. The file is valid JSON once
 * sched_trace_close wrote the closing brackets (at sched_shutdown); a persona killed
 * before leaves it without them (Perfetto still imports such a file).
 *
 * Thread: tracer thread. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "services/sched/sched.h"
#include "core/log.h"

#define TRACE_PID 1
#define TRACE_BUF (64 << 10)

static struct {
	FILE *f;
	char *buf;		/* the stdio buffer */
	unsigned ncpus;
	bool have_base;
	uint64_t base;		/* ns of ts 0 */
	uint64_t events;
} tr;

/* A JSON string literal, escaped (RFC 8259: quote, backslash, control characters) */
static void put_str(const char *s)
{
	fputc('"', tr.f);
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		if (*p == '"' || *p == '\\') fprintf(tr.f, "\\%c", *p);
		else if (*p < 0x20) fprintf(tr.f, "\\u%04x", *p);
		else fputc(*p, tr.f);
	}
	fputc('"', tr.f);
}

/* ns since the base as µs with three decimals (negative for an event older than the
 * first one written, which a slice that began before it can be) */
static void put_us(const char *key, int64_t ns)
{
	uint64_t a = ns < 0 ? -(uint64_t)ns : (uint64_t)ns;
	fprintf(tr.f, ",\"%s\":%s%" PRIu64 ".%03" PRIu64, key, ns < 0 ? "-" : "", a / 1000, a % 1000);
}

static int64_t rel(uint64_t ns)
{
	if (!tr.have_base) {
		tr.base = ns;
		tr.have_base = true;
	}
	return (int64_t)(ns - tr.base);
}

static void begin_event(void)
{
	fputs(tr.events++ ? ",\n" : "\n", tr.f);
}

static void metadata(const char *what, int tid, const char *key, const char *name, int num)
{
	begin_event();
	fprintf(tr.f, "{\"ph\":\"M\",\"name\":\"%s\",\"pid\":%d,\"tid\":%d,\"args\":{\"%s\":", what,
		TRACE_PID, tid, key);
	if (name) put_str(name);
	else fprintf(tr.f, "%d", num);
	fputs("}}", tr.f);
}

static void task_args(const struct persona_sched_task *t)
{
	fprintf(tr.f, "\"tid\":%d,\"tgid\":%d,\"comm\":", t->tid, t->tgid);
	put_str(t->comm);
}

int sched_trace_open(const char *path, unsigned ncpus)
{
	sched_trace_close();
	FILE *f = fopen(path, "we");
	if (!f) return -errno;
	char *buf = malloc(TRACE_BUF);
	if (buf) setvbuf(f, buf, _IOFBF, TRACE_BUF);
	tr = (typeof(tr)){ .f = f, .buf = buf, .ncpus = ncpus };
	fputs("{\"traceEvents\":[", f);
	metadata("process_name", 0, "name", "persona vCPUs", 0);
	metadata("process_sort_index", 0, "sort_index", NULL, 0);
	for (unsigned c = 0; c < ncpus; c++) {
		char name[32];
		snprintf(name, sizeof name, "CPU %u", c);
		metadata("thread_name", (int)c, "name", name, 0);
		metadata("thread_sort_index", (int)c, "sort_index", NULL, (int)c);
	}
	return ferror(f) ? -EIO : 0;
}

void sched_trace_slice(unsigned cpu, const struct persona_sched_task *t, uint64_t start_ns,
		       uint64_t end_ns, const char *why)
{
	if (!tr.f || !t) return;
	char name[64];
	snprintf(name, sizeof name, "%s %d", t->comm ? t->comm : "?", t->tid);
	begin_event();
	fputs("{\"ph\":\"X\",\"cat\":\"sched\",\"name\":", tr.f);
	put_str(name);
	fprintf(tr.f, ",\"pid\":%d,\"tid\":%u", TRACE_PID, cpu);
	put_us("ts", rel(start_ns));
	put_us("dur", end_ns > start_ns ? (int64_t)(end_ns - start_ns) : 0);
	fputs(",\"args\":{", tr.f);
	task_args(t);
	fputs(",\"end\":", tr.f);
	put_str(why ? why : "");
	fputs("}}", tr.f);
}

void sched_trace_instant(unsigned cpu, const char *name, const struct persona_sched_task *t,
			 uint64_t ts_ns)
{
	if (!tr.f) return;
	bool global = cpu >= tr.ncpus;
	begin_event();
	fputs("{\"ph\":\"i\",\"cat\":\"sched\",\"name\":", tr.f);
	put_str(name);
	if (global) fprintf(tr.f, ",\"s\":\"g\",\"pid\":%d,\"tid\":0", TRACE_PID);
	else fprintf(tr.f, ",\"s\":\"t\",\"pid\":%d,\"tid\":%u", TRACE_PID, cpu);
	put_us("ts", rel(ts_ns));
	fputs(",\"args\":{", tr.f);
	if (t) task_args(t);
	fputs("}}", tr.f);
}

void sched_trace_close(void)
{
	if (!tr.f) return;
	fprintf(tr.f, "\n],\"displayTimeUnit\":\"ns\",\"otherData\":{\"generator\":\"persona\","
		"\"vcpus\":%u,\"clock_base_ns\":%" PRIu64 ",\"events\":%" PRIu64 "}}\n",
		tr.ncpus, tr.base, tr.events);
	bool bad = ferror(tr.f);
	if (fclose(tr.f) || bad) log_err("--sched-trace: cannot write the trace: %s", strerror(errno ? errno : EIO));
	free(tr.buf);
	tr = (typeof(tr)){ 0 };
}
