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
