/* loader/dynamic.h - an ELF64 object's dynamic section (PT_DYNAMIC), read from the
 * file: what glibc's dynamic loader looks at to find the object's dependencies.
 *
 * The dynamic section and the string table are found by their virtual addresses
 * (PT_DYNAMIC's p_vaddr, DT_STRTAB's d_ptr), which elf_vaddr_to_offset() translates
 * to file offsets through the PT_LOAD segments, as they would be seen once mapped.
 * Everything is checked before use: a range that is not inside the file part of one
 * PT_LOAD segment, a missing DT_NULL terminator, a missing string table, a string
 * offset past DT_STRSZ or a string without its NUL all give -ENOEXEC and a one-line
 * reason; nothing is read outside the file.
 *
 * Where a tag appears twice the last one counts, as in ld.so's elf_get_dynamic_info();
 * DT_NEEDED entries are all kept, in order. The DT_RPATH/DT_RUNPATH precedence (an
 * object with DT_RUNPATH has its DT_RPATH ignored) is the caller's: both are
 * reported as found.
 *
 * Thread: any (no global state). */
#ifndef PERSONA_LOADER_DYNAMIC_H
#define PERSONA_LOADER_DYNAMIC_H
#include <elf.h>
#include <stdbool.h>
#include <stdint.h>
#include "loader/elf.h"

#define ELF_DYN_MAX_ENTRIES	65536		/* real objects have 20-60 */
#define ELF_DYN_MAX_STRSZ	(256u << 20)	/* an absurd DT_STRSZ is a bad file */

struct elf_dynamic {
	Elf64_Dyn *dyn;			/* the entries before DT_NULL (a copy) */
	unsigned ndyn;
	char *strtab;			/* DT_STRSZ bytes at DT_STRTAB (a copy), NULL if none */
	uint64_t strsz;
	uint64_t strtab_vaddr;		/* DT_STRTAB's d_ptr */
	const char **needed;		/* the DT_NEEDED names, in order (into strtab) */
	unsigned nneeded;
	const char *soname;		/* DT_SONAME, DT_RPATH, DT_RUNPATH: NULL when absent */
	const char *rpath;
	const char *runpath;
	uint64_t flags, flags_1;	/* DT_FLAGS, DT_FLAGS_1 (DF_1_NODEFLIB, DF_1_PIE) */
	uint64_t dynamic_vaddr;		/* PT_DYNAMIC's p_vaddr and file offset */
	uint64_t dynamic_offset;
};

/* The file offset of the len bytes at vaddr: they must all lie in the file part
 * (p_filesz) of one PT_LOAD segment. 0, or -ENOEXEC. */
int elf_vaddr_to_offset(const struct elf_info *info, uint64_t vaddr, uint64_t len,
			uint64_t *off);

/* Reads the dynamic section of the object open at fd (info from elf_parse() of the
 * same file). 0; -ENOENT when there is no PT_DYNAMIC with file contents (a static
 * program; dyn is then empty); -ENOEXEC for a malformed section; -ENOMEM, or -EIO /
 * pread's errno. why[whylen] gets a one-line reason. *dyn needs elf_dynamic_free()
 * after a 0 return (and is safe to free after any return). */
int elf_dynamic_read(int fd, const struct elf_info *info, struct elf_dynamic *dyn, char *why,
		     unsigned whylen);
/* Same, from memory: buf of len bytes is the file. */
int elf_dynamic_read_mem(const void *buf, uint64_t len, const struct elf_info *info,
			 struct elf_dynamic *dyn, char *why, unsigned whylen);
void elf_dynamic_free(struct elf_dynamic *dyn);
#endif
