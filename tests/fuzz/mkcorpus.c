/* tests/fuzz/mkcorpus.c - writes the fuzzer's seed corpus: small good ELF files made
 * by the unit tests' builder (tests/unit/elf_build.h), so that the fuzzer starts from
 * inputs that reach every check.
 *   cc -I. -o /tmp/mkcorpus tests/fuzz/mkcorpus.c && /tmp/mkcorpus tests/fuzz/corpus */
#include <stdio.h>
#include "tests/unit/elf_build.h"

static struct img m;

static int save(const char *dir, const char *name)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(m.buf, 1, m.len, f) != m.len) { perror(path); return 1; }
	return fclose(f) != 0;
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "tests/fuzz/corpus";
	int bad = 0;
	img_exec(&m, 0);
	bad += save(dir, "static-exec");
	img_exec(&m, 1);
	img_interp(&m, 3, "/lib64/ld-linux-x86-64.so.2");
	bad += save(dir, "exec-interp");
	img_pie(&m, "/lib64/ld-linux-x86-64.so.2");
	bad += save(dir, "pie");
	img_static_pie(&m, 0);
	bad += save(dir, "static-pie");
	/* six segments, a RELRO and a zero-sized one */
	img_exec(&m, 5);
	img_set(&m, 3, PT_LOAD, PF_R, 0, 0x500000, 0, 0, 0x1000);
	img_set(&m, 4, PT_LOAD, PF_R | PF_W, 0, 0x600000, 0, 0x3000, 0x200000);
	img_set(&m, 5, PT_LOAD, PF_R | PF_W | PF_X, m.data_off, 0x700000 + m.data_off, 16, 16, 0x1000);
	img_set(&m, 6, PT_LOAD, PF_R, 0, 0x800000, 64, 64, 0x1000);
	img_set(&m, 7, PT_GNU_RELRO, PF_R, m.data_off, IMG_EXEC_BASE + m.data_off, 16, 16, 1);
	bad += save(dir, "many-loads");
	return bad ? 1 : 0;
}
