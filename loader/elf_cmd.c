/* loader/elf_cmd.c - `persona elf PROGRAM`.
 *
 * Prints the three pictures of an ELF executable: the ELF header, the program
 * header table, and the address space execve would build from it, laid out like
 * /proc/PID/maps: each PT_LOAD's pages with their protection and the file range they
 * map, the .bss tail as anonymous zero-filled memory, where the brk (heap) starts,
 * the interpreter in the mmap area, and the stack (executable or not, from
 * PT_GNU_STACK). Addresses for position-independent files are a sample: the ones
 * Linux picks with ASLR off; under ASLR they move, and the output says by how much. */
#include "loader/elf_cmd.h"
#include "loader/elf.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#define PAGE_DOWN(v)	((v) & ~(ELF_PAGE - 1))
#define PAGE_UP(v)	(((v) + ELF_PAGE - 1) & ~(ELF_PAGE - 1))
#define MiB		(1024ULL * 1024)

static const char *type_name(uint16_t t)
{
	switch (t) {
	case ET_NONE: return "ET_NONE";
	case ET_REL: return "ET_REL";
	case ET_EXEC: return "ET_EXEC";
	case ET_DYN: return "ET_DYN";
	case ET_CORE: return "ET_CORE";
	}
	return "?";
}

static const char *ptype_name(uint32_t t, char *buf, size_t n)
{
	switch (t) {
	case PT_NULL: return "NULL";
	case PT_LOAD: return "LOAD";
	case PT_DYNAMIC: return "DYNAMIC";
	case PT_INTERP: return "INTERP";
	case PT_NOTE: return "NOTE";
	case PT_SHLIB: return "SHLIB";
	case PT_PHDR: return "PHDR";
	case PT_TLS: return "TLS";
	case PT_GNU_EH_FRAME: return "GNU_EH_FRAME";
	case PT_GNU_STACK: return "GNU_STACK";
	case PT_GNU_RELRO: return "GNU_RELRO";
	case PT_GNU_PROPERTY: return "GNU_PROPERTY";
	case 0x6474e554: return "GNU_SFRAME";
	}
	snprintf(buf, n, "%#x", t);
	return buf;
}

static const char *flags_str(uint32_t f, char buf[4])
{
	buf[0] = f & PF_R ? 'r' : '-';
	buf[1] = f & PF_W ? 'w' : '-';
	buf[2] = f & PF_X ? 'x' : '-';
	buf[3] = '\0';
	return buf;
}

static const char *prot_str(unsigned p, char buf[5])
{
	buf[0] = p & PROT_READ ? 'r' : '-';
	buf[1] = p & PROT_WRITE ? 'w' : '-';
	buf[2] = p & PROT_EXEC ? 'x' : '-';
	buf[3] = 'p';		/* MAP_PRIVATE, as /proc/PID/maps shows it */
	buf[4] = '\0';
	return buf;
}

/* What a segment usually holds, from its protection (the seed's maps picture). */
static const char *seg_role(const struct elf_segment *s)
{
	switch (s->prot) {
	case PROT_READ | PROT_EXEC: return "code (.text)";
	case PROT_READ: return s->offset == 0 ? "ELF header, program headers, read-only data"
					      : "read-only data (.rodata)";
	case PROT_READ | PROT_WRITE: return "data (.data, .got)";
	case PROT_READ | PROT_WRITE | PROT_EXEC: return "code and data (writable AND executable)";
	case 0: return "no access (a reserved gap)";
	}
	return "segment";
}

static void hx(char *b, size_t n, uint64_t v) { snprintf(b, n, "0x%llx", (unsigned long long)v); }

/* Finds PROGRAM as execvp would (a name without '/' is looked up in PATH). */
static const char *resolve(const char *name, char *buf, size_t n)
{
	if (strchr(name, '/')) return name;
	const char *path = getenv("PATH");
	if (!path) path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		const char *colon = strchr(path, ':');
		size_t len = colon ? (size_t)(colon - path) : strlen(path);
		snprintf(buf, n, "%.*s%s%s", (int)len, path, len ? "/" : "", name);
		struct stat st;
		if (stat(buf, &st) == 0 && S_ISREG(st.st_mode) && access(buf, X_OK) == 0) return buf;
		if (!colon) break;
		path = colon + 1;
	}
	return name;
}

static const char *stage_note(enum elf_err_stage st, int err)
{
	static char b[160];
	switch (st) {
	case ELF_ERR_EARLY:
		snprintf(b, sizeof b, "execve fails with %s", strerrorname_np(err));
		return b;
	case ELF_ERR_LATE:
		snprintf(b, sizeof b, "Linux finds this after the point of no return (%s inside) "
			 "and kills the process with SIGSEGV", strerrorname_np(err));
		return b;
	case ELF_ERR_PERSONA:
		snprintf(b, sizeof b, "Persona's rule (%s); Linux would start it", strerrorname_np(err));
		return b;
	case ELF_OK: break;
	}
	return "";
}

static int open_parse(const char *path, bool interp, struct elf_info *in, char *why, size_t whylen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		snprintf(why, whylen, "%s", strerror(e));
		in->err_stage = ELF_ERR_EARLY;
		return -e;
	}
	int r = interp ? elf_parse_interp(fd, in, why, (unsigned)whylen)
		       : elf_parse(fd, in, why, (unsigned)whylen);
	close(fd);
	return r;
}

static void print_header(const struct elf_info *in)
{
	const Elf64_Ehdr *eh = &in->eh;
	printf("ELF header\n");
	printf("  %-10s %02x %02x %02x %02x  (\\177ELF)\n", "magic", eh->e_ident[0], eh->e_ident[1],
	       eh->e_ident[2], eh->e_ident[3]);
	printf("  %-10s ELF64\n", "class");
	printf("  %-10s little-endian (ELFDATA2LSB)\n", "data");
	printf("  %-10s %u (EV_CURRENT)\n", "version", eh->e_version);
	printf("  %-10s %u%s\n", "OS/ABI", eh->e_ident[EI_OSABI],
	       eh->e_ident[EI_OSABI] == ELFOSABI_SYSV ? " (System V)" :
	       eh->e_ident[EI_OSABI] == ELFOSABI_GNU ? " (GNU/Linux)" : "");
	const char *kind = eh->e_type == ET_EXEC ? "executable at fixed addresses"
			 : in->has_interp ? "position-independent executable (PIE): needs a load bias"
			 : "position-independent, no interpreter (static-pie or a dynamic linker)";
	printf("  %-10s %s: %s\n", "type", type_name(eh->e_type), kind);
	printf("  %-10s x86-64 (EM_X86_64 = %u)\n", "machine", eh->e_machine);
	printf("  %-10s 0x%llx\n", "entry", (unsigned long long)eh->e_entry);
	printf("  %-10s %llu (0x%llx), phentsize %u, phnum %u\n", "phoff",
	       (unsigned long long)eh->e_phoff, (unsigned long long)eh->e_phoff, eh->e_phentsize,
	       eh->e_phnum);
	printf("  %-10s %llu, shentsize %u, shnum %u (sections: for linkers, unused by execve)\n",
	       "shoff", (unsigned long long)eh->e_shoff,
	       eh->e_shentsize, eh->e_shnum);
}

static void print_phdrs(const struct elf_info *in)
{
	printf("\nProgram headers (%u): what execve reads\n", in->phnum);
	printf("  %-3s %-13s %-10s %-18s %-10s %-10s %-5s %s\n", "#", "type", "offset", "vaddr",
	       "filesz", "memsz", "flags", "align");
	for (unsigned i = 0; i < in->phnum; i++) {
		const Elf64_Phdr *p = &in->ph[i];
		char tb[16], off[24], va[24], fs[24], ms[24], al[24], fl[4];
		hx(off, sizeof off, p->p_offset);
		snprintf(va, sizeof va, "0x%012llx", (unsigned long long)p->p_vaddr);
		hx(fs, sizeof fs, p->p_filesz);
		hx(ms, sizeof ms, p->p_memsz);
		hx(al, sizeof al, p->p_align);
		printf("  %-3u %-13s %-10s %-18s %-10s %-10s %-5s %s", i,
		       ptype_name(p->p_type, tb, sizeof tb), off, va, fs, ms, flags_str(p->p_flags, fl), al);
		if (p->p_type == PT_INTERP && in->has_interp) printf("  [%s]", in->interp);
		if (p->p_type == PT_GNU_STACK) printf("  stack %sexecutable", p->p_flags & PF_X ? "" : "not ");
		if (p->p_type == PT_LOAD && p->p_memsz > p->p_filesz) printf("  .bss 0x%llx",
			(unsigned long long)(p->p_memsz - p->p_filesz));
		if (p->p_type == PT_GNU_RELRO) printf("  made read-only after relocation");
		printf("\n");
	}
}

/* One row of the address-space picture, /proc/PID/maps style. */
static void row(uint64_t start, uint64_t end, const char *perm, uint64_t off, const char *backing,
		const char *what)
{
	char range[40], offs[20];
	if (end) snprintf(range, sizeof range, "%012llx-%012llx", (unsigned long long)start,
			  (unsigned long long)end);
	else snprintf(range, sizeof range, "%012llx", (unsigned long long)start);
	if (backing[0] == 'f') snprintf(offs, sizeof offs, "%08llx", (unsigned long long)off);
	else snprintf(offs, sizeof offs, "%08x", 0);
	printf("  %-25s %-4s %-8s %-7s %s\n", range, perm, perm[0] ? offs : "", backing, what);
}

/* A continuation line under the last row. */
static void note(const char *what) { printf("  %-25s %-4s %-8s %-7s %s\n", "", "", "", "", what); }

/* The PT_LOAD segments of one image at bias, as execve maps them. */
static void print_segments(const struct elf_info *in, uint64_t bias, const char *name)
{
	uint64_t prev_end = 0;
	for (unsigned i = 0; i < in->nseg; i++) {
		const struct elf_segment *s = &in->seg[i];
		char perm[5], what[200];
		uint64_t va = bias + s->vaddr, start = PAGE_DOWN(va);
		uint64_t fend = va + s->filesz, mend = va + s->memsz;
		prot_str(s->prot, perm);
		if (i && start < prev_end) {
			snprintf(what, sizeof what, "(LOAD %u shares a page with the one before: "
				 "mapped over it)", s->phidx);
			note(what);
		}
		if (s->filesz) {
			snprintf(what, sizeof what, "%sLOAD %u: file 0x%llx-0x%llx: %s", name, s->phidx,
				 (unsigned long long)s->offset,
				 (unsigned long long)(s->offset + s->filesz), seg_role(s));
			row(start, PAGE_UP(fend), perm, PAGE_DOWN(s->offset), "file", what);
			if (s->memsz > s->filesz && PAGE_UP(fend) != fend) {
				snprintf(what, sizeof what, "  .bss from 0x%llx: the rest of this page "
					 "(0x%llx bytes) zeroed", (unsigned long long)fend,
					 (unsigned long long)((PAGE_UP(fend) < mend ? PAGE_UP(fend) : mend) - fend));
				note(what);
			}
		}
		uint64_t astart = s->filesz ? PAGE_UP(fend) : start;
		if (PAGE_UP(mend) > astart) {
			snprintf(what, sizeof what, "%sLOAD %u: .bss, zero-filled (memsz 0x%llx > filesz "
				 "0x%llx)", name, s->phidx, (unsigned long long)s->memsz,
				 (unsigned long long)s->filesz);
			row(astart, PAGE_UP(mend), perm, 0, "anon", what);
		}
		for (unsigned k = 0; k < in->phnum; k++) {
			const Elf64_Phdr *p = &in->ph[k];
			if (p->p_type != PT_GNU_RELRO || p->p_vaddr < s->vaddr ||
			    p->p_vaddr - s->vaddr >= s->memsz)
				continue;
			snprintf(what, sizeof what, "  0x%llx-0x%llx: read-only after relocation "
				 "(PT_GNU_RELRO)", (unsigned long long)PAGE_DOWN(bias + p->p_vaddr),
				 (unsigned long long)PAGE_DOWN(bias + p->p_vaddr + p->p_memsz));
			note(what);
		}
		prev_end = PAGE_UP(mend);
	}
}

/* Linux's mmap_base() for the top-down layout, without randomization. */
static uint64_t mmap_base_sample(bool *legacy)
{
	struct rlimit rl = { 8 * MiB, RLIM_INFINITY };
	getrlimit(RLIMIT_STACK, &rl);
	*legacy = rl.rlim_cur == RLIM_INFINITY;
	if (*legacy) return PAGE_UP(ELF_TASK_SIZE / 3);		/* TASK_UNMAPPED_BASE, bottom-up */
	uint64_t gap = (uint64_t)rl.rlim_cur + 256 * ELF_PAGE;	/* + stack_guard_gap */
	if (gap < 128 * MiB) gap = 128 * MiB;
	if (gap > ELF_TASK_SIZE / 6 * 5) gap = ELF_TASK_SIZE / 6 * 5;
	return PAGE_DOWN(ELF_TASK_SIZE - gap);
}

/* The bias of an ET_DYN image placed in the mmap area, as its first mmap would be. */
static uint64_t mmap_area_bias(const struct elf_info *in, uint64_t *below, bool legacy, bool align)
{
	uint64_t span = PAGE_UP(in->hi - in->lo);
	uint64_t a = ELF_PAGE;
	if (align && in->load_align > ELF_PAGE) a = in->load_align;
	uint64_t addr = legacy ? (*below + a - 1) & ~(a - 1) : (*below - span) & ~(a - 1);
	*below = legacy ? addr + span : addr;
	return addr - in->lo;
}

static const struct elf_segment *seg_of(const struct elf_info *in, uint64_t vaddr)
{
	for (unsigned i = 0; i < in->nseg; i++)
		if (vaddr >= in->seg[i].vaddr && vaddr - in->seg[i].vaddr < in->seg[i].memsz)
			return &in->seg[i];
	return NULL;
}

static void print_entry(const char *label, const struct elf_info *in, uint64_t bias)
{
	const struct elf_segment *s = seg_of(in, in->entry);
	char perm[5];
	printf("  %-10s 0x%llx", label, (unsigned long long)(bias + in->entry));
	if (!s) printf("  not inside any PT_LOAD: the first instruction would fault\n");
	else if (!(s->prot & PROT_EXEC))
		printf("  in LOAD %u, which is not executable: the first instruction would fault\n", s->phidx);
	else {
		prot_str(s->prot, perm);
		perm[3] = '\0';
		printf("  (in LOAD %u, %s)\n", s->phidx, perm);
	}
}

int elf_cmd_main(int argc, char **argv)
{
	if (argc != 2 || argv[1][0] == '-') {
		if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
			printf("usage: persona elf PROGRAM\n");
			return 0;
		}
		fprintf(stderr, "usage: persona elf PROGRAM\n");
		return 2;
	}
	char pbuf[PATH_MAX], why[256];
	const char *path = resolve(argv[1], pbuf, sizeof pbuf);
	static struct elf_info in, ii;	/* ~70 KiB each */
	int r = open_parse(path, false, &in, why, sizeof why);
	if (r < 0) {
		fprintf(stderr, "persona elf: %s: %s [%s: %s]\n", path, why, strerrorname_np(-r),
			stage_note(in.err_stage, -r));
		return 1;
	}

	printf("%s: ELF64 x86-64 %s, %llu bytes\n\n", path,
	       in.eh.e_type == ET_EXEC ? (in.has_interp ? "executable, dynamically linked"
							: "executable, statically linked")
	       : in.has_interp ? "PIE executable, dynamically linked"
	       : "position-independent, no interpreter",
	       (unsigned long long)in.file_size);
	print_header(&in);
	print_phdrs(&in);

	/* The layout. */
	bool legacy;
	uint64_t mmap_next = mmap_base_sample(&legacy), mmap_base = mmap_next;
	uint64_t bias = 0;
	printf("\nAddress space: where execve puts it\n");
	if (!in.is_dyn) {
		printf("  ET_EXEC: every segment at its own p_vaddr (load bias 0), the same in every run.\n");
	} else if (in.has_interp) {
		uint64_t b = ELF_ET_DYN_BASE & ~(in.load_align - 1);
		bias = PAGE_DOWN(b - in.seg[0].vaddr);
		printf("  ET_DYN with PT_INTERP, a PIE program: Linux places it at ELF_ET_DYN_BASE = 2/3 of\n"
		       "  TASK_SIZE (0x%llx = 0x%llx * 2/3)%s. Load bias 0x%llx here is the\n"
		       "  one with ASLR off; with ASLR (randomize_va_space >= 1) Linux adds a random\n"
		       "  page multiple of up to 1 TiB (28 bits), so the bias differs in every run.\n",
		       (unsigned long long)ELF_ET_DYN_BASE, ELF_TASK_SIZE,
		       in.load_align > ELF_PAGE ? ", aligned down to the largest p_align" : "",
		       (unsigned long long)bias);
	} else {
		bias = mmap_area_bias(&in, &mmap_next, legacy, true);
		printf("  ET_DYN without PT_INTERP (static-pie, or a dynamic linker run directly): load\n"
		       "  bias 0 and no MAP_FIXED, so it lands in the mmap area, %s mmap_base 0x%llx\n"
		       "  (TASK_SIZE minus the stack's gap, ASLR off). Load bias 0x%llx here; with ASLR\n"
		       "  mmap_base moves down by a random page multiple of up to 1 TiB.\n",
		       legacy ? "upward from" : "just below", (unsigned long long)mmap_base,
		       (unsigned long long)bias);
	}
	static char what[PATH_MAX + 512];
	bool direct_dyn = in.is_dyn && !in.has_interp;
	printf("\n  %-25s %-4s %-8s %-7s %s\n", "address range", "perm", "offset", "backing", "what");
	if (direct_dyn) {
		/* Linux 6.x moves the brk of a directly run ET_DYN out of the mmap area (where
		 * it would soon meet the stack) to ELF_ET_DYN_BASE, with ASLR or without. */
		row(PAGE_UP(ELF_ET_DYN_BASE), 0, "", 0, "", "[heap] brk start: ELF_ET_DYN_BASE, away from "
		    "the mmap area (ASLR=2: + 0..32 MiB)");
	}
	print_segments(&in, bias, "");
	if (!direct_dyn) {
		snprintf(what, sizeof what, "[heap] brk start = page_up(0x%llx), the image's end "
			 "(ASLR=2: +4 KiB +0..32 MiB)", (unsigned long long)(bias + in.hi));
		row(PAGE_UP(bias + in.hi), 0, "", 0, "", what);
	}

	int ir = 0;
	uint64_t ibias = 0;
	if (in.has_interp) {
		char iwhy[256];
		ir = open_parse(in.interp, true, &ii, iwhy, sizeof iwhy);
		if (ir < 0) {
			snprintf(what, sizeof what, "interpreter %s: %s [%s: %s]", in.interp, iwhy,
				 strerrorname_np(-ir), stage_note(ii.err_stage, -ir));
			row(mmap_base, 0, "", 0, "", what);
		} else {
			ibias = mmap_area_bias(&ii, &mmap_next, legacy, false);
			snprintf(what, sizeof what, "mmap_base = %s (ASLR: 0..1 TiB %s); interpreter %s",
				 legacy ? "TASK_SIZE / 3, legacy layout" : "TASK_SIZE - stack gap",
				 legacy ? "higher" : "lower", legacy ? "above" : "below");
			row(mmap_base, 0, "", 0, "", what);
			snprintf(what, sizeof what, "interpreter %s, load bias 0x%llx:",
				 in.interp, (unsigned long long)ibias);
			note(what);
			print_segments(&ii, ibias, "interp ");
		}
	}
	note("[vvar] [vdso]: mapped by the kernel in the mmap area, after the image");
	uint64_t stack_top = ELF_TASK_SIZE, stack_lo = stack_top - 132 * 1024;
	snprintf(what, sizeof what, "[stack] %s (%s); ASLR: top 0..16 GiB lower",
		 in.exec_stack ? "EXECUTABLE" : "not executable",
		 in.has_gnu_stack ? (in.exec_stack ? "PT_GNU_STACK rwx" : "PT_GNU_STACK rw-")
				  : "no PT_GNU_STACK: the x86-64 default");
	row(stack_lo, stack_top, in.exec_stack ? "rwxp" : "rw-p", 0, "anon", what);

	printf("\nStart\n");
	print_entry("AT_ENTRY", &in, bias);
	if (in.has_interp && ir == 0) print_entry("first insn", &ii, ibias);
	else printf("  %-10s the program's entry (no interpreter)\n", "first insn");
	if (in.phdr_mapped)
		printf("  %-10s 0x%llx (program headers in memory), AT_PHENT 56, AT_PHNUM %u\n", "AT_PHDR",
		       (unsigned long long)(bias + in.phdr_vaddr), in.phnum);
	else
		printf("  %-10s not mapped by any PT_LOAD (AT_PHNUM %u)\n", "AT_PHDR", in.phnum);
	printf("  %-10s 0x%llx\n", "AT_BASE", (unsigned long long)(in.has_interp ? ibias : 0));
	if (in.tls_memsz || in.tls_align)
		printf("  %-10s PT_TLS: 0x%llx bytes per thread, align 0x%llx (set up by libc, not execve)\n",
		       "TLS", (unsigned long long)in.tls_memsz, (unsigned long long)in.tls_align);
	return 0;
}
