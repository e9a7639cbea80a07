/* loader/elf.c - ELF64 parsing and validation (see elf.h and docs/loader.md).
 *
 * The order of the checks follows Linux's: everything load_elf_binary() looks at
 * before the point of no return (header, program headers, PT_INTERP) comes first, so
 * a file with several faults gets the errno Linux's execve returns; the checks Linux
 * makes only while mapping the segments come after, and Persona's own rules (which
 * Linux does not make) are marked ELF_ERR_PERSONA.
 *
 * Linux references are to fs/binfmt_elf.c (6.x) unless said otherwise. The errno of
 * each check was also checked against the host kernel's execve (6.18): see the table
 * in docs/loader.md. */
#include "loader/elf.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define PAGE_DOWN(v)	((v) & ~(ELF_PAGE - 1))
#define PAGE_OFF(v)	((v) & (ELF_PAGE - 1))
#define PAGE_UP(v)	(((v) + ELF_PAGE - 1) & ~(ELF_PAGE - 1))

/* Where the file's bytes come from: memory or a file descriptor. */
struct src {
	const unsigned char *mem;
	int fd;
	uint64_t size;
};

struct ctx {
	const struct src *src;
	struct elf_info *info;
	char *why;
	unsigned whylen;
	bool interp;		/* parsing a program interpreter */
};

__attribute__((format(printf, 4, 5)))
static int fail(struct ctx *c, int err, enum elf_err_stage stage, const char *fmt, ...)
{
	c->info->err_stage = stage;
	if (c->why && c->whylen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(c->why, c->whylen, fmt, ap);
		va_end(ap);
	}
	return -err;
}

/* Reads n bytes at off. 0, -EINVAL for a range that is negative as an loff_t
 * (kernel_read()'s rw_verify_area()), -EIO when the range is not all inside the file
 * (Linux's elf_read(): a short kernel_read is -EIO), or pread's -errno. */
static int src_read(const struct src *s, uint64_t off, void *dst, uint64_t n)
{
	if (off > INT64_MAX || n > INT64_MAX - off) return -EINVAL;
	if (off > s->size || n > s->size - off) return -EIO;
	if (s->mem) {
		memcpy(dst, s->mem + off, n);
		return 0;
	}
	unsigned char *p = dst;
	while (n) {
		ssize_t r = pread(s->fd, p, n, (off_t)off);
		if (r < 0) {
			if (errno == EINTR) continue;
			return -errno;
		}
		if (r == 0) return -EIO;	/* the file shrank under us */
		p += r;
		off += (uint64_t)r;
		n -= (uint64_t)r;
	}
	return 0;
}

static unsigned prot_of(uint32_t flags)
{
	return (flags & PF_R ? PROT_READ : 0) | (flags & PF_W ? PROT_WRITE : 0) |
	       (flags & PF_X ? PROT_EXEC : 0);
}

static bool is_pow2(uint64_t v) { return v && !(v & (v - 1)); }

/* The ELF header: ident, type, machine. */
static int check_header(struct ctx *c)
{
	struct elf_info *in = c->info;
	const Elf64_Ehdr *eh = &in->eh;
	uint64_t size = c->src->size;
	/* For an interpreter Linux's checks come after open_exec(); they return -ELIBBAD
	 * (a corrupted shared library) where the executable's return -ENOEXEC. */
	int bad = c->interp ? ELIBBAD : ENOEXEC;
	const char *what = c->interp ? "interpreter" : "file";

	unsigned char ident[SELFMAG] = { 0 };
	if (src_read(c->src, 0, ident, size < SELFMAG ? size : SELFMAG) < 0)
		return fail(c, EIO, ELF_ERR_EARLY, "cannot read the ELF header");
	if (memcmp(ident, ELFMAG, SELFMAG) != 0) {
		/* Linux's binfmt_elf sees bprm->buf (the first 256 bytes, zero-padded); with
		 * no binary handler claiming the file execve returns ENOEXEC. An interpreter
		 * shorter than an ELF header fails elf_read() first: -EIO. */
		if (c->interp && size < sizeof(Elf64_Ehdr))
			return fail(c, EIO, ELF_ERR_EARLY,
				    "interpreter is %llu bytes, shorter than an ELF header (64)",
				    (unsigned long long)size);
		return fail(c, bad, ELF_ERR_EARLY, "not an ELF %s (no \\177ELF magic)", what);
	}
	if (size < sizeof(Elf64_Ehdr)) {
		if (c->interp)	/* elf_read(interpreter, interp_elf_ex, sizeof(...), 0): short */
			return fail(c, EIO, ELF_ERR_EARLY,
				    "interpreter is %llu bytes, shorter than an ELF header (64)",
				    (unsigned long long)size);
		/* Linux reads the zero-padded bprm->buf: e_type 0 fails → ENOEXEC */
		return fail(c, ENOEXEC, ELF_ERR_EARLY,
			    "truncated: %llu bytes, shorter than the 64-byte ELF header",
			    (unsigned long long)size);
	}
	int r = src_read(c->src, 0, &in->eh, sizeof in->eh);
	if (r < 0) return fail(c, -r, ELF_ERR_EARLY, "cannot read the ELF header: %s", strerror(-r));

	/* Class, data, version: Linux's x86-64 elf_check_arch() looks only at e_machine;
	 * Persona insists on a well-formed 64-bit little-endian header. */
	if (eh->e_ident[EI_CLASS] != ELFCLASS64)
		return fail(c, bad, ELF_ERR_PERSONA, "EI_CLASS is %u, not ELFCLASS64%s",
			    eh->e_ident[EI_CLASS],
			    eh->e_ident[EI_CLASS] == ELFCLASS32 ? " (32-bit programs are not supported)" : "");
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return fail(c, bad, ELF_ERR_PERSONA, "EI_DATA is %u, not ELFDATA2LSB (little-endian)",
			    eh->e_ident[EI_DATA]);
	if (eh->e_ident[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT)
		return fail(c, bad, ELF_ERR_PERSONA, "ELF version %u/%u, not EV_CURRENT (1)",
			    eh->e_ident[EI_VERSION], eh->e_version);

	/* load_elf_binary: e_type first, then elf_check_arch(); both -ENOEXEC. For the
	 * interpreter e_type is checked by load_elf_interp() after the program headers
	 * (check_interp_type). */
	if (!c->interp && eh->e_type != ET_EXEC && eh->e_type != ET_DYN) {
		switch (eh->e_type) {
		case ET_REL:
			return fail(c, ENOEXEC, ELF_ERR_EARLY,
				    "ET_REL: a relocatable object file (.o), not an executable");
		case ET_CORE:
			return fail(c, ENOEXEC, ELF_ERR_EARLY, "ET_CORE: a core dump, not an executable");
		case ET_NONE:
			return fail(c, ENOEXEC, ELF_ERR_EARLY, "ET_NONE: no file type");
		default:
			return fail(c, ENOEXEC, ELF_ERR_EARLY, "e_type %#x is not ET_EXEC or ET_DYN",
				    eh->e_type);
		}
	}
	if (eh->e_machine != EM_X86_64)
		return fail(c, bad, ELF_ERR_EARLY, "e_machine %u is not x86-64 (EM_X86_64 = %u)%s",
			    eh->e_machine, EM_X86_64,
			    eh->e_machine == EM_386 ? ": an i386 program" :
			    eh->e_machine == EM_AARCH64 ? ": an arm64 program" : "");
	return 0;
}

/* load_elf_phdrs(): size, count, and the table inside the file. Any failure there
 * makes it return NULL, and the caller's retval is -ENOEXEC (-ELIBBAD for an
 * interpreter), even for a short read. */
static int read_phdrs(struct ctx *c)
{
	struct elf_info *in = c->info;
	const Elf64_Ehdr *eh = &in->eh;
	int bad = c->interp ? ELIBBAD : ENOEXEC;

	if (eh->e_phentsize != sizeof(Elf64_Phdr))
		return fail(c, bad, ELF_ERR_EARLY, "e_phentsize is %u, not sizeof(Elf64_Phdr) = %zu",
			    eh->e_phentsize, sizeof(Elf64_Phdr));
	if (eh->e_phnum == 0)
		return fail(c, bad, ELF_ERR_EARLY, "no program headers (e_phnum is 0)");
	uint64_t size = (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr);
	if (size > 65536)
		return fail(c, bad, ELF_ERR_EARLY,
			    "e_phnum %u: more than %zu program headers (64 KiB), Linux's limit",
			    eh->e_phnum, (size_t)ELF_MAX_PHNUM);
	if (eh->e_phoff > c->src->size || size > c->src->size - eh->e_phoff)
		return fail(c, bad, ELF_ERR_EARLY,
			    "program headers at 0x%llx..0x%llx lie outside the file (%llu bytes)",
			    (unsigned long long)eh->e_phoff,
			    (unsigned long long)(eh->e_phoff + size),	/* may wrap: shown as is */
			    (unsigned long long)c->src->size);
	int r = src_read(c->src, eh->e_phoff, in->ph, size);
	if (r < 0)
		return fail(c, bad, ELF_ERR_EARLY, "cannot read the program headers: %s", strerror(-r));
	in->phnum = eh->e_phnum;
	return 0;
}

/* PT_INTERP, as load_elf_binary's first loop over the program headers. */
static int check_interp(struct ctx *c)
{
	struct elf_info *in = c->info;
	if (c->interp) return 0;	/* Linux never looks at an interpreter's PT_INTERP */
	int first = -1;
	for (unsigned i = 0; i < in->phnum; i++) {
		if (in->ph[i].p_type != PT_INTERP) continue;
		if (first >= 0)	/* Linux uses the first and ignores the rest */
			return fail(c, ENOEXEC, ELF_ERR_PERSONA,
				    "more than one PT_INTERP (program headers %d and %u)", first, i);
		first = (int)i;
	}
	if (first < 0) return 0;
	const Elf64_Phdr *p = &in->ph[first];
	if (p->p_filesz > PATH_MAX || p->p_filesz < 2)
		return fail(c, ENOEXEC, ELF_ERR_EARLY,
			    "PT_INTERP is %llu bytes: an interpreter path is 2..%d bytes with its NUL",
			    (unsigned long long)p->p_filesz, PATH_MAX);
	/* elf_read(): a short read is -EIO; an offset past 2^63 is -EINVAL */
	int r = src_read(c->src, p->p_offset, in->interp, p->p_filesz);
	if (r < 0)
		return fail(c, -r, ELF_ERR_EARLY,
			    "PT_INTERP at 0x%llx (+%llu bytes) lies outside the file (%llu bytes)",
			    (unsigned long long)p->p_offset, (unsigned long long)p->p_filesz,
			    (unsigned long long)c->src->size);
	if (in->interp[p->p_filesz - 1] != '\0') {
		in->interp[0] = '\0';
		return fail(c, ENOEXEC, ELF_ERR_EARLY, "PT_INTERP path is not NUL-terminated");
	}
	in->has_interp = true;
	return 0;
}

/* load_elf_interp(): an interpreter that is not ET_EXEC/ET_DYN makes it return ~0UL,
 * which reads as -EPERM after the point of no return; Persona says -ELIBBAD, the
 * errno Linux uses for every other unusable interpreter. */
static int check_interp_type(struct ctx *c)
{
	const Elf64_Ehdr *eh = &c->info->eh;
	if (!c->interp || eh->e_type == ET_EXEC || eh->e_type == ET_DYN) return 0;
	return fail(c, ELIBBAD, ELF_ERR_LATE, "interpreter e_type %#x is not ET_EXEC or ET_DYN%s",
		    eh->e_type, eh->e_type == ET_REL ? " (ET_REL: an object file)" :
				eh->e_type == ET_CORE ? " (ET_CORE: a core dump)" : "");
}

/* PT_LOAD segments. Linux checks these while it maps them (elf_map() and the checks
 * after it), after the point of no return: -EINVAL in load_elf_binary(), -ENOMEM in
 * load_elf_interp() for the address checks. */
static int check_loads(struct ctx *c)
{
	struct elf_info *in = c->info;
	int addr_err = c->interp ? ENOMEM : EINVAL;
	bool any = false;
	for (unsigned i = 0; i < in->phnum; i++) {
		const Elf64_Phdr *p = &in->ph[i];
		if (p->p_type != PT_LOAD) continue;
		any = true;
		if (in->nseg == ELF_MAX_SEGS)
			return fail(c, ENOEXEC, ELF_ERR_PERSONA,
				    "more than %d PT_LOAD segments (Persona's limit)", ELF_MAX_SEGS);
		/* elf_map(): mmap at PAGE_DOWN(vaddr) from p_offset - PAGE_OFF(vaddr); an
		 * offset that is not page-aligned is mmap's -EINVAL. A segment with no file
		 * part is anonymous memory (elf_load(), Linux >= 6.7): no offset to check. */
		if (p->p_filesz && PAGE_OFF(p->p_offset) != PAGE_OFF(p->p_vaddr))
			return fail(c, EINVAL, ELF_ERR_LATE,
				    "PT_LOAD %u: p_offset 0x%llx and p_vaddr 0x%llx differ modulo the page size",
				    i, (unsigned long long)p->p_offset, (unsigned long long)p->p_vaddr);
		/* elf_map()'s mmap of the file range [off, off + size): vm_mmap() says
		 * -EINVAL when it wraps, do_mmap() -EOVERFLOW past 2^63 (file_mmap_ok()) */
		uint64_t moff = p->p_offset - PAGE_OFF(p->p_vaddr);
		uint64_t msize = PAGE_UP(p->p_filesz + PAGE_OFF(p->p_vaddr));
		if (p->p_filesz && msize && moff + msize < moff)
			return fail(c, EINVAL, ELF_ERR_LATE,
				    "PT_LOAD %u: file range 0x%llx+0x%llx wraps around", i,
				    (unsigned long long)p->p_offset, (unsigned long long)p->p_filesz);
		if (p->p_filesz && msize && moff + msize > INT64_MAX)
			return fail(c, EOVERFLOW, ELF_ERR_LATE,
				    "PT_LOAD %u: file range 0x%llx+0x%llx is beyond the largest file offset",
				    i, (unsigned long long)p->p_offset, (unsigned long long)p->p_filesz);
		/* "Check to see if the section's size will overflow the allowed task size" */
		if (p->p_filesz > p->p_memsz)
			return fail(c, addr_err, ELF_ERR_LATE,
				    "PT_LOAD %u: p_filesz 0x%llx is larger than p_memsz 0x%llx", i,
				    (unsigned long long)p->p_filesz, (unsigned long long)p->p_memsz);
		if (p->p_vaddr >= ELF_TASK_SIZE)
			return fail(c, addr_err, ELF_ERR_LATE,
				    "PT_LOAD %u: p_vaddr 0x%llx is beyond the user address space (0x%llx)",
				    i, (unsigned long long)p->p_vaddr, ELF_TASK_SIZE);
		if (p->p_memsz > ELF_TASK_SIZE)
			return fail(c, addr_err, ELF_ERR_LATE,
				    "PT_LOAD %u: p_memsz 0x%llx is larger than the user address space",
				    i, (unsigned long long)p->p_memsz);
		if (ELF_TASK_SIZE - p->p_memsz < p->p_vaddr)
			return fail(c, addr_err, ELF_ERR_LATE,
				    "PT_LOAD %u: 0x%llx + p_memsz 0x%llx ends beyond the user address space (0x%llx)",
				    i, (unsigned long long)p->p_vaddr, (unsigned long long)p->p_memsz,
				    ELF_TASK_SIZE);
		/* Persona's rules. Linux maps a file range past the end of the file (touching
		 * it raises SIGBUS) and maps segments in any order, the later over the earlier;
		 * the gABI says PT_LOAD entries are "sorted on the p_vaddr member". */
		if (p->p_offset > in->file_size || p->p_filesz > in->file_size - p->p_offset)
			return fail(c, ENOEXEC, ELF_ERR_PERSONA,
				    "PT_LOAD %u: file range 0x%llx+0x%llx goes past the end of the file (%llu bytes)",
				    i, (unsigned long long)p->p_offset, (unsigned long long)p->p_filesz,
				    (unsigned long long)in->file_size);
		if (in->nseg) {
			const struct elf_segment *prev = &in->seg[in->nseg - 1];
			if (p->p_vaddr < prev->vaddr)
				return fail(c, ENOEXEC, ELF_ERR_PERSONA,
					    "PT_LOAD %u at 0x%llx comes after PT_LOAD %u at 0x%llx: not ascending",
					    i, (unsigned long long)p->p_vaddr, prev->phidx,
					    (unsigned long long)prev->vaddr);
			if (p->p_vaddr < prev->vaddr + prev->memsz)
				return fail(c, ENOEXEC, ELF_ERR_PERSONA,
					    "PT_LOAD %u at 0x%llx overlaps PT_LOAD %u (0x%llx..0x%llx)",
					    i, (unsigned long long)p->p_vaddr, prev->phidx,
					    (unsigned long long)prev->vaddr,
					    (unsigned long long)(prev->vaddr + prev->memsz));
		}
		struct elf_segment *s = &in->seg[in->nseg++];
		s->vaddr = p->p_vaddr;
		s->memsz = p->p_memsz;
		s->filesz = p->p_filesz;
		s->offset = p->p_offset;
		s->align = p->p_align;
		s->prot = prot_of(p->p_flags);
		s->phidx = i;
		if (is_pow2(p->p_align) && p->p_align > in->load_align) in->load_align = p->p_align;
	}
	if (!any) {
		/* load_elf_interp(): total_mapping_size() == 0 is -EINVAL. An executable
		 * without PT_LOAD is run by Linux with nothing mapped: it faults at once. */
		if (c->interp)
			return fail(c, EINVAL, ELF_ERR_LATE, "interpreter has no PT_LOAD segment");
		return fail(c, ENOEXEC, ELF_ERR_PERSONA, "no PT_LOAD segment: nothing to map");
	}
	in->lo = PAGE_DOWN(in->seg[0].vaddr);
	const struct elf_segment *last = &in->seg[in->nseg - 1];
	in->hi = last->vaddr + last->memsz;
	return 0;
}

/* PT_GNU_STACK, PT_TLS, PT_DYNAMIC, PT_PHDR; AT_PHDR's address. */
static void note_others(struct elf_info *in)
{
	bool have_phdr_seg = false, have_pt_phdr = false;
	uint64_t pt_phdr = 0;
	for (unsigned i = 0; i < in->phnum; i++) {
		const Elf64_Phdr *p = &in->ph[i];
		switch (p->p_type) {
		case PT_GNU_STACK:	/* load_elf_binary: the last one wins */
			in->has_gnu_stack = true;
			in->exec_stack = p->p_flags & PF_X;
			break;
		case PT_TLS:
			if (!in->tls_memsz && !in->tls_align) {
				in->tls_memsz = p->p_memsz;
				in->tls_align = p->p_align;
			}
			break;
		case PT_DYNAMIC:
			if (!in->dynamic_vaddr) in->dynamic_vaddr = p->p_vaddr;
			break;
		case PT_PHDR:
			if (!have_pt_phdr) pt_phdr = p->p_vaddr;
			have_pt_phdr = true;
			break;
		case PT_LOAD:
			/* "Figure out which segment in the file contains the Program Header
			 * table": the last PT_LOAD covering e_phoff, as in Linux's loop */
			if (p->p_offset <= in->eh.e_phoff &&
			    in->eh.e_phoff - p->p_offset < p->p_filesz) {
				in->phdr_vaddr = in->eh.e_phoff - p->p_offset + p->p_vaddr;
				have_phdr_seg = true;
			}
			break;
		}
	}
	if (!have_phdr_seg && have_pt_phdr) in->phdr_vaddr = pt_phdr;
	in->phdr_mapped = have_phdr_seg || have_pt_phdr;
}

static int parse(const struct src *src, bool interp, struct elf_info *info, char *why,
		 unsigned whylen)
{
	memset(info, 0, sizeof *info);
	if (why && whylen) why[0] = '\0';
	info->file_size = src->size;
	info->load_align = ELF_PAGE;
	struct ctx c = { .src = src, .info = info, .why = why, .whylen = whylen, .interp = interp };
	int r = check_header(&c);
	if (!r) r = read_phdrs(&c);
	if (!r) r = check_interp(&c);
	if (!r) r = check_interp_type(&c);
	if (!r) r = check_loads(&c);
	if (r) return r;
	info->is_dyn = info->eh.e_type == ET_DYN;
	info->entry = info->eh.e_entry;
	/* BAD_ADDR(elf_entry) after the mapping: -EINVAL. For ET_DYN the bias is added
	 * first; an entry at or above TASK_SIZE is bad under any bias. */
	if (info->entry >= ELF_TASK_SIZE)
		return fail(&c, EINVAL, ELF_ERR_LATE, "e_entry 0x%llx is beyond the user address space",
			    (unsigned long long)info->entry);
	note_others(info);
	info->err_stage = ELF_OK;
	return 0;
}

static int parse_fd(int fd, bool interp, struct elf_info *info, char *why, unsigned whylen)
{
	struct stat st;
	if (fstat(fd, &st) < 0) {
		int e = errno;
		memset(info, 0, sizeof *info);
		info->err_stage = ELF_ERR_EARLY;
		if (why && whylen) snprintf(why, whylen, "cannot stat: %s", strerror(e));
		return -e;
	}
	if (!S_ISREG(st.st_mode)) {
		/* do_open_execat(): only regular files are executed */
		memset(info, 0, sizeof *info);
		info->err_stage = ELF_ERR_EARLY;
		if (why && whylen)
			snprintf(why, whylen, "not a regular file (%s)",
				 S_ISDIR(st.st_mode) ? "a directory" : "a device, pipe or socket");
		return -EACCES;
	}
	struct src s = { .mem = NULL, .fd = fd, .size = (uint64_t)st.st_size };
	return parse(&s, interp, info, why, whylen);
}

int elf_parse(int fd, struct elf_info *info, char *why, unsigned whylen)
{
	return parse_fd(fd, false, info, why, whylen);
}

int elf_parse_interp(int fd, struct elf_info *info, char *why, unsigned whylen)
{
	return parse_fd(fd, true, info, why, whylen);
}

int elf_parse_mem(const void *buf, uint64_t len, struct elf_info *info, char *why, unsigned whylen)
{
	struct src s = { .mem = buf, .fd = -1, .size = buf ? len : 0 };
	return parse(&s, false, info, why, whylen);
}

int elf_parse_interp_mem(const void *buf, uint64_t len, struct elf_info *info, char *why,
			 unsigned whylen)
{
	struct src s = { .mem = buf, .fd = -1, .size = buf ? len : 0 };
	return parse(&s, true, info, why, whylen);
}
