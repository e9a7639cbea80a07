/* core/filter.h - builds the guests' seccomp filter from the syscall table.
 * Only rows with a handler are trapped (SECCOMP_RET_TRACE), and only under their
 * trap condition; everything else runs natively (SECCOMP_RET_ALLOW), so an untrapped
 * syscall costs what it costs natively plus the filter's few BPF instructions
 * (libseccomp builds a binary tree). Calls of another ABI (int 0x80, x32) fail with
 * ENOSYS: they would bypass a filter written for x86-64 numbers.
 *
 * Thread: any; called before guests start. */
#ifndef PERSONA_FILTER_H
#define PERSONA_FILTER_H
#include <linux/filter.h>

enum filter_mode {
	FILTER_DEFAULT,		/* trap handled syscalls, pass unknown ones natively */
	FILTER_STRICT,		/* as default, but unknown syscalls fail with ENOSYS */
	FILTER_TRAP_ALL,	/* trap every syscall (tracing) */
};

/* Builds the BPF program into *prog (filter->filter is malloc'd). 0 or -errno. */
int filter_build(enum filter_mode mode, struct sock_fprog *prog);
/* The hand-written part placed before libseccomp's program (filter_uaccess.c):
 * SECCOMP_RET_ALLOW for an injected call carrying inject_tag (0: no such test),
 * SECCOMP_RET_TRACE when an argument in mask_of(nr) lies in (0, floor), else falls
 * through to the code that follows. 0 or -errno; out->filter is malloc'd. */
#include <stdbool.h>
#include <stdint.h>
int filter_uaccess_prologue(uint8_t (*mask_of)(long nr), uint64_t floor, uint32_t inject_tag,
			    struct sock_fprog *out);

/* The tag of the supervisor's injected syscalls (core/inject.c), random per run, 0
 * when the filter has no test for it (no memory manager). An injected call of a
 * taggable syscall carries it in the upper half of its fifth argument (r8), which
 * the kernel ignores for those calls (mmap's descriptor is an unsigned int, the
 * others take fewer arguments), and the filter allows it without a seccomp stop:
 * every injection would otherwise cost two stops, the seccomp stop of the injected
 * call and the single-step trap after it. A guest cannot know the tag, so its own
 * calls are trapped as before. */
extern uint32_t filter_inject_tag;
/* Whether syscall nr may be injected with the tag (mmap, munmap, mprotect, madvise,
 * rt_sigaction, rt_sigprocmask, prctl, close_range). */
bool filter_inject_taggable(long nr);
/* The hand-written part placed first when the in-guest shim is on (filter_shim.c):
 * SECCOMP_RET_ALLOW for the numbers nrs[0..n) when the instruction pointer is `ip`
 * (the shim's syscall instruction) and none of the arguments in the entry's `fds`
 * mask (descriptors) is `pool_fd`; else falls through. 0 or -errno. */
struct shim_native { long nr; uint8_t fds; };
int filter_shim_prologue(uint64_t ip, const struct shim_native *nrs, unsigned n, int pool_fd,
			 struct sock_fprog *out);
/* Installs `prog` in the calling thread (sets no_new_privs if not privileged).
 * Async-signal-safe: used between fork and exec. 0 or -errno. */
int filter_install(const struct sock_fprog *prog);
#endif
