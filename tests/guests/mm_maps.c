/* tests/guests/mm_maps.c - /proc/self/maps, smaps, status and statm agree with
 * what the program mapped (facts only, never raw addresses): an anonymous RW
 * mapping's line (rw-p, offset 0, dev 00:00, inode 0, no path), the split into
 * three lines by an mprotect of the middle page and the merge back, two lines after
 * an munmap of the middle, a shared anonymous mapping ("rw-s", "/dev/zero
 * (deleted)"), a file mapping at offset 4096 (path, offset, dev, inode), a moved
 * mapping, [heap] holding the break, [stack] holding a local, [vdso], the
 * executable, sorted non-overlapping lines; smaps Size/Rss/Locked of a 16-page
 * mapping with 5 pages touched; status VmSize/VmRSS/VmLck deltas, statm. Reads go
 * through read(2) into static buffers so that nothing maps memory between a change
 * and its observation. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#ifndef PR_SET_VMA
#define PR_SET_VMA 0x53564d41
#define PR_SET_VMA_ANON_NAME 0
#endif

static long pg;
static int failures;
static void check(int ok, const char *what)
{
	printf("%s: %s\n", what, ok ? "yes" : "no");
	if (!ok) {
		failures++;
		fprintf(stderr, "check failed: %s\n", what);	/* shown by the test harness */
	}
}

static char buf[1 << 20];
static int read_proc(const char *path)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0) return -1;
	size_t n = 0;
	ssize_t r;
	while (n < sizeof buf - 1 && (r = read(fd, buf + n, sizeof buf - 1 - n)) > 0) n += r;
	close(fd);
	buf[n] = 0;
	return (int)n;
}

struct line {
	uintptr_t start, end;
	char perms[8];
	unsigned long off, inode;
	unsigned maj, min;
	char path[PATH_MAX];
};
static struct line lines[4096];
static int nlines;

static void parse_maps(void)
{
	read_proc("/proc/self/maps");
	nlines = 0;
	for (char *s = buf; *s && nlines < 4096; ) {
		char *nl = strchr(s, '\n');
		if (nl) *nl = 0;
		struct line *l = &lines[nlines];
		int pos = 0;
		if (sscanf(s, "%lx-%lx %7s %lx %x:%x %lu %n", &l->start, &l->end, l->perms, &l->off, &l->maj, &l->min,
			   &l->inode, &pos) >= 7) {
			snprintf(l->path, sizeof l->path, "%s", pos ? s + pos : "");
			nlines++;
		}
		if (!nl) break;
		s = nl + 1;
	}
}
/* the lines overlapping [a, b) */
static int covering(void *a, void *b, struct line **out, int max)
{
	int n = 0;
	for (int i = 0; i < nlines; i++)
		if (lines[i].start < (uintptr_t)b && lines[i].end > (uintptr_t)a) {
			if (n < max) out[n] = &lines[i];
			n++;
		}
	return n;
}
static struct line *exact(void *a, void *b)
{
	for (int i = 0; i < nlines; i++)
		if (lines[i].start == (uintptr_t)a && lines[i].end == (uintptr_t)b) return &lines[i];
	return NULL;
}
static struct line *named(const char *path)
{
	for (int i = 0; i < nlines; i++) if (!strcmp(lines[i].path, path)) return &lines[i];
	return NULL;
}
static int holds(struct line *l, const void *p) { return l && l->start <= (uintptr_t)p && (uintptr_t)p < l->end; }

/* "Name:   123 kB" in buf (from `from`), -1 if absent */
static long field(const char *from, const char *name)
{
	char key[64];
	snprintf(key, sizeof key, "\n%s:", name);
	const char *p = strstr(from, key);
	if (!p && !strncmp(from, key + 1, strlen(key) - 1)) p = from - 1;
	return p ? strtol(p + strlen(key), NULL, 10) : -1;
}
static long status_field(const char *name)
{
	read_proc("/proc/self/status");
	return field(buf, name);
}
/* the smaps block of the mapping starting at a (NUL-terminated in buf) */
static char *smaps_block(void *a)
{
	char hdr[32];
	read_proc("/proc/self/smaps");
	snprintf(hdr, sizeof hdr, "%lx-", (unsigned long)(uintptr_t)a);
	char *p = buf;
	while (p && strncmp(p, hdr, strlen(hdr))) {
		p = strchr(p, '\n');
		if (p) p++;
	}
	if (!p) return NULL;
	/* the block ends at the next header line ("hex-hex ") */
	char *q = strchr(p, '\n');
	while (q) {
		char *n = q + 1;
		unsigned long x, y;
		if (sscanf(n, "%lx-%lx ", &x, &y) == 2 && strchr(n, '-') < strchr(n, ' ')) { *q = 0; break; }
		q = strchr(n, '\n');
	}
	return p;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	alarm(30);
	pg = sysconf(_SC_PAGESIZE);
	const int RW = PROT_READ | PROT_WRITE, PA = MAP_PRIVATE | MAP_ANONYMOUS;
	struct line *c[8];

	/* an anonymous mapping between PROT_NONE neighbours (so nothing merges into it) */
	char *r = mmap(NULL, 7 * pg, PROT_NONE, PA | MAP_NORESERVE, -1, 0);
	char *p = mmap(r + 2 * pg, 3 * pg, RW, PA | MAP_FIXED, -1, 0);
	parse_maps();
	struct line *l = exact(p, p + 3 * pg);
	check(l != NULL, "3-page anonymous mapping: one line with exactly its range");
	check(l && !strcmp(l->perms, "rw-p"), "its perms are rw-p");
	check(l && l->off == 0 && l->maj == 0 && l->min == 0 && l->inode == 0, "its offset 0, dev 00:00, inode 0");
	check(l && l->path[0] == 0, "it has no path");
	check(exact(r, r + 2 * pg) && !strcmp(exact(r, r + 2 * pg)->perms, "---p"), "the PROT_NONE neighbour before: ---p");

	mprotect(p + pg, pg, PROT_READ);
	parse_maps();
	int n = covering(p, p + 3 * pg, c, 8);
	check(n == 3, "after mprotect of the middle page: three lines");
	check(n == 3 && c[0]->start == (uintptr_t)p && c[0]->end == (uintptr_t)(p + pg) && !strcmp(c[0]->perms, "rw-p") &&
	      c[1]->end == (uintptr_t)(p + 2 * pg) && !strcmp(c[1]->perms, "r--p") &&
	      c[2]->end == (uintptr_t)(p + 3 * pg) && !strcmp(c[2]->perms, "rw-p"), "rw-p, r--p, rw-p page by page");
	check(n == 3 && c[1]->off == 0 && c[2]->off == 0, "anonymous pieces still show offset 0");

	mprotect(p + pg, pg, RW);
	parse_maps();
	check(covering(p, p + 3 * pg, c, 8) == 1 && exact(p, p + 3 * pg), "mprotect back: merged into one line again");

	munmap(p + pg, pg);
	parse_maps();
	n = covering(p, p + 3 * pg, c, 8);
	check(n == 2 && exact(p, p + pg) && exact(p + 2 * pg, p + 3 * pg), "after munmap of the middle: two lines");
	check(covering(p + pg, p + 2 * pg, c, 8) == 0, "no line covers the unmapped page");

	/* moved by mremap */
	char *moved = mremap(p + 2 * pg, pg, 2 * pg, MREMAP_MAYMOVE);
	parse_maps();
	check(moved != MAP_FAILED && exact(moved, moved + 2 * pg) && !strcmp(exact(moved, moved + 2 * pg)->perms, "rw-p"),
	      "mremap grown and moved: a line at the new range");
	check(covering(p + 2 * pg, p + 3 * pg, c, 8) == 0, "mremap: no line at the old range");

	/* shared anonymous */
	char *s = mmap(NULL, 2 * pg, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	parse_maps();
	l = exact(s, s + 2 * pg);
	check(l && !strcmp(l->perms, "rw-s"), "shared anonymous mapping: rw-s");
	check(l && !strcmp(l->path, "/dev/zero (deleted)"), "shared anonymous mapping: path /dev/zero (deleted)");
	check(l && l->off == 0 && l->inode != 0, "shared anonymous mapping: offset 0, an inode");

	/* a file at offset 4096 */
	char tmpl[] = "/tmp/mm_mapsXXXXXX", real[PATH_MAX];
	int fd = mkstemp(tmpl);
	static char fill[4096 * 3];
	if (fd < 0 || write(fd, fill, sizeof fill) != (ssize_t)sizeof fill) return 2;
	struct stat st;
	fstat(fd, &st);
	if (!realpath(tmpl, real)) return 2;
	char *f = mmap(NULL, 2 * pg, PROT_READ, MAP_PRIVATE, fd, pg);
	char *fw = mmap(NULL, pg, RW, MAP_SHARED, fd, 0);
	parse_maps();
	l = exact(f, f + 2 * pg);
	check(l && !strcmp(l->perms, "r--p"), "file mapping: r--p");
	check(l && !strcmp(l->path, real), "file mapping: the file's path");
	check(l && l->off == (unsigned long)pg, "file mapping: offset 00001000");
	check(l && l->inode == st.st_ino, "file mapping: the file's inode");
	check(l && l->maj == major(st.st_dev) && l->min == minor(st.st_dev), "file mapping: the file's device");
	l = exact(fw, fw + pg);
	check(l && !strcmp(l->perms, "rw-s") && l->off == 0 && !strcmp(l->path, real), "shared file mapping: rw-s, offset 0, path");
	unlink(tmpl);
	parse_maps();
	l = exact(f, f + 2 * pg);
	snprintf(real + strlen(real), sizeof real - strlen(real), " (deleted)");
	check(l && !strcmp(l->path, real), "after unlink: the path ends in \" (deleted)\"");
	munmap(f, 2 * pg);
	munmap(fw, pg);
	close(fd);

	/* a named anonymous mapping, when the kernel has CONFIG_ANON_VMA_NAME */
	char *nm = mmap(NULL, pg, RW, PA, -1, 0);
	if (prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, (unsigned long)nm, pg, (unsigned long)"mm_test") == 0) {
		parse_maps();
		l = exact(nm, nm + pg);
		check(l && !strcmp(l->path, "[anon:mm_test]"), "PR_SET_VMA_ANON_NAME: path [anon:mm_test]");
	} else {
		printf("PR_SET_VMA_ANON_NAME: unsupported\n");
	}
	munmap(nm, pg);

	/* heap, stack, vdso, executable */
	char *hb = sbrk(64 * 1024);
	memset(hb, 1, 64 * 1024);
	char *brk_now = sbrk(0);
	int local = 0;
	parse_maps();
	l = named("[heap]");
	check(l != NULL, "[heap] exists after sbrk");
	check(l && l->start < (uintptr_t)brk_now && (uintptr_t)brk_now <= l->end, "[heap] ends at or after the break, starts before");
	check(holds(l, hb) && holds(l, hb + 64 * 1024 - 1), "[heap] holds the sbrk'd memory");
	check(l && !strcmp(l->perms, "rw-p") && l->inode == 0, "[heap] is rw-p, inode 0");
	check(holds(named("[stack]"), &local), "[stack] holds a local variable");
	check(named("[stack]") && !strcmp(named("[stack]")->perms, "rw-p"), "[stack] is rw-p");
	check(named("[vdso]") != NULL, "[vdso] exists");
	check(named("[vdso]") && !strcmp(named("[vdso]")->perms, "r-xp"), "[vdso] is r-xp");
	char exe[PATH_MAX];
	ssize_t el = readlink("/proc/self/exe", exe, sizeof exe - 1);
	exe[el > 0 ? el : 0] = 0;
	int exe_x = 0, exe_lines = 0;
	for (int i = 0; i < nlines; i++)
		if (!strcmp(lines[i].path, exe)) {
			exe_lines++;
			exe_x |= !strcmp(lines[i].perms, "r-xp") && holds(&lines[i], (void *)(uintptr_t)main);
		}
	check(exe_lines >= 2 && exe_x, "the executable: several lines, main() in an r-xp one");
	int sorted = 1;
	for (int i = 0; i < nlines; i++) {
		sorted &= lines[i].start < lines[i].end;
		if (i) sorted &= lines[i - 1].end <= lines[i].start;
	}
	check(nlines > 10 && sorted, "lines sorted and non-overlapping");
	sbrk(-64 * 1024);

	/* smaps of a 16-page mapping with 5 pages touched */
	char *r2 = mmap(NULL, 20 * pg, PROT_NONE, PA | MAP_NORESERVE, -1, 0);
	char *sm = mmap(r2 + 2 * pg, 16 * pg, RW, PA | MAP_FIXED, -1, 0);
	int touched[] = { 0, 1, 7, 8, 15 };
	for (int i = 0; i < 5; i++) sm[touched[i] * pg + 3] = 1;
	char *blk = smaps_block(sm);
	check(blk != NULL, "smaps has a block for the 16-page mapping");
	if (!blk) return 1;
	long size = field(blk, "Size"), rss = field(blk, "Rss"), anon = field(blk, "Anonymous");
	check(size == 16 * pg / 1024, "smaps Size: 64 kB");
	check(rss >= 5 * pg / 1024 && rss <= 16 * pg / 1024, "smaps Rss: in range (20 to 64 kB)");
	check(anon >= 5 * pg / 1024 && anon <= 16 * pg / 1024, "smaps Anonymous: in range");
	check(field(blk, "KernelPageSize") == pg / 1024 && field(blk, "MMUPageSize") == pg / 1024, "smaps KernelPageSize/MMUPageSize: 4 kB");
	check(field(blk, "Locked") == 0, "smaps Locked: 0 kB");
	check(strstr(blk, "\nVmFlags: rd wr mr mw me ") != NULL, "smaps VmFlags start rd wr mr mw me");
	madvise(sm, 16 * pg, MADV_DONTNEED);
	blk = smaps_block(sm);
	check(blk && field(blk, "Rss") == 0, "smaps Rss after MADV_DONTNEED: 0 kB");

	/* status and statm */
	long vmsize0 = status_field("VmSize"), vmrss = status_field("VmRSS"), lck0 = status_field("VmLck");
	check(vmsize0 > 0 && vmrss > 0, "status has VmSize and VmRSS");
	check(status_field("VmPeak") >= vmsize0 && status_field("VmHWM") >= vmrss, "status VmPeak >= VmSize, VmHWM >= VmRSS");
	check(status_field("VmData") > 0 && status_field("VmStk") > 0 && status_field("VmExe") > 0 && status_field("VmLib") > 0,
	      "status has VmData, VmStk, VmExe, VmLib");
	char *gig = mmap(NULL, 1UL << 30, PROT_NONE, PA | MAP_NORESERVE, -1, 0);
	long vmsize1 = status_field("VmSize");
	check(vmsize1 - vmsize0 == 1048576, "VmSize grows by exactly 1048576 kB with a 1 GiB PROT_NONE mapping");
	read_proc("/proc/self/statm");
	unsigned long sv[8];
	int nf = sscanf(buf, "%lu %lu %lu %lu %lu %lu %lu %lu", &sv[0], &sv[1], &sv[2], &sv[3], &sv[4], &sv[5], &sv[6], &sv[7]);
	check(nf == 7, "statm has 7 numbers");
	check(sv[0] * (pg / 1024) == (unsigned long)vmsize1, "statm size (pages) matches VmSize");
	check(sv[1] > 0 && sv[1] <= sv[0], "statm resident between 1 and size");
	munmap(gig, 1UL << 30);
	check(status_field("VmSize") == vmsize0, "VmSize back after munmap");
	mlock(sm, 4 * pg);
	check(status_field("VmLck") - lck0 == 4 * pg / 1024, "VmLck grows by 16 kB after mlock of 4 pages");
	blk = smaps_block(sm);
	check(blk && field(blk, "Locked") == 4 * pg / 1024, "smaps Locked: 16 kB for the locked part");
	check(blk && field(blk, "Size") == 4 * pg / 1024, "mlock split the mapping: the first part is 16 kB");
	munlock(sm, 4 * pg);
	check(status_field("VmLck") == lck0, "VmLck back after munlock");
	read_proc("/proc/self/smaps_rollup");
	check(field(buf, "Rss") > 0, "smaps_rollup has Rss");
	return failures ? 1 : 0;
}
