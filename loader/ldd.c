/* loader/ldd.c - glibc 2.36 ld.so's library search, as `ldd` shows it (see ldd.h).
 *
 * The functions follow glibc's elf/ names: open_verify, open_path, map_object
 * (_dl_map_object), map_from_fd (_dl_map_object_from_fd), map_deps
 * (_dl_map_object_deps), fillin_rpath/decompose_rpath, dst_substitute, and the
 * cache's search_cache (elf/dl-cache.c). */
#include "loader/ldd.h"
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>
#include "loader/dynamic.h"
#include "loader/elf.h"

/* ld.so --help on Debian 12 (glibc 2.36): "Shared library search path". */
const char *const ldd_system_dirs[] = {
	"/lib/x86_64-linux-gnu/",
	"/usr/lib/x86_64-linux-gnu/",
	"/lib/",
	"/usr/lib/",
	NULL,
};

const char *ldd_how_name(enum ldd_how how)
{
	switch (how) {
	case LDD_NOT_FOUND: return "not found";
	case LDD_PATH: return "path name";
	case LDD_RPATH: return "RPATH";
	case LDD_LD_LIBRARY_PATH: return "LD_LIBRARY_PATH";
	case LDD_RUNPATH: return "RUNPATH";
	case LDD_CACHE: return "ld.so.cache";
	case LDD_DEFAULT: return "system search path";
	case LDD_INTERP: return "program interpreter";
	case LDD_VDSO: return "vDSO";
	}
	return "?";
}

/* ---- hardware capabilities (elf/dl-hwcaps.c, sysdeps/x86/cpu-features.c) ---- */

#define HWCAP_X86_64		(1u << 1)
#define HWCAP_X86_AVX512_1	(1u << 2)

static void append_subdir(struct ldd_hwcaps *hw, const char *s)
{
	if (hw->nsubdir < LDD_MAX_SUBDIRS)
		snprintf(hw->subdir[hw->nsubdir++], sizeof hw->subdir[0], "%s", s);
}

void ldd_hwcaps_subdirs(struct ldd_hwcaps *hw)
{
	hw->nsubdir = 0;
	char buf[64];
	for (unsigned i = 0; i < hw->nglibc_hwcaps && i < 3; i++) {
		snprintf(buf, sizeof buf, "glibc-hwcaps/%s/", hw->glibc_hwcaps[i]);
		append_subdir(hw, buf);
	}
	/* 2.36's legacy subdirectories: every subset of (hwcap names in bit order,
	 * platform, "tls"), written last-to-first, from the full set down to the
	 * empty one (_dl_important_hwcaps' compressed table, expanded). */
	const char *temp[4];
	unsigned cnt = 0;
	if (hw->hwcap & HWCAP_X86_64) temp[cnt++] = "x86_64";
	if (hw->hwcap & HWCAP_X86_AVX512_1) temp[cnt++] = "avx512_1";
	if (hw->platform[0]) temp[cnt++] = hw->platform;
	temp[cnt++] = "tls";
	for (unsigned i = 0; i < (1u << cnt); i++) {
		unsigned mask = (1u << cnt) - 1 - i;
		size_t n = 0;
		buf[0] = '\0';
		for (int k = (int)cnt - 1; k >= 0; k--)
			if (mask & (1u << k))
				n += (size_t)snprintf(buf + n, sizeof buf - n, "%s/", temp[k]);
		append_subdir(hw, buf);
	}
}

static uint64_t xgetbv0(void)
{
	uint32_t a, d;
	__asm__ volatile("xgetbv" : "=a"(a), "=d"(d) : "c"(0));
	return ((uint64_t)d << 32) | a;
}

void ldd_hwcaps_detect(struct ldd_hwcaps *hw)
{
	memset(hw, 0, sizeof *hw);
	const char *plat = (const char *)getauxval(AT_PLATFORM);
	snprintf(hw->platform, sizeof hw->platform, "%s", plat ? plat : "x86_64");
	hw->hwcap = HWCAP_X86_64;
	hw->isa_level = 1;
	unsigned a, b, c, d;
	unsigned max = __get_cpuid_max(0, NULL);
	if (max >= 1) {
		__cpuid(0, a, b, c, d);
		bool intel = b == 0x756e6547 && d == 0x49656e69 && c == 0x6c65746e;
		__cpuid(1, a, b, c, d);
		uint32_t c1 = c;
		uint32_t b7 = 0;
		if (max >= 7) {
			__cpuid_count(7, 0, a, b, c, d);
			b7 = b;
		}
		uint32_t ce = 0;
		if (__get_cpuid_max(0x80000000, NULL) >= 0x80000001) {
			__cpuid(0x80000001, a, b, c, d);
			ce = c;
		}
		bool osxsave = c1 & (1u << 27);
		uint64_t xcr0 = osxsave ? xgetbv0() : 0;
		bool avx_os = (xcr0 & 6) == 6, avx512_os = avx_os && (xcr0 & 0xe0) == 0xe0;
		bool sse3 = c1 & (1u << 0), ssse3 = c1 & (1u << 9), fma = (c1 & (1u << 12)) && avx_os;
		bool cx16 = c1 & (1u << 13), sse41 = c1 & (1u << 19), sse42 = c1 & (1u << 20);
		bool movbe = c1 & (1u << 22), popcnt = c1 & (1u << 23);
		bool avx = (c1 & (1u << 28)) && avx_os, f16c = (c1 & (1u << 29)) && avx_os;
		bool bmi1 = b7 & (1u << 3), avx2 = (b7 & (1u << 5)) && avx_os, bmi2 = b7 & (1u << 8);
		bool f512 = (b7 & (1u << 16)) && avx512_os, dq = (b7 & (1u << 17)) && avx512_os;
		bool pf = (b7 & (1u << 26)) && avx512_os, er = (b7 & (1u << 27)) && avx512_os;
		bool cd = (b7 & (1u << 28)) && avx512_os, bw = (b7 & (1u << 30)) && avx512_os;
		bool vl = (b7 & (1u << 31)) && avx512_os;
		bool lahf = ce & (1u << 0), lzcnt = ce & (1u << 5);
		bool v2 = cx16 && lahf && popcnt && sse3 && sse41 && sse42 && ssse3;
		bool v3 = v2 && avx && avx2 && bmi1 && bmi2 && f16c && fma && lzcnt && movbe && osxsave;
		bool v4 = v3 && f512 && bw && cd && dq && vl;
		hw->isa_level = 1u | (v2 ? 2u : 0) | (v3 ? 4u : 0) | (v4 ? 8u : 0);
		if (v4) snprintf(hw->glibc_hwcaps[hw->nglibc_hwcaps++], sizeof hw->glibc_hwcaps[0], "x86-64-v4");
		if (v3) snprintf(hw->glibc_hwcaps[hw->nglibc_hwcaps++], sizeof hw->glibc_hwcaps[0], "x86-64-v3");
		if (v2) snprintf(hw->glibc_hwcaps[hw->nglibc_hwcaps++], sizeof hw->glibc_hwcaps[0], "x86-64-v2");
		if (intel) {	/* init_cpu_features(): Intel's dl_platform and dl_hwcap */
			const char *p = NULL;
			if (cd) {
				if (er) {
					if (pf) p = "xeon_phi";
				} else if (bw && dq && vl) {
					hw->hwcap |= HWCAP_X86_AVX512_1;
				}
			}
			(void)f512;
			if (!p && avx2 && fma && bmi1 && bmi2 && lzcnt && movbe && popcnt) p = "haswell";
			if (p) snprintf(hw->platform, sizeof hw->platform, "%s", p);
		}
	}
	ldd_hwcaps_subdirs(hw);
}

/* ---- dynamic string tokens (elf/dl-load.c) ---- */

/* After a '$': the length of the DST named ref (with its braces), or 0. */
static size_t is_dst(const char *in, const char *ref)
{
	bool curly = false;
	if (in[0] == '{') {
		curly = true;
		in++;
	}
	size_t rlen = strlen(ref);
	if (strncmp(in, ref, rlen) != 0 || (curly && in[rlen] != '}'))
		return 0;
	char c = in[rlen];
	if (!curly && ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		       c == '_'))
		return 0;
	return curly ? rlen + 2 : rlen;
}

static size_t dst_count(const char *in)
{
	size_t cnt = 0;
	for (in = strchr(in, '$'); in; in = strchr(in, '$')) {
		in++;
		size_t len;
		if ((len = is_dst(in, "ORIGIN")) || (len = is_dst(in, "PLATFORM")) ||
		    (len = is_dst(in, "LIB")))
			cnt++;
		in += len;
	}
	return cnt;
}

/* elf/dl-load.c's is_trusted_path_normalize: path, normalized, under a trusted dir. */
static bool is_trusted_path(const char *path, const char *const *trusted)
{
	size_t len = strlen(path);
	if (len == 0) return false;
	char *np = malloc(len + 2), *w = np;
	if (!np) return false;
	while (*path) {
		if (path[0] == '/') {
			if (path[1] == '.') {
				if (path[2] == '.' && (path[3] == '/' || path[3] == '\0')) {
					while (w > np && *--w != '/') {}
					path += 3;
					continue;
				} else if (path[2] == '/' || path[2] == '\0') {
					path += 2;
					continue;
				}
			}
			if (w > np && w[-1] == '/') {
				path++;
				continue;
			}
		}
		*w++ = *path++;
	}
	if (w == np || w[-1] != '/') *w++ = '/';
	size_t nlen = (size_t)(w - np);
	bool ok = false;
	for (unsigned i = 0; trusted[i]; i++) {
		size_t tl = strlen(trusted[i]);
		if (nlen >= tl && memcmp(trusted[i], np, tl) == 0) {
			ok = true;
			break;
		}
	}
	free(np);
	return ok;
}

char *ldd_expand_dst(const char *in, const struct ldd_dst *d)
{
	size_t cnt = dst_count(in);
	if (cnt == 0) return strdup(in);
	size_t rmax = strlen(LDD_DST_LIB);
	if (d->origin && strlen(d->origin) > rmax) rmax = strlen(d->origin);
	if (d->platform && strlen(d->platform) > rmax) rmax = strlen(d->platform);
	char *res = malloc(strlen(in) + cnt * rmax + 1);
	if (!res) return NULL;
	char *w = res;
	const char *start = in;
	bool check_trusted = false;
	while (*in) {
		if (*in != '$') {
			*w++ = *in++;
			continue;
		}
		in++;
		const char *repl = NULL;
		bool drop = false;
		size_t len;
		if ((len = is_dst(in, "ORIGIN"))) {
			/* set-ID programs: only a leading $ORIGIN that is a whole path
			 * component, and (for the program) a trusted result */
			if (d->secure && !(in == start + 1 && (in[len] == '\0' || in[len] == '/')))
				drop = true;
			else if (!(repl = d->origin))
				drop = true;
			check_trusted = d->secure && d->is_program;
		} else if ((len = is_dst(in, "PLATFORM"))) {
			if (!(repl = d->platform)) drop = true;
		} else if ((len = is_dst(in, "LIB"))) {
			repl = LDD_DST_LIB;
		}
		if (drop) {
			res[0] = '\0';
			return res;
		}
		if (repl) {
			size_t rl = strlen(repl);
			memcpy(w, repl, rl);
			w += rl;
			in += len;
		} else {
			*w++ = '$';
		}
	}
	*w = '\0';
	if (check_trusted && !is_trusted_path(res, d->trusted ? d->trusted : ldd_system_dirs))
		res[0] = '\0';
	return res;
}

char *ldd_origin(const char *path)
{
	if (!path || !path[0]) return NULL;
	size_t plen = strlen(path);
	char *o;
	if (path[0] == '/') {
		o = strdup(path);
		if (!o) return NULL;
	} else {
		char *cwd = getcwd(NULL, 0);
		if (!cwd) return NULL;
		size_t cl = strlen(cwd);
		o = malloc(cl + 1 + plen + 1);
		if (!o) {
			free(cwd);
			return NULL;
		}
		memcpy(o, cwd, cl);
		size_t p = cl;
		if (cl == 0 || o[cl - 1] != '/') o[p++] = '/';
		memcpy(o + p, path, plen + 1);
		free(cwd);
	}
	char *cp = strrchr(o, '/');	/* there is one: the path is absolute now */
	if (cp == o) cp++;		/* keep the slash of "/foo" */
	*cp = '\0';
	return o;
}

/* ---- /etc/ld.so.cache (elf/dl-cache.c, sysdeps/generic/dl-cache.h) ---- */

#define CACHEMAGIC		"ld.so-1.7.0"
#define CACHEMAGIC_NEW		"glibc-ld.so.cache1.1"
#define CACHE_OLD_HDR		16	/* magic[11], pad, nlibs */
#define CACHE_OLD_ENTRY		12	/* flags, key, value */
#define CACHE_NEW_HDR		48
#define CACHE_NEW_ENTRY		24	/* flags, key, value, osversion, hwcap */
#define CACHE_DEFAULT_ID	0x303	/* FLAG_ELF_LIBC6 | FLAG_X8664_LIB64 */
#define CACHE_EXT_MAGIC		0xeaa42174u
#define CACHE_HWCAP_EXTENSION	(1ULL << 62)
#define CACHE_ISA_LEVEL_MASK	0x3ffu
#define HWCAP_PLATFORM_MASK	(0xfULL << 48)	/* _DL_HWCAP_PLATFORM: 4 platforms from bit 48 */
#define HWCAP_TLS_MASK		(1ULL << 63)

struct ld_cache {
	unsigned char *buf;		/* the whole file */
	size_t size;
	size_t libs;			/* offset of the entries */
	uint32_t nlibs;
	size_t entry_size;		/* CACHE_OLD_ENTRY or CACHE_NEW_ENTRY */
	size_t strtab;			/* offset the string indices count from */
	const unsigned char *hwcaps;	/* glibc-hwcaps section: uint32 indices into buf */
	uint32_t nhwcaps;
};

static uint32_t get32(const unsigned char *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof v);
	return v;
}

static uint64_t get64(const unsigned char *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof v);
	return v;
}

__attribute__((format(printf, 4, 5)))
static int cfail(char *why, unsigned whylen, int err, const char *fmt, ...)
{
	if (why && whylen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return -err;
}

static bool endian_ok(uint8_t flags)
{
	return flags == 0 || (flags & 3) == 2;	/* unset, or little-endian */
}

/* cache_extension_load(): the glibc-hwcaps section, if the extensions are sane. */
static void load_extensions(struct ld_cache *c, size_t new_off)
{
	uint32_t ext = get32(c->buf + new_off + 32);
	if (ext == 0 || ext % 4 || (uint64_t)ext + 8 > c->size) return;
	if (get32(c->buf + ext) != CACHE_EXT_MAGIC) return;
	uint64_t count = get32(c->buf + ext + 4);
	if ((uint64_t)ext + 8 + count * 16 > c->size) return;
	const unsigned char *base = NULL;
	uint32_t size = 0;
	for (uint64_t i = 0; i < count; i++) {
		const unsigned char *s = c->buf + ext + 8 + i * 16;
		uint32_t tag = get32(s), off = get32(s + 8), sz = get32(s + 12);
		if ((uint64_t)off + sz > c->size) return;	/* a bad section: no extensions */
		if (tag == 1) {
			base = c->buf + off;
			size = sz;
		}
	}
	if (!base || size == 0 || (base - c->buf) % 4 || size % 4) return;
	c->hwcaps = base;
	c->nhwcaps = size / 4;
}

int ld_cache_load_mem(const void *data, size_t len, struct ld_cache **out, char *why,
		      unsigned whylen)
{
	*out = NULL;
	struct ld_cache *c = calloc(1, sizeof *c);
	if (!c) return cfail(why, whylen, ENOMEM, "out of memory");
	c->buf = malloc(len ? len : 1);
	if (!c->buf) {
		free(c);
		return cfail(why, whylen, ENOMEM, "out of memory");
	}
	if (len) memcpy(c->buf, data, len);
	c->size = len;
	const unsigned char *b = c->buf;
	int r = 0;
	if (len > CACHE_NEW_HDR && memcmp(b, CACHEMAGIC_NEW, strlen(CACHEMAGIC_NEW)) == 0 &&
	    (len - CACHE_NEW_HDR) / CACHE_NEW_ENTRY >= get32(b + 20)) {
		if (!endian_ok(b[28])) {
			r = cfail(why, whylen, EINVAL, "cache is big-endian or marked invalid");
			goto out;
		}
		c->nlibs = get32(b + 20);
		c->libs = CACHE_NEW_HDR;
		c->entry_size = CACHE_NEW_ENTRY;
		c->strtab = 0;
		load_extensions(c, 0);
	} else if (len > CACHE_OLD_HDR && memcmp(b, CACHEMAGIC, strlen(CACHEMAGIC)) == 0 &&
		   (len - CACHE_OLD_HDR) / CACHE_OLD_ENTRY >= get32(b + 12)) {
		uint32_t nold = get32(b + 12);
		size_t off = (CACHE_OLD_HDR + (size_t)nold * CACHE_OLD_ENTRY + 7) & ~(size_t)7;
		if (len >= off + CACHE_NEW_HDR &&
		    memcmp(b + off, CACHEMAGIC_NEW, strlen(CACHEMAGIC_NEW)) == 0) {
			if (!endian_ok(b[off + 28])) {
				r = cfail(why, whylen, EINVAL, "cache is big-endian or marked invalid");
				goto out;
			}
			uint32_t nnew = get32(b + off + 20);
			if ((len - off - CACHE_NEW_HDR) / CACHE_NEW_ENTRY < nnew) {
				r = cfail(why, whylen, EINVAL, "cache claims %u entries, more than the file holds", nnew);
				goto out;
			}
			c->nlibs = nnew;
			c->libs = off + CACHE_NEW_HDR;
			c->entry_size = CACHE_NEW_ENTRY;
			c->strtab = off;
			load_extensions(c, off);
		} else {
			c->nlibs = nold;
			c->libs = CACHE_OLD_HDR;
			c->entry_size = CACHE_OLD_ENTRY;
			c->strtab = CACHE_OLD_HDR + (size_t)nold * CACHE_OLD_ENTRY;
		}
	} else {
		bool magic = (len >= strlen(CACHEMAGIC_NEW) &&
			      !memcmp(b, CACHEMAGIC_NEW, strlen(CACHEMAGIC_NEW))) ||
			     (len >= strlen(CACHEMAGIC) && !memcmp(b, CACHEMAGIC, strlen(CACHEMAGIC)));
		r = cfail(why, whylen, EINVAL, "%s", !magic ? "not an ld.so cache (bad magic)" :
			  len <= CACHE_NEW_HDR ? "too short for a cache" :
			  "more entries than the file holds");
	}
out:
	if (r) {
		ld_cache_free(c);
		return r;
	}
	*out = c;
	return 0;
}

int ld_cache_load(const char *path, struct ld_cache **out, char *why, unsigned whylen)
{
	*out = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) return cfail(why, whylen, errno, "%s: %s", path, strerror(errno));
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > (256 << 20)) {
		close(fd);
		return cfail(why, whylen, EINVAL, "%s: not a regular file of sane size", path);
	}
	size_t len = (size_t)st.st_size, got = 0;
	unsigned char *buf = malloc(len ? len : 1);
	if (!buf) {
		close(fd);
		return cfail(why, whylen, ENOMEM, "out of memory");
	}
	while (got < len) {
		ssize_t r = read(fd, buf + got, len - got);
		if (r < 0 && errno == EINTR) continue;
		if (r <= 0) break;
		got += (size_t)r;
	}
	close(fd);
	int r = ld_cache_load_mem(buf, got, out, why, whylen);
	free(buf);
	return r;
}

void ld_cache_free(struct ld_cache *c)
{
	if (!c) return;
	free(c->buf);
	free(c);
}

unsigned ld_cache_count(const struct ld_cache *c)
{
	return c ? c->nlibs : 0;
}

int ld_cache_libcmp(const char *p1, const char *p2)
{
	while (*p1 != '\0') {
		if (*p1 >= '0' && *p1 <= '9') {
			if (*p2 >= '0' && *p2 <= '9') {
				/* compare digit runs numerically (capped: no overflow) */
				long long v1 = *p1++ - '0', v2 = *p2++ - '0';
				while (*p1 >= '0' && *p1 <= '9') {
					if (v1 < 1000000000000LL) v1 = v1 * 10 + (*p1 - '0');
					p1++;
				}
				while (*p2 >= '0' && *p2 <= '9') {
					if (v2 < 1000000000000LL) v2 = v2 * 10 + (*p2 - '0');
					p2++;
				}
				if (v1 != v2) return v1 < v2 ? -1 : 1;
			} else {
				return 1;
			}
		} else if (*p2 >= '0' && *p2 <= '9') {
			return -1;
		} else if (*p1 != *p2) {
			return (unsigned char)*p1 - (unsigned char)*p2;
		} else {
			p1++;
			p2++;
		}
	}
	return (unsigned char)*p1 - (unsigned char)*p2;
}

/* The string at index idx of the string table: NULL unless it is inside the file
 * and NUL-terminated there (glibc only checks the start; Persona never reads past
 * the end). */
static const char *cache_str(const struct ld_cache *c, uint32_t idx)
{
	if (c->strtab > c->size || idx >= c->size - c->strtab) return NULL;
	const char *s = (const char *)c->buf + c->strtab + idx;
	if (!memchr(s, '\0', c->size - c->strtab - idx)) return NULL;
	return s;
}

/* glibc_hwcaps_priority(): 1 for the best active glibc-hwcaps name; 0 unusable. */
static uint32_t hwcaps_priority(const struct ld_cache *c, const struct ldd_hwcaps *hw,
				uint32_t index)
{
	if (index >= c->nhwcaps) return 0;
	uint32_t si = get32(c->hwcaps + 4 * (size_t)index);
	if (si >= c->size || !memchr(c->buf + si, '\0', c->size - si)) return 0;
	const char *name = (const char *)c->buf + si;
	for (unsigned i = 0; i < hw->nglibc_hwcaps && i < 3; i++)
		if (!strcmp(name, hw->glibc_hwcaps[i])) return i + 1;
	return 0;
}

static uint64_t platform_bit(const char *platform)
{
	/* dl_x86_platforms from HWCAP_PLATFORMS_START 2: "haswell", "xeon_phi" */
	if (!strcmp(platform, "haswell")) return 1ULL << 50;
	if (!strcmp(platform, "xeon_phi")) return 1ULL << 51;
	return (uint64_t)-1;
}

const char *ld_cache_lookup(const struct ld_cache *c, const char *name,
			    const struct ldd_hwcaps *hw)
{
	if (!c || !name) return NULL;
	struct ldd_hwcaps det;
	if (!hw) {
		ldd_hwcaps_detect(&det);
		hw = &det;
	}
	uint64_t platform = platform_bit(hw->platform);
	uint64_t exclude = ~((hw->hwcap) | HWCAP_PLATFORM_MASK | HWCAP_TLS_MASK);
	const unsigned char *libs = c->buf + c->libs;
	int64_t left = 0, right = (int64_t)c->nlibs - 1;
	const char *best = NULL;
	uint32_t best_priority = 0;
	while (left <= right) {
		int64_t middle = (left + right) / 2;
		const char *key = cache_str(c, get32(libs + middle * c->entry_size + 4));
		if (!key) return NULL;
		int cmp = ld_cache_libcmp(name, key);
		if (cmp == 0) {
			left = middle;	/* the last entry known to have the name */
			while (middle > 0) {	/* back to the first with this name */
				key = cache_str(c, get32(libs + (middle - 1) * c->entry_size + 4));
				if (!key || ld_cache_libcmp(name, key) != 0) break;
				middle--;
			}
			do {
				const unsigned char *e = libs + middle * c->entry_size;
				if (middle > left) {
					key = cache_str(c, get32(e + 4));
					if (!key || ld_cache_libcmp(name, key) != 0) break;
				}
				int32_t flags = (int32_t)get32(e);
				const char *value = cache_str(c, get32(e + 8));
				if (flags != CACHE_DEFAULT_ID || !value) continue;
				bool named = false;
				if (c->entry_size >= CACHE_NEW_ENTRY) {
					uint64_t hwcap = get64(e + 16);
					named = ((hwcap >> 32) & ~(uint64_t)CACHE_ISA_LEVEL_MASK) ==
						(CACHE_HWCAP_EXTENSION >> 32);
					if (named) {	/* dl_cache_hwcap_isa_level_compatible */
						uint32_t lvl = (uint32_t)(hwcap >> 32) & CACHE_ISA_LEVEL_MASK;
						if (lvl >= 32 || ((1u << lvl) & hw->isa_level) != (1u << lvl))
							continue;
					}
					/* named entries come first: a legacy one ends the search
					 * once something is found */
					if (!named && best) break;
					if ((hwcap & exclude) && !named) continue;
					if ((hwcap & HWCAP_PLATFORM_MASK) &&
					    (hwcap & HWCAP_PLATFORM_MASK) != platform)
						continue;
					if (named) {
						uint32_t p = hwcaps_priority(c, hw, (uint32_t)hwcap);
						if (p == 0) continue;
						if (best && p >= best_priority) continue;
						best_priority = p;
					}
				}
				best = value;
				if (!named) break;	/* flags match: nothing better follows */
			} while (++middle <= right);
			break;
		}
		if (cmp < 0) left = middle + 1;
		else right = middle - 1;
	}
	return best;
}

/* ---- the loader's objects ---- */

enum { DIRS_UNSET = 0, DIRS_NONE, DIRS_OK };

struct dirlist {
	char **dir;		/* each "" or ending in '/' */
	unsigned n;
	int state;
};

struct obj {
	char *l_name;			/* the path it was opened as */
	char **names;			/* names it was requested as; names[0] is printed */
	unsigned nnames;
	char *soname;
	char *origin;			/* NULL: unknown */
	struct elf_dynamic dyn;
	bool has_dyn;
	struct obj *loader;		/* the object whose DT_NEEDED loaded it */
	dev_t dev;
	ino_t ino;
	bool has_id;
	bool faked, is_main, is_rtld, is_vdso, reserved, preload;
	enum ldd_how how;
	char *owner, *dir;
	struct dirlist rpath, runpath;
};

struct ctx {
	const struct ldd_config *cfg;
	struct ldd_hwcaps hw;
	const char *const *sysdirs;
	struct ld_cache *cache;
	bool cache_tried;
	bool secure;
	struct obj **chain;		/* ld.so's list of loaded objects, in order */
	unsigned nchain, capchain;
	struct obj **all;		/* everything allocated, for freeing */
	unsigned nall, capall;
	struct obj *main, *rtld;
	struct dirlist llp, sys;
	/* the last error, as _dl_signal_error's (errcode, objname, errstring) */
	int err_errno;
	char err_obj[PATH_MAX + 64];
	char err_str[256];
	struct ldd_result *res;
};

__attribute__((format(printf, 4, 5)))
static int signal_error(struct ctx *c, int errcode, const char *obj, const char *fmt, ...)
{
	c->err_errno = errcode;
	snprintf(c->err_obj, sizeof c->err_obj, "%s", obj ? obj : "");
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->err_str, sizeof c->err_str, fmt, ap);
	va_end(ap);
	return -1;
}

static bool push(void ***arr, unsigned *n, unsigned *cap, void *p)
{
	if (*n == *cap) {
		unsigned nc = *cap ? *cap * 2 : 16;
		void **na = realloc(*arr, nc * sizeof *na);
		if (!na) return false;
		*arr = na;
		*cap = nc;
	}
	(*arr)[(*n)++] = p;
	return true;
}

static void dirlist_free(struct dirlist *d)
{
	for (unsigned i = 0; i < d->n; i++) free(d->dir[i]);
	free(d->dir);
	memset(d, 0, sizeof *d);
}

static void obj_free(struct obj *o)
{
	if (!o) return;
	free(o->l_name);
	for (unsigned i = 0; i < o->nnames; i++) free(o->names[i]);
	free(o->names);
	free(o->soname);
	free(o->origin);
	elf_dynamic_free(&o->dyn);
	free(o->owner);
	free(o->dir);
	dirlist_free(&o->rpath);
	dirlist_free(&o->runpath);
	free(o);
}

static struct obj *obj_new(struct ctx *c, const char *l_name, const char *name)
{
	struct obj *o = calloc(1, sizeof *o);
	if (!o) return NULL;
	if (!push((void ***)&c->all, &c->nall, &c->capall, o)) {
		free(o);
		return NULL;
	}
	o->l_name = strdup(l_name);
	o->names = calloc(1, sizeof *o->names);
	if (!o->l_name || !o->names || !(o->names[0] = strdup(name))) return NULL;
	o->nnames = 1;
	return o;
}

static bool add_name(struct obj *o, const char *name)
{
	for (unsigned i = 0; i < o->nnames; i++)
		if (!strcmp(o->names[i], name)) return true;
	char **nn = realloc(o->names, (o->nnames + 1) * sizeof *nn);
	if (!nn) return false;
	o->names = nn;
	if (!(nn[o->nnames] = strdup(name))) return false;
	o->nnames++;
	return true;
}

/* _dl_name_match_p, plus the DT_SONAME check _dl_map_object makes. */
static bool name_matches(const struct obj *o, const char *name)
{
	if (!strcmp(o->l_name, name)) return true;
	for (unsigned i = 0; i < o->nnames; i++)
		if (!strcmp(o->names[i], name)) return true;
	return o->soname && !strcmp(o->soname, name);
}

static char *expand(struct ctx *c, const struct obj *owner, const char *s)
{
	struct ldd_dst d = {
		.origin = owner ? owner->origin : NULL,
		.platform = c->hw.platform[0] ? c->hw.platform : NULL,
		.secure = c->secure,
		.is_program = owner && owner->is_main,
		.trusted = c->sysdirs,
	};
	return ldd_expand_dst(s, &d);
}

/* fillin_rpath(): split, expand, normalize the trailing slash, drop duplicates. */
static int decompose(struct ctx *c, const char *path, const char *sep, const struct obj *owner,
		     struct dirlist *out)
{
	out->state = DIRS_NONE;
	if (!path || !*path) return 0;
	char *copy = strdup(path), *rest = copy, *cp;
	if (!copy) return signal_error(c, ENOMEM, NULL, "cannot create cache for search path");
	while ((cp = strsep(&rest, sep)) != NULL) {
		char *d;
		if (*cp) {
			char *x = expand(c, owner, cp);
			if (!x) {
				free(copy);
				return signal_error(c, ENOMEM, NULL, "cannot create cache for search path");
			}
			size_t len = strlen(x);
			if (len == 0) {
				free(x);
				continue;
			}
			while (len > 1 && x[len - 1] == '/') len--;
			d = malloc(len + 2);
			if (!d) {
				free(x);
				free(copy);
				return signal_error(c, ENOMEM, NULL, "cannot create cache for search path");
			}
			memcpy(d, x, len);
			if (d[len - 1] != '/') d[len++] = '/';
			d[len] = '\0';
			free(x);
		} else {
			d = strdup("");	/* an empty element: the current directory */
			if (!d) {
				free(copy);
				return signal_error(c, ENOMEM, NULL, "cannot create cache for search path");
			}
		}
		bool dup = false;
		for (unsigned i = 0; i < out->n && !dup; i++) dup = !strcmp(out->dir[i], d);
		unsigned cap = out->n;	/* grows one at a time: lists are short */
		if (dup || !push((void ***)&out->dir, &out->n, &cap, d)) free(d);
	}
	free(copy);
	if (out->n) out->state = DIRS_OK;
	return 0;
}

/* cache_rpath(): the object's DT_RPATH (ignored when it has a DT_RUNPATH) or
 * DT_RUNPATH as a directory list. 1 if there is one, 0 if not, -1 on error. */
static int cache_rpath(struct ctx *c, struct obj *o, bool runpath)
{
	struct dirlist *dl = runpath ? &o->runpath : &o->rpath;
	if (dl->state == DIRS_UNSET) {
		const char *s = NULL;
		if (o->has_dyn) s = runpath ? o->dyn.runpath : (o->dyn.runpath ? NULL : o->dyn.rpath);
		if (decompose(c, s, ":", o, dl) < 0) return -1;
	}
	return dl->state == DIRS_OK;
}

/* open_verify(): 1 with *fdp open on a usable ELF object; 0 when the file cannot be
 * opened or is for another class/machine (skipped; errno says which); -1 when it is
 * broken, which stops ld.so. */
static int open_verify(struct ctx *c, const char *name, int *fdp, bool *other_class)
{
	int fd = open(name, O_RDONLY | O_CLOEXEC);
	if (fd < 0) return 0;
	unsigned char buf[832];
	size_t len = 0;
	errno = 0;
	while (len < sizeof(Elf64_Ehdr)) {
		ssize_t r = read(fd, buf + len, sizeof buf - len);
		if (r <= 0) break;
		len += (size_t)r;
	}
	int e = errno;
	const char *bad = NULL;
	Elf64_Ehdr eh;
	if (len < sizeof eh) {
		close(fd);
		return signal_error(c, e, name, e ? "cannot read file data" : "file too short");
	}
	memcpy(&eh, buf, sizeof eh);
	const unsigned char *id = eh.e_ident;
	static const unsigned char pad[EI_NIDENT - EI_PAD];
	bool osabi_ok = id[EI_OSABI] == ELFOSABI_SYSV || id[EI_OSABI] == ELFOSABI_GNU;
	bool abiver_ok = id[EI_ABIVERSION] == 0 ||
			 (id[EI_OSABI] == ELFOSABI_GNU && id[EI_ABIVERSION] < 4);
	if (memcmp(id, ELFMAG, SELFMAG) != 0) bad = "invalid ELF header";
	else if (id[EI_CLASS] != ELFCLASS64) {
		*other_class = true;	/* not fatal: 32-bit libraries live next to 64-bit ones */
		close(fd);
		errno = ENOENT;
		return 0;
	} else if (id[EI_DATA] != ELFDATA2LSB) bad = "ELF file data encoding not little-endian";
	else if (id[EI_VERSION] != EV_CURRENT) bad = "ELF file version ident does not match current one";
	else if (!osabi_ok) bad = "ELF file OS ABI invalid";
	else if (!abiver_ok) bad = "ELF file ABI version invalid";
	else if (memcmp(id + EI_PAD, pad, sizeof pad)) bad = "nonzero padding in e_ident";
	else if (eh.e_version != EV_CURRENT) bad = "ELF file version does not match current one";
	else if (eh.e_machine != EM_X86_64) {
		close(fd);	/* another machine's: skipped like the other class */
		errno = ENOENT;
		return 0;
	} else if (eh.e_type != ET_DYN && eh.e_type != ET_EXEC) bad = "only ET_DYN and ET_EXEC can be loaded";
	else if (eh.e_phentsize != sizeof(Elf64_Phdr)) bad = "ELF file's phentsize not the expected size";
	if (bad) {
		close(fd);
		return signal_error(c, 0, name, "%s", bad);
	}
	/* ld.so then reads the program headers: they must be in the file */
	uint64_t need = (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr);
	struct stat st;
	if (fstat(fd, &st) < 0 || eh.e_phoff > UINT64_MAX - need ||
	    eh.e_phoff + need > (uint64_t)st.st_size) {
		close(fd);
		return signal_error(c, 0, name, "cannot read file data");
	}
	*fdp = fd;
	return 1;
}

/* open_path(): name in each directory of dl, each with the hwcaps subdirectories.
 * 1 found (fd, *realname, *dir set), 0 not found, -1 fatal. */
static int open_path(struct ctx *c, const char *name, const struct dirlist *dl, bool rtld_secure,
		     int *fdp, char **realname, char **dir, bool *other_class)
{
	size_t nlen = strlen(name);
	for (unsigned i = 0; i < dl->n; i++) {
		const char *d = dl->dir[i];
		bool here_any = false;
		int last_errno = ENOENT;
		for (unsigned s = 0; s < c->hw.nsubdir; s++) {
			const char *sub = c->hw.subdir[s];
			size_t dl1 = strlen(d), sl = strlen(sub);
			char *buf = malloc(dl1 + sl + nlen + 1);
			if (!buf) return signal_error(c, ENOMEM, name, "cannot allocate memory");
			memcpy(buf, d, dl1);
			memcpy(buf + dl1, sub, sl);
			memcpy(buf + dl1 + sl, name, nlen + 1);
			int fd = -1;
			int r = open_verify(c, buf, &fd, other_class);
			if (r < 0) {
				free(buf);
				return -1;
			}
			if (r == 1 && rtld_secure && c->secure) {
				/* a preload in a set-ID program must be set-user-ID itself */
				struct stat st;
				if (fstat(fd, &st) != 0 || !(st.st_mode & S_ISUID)) {
					close(fd);
					r = 0;
					errno = ENOENT;
				}
			}
			if (r == 1) {
				*fdp = fd;
				*realname = buf;
				*dir = strndup(buf, dl1 + sl);
				return 1;
			}
			last_errno = errno;
			/* does the directory exist? (relative ones always count as existing) */
			buf[dl1 + sl] = '\0';
			struct stat st;
			if (d[0] != '/') {
				here_any = true;
			} else if (stat(buf, &st) == 0 && S_ISDIR(st.st_mode)) {
				here_any = true;
			}
			free(buf);
		}
		if (here_any && last_errno != ENOENT && last_errno != EACCES)
			return 0;	/* the file is there but unusable: this list ends */
	}
	return 0;
}

static struct ld_cache *get_cache(struct ctx *c)
{
	if (!c->cache_tried) {
		c->cache_tried = true;
		if (c->cfg->cache_file) ld_cache_load(c->cfg->cache_file, &c->cache, NULL, 0);
	}
	return c->cache;
}

static bool has_prefix_dir(const char *path, const char *const *dirs)
{
	for (unsigned i = 0; dirs[i]; i++)
		if (!strncmp(path, dirs[i], strlen(dirs[i]))) return true;
	return false;
}

/* _dl_map_object_from_fd(): the same file under another name is the same object;
 * otherwise a new object, after the checks ld.so makes before mapping it. */
static struct obj *map_from_fd(struct ctx *c, struct obj *loader, const char *name, int fd,
			       char *realname, enum ldd_how how, const struct obj *owner, char *dir)
{
	struct obj *o = NULL;
	struct stat st;
	if (fstat(fd, &st) < 0) {
		signal_error(c, errno, name, "cannot stat shared object");
		goto out;
	}
	for (unsigned i = 0; i < c->nchain; i++) {
		struct obj *l = c->chain[i];
		if (l->has_id && l->dev == st.st_dev && l->ino == st.st_ino) {
			if (!add_name(l, name)) signal_error(c, ENOMEM, name, "cannot allocate name record");
			else o = l;
			goto out;
		}
	}
	struct elf_info *info = malloc(sizeof *info);
	if (!info) {
		signal_error(c, ENOMEM, name, "cannot create shared object descriptor");
		goto out;
	}
	char why[256];
	if (elf_parse(fd, info, why, sizeof why) != 0) {
		signal_error(c, 0, name, "%s", why);
		free(info);
		goto out;
	}
	bool has_dynamic = false;
	for (unsigned i = 0; i < info->phnum; i++)
		if (info->ph[i].p_type == PT_DYNAMIC && info->ph[i].p_filesz) has_dynamic = true;
	if (info->eh.e_type != ET_DYN) {
		signal_error(c, 0, name, "cannot dynamically load executable");
		free(info);
		goto out;
	}
	if (!has_dynamic) {
		signal_error(c, 0, name, "object file has no dynamic section");
		free(info);
		goto out;
	}
	o = obj_new(c, realname, name);
	if (!o) {
		signal_error(c, ENOMEM, name, "cannot create shared object descriptor");
		free(info);
		goto out;
	}
	int r = elf_dynamic_read(fd, info, &o->dyn, why, sizeof why);
	free(info);
	if (r) {
		signal_error(c, r == -ENOMEM ? ENOMEM : 0, name, "%s", why);
		o = NULL;
		goto out;
	}
	o->has_dyn = true;
	if (o->dyn.flags_1 & DF_1_PIE) {
		signal_error(c, 0, name, "cannot dynamically load position-independent executable");
		o = NULL;
		goto out;
	}
	if (o->dyn.soname && !(o->soname = strdup(o->dyn.soname))) {
		signal_error(c, ENOMEM, name, "cannot allocate name record");
		o = NULL;
		goto out;
	}
	o->origin = ldd_origin(realname);
	o->loader = loader;
	o->dev = st.st_dev;
	o->ino = st.st_ino;
	o->has_id = true;
	o->how = how;
	if (owner) o->owner = strdup(owner->l_name);
	o->dir = dir;
	dir = NULL;
	if (!push((void ***)&c->chain, &c->nchain, &c->capchain, o)) {
		signal_error(c, ENOMEM, name, "cannot create shared object descriptor");
		o = NULL;
	}
out:
	close(fd);
	free(realname);
	free(dir);
	return o;
}

/* _dl_map_object(): the object for name as loader's dependency. NULL on error (then
 * c->err_* say why). trace: a library found nowhere gets a "faked" entry, as in
 * ld.so's trace mode; rtld_secure: a preload (__RTLD_SECURE). */
static struct obj *map_object(struct ctx *c, struct obj *loader, const char *name, bool trace,
			      bool rtld_secure)
{
	for (unsigned i = 0; i < c->nchain; i++) {
		struct obj *l = c->chain[i];
		if (l->faked) continue;
		if (name_matches(l, name)) {
			if (!add_name(l, name)) {
				signal_error(c, ENOMEM, name, "cannot allocate name record");
				return NULL;
			}
			return l;
		}
	}
	int fd = -1;
	char *realname = NULL, *dir = NULL;
	enum ldd_how how = LDD_NOT_FOUND;
	const struct obj *owner = NULL;
	bool other_class = false;
	int r = 0;
	if (!strchr(name, '/')) {
		if (!loader || !(loader->has_dyn && loader->dyn.runpath)) {
			bool did_main = false;
			for (struct obj *l = loader; l && r == 0; l = l->loader) {
				int has = cache_rpath(c, l, false);
				if (has < 0) return NULL;
				if (!has) continue;
				r = open_path(c, name, &l->rpath, rtld_secure, &fd, &realname, &dir, &other_class);
				if (r == 1) {
					how = LDD_RPATH;
					owner = l;
				}
				if (r == 0) did_main |= l == c->main;
			}
			if (r == 0 && !did_main && c->main) {
				int has = cache_rpath(c, c->main, false);
				if (has < 0) return NULL;
				if (has) {
					r = open_path(c, name, &c->main->rpath, rtld_secure, &fd, &realname, &dir,
						      &other_class);
					if (r == 1) {
						how = LDD_RPATH;
						owner = c->main;
					}
				}
			}
		}
		if (r == 0 && c->llp.state == DIRS_OK) {
			r = open_path(c, name, &c->llp, rtld_secure, &fd, &realname, &dir, &other_class);
			if (r == 1) how = LDD_LD_LIBRARY_PATH;
		}
		if (r == 0 && loader) {
			int has = cache_rpath(c, loader, true);
			if (has < 0) return NULL;
			if (has) {
				r = open_path(c, name, &loader->runpath, rtld_secure, &fd, &realname, &dir,
					      &other_class);
				if (r == 1) {
					how = LDD_RUNPATH;
					owner = loader;
				}
			}
		}
		const struct obj *l = loader ? loader : c->main;
		bool nodeflib = l && l->has_dyn && (l->dyn.flags_1 & DF_1_NODEFLIB);
		if (r == 0 && !(rtld_secure && c->secure) && get_cache(c)) {
			const char *cached = ld_cache_lookup(c->cache, name, &c->hw);
			if (cached && nodeflib && has_prefix_dir(cached, c->sysdirs)) cached = NULL;
			if (cached) {
				r = open_verify(c, cached, &fd, &other_class);
				if (r == 1) {
					how = LDD_CACHE;
					if (!(realname = strdup(cached))) {
						close(fd);
						signal_error(c, ENOMEM, name, "cannot allocate memory");
						return NULL;
					}
				}
			}
		}
		if (r == 0 && !nodeflib) {
			r = open_path(c, name, &c->sys, rtld_secure, &fd, &realname, &dir, &other_class);
			if (r == 1) how = LDD_DEFAULT;
		}
	} else {
		realname = loader ? expand(c, loader, name) : strdup(name);
		if (!realname) {
			signal_error(c, ENOMEM, name, "cannot allocate memory");
			return NULL;
		}
		r = open_verify(c, realname, &fd, &other_class);
		if (r == 1) how = LDD_PATH;
		else {
			free(realname);
			realname = NULL;
		}
	}
	if (r < 0) {
		free(realname);
		free(dir);
		return NULL;
	}
	if (r == 0) {
		int e = errno;
		free(realname);
		free(dir);
		if (trace) {	/* a "faked" entry: listed as not found */
			struct obj *o = obj_new(c, name, name);
			if (!o || !push((void ***)&c->chain, &c->nchain, &c->capchain, o)) {
				signal_error(c, ENOMEM, name, "cannot create shared object descriptor");
				return NULL;
			}
			o->faked = true;
			o->loader = loader;
			o->how = LDD_NOT_FOUND;
			return o;
		}
		if (other_class) signal_error(c, 0, name, "wrong ELF class: ELFCLASS32");
		else signal_error(c, e, name, "cannot open shared object file");
		return NULL;
	}
	return map_from_fd(c, loader, name, fd, realname, how, owner, dir);
}

static bool add_warning(struct ldd_result *res, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static bool add_warning(struct ldd_result *res, const char *fmt, ...)
{
	char *s;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) return false;
	unsigned cap = res->nwarnings;
	if (!push((void ***)&res->warnings, &res->nwarnings, &cap, s)) {
		free(s);
		return false;
	}
	return true;
}

/* do_preload() */
static void preload(struct ctx *c, const char *name, const char *where, struct obj ***pre,
		    unsigned *npre, unsigned *cappre)
{
	unsigned before = c->nchain;
	struct obj *o = map_object(c, c->main, name, false, true);
	if (!o) {
		add_warning(c->res, "ERROR: ld.so: object '%s' from %s cannot be preloaded (%s): ignored.",
			    name, where, c->err_str);
		c->err_str[0] = '\0';
	} else if (c->nchain != before) {
		o->preload = true;
		push((void ***)pre, npre, cappre, o);
	}
}

static void preloads(struct ctx *c, struct obj ***pre, unsigned *npre, unsigned *cappre)
{
	const char *env = c->cfg->ld_preload;
	while (env && *env) {	/* handle_preload_list(): split at ' ' and ':' */
		size_t len = strcspn(env, " :");
		char fname[1024];
		if (len > 0 && len < sizeof fname) memcpy(fname, env, len);
		fname[len > 0 && len < sizeof fname ? len : 0] = '\0';
		env += len;
		if (*env) env++;
		bool valid = fname[0] != '\0';
		if (c->secure && (strlen(fname) > 255 || strchr(fname, '/'))) valid = false;
		if (valid) preload(c, fname, "LD_PRELOAD", pre, npre, cappre);
	}
	if (!c->cfg->preload_file) return;
	FILE *f = fopen(c->cfg->preload_file, "re");
	if (!f) return;
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;
	while ((n = getline(&buf, &cap, f)) > 0) {
		char *hash = memchr(buf, '#', (size_t)n);	/* comments run to the end of line */
		if (hash) *hash = '\0';
		char *rest = buf, *tok;
		while ((tok = strsep(&rest, ": \t\n")) != NULL)
			if (tok[0]) preload(c, tok, c->cfg->preload_file, pre, npre, cappre);
	}
	free(buf);
	fclose(f);
}

/* The dynamic loader's own object: its names are the program's PT_INTERP (or the
 * path ldd runs it as), that path, and its DT_SONAME. */
static struct obj *make_rtld(struct ctx *c, const char *interp)
{
	const char *rtld = c->cfg->rtld ? c->cfg->rtld : LDD_RTLD;
	struct obj *o = obj_new(c, rtld, interp ? interp : rtld);
	if (!o) return NULL;
	o->is_rtld = true;
	o->how = LDD_INTERP;
	int fd = open(rtld, O_RDONLY | O_CLOEXEC);
	struct elf_info *info = fd >= 0 ? malloc(sizeof *info) : NULL;
	struct elf_dynamic dyn;
	memset(&dyn, 0, sizeof dyn);
	if (info && elf_parse(fd, info, NULL, 0) == 0 && elf_dynamic_read(fd, info, &dyn, NULL, 0) == 0 &&
	    dyn.soname)
		o->soname = strdup(dyn.soname);
	elf_dynamic_free(&dyn);
	free(info);
	if (fd >= 0) close(fd);
	if (!o->soname) {
		const char *b = strrchr(rtld, '/');
		o->soname = strdup(b ? b + 1 : rtld);
	}
	return o->soname ? o : NULL;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static int fill_result(struct ctx *c)
{
	struct ldd_result *res = c->res;
	res->lib = calloc(c->nchain ? c->nchain : 1, sizeof *res->lib);
	if (!res->lib) return signal_error(c, ENOMEM, NULL, "out of memory");
	for (unsigned i = 0; i < c->nchain; i++) {
		struct obj *o = c->chain[i];
		if (o->is_main) continue;
		struct ldd_lib *l = &res->lib[res->nlib++];
		l->name = strdup(o->names[0]);
		l->path = o->faked ? NULL : strdup(o->l_name);
		l->how = o->how;
		l->owner = dup_or_null(o->owner);
		l->dir = dup_or_null(o->dir);
		l->preload = o->preload;
		if (o->preload) l->needed_by = strdup("LD_PRELOAD");
		else if (o->loader) l->needed_by = strdup(o->loader->l_name);
		if (o->is_rtld) res->interp_listed = true;
	}
	return 0;
}

int ldd_resolve(const char *program, const struct ldd_config *cfg, struct ldd_result *res,
		char *err, unsigned errlen)
{
	memset(res, 0, sizeof *res);
	if (err && errlen) err[0] = '\0';
	struct ctx *c = calloc(1, sizeof *c);
	if (!c) {
		if (err && errlen) snprintf(err, errlen, "out of memory");
		return LDD_ERR_FATAL;
	}
	c->cfg = cfg;
	c->res = res;
	c->sysdirs = cfg->system_dirs ? cfg->system_dirs : ldd_system_dirs;
	if (cfg->hw) c->hw = *cfg->hw;
	else ldd_hwcaps_detect(&c->hw);
	int rc = LDD_OK;
	struct elf_info *info = NULL;
	struct obj **pre = NULL;
	unsigned npre = 0, cappre = 0;
	struct obj **known = NULL;
	unsigned nknown = 0, capknown = 0;

	int fd = open(program, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		if (err && errlen) snprintf(err, errlen, "%s", strerror(errno));
		rc = LDD_ERR_OPEN;
		goto out;
	}
	info = malloc(sizeof *info);
	char why[256];
	if (!info) {
		if (err && errlen) snprintf(err, errlen, "out of memory");
		rc = LDD_ERR_FATAL;
		goto out;
	}
	if (elf_parse(fd, info, why, sizeof why) != 0) {
		if (err && errlen) snprintf(err, errlen, "%s", why);
		rc = LDD_ERR_NOT_DYNAMIC;
		goto out;
	}
	c->main = obj_new(c, program, program);
	if (!c->main) {
		if (err && errlen) snprintf(err, errlen, "out of memory");
		rc = LDD_ERR_FATAL;
		goto out;
	}
	c->main->is_main = true;
	int r = elf_dynamic_read(fd, info, &c->main->dyn, why, sizeof why);
	if (r == -ENOENT) {	/* ld.so --verify: no dynamic section */
		if (err && errlen) snprintf(err, errlen, "no PT_DYNAMIC: statically linked");
		rc = LDD_ERR_NOT_DYNAMIC;
		goto out;
	}
	if (r) {
		if (err && errlen) snprintf(err, errlen, "%s: %s", program, why);
		rc = LDD_ERR_FATAL;
		goto out;
	}
	c->main->has_dyn = true;
	if (c->main->dyn.soname) c->main->soname = strdup(c->main->dyn.soname);
	c->main->origin = ldd_origin(program);
	c->secure = cfg->secure >= 0 ? cfg->secure != 0 :
		    (((st.st_mode & S_ISUID) && st.st_uid != getuid()) ||
		     ((st.st_mode & S_ISGID) && st.st_gid != getgid()));
	res->secure = c->secure;
	if (info->has_interp) res->interp = strdup(info->interp);
	res->statically_linked = c->main->dyn.nneeded == 0;

	/* ld.so's list at this point: the program, ld.so itself, the vDSO */
	c->rtld = make_rtld(c, info->has_interp ? info->interp : NULL);
	struct obj *vdso = obj_new(c, "linux-vdso.so.1", "linux-vdso.so.1");
	if (!c->rtld || !vdso || !push((void ***)&c->chain, &c->nchain, &c->capchain, c->main) ||
	    !push((void ***)&c->chain, &c->nchain, &c->capchain, c->rtld) ||
	    !push((void ***)&c->chain, &c->nchain, &c->capchain, vdso)) {
		if (err && errlen) snprintf(err, errlen, "out of memory");
		rc = LDD_ERR_FATAL;
		goto out;
	}
	vdso->is_vdso = true;
	vdso->how = LDD_VDSO;

	/* _dl_init_paths() */
	c->sys.state = DIRS_NONE;
	for (unsigned i = 0; c->sysdirs[i]; i++) {
		char *d = strdup(c->sysdirs[i]);
		unsigned cap = c->sys.n;
		if (!d || !push((void ***)&c->sys.dir, &c->sys.n, &cap, d)) {
			free(d);
			signal_error(c, ENOMEM, NULL, "cannot create search path array");
			goto fatal;
		}
		c->sys.state = DIRS_OK;
	}
	if (!c->secure && cfg->ld_library_path &&
	    decompose(c, cfg->ld_library_path, ":;", c->main, &c->llp) < 0)
		goto fatal;

	preloads(c, &pre, &npre, &cappre);

	/* _dl_map_object_deps(): breadth-first from the program and the preloads */
	if (!push((void ***)&known, &nknown, &capknown, c->main)) goto oom;
	c->main->reserved = true;
	for (unsigned i = 0; i < npre; i++) {
		if (pre[i]->reserved) continue;
		if (!push((void ***)&known, &nknown, &capknown, pre[i])) goto oom;
		pre[i]->reserved = true;
	}
	for (unsigned k = 0; k < nknown; k++) {
		struct obj *l = known[k];
		if (l->faked || !l->has_dyn) continue;
		for (unsigned j = 0; j < l->dyn.nneeded; j++) {
			const char *needed = l->dyn.needed[j];
			char *name;
			if (dst_count(needed)) {
				if (c->secure) {
					signal_error(c, 0, needed, "DST not allowed in SUID/SGID programs");
					goto fatal;
				}
				name = expand(c, l, needed);
				if (!name) goto oom;
				if (!name[0]) {	/* an unknown replacement: the entry is skipped */
					free(name);
					continue;
				}
			} else if (!(name = strdup(needed))) {
				goto oom;
			}
			struct obj *dep = map_object(c, l, name, true, false);
			free(name);
			if (!dep) goto fatal;
			if (!dep->reserved) {
				if (!push((void ***)&known, &nknown, &capknown, dep)) goto oom;
				dep->reserved = true;
			}
		}
	}

	/* ld.so goes back where the search list has it, right after the object before
	 * it there; an ld.so that nothing needs is not listed */
	unsigned ri = 0;
	for (unsigned i = 0; i < c->nchain; i++)
		if (c->chain[i] == c->rtld) ri = i;
	memmove(&c->chain[ri], &c->chain[ri + 1], (c->nchain - ri - 1) * sizeof *c->chain);
	c->nchain--;
	struct obj *prev = NULL;
	for (unsigned k = 1, last = 0; k < nknown; k++) {
		if (known[k]->faked) continue;
		if (known[k] == c->rtld) {
			prev = known[last];
			break;
		}
		last = k;
	}
	if (prev) {
		unsigned pi = 0;
		for (unsigned i = 0; i < c->nchain; i++)
			if (c->chain[i] == prev) pi = i;
		if (!push((void ***)&c->chain, &c->nchain, &c->capchain, c->rtld)) goto oom;	/* room */
		memmove(&c->chain[pi + 2], &c->chain[pi + 1], (c->nchain - pi - 2) * sizeof *c->chain);
		c->chain[pi + 1] = c->rtld;
	}
	if (fill_result(c) < 0) goto fatal;
	goto out;

oom:
	signal_error(c, ENOMEM, NULL, "cannot allocate memory");
fatal:
	rc = LDD_ERR_FATAL;
	if (err && errlen)
		snprintf(err, errlen, "%s%s%s%s%s", c->err_obj, c->err_obj[0] ? ": " : "", c->err_str,
			 c->err_errno ? ": " : "", c->err_errno ? strerror(c->err_errno) : "");
out:
	if (fd >= 0) close(fd);
	free(info);
	free(pre);
	free(known);
	for (unsigned i = 0; i < c->nall; i++) obj_free(c->all[i]);
	free(c->all);
	free(c->chain);
	dirlist_free(&c->llp);
	dirlist_free(&c->sys);
	ld_cache_free(c->cache);
	free(c);
	return rc;
}

void ldd_result_free(struct ldd_result *res)
{
	if (!res) return;
	for (unsigned i = 0; i < res->nlib; i++) {
		struct ldd_lib *l = &res->lib[i];
		free(l->name);
		free(l->path);
		free(l->owner);
		free(l->dir);
		free(l->needed_by);
	}
	free(res->lib);
	for (unsigned i = 0; i < res->nwarnings; i++) free(res->warnings[i]);
	free(res->warnings);
	free(res->interp);
	memset(res, 0, sizeof *res);
}

void ldd_config_default(struct ldd_config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->ld_library_path = getenv("LD_LIBRARY_PATH");
	cfg->ld_preload = getenv("LD_PRELOAD");
	cfg->preload_file = LDD_PRELOAD_FILE;
	cfg->cache_file = LDD_CACHE_FILE;
	cfg->rtld = LDD_RTLD;
	cfg->system_dirs = NULL;
	cfg->secure = -1;
	cfg->hw = NULL;
}
