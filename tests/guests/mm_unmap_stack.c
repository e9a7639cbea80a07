/* tests/guests/mm_unmap_stack.c - a program that unmaps its own stack dies of SIGSEGV
 * (natively and under Persona, whose supervisor survives it); before that, wild
 * munmap/mprotect/mmap arguments get their errno. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
	long r1 = syscall(SYS_munmap, (uintptr_t)1 << 63, 4096);
	long e1 = errno;
	long r2 = syscall(SYS_mprotect, (uintptr_t)0x7ffffffff000, (size_t)1 << 40, PROT_READ);
	long e2 = errno;
	long r3 = syscall(SYS_mmap, 0, (size_t)-4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long e3 = errno;
	printf("munmap(2^63): %ld %s\nmprotect past the end: %ld %s\nmmap(-4096 bytes): %ld %s\n",
	       r1, strerror((int)e1), r2, strerror((int)e2), r3, strerror((int)e3));
	fflush(stdout);
	char local;
	uintptr_t page = (uintptr_t)&local & ~(uintptr_t)4095;
	/* the pages around our frame go: the next push or return faults */
	syscall(SYS_munmap, page - 4 * 4096, 8 * 4096);
	printf("still alive after unmapping the stack\n");
	return 0;
}
