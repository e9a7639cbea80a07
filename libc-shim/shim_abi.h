/* libc-shim/shim_abi.h - what the in-guest shim and the supervisor share: where the
 * shim lives in every guest, the layout of its pages, and the request/reply protocol
 * of a channel. Freestanding (the shim has no libc): integer types only.
 *
 * The region, at a fixed address in every guest that has it (docs/shim.md):
 *
 *   SHIM_TABLE  one page: the jump table. A patched call site reads its target here
 *               (`jmp *SHIM_TABLE+8k`); the address is chosen so the two last bytes
 *               of that 7-byte instruction are 0f 05, the original `syscall`.
 *   SHIM_TEXT   the shim's code (libc-shim/entry.S, shim.c), then the per-site stubs
 *               the supervisor writes (SHIM_STUB_SIZE bytes each).
 *   SHIM_DATA   one page: a header and one channel per guest thread (struct shim_chan).
 *   SHIM_SPEC   two read-only pages: for each syscall number, how its arguments reach
 *               memory (struct shim_spec), for the calls the shim runs natively after
 *               making their buffers present (the memory manager's uaccess rules).
 *
 * Every page is a frame of Persona's pool, private to the process (fork gets fresh
 * ones). The guest can write the data page, so the supervisor reads a request once
 * into its own memory and validates it there; nothing in it is trusted. */
#ifndef PERSONA_SHIM_ABI_H
#define PERSONA_SHIM_ABI_H
#define SHIM_BASE	0x050f0000UL
#define SHIM_TABLE	SHIM_BASE
#define SHIM_TEXT	(SHIM_BASE + 0x1000)
#define SHIM_TEXT_PAGES	4		/* the blob (at most 2 pages) and the stubs */
#define SHIM_DATA	(SHIM_TEXT + SHIM_TEXT_PAGES * 0x1000)
#define SHIM_SPEC	(SHIM_DATA + 0x1000)	/* 2 pages: struct shim_spec per number */
#define SHIM_SPEC_PAGES	2
#define SHIM_PAGES	(2 + SHIM_TEXT_PAGES + SHIM_SPEC_PAGES)
#define SHIM_END	(SHIM_BASE + SHIM_PAGES * 0x1000)
#define SHIM_TABLE_SLOTS 512		/* one page of 8-byte targets */
#define SHIM_STUB_SIZE	32
#define SHIM_MAX_NR	512		/* syscall numbers the class bitmap covers */

#define SHIM_MAGIC	0x6d696873	/* "shim" */
#define SHIM_VERSION	2
#define SHIM_CLASS_OFF	16		/* offset of shim_data.class_bits (entry.S) */
#define SHIM_PROBE_FAULT	(-2)	/* a probe's result when the fixup ran */

#ifndef __ASSEMBLER__
#include <stdint.h>

/* How one argument reaches memory (shim_spec.arg): kind << 12 | param. For IN and
 * OUT ranges, param with SPEC_FIXED is a size in bytes, else len_arg | mult << 3 (the
 * size is args[len_arg] * mult); for STR, param is the longest string >> 8; for
 * IOV_IN/IOV_OUT, param is the argument holding the iovec count. */
enum shim_spec_kind {
	SPEC_NONE = 0, SPEC_IN = 1, SPEC_OUT = 2, SPEC_STR = 3, SPEC_IOV_IN = 4, SPEC_IOV_OUT = 5,
};
#define SPEC_FIXED	0x800
#define SPEC_GENERIC	1	/* shim_spec.flags: the shim runs this call natively */
#define SPEC_FUTEX	2	/* ... touching what the futex operation names */
#define SPEC_PATH	4	/* ... when its path (the STR argument, relative to the
				 * first descriptor argument) is not in /proc */

struct shim_spec {
	uint16_t arg[6];
	uint8_t fds;		/* arguments that are descriptors (never the pool's) */
	uint8_t flags;		/* SPEC_*; 0: the shim does not run this number */
	uint16_t pad;
};
_Static_assert(sizeof(struct shim_spec) * SHIM_MAX_NR == SHIM_SPEC_PAGES * 0x1000, "spec table");

/* At the start of the blob (entry.S): offsets from SHIM_TEXT, for the supervisor. */
struct shim_header {
	uint32_t magic, version;
	uint32_t entry;		/* shim_entry: where stubs jump */
	uint32_t gadget_end;	/* just after the one `syscall` the filter lets through */
	uint32_t size;		/* bytes of the blob; stubs follow at the next 256 bytes */
	/* The shim's accesses to guest memory (its exception table, as Linux's
	 * extable): a fault at an address in [probe_start, probe_end) that the memory
	 * manager cannot resolve is not a signal for the guest: the supervisor resumes
	 * the thread at probe_fixup, which returns SHIM_PROBE_FAULT to the shim's C
	 * code, and the call goes to the ptrace path (which answers EFAULT as Linux). */
	uint32_t probe_start, probe_end, probe_fixup;
};

/* Channel states (the futex word). */
enum shim_state {
	SHIM_FREE = 0,		/* no thread owns the channel */
	SHIM_IDLE = 1,		/* owned; no request */
	SHIM_REQ = 2,		/* guest -> supervisor: nr and args are set */
	SHIM_DONE = 3,		/* supervisor -> guest: action and ret are set */
	SHIM_BUSY = 4,		/* guest: filling a request (a nested call must not use it) */
};

/* Which answers a channel holds (shim_chan.have). */
#define SHIM_HAVE_PID	1u
#define SHIM_HAVE_TID	2u
#define SHIM_HAVE_PPID	4u
#define SHIM_HAVE_PGRP	8u
#define SHIM_HAVE_SID	16u

/* Reply actions. */
enum shim_action {
	SHIM_RET = 1,		/* the syscall is emulated: ret is the result */
	SHIM_NATIVE = 2,	/* run the syscall natively (the shim's allowed gadget) */
	SHIM_TRACED = 3,	/* re-execute it at its site: the ptrace path (exit hooks...) */
};

struct shim_chan {
	volatile uint32_t state;	/* enum shim_state: the futex word */
	volatile uint32_t waiting;	/* the guest sleeps in FUTEX_WAIT: wake it */
	int32_t tid;			/* host tid owning the channel (supervisor writes) */
	int32_t vtid, vpid;		/* answers the guest may give itself, valid */
	int32_t vppid, vpgrp, vsid;	/* where `have` says so (the supervisor keeps them
					 * current: setpgid, setsid, reparenting) */
	uint32_t have;			/* SHIM_HAVE_* */
	uint32_t action;		/* enum shim_action */
	int64_t nr;
	uint64_t args[6];
	int64_t ret;
	uint32_t requests, served_here;	/* counters the guest keeps (informational) */
	uint64_t clear_tid;		/* the addresses the shim's set_tid_address and rseq */
	uint64_t rseq_area;		/* gave the kernel (hints for the memory manager,
					 * which keeps those pages writable: untrusted) */
};

#define SHIM_HDR_SIZE	256
#define SHIM_NCHAN	((0x1000 - SHIM_HDR_SIZE) / sizeof(struct shim_chan))

struct shim_data {
	uint32_t magic, version;
	uint32_t nchan;
	uint32_t spin;			/* iterations the guest spins before FUTEX_WAIT */
	uint64_t class_bits[SHIM_MAX_NR / 64];	/* syscalls the shim takes (a hint) */
	volatile uint32_t sup_cpu;	/* the CPU the supervisor last served from */
	int32_t pool_fd;		/* the frame pool's descriptor: never used natively */
	uint64_t path_native, path_traced;	/* path calls run here / sent to ptrace
					 * (counters the guest keeps: informational) */
	uint64_t generic_native, generic_traced;	/* the same for the uaccess calls */
	uint64_t uaccess_floor;		/* memory at or above is the host's (its stack, the
					 * vDSO): always present, never touched */
	volatile uint64_t start_brk, brk;	/* the process's heap, as brk(0) answers it
					 * (the supervisor keeps them current; 0: unknown);
					 * the shim lowers brk when it shrinks the heap */
	volatile uint32_t heap_shrink;	/* 1: the shim may shrink the heap itself (alone
					 * in its mm, the heap one plain VMA: set at each
					 * resume by the supervisor) */
	uint32_t pad32;
	uint8_t pad[SHIM_HDR_SIZE - 16 - SHIM_MAX_NR / 8 - 8 - 40 - 16 - 8];
	struct shim_chan chan[SHIM_NCHAN];
};

_Static_assert(sizeof(struct shim_chan) == 128, "channel size");
_Static_assert(sizeof(struct shim_data) <= 0x1000, "data page");
_Static_assert(__builtin_offsetof(struct shim_data, class_bits) == SHIM_CLASS_OFF, "class bits");
#endif
#endif
