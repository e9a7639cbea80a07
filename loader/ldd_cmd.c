/* loader/ldd_cmd.c - `persona ldd [--plain] PROGRAM...` (see ldd.h for the rules).
 *
 * One line per object, in the order ldd prints them:
 *
 *	libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (found by ld.so.cache)
 *	libfoo.so => /opt/app/lib/libfoo.so (found by RPATH of ./app)
 *	libbar.so => not found (needed by /opt/app/lib/libfoo.so)
 *	/lib64/ld-linux-x86-64.so.2 (program interpreter)
 *
 * that is, ldd's format with the rule that found the library where ldd prints the
 * load address. --plain prints exactly ldd's lines without the addresses, for
 * comparing with `ldd`. As ldd, a program named without a '/' is looked for in the
 * current directory, and the file name heads each listing when there are several. */
#include "loader/ldd_cmd.h"
#include "loader/ldd.h"
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: persona ldd [--plain] PROGRAM...\n"
		"  the shared libraries PROGRAM needs, in the order ld.so loads them, where it\n"
		"  finds each and by which rule (DT_RPATH, LD_LIBRARY_PATH, DT_RUNPATH,\n"
		"  /etc/ld.so.cache, the system search path)\n"
		"  --plain   exactly ldd's lines, without the load addresses\n");
}

static void print_lib(const struct ldd_lib *l, bool plain)
{
	if (plain) {
		if (!l->path) printf("\t%s => not found\n", l->name);
		else if (!strcmp(l->name, l->path)) printf("\t%s\n", l->name);
		else printf("\t%s => %s\n", l->name, l->path);
		return;
	}
	switch (l->how) {
	case LDD_VDSO:
		printf("\t%s (vDSO: mapped by the kernel, not searched)\n", l->name);
		return;
	case LDD_INTERP:
		printf("\t%s (program interpreter)\n", l->name);
		return;
	case LDD_NOT_FOUND:
		if (l->needed_by) printf("\t%s => not found (needed by %s)\n", l->name, l->needed_by);
		else printf("\t%s => not found\n", l->name);
		return;
	default:
		break;
	}
	if (!strcmp(l->name, l->path)) printf("\t%s (found by ", l->name);
	else printf("\t%s => %s (found by ", l->name, l->path);
	if (l->how == LDD_RPATH || l->how == LDD_RUNPATH)
		printf("%s of %s", ldd_how_name(l->how), l->owner ? l->owner : "?");
	else
		printf("%s", ldd_how_name(l->how));
	printf("%s)\n", l->preload ? ", preloaded" : "");
}

static int one(const char *arg, bool plain)
{
	/* ldd: a name without a '/' is a file in the current directory */
	char *path = strchr(arg, '/') ? strdup(arg) : NULL;
	if (!path && asprintf(&path, "./%s", arg) < 0) path = NULL;
	if (!path) {
		fprintf(stderr, "persona ldd: out of memory\n");
		return 1;
	}
	struct stat st;
	int rc = 0;
	if (stat(path, &st) < 0) {
		fprintf(stderr, "persona ldd: %s: %s\n", path, strerror(errno));
		rc = 1;
	} else if (!S_ISREG(st.st_mode)) {
		fprintf(stderr, "persona ldd: %s: not regular file\n", path);
		rc = 1;
	} else if (access(path, R_OK) < 0) {
		fprintf(stderr, "persona ldd: error: you do not have read permission for `%s'\n", path);
		rc = 1;
	}
	if (rc) {
		free(path);
		return rc;
	}
	struct ldd_config cfg;
	ldd_config_default(&cfg);
	struct ldd_result res;
	char err[PATH_MAX + 512];
	int r = ldd_resolve(path, &cfg, &res, err, sizeof err);
	for (unsigned i = 0; i < res.nwarnings; i++) fprintf(stderr, "%s\n", res.warnings[i]);
	switch (r) {
	case LDD_OK:
		break;
	case LDD_ERR_NOT_DYNAMIC:
		if (plain) fprintf(stderr, "\tnot a dynamic executable\n");
		else fprintf(stderr, "\tnot a dynamic executable (%s)\n", err);
		rc = 1;
		break;
	case LDD_ERR_OPEN:
		fprintf(stderr, "persona ldd: %s: %s\n", path, err);
		rc = 1;
		break;
	default:
		fprintf(stderr, "%s: error while loading shared libraries: %s\n", path, err);
		rc = 1;
		break;
	}
	if (r == LDD_OK) {
		if (res.statically_linked) {
			printf("\tstatically linked\n");
		} else {
			for (unsigned i = 0; i < res.nlib; i++) print_lib(&res.lib[i], plain);
			if (!plain && res.interp && !res.interp_listed)
				printf("\t%s (program interpreter; no library needs it by name)\n", res.interp);
			if (!plain && res.secure)
				printf("\t(set-user/group-ID program: LD_LIBRARY_PATH ignored, $ORIGIN restricted)\n");
		}
	}
	ldd_result_free(&res);
	free(path);
	return rc;
}

int ldd_cmd_main(int argc, char **argv)
{
	bool plain = false;
	int i = 1;
	for (; i < argc; i++) {
		if (!strcmp(argv[i], "--plain")) plain = true;
		else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "persona ldd: unknown option '%s'\n", argv[i]);
			usage(stderr);
			return 2;
		} else {
			break;
		}
	}
	if (i >= argc) {
		fprintf(stderr, "persona ldd: missing file arguments\n");
		usage(stderr);
		return 2;
	}
	int rc = 0, nfiles = argc - i;
	for (; i < argc; i++) {
		if (nfiles > 1) printf("%s:\n", argv[i]);
		fflush(stdout);
		if (one(argv[i], plain)) rc = 1;
		fflush(stdout);
	}
	return rc;
}
