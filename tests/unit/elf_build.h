/* tests/unit/elf_build.h - builds small ELF64 files in memory, for the ELF parser's
 * unit tests (test_elf.c) and the fuzzer's seed corpus (tests/fuzz/mkcorpus.c).
 *
 * The images are real programs: their code is `exit(0)` (mov eax, 60; xor edi, edi;
 * syscall), so the host kernel can run the good ones and tell how it treats the bad
 * ones. An image is the ELF header at 0, the program header table at 64, the code
 * right after the table, and a data page (with .bss) after the code. */
#ifndef PERSONA_TESTS_ELF_BUILD_H
#define PERSONA_TESTS_ELF_BUILD_H
#include <elf.h>
#include <stdint.h>
#include <string.h>

#define IMG_MAX		(160 * 1024)
#define IMG_EXEC_BASE	0x400000ULL

struct img {
	unsigned char buf[IMG_MAX];
	uint64_t len;
	uint64_t code_off;		/* file offset of the exit(0) code */
	uint64_t data_off;		/* file offset of the data page */
};

static const unsigned char img_exit0[] = { 0xb8, 60, 0, 0, 0, 0x31, 0xff, 0x0f, 0x05 };

static inline Elf64_Ehdr *img_eh(struct img *m) { return (Elf64_Ehdr *)m->buf; }
/* The i-th program header of the table at 64 (where the builder puts it). */
static inline Elf64_Phdr *img_ph(struct img *m, unsigned i) { return (Elf64_Phdr *)(m->buf + 64) + i; }

static inline void img_put(struct img *m, uint64_t off, const void *data, uint64_t n)
{
	memcpy(m->buf + off, data, n);
	if (off + n > m->len) m->len = off + n;
}

static inline void img_set(struct img *m, unsigned i, uint32_t type, uint32_t flags, uint64_t off,
			   uint64_t vaddr, uint64_t filesz, uint64_t memsz, uint64_t align)
{
	Elf64_Phdr *p = img_ph(m, i);
	p->p_type = type;
	p->p_flags = flags;
	p->p_offset = off;
	p->p_vaddr = vaddr;
	p->p_paddr = vaddr;
	p->p_filesz = filesz;
	p->p_memsz = memsz;
	p->p_align = align;
}

/* Header and an all-PT_NULL table of nph entries; the code follows the table. */
static inline void img_init(struct img *m, uint16_t type, unsigned nph)
{
	memset(m, 0, sizeof *m);
	Elf64_Ehdr *eh = img_eh(m);
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = type;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_phoff = 64;
	eh->e_ehsize = sizeof(Elf64_Ehdr);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = (uint16_t)nph;
	m->len = 64 + (uint64_t)nph * sizeof(Elf64_Phdr);
	m->code_off = m->len;
	img_put(m, m->code_off, img_exit0, sizeof img_exit0);
	m->data_off = (m->len + 0xfff) & ~0xfffULL;
}

/* A static ET_EXEC at 0x400000: LOAD r-x (headers and code), LOAD rw- (0x10 bytes of
 * data, 0x2000 of memory), GNU_STACK rw-; entries 3.. are PT_NULL for the tests. */
static inline void img_exec(struct img *m, unsigned extra)
{
	img_init(m, ET_EXEC, 3 + extra);
	img_set(m, 0, PT_LOAD, PF_R | PF_X, 0, IMG_EXEC_BASE, m->len, m->len, 0x1000);
	static const unsigned char data[16] = "persona data";
	img_put(m, m->data_off, data, sizeof data);
	img_set(m, 1, PT_LOAD, PF_R | PF_W, m->data_off, IMG_EXEC_BASE + m->data_off, 16, 0x2000, 0x1000);
	img_set(m, 2, PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0, 16);
	img_eh(m)->e_entry = IMG_EXEC_BASE + m->code_off;
}

/* Appends a PT_INTERP naming path in table entry i. */
static inline void img_interp(struct img *m, unsigned i, const char *path)
{
	uint64_t off = m->len, n = strlen(path) + 1;
	img_put(m, off, path, n);
	img_set(m, i, PT_INTERP, PF_R, off, 0, n, n, 1);
}

/* A static-pie (ET_DYN, no PT_INTERP), which is also a good program interpreter:
 * LOAD r-x at 0, LOAD rw- one page above its file offset, GNU_STACK rwx. */
static inline void img_static_pie(struct img *m, unsigned extra)
{
	img_init(m, ET_DYN, 3 + extra);
	img_set(m, 0, PT_LOAD, PF_R | PF_X, 0, 0, m->len, m->len, 0x1000);
	static const unsigned char data[16] = "static-pie data";
	img_put(m, m->data_off, data, sizeof data);
	img_set(m, 1, PT_LOAD, PF_R | PF_W, m->data_off, m->data_off + 0x1000, 16, 0x1000, 0x1000);
	img_set(m, 2, PT_GNU_STACK, PF_R | PF_W | PF_X, 0, 0, 0, 0, 16);
	img_eh(m)->e_entry = m->code_off;
}

/* A PIE program as a linker makes one: PHDR, INTERP, LOAD r-x, LOAD rw- (+ .bss),
 * DYNAMIC and TLS inside the data, GNU_STACK rw-. */
static inline void img_pie(struct img *m, const char *interp)
{
	img_init(m, ET_DYN, 7);
	img_set(m, 0, PT_PHDR, PF_R, 64, 64, 7 * sizeof(Elf64_Phdr), 7 * sizeof(Elf64_Phdr), 8);
	img_interp(m, 1, interp);
	m->data_off = (m->len + 0xfff) & ~0xfffULL;
	img_set(m, 2, PT_LOAD, PF_R | PF_X, 0, 0, m->len, m->len, 0x1000);
	unsigned char data[0x100] = { 0 };
	img_put(m, m->data_off, data, sizeof data);
	uint64_t dv = m->data_off + 0x1000;
	img_set(m, 3, PT_LOAD, PF_R | PF_W, m->data_off, dv, 0x100, 0x300, 0x1000);
	img_set(m, 4, PT_DYNAMIC, PF_R | PF_W, m->data_off, dv, 0x10, 0x10, 8);
	img_set(m, 5, PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0, 16);
	img_set(m, 6, PT_TLS, PF_R, m->data_off + 0x80, dv + 0x80, 8, 0x40, 0x10);
	img_eh(m)->e_entry = m->code_off;
}
#endif
