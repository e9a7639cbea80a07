/* loader/dynamic.c - the dynamic section of an ELF64 object (see dynamic.h). */
#include "loader/dynamic.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Where the bytes come from: memory or a file descriptor. */
struct rd {
	const unsigned char *mem;
	int fd;
	uint64_t size;
};

__attribute__((format(printf, 4, 5)))
static int fail(char *why, unsigned whylen, int err, const char *fmt, ...)
{
	if (why && whylen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return -err;
}

static int rd_read(const struct rd *r, uint64_t off, void *dst, uint64_t n)
{
	if (off > r->size || n > r->size - off) return -EIO;
	if (r->mem) {
		memcpy(dst, r->mem + off, n);
		return 0;
	}
	unsigned char *p = dst;
	while (n) {
		ssize_t got = pread(r->fd, p, n, (off_t)off);
		if (got < 0) {
			if (errno == EINTR) continue;
			return -errno;
		}
		if (got == 0) return -EIO;	/* the file shrank */
		p += got;
		off += (uint64_t)got;
		n -= (uint64_t)got;
	}
	return 0;
}

int elf_vaddr_to_offset(const struct elf_info *info, uint64_t vaddr, uint64_t len,
			uint64_t *off)
{
	unsigned nseg = info->nseg < ELF_MAX_SEGS ? info->nseg : ELF_MAX_SEGS;
	for (unsigned i = 0; i < nseg; i++) {
		const struct elf_segment *s = &info->seg[i];
		if (vaddr < s->vaddr) continue;
		uint64_t in = vaddr - s->vaddr;
		if (in >= s->filesz || len > s->filesz - in) continue;
		/* the segment's file range itself must be inside the file */
		if (s->offset > info->file_size || s->filesz > info->file_size - s->offset)
			return -ENOEXEC;
		*off = s->offset + in;
		return 0;
	}
	return -ENOEXEC;
}

void elf_dynamic_free(struct elf_dynamic *dyn)
{
	if (!dyn) return;
	free(dyn->dyn);
	free(dyn->strtab);
	free(dyn->needed);
	memset(dyn, 0, sizeof *dyn);
}

static const char *tag_name(int64_t tag)
{
	switch (tag) {
	case DT_NEEDED: return "DT_NEEDED";
	case DT_SONAME: return "DT_SONAME";
	case DT_RPATH: return "DT_RPATH";
	case DT_RUNPATH: return "DT_RUNPATH";
	default: return "string";
	}
}

static bool is_string_tag(int64_t tag)
{
	return tag == DT_NEEDED || tag == DT_SONAME || tag == DT_RPATH || tag == DT_RUNPATH;
}

/* The string at off in the table: NULL (with a reason) unless it starts inside the
 * table and ends with a NUL inside it. */
static const char *str_at(const struct elf_dynamic *d, int64_t tag, uint64_t off, char *why,
			  unsigned whylen)
{
	if (off >= d->strsz) {
		fail(why, whylen, ENOEXEC, "%s string offset 0x%llx is outside the string table (DT_STRSZ 0x%llx)",
		     tag_name(tag), (unsigned long long)off, (unsigned long long)d->strsz);
		return NULL;
	}
	if (!memchr(d->strtab + off, '\0', d->strsz - off)) {
		fail(why, whylen, ENOEXEC, "%s string at offset 0x%llx is not NUL-terminated inside the string table",
		     tag_name(tag), (unsigned long long)off);
		return NULL;
	}
	return d->strtab + off;
}

static int read_dynamic(const struct rd *r, const struct elf_info *info, struct elf_dynamic *d,
			char *why, unsigned whylen)
{
	memset(d, 0, sizeof *d);
	if (why && whylen) why[0] = '\0';

	/* ld.so (_dl_map_object_from_fd) takes the last PT_DYNAMIC; one with no file
	 * contents is a separate-debuginfo file's and counts as none. */
	const Elf64_Phdr *ph = NULL;
	unsigned phnum = info->phnum < ELF_MAX_PHNUM ? info->phnum : (unsigned)ELF_MAX_PHNUM;
	for (unsigned i = 0; i < phnum; i++)
		if (info->ph[i].p_type == PT_DYNAMIC && info->ph[i].p_filesz) ph = &info->ph[i];
	if (!ph) return fail(why, whylen, ENOENT, "no dynamic section (no PT_DYNAMIC with file contents)");

	uint64_t n = ph->p_filesz / sizeof(Elf64_Dyn);
	if (n == 0)
		return fail(why, whylen, ENOEXEC, "PT_DYNAMIC is %llu bytes, smaller than one entry",
			    (unsigned long long)ph->p_filesz);
	uint64_t want = n < ELF_DYN_MAX_ENTRIES ? n : ELF_DYN_MAX_ENTRIES;
	uint64_t off;
	if (elf_vaddr_to_offset(info, ph->p_vaddr, want * sizeof(Elf64_Dyn), &off))
		return fail(why, whylen, ENOEXEC,
			    "PT_DYNAMIC at 0x%llx (+0x%llx) is not inside the file part of a PT_LOAD segment",
			    (unsigned long long)ph->p_vaddr, (unsigned long long)(want * sizeof(Elf64_Dyn)));
	d->dynamic_vaddr = ph->p_vaddr;
	d->dynamic_offset = off;
	Elf64_Dyn *dyn = malloc(want * sizeof *dyn);
	if (!dyn) return fail(why, whylen, ENOMEM, "out of memory for %llu dynamic entries",
			      (unsigned long long)want);
	d->dyn = dyn;
	int e = rd_read(r, off, dyn, want * sizeof *dyn);
	if (e) return fail(why, whylen, -e, "cannot read the dynamic section: %s", strerror(-e));

	uint64_t k = 0;
	while (k < want && dyn[k].d_tag != DT_NULL) k++;
	if (k == want) {
		if (n > want)
			return fail(why, whylen, ENOEXEC, "no DT_NULL in the first %u dynamic entries",
				    ELF_DYN_MAX_ENTRIES);
		/* In memory the section continues with p_memsz - p_filesz zero bytes:
		 * a DT_NULL, if a whole entry of them follows the last one. */
		if (ph->p_filesz % sizeof(Elf64_Dyn) || ph->p_memsz < ph->p_filesz ||
		    ph->p_memsz - ph->p_filesz < sizeof(Elf64_Dyn))
			return fail(why, whylen, ENOEXEC, "the dynamic section has no DT_NULL terminator");
	}
	d->ndyn = (unsigned)k;

	bool have_strtab = false, have_strsz = false, any_string = false;
	uint64_t strtab = 0, strsz = 0;
	unsigned nneeded = 0;
	for (unsigned i = 0; i < d->ndyn; i++) {
		switch (dyn[i].d_tag) {
		case DT_STRTAB: have_strtab = true; strtab = dyn[i].d_un.d_ptr; break;
		case DT_STRSZ: have_strsz = true; strsz = dyn[i].d_un.d_val; break;
		case DT_FLAGS: d->flags = dyn[i].d_un.d_val; break;
		case DT_FLAGS_1: d->flags_1 = dyn[i].d_un.d_val; break;
		case DT_NEEDED: nneeded++; break;
		default: break;
		}
		if (is_string_tag(dyn[i].d_tag)) any_string = true;
	}
	if (!any_string) return 0;
	if (!have_strtab)
		return fail(why, whylen, ENOEXEC, "string tags (DT_NEEDED, DT_SONAME...) but no DT_STRTAB");
	if (!have_strsz) {
		/* The table then runs to the end of its segment's file part. */
		for (unsigned i = 0; i < info->nseg && i < ELF_MAX_SEGS; i++) {
			const struct elf_segment *s = &info->seg[i];
			if (strtab >= s->vaddr && strtab - s->vaddr < s->filesz) {
				strsz = s->filesz - (strtab - s->vaddr);
				break;
			}
		}
		if (strsz > ELF_DYN_MAX_STRSZ) strsz = ELF_DYN_MAX_STRSZ;
	}
	if (strsz == 0)
		return fail(why, whylen, ENOEXEC, "DT_STRTAB at 0x%llx: empty or outside the file",
			    (unsigned long long)strtab);
	if (strsz > ELF_DYN_MAX_STRSZ)
		return fail(why, whylen, ENOEXEC, "DT_STRSZ 0x%llx is absurdly large",
			    (unsigned long long)strsz);
	if (elf_vaddr_to_offset(info, strtab, strsz, &off))
		return fail(why, whylen, ENOEXEC,
			    "string table at 0x%llx (DT_STRSZ 0x%llx) is not inside the file part of a PT_LOAD segment",
			    (unsigned long long)strtab, (unsigned long long)strsz);
	d->strtab_vaddr = strtab;
	d->strsz = strsz;
	d->strtab = malloc(strsz);
	if (!d->strtab) return fail(why, whylen, ENOMEM, "out of memory for the string table");
	e = rd_read(r, off, d->strtab, strsz);
	if (e) return fail(why, whylen, -e, "cannot read the string table: %s", strerror(-e));

	if (nneeded) {
		d->needed = calloc(nneeded, sizeof *d->needed);
		if (!d->needed) return fail(why, whylen, ENOMEM, "out of memory");
	}
	for (unsigned i = 0; i < d->ndyn; i++) {
		int64_t tag = dyn[i].d_tag;
		if (!is_string_tag(tag)) continue;
		const char *s = str_at(d, tag, dyn[i].d_un.d_val, why, whylen);
		if (!s) return -ENOEXEC;
		switch (tag) {
		case DT_NEEDED: d->needed[d->nneeded++] = s; break;
		case DT_SONAME: d->soname = s; break;
		case DT_RPATH: d->rpath = s; break;
		case DT_RUNPATH: d->runpath = s; break;
		}
	}
	return 0;
}

int elf_dynamic_read(int fd, const struct elf_info *info, struct elf_dynamic *dyn, char *why,
		     unsigned whylen)
{
	struct rd r = { .mem = NULL, .fd = fd, .size = info->file_size };
	int e = read_dynamic(&r, info, dyn, why, whylen);
	if (e) {
		elf_dynamic_free(dyn);
		if (why && whylen && !why[0]) snprintf(why, whylen, "%s", strerror(-e));
	}
	return e;
}

int elf_dynamic_read_mem(const void *buf, uint64_t len, const struct elf_info *info,
			 struct elf_dynamic *dyn, char *why, unsigned whylen)
{
	/* the smaller of the buffer and the size elf_parse saw */
	struct rd r = { .mem = buf, .fd = -1,
			.size = buf ? (len < info->file_size ? len : info->file_size) : 0 };
	int e = read_dynamic(&r, info, dyn, why, whylen);
	if (e) {
		elf_dynamic_free(dyn);
		if (why && whylen && !why[0]) snprintf(why, whylen, "%s", strerror(-e));
	}
	return e;
}
