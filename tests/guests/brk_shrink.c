/* tests/guests/brk_shrink.c - the heap grown and shrunk by brk, as glibc's malloc
 * trims it (tar does ~300 shrinks). Under the shim, a shrink is made in the guest
 * (libc-shim/shim.c) and the supervisor's tables follow at the next stop
 * (services/mm/mmap.c mm_heap_sync): what the program sees must stay Linux's.
 *
 *   brk_shrink cycles  grow/shrink cycles: kept bytes stay, regrown bytes read 0,
 *                      sbrk(0) and /proc/self/maps agree, a freed page faults
 *   brk_shrink liar    (Persona only) claims a shrink in the shim's data page
 *                      without unmapping: the claim is refused (no frame may be
 *                      freed while the host maps it), the pages and break stay */
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG 4096UL

/* the end of [heap] in /proc/self/maps (read without stdio: no malloc, which would
 * move the break under the test) */
static uintptr_t maps_heap_end(void)
{
	static char buf[65536];
	int fd = open("/proc/self/maps", O_RDONLY);
	ssize_t n = 0, r;
	while (fd >= 0 && (r = read(fd, buf + n, sizeof buf - 1 - (size_t)n)) > 0) n += r;
	if (fd >= 0) close(fd);
	buf[n] = 0;
	char *h = strstr(buf, "[heap]");
	if (!h) return 0;
	while (h > buf && h[-1] != '\n') h--;
	unsigned long lo, hi;
	return sscanf(h, "%lx-%lx", &lo, &hi) == 2 ? hi : 0;
}

/* whether touching p kills a child with SIGSEGV */
static int faults(volatile char *p)
{
	pid_t pid = fork();
	if (pid == 0) {
		(void)*p;
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	return WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV;
}

static int cycles(void)
{
	printf("cycles:\n");	/* stdout's buffer is malloc'd before the test's sbrk */
	char *base = sbrk(0);
	int bad = 0;
	for (int i = 0; i < 200; i++) {
		size_t grow = (size_t)(8 + i % 5) * PG, keep = (size_t)(1 + i % 3) * PG + 100;
		char *p = sbrk((intptr_t)grow);
		if (p == (void *)-1) { printf("sbrk grow failed\n"); return 1; }
		for (size_t k = 0; k < grow; k += 512) if (p[k]) bad++;	/* fresh: zero */
		memset(p, 0x5a, grow);
		if (sbrk(-(intptr_t)(grow - keep)) == (void *)-1) { printf("sbrk shrink failed\n"); return 1; }
		char *top = sbrk(0);
		if (top != p + keep) bad++;
		for (size_t k = 0; k < keep; k++) if (p[k] != 0x5a) { bad++; break; }
		if (i % 20 == 0) {
			uintptr_t end = ((uintptr_t)top + PG - 1) & ~(PG - 1);
			if (maps_heap_end() != end) { printf("maps heap end %#lx, brk %p\n", (unsigned long)maps_heap_end(), (void *)top); bad++; }
			if (!faults((char *)end + 10)) { printf("a freed heap page did not fault\n"); bad++; }
		}
		if (sbrk(-(intptr_t)keep) == (void *)-1) return 1;
	}
	printf("%s, back to the start %d\n", bad ? "wrong" : "ok", sbrk(0) == base);
	return bad != 0;
}

static int liar(void)
{
	char *p = sbrk(16 * PG);
	memset(p, 1, 16 * PG);
	/* the shim's data page (libc-shim/shim_abi.h): start_brk and brk follow
	 * uaccess_floor in the header */
	volatile uint64_t *hdr = (uint64_t *)0x050f5000UL;
	uint64_t start = 0;
	for (int i = 0; i < 64 && !start; i++)
		if (hdr[i] == (uintptr_t)sbrk(0) && i > 0 && hdr[i - 1] && hdr[i - 1] <= hdr[i]) {
			start = hdr[i - 1];
			hdr[i] = start;		/* "shrunk to the start", nothing unmapped */
		}
	if (!start) { printf("no data page\n"); return 1; }
	sched_yield();	/* a ptrace stop (a call with a handler): the supervisor looks */
	/* the claim does not hold (nothing was unmapped): refused, the break stands */
	printf("liar: heap page %s, break %s\n", faults(p + 8 * PG) ? "gone" : "still mapped",
	       (char *)sbrk(0) == p + 16 * PG ? "kept" : "moved");
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && !strcmp(argv[1], "cycles")) return cycles();
	if (argc > 1 && !strcmp(argv[1], "liar")) return liar();
	fprintf(stderr, "usage: brk_shrink cycles|liar\n");
	return 2;
}
