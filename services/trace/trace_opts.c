/* services/trace/trace_opts.c - see trace_opts.h */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "services/trace/trace_opts.h"

void trace_opts_usage(FILE *f)
{
	fprintf(f,
		"usage: persona trace [-f] [-ff] [-o FILE] [-e trace=SET] [-s N] [-c] [-C] [-T]\n"
		"                     [-t|-tt|-ttt] [-y] [-v] [--host-pids] -- PROGRAM [ARGS...]\n"
		"  options mean what they mean in strace(1); pids are the guest's virtual pids\n"
		"  --host-pids    also show host pids: [pid VPID/HOSTPID]\n");
}

static const struct { const char *name; unsigned cls; } classes[] = {
	{ "file", CL_FILE }, { "process", CL_PROCESS }, { "memory", CL_MEMORY },
	{ "signal", CL_SIGNAL }, { "ipc", CL_IPC }, { "network", CL_NETWORK },
	{ "net", CL_NETWORK }, { "desc", CL_DESC }, { "creds", CL_CREDS },
	{ "clock", CL_CLOCK }, { "stat", CL_STAT }, { "pure", CL_PURE },
};

/* Marks one element (a name or a class); returns -1 if unknown */
static int select_one(const char *w, bool on, struct trace_config *c)
{
	const char *cls = w[0] == '%' ? w + 1 : w;
	for (unsigned i = 0; i < sizeof classes / sizeof classes[0]; i++) {
		if (strcmp(cls, classes[i].name)) continue;
		for (long nr = 0; nr < SYSCALL_MAX; nr++)
			if (syscall_desc(nr)->cls & classes[i].cls) c->selected[nr] = on;
		return 0;
	}
	if (!strcmp(w, "all") || !strcmp(w, "none")) {
		bool v = !strcmp(w, "all") ? on : !on;
		for (long nr = 0; nr < SYSCALL_MAX; nr++) c->selected[nr] = v;
		return 0;
	}
	long nr = w[0] == '%' ? -1 : syscall_lookup(w);
	if (nr < 0) return -1;
	c->selected[nr] = on;
	return 0;
}

int trace_opts_parse_set(const char *expr, struct trace_config *c)
{
	if (!strncmp(expr, "trace=", 6)) expr += 6;
	else if (strchr(expr, '=')) {
		fprintf(stderr, "persona: invalid -e qualifier '%s' (only trace= is supported)\n", expr);
		return -1;
	}
	bool neg = expr[0] == '!';
	if (neg) expr++;
	for (long nr = 0; nr < SYSCALL_MAX; nr++) c->selected[nr] = neg;
	char *copy = strdup(expr), *save = NULL;
	int rc = 0;
	for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save))
		if (select_one(w, !neg, c)) {
			fprintf(stderr, "persona: invalid system call '%s'\n", w);
			rc = -1;
			break;
		}
	free(copy);
	return rc;
}

int trace_opts_parse(int argc, char **argv, struct trace_config *c)
{
	static const struct option opts[] = {
		{ "host-pids", no_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int ch;
	memset(c, 0, sizeof *c);
	c->strsize = 32;
	for (long nr = 0; nr < SYSCALL_MAX; nr++) c->selected[nr] = true;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "+fo:e:s:cCTtyvh", opts, NULL)) != -1) {
		switch (ch) {
		case 'f': if (c->follow) c->per_pid_files = true; c->follow = true; break;
		case 'o': c->outfile = optarg; break;
		case 'e': if (trace_opts_parse_set(optarg, c)) return 2; break;
		case 's': {
			char *end;
			long n = strtol(optarg, &end, 10);
			if (*end || n < 0 || n > 1 << 20) {
				fprintf(stderr, "persona: invalid -s argument: '%s'\n", optarg);
				return 2;
			}
			c->strsize = (unsigned)n;
			break;
		}
		case 'c': c->summary = true; break;
		case 'C': c->summary_too = true; break;
		case 'T': c->durations = true; break;
		case 't': c->timestamps++; break;
		case 'y': c->fd_paths = true; break;
		case 'v': c->verbose = true; break;
		case 'H': c->host_pids = true; break;
		case 'h': trace_opts_usage(stdout); exit(0);
		default: trace_opts_usage(stderr); return 2;
		}
	}
	if (c->timestamps > 3) c->timestamps = 3;
	if (optind >= argc) {
		fprintf(stderr, "persona: must have PROG [ARGS]\n");
		trace_opts_usage(stderr);
		return 2;
	}
	c->argi = optind;
	return 0;
}
