/* tests/unit/test_ldd.c - loader/dynamic.c and loader/ldd.c: the dynamic section
 * reader on real and broken objects, /etc/ld.so.cache (the real one and crafted
 * ones), $ORIGIN/$LIB/$PLATFORM expansion, and the search order (DT_RPATH before
 * LD_LIBRARY_PATH before DT_RUNPATH, RPATH inherited down the loader chain, RUNPATH
 * not) on shared objects built with cc at test time. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "loader/dynamic.h"
#include "loader/elf.h"
#include "loader/ldd.h"
#include "tests/unit/unit.h"

/* ---- helpers ---- */

static unsigned char *slurp(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0) return NULL;
	struct stat st;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return NULL;
	}
	unsigned char *b = malloc((size_t)st.st_size + 1);
	size_t got = 0;
	while (b && got < (size_t)st.st_size) {
		ssize_t r = read(fd, b + got, (size_t)st.st_size - got);
		if (r <= 0) break;
		got += (size_t)r;
	}
	close(fd);
	*len = got;
	return b;
}

static const struct ldd_lib *find_lib(const struct ldd_result *r, const char *name)
{
	for (unsigned i = 0; i < r->nlib; i++)
		if (!strcmp(r->lib[i].name, name)) return &r->lib[i];
	return NULL;
}

static int index_of(const struct ldd_result *r, const char *name)
{
	for (unsigned i = 0; i < r->nlib; i++)
		if (!strcmp(r->lib[i].name, name)) return (int)i;
	return -1;
}

/* ---- dynamic section ---- */

struct obj_buf {
	unsigned char *buf;
	size_t len;
	struct elf_info *info;
	struct elf_dynamic dyn;
};

static void load_obj(struct obj_buf *o, const char *path)
{
	o->buf = slurp(path, &o->len);
	ck_assert_msg(o->buf, "cannot read %s", path);
	o->info = malloc(sizeof *o->info);
	ck_assert_ptr_nonnull(o->info);
	char why[256];
	ck_assert_msg(elf_parse_mem(o->buf, o->len, o->info, why, sizeof why) == 0, "%s: %s", path, why);
	ck_assert_msg(elf_dynamic_read_mem(o->buf, o->len, o->info, &o->dyn, why, sizeof why) == 0,
		      "%s: %s", path, why);
}

static void free_obj(struct obj_buf *o)
{
	elf_dynamic_free(&o->dyn);
	free(o->info);
	free(o->buf);
}

/* The file offset of the first dynamic entry with this tag, or 0. */
static size_t dyn_entry(const struct obj_buf *o, int64_t tag)
{
	for (unsigned i = 0; i < o->dyn.ndyn; i++)
		if (o->dyn.dyn[i].d_tag == tag) return o->dyn.dynamic_offset + i * sizeof(Elf64_Dyn);
	return 0;
}

static int reparse(const unsigned char *buf, size_t len, char *why, unsigned whylen)
{
	struct elf_info *info = malloc(sizeof *info);
	struct elf_dynamic d;
	int r = elf_parse_mem(buf, len, info, why, whylen);
	if (r == 0) r = elf_dynamic_read_mem(buf, len, info, &d, why, whylen);
	if (r == 0) elf_dynamic_free(&d);
	free(info);
	return r;
}

START_TEST(dynamic_real_object)
{
	struct obj_buf o;
	load_obj(&o, "/bin/ls");
	ck_assert_uint_ge(o.dyn.nneeded, 1);
	bool libc = false;
	for (unsigned i = 0; i < o.dyn.nneeded; i++) libc |= !strcmp(o.dyn.needed[i], "libc.so.6");
	ck_assert_msg(libc, "/bin/ls does not need libc.so.6?");
	ck_assert_ptr_nonnull(o.dyn.strtab);
	/* the string table's vaddr translates to where the strings are in the file */
	uint64_t off;
	ck_assert_int_eq(elf_vaddr_to_offset(o.info, o.dyn.strtab_vaddr, o.dyn.strsz, &off), 0);
	ck_assert_int_eq(memcmp(o.buf + off, o.dyn.strtab, o.dyn.strsz), 0);
	/* beyond every segment, or running past a segment's file part: no */
	ck_assert_int_eq(elf_vaddr_to_offset(o.info, 0x7fff00000000ULL, 1, &off), -ENOEXEC);
	const struct elf_segment *s = &o.info->seg[0];
	ck_assert_int_eq(elf_vaddr_to_offset(o.info, s->vaddr + s->filesz - 1, 2, &off), -ENOEXEC);
	ck_assert_int_eq(elf_vaddr_to_offset(o.info, s->vaddr + s->filesz - 1, 1, &off), 0);
	free_obj(&o);

	/* a static program has no dynamic section */
	struct elf_info *info = malloc(sizeof *info);
	struct elf_dynamic d;
	char why[256];
	const char *st = "/bin/busybox";
	size_t len;
	unsigned char *b = slurp(st, &len);
	if (b && elf_parse_mem(b, len, info, why, sizeof why) == 0 && !info->dynamic_vaddr)
		ck_assert_int_eq(elf_dynamic_read_mem(b, len, info, &d, why, sizeof why), -ENOENT);
	free(b);
	free(info);
}
END_TEST

START_TEST(dynamic_broken)
{
	struct obj_buf o;
	load_obj(&o, "/bin/ls");
	char why[256];
	unsigned char *b = malloc(o.len);
	ck_assert_ptr_nonnull(b);
	Elf64_Dyn e;

	/* DT_NEEDED's string offset beyond DT_STRSZ */
	size_t ne = dyn_entry(&o, DT_NEEDED);
	ck_assert_uint_ne(ne, 0);
	memcpy(b, o.buf, o.len);
	memcpy(&e, b + ne, sizeof e);
	e.d_un.d_val = o.dyn.strsz + 5;
	memcpy(b + ne, &e, sizeof e);
	ck_assert_int_eq(reparse(b, o.len, why, sizeof why), -ENOEXEC);
	ck_assert_msg(strstr(why, "outside the string table"), "%s", why);

	/* a DT_STRSZ that cuts the name short: not NUL-terminated */
	size_t sz = dyn_entry(&o, DT_STRSZ);
	ck_assert_uint_ne(sz, 0);
	memcpy(b, o.buf, o.len);
	memcpy(&e, b + ne, sizeof e);
	uint64_t name_off = e.d_un.d_val;
	memcpy(&e, b + sz, sizeof e);
	e.d_un.d_val = name_off + 2;
	memcpy(b + sz, &e, sizeof e);
	ck_assert_int_eq(reparse(b, o.len, why, sizeof why), -ENOEXEC);
	ck_assert_msg(strstr(why, "not NUL-terminated"), "%s", why);

	/* an absurd DT_STRSZ, and one running past the segment */
	memcpy(b, o.buf, o.len);
	memcpy(&e, b + sz, sizeof e);
	e.d_un.d_val = ~0ULL;
	memcpy(b + sz, &e, sizeof e);
	ck_assert_int_eq(reparse(b, o.len, why, sizeof why), -ENOEXEC);
	memcpy(&e, b + sz, sizeof e);
	e.d_un.d_val = o.len;
	memcpy(b + sz, &e, sizeof e);
	ck_assert_int_eq(reparse(b, o.len, why, sizeof why), -ENOEXEC);

	/* no DT_STRTAB */
	size_t stt = dyn_entry(&o, DT_STRTAB);
	memcpy(b, o.buf, o.len);
	memcpy(&e, b + stt, sizeof e);
	e.d_tag = DT_DEBUG;
	memcpy(b + stt, &e, sizeof e);
	ck_assert_int_eq(reparse(b, o.len, why, sizeof why), -ENOEXEC);
	ck_assert_msg(strstr(why, "DT_STRTAB"), "%s", why);

	/* DT_STRTAB pointing nowhere */
	memcpy(b, o.buf, o.len);
	memcpy(&e, b + stt, sizeof e);
	e.d_un.d_ptr = 0x7fff00000000ULL;
	memcpy(b + stt, &e, sizeof e);
	ck_assert_int_eq(reparse(b, o.len, why, sizeof why), -ENOEXEC);

	/* no DT_NULL (and no zero-filled tail to supply one) */
	memcpy(b, o.buf, o.len);
	const Elf64_Phdr *dph = NULL;
	for (unsigned i = 0; i < o.info->phnum; i++)
		if (o.info->ph[i].p_type == PT_DYNAMIC) dph = &o.info->ph[i];
	ck_assert_ptr_nonnull(dph);
	if (dph->p_memsz == dph->p_filesz) {
		for (uint64_t i = 0; i < dph->p_filesz / sizeof e; i++) {
			memcpy(&e, b + o.dyn.dynamic_offset + i * sizeof e, sizeof e);
			if (e.d_tag == DT_NULL) {
				e.d_tag = DT_DEBUG;
				memcpy(b + o.dyn.dynamic_offset + i * sizeof e, &e, sizeof e);
			}
		}
		ck_assert_int_eq(reparse(b, o.len, why, sizeof why), -ENOEXEC);
		ck_assert_msg(strstr(why, "DT_NULL"), "%s", why);
	}

	/* PT_DYNAMIC outside every PT_LOAD */
	memcpy(b, o.buf, o.len);
	size_t phoff = o.info->eh.e_phoff + (size_t)(dph - o.info->ph) * sizeof(Elf64_Phdr);
	Elf64_Phdr p;
	memcpy(&p, b + phoff, sizeof p);
	p.p_vaddr = 0x7ffe00000000ULL;
	memcpy(b + phoff, &p, sizeof p);
	ck_assert_int_eq(reparse(b, o.len, why, sizeof why), -ENOEXEC);
	ck_assert_msg(strstr(why, "PT_DYNAMIC"), "%s", why);

	/* a buffer that ends inside the string table: a read error, not a read past it */
	uint64_t stoff;
	ck_assert_int_eq(elf_vaddr_to_offset(o.info, o.dyn.strtab_vaddr, o.dyn.strsz, &stoff), 0);
	struct elf_dynamic d2;
	ck_assert_int_eq(elf_dynamic_read_mem(o.buf, stoff + 10, o.info, &d2, why, sizeof why), -EIO);

	/* random damage to the program headers and the dynamic section: errors, never a
	 * crash or a read outside the buffer (run under SANITIZE=1 to see) */
	srand(42);
	for (int iter = 0; iter < 3000; iter++) {
		memcpy(b, o.buf, o.len);
		int flips = 1 + rand() % 4;
		for (int k = 0; k < flips; k++) {
			size_t where;
			if (rand() % 2)
				where = o.info->eh.e_phoff + (size_t)rand() % (o.info->phnum * sizeof(Elf64_Phdr));
			else
				where = o.dyn.dynamic_offset + (size_t)rand() % ((o.dyn.ndyn + 1) * sizeof(Elf64_Dyn));
			if (where < o.len) b[where] = (unsigned char)rand();
		}
		struct elf_info *info = malloc(sizeof *info);
		struct elf_dynamic d;
		if (elf_parse_mem(b, o.len, info, why, sizeof why) == 0 &&
		    elf_dynamic_read_mem(b, o.len, info, &d, why, sizeof why) == 0) {
			for (unsigned i = 0; i < d.nneeded; i++) ck_assert(strlen(d.needed[i]) < d.strsz);
			elf_dynamic_free(&d);
		}
		free(info);
	}
	free(b);
	free_obj(&o);
}
END_TEST

/* ---- ld.so.cache ---- */

START_TEST(cache_real_finds_libc)
{
	if (access(LDD_CACHE_FILE, R_OK) != 0) return;	/* no cache on this system */
	struct ld_cache *c;
	char why[256];
	ck_assert_msg(ld_cache_load(LDD_CACHE_FILE, &c, why, sizeof why) == 0, "%s", why);
	ck_assert_uint_gt(ld_cache_count(c), 0);
	const char *p = ld_cache_lookup(c, "libc.so.6", NULL);
	ck_assert_ptr_nonnull(p);
	size_t n = strlen(p);
	ck_assert(n > strlen("/libc.so.6") && !strcmp(p + n - strlen("/libc.so.6"), "/libc.so.6"));
	ck_assert_msg(access(p, R_OK) == 0, "%s", p);
	/* the x86-64 one, not a 32-bit libc from /lib32 (flags 0x303 only) */
	struct elf_info *info = malloc(sizeof *info);
	int fd = open(p, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(elf_parse(fd, info, why, sizeof why), 0);
	ck_assert_int_eq(info->eh.e_machine, EM_X86_64);
	close(fd);
	free(info);
	ck_assert_ptr_null(ld_cache_lookup(c, "libpersona-surely-absent.so.7", NULL));
	ck_assert_ptr_nonnull(ld_cache_lookup(c, "libm.so.6", NULL));
	ld_cache_free(c);
}
END_TEST

struct centry {
	int32_t flags;
	const char *key, *value;
	uint64_t hwcap;
};

/* A new-format cache (optionally after an old-format table) with entries e (which
 * must be in the cache's descending _dl_cache_libcmp order) and a glibc-hwcaps
 * extension naming hwcaps[]. Returns its length. */
static size_t build_cache(unsigned char *out, size_t cap, const struct centry *e, unsigned n,
			  const char *const *hwcaps, unsigned nhw, bool old_prefix)
{
	memset(out, 0, cap);
	size_t base = 0;
	if (old_prefix) {
		memcpy(out, "ld.so-1.7.0", 11);
		uint32_t zero = 0;
		memcpy(out + 12, &zero, 4);	/* no old entries */
		base = 16;			/* ALIGN_CACHE(16) */
	}
	unsigned char *h = out + base;
	memcpy(h, "glibc-ld.so.cache1.1", 20);
	uint32_t nl = n;
	memcpy(h + 20, &nl, 4);
	h[28] = 2;			/* little-endian */
	size_t str = base + 48 + (size_t)n * 24;	/* strings after the entries */
	size_t sp = str;
	for (unsigned i = 0; i < n; i++) {
		uint32_t k = (uint32_t)(sp - base);
		strcpy((char *)out + sp, e[i].key);
		sp += strlen(e[i].key) + 1;
		uint32_t v = (uint32_t)(sp - base);
		strcpy((char *)out + sp, e[i].value);
		sp += strlen(e[i].value) + 1;
		unsigned char *ent = h + 48 + (size_t)i * 24;
		memcpy(ent, &e[i].flags, 4);
		memcpy(ent + 4, &k, 4);
		memcpy(ent + 8, &v, 4);
		memcpy(ent + 16, &e[i].hwcap, 8);
	}
	uint32_t hwname[8];
	for (unsigned i = 0; i < nhw; i++) {
		hwname[i] = (uint32_t)sp;	/* file offsets */
		strcpy((char *)out + sp, hwcaps[i]);
		sp += strlen(hwcaps[i]) + 1;
	}
	uint32_t lens = (uint32_t)(sp - str);
	memcpy(h + 24, &lens, 4);
	if (nhw) {
		sp = (sp + 3) & ~(size_t)3;
		uint32_t ext = (uint32_t)sp, magic = 0xeaa42174u, count = 1;
		memcpy(h + 32, &ext, 4);
		memcpy(out + sp, &magic, 4);
		memcpy(out + sp + 4, &count, 4);
		uint32_t sec[4] = { 1, 0, (uint32_t)(sp + 24), nhw * 4 };
		memcpy(out + sp + 8, sec, sizeof sec);
		memcpy(out + sp + 24, hwname, nhw * 4);
		sp += 24 + nhw * 4;
	}
	ck_assert_uint_le(sp, cap);
	return sp;
}

#define NAMED(idx, isa)	((1ULL << 62) | ((uint64_t)(isa) << 32) | (idx))

START_TEST(cache_crafted)
{
	/* descending order, as ldconfig writes it; within a name, named hwcaps first */
	const struct centry e[] = {
		{ 0x0303, "libz.so.1", "/x/libz.so.1", 0 },
		{ 0x0303, "libm.so.10", "/x/libm.so.10", 0 },	/* 10 > 9: numeric order */
		{ 0x0303, "libm.so.9", "/x/libm.so.9", 0 },
		{ 0x0303, "libb.so.2", "/x/glibc-hwcaps/x86-64-v2/libb.so.2", NAMED(0, 0) },
		{ 0x0303, "libb.so.2", "/x/glibc-hwcaps/x86-64-v3/libb.so.2", NAMED(1, 0) },
		{ 0x0303, "libb.so.2", "/x/glibc-hwcaps/x86-64-v4/libb.so.2", NAMED(2, 3) },
		{ 0x0303, "libb.so.2", "/x/libb.so.2", 0 },
		{ 0x0003, "liba.so.1", "/lib32/liba.so.1", 0 },	/* i386 */
		{ 0x0303, "liba.so.1", "/x/x86_64/liba.so.1", 1ULL << 1 },	/* legacy hwcap x86_64 */
		{ 0x0303, "liba.so.1", "/x/liba.so.1", 0 },
		{ 0x0303, "liba.so.0", "/x/plat/liba.so.0", 1ULL << 50 },	/* haswell only */
	};
	const char *hwn[] = { "x86-64-v2", "x86-64-v3", "x86-64-v4" };
	unsigned char buf[4096];
	for (int old = 0; old <= 1; old++) {
		size_t len = build_cache(buf, sizeof buf, e, sizeof e / sizeof e[0], hwn, 3, old);
		struct ld_cache *c;
		char why[256];
		ck_assert_msg(ld_cache_load_mem(buf, len, &c, why, sizeof why) == 0, "%s", why);
		ck_assert_uint_eq(ld_cache_count(c), sizeof e / sizeof e[0]);

		struct ldd_hwcaps hw;
		memset(&hw, 0, sizeof hw);
		strcpy(hw.platform, "x86_64");
		hw.hwcap = 1u << 1;
		hw.isa_level = 1 | 2 | 4;	/* v2, v3 */
		strcpy(hw.glibc_hwcaps[0], "x86-64-v3");
		strcpy(hw.glibc_hwcaps[1], "x86-64-v2");
		hw.nglibc_hwcaps = 2;
		ldd_hwcaps_subdirs(&hw);

		ck_assert_str_eq(ld_cache_lookup(c, "libz.so.1", &hw), "/x/libz.so.1");
		ck_assert_str_eq(ld_cache_lookup(c, "libm.so.9", &hw), "/x/libm.so.9");
		ck_assert_str_eq(ld_cache_lookup(c, "libm.so.10", &hw), "/x/libm.so.10");
		ck_assert_ptr_null(ld_cache_lookup(c, "libm.so.8", &hw));
		/* the best active glibc-hwcaps subdirectory */
		ck_assert_str_eq(ld_cache_lookup(c, "libb.so.2", &hw), "/x/glibc-hwcaps/x86-64-v3/libb.so.2");
		/* v4 would rank first but it needs ISA level 3 (v4), which hw lacks */
		strcpy(hw.glibc_hwcaps[0], "x86-64-v4");
		strcpy(hw.glibc_hwcaps[1], "x86-64-v3");
		strcpy(hw.glibc_hwcaps[2], "x86-64-v2");
		hw.nglibc_hwcaps = 3;
		ck_assert_str_eq(ld_cache_lookup(c, "libb.so.2", &hw), "/x/glibc-hwcaps/x86-64-v3/libb.so.2");
		hw.isa_level = 0xf;
		ck_assert_str_eq(ld_cache_lookup(c, "libb.so.2", &hw), "/x/glibc-hwcaps/x86-64-v4/libb.so.2");
		/* no glibc-hwcaps: the plain entry */
		hw.nglibc_hwcaps = 0;
		ck_assert_str_eq(ld_cache_lookup(c, "libb.so.2", &hw), "/x/libb.so.2");
		/* the i386 entry is skipped; the legacy x86_64 one is usable */
		ck_assert_str_eq(ld_cache_lookup(c, "liba.so.1", &hw), "/x/x86_64/liba.so.1");
		hw.hwcap = 0;
		ck_assert_str_eq(ld_cache_lookup(c, "liba.so.1", &hw), "/x/liba.so.1");
		/* a platform-only entry: not for platform x86_64, yes for haswell */
		ck_assert_ptr_null(ld_cache_lookup(c, "liba.so.0", &hw));
		strcpy(hw.platform, "haswell");
		ck_assert_str_eq(ld_cache_lookup(c, "liba.so.0", &hw), "/x/plat/liba.so.0");
		ld_cache_free(c);
	}
	ck_assert_int_lt(ld_cache_libcmp("libm.so.9", "libm.so.10"), 0);
	ck_assert_int_gt(ld_cache_libcmp("libz.so", "liba.so"), 0);
	ck_assert_int_eq(ld_cache_libcmp("libx.so.1", "libx.so.1"), 0);
}
END_TEST

START_TEST(cache_broken)
{
	const struct centry e[] = {
		{ 0x0303, "libz.so.1", "/x/libz.so.1", 0 },
		{ 0x0303, "liba.so.1", "/x/liba.so.1", 0 },
	};
	unsigned char buf[1024], bad[1024];
	size_t len = build_cache(buf, sizeof buf, e, 2, NULL, 0, false);
	struct ld_cache *c;
	char why[256];

	memcpy(bad, buf, len);
	bad[0] = 'X';
	ck_assert_int_eq(ld_cache_load_mem(bad, len, &c, why, sizeof why), -EINVAL);
	ck_assert_msg(strstr(why, "magic"), "%s", why);

	memcpy(bad, buf, len);	/* more entries than the file holds */
	uint32_t n = 1000000;
	memcpy(bad + 20, &n, 4);
	ck_assert_int_eq(ld_cache_load_mem(bad, len, &c, why, sizeof why), -EINVAL);

	memcpy(bad, buf, len);	/* big-endian */
	bad[28] = 3;
	ck_assert_int_eq(ld_cache_load_mem(bad, len, &c, why, sizeof why), -EINVAL);

	for (size_t cut = 0; cut < 60; cut++)	/* truncated */
		if (ld_cache_load_mem(buf, cut, &c, why, sizeof why) == 0) {
			ld_cache_lookup(c, "libz.so.1", NULL);
			ld_cache_free(c);
		}

	memcpy(bad, buf, len);	/* a key far outside the file: nothing found, no crash */
	uint32_t k = 0x7fffffff;
	memcpy(bad + 48 + 4, &k, 4);
	ck_assert_int_eq(ld_cache_load_mem(bad, len, &c, why, sizeof why), 0);
	ck_assert_ptr_null(ld_cache_lookup(c, "libz.so.1", NULL));
	ck_assert_ptr_null(ld_cache_lookup(c, "liba.so.1", NULL));
	ld_cache_free(c);

	memcpy(bad, buf, len);	/* the last string loses its NUL: that value is unusable */
	bad[len - 1] = 'x';
	ck_assert_int_eq(ld_cache_load_mem(bad, len, &c, why, sizeof why), 0);
	ck_assert_ptr_null(ld_cache_lookup(c, "liba.so.1", NULL));
	ck_assert_str_eq(ld_cache_lookup(c, "libz.so.1", NULL), "/x/libz.so.1");
	ld_cache_free(c);

	memcpy(bad, buf, len);	/* a bad extension offset is ignored, not fatal */
	uint32_t ext = 0xfffffff0;
	memcpy(bad + 32, &ext, 4);
	ck_assert_int_eq(ld_cache_load_mem(bad, len, &c, why, sizeof why), 0);
	ck_assert_str_eq(ld_cache_lookup(c, "libz.so.1", NULL), "/x/libz.so.1");
	ld_cache_free(c);

	srand(7);	/* random damage anywhere: never a crash */
	for (int iter = 0; iter < 3000; iter++) {
		memcpy(bad, buf, len);
		for (int f = 0; f < 3; f++) bad[(size_t)rand() % len] = (unsigned char)rand();
		if (ld_cache_load_mem(bad, len, &c, why, sizeof why) == 0) {
			ld_cache_lookup(c, "libz.so.1", NULL);
			ld_cache_lookup(c, "liba.so.1", NULL);
			ld_cache_free(c);
		}
	}
	ck_assert_int_eq(ld_cache_load("/nonexistent/ld.so.cache", &c, why, sizeof why), -ENOENT);
}
END_TEST

/* ---- $ORIGIN and friends ---- */

static char *x(const char *in, const char *origin, bool secure, bool program)
{
	struct ldd_dst d = { .origin = origin, .platform = "x86_64", .secure = secure,
			     .is_program = program };
	char *r = ldd_expand_dst(in, &d);
	ck_assert_ptr_nonnull(r);
	return r;
}

#define EXPECT_DST(in, origin, secure, program, want) do {		\
		char *_r = x(in, origin, secure, program);		\
		ck_assert_msg(!strcmp(_r, want), "%s -> '%s', want '%s'", in, _r, want); \
		free(_r);						\
	} while (0)

START_TEST(origin_expansion)
{
	char *o = ldd_origin("/opt/app/bin/prog");
	ck_assert_str_eq(o, "/opt/app/bin");
	free(o);
	o = ldd_origin("/prog");
	ck_assert_str_eq(o, "/");
	free(o);
	/* relative: made absolute with the cwd, not normalized (ld.so prints it so) */
	char cwd[PATH_MAX], want[PATH_MAX + 8];
	ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
	o = ldd_origin("./prog");
	snprintf(want, sizeof want, "%s%s.", cwd, strcmp(cwd, "/") ? "/" : "");
	ck_assert_str_eq(o, want);
	free(o);
	ck_assert_ptr_null(ldd_origin(""));

	EXPECT_DST("$ORIGIN/../lib", "/opt/app/bin", false, true, "/opt/app/bin/../lib");
	EXPECT_DST("${ORIGIN}/../lib", "/opt/app/bin", false, true, "/opt/app/bin/../lib");
	EXPECT_DST("/a/$ORIGIN/b", "/o", false, false, "/a//o/b");
	EXPECT_DST("$ORIGINAL/x", "/o", false, false, "$ORIGINAL/x");	/* not the DST */
	EXPECT_DST("${ORIGIN", "/o", false, false, "${ORIGIN");
	EXPECT_DST("$ORIGIN", NULL, false, false, "");			/* unknown: dropped */
	EXPECT_DST("/usr/$LIB/app", "/o", false, false, "/usr/lib/x86_64-linux-gnu/app");
	EXPECT_DST("/opt/${PLATFORM}/$LIB", "/o", false, false, "/opt/x86_64/lib/x86_64-linux-gnu");
	EXPECT_DST("/no/dst/here", "/o", false, false, "/no/dst/here");
	EXPECT_DST("$HOME/lib", "/o", false, false, "$HOME/lib");
	/* set-ID programs: only a leading $ORIGIN, and for the program itself only one
	 * that lands in a trusted directory */
	EXPECT_DST("$ORIGIN/lib", "/usr/lib/x86_64-linux-gnu/app", true, true,
		   "/usr/lib/x86_64-linux-gnu/app/lib");
	EXPECT_DST("$ORIGIN/../../../tmp", "/usr/lib/x86_64-linux-gnu/app", true, true, "");
	EXPECT_DST("$ORIGIN/lib", "/tmp/evil", true, true, "");
	EXPECT_DST("$ORIGIN/lib", "/tmp/lib", true, false, "/tmp/lib/lib");	/* a library's: no trust check */
	EXPECT_DST("/x/$ORIGIN", "/usr/lib", true, false, "");
	EXPECT_DST("$LIB/x", "/o", true, true, "lib/x86_64-linux-gnu/x");
}
END_TEST

/* ---- the search order, on objects built now ---- */

static char tdir[64];

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	int r = system(cmd);
	ck_assert_msg(r == 0, "command failed (%d): %s", r, cmd);
}

static void write_file(const char *name, const char *text)
{
	char p[128];
	snprintf(p, sizeof p, "%s/%s", tdir, name);
	FILE *f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

/* T/A/libleaf.so, T/B/libleaf.so (a copy), T/A/libmid.so (needs libleaf.so, no
 * search path of its own), T/C/libmid.so (needs libleaf.so, DT_RUNPATH T/B), and
 * programs needing libmid.so: rp (DT_RPATH T/A), ru (DT_RUNPATH T/A), rpc (DT_RPATH
 * T/C:T/A), orig (DT_RPATH $ORIGIN/../A). */
static void build_objects(void)
{
	strcpy(tdir, "/tmp/persona-ldd-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tdir));
	sh("mkdir -p %s/A %s/B %s/C %s/bin", tdir, tdir, tdir, tdir);
	write_file("leaf.c", "int leaf(void) { return 1; }\n");
	write_file("mid.c", "int leaf(void);\nint mid(void) { return leaf(); }\n");
	write_file("main.c", "int mid(void);\nint main(void) { return mid(); }\n");
	const char *T = tdir;
	sh("cd %s && cc -shared -fPIC -o A/libleaf.so leaf.c -Wl,-soname,libleaf.so && cp A/libleaf.so B/", T);
	sh("cd %s && cc -shared -fPIC -o A/libmid.so mid.c -Wl,-soname,libmid.so -LA -lleaf", T);
	sh("cd %s && cc -shared -fPIC -o C/libmid.so mid.c -Wl,-soname,libmid.so -LA -lleaf"
	   " -Wl,--enable-new-dtags -Wl,-rpath,%s/B", T, T);
	sh("cd %s && cc -o bin/rp main.c -LA -lmid -Wl,-rpath-link,A -Wl,--disable-new-dtags"
	   " -Wl,-rpath,%s/A", T, T);
	sh("cd %s && cc -o bin/ru main.c -LA -lmid -Wl,-rpath-link,A -Wl,--enable-new-dtags"
	   " -Wl,-rpath,%s/A", T, T);
	sh("cd %s && cc -o bin/rpc main.c -LC -lmid -Wl,-rpath-link,A -Wl,--disable-new-dtags"
	   " -Wl,-rpath,%s/C:%s/A", T, T, T);
	sh("cd %s && cc -o bin/orig main.c -LA -lmid -Wl,-rpath-link,A -Wl,--disable-new-dtags"
	   " '-Wl,-rpath,$ORIGIN/../A'", T);
}

static void remove_objects(void)
{
	if (tdir[0]) sh("rm -rf '%s'", tdir);
}

/* Resolves T/bin/prog with LD_LIBRARY_PATH llp (relative to T) and no preloads. */
static void resolve(const char *prog, const char *llp, int secure, struct ldd_result *res)
{
	char path[128], lp[128];
	snprintf(path, sizeof path, "%s/bin/%s", tdir, prog);
	struct ldd_config cfg;
	ldd_config_default(&cfg);
	cfg.ld_preload = NULL;
	cfg.preload_file = NULL;
	cfg.ld_library_path = NULL;
	if (llp) {
		snprintf(lp, sizeof lp, "%s/%s", tdir, llp);
		cfg.ld_library_path = lp;
	}
	cfg.secure = secure;
	char err[512];
	int r = ldd_resolve(path, &cfg, res, err, sizeof err);
	ck_assert_msg(r == LDD_OK, "%s: %d %s", path, r, err);
}

static void expect(const struct ldd_result *r, const char *name, enum ldd_how how,
		   const char *dir, const char *owner)
{
	const struct ldd_lib *l = find_lib(r, name);
	ck_assert_msg(l, "%s not listed", name);
	ck_assert_msg(l->how == how, "%s found by %s, want %s", name, ldd_how_name(l->how),
		      ldd_how_name(how));
	if (dir) {
		char want[256];
		snprintf(want, sizeof want, "%s/%s/%s", tdir, dir, name);
		ck_assert_msg(l->path && !strcmp(l->path, want), "%s at %s, want %s", name,
			      l->path ? l->path : "(none)", want);
	}
	if (owner) {
		char want[256];
		snprintf(want, sizeof want, "%s/%s", tdir, owner);
		ck_assert_msg(l->owner && !strcmp(l->owner, want), "%s: owner %s, want %s", name,
			      l->owner ? l->owner : "(none)", want);
	}
}

START_TEST(rpath_before_ld_library_path)
{
	struct ldd_result r;
	resolve("rp", NULL, 0, &r);
	expect(&r, "libmid.so", LDD_RPATH, "A", "bin/rp");
	/* libmid.so has no search path: the program's DT_RPATH is inherited */
	expect(&r, "libleaf.so", LDD_RPATH, "A", "bin/rp");
	expect(&r, "libc.so.6", LDD_CACHE, NULL, NULL);
	/* ldd's order: the vDSO, then breadth-first; ld.so after libc (which needs it) */
	ck_assert_int_eq(index_of(&r, "linux-vdso.so.1"), 0);
	ck_assert_int_lt(index_of(&r, "libmid.so"), index_of(&r, "libc.so.6"));
	ck_assert_int_lt(index_of(&r, "libc.so.6"), index_of(&r, "libleaf.so"));
	ck_assert(r.interp_listed);
	ck_assert_int_eq(r.lib[r.nlib - 1].how, LDD_INTERP);
	ldd_result_free(&r);
	/* DT_RPATH comes before LD_LIBRARY_PATH */
	resolve("rp", "B", 0, &r);
	expect(&r, "libleaf.so", LDD_RPATH, "A", "bin/rp");
	ldd_result_free(&r);
}
END_TEST

START_TEST(runpath_after_ld_library_path)
{
	struct ldd_result r;
	resolve("ru", NULL, 0, &r);
	expect(&r, "libmid.so", LDD_RUNPATH, "A", "bin/ru");
	/* DT_RUNPATH is not inherited: libmid's libleaf.so is found nowhere */
	expect(&r, "libleaf.so", LDD_NOT_FOUND, NULL, NULL);
	ck_assert_ptr_null(find_lib(&r, "libleaf.so")->path);
	ldd_result_free(&r);
	/* LD_LIBRARY_PATH comes before DT_RUNPATH (it has libleaf only) */
	resolve("ru", "B", 0, &r);
	expect(&r, "libmid.so", LDD_RUNPATH, "A", "bin/ru");
	expect(&r, "libleaf.so", LDD_LD_LIBRARY_PATH, "B", NULL);
	ldd_result_free(&r);
	resolve("ru", "A", 0, &r);
	expect(&r, "libmid.so", LDD_LD_LIBRARY_PATH, "A", NULL);
	ldd_result_free(&r);
	/* a set-ID program ignores LD_LIBRARY_PATH */
	resolve("ru", "B", 1, &r);
	ck_assert(r.secure);
	expect(&r, "libleaf.so", LDD_NOT_FOUND, NULL, NULL);
	ldd_result_free(&r);
}
END_TEST

START_TEST(runpath_hides_inherited_rpath)
{
	struct ldd_result r;
	/* rpc's DT_RPATH (C, then A) finds C/libmid.so; that one has a DT_RUNPATH, so
	 * for its libleaf.so the DT_RPATHs up the chain are not used: B via RUNPATH */
	resolve("rpc", NULL, 0, &r);
	expect(&r, "libmid.so", LDD_RPATH, "C", "bin/rpc");
	expect(&r, "libleaf.so", LDD_RUNPATH, "B", "C/libmid.so");
	ldd_result_free(&r);
	/* and LD_LIBRARY_PATH still comes first */
	resolve("rpc", "A", 0, &r);
	expect(&r, "libleaf.so", LDD_LD_LIBRARY_PATH, "A", NULL);
	ldd_result_free(&r);
}
END_TEST

START_TEST(origin_rpath)
{
	struct ldd_result r;
	resolve("orig", NULL, 0, &r);
	/* $ORIGIN is bin/: the path keeps the ".." as ld.so prints it */
	expect(&r, "libmid.so", LDD_RPATH, "bin/../A", "bin/orig");
	expect(&r, "libleaf.so", LDD_RPATH, "bin/../A", "bin/orig");
	ldd_result_free(&r);
}
END_TEST

/* Candidates in D (searched first, by LD_LIBRARY_PATH) that are not good libraries:
 * the other ELF class is skipped, a broken file stops ld.so, damage never crashes. */
START_TEST(broken_candidates)
{
	char d[128], lib[160], src[160], err[512];
	snprintf(d, sizeof d, "%s/D", tdir);
	snprintf(lib, sizeof lib, "%s/libmid.so", d);
	snprintf(src, sizeof src, "%s/A/libmid.so", tdir);
	mkdir(d, 0755);
	struct ldd_config cfg;
	ldd_config_default(&cfg);
	cfg.ld_preload = NULL;
	cfg.preload_file = NULL;
	cfg.ld_library_path = d;
	char prog[160];
	snprintf(prog, sizeof prog, "%s/bin/ru", tdir);
	struct ldd_result r;

	/* a 32-bit ELF header: skipped, libmid.so comes from DT_RUNPATH */
	unsigned char h[64] = { 0x7f, 'E', 'L', 'F', ELFCLASS32, ELFDATA2LSB, EV_CURRENT };
	FILE *f = fopen(lib, "w");
	fwrite(h, 1, sizeof h, f);
	fclose(f);
	ck_assert_int_eq(ldd_resolve(prog, &cfg, &r, err, sizeof err), LDD_OK);
	expect(&r, "libmid.so", LDD_RUNPATH, "A", "bin/ru");
	ldd_result_free(&r);

	/* not ELF, too short: ld.so gives up */
	f = fopen(lib, "w");
	fputs("not a library\n", f);
	fclose(f);
	ck_assert_int_eq(ldd_resolve(prog, &cfg, &r, err, sizeof err), LDD_ERR_FATAL);
	ck_assert_msg(strstr(err, "libmid.so: file too short"), "%s", err);
	ldd_result_free(&r);
	f = fopen(lib, "w");
	for (int i = 0; i < 20; i++) fputs("not a library\n", f);
	fclose(f);
	ck_assert_int_eq(ldd_resolve(prog, &cfg, &r, err, sizeof err), LDD_ERR_FATAL);
	ck_assert_msg(strstr(err, "invalid ELF header"), "%s", err);
	ldd_result_free(&r);

	/* random damage in the headers and the dynamic section */
	size_t len;
	unsigned char *good = slurp(src, &len);
	ck_assert_ptr_nonnull(good);
	struct elf_info *info = malloc(sizeof *info);
	struct elf_dynamic dyn;
	ck_assert_int_eq(elf_parse_mem(good, len, info, NULL, 0), 0);
	ck_assert_int_eq(elf_dynamic_read_mem(good, len, info, &dyn, NULL, 0), 0);
	unsigned char *b = malloc(len);
	srand(3);
	for (int iter = 0; iter < 300; iter++) {
		memcpy(b, good, len);
		for (int k = 0; k < 3; k++) {
			size_t w = rand() % 2 ? (size_t)rand() % 512 :
				   dyn.dynamic_offset + (size_t)rand() % ((dyn.ndyn + 1) * sizeof(Elf64_Dyn));
			if (w < len) b[w] = (unsigned char)rand();
		}
		f = fopen(lib, "w");
		fwrite(b, 1, len, f);
		fclose(f);
		int rc = ldd_resolve(prog, &cfg, &r, err, sizeof err);
		ck_assert(rc == LDD_OK || rc == LDD_ERR_FATAL);
		ldd_result_free(&r);
	}
	elf_dynamic_free(&dyn);
	free(info);
	free(good);
	free(b);
	unlink(lib);
}
END_TEST

Suite *ldd_suite(void)
{
	Suite *s = suite_create("ldd");
	TCase *tc = tcase_create("dynamic");
	tcase_add_test(tc, dynamic_real_object);
	tcase_add_test(tc, dynamic_broken);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	tc = tcase_create("cache");
	tcase_add_test(tc, cache_real_finds_libc);
	tcase_add_test(tc, cache_crafted);
	tcase_add_test(tc, cache_broken);
	suite_add_tcase(s, tc);
	tc = tcase_create("dst");
	tcase_add_test(tc, origin_expansion);
	suite_add_tcase(s, tc);
	tc = tcase_create("search");
	tcase_add_unchecked_fixture(tc, build_objects, remove_objects);
	tcase_add_test(tc, rpath_before_ld_library_path);
	tcase_add_test(tc, runpath_after_ld_library_path);
	tcase_add_test(tc, runpath_hides_inherited_rpath);
	tcase_add_test(tc, origin_rpath);
	tcase_add_test(tc, broken_candidates);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return s;
}
