/* services/mm/mm.h - the memory manager: guests' memory belongs to Persona.
 *
 * Each guest process has an mm (Linux's mm_struct): its VMAs (vma.h) and a software
 * page table (pgtable.h) that say what every page holds. Anonymous and private file
 * memory lives in frames of the frame pool (frame.h): a new mapping is only a
 * PROT_NONE reservation in the host; the first access faults (SIGSEGV reaches the
 * tracer), the fault handler fills frames and installs them with an injected
 * mmap(MAP_FIXED|MAP_SHARED) of the pool. fork is copy-on-write by Persona's tables;
 * threads and vfork children share the mm. The host kernel still creates the exec'd
 * image (until the loader, issue 6): those mappings are adopted as host-backed VMAs.
 *
 * The pool's fd is in every guest at MM_POOL_FD (so injected mmaps can name it); the
 * filter traps every guest use of that number and Persona answers EBADF, as if the
 * descriptor were not open.
 *
 * Thread: tracer thread only. */
#ifndef PERSONA_MM_H
#define PERSONA_MM_H
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include "core/task.h"
#include "core/sysreq.h"

#define MM_POOL_FD	1023	/* just under the usual RLIMIT_NOFILE soft limit */
/* Guest pointers at or above this are on the host-made stack (or the vDSO): the filter
 * does not trap syscalls for them (uaccess.c). Persona's mmap area lies below. */
#define MM_UACCESS_FLOOR 0x7ff000000000ULL
/* A segment of an ELF file (program or library) is made present whole when it is
 * at most this many pages (64 MiB) and the pool has four times that free: by the
 * loader at exec, by mmap for a library's segments, at its first fault otherwise
 * (fault.c, mmap.c, loader/image.c). */
#define MM_SEGMENT_MAX	16384

struct mm_config {
	bool enabled;		/* --mm=on (default) / --mm=off: the host manages memory */
	uint64_t mem;		/* --mem: pool size in bytes (0: the host's RAM) */
	int aslr;		/* --aslr: 0, 1, 2 as randomize_va_space */
	unsigned fault_around;	/* --fault-around: pages per fault (power of 2) */
	const char *swap;	/* --swap FILE[:SIZE] or SIZE (NULL: no swap) */
	int overcommit;		/* --overcommit: vm.overcommit_memory 0, 1, 2 */
};
extern struct mm_config mm_config;

/* Creates the frame pool (and the swap device). 0 or -errno. */
int mm_init(void);
/* Starts and stops the memory manager's kernel threads (kswapd0), after the
 * deferred-work machinery is up / before it stops. */
void mm_start_kthreads(void);
void mm_stop_kthreads(void);
/* Whether guests get Persona's memory manager: enabled and the pool exists. */
bool mm_active(void);
void mm_shutdown(void);
/* Parses a size like 512M, 2G, 4096 (bytes). -1 on error. */
int64_t mm_parse_size(const char *s);

/* Task lifecycle (called from core/lifecycle.c). */
void mm_clone(struct task *parent, struct task *child, unsigned long flags);
void mm_child_first_stop(struct task *child);		/* host-side fix-ups after fork */
void mm_exec(struct task *t);				/* a new image: new mm */
void mm_task_gone(struct task *t);			/* idempotent */
/* At fork's entry in the parent: its private pages become copy-on-write (the mm
 * stays locked until the fork returns). */
long mm_prepare_fork(struct task *t);
/* The mm lock, Linux's mmap_lock: taken by a thread whose native syscall will change
 * the host's mappings after the tables changed (mmap, munmap, fork...); until it is
 * released at that syscall's exit, the other threads' page faults and syscalls wait.
 * mm_lock returns true when t took it (false: no mm, or t holds it already). */
bool mm_lock(struct task *t);
/* Whether t's mm is used by another task too (threads, a vfork child): only then
 * does a native call that changes the host's mappings need the lock. */
bool mm_shared(const struct task *t);
void mm_syscall_exit(struct task *t);	/* releases the lock if t holds it */
/* Whether the stop `status` of t must wait for the mm's lock (it was parked and
 * will be handled again by tracer_handle when the lock is released). */
bool mm_park(struct task *t, int status);

/* At a SIGSEGV signal-delivery-stop: returns 0 when it was a fault of Persona's
 * demand paging or copy-on-write, now resolved (suppress the signal: the guest
 * re-executes the access); SIGSEGV when the guest must get its signal as the host
 * made it; SIGBUS (siginfo replaced) for an access past the end of a mapped file;
 * -1 when the pool is empty and t waits for an OOM victim's memory: leave t stopped
 * (it is blocked; services/mm/oom.c resumes it with trap_resume to retry). */
int mm_fault(struct task *t, const siginfo_t *si);
/* Queue the injected calls of t in a batch run by the trampoline (install.c), when
 * t's mm has one; mm_batch_end runs them (a single call as a plain injection).
 * Returns what mm_batch_end needs (NULL: no batch, calls run one by one). Other
 * modules use it to join their host mappings to the memory manager's (a fork
 * child's first stop: its copies and its shim). */
struct inject_batch *mm_batch_begin(struct task *t);
int mm_batch_end(struct task *t, struct inject_batch *b);
/* At any signal-delivery-stop: makes sure the kernel can write the signal frame.
 * Returns true when it injected syscalls (the stop is now the single-step's). */
bool mm_signal_frame(struct task *t);

/* At a seccomp stop, before dispatch: refuses guest use of the pool fd (returns
 * -EBADF), and makes every page the syscall's pointer arguments reach present and,
 * for output arguments, writable (the host kernel's copy_to_user cannot take
 * Persona's faults). Returns 0 to go on. */
long mm_syscall_entry(struct sysreq *r);

/* copy_to_guest for Persona's own writes into a stopped guest (the tids of clone):
 * a page not present or copy-on-write is faulted in for writing first. */
int mm_copy_to_guest(struct task *t, uint64_t addr, const void *src, size_t len);

/* Whether argument i of syscall d is memory the call reads or writes (the filter
 * traps it when it points below MM_UACCESS_FLOOR). */
struct syscall_desc;
bool mm_uaccess_arg(const struct syscall_desc *d, int i);
/* The rule by which argument i of d reaches guest memory: a range of `fixed` bytes
 * or of args[len_arg] * mult bytes, a NUL-terminated string of at most `fixed`
 * bytes, an iovec array of args[len_arg] entries, argv, a msghdr; `write` when the
 * call writes it. False when the argument is no pointer. The shim's table is built
 * from it (core/shim_region.c). */
enum uaccess_reach { R_NONE, R_RANGE, R_STRING, R_IOVEC, R_ARGV, R_MSGHDR };
struct uaccess_desc { enum uaccess_reach reach; int len_arg; uint32_t mult, fixed; bool write; };
bool mm_uaccess_describe(const struct syscall_desc *d, int i, struct uaccess_desc *u);
/* Whether the memory manager leaves syscall d alone (its pointer arguments are
 * addresses, or Persona handles it) */
bool mm_uaccess_exempt(const struct syscall_desc *d);
/* Whether syscall d reaches memory through pointers stored in memory (iovecs, argv,
 * msghdr): the filter traps it always. */
bool mm_uaccess_always(const struct syscall_desc *d);

/* /proc from the tables (services/mm/mm_proc.c): each writes text into buf (at most
 * len bytes) for process `leader`; returns the length, or -errno. */
long mm_proc_maps(struct task *leader, char *buf, unsigned long len);
long mm_proc_smaps(struct task *leader, char *buf, unsigned long len);
long mm_proc_statm(struct task *leader, char *buf, unsigned long len);
/* the Vm* lines of /proc/PID/status */
long mm_proc_status_vm(struct task *leader, char *buf, unsigned long len);
long mm_proc_meminfo(char *buf, unsigned long len);
long mm_proc_vmstat(char *buf, unsigned long len);
/* fault counters for /proc/PID/stat and getrusage */
void mm_fault_counts(struct task *leader, uint64_t *minflt, uint64_t *majflt);

/* Syscall handlers (core/syscall_table.c rows; see core/dispatch.h) */
long sys_mmap(struct sysreq *r, uint64_t addr, unsigned long len, unsigned long prot,
	      unsigned long flags, int fd, unsigned long off);
long sys_munmap(struct sysreq *r, uint64_t addr, unsigned long len);
long sys_mprotect(struct sysreq *r, uint64_t start, unsigned long len, unsigned long prot);
long sys_brk(struct sysreq *r, uint64_t brk);
long sys_mremap(struct sysreq *r, uint64_t addr, unsigned long old_len, unsigned long new_len,
		uint64_t flags, uint64_t new_addr);
long sys_madvise(struct sysreq *r, uint64_t start, unsigned long len, int advice);
long sys_mlock(struct sysreq *r, uint64_t start, unsigned long len);
long sys_munlock(struct sysreq *r, uint64_t start, unsigned long len);
long sys_mlock2(struct sysreq *r, uint64_t start, unsigned long len, unsigned flags);
long sys_mlockall(struct sysreq *r, unsigned long flags);
long sys_munlockall(struct sysreq *r);
long sys_sigaltstack(struct sysreq *r, uint64_t ss, uint64_t old);
long sys_rt_sigaction(struct sysreq *r, int sig, uint64_t act, uint64_t oact, unsigned long size);
/* After a page fault Persona resolved: if the kernel reset the guest's handler
 * because the signal was blocked when the fault hit, put it back and block the
 * signal again. */
void mm_fault_restore_disposition(struct task *t, int sig);
/* At clone of a thread: the top of its new stack made present (see sigfault.c). */
void mm_prefault_stack(struct task *t, uint64_t sp);
long sys_rseq(struct sysreq *r, uint64_t area, unsigned long len, unsigned long flags, unsigned long sig);

/* For the loader (services/mm/mm_map.c): building t's address space at its exec
 * event. mm_exec() gives t a fresh mm holding the host's (the stub's) mappings.
 * mm_map_managed, mm_prefill and mm_zero_range change only the tables; the host
 * learns the new range at once, with mm_install_new (present pages mapped in runs
 * of contiguous frames, the rest reserved): a few injected calls instead of one
 * per segment plus a fault per page window. */
struct memobj;
int mm_map_managed(struct task *t, uint64_t start, uint64_t len, unsigned prot, uint32_t vflags,
		   struct memobj *obj, uint64_t pgoff, const char *name);
/* Makes [start, end) present in the tables: file pages from the page cache (read
 * into it in contiguous runs on a miss), with `write` private copies. 0 or -errno
 * (-ENOMEM: the pool is empty; what was filled stays). */
int mm_prefill(struct task *t, uint64_t start, uint64_t end, bool write);
/* Whether a segment of `pages` pages of an ELF file is made present whole: at most
 * MM_SEGMENT_MAX pages, and the pool has four times that free (so a small --mem is
 * not filled with text at exec). */
bool mm_segment_whole(uint64_t pages);
int mm_zero_range(struct task *t, uint64_t from, uint64_t to);	/* fills, then zeroes */
/* Mirrors [start, end), which the host has nothing of, in the host. 0 or -errno. */
int mm_install_new(struct task *t, uint64_t start, uint64_t end);
/* The stub's pages [lo, hi) stay in t's new image as its trampoline, out of the
 * tables (so out of the guest's sight): code runs batches of injected calls with
 * the table at `table` (core/inject.h), for this process and its forks. */
void mm_set_tramp(struct task *t, uint64_t code, uint64_t table, uint64_t lo, uint64_t hi);
int mm_unmap_range(struct task *t, uint64_t start, uint64_t end);
int64_t mm_free_area(struct task *t, uint64_t len);	/* top-down, like mmap(NULL) */
/* The argument and environment strings' bounds the host gave the new image. */
int mm_get_strings(struct task *t, uint64_t *arg_start, uint64_t *arg_end, uint64_t *env_start,
		   uint64_t *env_end);
void mm_set_layout(struct task *t, uint64_t start_brk, uint64_t start_stack, uint64_t arg_start,
		   uint64_t arg_end, uint64_t env_start, uint64_t env_end);
struct memobj *mm_file_object(int fd);	/* takes the fd */
void mm_object_put(struct memobj *o);
uint64_t mm_mmap_base(struct task *t);
/* The fields of /proc/PID/stat by their number in proc(5) (v[28] start_stack, v[47]
 * start_brk, v[48..51] the argument and environment bounds). 0 or -errno. */
int mm_host_stat(pid_t pid, uint64_t v[64]);
uint64_t mm_random_pages(unsigned bits);	/* random, page aligned, below 2^(bits+12) */
struct vma;
/* A VMA of t's mm named `name` (0), or -ENOENT. */
int mm_find_named(struct task *t, const char *name, struct vma **out);
/* The first VMA named `name` and the ones adjacent after it with the same name, as
 * [*start, *end) (0), or -ENOENT. */
int mm_named_span(struct task *t, const char *name, uint64_t *start, uint64_t *end);
int mm_aslr(void);				/* --aslr */
void mm_set_brk(struct task *t, uint64_t start_brk);
/* t's heap: its start and the break (true), or false without a managed mm. */
bool mm_brk_values(struct task *t, uint64_t *start_brk, uint64_t *brk);
/* Whether t's shim may shrink the heap itself: t alone in its mm, no swap device,
 * the heap one plain anonymous read-write VMA up to the break. */
bool mm_heap_shrinkable(struct task *t);
/* Follows a shrink the shim made (the break it left in its data page): the tables
 * lose the pages once the host no longer maps them, which is checked (a guest may
 * lie: a claim that does not hold is undone in its page, and the tables stand).
 * Called at each stop of t, and before a /proc file shows t's memory. */
void mm_heap_sync(struct task *t);
void mm_set_exe(struct task *t, const char *path);	/* the program, for /proc/PID/exe */
const char *mm_exe(struct task *t);			/* NULL: the host's exe stands */

/* For the in-guest shim (core/shim_region.c; services/mm/shim_mem.c). Frames of the
 * pool: 2^order contiguous zeroed frames, the first pfn returned (or -ENOMEM) and their
 * address in the supervisor's direct map in *mem. */
int64_t mm_frames_alloc(unsigned order, void **mem);
void mm_frames_free(uint64_t first, unsigned order);
/* A cached file's identity and version (its page-cache key; opaque, compared whole):
 * the shim remembers patched call sites of programs and libraries by it, across
 * processes. */
struct mm_text_id { uint64_t w[5]; };
/* Whether addr is in an executable private mapping of a cached file: its identity and
 * the file offset of addr. */
bool mm_text_file_offset(struct task *t, uint64_t addr, struct mm_text_id *id, uint64_t *off);
/* Calls fn for each executable private mapping of a cached file in t's mm: its range,
 * the file's identity and the file offset of start. */
void mm_text_vmas(struct task *t, void (*fn)(void *ctx, uint64_t start, uint64_t end,
					      const struct mm_text_id *id, uint64_t off), void *ctx);
/* Reads len bytes at addr from t's page tables (pages present in them only: -EFAULT
 * otherwise), not from the host's mappings, which may not be installed yet. */
int mm_peek(struct task *t, uint64_t addr, void *dst, size_t len);
/* Whether no VMA of t's mm meets [start, end). */
bool mm_range_free(struct task *t, uint64_t start, uint64_t end);
/* Maps npages frames from `first` at va in t (stopped: an injected mmap, MAP_SHARED
 * of the pool) and, with `record`, enters the range as a special VMA named `name`
 * (VM_HOST: never faulted, forked by the host). 0 or -errno. */
int mm_map_special(struct task *t, uint64_t va, uint64_t first, unsigned npages, unsigned prot,
		   const char *name, bool record);
/* Writes len bytes (within one page) at addr of t's text: a managed private
 * executable VMA. The page becomes the process's own copy first. With `fresh` the
 * bytes always go into a new copy, mapped in place of the old page by one host call:
 * other threads running that code see the old page or the new one, never a
 * half-written instruction (cross-modifying code). 0 or -errno. */
int mm_poke_text(struct task *t, uint64_t addr, const void *src, size_t len, bool fresh);

/* --stats */
void mm_print_stats(void);
#endif
