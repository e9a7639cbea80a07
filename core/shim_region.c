/* core/shim_region.c - the shim in each guest process: its pages (frames of the
 * pool, mapped at SHIM_BASE), its channels, and their life across exec, fork,
 * clone and exit. See core/shim.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <linux/sched.h>
#include "core/syscall_table.h"
#include "services/mm/swap.h"
#include "core/evloop.h"
#include "core/log.h"
#include "core/shim_internal.h"
#include "core/trap.h"
#include "loader/exec.h"
#include "services/mm/mm.h"

extern const unsigned char shim_blob[];
extern const uint64_t shim_blob_size;

bool shim_enabled;
struct shim_stats shim_stat;
const struct shim_header *shim_hdr;

#define MAX_REGIONS 4096
static struct shim_region *regions[MAX_REGIONS];
static uint32_t region_gen[MAX_REGIONS];

/* the channel's class: id queries answered from the task table (services/pm), and
 * set_tid_address and rseq, which the shim runs itself (their handlers never inject:
 * a forged request only records an address) */
static const long class_nrs[] = { SYS_getpid, SYS_gettid, SYS_getppid, SYS_getpgrp,
				  SYS_getpgid, SYS_getsid, SYS_set_tid_address, SYS_rseq };
/* answered in the guest when they can be, else sent to the ptrace path, never to the
 * channel (brk's handler injects: it must run at a stop) */
static const long local_nrs[] = { SYS_brk };
#define NLOCAL (sizeof local_nrs / sizeof local_nrs[0])
/* the path calls the shim runs itself when the supervisor would not change them
 * (services/procfs/paths.c, dents.c), and getdents64 of a directory not in /proc */
static const long path_nrs[] = {
	SYS_open, SYS_stat, SYS_lstat, SYS_access, SYS_readlink, SYS_openat, SYS_newfstatat,
	SYS_readlinkat, SYS_faccessat, SYS_statx, SYS_faccessat2, SYS_getdents64,
};
#define NPATH (sizeof path_nrs / sizeof path_nrs[0])
#define NCLASS (sizeof class_nrs / sizeof class_nrs[0])

/* For each number the shim runs itself (the path calls, and the calls trapped only
 * for the memory manager: no handler, a pointer argument in managed memory), how
 * its arguments reach memory, as services/mm/uaccess.c would prefault them, and
 * which are descriptors (libc-shim/shim.c). Built at shim_init from the syscall
 * table; the memory class is off with a swap device, which could take a touched page
 * back before the call reads it. */
static struct shim_spec spec_table[SHIM_MAX_NR];
static struct shim_native native_nrs[NCLASS + 7 + SHIM_MAX_NR];
static unsigned nnative;

static bool path_call(long nr)
{
	for (unsigned i = 0; i < NPATH; i++)
		if (path_nrs[i] == nr) return true;
	return false;
}

/* The spec of syscall nr, or false when the shim must not run it itself */
static bool build_spec(long nr, struct shim_spec *s)
{
	const struct syscall_desc *d = syscall_desc(nr);
	bool path = path_call(nr);
	memset(s, 0, sizeof *s);
	if (!d || !d->name || (d->handler && !path) || mm_uaccess_exempt(d)) return false;
	if (!path && swap_active()) return false;
	/* mincore's address is its question; process_vm_*'s iovecs name another
	 * process's memory */
	if (!strcmp(d->name, "mincore") || !strncmp(d->name, "process_vm_", 11)) return false;
	bool memory = false;
	for (int i = 0; i < d->nargs && i < 6; i++) {
		enum arg_type t = A_TYPE(d->args[i]);
		if (t == A_FD || t == A_DIRFD) s->fds |= 1u << i;
		struct uaccess_desc u;
		if (!mm_uaccess_arg(d, i) || !mm_uaccess_describe(d, i, &u)) continue;
		unsigned kind, param;
		switch (u.reach) {
		case R_RANGE:
			kind = u.write ? SPEC_OUT : SPEC_IN;
			if (u.len_arg < 0) {
				if (u.fixed >= SPEC_FIXED) return false;
				param = SPEC_FIXED | u.fixed;
			} else {
				if (u.mult > 255 || u.len_arg > 5) return false;
				param = (unsigned)u.len_arg | u.mult << 3;
			}
			break;
		case R_STRING: kind = SPEC_STR; param = u.fixed >> 8; break;
		case R_IOVEC:
			if (u.len_arg < 0 || u.len_arg > 5) return false;
			kind = u.write ? SPEC_IOV_OUT : SPEC_IOV_IN;
			param = (unsigned)u.len_arg;
			break;
		default: return false;	/* argv, msghdr: pointers within pointers */
		}
		s->arg[i] = (uint16_t)(kind << 12 | param);
		memory = true;
	}
	if (!memory) return false;
	s->flags = path ? SPEC_PATH : SPEC_GENERIC;
	if (nr == SYS_futex) {	/* which arguments are pointers depends on the operation */
		memset(s->arg, 0, sizeof s->arg);
		s->flags |= SPEC_FUTEX;
	}
	return true;
}

/* The filter's list: what the shim itself calls (its futex and gettid, the class
 * answered SHIM_NATIVE, statfs and fstatfs for its directory test) and every number
 * of the spec table, each once */
static void add_native(long nr, uint8_t fds)
{
	for (unsigned i = 0; i < nnative; i++)
		if (native_nrs[i].nr == nr) return;
	native_nrs[nnative++] = (struct shim_native){ nr, fds };
}

static void build_specs(void)
{
	nnative = 0;
	add_native(SYS_futex, 0);
	for (unsigned i = 0; i < NCLASS; i++) add_native(class_nrs[i], 0);
	add_native(SYS_statfs, 0);
	add_native(SYS_fstatfs, 1);
	/* the path calls' resolution: openat2 (RESOLVE_NO_XDEV), then the call on its
	 * descriptor, closed after; getdents64 on a dup (libc-shim/shim.c) */
	add_native(SYS_openat2, 1);
	add_native(SYS_close, 1);
	add_native(SYS_dup, 1);
	/* the heap's shrink (brk): a guest can unmap only its own memory; the
	 * supervisor frees a frame only once it sees the host no longer maps it
	 * (services/mm/mmap.c mm_heap_sync) */
	add_native(SYS_munmap, 0);
	for (long nr = 0; nr < SHIM_MAX_NR; nr++) {
		if (!build_spec(nr, &spec_table[nr])) continue;
		add_native(nr, spec_table[nr].fds);
		DBG(DBG_SYSCALL, "shim: runs %s after touching its memory%s", syscall_desc(nr)->name,
		    spec_table[nr].flags & SPEC_PATH ? ", when its path is not in /proc" : "");
	}
}

bool shim_in_class(long nr)
{
	for (unsigned i = 0; i < NCLASS; i++)
		if (class_nrs[i] == nr) return true;
	return false;
}

bool shim_patchable(long nr)
{
	if (nr >= 0 && nr < SHIM_MAX_NR && spec_table[nr].flags) return true;
	for (unsigned i = 0; i < NLOCAL; i++)
		if (local_nrs[i] == nr) return true;
	return shim_in_class(nr);
}

uint64_t shim_gadget_ip(void) { return SHIM_TEXT + shim_hdr->gadget_end; }

const struct shim_native *shim_native_nrs(unsigned *n)
{
	*n = nnative;
	return native_nrs;
}

unsigned shim_stub_base(void) { return (shim_hdr->size + 255) & ~255u; }

unsigned shim_stub_max(void)
{
	unsigned n = (SHIM_TEXT_PAGES * 4096 - shim_stub_base()) / SHIM_STUB_SIZE;
	return n < SHIM_TABLE_SLOTS ? n : SHIM_TABLE_SLOTS;
}

uint32_t shim_spin = 500;	/* ~10 us of pause on the EPYC VM (20 ns each) */

int shim_init(void)
{
	/* for measurements (docs/shim.md): PERSONA_SHIM_SPIN, PERSONA_SHIM_POLL_NS */
	const char *e = getenv("PERSONA_SHIM_SPIN");
	if (e) shim_spin = (uint32_t)strtoul(e, NULL, 10);
	if ((e = getenv("PERSONA_SHIM_POLL_NS"))) shim_poll_ns = strtoull(e, NULL, 10);
	const struct shim_header *h = (const struct shim_header *)shim_blob;
	if (shim_blob_size < sizeof *h || h->magic != SHIM_MAGIC || h->version != SHIM_VERSION ||
	    h->size != shim_blob_size || h->entry >= h->size || h->gadget_end >= h->size ||
	    h->probe_start > h->probe_end || h->probe_end > h->probe_fixup || h->probe_fixup >= h->size ||
	    shim_blob_size > 2 * 4096) {
		log_err("--trap=shim: the embedded shim is damaged");
		return -EINVAL;
	}
	shim_hdr = h;
	if (!mm_active() || !loader_enabled) return -EINVAL;
	int err = syscall_table_init();	/* the names the memory manager's rules use */
	if (err) return err;
	build_specs();
	loader_set_image_hook(shim_exec);	/* each image the loader builds gets a shim */
	return 0;
}

uint64_t shim_tag(const struct shim_region *r, unsigned chan)
{
	return SHIM_TAG | ((uint64_t)r->gen << 24) | ((uint64_t)r->id << 8) | chan;
}

struct shim_region *shim_region_of_tag(uint64_t tag, unsigned *chan)
{
	uint32_t id = (tag >> 8) & 0xffff, gen = (uint32_t)(tag >> 24) & 0xffffff;
	*chan = tag & 0xff;
	if (id >= MAX_REGIONS || !regions[id] || (region_gen[id] & 0xffffff) != gen ||
	    *chan >= SHIM_NCHAN)
		return NULL;
	return regions[id];
}

void shim_arm(struct shim_region *r, unsigned chan, uint32_t seen)
{
	evloop_futex_wait(&r->data->chan[chan].state, seen, 1, shim_tag(r, chan));
}

/* A region with the blob (or a copy of `from`'s code, stubs and table) and an
 * empty data page. NULL when the pool or the region table is full. */
static struct shim_region *region_new(const struct shim_region *from)
{
	unsigned id = 0;
	while (id < MAX_REGIONS && regions[id]) id++;
	struct shim_region *r = id < MAX_REGIONS ? calloc(1, sizeof *r) : NULL;
	if (!r) return NULL;
	void *mem;
	r->pfn = mm_frames_alloc(SHIM_ORDER, &mem);
	if (r->pfn < 0) {
		free(r);
		return NULL;
	}
	r->mem = mem;
	r->id = id;
	r->gen = ++region_gen[id] & 0xffffff;
	regions[id] = r;
	if (from) {
		memcpy(r->mem, from->mem, (1 + SHIM_TEXT_PAGES) * 4096);
		r->nstubs = from->nstubs;
		r->off = from->off;
		memcpy(r->site, from->site, sizeof r->site);
	} else {
		memcpy(r->mem + 4096, shim_blob, shim_blob_size);
	}
	r->data = (struct shim_data *)(r->mem + (SHIM_DATA - SHIM_BASE));
	r->data->version = SHIM_VERSION;
	r->data->nchan = SHIM_NCHAN;
	r->data->spin = shim_spin;
	r->data->pool_fd = MM_POOL_FD;
	r->data->uaccess_floor = MM_UACCESS_FLOOR;
	for (unsigned i = 0; i < NCLASS && !r->off; i++)
		r->data->class_bits[class_nrs[i] / 64] |= 1ULL << (class_nrs[i] % 64);
	for (unsigned i = 0; i < NLOCAL && !r->off; i++)
		r->data->class_bits[local_nrs[i] / 64] |= 1ULL << (local_nrs[i] % 64);
	for (long nr = 0; nr < SHIM_MAX_NR && !r->off; nr++)
		if (spec_table[nr].flags) r->data->class_bits[nr / 64] |= 1ULL << (nr % 64);
	memcpy(r->mem + (SHIM_SPEC - SHIM_BASE), spec_table, sizeof spec_table);
	__atomic_store_n(&r->data->magic, SHIM_MAGIC, __ATOMIC_RELEASE);
	shim_stat.regions++;
	return r;
}

static void region_put(struct shim_region *r)
{
	if (!r || --r->refs) return;
	shim_stat.path_native += r->data->path_native;	/* the guest's counts: informational */
	shim_stat.path_traced += r->data->path_traced;
	shim_stat.generic_native += r->data->generic_native;
	shim_stat.generic_traced += r->data->generic_traced;
	regions[r->id] = NULL;
	mm_frames_free((uint64_t)r->pfn, SHIM_ORDER);
	free(r);
}

/* Maps r's pages at SHIM_BASE in t (stopped); `record` enters them as VMAs. */
static int region_map(struct task *t, struct shim_region *r, bool record)
{
	uint64_t p = (uint64_t)r->pfn;
	int err = mm_map_special(t, SHIM_TABLE, p, 1, PROT_READ, "[persona]", record);
	if (!err) err = mm_map_special(t, SHIM_TEXT, p + 1, SHIM_TEXT_PAGES, PROT_READ | PROT_EXEC,
				       "[persona]", record);
	if (!err) err = mm_map_special(t, SHIM_DATA, p + 1 + SHIM_TEXT_PAGES, 1,
				       PROT_READ | PROT_WRITE, "[persona]", record);
	if (!err) err = mm_map_special(t, SHIM_SPEC, p + 2 + SHIM_TEXT_PAGES, SHIM_SPEC_PAGES,
				       PROT_READ, "[persona]", record);
	return err;
}

static int32_t vid_of(struct pidnum *p) { return p ? p->virt : 0; }

/* The answers t's shim may give itself, as the handlers of services/pm would give
 * them. A nested pid namespace has the kernel's ids: none, ask each time. */
static void chan_fill_ids(struct shim_chan *c, struct task *t)
{
	struct task *l = t->leader, *p = l->parent;
	uint32_t have = 0;
	if (!t->nested_pidns && !(t->shim && t->shim->off)) {
		c->vpid = task_vpid(t);
		c->vtid = task_vtid(t);
		c->vppid = p ? task_vpid(p) : 0;
		c->vpgrp = vid_of(l->pgrp);
		c->vsid = vid_of(l->session);
		have = SHIM_HAVE_PID | SHIM_HAVE_TID | SHIM_HAVE_PPID | SHIM_HAVE_PGRP | SHIM_HAVE_SID;
	}
	__atomic_store_n(&c->have, have, __ATOMIC_RELEASE);
}

/* t's channel, NULL without one */
static struct shim_chan *chan_of(struct task *t)
{
	return t->shim && t->shim_has_chan ? &t->shim->data->chan[t->shim_chan] : NULL;
}

uint64_t shim_clear_tid(struct task *t)
{
	struct shim_chan *c = chan_of(t);
	return c ? c->clear_tid : 0;
}

uint64_t shim_rseq_area(struct task *t)
{
	struct shim_chan *c = chan_of(t);
	return c ? c->rseq_area : 0;
}

bool shim_heap_break(struct task *t, uint64_t *brk)
{
	struct shim_region *r = t->shim;
	if (!r || r->off) return false;
	*brk = __atomic_load_n(&r->data->brk, __ATOMIC_ACQUIRE);
	return true;
}

void shim_heap_publish(struct task *t)
{
	struct shim_region *r = t->shim;
	if (!r || r->off) return;
	uint32_t ok = mm_heap_shrinkable(t);
	if (r->data->heap_shrink != ok) __atomic_store_n(&r->data->heap_shrink, ok, __ATOMIC_RELEASE);
}

void shim_forget_rseq(struct task *t)
{
	struct shim_chan *c = chan_of(t);
	if (c) c->rseq_area = 0;
}

void shim_brk_changed(struct task *t)
{
	struct shim_region *r = t->shim;
	uint64_t start, brk;
	if (!r || !mm_brk_values(t, &start, &brk)) return;
	r->data->brk = brk;
	__atomic_store_n(&r->data->start_brk, start, __ATOMIC_RELEASE);
}

void shim_ids_changed(struct task *leader)
{
	struct list_head *pos;
	list_for_each(pos, &leader->threads) {
		struct task *t = list_entry(pos, struct task, thread_node);
		struct shim_chan *c = chan_of(t);
		if (c) chan_fill_ids(c, t);
	}
}

/* Gives t a channel of its region (none when all are taken: its calls take the
 * ptrace path), with the answers the shim may give itself. */
static void chan_assign(struct task *t)
{
	struct shim_region *r = t->shim;
	for (unsigned i = 0; i < SHIM_NCHAN; i++) {
		if (r->owner[i]) continue;
		struct shim_chan *c = &r->data->chan[i];
		memset(c, 0, sizeof *c);
		r->owner[i] = t;
		c->tid = t->tid;
		chan_fill_ids(c, t);
		__atomic_store_n(&c->state, SHIM_IDLE, __ATOMIC_RELEASE);
		t->shim_chan = (int)i;
		t->shim_has_chan = true;
		shim_arm(r, i, SHIM_IDLE);
		return;
	}
	DBG(DBG_SYSCALL, "[%d] shim: no free channel", task_vtid(t));
}

static void chan_release(struct task *t)
{
	struct shim_region *r = t->shim;
	if (!r || !t->shim_has_chan) return;
	unsigned i = (unsigned)t->shim_chan;
	struct shim_chan *c = &r->data->chan[i];
	evloop_cancel(shim_tag(r, i));
	r->owner[i] = NULL;
	shim_stat.guest_answers += c->served_here;	/* the guest's own count: informational */
	c->have = 0;
	c->tid = 0;
	__atomic_store_n(&c->state, SHIM_FREE, __ATOMIC_RELEASE);
	t->shim_has_chan = false;
}

void shim_task_gone(struct task *t)
{
	chan_release(t);
	region_put(t->shim);
	region_put(t->shim_copy_from);
	t->shim = t->shim_copy_from = NULL;
}

void shim_guest_seccomp(struct task *t)
{
	struct shim_region *r = t->shim ? t->shim : t->shim_copy_from;
	if (!r || r->off) return;
	r->off = true;
	memset(r->data->class_bits, 0, sizeof r->data->class_bits);
	for (unsigned i = 0; i < SHIM_NCHAN; i++) r->data->chan[i].have = 0;
	DBG(DBG_SYSCALL, "[%d] shim: the guest has its own seccomp filter: shim off", task_vtid(t));
}

void shim_exec(struct task *t)
{
	shim_task_gone(t);
	if (!shim_enabled || trap_observer || !t->mm || !mm_exe(t)) return;
	if (!mm_range_free(t, SHIM_BASE, SHIM_END)) {
		DBG(DBG_LOADER, "[%d] shim: %#lx is taken: no shim", task_vtid(t), SHIM_BASE);
		return;
	}
	struct shim_region *r = region_new(NULL);
	if (!r) return;
	r->refs = 1;
	if (region_map(t, r, true)) {
		region_put(r);
		return;
	}
	t->shim = r;
	chan_assign(t);
	shim_brk_changed(t);
	DBG(DBG_LOADER, "[%d] shim mapped at %#lx", task_vtid(t), SHIM_BASE);
	shim_prepatch(t);
}

void shim_clone(struct task *parent, struct task *child, unsigned long flags)
{
	struct shim_region *r = parent->shim;
	if (!r) return;
	r->refs++;
	if (flags & CLONE_VM) child->shim = r;		/* threads, vfork: one mm */
	else child->shim_copy_from = r;			/* its own copy, at the first stop */
}

void shim_first_stop(struct task *t)
{
	struct shim_region *from = t->shim_copy_from;
	if (from) {
		/* the host forked the parent's shared pages: replace them before the
		 * child runs, so its channels and stubs are its own */
		struct shim_region *r = region_new(from);
		t->shim_copy_from = NULL;
		region_put(from);
		if (!r) return;
		r->refs = 1;
		if (region_map(t, r, false)) {
			region_put(r);
			return;
		}
		t->shim = r;
		shim_brk_changed(t);
	}
	if (t->shim) chan_assign(t);
}
