/* loader/ldd.h - how glibc's dynamic loader will resolve a program's shared
 * libraries: what `ldd PROGRAM` prints, and by which rule each library is found.
 *
 * ldd_resolve() follows glibc 2.36's ld.so (Debian 12) as `ldd` runs it (ld.so
 * PROGRAM with LD_TRACE_LOADED_OBJECTS=1):
 *
 *  - objects are loaded breadth-first over the DT_NEEDED tree (_dl_map_object_deps),
 *    after LD_PRELOAD and /etc/ld.so.preload; a name already loaded (as a name it was
 *    requested by, its path, or its DT_SONAME) is not searched again, and a file
 *    found under a second name (same device and inode) is the same object;
 *  - a name with a '/' is used as is (after $ORIGIN/$LIB/$PLATFORM expansion);
 *    otherwise (_dl_map_object) the DT_RPATH of the requesting object and of the
 *    objects that loaded it, up to the program - unless the requesting object has a
 *    DT_RUNPATH (and an object's DT_RPATH is ignored if it has a DT_RUNPATH) -, then
 *    LD_LIBRARY_PATH (not for a set-user/group-ID program), then the DT_RUNPATH of
 *    the requesting object, then /etc/ld.so.cache, then the system search path
 *    (unless the requester has DF_1_NODEFLIB);
 *  - every directory of those lists is tried with the glibc-hwcaps subdirectories
 *    the CPU supports (glibc-hwcaps/x86-64-v4/ ... v2/) and 2.36's legacy hwcap
 *    subdirectories (tls/x86_64/ ...) first, as ld.so does;
 *  - a candidate of the other ELF class or another machine is skipped; one that is
 *    not ELF at all, too short, or otherwise broken stops everything, as in ld.so
 *    ("error while loading shared libraries");
 *  - a library that is found nowhere is listed as "not found" (each time it is
 *    needed, as ld.so's trace mode does), and its dependencies are unknown.
 *
 * Not modelled: LD_AUDIT, DT_AUXILIARY/DT_FILTER, GLIBC_TUNABLES and LD_HWCAP_MASK,
 * symbol versions, and ld.so's own --library-path/--inhibit-cache options.
 *
 * Thread: any; ldd_hwcaps_detect() reads the CPU (cpuid) and the auxv. */
#ifndef PERSONA_LOADER_LDD_H
#define PERSONA_LOADER_LDD_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* glibc's values on this system (ld.so --help: "Shared library search path"). */
#define LDD_RTLD	"/lib64/ld-linux-x86-64.so.2"	/* the ld.so ldd runs */
#define LDD_CACHE_FILE	"/etc/ld.so.cache"
#define LDD_PRELOAD_FILE "/etc/ld.so.preload"
#define LDD_DST_LIB	"lib/x86_64-linux-gnu"		/* $LIB on Debian's multiarch glibc */
extern const char *const ldd_system_dirs[];		/* NULL-terminated, with trailing '/' */

/* How a library was found. */
enum ldd_how {
	LDD_NOT_FOUND,		/* nowhere: "not found" */
	LDD_PATH,		/* its name has a '/': used as the path */
	LDD_RPATH,		/* DT_RPATH of the requester or of one of its loaders */
	LDD_LD_LIBRARY_PATH,
	LDD_RUNPATH,		/* DT_RUNPATH of the requester */
	LDD_CACHE,		/* /etc/ld.so.cache */
	LDD_DEFAULT,		/* the system search path */
	LDD_INTERP,		/* the dynamic loader itself (PT_INTERP / its DT_SONAME) */
	LDD_VDSO,		/* linux-vdso.so.1, mapped by the kernel */
};
const char *ldd_how_name(enum ldd_how how);	/* "ld.so.cache", "RPATH", ... */

struct ldd_lib {
	char *name;		/* as requested: ldd's left column */
	char *path;		/* ld.so's name for the file (ldd's right column); NULL: not found */
	enum ldd_how how;
	char *owner;		/* LDD_RPATH/LDD_RUNPATH: the object whose tag it was */
	char *dir;		/* the search-list directory it was found in (with hwcaps subdir) */
	char *needed_by;	/* the object whose DT_NEEDED asked first ("LD_PRELOAD", ...) */
	bool preload;		/* loaded by LD_PRELOAD or /etc/ld.so.preload */
};

struct ldd_result {
	struct ldd_lib *lib;	/* in the order ldd prints them (vDSO and ld.so included) */
	unsigned nlib;
	bool statically_linked;	/* the program has no DT_NEEDED: ldd says "statically linked" */
	bool secure;		/* resolved as for a set-user/group-ID program */
	char *interp;		/* the program's PT_INTERP, NULL if none */
	bool interp_listed;	/* ld.so was loaded as a dependency (has its line in lib[]) */
	char **warnings;	/* ld.so's non-fatal complaints (a preload it cannot load) */
	unsigned nwarnings;
};

/* The CPU-dependent part of the search (glibc 2.36 on x86-64). */
#define LDD_MAX_SUBDIRS	24
struct ldd_hwcaps {
	char platform[16];		/* $PLATFORM: AT_PLATFORM, or "haswell"/"xeon_phi" (Intel) */
	unsigned isa_level;		/* bit 0 baseline, bit n: x86-64-v(n+1) usable */
	uint64_t hwcap;			/* legacy hwcaps: bit 1 x86_64, bit 2 avx512_1 */
	char subdir[LDD_MAX_SUBDIRS][64];/* tried in each search directory, in order; "" last */
	unsigned nsubdir;
	char glibc_hwcaps[3][12];	/* active glibc-hwcaps names, best first ("x86-64-v4") */
	unsigned nglibc_hwcaps;
};
/* Fills hw as ld.so would on this CPU. */
void ldd_hwcaps_detect(struct ldd_hwcaps *hw);
/* Builds hw->subdir from the other fields (for tests that set them by hand). */
void ldd_hwcaps_subdirs(struct ldd_hwcaps *hw);

struct ldd_config {
	const char *ld_library_path;	/* NULL or "": none */
	const char *ld_preload;		/* NULL or "": none */
	const char *preload_file;	/* NULL: none (ldd_config_default: /etc/ld.so.preload) */
	const char *cache_file;		/* NULL: no cache (default: /etc/ld.so.cache) */
	const char *rtld;		/* the dynamic loader ldd runs (default LDD_RTLD) */
	const char *const *system_dirs;	/* NULL: ldd_system_dirs */
	int secure;			/* 1/0; -1: from the program's set-ID bits */
	const struct ldd_hwcaps *hw;	/* NULL: detected */
};
/* The configuration `ldd` has: LD_LIBRARY_PATH and LD_PRELOAD from the environment,
 * the system's cache and preload files. */
void ldd_config_default(struct ldd_config *cfg);

enum {
	LDD_OK = 0,
	LDD_ERR_FATAL = -1,	/* ld.so gives up: err has "OBJECT: reason" */
	LDD_ERR_NOT_DYNAMIC = -2,	/* ldd: "not a dynamic executable"; err says why */
	LDD_ERR_OPEN = -3,	/* the program cannot be opened; err says why */
};
/* Resolves program's libraries (program is opened as given; ldd prefixes "./" to a
 * name without '/'). LDD_OK with *res filled, or an LDD_ERR_* with a reason in
 * err[errlen]. res needs ldd_result_free() in every case. */
int ldd_resolve(const char *program, const struct ldd_config *cfg, struct ldd_result *res,
		char *err, unsigned errlen);
void ldd_result_free(struct ldd_result *res);

/* $ORIGIN of an object ld.so opened as path: its directory, made absolute with the
 * current directory but not otherwise normalized (glibc's _dl_new_object). NULL
 * when the current directory is unknown. malloc'd. */
char *ldd_origin(const char *path);

/* The values dynamic string tokens expand to, for one object. */
struct ldd_dst {
	const char *origin;		/* NULL: unknown (a path using $ORIGIN is dropped) */
	const char *platform;		/* NULL: unknown */
	bool secure;			/* set-ID program: glibc's restrictions on $ORIGIN */
	bool is_program;		/* the object is the program (its $ORIGIN must be trusted) */
	const char *const *trusted;	/* secure mode's trusted dirs (NULL: ldd_system_dirs) */
};
/* Expands $ORIGIN, $PLATFORM and $LIB (also as ${...}) in one path, as glibc's
 * _dl_dst_substitute: "" when the path must be dropped. malloc'd (NULL: no memory). */
char *ldd_expand_dst(const char *in, const struct ldd_dst *dst);

/* /etc/ld.so.cache: glibc's "glibc-ld.so.cache1.1" format (alone, or after the old
 * "ld.so-1.7.0" table); an old-format-only cache is read too. */
struct ld_cache;
/* 0, or -errno with a reason: -ENOENT (no file), -EINVAL (not a cache: bad magic,
 * more entries than the file holds, wrong endianness), -ENOMEM. */
int ld_cache_load(const char *path, struct ld_cache **out, char *why, unsigned whylen);
int ld_cache_load_mem(const void *buf, size_t len, struct ld_cache **out, char *why,
		      unsigned whylen);
/* The file the cache gives for name, as _dl_load_cache_lookup: entries flagged
 * ELF libc6 x86-64 (0x303), the best usable glibc-hwcaps entry first, else the
 * first legacy one. NULL if none. Valid while the cache lives. hw NULL: detected. */
const char *ld_cache_lookup(const struct ld_cache *c, const char *name,
			    const struct ldd_hwcaps *hw);
/* The number of entries (for tests). */
unsigned ld_cache_count(const struct ld_cache *c);
void ld_cache_free(struct ld_cache *c);
/* glibc's _dl_cache_libcmp: names compared with digit runs as numbers. */
int ld_cache_libcmp(const char *a, const char *b);
#endif
