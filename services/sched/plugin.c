/* services/sched/plugin.c - finding, loading and checking scheduler plugins.
 *
 * Entry points: sched_plugin_load, sched_plugin_check, sched_plugin_list,
 * sched_cmd_main (`persona sched list|check`).
 *
 * A plugin is named three ways (sched.h): a built-in name (the table below), a NAME
 * found as NAME.so in the plugin path, or a path with a '/' handed to dlopen as is.
 * The plugin path is, in order: each directory of $PERSONA_SCHED_PATH (a colon list),
 * <the directory of persona's binary>/sched-plugins (the build tree), and
 * PERSONA_PREFIX/lib/persona/sched (where `make install` puts nothing but a user may).
 * A shared object is opened with RTLD_NOW | RTLD_LOCAL, so an unresolved symbol fails
 * at load and not in the middle of a run, and its symbols never leak into the next
 * plugin's. The loader refuses with one line saying why (file not found and where it
 * looked, dlopen's error, no `persona_sched_plugin`, ABI version, name, missing
 * callbacks, no SCHED_NORMAL); the handle of an accepted plugin stays open for the
 * life of the process, since its code is in use.
 *
 * Thread: the tracer thread (at start-up and for `persona ctl PID sched NAME`), or the
 * main thread of `persona sched`. */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "services/sched/sched.h"

#ifndef PERSONA_PREFIX
#define PERSONA_PREFIX "/usr/local"
#endif
#define INSTALL_DIR PERSONA_PREFIX "/lib/persona/sched"
#define NAME_MAX_LEN 31
#define MAX_DIRS 32

static const struct persona_sched_ops *const builtins[] = {
	&sched_fifo_plugin, &sched_rr_plugin, &sched_cfs_plugin,
	&sched_eevdf_plugin, &sched_mlfq_plugin, &sched_edf_plugin,
};
#define NR_BUILTINS (sizeof builtins / sizeof builtins[0])

static const char *const policy_names[] = {
	[PERSONA_SCHED_NORMAL] = "normal", [PERSONA_SCHED_FIFO] = "fifo",
	[PERSONA_SCHED_RR] = "rr", [PERSONA_SCHED_BATCH] = "batch",
	[PERSONA_SCHED_IDLE] = "idle", [PERSONA_SCHED_DEADLINE] = "deadline",
};
#define KNOWN_POLICIES (PERSONA_POLICY_BIT(PERSONA_SCHED_NORMAL) | \
	PERSONA_POLICY_BIT(PERSONA_SCHED_FIFO) | PERSONA_POLICY_BIT(PERSONA_SCHED_RR) | \
	PERSONA_POLICY_BIT(PERSONA_SCHED_BATCH) | PERSONA_POLICY_BIT(PERSONA_SCHED_IDLE) | \
	PERSONA_POLICY_BIT(PERSONA_SCHED_DEADLINE))

static void say(char *err, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(char *err, size_t len, const char *fmt, ...)
{
	if (!err || !len) return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	for (char *p = err; *p; p++)	/* one line, whatever dlerror said */
		if (*p == '\n' || *p == '\r') *p = ' ';
}

static bool valid_name(const char *s, size_t max)
{
	size_t n = 0;
	for (; s[n]; n++)
		if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9') ||
		      s[n] == '_' || s[n] == '-'))
			return false;
	return n > 0 && n <= max;
}

int sched_plugin_check(const struct persona_sched_ops *ops, char *err, size_t errlen)
{
	if (!ops) {
		say(err, errlen, "no ops table");
		return -EINVAL;
	}
	if (ops->abi_version != PERSONA_SCHED_ABI_VERSION) {
		say(err, errlen, "ABI version %u, this persona implements %u (rebuild it against "
		    "this persona's <persona/sched.h>)", ops->abi_version, PERSONA_SCHED_ABI_VERSION);
		return -EINVAL;
	}
	if (!ops->name || !ops->name[0]) {
		say(err, errlen, "empty name");
		return -EINVAL;
	}
	if (!valid_name(ops->name, NAME_MAX_LEN)) {
		say(err, errlen, "bad name \"%.40s\" (use a-z, 0-9, _ and -, at most %d characters)",
		    ops->name, NAME_MAX_LEN);
		return -EINVAL;
	}
	const char *missing = !ops->enqueue ? "enqueue" : !ops->dequeue ? "dequeue"
			    : !ops->pick_next ? "pick_next" : NULL;
	if (missing) {
		say(err, errlen, "plugin %s: required callback %s is missing", ops->name, missing);
		return -EINVAL;
	}
	if (!(ops->policies & PERSONA_POLICY_BIT(PERSONA_SCHED_NORMAL))) {
		say(err, errlen, "plugin %s: SCHED_NORMAL is not in its policies (0x%x): every "
		    "task starts with it", ops->name, ops->policies);
		return -EINVAL;
	}
	if (ops->policies & ~KNOWN_POLICIES) {
		say(err, errlen, "plugin %s: unknown policy bits 0x%x", ops->name,
		    ops->policies & ~KNOWN_POLICIES);
		return -EINVAL;
	}
	return 0;
}

/* The plugin path, as directories; returns their number */
static unsigned plugin_dirs(char dirs[][PATH_MAX], unsigned max)
{
	unsigned n = 0;
	const char *env = getenv("PERSONA_SCHED_PATH");
	for (const char *p = env; p && *p && n < max; ) {
		const char *e = strchrnul(p, ':');
		if (e > p && (size_t)(e - p) < PATH_MAX) {
			memcpy(dirs[n], p, e - p);
			dirs[n++][e - p] = 0;
		}
		p = *e ? e + 1 : e;
	}
	char exe[PATH_MAX];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (len > 0 && n < max) {
		exe[len] = 0;
		char *slash = strrchr(exe, '/');
		if (slash) *slash = 0;
		snprintf(dirs[n++], PATH_MAX, "%.*s/sched-plugins", PATH_MAX - 16, exe);
	}
	if (n < max) snprintf(dirs[n++], PATH_MAX, "%s", INSTALL_DIR);
	return n;
}

/* "dir1:dir2:..." for messages */
static void dirs_string(char dirs[][PATH_MAX], unsigned n, char *out, size_t len)
{
	size_t o = 0;
	out[0] = 0;
	for (unsigned i = 0; i < n && o < len; i++)
		o += snprintf(out + o, len - o, "%s%s", i ? ":" : "", dirs[i]);
}

static const struct persona_sched_ops *builtin(const char *name)
{
	for (unsigned i = 0; i < NR_BUILTINS; i++)
		if (!strcmp(builtins[i]->name, name)) return builtins[i];
	return NULL;
}

/* dlopen + dlsym + check of the shared object at `path`. On success the handle is
 * left open and stored in *handlep (a listing closes it; a load keeps it). */
static const struct persona_sched_ops *open_so(const char *path, void **handlep, char *err,
					       size_t errlen)
{
	struct stat st;
	*handlep = NULL;
	if (stat(path, &st) < 0) {
		say(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		say(err, errlen, "%s: not a regular file", path);
		return NULL;
	}
	dlerror();
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		const char *why = dlerror();
		say(err, errlen, "%s: not a loadable shared object: %s", path, why ? why : "dlopen failed");
		return NULL;
	}
	const struct persona_sched_ops *ops = dlsym(h, PERSONA_SCHED_SYMBOL);
	if (!ops) {
		say(err, errlen, "%s: no symbol `%s` (not a Persona scheduler plugin?)", path,
		    PERSONA_SCHED_SYMBOL);
		dlclose(h);
		return NULL;
	}
	char why[256];
	if (sched_plugin_check(ops, why, sizeof why)) {
		say(err, errlen, "%s: %s", path, why);
		dlclose(h);
		return NULL;
	}
	*handlep = h;
	return ops;
}

/* Looks for FILE (NAME.so, or NAME when it ends in .so) in the plugin path */
static const struct persona_sched_ops *search(const char *name, char *err, size_t errlen)
{
	static char dirs[MAX_DIRS][PATH_MAX];
	char file[NAME_MAX + 1], path[PATH_MAX];
	size_t n = strlen(name);
	bool has_so = n > 3 && !strcmp(name + n - 3, ".so");
	if (snprintf(file, sizeof file, "%s%s", name, has_so ? "" : ".so") >= (int)sizeof file) {
		say(err, errlen, "plugin name too long: %.40s...", name);
		return NULL;
	}
	unsigned nd = plugin_dirs(dirs, MAX_DIRS);
	for (unsigned i = 0; i < nd; i++) {
		if (snprintf(path, sizeof path, "%s/%s", dirs[i], file) >= (int)sizeof path) continue;
		if (access(path, F_OK) < 0) continue;
		void *h;
		return open_so(path, &h, err, errlen);	/* the first one found is the one */
	}
	char where[1024];
	dirs_string(dirs, nd, where, sizeof where);
	char names[128];
	size_t o = 0;
	for (unsigned i = 0; i < NR_BUILTINS && o < sizeof names; i++)
		o += snprintf(names + o, sizeof names - o, "%s%s", i ? " " : "", builtins[i]->name);
	say(err, errlen, "no scheduler plugin \"%s\": not a built-in (%s) and no %s in %s",
	    name, names, file, where);
	return NULL;
}

const struct persona_sched_ops *sched_plugin_load(const char *name, char *err, size_t errlen)
{
	if (!name || !name[0]) {
		say(err, errlen, "empty scheduler plugin name");
		return NULL;
	}
	if (strchr(name, '/')) {
		void *h;
		return open_so(name, &h, err, errlen);
	}
	const struct persona_sched_ops *ops = builtin(name);
	if (ops) return ops;
	size_t n = strlen(name);
	bool has_so = n > 3 && !strcmp(name + n - 3, ".so");
	char stem[NAME_MAX_LEN + 1];
	if (n - (has_so ? 3 : 0) >= sizeof stem) {
		say(err, errlen, "bad scheduler plugin name \"%.40s\": longer than %d characters",
		    name, NAME_MAX_LEN);
		return NULL;
	}
	memcpy(stem, name, n - (has_so ? 3 : 0));
	stem[n - (has_so ? 3 : 0)] = 0;
	if (!valid_name(stem, NAME_MAX_LEN)) {
		say(err, errlen, "bad scheduler plugin name \"%s\" (a built-in, a NAME of "
		    "[a-z0-9_-] looked for as NAME.so, or a path with a '/')", name);
		return NULL;
	}
	return search(name, err, errlen);
}

/* ---- listing ---- */

struct row {
	char name[64], origin[PATH_MAX], policies[64], desc[320];
};

static void policies_string(unsigned bits, char *out, size_t len)
{
	size_t o = 0;
	out[0] = 0;
	for (unsigned p = 0; p < sizeof policy_names / sizeof policy_names[0] && o < len; p++)
		if ((bits & PERSONA_POLICY_BIT(p)) && policy_names[p])
			o += snprintf(out + o, len - o, "%s%s", o ? "," : "", policy_names[p]);
	if (!o) snprintf(out, len, "-");
}

static void row_from_ops(struct row *r, const struct persona_sched_ops *ops, const char *origin)
{
	snprintf(r->name, sizeof r->name, "%s", ops->name);
	snprintf(r->origin, sizeof r->origin, "%s", origin);
	policies_string(ops->policies, r->policies, sizeof r->policies);
	snprintf(r->desc, sizeof r->desc, "%s", ops->description && ops->description[0]
		 ? ops->description : "-");
}

static bool is_so(const char *f)
{
	size_t n = strlen(f);
	return n > 3 && !strcmp(f + n - 3, ".so");
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends the rows of every *.so in dir, sorted by file name. Returns the new count. */
static unsigned list_dir(const char *dir, struct row **rows, unsigned n, unsigned *cap)
{
	DIR *d = opendir(dir);
	if (!d) return n;
	char *files[256];
	unsigned nf = 0;
	for (struct dirent *e; (e = readdir(d)) && nf < 256; )
		if (is_so(e->d_name) && (files[nf] = strdup(e->d_name))) nf++;
	closedir(d);
	qsort(files, nf, sizeof files[0], cmp_str);
	for (unsigned i = 0; i < nf; i++) {
		if (n == *cap) {
			struct row *nr = realloc(*rows, 2 * *cap * sizeof **rows);
			if (!nr) {
				free(files[i]);
				continue;
			}
			*rows = nr;
			*cap *= 2;
		}
		struct row *r = &(*rows)[n++];
		char path[PATH_MAX], err[512];
		if (snprintf(path, sizeof path, "%s/%s", dir, files[i]) >= (int)sizeof path) {
			n--;
			free(files[i]);
			continue;
		}
		void *h;
		const struct persona_sched_ops *ops = open_so(path, &h, err, sizeof err);
		if (ops) {
			row_from_ops(r, ops, path);
		} else {
			snprintf(r->name, sizeof r->name, "%.*s", (int)strlen(files[i]) - 3, files[i]);
			snprintf(r->origin, sizeof r->origin, "%s", path);
			snprintf(r->policies, sizeof r->policies, "-");
			/* the reason without the path, which is in the origin column */
			const char *why = !strncmp(err, path, strlen(path)) ? err + strlen(path) + 2 : err;
			snprintf(r->desc, sizeof r->desc, "BROKEN: %.300s", why);
		}
		if (h) dlclose(h);
		free(files[i]);
	}
	return n;
}

/* A NAME.so in a later directory of the path is never loaded by NAME: says so */
static void mark_shadowed(struct row *rows, unsigned first, unsigned n)
{
	for (unsigned i = first; i < n; i++) {
		const char *file = strrchr(rows[i].origin, '/');
		for (unsigned j = NR_BUILTINS; j < first && file; j++) {
			const char *other = strrchr(rows[j].origin, '/');
			if (other && !strcmp(file, other)) {
				size_t l = strlen(rows[i].desc);
				snprintf(rows[i].desc + l, sizeof rows[i].desc - l, " (shadowed by %s)",
					 rows[j].origin);
				break;
			}
		}
	}
}

static int width(const struct row *rows, unsigned n, size_t off, const char *title)
{
	size_t w = strlen(title);
	for (unsigned i = 0; i < n; i++) {
		size_t l = strlen((const char *)&rows[i] + off);
		if (l > w) w = l;
	}
	return (int)w;
}

int sched_plugin_list(FILE *out)
{
	static char dirs[MAX_DIRS][PATH_MAX];
	unsigned cap = 16, n = 0;
	struct row *rows = malloc(cap * sizeof *rows);
	if (!rows) return -ENOMEM;
	for (unsigned i = 0; i < NR_BUILTINS; i++) row_from_ops(&rows[n++], builtins[i], "builtin");
	unsigned nd = plugin_dirs(dirs, MAX_DIRS);
	static char real[MAX_DIRS][PATH_MAX];
	for (unsigned i = 0; i < nd; i++) {
		if (!realpath(dirs[i], real[i])) continue;	/* missing: nothing to list */
		bool seen = false;	/* the same directory twice in the path */
		for (unsigned j = 0; j < i; j++) seen |= !strcmp(real[i], real[j]);
		if (seen) continue;
		unsigned first = n;
		n = list_dir(dirs[i], &rows, n, &cap);
		mark_shadowed(rows, first, n);
	}
	int wn = width(rows, n, offsetof(struct row, name), "NAME");
	int wo = width(rows, n, offsetof(struct row, origin), "ORIGIN");
	int wp = width(rows, n, offsetof(struct row, policies), "POLICIES");
	fprintf(out, "%-*s  %-*s  %-*s  %s\n", wn, "NAME", wo, "ORIGIN", wp, "POLICIES", "DESCRIPTION");
	for (unsigned i = 0; i < n; i++)
		fprintf(out, "%-*s  %-*s  %-*s  %s\n", wn, rows[i].name, wo, rows[i].origin, wp,
			rows[i].policies, rows[i].desc);
	char where[1024];
	dirs_string(dirs, nd, where, sizeof where);
	fprintf(out, "plugin path: %s\n", where);
	free(rows);
	return ferror(out) ? -EIO : 0;
}

/* ---- persona sched ---- */

static void sched_usage(FILE *f)
{
	fprintf(f,
		"usage: persona sched list         built-in and installed scheduler plugins\n"
		"       persona sched check PLUGIN load PLUGIN (a name or a path to a .so) and\n"
		"                                  check it as `persona run --sched PLUGIN` would\n"
		"  plugins are looked for in $PERSONA_SCHED_PATH (a colon list), then in\n"
		"  <persona's directory>/sched-plugins, then in " INSTALL_DIR "\n");
}

int sched_cmd_main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "list")) return sched_plugin_list(stdout) ? 1 : 0;
	if (argc == 3 && !strcmp(argv[1], "check")) {
		char err[1024];
		const struct persona_sched_ops *ops = sched_plugin_load(argv[2], err, sizeof err);
		if (!ops) {
			fprintf(stderr, "persona: %s\n", err);
			return 1;
		}
		char pol[64];
		policies_string(ops->policies, pol, sizeof pol);
		printf("%s: ok: %s (%s) %s\n", argv[2], ops->name, pol,
		       ops->description ? ops->description : "");
		return 0;
	}
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		sched_usage(stdout);
		return 0;
	}
	if (argc >= 2) fprintf(stderr, "persona sched: unknown command '%s'\n", argv[1]);
	sched_usage(stderr);
	return 2;
}
