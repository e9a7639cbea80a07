/* core/shim_internal.h - the shim's supervisor-side state, shared by
 * core/shim_region.c (regions, channels, lifecycle) and core/trap_shim.c (requests,
 * patching). Not for other modules: they use core/shim.h. */
#ifndef PERSONA_SHIM_INTERNAL_H
#define PERSONA_SHIM_INTERNAL_H
#include "core/shim.h"
#include "libc-shim/shim_abi.h"

#define SHIM_ORDER	3	/* 8 frames hold the SHIM_PAGES pages */
#define SHIM_TAG	(1ULL << 63)	/* ring completions of channel waits */
#define SHIM_SEEN	256	/* sites remembered until they are patched (4-way sets) */
#define SHIM_PATCH_AFTER 3	/* a site is patched at its third trap (trap_shim.c) */

/* One process's shim (one per mm: threads and vfork children share it). */
struct shim_region {
	unsigned refs;			/* tasks using it */
	uint32_t id;			/* index in the region table (tags) */
	uint32_t gen;			/* generation of that index (stale tags) */
	int64_t pfn;			/* first of its 2^SHIM_ORDER frames */
	uint8_t *mem;			/* the pages in the direct map, SHIM_BASE first */
	struct shim_data *data;		/* the data page (guest-writable: untrusted) */
	struct task *owner[SHIM_NCHAN];	/* the task of each channel */
	bool off;			/* the guest has its own filter: serve nothing */
	unsigned nstubs;		/* stubs written (= table slots used) */
	uint64_t site[SHIM_TABLE_SLOTS];	/* patched sites, by stub */
	uint64_t seen[SHIM_SEEN];	/* sites trapped, not yet patched, and how often (a hash) */
};

struct shim_stats {
	uint64_t regions, requests, emulated, native, traced, patched, patch_refused;
	uint64_t prepatched;		/* learned sites patched in new images */
	uint64_t guest_answers;		/* as the guests counted them */
	uint64_t path_native, path_traced;	/* likewise */
	uint64_t generic_native, generic_traced;	/* likewise */
	uint64_t fixups;		/* faults of the shim's probes sent to the fixup */
};
extern struct shim_stats shim_stat;
extern uint64_t shim_poll_ns;	/* the supervisor's watch after a reply */
extern uint32_t shim_spin;	/* the guest's spins before FUTEX_WAIT */
extern const struct shim_header *shim_hdr;	/* the blob's header */

/* The region and channel of a ring tag, NULL when stale. */
struct shim_region *shim_region_of_tag(uint64_t tag, unsigned *chan);
uint64_t shim_tag(const struct shim_region *r, unsigned chan);
/* Patches the sites learned in other processes into t's new image (shim_exec). */
void shim_prepatch(struct task *t);
/* Where stubs start in the text pages, and how many fit. */
unsigned shim_stub_base(void);
unsigned shim_stub_max(void);
/* Arms the ring's wait on a channel's state word, which held `seen` (never
 * SHIM_REQ: a request posted before the wait is armed has already sent its wake-up,
 * so it must be served first; any other value the guest changes before the wait
 * reaches the kernel makes it complete at once, -EAGAIN). */
void shim_arm(struct shim_region *r, unsigned chan, uint32_t seen);
#endif
