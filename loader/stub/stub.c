/* loader/stub.c - the only program the host kernel ever execs for a guest.
 *
 * Persona's loader (loader/exec.c) turns a guest's execve into an execve of this
 * stub, with the guest's argv and envp: the host gives a clean address space (close-
 * on-exec files closed, signal handlers reset, other threads gone, a fresh stack
 * holding the strings), and at the exec event, before the stub runs on its own,
 * Persona maps the real program itself (loader/image.c).
 *
 * The stub lends its code: _start runs a table of system calls (r12: the table,
 * r13: how many; each entry is the number, six arguments and the result written
 * back, 64 bytes, core/inject.h's struct inject_op) and stops on int3, so the whole
 * new image is mapped in one stop instead of one per call. The table lives in the
 * stub's own bss (ops). Its pages then stay in the process, out of the memory
 * manager's tables, as the trampoline of later batches (a fork child's installs...).
 * Started by the kernel as a program, r13 is 0: the stub stops on int3 at once and
 * dies of SIGTRAP.
 *
 * It is linked at 1 TiB (Makefile), away from where programs are loaded. */
struct op {
	unsigned long nr, arg[6];
	long ret;
};

struct op ops[64] __attribute__((used, aligned(4096)));

__asm__(
	".text\n"
	".globl _start\n"
	".type _start, @function\n"
	"_start:\n"
	"1:	test %r13, %r13\n"
	"	jz 2f\n"
	"	mov 0(%r12), %rax\n"
	"	mov 8(%r12), %rdi\n"
	"	mov 16(%r12), %rsi\n"
	"	mov 24(%r12), %rdx\n"
	"	mov 32(%r12), %r10\n"
	"	mov 40(%r12), %r8\n"
	"	mov 48(%r12), %r9\n"
	"	syscall\n"
	"	mov %rax, 56(%r12)\n"
	"	add $64, %r12\n"
	"	dec %r13\n"
	"	jmp 1b\n"
	"2:	int3\n"
	"	ud2\n");
