/* loader/stub.c - the only program the host kernel ever execs for a guest.
 *
 * Persona's loader (loader/exec.c) turns a guest's execve into an execve of this
 * stub, with the guest's argv and envp: the host gives a clean address space (close-
 * on-exec files closed, signal handlers reset, other threads gone, a fresh stack
 * holding the strings), and at the exec event, before the stub runs a single
 * instruction, Persona unmaps it and maps the real program itself
 * (loader/image.c). So it never runs; if it ever did, it would die at once. */
void _start(void)
{
	for (;;) __asm__ volatile("ud2");
}
