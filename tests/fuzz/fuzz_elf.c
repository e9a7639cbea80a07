/* tests/fuzz/fuzz_elf.c - libFuzzer target for the ELF parser (loader/elf.c).
 *
 *   make fuzz                       build with clang -fsanitize=fuzzer,address,undefined
 *                                   and run FUZZ_TIME seconds (60) from tests/fuzz/corpus/
 *   make fuzz-replay                replay the corpus without libFuzzer (-DFUZZ_REPLAY)
 *   build-fuzz/fuzz_elf CRASHFILE   rerun one input
 *
 * Each input is parsed as an executable and as an interpreter. Besides the sanitizers'
 * findings, it aborts when a result breaks the parser's promises: a success must
 * describe a file the loader can map safely (segments ascending, apart, inside the
 * file and below TASK_SIZE, a NUL-terminated interpreter path...), a failure must be
 * one of the errnos in docs/loader.md with a stage and a reason. A crash found here
 * becomes a case in tests/unit/test_elf.c.
 *
 * The seed corpus is made by tests/fuzz/mkcorpus.c (with tests/unit/elf_build.h):
 *   cc -I. -o /tmp/mkcorpus tests/fuzz/mkcorpus.c && /tmp/mkcorpus tests/fuzz/corpus */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "loader/elf.h"

#define CHECK(cond)                                                                     \
	do {                                                                            \
		if (!(cond)) {                                                          \
			fprintf(stderr, "fuzz_elf: %s:%d: broken promise: %s (why: %s)\n", \
				__FILE__, __LINE__, #cond, why);                        \
			abort();                                                        \
		}                                                                       \
	} while (0)

static struct elf_info info;	/* ~70 KiB */

static void check(int r, bool interp, uint64_t size, const char *why)
{
	if (r < 0) {
		int e = -r;
		CHECK(e == ENOEXEC || e == EIO || e == EINVAL || e == ENOMEM || e == ELIBBAD ||
		      e == EOVERFLOW);
		CHECK(info.err_stage != ELF_OK);
		CHECK(why[0] != '\0');
		CHECK(strlen(why) < 256);
		return;
	}
	CHECK(r == 0);
	CHECK(info.err_stage == ELF_OK);
	CHECK(info.file_size == size);
	CHECK(info.eh.e_type == ET_EXEC || info.eh.e_type == ET_DYN);
	CHECK(info.is_dyn == (info.eh.e_type == ET_DYN));
	CHECK(info.eh.e_machine == EM_X86_64);
	CHECK(info.phnum == info.eh.e_phnum && info.phnum >= 1 && info.phnum <= ELF_MAX_PHNUM);
	CHECK(info.eh.e_phoff + (uint64_t)info.phnum * sizeof(Elf64_Phdr) <= size);
	CHECK(info.nseg >= 1 && info.nseg <= ELF_MAX_SEGS);
	for (unsigned i = 0; i < info.nseg; i++) {
		const struct elf_segment *s = &info.seg[i];
		CHECK(s->phidx < info.phnum && info.ph[s->phidx].p_type == PT_LOAD);
		CHECK(s->filesz <= s->memsz);
		CHECK(s->vaddr < ELF_TASK_SIZE && s->memsz <= ELF_TASK_SIZE - s->vaddr);
		CHECK(s->offset <= size && s->filesz <= size - s->offset);
		CHECK(!s->filesz || (s->offset & (ELF_PAGE - 1)) == (s->vaddr & (ELF_PAGE - 1)));
		CHECK((s->prot & ~7u) == 0);
		if (i) {
			const struct elf_segment *p = &info.seg[i - 1];
			CHECK(p->phidx < s->phidx);
			CHECK(p->vaddr + p->memsz <= s->vaddr);
		}
	}
	CHECK(info.lo == (info.seg[0].vaddr & ~(ELF_PAGE - 1)));
	CHECK(info.hi == info.seg[info.nseg - 1].vaddr + info.seg[info.nseg - 1].memsz);
	CHECK(info.lo <= info.hi && info.hi <= ELF_TASK_SIZE);
	CHECK(info.entry == info.eh.e_entry && info.entry < ELF_TASK_SIZE);
	CHECK(info.load_align >= ELF_PAGE && !(info.load_align & (info.load_align - 1)));
	CHECK(!info.exec_stack || info.has_gnu_stack);
	if (interp) CHECK(!info.has_interp);
	if (info.has_interp) CHECK(memchr(info.interp, '\0', sizeof info.interp) != NULL);
	else CHECK(info.interp[0] == '\0');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char why[256];
	memset(why, 0x5a, sizeof why);	/* a reason must be written, not left over */
	int r = elf_parse_mem(data, size, &info, why, sizeof why);
	check(r, false, size, why);
	memset(why, 0x5a, sizeof why);
	r = elf_parse_interp_mem(data, size, &info, why, sizeof why);
	check(r, true, size, why);
	return 0;
}

#ifdef FUZZ_REPLAY
#include <dirent.h>
#include <sys/stat.h>

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) { perror(path); return 1; }
	static unsigned char buf[1 << 22];
	size_t n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	unsigned char *copy = malloc(n ? n : 1);	/* exact size, for ASan's bounds */
	memcpy(copy, buf, n);
	LLVMFuzzerTestOneInput(copy, n);
	free(copy);
	return 0;
}

/* Replays files, or every file in directories, given as arguments. */
int main(int argc, char **argv)
{
	int bad = 0, n = 0;
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) < 0) { perror(argv[i]); bad++; continue; }
		if (!S_ISDIR(st.st_mode)) { bad += replay_file(argv[i]); n++; continue; }
		DIR *d = opendir(argv[i]);
		struct dirent *e;
		while (d && (e = readdir(d))) {
			if (e->d_name[0] == '.') continue;
			char p[4096];
			snprintf(p, sizeof p, "%s/%s", argv[i], e->d_name);
			bad += replay_file(p);
			n++;
		}
		if (d) closedir(d);
	}
	printf("fuzz_elf replay: %d inputs, %d unreadable\n", n, bad);
	return bad ? 1 : 0;
}
#endif
