/* tests/unit/test_elf.c - loader/elf: the ELF64 parser.
 *
 * Good files built in memory (static ET_EXEC, a PIE with PT_INTERP, static-pie, and
 * edge cases that are valid) parse with the right facts; each bad case gets its exact
 * errno and stage; real files on the machine (/bin/true, /bin/busybox, ld-linux)
 * parse; and the host kernel agrees: each bad case written to a file and execve'd
 * fails with the same errno when Linux finds it before the point of no return, kills
 * the process when Linux finds it later, and starts it when the rule is Persona's own.
 * Crashes the fuzzer found become cases here (see tests/fuzz/). */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "loader/elf.h"
#include "loader/elf_cmd.h"
#include "tests/unit/elf_build.h"
#include "tests/unit/unit.h"

static struct img M, I;			/* the image under test, an interpreter image */
static struct elf_info info;
static char why[256];
static char interp_path[PATH_MAX] = "/lib64/ld-linux-x86-64.so.2";

static int parse(struct img *m) { return elf_parse_mem(m->buf, m->len, &info, why, sizeof why); }
static int parse_interp(struct img *m)
{
	return elf_parse_interp_mem(m->buf, m->len, &info, why, sizeof why);
}

/* ---- good files ---- */

START_TEST(good_static_exec)
{
	img_exec(&M, 0);
	ck_assert_int_eq(parse(&M), 0);
	ck_assert_int_eq(info.err_stage, ELF_OK);
	ck_assert_str_eq(why, "");
	ck_assert(!info.is_dyn);
	ck_assert(!info.has_interp);
	ck_assert_uint_eq(info.phnum, 3);
	ck_assert_uint_eq(info.nseg, 2);
	ck_assert_uint_eq(info.seg[0].vaddr, IMG_EXEC_BASE);
	ck_assert_uint_eq(info.seg[0].prot, PROT_READ | PROT_EXEC);
	ck_assert_uint_eq(info.seg[0].phidx, 0);
	ck_assert_uint_eq(info.seg[1].prot, PROT_READ | PROT_WRITE);
	ck_assert_uint_eq(info.seg[1].filesz, 16);
	ck_assert_uint_eq(info.seg[1].memsz, 0x2000);
	ck_assert_uint_eq(info.seg[1].offset, M.data_off);
	ck_assert_uint_eq(info.lo, IMG_EXEC_BASE);
	ck_assert_uint_eq(info.hi, IMG_EXEC_BASE + M.data_off + 0x2000);
	ck_assert_uint_eq(info.entry, IMG_EXEC_BASE + M.code_off);
	ck_assert(info.has_gnu_stack);
	ck_assert(!info.exec_stack);
	ck_assert(info.phdr_mapped);
	ck_assert_uint_eq(info.phdr_vaddr, IMG_EXEC_BASE + 64);	/* LOAD 0 maps offset 64 */
	ck_assert_uint_eq(info.load_align, 0x1000);
	ck_assert_uint_eq(info.tls_memsz, 0);
	ck_assert_uint_eq(info.dynamic_vaddr, 0);
	ck_assert_uint_eq(info.file_size, M.len);
	ck_assert_uint_eq(info.eh.e_phnum, 3);
	ck_assert_uint_eq(info.ph[1].p_type, PT_LOAD);
}
END_TEST

START_TEST(good_pie_with_interp)
{
	img_pie(&M, "/lib64/ld-linux-x86-64.so.2");
	ck_assert_int_eq(parse(&M), 0);
	ck_assert(info.is_dyn);
	ck_assert(info.has_interp);
	ck_assert_str_eq(info.interp, "/lib64/ld-linux-x86-64.so.2");
	ck_assert_uint_eq(info.nseg, 2);
	ck_assert_uint_eq(info.seg[0].phidx, 2);
	ck_assert_uint_eq(info.seg[1].phidx, 3);
	ck_assert_uint_eq(info.lo, 0);
	ck_assert_uint_eq(info.hi, M.data_off + 0x1000 + 0x300);
	ck_assert_uint_eq(info.tls_memsz, 0x40);
	ck_assert_uint_eq(info.tls_align, 0x10);
	ck_assert_uint_eq(info.dynamic_vaddr, M.data_off + 0x1000);
	ck_assert(info.phdr_mapped);
	ck_assert_uint_eq(info.phdr_vaddr, 64);
	ck_assert(!info.exec_stack);
	/* the same file is a bad interpreter only in that nothing checks its PT_INTERP */
	ck_assert_int_eq(parse_interp(&M), 0);
	ck_assert(!info.has_interp);
}
END_TEST

START_TEST(good_static_pie)
{
	img_static_pie(&M, 0);
	ck_assert_int_eq(parse(&M), 0);
	ck_assert(info.is_dyn);
	ck_assert(!info.has_interp);
	ck_assert(info.has_gnu_stack);
	ck_assert(info.exec_stack);		/* its GNU_STACK is rwx */
	ck_assert_uint_eq(info.nseg, 2);
	ck_assert_uint_eq(info.entry, M.code_off);
	ck_assert_int_eq(parse_interp(&M), 0);	/* and it is a good interpreter */
}
END_TEST

/* Valid files at the edges of the rules. */
START_TEST(good_edges)
{
	/* no PT_GNU_STACK: not executable (x86-64 since Linux 5.8) */
	img_exec(&M, 0);
	img_ph(&M, 2)->p_type = PT_NULL;
	ck_assert_int_eq(parse(&M), 0);
	ck_assert(!info.has_gnu_stack);
	ck_assert(!info.exec_stack);

	/* the last PT_GNU_STACK wins, as in load_elf_binary's loop */
	img_exec(&M, 1);
	img_set(&M, 3, PT_GNU_STACK, PF_R | PF_W | PF_X, 0, 0, 0, 0, 16);
	ck_assert_int_eq(parse(&M), 0);
	ck_assert(info.exec_stack);

	/* a PT_LOAD without file bytes need not be congruent: it is anonymous memory */
	img_exec(&M, 1);
	img_set(&M, 3, PT_LOAD, PF_R | PF_W, 0x123, 0x800000, 0, 0x1000, 0x1000);
	ck_assert_int_eq(parse(&M), 0);
	ck_assert_uint_eq(info.nseg, 3);
	ck_assert_uint_eq(info.hi, 0x801000);

	/* a zero-sized PT_LOAD, and one ending exactly at TASK_SIZE */
	img_exec(&M, 2);
	img_set(&M, 3, PT_LOAD, PF_R, 0, 0x700000, 0, 0, 0x1000);
	img_set(&M, 4, PT_LOAD, PF_R | PF_W, 0, ELF_TASK_SIZE - 0x2000, 0, 0x2000, 0x1000);
	ck_assert_int_eq(parse(&M), 0);
	ck_assert_uint_eq(info.hi, ELF_TASK_SIZE);

	/* two segments sharing a page, their bytes apart (as small linkers make them) */
	img_exec(&M, 0);
	uint64_t x = M.code_off + sizeof img_exit0 + 0x10;
	img_ph(&M, 1)->p_offset = x;
	img_ph(&M, 1)->p_vaddr = IMG_EXEC_BASE + x;
	ck_assert_int_eq(parse(&M), 0);
	ck_assert_uint_eq(info.seg[1].vaddr & ~0xfffULL, info.seg[0].vaddr);

	/* the largest p_align that is a power of 2 */
	img_exec(&M, 0);
	img_ph(&M, 0)->p_align = 0x200000;
	img_ph(&M, 1)->p_align = 0x3000;	/* not a power of 2: ignored, as Linux does */
	ck_assert_int_eq(parse(&M), 0);
	ck_assert_uint_eq(info.load_align, 0x200000);

	/* PT_INTERP of exactly PATH_MAX bytes, its NUL included */
	img_exec(&M, 1);
	static char longpath[PATH_MAX];
	memset(longpath, 'a', PATH_MAX - 1);
	longpath[0] = '/';
	longpath[PATH_MAX - 1] = '\0';
	img_interp(&M, 3, longpath);
	ck_assert_int_eq(parse(&M), 0);
	ck_assert_uint_eq(strlen(info.interp), PATH_MAX - 1);

	/* program headers outside every PT_LOAD: AT_PHDR from PT_PHDR */
	img_exec(&M, 1);
	img_set(&M, 3, PT_PHDR, PF_R, 64, 0x900040, 4 * sizeof(Elf64_Phdr), 4 * sizeof(Elf64_Phdr), 8);
	img_ph(&M, 0)->p_offset = 0x1000;	/* LOAD 0 no longer covers offset 64 ... */
	img_ph(&M, 0)->p_vaddr = IMG_EXEC_BASE + 0x1000;
	img_ph(&M, 0)->p_filesz = img_ph(&M, 0)->p_memsz = 0x10;
	img_ph(&M, 1)->p_vaddr += 0x1000;	/* ... and LOAD 1 stays above it */
	img_ph(&M, 1)->p_offset = 0x1000;
	ck_assert_int_eq(parse(&M), 0);
	ck_assert(info.phdr_mapped);
	ck_assert_uint_eq(info.phdr_vaddr, 0x900040);
	img_ph(&M, 3)->p_type = PT_NULL;
	ck_assert_int_eq(parse(&M), 0);
	ck_assert(!info.phdr_mapped);
}
END_TEST

/* 1170 program headers (64 KiB) is Linux's limit, and Persona's. */
START_TEST(good_max_phnum)
{
	ck_assert_uint_eq(ELF_MAX_PHNUM, 1170);
	img_init(&M, ET_EXEC, ELF_MAX_PHNUM);
	img_set(&M, 0, PT_LOAD, PF_R | PF_X, 0, IMG_EXEC_BASE, M.len, M.len, 0x1000);
	img_eh(&M)->e_entry = IMG_EXEC_BASE + M.code_off;
	ck_assert_int_eq(parse(&M), 0);
	ck_assert_uint_eq(info.phnum, ELF_MAX_PHNUM);
	ck_assert_uint_eq(info.nseg, 1);
}
END_TEST

/* ---- bad files: the exact errno and stage of each case ---- */

enum bad_case {
	B_EMPTY, B_3BYTES, B_MAGIC, B_HDR_TRUNC, B_CLASS32, B_CLASSNONE, B_MSB, B_EIVERSION,
	B_EVERSION, B_REL, B_CORE, B_ETNONE, B_ETLOOS, B_I386, B_AARCH64, B_PHENT55, B_PHENT64,
	B_PHNUM0, B_PHNUM1171, B_PHNUMXNUM, B_PHOFF_EOF, B_PHOFF_WRAP, B_PH_TRUNC,
	B_INTERP1, B_INTERP0, B_INTERP4097, B_INTERP_NONUL, B_INTERP_EOF, B_INTERP_WRAP,
	B_INTERP_TWO, B_NOLOAD, B_FILESZ, B_CONGRUENT, B_VADDR, B_MEMSZ, B_END, B_WRAP,
	B_SEG_EOF, B_SEG_OFFWRAP, B_SEG_OFFBIG, B_DESCEND, B_OVERLAP, B_MANYLOADS, B_ENTRY, B_EARLY_FIRST,
	/* interpreter files */
	I_HDR_TRUNC, I_SCRIPT, I_MAGIC, I_I386, I_CLASS32, I_PHENT, I_PHNUM0, I_PHOFF_EOF,
	I_REL, I_CORE, I_FILESZ, I_MEMSZ, I_NOLOAD, I_CONGRUENT, I_ENTRY,
	NBAD
};

static const struct bad {
	const char *name;
	bool interp;		/* the case is an interpreter file */
	int err;
	enum elf_err_stage stage;
} bad[NBAD] = {
	[B_EMPTY] = { "empty file", 0, ENOEXEC, ELF_ERR_EARLY },
	[B_3BYTES] = { "3 bytes", 0, ENOEXEC, ELF_ERR_EARLY },
	[B_MAGIC] = { "bad magic", 0, ENOEXEC, ELF_ERR_EARLY },
	[B_HDR_TRUNC] = { "header truncated", 0, ENOEXEC, ELF_ERR_EARLY },
	[B_CLASS32] = { "ELFCLASS32", 0, ENOEXEC, ELF_ERR_PERSONA },
	[B_CLASSNONE] = { "ELFCLASSNONE", 0, ENOEXEC, ELF_ERR_PERSONA },
	[B_MSB] = { "big-endian", 0, ENOEXEC, ELF_ERR_PERSONA },
	[B_EIVERSION] = { "EI_VERSION 0", 0, ENOEXEC, ELF_ERR_PERSONA },
	[B_EVERSION] = { "e_version 2", 0, ENOEXEC, ELF_ERR_PERSONA },
	[B_REL] = { "ET_REL", 0, ENOEXEC, ELF_ERR_EARLY },
	[B_CORE] = { "ET_CORE", 0, ENOEXEC, ELF_ERR_EARLY },
	[B_ETNONE] = { "ET_NONE", 0, ENOEXEC, ELF_ERR_EARLY },
	[B_ETLOOS] = { "ET_LOOS", 0, ENOEXEC, ELF_ERR_EARLY },
	[B_I386] = { "EM_386", 0, ENOEXEC, ELF_ERR_EARLY },
	[B_AARCH64] = { "EM_AARCH64", 0, ENOEXEC, ELF_ERR_EARLY },
	[B_PHENT55] = { "e_phentsize 55", 0, ENOEXEC, ELF_ERR_EARLY },
	[B_PHENT64] = { "e_phentsize 64", 0, ENOEXEC, ELF_ERR_EARLY },
	[B_PHNUM0] = { "e_phnum 0", 0, ENOEXEC, ELF_ERR_EARLY },
	[B_PHNUM1171] = { "e_phnum 1171", 0, ENOEXEC, ELF_ERR_EARLY },
	[B_PHNUMXNUM] = { "e_phnum PN_XNUM", 0, ENOEXEC, ELF_ERR_EARLY },
	[B_PHOFF_EOF] = { "e_phoff past EOF", 0, ENOEXEC, ELF_ERR_EARLY },
	[B_PHOFF_WRAP] = { "e_phoff wraps", 0, ENOEXEC, ELF_ERR_EARLY },
	[B_PH_TRUNC] = { "phdrs truncated", 0, ENOEXEC, ELF_ERR_EARLY },
	[B_INTERP1] = { "PT_INTERP 1 byte", 0, ENOEXEC, ELF_ERR_EARLY },
	[B_INTERP0] = { "PT_INTERP 0 bytes", 0, ENOEXEC, ELF_ERR_EARLY },
	[B_INTERP4097] = { "PT_INTERP 4097 bytes", 0, ENOEXEC, ELF_ERR_EARLY },
	[B_INTERP_NONUL] = { "PT_INTERP no NUL", 0, ENOEXEC, ELF_ERR_EARLY },
	[B_INTERP_EOF] = { "PT_INTERP past EOF", 0, EIO, ELF_ERR_EARLY },
	[B_INTERP_WRAP] = { "PT_INTERP offset past 2^63", 0, EINVAL, ELF_ERR_EARLY },
	[B_INTERP_TWO] = { "two PT_INTERP", 0, ENOEXEC, ELF_ERR_PERSONA },
	[B_NOLOAD] = { "no PT_LOAD", 0, ENOEXEC, ELF_ERR_PERSONA },
	[B_FILESZ] = { "p_filesz > p_memsz", 0, EINVAL, ELF_ERR_LATE },
	[B_CONGRUENT] = { "offset/vaddr incongruent", 0, EINVAL, ELF_ERR_LATE },
	[B_VADDR] = { "p_vaddr at TASK_SIZE", 0, EINVAL, ELF_ERR_LATE },
	[B_MEMSZ] = { "huge p_memsz", 0, EINVAL, ELF_ERR_LATE },
	[B_END] = { "segment ends past TASK_SIZE", 0, EINVAL, ELF_ERR_LATE },
	[B_WRAP] = { "p_vaddr + p_memsz wraps", 0, EINVAL, ELF_ERR_LATE },
	[B_SEG_EOF] = { "segment past EOF", 0, ENOEXEC, ELF_ERR_PERSONA },
	[B_SEG_OFFWRAP] = { "segment file range wraps", 0, EINVAL, ELF_ERR_LATE },
	[B_SEG_OFFBIG] = { "segment offset past 2^63", 0, EOVERFLOW, ELF_ERR_LATE },
	[B_DESCEND] = { "PT_LOAD descending", 0, ENOEXEC, ELF_ERR_PERSONA },
	[B_OVERLAP] = { "PT_LOAD overlapping", 0, ENOEXEC, ELF_ERR_PERSONA },
	[B_MANYLOADS] = { "33 PT_LOAD", 0, ENOEXEC, ELF_ERR_PERSONA },
	[B_ENTRY] = { "e_entry past TASK_SIZE", 0, EINVAL, ELF_ERR_LATE },
	[B_EARLY_FIRST] = { "early error before late", 0, ENOEXEC, ELF_ERR_EARLY },
	[I_HDR_TRUNC] = { "interp: header truncated", 1, EIO, ELF_ERR_EARLY },
	[I_SCRIPT] = { "interp: a short script", 1, EIO, ELF_ERR_EARLY },
	[I_MAGIC] = { "interp: bad magic", 1, ELIBBAD, ELF_ERR_EARLY },
	[I_I386] = { "interp: EM_386", 1, ELIBBAD, ELF_ERR_EARLY },
	[I_CLASS32] = { "interp: ELFCLASS32", 1, ELIBBAD, ELF_ERR_PERSONA },
	[I_PHENT] = { "interp: e_phentsize 55", 1, ELIBBAD, ELF_ERR_EARLY },
	[I_PHNUM0] = { "interp: e_phnum 0", 1, ELIBBAD, ELF_ERR_EARLY },
	[I_PHOFF_EOF] = { "interp: e_phoff past EOF", 1, ELIBBAD, ELF_ERR_EARLY },
	[I_REL] = { "interp: ET_REL", 1, ELIBBAD, ELF_ERR_LATE },
	[I_CORE] = { "interp: ET_CORE", 1, ELIBBAD, ELF_ERR_LATE },
	[I_FILESZ] = { "interp: p_filesz > p_memsz", 1, ENOMEM, ELF_ERR_LATE },
	[I_MEMSZ] = { "interp: huge p_memsz", 1, ENOMEM, ELF_ERR_LATE },
	[I_NOLOAD] = { "interp: no PT_LOAD", 1, EINVAL, ELF_ERR_LATE },
	[I_CONGRUENT] = { "interp: incongruent", 1, EINVAL, ELF_ERR_LATE },
	[I_ENTRY] = { "interp: e_entry past TASK_SIZE", 1, EINVAL, ELF_ERR_LATE },
};

/* Builds bad case k in m (an executable, or an interpreter for I_ cases). */
static void build_bad(int k, struct img *m)
{
	Elf64_Ehdr *eh = img_eh(m);
	if (bad[k].interp) img_static_pie(m, 1);
	else img_exec(m, 2);
	Elf64_Phdr *p0 = img_ph(m, 0), *p1 = img_ph(m, 1), *p3 = img_ph(m, 3);
	switch ((enum bad_case)k) {
	case B_EMPTY: m->len = 0; break;
	case B_3BYTES: m->len = 3; break;
	case B_MAGIC: case I_MAGIC: eh->e_ident[EI_MAG1] = 'e'; break;
	case B_HDR_TRUNC: m->len = 40; break;
	case B_CLASS32: case I_CLASS32: eh->e_ident[EI_CLASS] = ELFCLASS32; break;
	case B_CLASSNONE: eh->e_ident[EI_CLASS] = ELFCLASSNONE; break;
	case B_MSB: eh->e_ident[EI_DATA] = ELFDATA2MSB; break;
	case B_EIVERSION: eh->e_ident[EI_VERSION] = 0; break;
	case B_EVERSION: eh->e_version = 2; break;
	case B_REL: case I_REL: eh->e_type = ET_REL; break;
	case B_CORE: case I_CORE: eh->e_type = ET_CORE; break;
	case B_ETNONE: eh->e_type = ET_NONE; break;
	case B_ETLOOS: eh->e_type = ET_LOOS; break;
	case B_I386: case I_I386: eh->e_machine = EM_386; break;
	case B_AARCH64: eh->e_machine = EM_AARCH64; break;
	case B_PHENT55: case I_PHENT: eh->e_phentsize = 55; break;
	case B_PHENT64: eh->e_phentsize = 64; break;
	case B_PHNUM0: case I_PHNUM0: eh->e_phnum = 0; break;
	case B_PHNUM1171: eh->e_phnum = 1171; break;
	case B_PHNUMXNUM: eh->e_phnum = PN_XNUM; break;
	case B_PHOFF_EOF: case I_PHOFF_EOF: eh->e_phoff = m->len + 8; break;
	case B_PHOFF_WRAP: eh->e_phoff = ~0ULL - 64; break;
	case B_PH_TRUNC: eh->e_phoff = m->len - 100; break;
	case B_INTERP1: img_interp(m, 3, ""); p3->p_filesz = 1; break;
	case B_INTERP0: img_interp(m, 3, ""); p3->p_filesz = 0; break;
	case B_INTERP4097: img_interp(m, 3, interp_path); p3->p_filesz = PATH_MAX + 1;
		m->len += PATH_MAX + 1; break;	/* the bytes are there (zeros) */
	case B_INTERP_NONUL: img_interp(m, 3, "/abcdefghij"); p3->p_filesz = 11; break;
	case B_INTERP_EOF: img_interp(m, 3, interp_path); p3->p_offset = m->len - 2; break;
	case B_INTERP_WRAP: img_interp(m, 3, interp_path); p3->p_offset = ~0ULL - 2; break;
	case B_INTERP_TWO: img_interp(m, 3, interp_path); img_interp(m, 4, "/nonexistent"); break;
	case B_NOLOAD: p0->p_type = PT_NOTE; p1->p_type = PT_NOTE; break;
	case B_FILESZ: case I_FILESZ: p1->p_memsz = p1->p_filesz - 1; break;
	case B_CONGRUENT: case I_CONGRUENT: p1->p_offset += 8; break;
	case B_VADDR: img_set(m, 3, PT_LOAD, PF_R, 0, ELF_TASK_SIZE, 0, 0x1000, 0x1000); break;
	case B_MEMSZ: case I_MEMSZ: p1->p_memsz = 1ULL << 60; break;
	case B_END: img_set(m, 3, PT_LOAD, PF_R, 0, ELF_TASK_SIZE - 0x1000, 0, 0x1001, 0x1000); break;
	case B_WRAP: p1->p_memsz = ~0ULL - 0x1000; break;
	case B_SEG_EOF: p1->p_filesz = 0x10000; p1->p_memsz = 0x10000; break;
	case B_SEG_OFFWRAP: p1->p_offset = ~0ULL - 0xfff + (p1->p_vaddr & 0xfff); break;
	case B_SEG_OFFBIG: p1->p_offset = INT64_MAX - 0xfff + (p1->p_vaddr & 0xfff); break;
	case B_DESCEND: img_set(m, 3, PT_LOAD, PF_R, 0, 0x200000, 0x100, 0x100, 0x1000); break;
	case B_OVERLAP: img_set(m, 3, PT_LOAD, PF_R, 0, p1->p_vaddr + 0x1000, 0x10, 0x10, 0x1000); break;
	case B_MANYLOADS:
		img_init(m, ET_EXEC, ELF_MAX_SEGS + 1);
		for (unsigned i = 0; i <= ELF_MAX_SEGS; i++)
			img_set(m, i, PT_LOAD, PF_R | PF_X, 0, IMG_EXEC_BASE + i * 0x1000ULL, m->len, m->len, 0x1000);
		eh->e_entry = IMG_EXEC_BASE + m->code_off;
		break;
	case B_ENTRY: case I_ENTRY: eh->e_entry = ELF_TASK_SIZE; break;
	case B_EARLY_FIRST: p1->p_memsz = 1ULL << 60; img_interp(m, 3, ""); p3->p_filesz = 1; break;
	case I_HDR_TRUNC: m->len = 40; break;
	case I_SCRIPT: m->len = 0; img_put(m, 0, "#!/bin/sh\nexit 3\n", 17); break;
	case I_NOLOAD: p0->p_type = PT_NOTE; p1->p_type = PT_NOTE; break;
	case NBAD: break;
	}
}

START_TEST(bad_case)
{
	build_bad(_i, &M);
	int r = bad[_i].interp ? parse_interp(&M) : parse(&M);
	if (r != -bad[_i].err || info.err_stage != bad[_i].stage)
		ck_abort_msg("%s: got %d (%s) stage %d, expected -%s stage %d; why: %s", bad[_i].name, r,
			     r < 0 ? strerrorname_np(-r) : "ok", info.err_stage,
			     strerrorname_np(bad[_i].err), bad[_i].stage, why);
	ck_assert_msg(why[0], "%s: no reason given", bad[_i].name);
	/* the fd path says the same */
	char path[] = "/tmp/persona-elf-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	unlink(path);
	ck_assert_int_eq(write(fd, M.buf, M.len), (ssize_t)M.len);
	char why2[256];
	int r2 = bad[_i].interp ? elf_parse_interp(fd, &info, why2, sizeof why2)
				: elf_parse(fd, &info, why2, sizeof why2);
	close(fd);
	ck_assert_int_eq(r2, r);
	ck_assert_str_eq(why2, why);
	/* no reason buffer: no crash, same answer */
	r2 = bad[_i].interp ? elf_parse_interp_mem(M.buf, M.len, &info, NULL, 0)
			    : elf_parse_mem(M.buf, M.len, &info, NULL, 0);
	ck_assert_int_eq(r2, r);
}
END_TEST

/* elf_parse from a descriptor: the same as from memory; only regular files. */
START_TEST(parse_fd)
{
	img_pie(&M, "/lib64/ld-linux-x86-64.so.2");
	char path[] = "/tmp/persona-elf-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	unlink(path);
	ck_assert_int_eq(write(fd, M.buf, M.len), (ssize_t)M.len);
	ck_assert_int_eq(elf_parse(fd, &info, why, sizeof why), 0);
	ck_assert_str_eq(info.interp, "/lib64/ld-linux-x86-64.so.2");
	ck_assert_uint_eq(info.file_size, M.len);
	close(fd);

	fd = open("/tmp", O_RDONLY | O_DIRECTORY);
	ck_assert_int_eq(elf_parse(fd, &info, why, sizeof why), -EACCES);
	ck_assert(strstr(why, "directory"));
	close(fd);
	int p[2];
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(elf_parse(p[0], &info, why, sizeof why), -EACCES);
	close(p[0]);
	close(p[1]);
	ck_assert_int_eq(elf_parse(-1, &info, why, sizeof why), -EBADF);
}
END_TEST

/* ---- real files on this machine ---- */

static int parse_path(const char *path, bool interp)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) return -errno;
	int r = interp ? elf_parse_interp(fd, &info, why, sizeof why) : elf_parse(fd, &info, why, sizeof why);
	close(fd);
	return r;
}

/* Facts every good executable has. */
static void check_sane(const char *path)
{
	ck_assert_msg(info.nseg > 0, "%s: no segments", path);
	const struct elf_segment *in_seg = NULL;
	for (unsigned i = 0; i < info.nseg; i++) {
		const struct elf_segment *s = &info.seg[i];
		ck_assert(s->filesz <= s->memsz);
		ck_assert(s->offset + s->filesz <= info.file_size);
		if (i) ck_assert(info.seg[i - 1].vaddr + info.seg[i - 1].memsz <= s->vaddr);
		if (info.entry >= s->vaddr && info.entry < s->vaddr + s->memsz) in_seg = s;
	}
	ck_assert_msg(in_seg, "%s: entry 0x%llx outside every segment", path,
		      (unsigned long long)info.entry);
	ck_assert_msg(in_seg->prot & PROT_EXEC, "%s: entry in a segment that is not executable", path);
	ck_assert(info.phdr_mapped);
	ck_assert(info.lo <= info.seg[0].vaddr && info.hi > info.lo);
	ck_assert(!info.exec_stack);
}

START_TEST(real_bin_true)
{
	int r = parse_path("/bin/true", false);
	ck_assert_msg(r == 0, "/bin/true: %s", why);
	ck_assert(info.is_dyn);			/* Debian builds PIE */
	ck_assert(info.has_interp);
	ck_assert_str_eq(info.interp, "/lib64/ld-linux-x86-64.so.2");
	check_sane("/bin/true");
	/* as an interpreter too: only its PT_INTERP is not looked at */
	ck_assert_int_eq(parse_path("/bin/true", true), 0);
}
END_TEST

START_TEST(real_busybox)
{
	if (access("/bin/busybox", R_OK) != 0) {
		fprintf(stderr, "elf: /bin/busybox not installed, skipped\n");
		return;
	}
	int r = parse_path("/bin/busybox", false);
	ck_assert_msg(r == 0, "/bin/busybox: %s", why);
	ck_assert(!info.has_interp);		/* busybox-static */
	check_sane("/bin/busybox");
}
END_TEST

START_TEST(real_ld_so)
{
	const char *ld = "/lib64/ld-linux-x86-64.so.2";
	int r = parse_path(ld, false);
	ck_assert_msg(r == 0, "%s: %s", ld, why);
	ck_assert(info.is_dyn);
	ck_assert(!info.has_interp);
	check_sane(ld);
	ck_assert_uint_eq(info.lo, 0);
	ck_assert_int_eq(parse_path(ld, true), 0);
	/* not ELF, and a directory */
	ck_assert_int_eq(parse_path("/etc/passwd", false), -ENOEXEC);
	ck_assert_int_eq(parse_path("/etc/passwd", true), -ELIBBAD);
	ck_assert_int_eq(parse_path("/etc", false), -EACCES);
}
END_TEST

/* Every ELF executable and library in /usr/bin and /usr/lib/x86_64-linux-gnu passes
 * (Persona's own rules reject no real program). */
START_TEST(real_many)
{
	const char *dirs[] = { "/usr/bin", "/usr/lib/x86_64-linux-gnu" };
	unsigned n = 0;
	for (unsigned d = 0; d < 2; d++) {
		char cmd[128];
		snprintf(cmd, sizeof cmd, "find %s -maxdepth 1 -type f 2>/dev/null", dirs[d]);
		FILE *f = popen(cmd, "r");
		ck_assert_ptr_nonnull(f);
		char path[PATH_MAX];
		while (fgets(path, sizeof path, f)) {
			path[strcspn(path, "\n")] = '\0';
			int fd = open(path, O_RDONLY | O_CLOEXEC);
			if (fd < 0) continue;
			unsigned char mag[EI_NIDENT] = { 0 };
			ssize_t got = pread(fd, mag, sizeof mag, 0);
			close(fd);
			if (got != sizeof mag || memcmp(mag, ELFMAG, SELFMAG) || mag[EI_CLASS] != ELFCLASS64)
				continue;
			int r = parse_path(path, false);
			if (r == -ENOEXEC && info.err_stage == ELF_ERR_EARLY &&
			    (info.eh.e_type == ET_REL || info.eh.e_type == ET_CORE))
				continue;	/* an object file */
			ck_assert_msg(r == 0, "%s: %s (%s)", path, why, strerrorname_np(-r));
			n++;
		}
		pclose(f);
	}
	ck_assert_uint_gt(n, 20);
}
END_TEST

/* ---- persona elf ---- */

/* Runs `persona elf prog` (no argument for NULL) with stdout and stderr into out[n];
 * its exit status. */
static int run_cmd(const char *prog, char *out, size_t n)
{
	char path[] = "/tmp/persona-elf-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	unlink(path);
	fflush(stdout);
	fflush(stderr);
	int o1 = dup(1), o2 = dup(2);
	dup2(fd, 1);
	dup2(fd, 2);
	char *argv[] = { "elf", (char *)prog, NULL };
	int rc = elf_cmd_main(prog ? 2 : 1, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(o1, 1);
	dup2(o2, 2);
	close(o1);
	close(o2);
	ssize_t got = pread(fd, out, n - 1, 0);
	close(fd);
	out[got > 0 ? got : 0] = '\0';
	return rc;
}

START_TEST(cmd_errors)
{
	static char out[4096];
	ck_assert_int_eq(run_cmd("/nonexistent/x", out, sizeof out), 1);
	ck_assert(strstr(out, "No such file or directory"));
	ck_assert_int_eq(run_cmd("/etc/passwd", out, sizeof out), 1);
	ck_assert(strstr(out, "not an ELF file"));
	ck_assert(strstr(out, "ENOEXEC"));
	ck_assert_int_eq(run_cmd(NULL, out, sizeof out), 2);
	ck_assert(strstr(out, "usage"));
}
END_TEST

/* The picture is the truth: with ASLR off the kernel maps /bin/cat and its
 * interpreter exactly where `persona elf` says (their executable mappings), starts
 * the heap at its brk and ends the stack at its stack top. */
START_TEST(cmd_matches_kernel)
{
	static char out[65536], maps[65536];
	ck_assert_int_eq(run_cmd("/bin/cat", out, sizeof out), 0);
	ck_assert(strstr(out, "ELF header"));
	ck_assert(strstr(out, "Program headers"));
	int p[2];
	ck_assert_int_eq(pipe(p), 0);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		personality(ADDR_NO_RANDOMIZE);
		execl("/bin/cat", "cat", "/proc/self/maps", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	size_t len = 0;
	ssize_t r;
	while ((r = read(p[0], maps + len, sizeof maps - 1 - len)) > 0) len += (size_t)r;
	maps[len] = '\0';
	close(p[0]);
	int st;
	waitpid(pid, &st, 0);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	unsigned checked = 0;
	for (char *line = strtok(maps, "\n"); line; line = strtok(NULL, "\n")) {
		char range[64], perm[8], off[32], what[PATH_MAX] = "";
		if (sscanf(line, "%63s %7s %31s %*s %*s %4095s", range, perm, off, what) < 3) continue;
		bool ours = strstr(what, "/cat") || strstr(what, "ld-linux");
		if (ours && !strcmp(perm, "r-xp")) {
			char want[160];
			snprintf(want, sizeof want, "%s %s %s", range, perm, off);
			ck_assert_msg(strstr(out, want), "kernel maps %s; persona elf says:\n%s", want, out);
			checked++;
		}
		if (!strcmp(what, "[heap]")) {
			*strchr(range, '-') = '\0';
			char want[80];
			snprintf(want, sizeof want, "%s ", range);
			ck_assert_msg(strstr(out, want), "kernel's heap at %s", range);
			checked++;
		}
		if (!strcmp(what, "[stack]")) {
			ck_assert_msg(strstr(out, strchr(range, '-')), "kernel's stack %s", range);
			checked++;
		}
	}
	ck_assert_uint_eq(checked, 4);	/* cat r-x, ld.so r-x, heap, stack */
}
END_TEST

/* ---- the host kernel agrees ---- */

static char tmpdir[64];

static void write_file(const char *path, const struct img *m)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, m->buf, m->len), (ssize_t)m->len);
	close(fd);
}

enum run_result { RAN_OK, RAN_FAULTED, EXEC_FAILED };

/* execve(path) in a child: the errno it failed with, or whether the program ran. */
static enum run_result run(const char *path, int *err, int *status)
{
	int p[2];
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char *argv[] = { (char *)path, NULL }, *envp[] = { NULL };
		execve(path, argv, envp);
		int e = errno;
		if (write(p[1], &e, sizeof e) < 0) _exit(126);
		_exit(127);
	}
	close(p[1]);
	int e = 0;
	ssize_t n = read(p[0], &e, sizeof e);
	close(p[0]);
	ck_assert_int_eq(waitpid(pid, status, 0), pid);
	*err = e;
	if (n == (ssize_t)sizeof e) return EXEC_FAILED;
	return WIFEXITED(*status) && WEXITSTATUS(*status) == 0 ? RAN_OK : RAN_FAULTED;
}

static bool kernel_setup(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/persona-elf-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	char good[96];
	snprintf(good, sizeof good, "%s/good", tmpdir);
	img_exec(&M, 0);
	write_file(good, &M);
	int err, st;
	if (run(good, &err, &st) != RAN_OK) {
		fprintf(stderr, "elf: cannot run files in %s (noexec?): kernel comparison skipped\n", tmpdir);
		return false;
	}
	snprintf(interp_path, sizeof interp_path, "%s/interp", tmpdir);
	img_static_pie(&I, 0);
	write_file(interp_path, &I);
	return true;
}

static void kernel_teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
	if (system(cmd) != 0) fprintf(stderr, "elf: cannot remove %s\n", tmpdir);
	snprintf(interp_path, sizeof interp_path, "/lib64/ld-linux-x86-64.so.2");
}

START_TEST(kernel_agrees)
{
	if (!kernel_setup()) return;
	char prog[96];
	snprintf(prog, sizeof prog, "%s/prog", tmpdir);
	/* good files run */
	int err, st;
	img_exec(&M, 1);
	img_interp(&M, 3, interp_path);		/* the interpreter runs exit(0) */
	write_file(prog, &M);
	ck_assert_int_eq(run(prog, &err, &st), RAN_OK);
	img_static_pie(&M, 0);
	write_file(prog, &M);
	ck_assert_int_eq(run(prog, &err, &st), RAN_OK);

	for (int k = 0; k < NBAD; k++) {
		build_bad(k, &M);
		int r = bad[k].interp ? parse_interp(&M) : parse(&M);
		ck_assert_int_eq(r, -bad[k].err);
		if (bad[k].interp) {
			/* the interpreter is the bad file; a good program names it */
			write_file(interp_path, &M);
			img_exec(&M, 1);
			img_interp(&M, 3, interp_path);
		}
		write_file(prog, &M);
		enum run_result rr = run(prog, &err, &st);
		switch (bad[k].stage) {
		case ELF_ERR_EARLY:
			ck_assert_msg(rr == EXEC_FAILED && err == bad[k].err,
				      "%s: Persona says %s; execve: %s %s", bad[k].name,
				      strerrorname_np(bad[k].err), rr == EXEC_FAILED ? "failed with" : "ran",
				      rr == EXEC_FAILED ? strerrorname_np(err) : "");
			break;
		case ELF_ERR_LATE:
			ck_assert_msg(rr == RAN_FAULTED && WIFSIGNALED(st), "%s: Linux should kill it "
				      "after the point of no return, got %s %d", bad[k].name,
				      rr == EXEC_FAILED ? "errno" : "status", rr == EXEC_FAILED ? err : st);
			break;
		case ELF_ERR_PERSONA:
			ck_assert_msg(rr != EXEC_FAILED, "%s: Persona's rule, but execve failed too: %s",
				      bad[k].name, strerrorname_np(err));
			break;
		case ELF_OK:
			ck_abort();
		}
		if (bad[k].interp) {
			img_static_pie(&I, 0);	/* restore the good interpreter */
			write_file(interp_path, &I);
		}
	}
	kernel_teardown();
}
END_TEST

Suite *elf_suite(void)
{
	Suite *s = suite_create("elf");
	TCase *tc = tcase_create("parse");
	tcase_set_timeout(tc, 30);	/* small tests, but ASan forks are slow on a loaded machine */
	tcase_add_test(tc, good_static_exec);
	tcase_add_test(tc, good_pie_with_interp);
	tcase_add_test(tc, good_static_pie);
	tcase_add_test(tc, good_edges);
	tcase_add_test(tc, good_max_phnum);
	tcase_add_loop_test(tc, bad_case, 0, NBAD);
	tcase_add_test(tc, parse_fd);
	suite_add_tcase(s, tc);
	TCase *real = tcase_create("real");
	tcase_set_timeout(real, 60);
	tcase_add_test(real, real_bin_true);
	tcase_add_test(real, real_busybox);
	tcase_add_test(real, real_ld_so);
	tcase_add_test(real, real_many);
	tcase_add_test(real, kernel_agrees);
	tcase_add_test(real, cmd_errors);
	tcase_add_test(real, cmd_matches_kernel);
	suite_add_tcase(s, real);
	return s;
}
