/* libc-shim/entry.S - the shim's entry from a patched call site, and its one
 * syscall instruction the seccomp filter lets through.
 *
 * A patched site jumps (no push: the red zone is intact) to its stub, which runs the
 * instruction the patch displaced, loads %rcx with the address of the original
 * `syscall` instruction (still in place at the site) and jumps here with the number
 * in %rax and the arguments in their registers, as for `syscall`. Like `syscall`,
 * the shim may clobber %rcx, %r11 and the flags, and nothing else.
 *
 * Numbers outside the shim's class go back to the site's own `syscall`: the filter
 * and the ptrace path see them exactly as before. */
#include "libc-shim/shim_abi.h"

	.section .text.head, "ax"
	.globl shim_header_start
shim_header_start:
	.long SHIM_MAGIC, SHIM_VERSION
	.long shim_entry - shim_header_start
	.long shim_gadget_end - shim_header_start
	.long shim_blob_end - shim_header_start
	.long shim_probe_start - shim_header_start
	.long shim_probe_end - shim_header_start
	.long shim_probe_fixup - shim_header_start

	.text
	.globl shim_entry
shim_entry:
	cmp $SHIM_MAX_NR, %rax
	jae 1f
	bt %rax, (SHIM_DATA + SHIM_CLASS_OFF)
	jnc 1f
	lea -128(%rsp), %rsp		/* the guest's red zone */
	push %rcx			/* the site's syscall instruction */
	push %rbp
	mov %rsp, %rbp
	and $-16, %rsp
	sub $8, %rsp			/* 7 pushes: keep the call aligned */
	push %rax			/* the number, for the way back to the site */
	push %r9			/* args[0..5] at (%rsp) ascending */
	push %r8
	push %r10
	push %rdx
	push %rsi
	push %rdi
	mov %rax, %rdi
	mov %rsp, %rsi
	call shim_syscall		/* {result, done} in %rax, %rdx */
	mov %rdx, %r11
	pop %rdi
	pop %rsi
	pop %rdx
	pop %r10
	pop %r8
	pop %r9
	test %r11, %r11
	jz 2f
	add $8, %rsp			/* the saved number */
	mov %rbp, %rsp
	pop %rbp
	pop %rcx
	lea 128(%rsp), %rsp
	add $2, %rcx			/* after the site's syscall instruction */
	jmp *%rcx
2:	pop %rax			/* not served: back to the site */
	mov %rbp, %rsp
	pop %rbp
	pop %rcx
	lea 128(%rsp), %rsp
1:	jmp *%rcx

/* The shim's only reads and writes of guest memory the guest named (a path, an
 * output buffer): leaf functions that leave %rsp alone, so that the supervisor can
 * resume a fault it cannot resolve here at shim_probe_fixup, which returns
 * SHIM_PROBE_FAULT from whichever of them faulted (shim_abi.h). */

/* long shim_copy_str(char *dst, const char *src, long max): src with its NUL into
 * dst; its length, -1 when it has no NUL in max bytes, or SHIM_PROBE_FAULT */
	.globl shim_copy_str, shim_touch
shim_probe_start:
shim_copy_str:
	xor %eax, %eax
1:	cmp %rdx, %rax
	jae 3f
	movzbl (%rsi,%rax), %ecx
	mov %cl, (%rdi,%rax)
	test %cl, %cl
	jz 2f
	inc %rax
	jmp 1b
2:	ret
3:	mov $-1, %rax
	ret

/* long shim_touch(void *p, long len): a locked no-op write to a byte of each page of
 * [p, p+len): the pages are then present and writable (the memory manager resolved
 * their faults here), as the kernel's write of the result needs; 0 or
 * SHIM_PROBE_FAULT. Atomic, so a concurrent store of another thread is never lost. */
shim_touch:
	test %rsi, %rsi
	jz 2f
	lea -1(%rdi,%rsi), %rsi		/* the last byte */
1:	lock orb $0, (%rdi)
	and $-4096, %rdi
	add $4096, %rdi
	cmp %rsi, %rdi
	jbe 1b
2:	xor %eax, %eax
	ret
/* long shim_probe_read(const void *p, long len): a read of a byte of each page of
 * [p, p+len), which makes them present; 0 or SHIM_PROBE_FAULT */
	.globl shim_probe_read
shim_probe_read:
	test %rsi, %rsi
	jz 2f
	lea -1(%rdi,%rsi), %rsi
1:	movzbl (%rdi), %eax
	and $-4096, %rdi
	add $4096, %rdi
	cmp %rsi, %rdi
	jbe 1b
2:	xor %eax, %eax
	ret

/* long shim_strlen_probe(const char *p, long max): the length of the string at p
 * (its pages are then present), -1 when it has no NUL in max bytes, or
 * SHIM_PROBE_FAULT */
	.globl shim_strlen_probe
shim_strlen_probe:
	xor %eax, %eax
1:	cmp %rsi, %rax
	jae 3f
	cmpb $0, (%rdi,%rax)
	je 2f
	inc %rax
	jmp 1b
2:	ret
3:	mov $-1, %rax
	ret

/* long shim_copy_mem(void *dst, const void *src, long n): 0 or SHIM_PROBE_FAULT */
	.globl shim_copy_mem
shim_copy_mem:
	mov %rdx, %rcx
	rep movsb
	xor %eax, %eax
	ret
shim_probe_end:
shim_probe_fixup:
	mov $SHIM_PROBE_FAULT, %rax
	ret

/* long shim_raw_syscall(long nr, long a0, ..., long a5): the only syscall
 * instruction of the shim. The filter allows a few numbers from exactly here
 * (shim_gadget_end is the instruction pointer seccomp sees). */
	.globl shim_raw_syscall
shim_raw_syscall:
	mov %rdi, %rax
	mov %rsi, %rdi
	mov %rdx, %rsi
	mov %rcx, %rdx
	mov %r8, %r10
	mov %r9, %r8
	mov 8(%rsp), %r9
	syscall
shim_gadget_end:
	ret

	.section .note.GNU-stack, "", @progbits
