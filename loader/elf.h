/* loader/elf.h - ELF64 parsing for the user-space loader.
 *
 * elf_parse() reads an executable's header and program headers from a file
 * descriptor and validates every field before anything uses it, the way Linux's
 * load_elf_binary() and its helpers do (binfmt_elf.c): magic, class, data encoding,
 * version, machine (x86-64), type (ET_EXEC or ET_DYN), program header size, count
 * and placement inside the file, PT_LOAD segments (p_filesz <= p_memsz, p_offset
 * and p_vaddr congruent modulo the page size, inside the file, not overlapping,
 * ascending, no address overflow, every segment below the user address space), at
 * most one PT_INTERP whose path is inside the file, NUL-terminated and at most
 * PATH_MAX bytes, PT_GNU_STACK flags, PT_TLS, PT_DYNAMIC, PT_PHDR. A bad file gets
 * the errno Linux's execve gives for that case: -ENOEXEC for most, -EIO for a
 * PT_INTERP outside the file, -EINVAL for segments Linux rejects only while mapping
 * them; elf_parse_interp() parses the file named by PT_INTERP with the errnos Linux
 * gives for an interpreter (-ELIBBAD for a non-ELF or wrong-machine interpreter, -EIO
 * for one shorter than an ELF header, -ENOMEM for a segment beyond the user address
 * space). Every check, its errno and where Linux makes it: docs/loader.md. A one-line
 * reason goes to `why` for --debug=loader and `persona elf`, and info->err_stage says
 * whether Linux's execve would have returned that errno or failed later.
 *
 * struct elf_info is about 70 KiB (Linux accepts 1170 program headers): keep it
 * static or on the heap in threads with small stacks.
 *
 * Thread: any (no global state). */
#ifndef PERSONA_LOADER_ELF_H
#define PERSONA_LOADER_ELF_H
#include <elf.h>
#include <stdbool.h>
#include <stdint.h>
#include <limits.h>

/* Linux accepts program header tables up to 64 KiB (load_elf_phdrs): 1170 entries. */
#define ELF_MAX_PHNUM	(65536 / sizeof(Elf64_Phdr))
#define ELF_MAX_SEGS	32		/* PT_LOAD segments: Persona's limit (real programs have 2-5) */
#define ELF_PAGE	4096ULL		/* ELF_MIN_ALIGN on x86-64 */
/* x86-64 with 4-level page tables: TASK_SIZE = DEFAULT_MAP_WINDOW = 2^47 - one page. */
#define ELF_TASK_SIZE	0x7ffffffff000ULL
/* Where Linux puts a PIE program (ET_DYN with PT_INTERP) before randomization:
 * arch/x86/include/asm/elf.h, DEFAULT_MAP_WINDOW / 3 * 2 = 0x555555554aaa. */
#define ELF_ET_DYN_BASE	(ELF_TASK_SIZE / 3 * 2)

/* Which way Linux's execve would have reported the error elf_parse found. */
enum elf_err_stage {
	ELF_OK = 0,
	ELF_ERR_EARLY,		/* execve returns the errno (before the point of no return) */
	ELF_ERR_LATE,		/* Linux finds it after the point of no return: the errno is
				 * Linux's internal one and the process dies of SIGSEGV */
	ELF_ERR_PERSONA,	/* Persona's own rule; Linux would run the file (and it
				 * would typically fault) */
};

struct elf_segment {
	uint64_t vaddr, memsz, filesz, offset, align;
	unsigned prot;			/* PROT_READ|PROT_WRITE|PROT_EXEC from p_flags */
	unsigned phidx;			/* index in ph[] */
};

struct elf_info {
	Elf64_Ehdr eh;
	Elf64_Phdr ph[ELF_MAX_PHNUM];
	unsigned phnum;
	struct elf_segment seg[ELF_MAX_SEGS];	/* the PT_LOAD segments, ascending */
	unsigned nseg;
	bool is_dyn;			/* ET_DYN: position independent, needs a load bias */
	bool has_interp;
	char interp[PATH_MAX];		/* PT_INTERP path */
	bool has_gnu_stack;
	bool exec_stack;		/* PT_GNU_STACK with PF_X; without PT_GNU_STACK false: the
					 * x86-64 default since Linux 5.8 (no READ_IMPLIES_EXEC) */
	uint64_t phdr_vaddr;		/* where the program headers are in memory (AT_PHDR - bias):
					 * as Linux >= 5.18, inside the PT_LOAD whose file range
					 * covers e_phoff; else PT_PHDR's p_vaddr */
	bool phdr_mapped;		/* phdr_vaddr found */
	uint64_t tls_memsz, tls_align;	/* PT_TLS, 0 when none */
	uint64_t dynamic_vaddr;		/* PT_DYNAMIC, 0 when none */
	uint64_t lo, hi;		/* span of the PT_LOAD segments: page-aligned lo, end of hi */
	uint64_t load_align;		/* largest power-of-2 PT_LOAD p_align, at least ELF_PAGE
					 * (Linux's maximum_alignment(): aligns an ET_DYN bias) */
	uint64_t entry;			/* e_entry (before the bias) */
	uint64_t file_size;
	enum elf_err_stage err_stage;	/* on error */
};

/* Parses the ELF file open at fd. 0, or -errno with a reason in why[whylen]. */
int elf_parse(int fd, struct elf_info *info, char *why, unsigned whylen);
/* Same, from memory (for the fuzzer and unit tests): buf of len bytes is the file. */
int elf_parse_mem(const void *buf, uint64_t len, struct elf_info *info, char *why, unsigned whylen);
/* The same checks for a program interpreter (the file PT_INTERP names), with the
 * errnos Linux gives for one (load_elf_binary's interpreter checks, load_elf_interp);
 * its own PT_INTERP is ignored, as Linux does. */
int elf_parse_interp(int fd, struct elf_info *info, char *why, unsigned whylen);
int elf_parse_interp_mem(const void *buf, uint64_t len, struct elf_info *info, char *why,
			 unsigned whylen);
#endif
