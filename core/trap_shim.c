/* core/trap_shim.c - the shim as a trap backend: channel requests become struct
 * sysreq and go to the same dispatcher as ptrace stops; and the patching of call
 * sites that makes later calls reach the shim. See core/shim.h, docs/shim.md.
 *
 * A request is read once from the guest's page into the supervisor's memory and
 * checked there: the guest can write that page at any moment. Only the class's
 * handlers run for a channel request; they take no pointers, never block and change
 * nothing, so a request can also be answered "take the ptrace path" (SHIM_TRACED),
 * after which the same call is trapped and handled again from the start. */
#include <errno.h>
#include <stdlib.h>
#include <sched.h>
#include <linux/futex.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "core/dispatch.h"
#include "core/guest_mem.h"
#include "core/log.h"
#include "core/shim_internal.h"
#include "core/syscall_table.h"
#include "core/trap.h"
#include "services/mm/mm.h"

#define WAKE_GUEST	2	/* futex bitsets: the guest waits on 2, the ring on 1 */

uint64_t shim_poll_ns;	/* 0: polling made every measured case slower (docs/shim.md) */

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Runs the class handler for a request of task t; fills the reply. */
static void serve(struct task *t, struct shim_chan *c)
{
	struct sysreq req = { 0 };
	uint32_t action = SHIM_TRACED;
	long ret = 0;
	req.task = t;
	req.nr = __atomic_load_n(&c->nr, __ATOMIC_RELAXED);
	for (int i = 0; i < 6; i++) req.orig_args[i] = req.args[i] = c->args[i];
	shim_stat.requests++;
	const struct syscall_desc *d = shim_in_class(req.nr) ? syscall_desc(req.nr) : NULL;
	if (!d || !d->handler || !t->shim || t->shim->off || t->state == TASK_ZOMBIE ||
	    t->state == TASK_DEAD) {
		action = SHIM_TRACED;
	} else if (t->nested_pidns && !d->every_ns) {
		action = SHIM_NATIVE;
	} else {
		ret = dispatch_call(&req);
		if (ret == SYSRET_BLOCK) log_bug("shim: the handler of %s blocked", d->name);
		if (ret != SYSRET_NATIVE) action = SHIM_RET;
		else if (!req.args_dirty && !req.nr_dirty && !req.on_exit && !req.hold_exit)
			action = SHIM_NATIVE;
	}
	if (action == SHIM_RET) shim_stat.emulated++;
	else if (action == SHIM_NATIVE) shim_stat.native++;
	else shim_stat.traced++;
	DBG(DBG_SYSCALL, "[%d] shim: syscall %ld -> %s %ld", task_vtid(t), req.nr,
	    action == SHIM_RET ? "emulated" : action == SHIM_NATIVE ? "native" : "traced", ret);
	c->ret = ret;
	c->action = action;
	int cpu = sched_getcpu();	/* the vDSO: tells the next request whether to spin */
	t->shim->data->sup_cpu = cpu < 0 ? ~0u : (uint32_t)cpu;
	__atomic_store_n(&c->state, SHIM_DONE, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&c->waiting, __ATOMIC_SEQ_CST))
		syscall(SYS_futex, &c->state, FUTEX_WAKE_BITSET, 1, NULL, NULL, WAKE_GUEST);
}

void shim_channel_event(uint64_t tag, int res)
{
	unsigned i;
	struct shim_region *r = shim_region_of_tag(tag, &i);
	if (!r || !r->owner[i]) return;		/* released meanwhile: not re-armed */
	if (res == -ECANCELED) return;
	struct shim_chan *c = &r->data->chan[i];
	uint32_t st;
	uint64_t until = 0;
	/* After a reply, watch the channel a little while (busy polling, as NAPI):
	 * a guest in a loop of calls posts its next request within a microsecond or
	 * two, and catching it here saves two futex wake-ups, each tens of
	 * microseconds between CPUs on a VM. Bounded by shim_poll_ns per event. */
	for (int n = 0; n < 4096; n++) {
		st = __atomic_load_n(&c->state, __ATOMIC_ACQUIRE);
		if (st == SHIM_REQ) {
			serve(r->owner[i], c);
			until = now_ns() + shim_poll_ns;
			continue;
		}
		if (!until || now_ns() >= until) break;
		__builtin_ia32_pause();
	}
	if (st == SHIM_REQ) st = SHIM_DONE;	/* still asking: come back at once */
	shim_arm(r, i, st);
}

/* --- patching ---------------------------------------------------------------- */

/* The bytes before a `syscall` that a patch may move into a stub: a sequence of
 * instructions we recognise whole, position-independent (no %rip-relative operand),
 * at least 5 bytes (the patch's jump) and starting at an instruction boundary. `b`
 * holds the SITE_WINDOW bytes that end with the syscall; the result is how many
 * bytes before the syscall are moved, 0 for none.
 * - `mov $imm32,%r32` (b8+r), not preceded by a REX prefix (which would make it the
 *   tail of a movabs or an r8-r15 move); for %eax the immediate is the number just
 *   trapped. glibc's wrappers end with `mov $nr,%eax; syscall`, ld.so's open with
 *   `mov $AT_FDCWD,%edi; syscall`. Where %eax was loaded earlier, the stub leaves
 *   it alone: shim_entry tests whatever number it holds.
 * - glibc's syscall(2): `mov %r9,%r8; mov 8(%rsp),%r9; syscall`.
 * - glibc's cancellable wrappers (read, write...) in a multi-threaded process:
 *   `mov N(%rsp),%edi; xor %eax,%eax; syscall` (6 bytes).
 * - its futex wake: `mov $202,%eax; xor $N,%sil; syscall` (9 bytes).
 * - its read in a single-threaded process, at the function's (16-byte aligned)
 *   entry: `cmpb $0,__libc_single_threaded(%rip); je <cancellable path>; xor
 *   %eax,%eax; syscall` (SHAPE_READ, 11 bytes). The jump replaces the 7-byte cmpb
 *   alone (callers enter there); the stub makes the test itself (the flag's
 *   absolute address), goes on to the cancellable path when it fails, and je, xor
 *   and syscall stay in place. */
#define SITE_WINDOW 18
#define SHAPE_READ 11	/* displaced_len's answer for glibc's read */

static unsigned displaced_len(const uint8_t *b, long nr)
{
	const uint8_t *sc = b + SITE_WINDOW - 2, *e = sc;	/* e: the end of the moved bytes */
	if (sc[0] != 0x0f || sc[1] != 0x05) return 0;
	if (e[-5] >= 0xb8 && e[-5] <= 0xbf && (e[-6] & 0xf0) != 0x40) {
		uint32_t imm;
		memcpy(&imm, e - 4, 4);
		return e[-5] != 0xb8 || imm == (uint32_t)nr ? 5 : 0;
	}
	static const uint8_t glibc_syscall[8] = { 0x4d, 0x89, 0xc8, 0x4c, 0x8b, 0x4c, 0x24, 0x08 };
	if (!memcmp(e - 8, glibc_syscall, 8)) return 5;
	static const uint8_t mov_edi_rsp[3] = { 0x8b, 0x7c, 0x24 }, xor_eax[2] = { 0x31, 0xc0 };
	if (!memcmp(e - 6, mov_edi_rsp, 3) && !memcmp(e - 2, xor_eax, 2) && (e[-7] & 0xf0) != 0x40)
		return 6;
	if (e[-9] == 0xb8 && e[-4] == 0x40 && e[-3] == 0x80 && e[-2] == 0xf6 && (e[-10] & 0xf0) != 0x40) {
		uint32_t imm;
		memcpy(&imm, e - 8, 4);
		return imm == (uint32_t)nr ? 9 : 0;
	}
	static const uint8_t st_read[4] = { 0x00, 0x74, 0x31, 0xc0 };	/* ...$0; je; xor */
	if (nr == 0 && e[-11] == 0x80 && e[-10] == 0x3d && e[-5] == st_read[0] && e[-4] == st_read[1] &&
	    e[-2] == st_read[2] && e[-1] == st_read[3])
		return SHAPE_READ;
	return 0;
}

/* Whether the syscall at sc has now trapped SHIM_PATCH_AFTER times (counting this
 * one); counts it if not. A small set-associative table of sites and their trap
 * counts (user addresses are below 2^47: the count lives in the top byte); sites that
 * alternate in a loop must not evict each other. */
#define SEEN_COUNT_SHIFT 56
static bool seen_enough(struct shim_region *r, uint64_t sc)
{
	uint64_t *set = &r->seen[((sc * 0x9e3779b97f4a7c15ULL) >> 58) % (SHIM_SEEN / 4) * 4];
	const uint64_t mask = (1ULL << SEEN_COUNT_SHIFT) - 1;
	uint64_t *e = NULL;
	for (int i = 0; i < 4 && !e; i++)
		if (set[i] && (set[i] & mask) == sc) e = &set[i];
	for (int i = 0; i < 4 && !e; i++)
		if (!set[i]) e = &set[i];
	if (!e) e = &set[sc % 4];	/* full: replace one */
	uint64_t n = ((*e & mask) == sc ? *e >> SEEN_COUNT_SHIFT : 0) + 1;
	*e = n >= SHIM_PATCH_AFTER ? 0 : sc | n << SEEN_COUNT_SHIFT;
	return n >= SHIM_PATCH_AFTER;
}

/* Sites learned across processes. A call site in a program or library (an
 * executable private mapping of a cached file) is counted by the file's identity and
 * the site's file offset, in every process that traps there: ld.so's openat and
 * fstat, called once or twice per exec, never reach a third trap in one process, but
 * do across the children of a shell. At its third trap counted over two processes or
 * more, a site is learned: each later image the loader builds gets its learned sites
 * patched before it runs (the program and its interpreter: shim_exec), so its first
 * calls there already reach the shim. The shape check is all that vouches for a
 * site: a hostile guest that traps at a `syscall` inside another instruction's bytes
 * could have that place patched in the next images of the same file, i.e. break
 * other guests of the same run, which a same-user process can do on Linux too
 * (kill, ptrace); never the supervisor (docs/shim.md, threat model). Open
 * addressing, never shrunk: a full table learns nothing more. */
#define LEARN_SLOTS 2048
struct learned_site {
	struct mm_text_id id;
	uint64_t off;		/* file offset of the syscall instruction */
	uint16_t nr;		/* the number it was patched for (its shape's check) */
	uint8_t len;		/* displaced bytes (0 once learned: a shape refused) */
	uint8_t traps;		/* traps seen until learned */
	uint8_t procs;		/* distinct processes they came from */
	pid_t last_pid;		/* (the last of them) */
	bool used, learned;
};
static struct learned_site learn[LEARN_SLOTS];
static unsigned learn_used;

static struct learned_site *learn_find(const struct mm_text_id *id, uint64_t off, bool add)
{
	uint64_t h = off * 0x9e3779b97f4a7c15ULL;
	for (unsigned i = 0; i < 5; i++) h = (h ^ id->w[i]) * 0x100000001b3ULL;
	for (unsigned n = 0, i = (unsigned)(h >> 40) % LEARN_SLOTS; n < LEARN_SLOTS;
	     n++, i = (i + 1) % LEARN_SLOTS) {
		struct learned_site *l = &learn[i];
		if (!l->used) {
			if (!add || learn_used >= LEARN_SLOTS * 3 / 4) return NULL;
			learn_used++;
			*l = (struct learned_site){ .id = *id, .off = off, .used = true };
			return l;
		}
		if (l->off == off && !memcmp(&l->id, id, sizeof *id)) return l;
	}
	return NULL;
}

/* Stub k: its address in the guest (which table slot k now holds) and its bytes in
 * the direct map. */
static uint8_t *stub_begin(struct shim_region *r, unsigned k, uint64_t *addr)
{
	*addr = SHIM_TEXT + shim_stub_base() + (uint64_t)k * SHIM_STUB_SIZE;
	memcpy(r->mem + 8 * k, addr, 8);	/* the table slot */
	return r->mem + (*addr - SHIM_BASE);
}

/* At s[n] of the stub at `stub`: movabs $sc,%rcx (the site's own syscall); jmp
 * shim_entry. Returns the stub's length after them. */
static unsigned stub_enter(uint8_t *s, unsigned n, uint64_t stub, uint64_t sc)
{
	s[n++] = 0x48; s[n++] = 0xb9; memcpy(s + n, &sc, 8); n += 8;
	int32_t rel = (int32_t)((int64_t)(SHIM_TEXT + shim_hdr->entry) - (int64_t)(stub + n + 5));
	s[n++] = 0xe9; memcpy(s + n, &rel, 4); n += 4;
	return n;
}

/* Writes the site's jump (into the process's own copy of the page) and takes the
 * `slots` stubs from r->nstubs on, the first for the syscall at sc. */
static int patch_commit(struct task *t, struct shim_region *r, uint64_t site, const uint8_t *patch,
			unsigned len, uint64_t sc, unsigned slots, bool shared)
{
	int err = mm_poke_text(t, site, patch, len, shared);
	if (err) return err;
	for (unsigned i = 0; i < slots; i++) r->site[r->nstubs + i] = i ? 0 : sc;
	r->nstubs += slots;
	shim_stat.patched++;
	return 0;
}

/* glibc's read (SHAPE_READ): the stub, two stub slots long, and the 7-byte jump over
 * the cmpb at the entry. -errno if the shape is not where it must be. */
static int patch_read(struct task *t, struct shim_region *r, uint64_t sc, const uint8_t *b,
		      bool shared)
{
	unsigned k = r->nstubs;
	uint64_t site = sc - SHAPE_READ, stub;
	if (k + 2 > shim_stub_max()) return -ENOSPC;
	if (site & 15) return -EINVAL;	/* not a function's entry: callers may not enter there */
	const uint8_t *w = b + SITE_WINDOW - 2 - SHAPE_READ;	/* the cmpb */
	int32_t disp;
	memcpy(&disp, w + 2, 4);
	uint64_t flag = site + 7 + (uint64_t)(int64_t)disp;	/* __libc_single_threaded */
	uint64_t slow = site + 9 + (uint64_t)(int64_t)(int8_t)w[8];	/* je's target */
	uint8_t *s = stub_begin(r, k, &stub);
	/* movabs flag,%al; test %al,%al; je 1f; xor %eax,%eax; movabs $sc,%rcx;
	 * jmp shim_entry; 1: movabs $slow,%r11; jmp *%r11 (%al and %r11 are dead at a
	 * function's entry: read takes no varargs, and %r11 is the call's scratch) */
	unsigned n = 0;
	s[n++] = 0xa0; memcpy(s + n, &flag, 8); n += 8;
	s[n++] = 0x84; s[n++] = 0xc0;
	s[n++] = 0x74; s[n++] = 2 + 10 + 5;
	s[n++] = 0x31; s[n++] = 0xc0;
	n = stub_enter(s, n, stub, sc);
	s[n++] = 0x49; s[n++] = 0xbb; memcpy(s + n, &slow, 8); n += 8;
	s[n++] = 0x41; s[n++] = 0xff; s[n++] = 0xe3;
	uint32_t slot = (uint32_t)(SHIM_TABLE + 8 * k);
	uint8_t patch[7] = { 0xff, 0x24, 0x25 };
	memcpy(patch + 3, &slot, 4);
	return patch_commit(t, r, site, patch, sizeof patch, sc, 2, shared);
}

/* Writes stub k for the syscall at sc, whose `len` bytes before it (the end of the
 * window b, which ends with the syscall) move into the stub, and patches the site.
 * 0 or -errno. */
static int patch_site(struct task *t, struct shim_region *r, uint64_t sc, const uint8_t *b,
		      unsigned len, bool shared)
{
	if (len == SHAPE_READ) return patch_read(t, r, sc, b, shared);
	unsigned k = r->nstubs;
	if (k >= shim_stub_max()) return -ENOSPC;	/* the text pages are full */
	uint64_t stub;
	uint8_t *s = stub_begin(r, k, &stub);
	/* the stub: the moved instructions, movabs $sc,%rcx (the site's own syscall),
	 * jmp shim_entry */
	memcpy(s, b + SITE_WINDOW - 2 - len, len);
	stub_enter(s, len, stub, sc);
	/* the site: nops for the moved bytes beyond 5, then `jmp *slot`, whose 7 bytes
	 * end with the syscall's own 0f 05 (the table is at 0x050f0000), so only `len`
	 * bytes are written (one page, when the syscall starts the next) */
	static const uint8_t nops[5][4] = { { 0 }, { 0x90 }, { 0x66, 0x90 }, { 0x0f, 0x1f, 0x00 },
					    { 0x0f, 0x1f, 0x40, 0x00 } };	/* by length */
	uint8_t patch[16];
	unsigned pad = len - 5;
	memcpy(patch, nops[pad], pad);
	uint32_t slot = (uint32_t)(SHIM_TABLE + 8 * k);	/* 0x050fXXXX: ends in 0f 05 */
	patch[pad] = 0xff; patch[pad + 1] = 0x24; patch[pad + 2] = 0x25;
	memcpy(patch + pad + 3, &slot, 2);
	return patch_commit(t, r, sc - len, patch, len, sc, 1, shared);
}

void shim_after_trap(struct task *t)
{
	struct shim_region *r = t->shim;
	struct sysreq *q = &t->req;
	uint64_t ip = q->ip, sc = ip - 2;	/* the syscall instruction */
	if (!r || r->off || !shim_patchable(q->nr) || ip < SITE_WINDOW) return;
	if (ip > SHIM_BASE && sc - 16 < SHIM_END) return;	/* the shim's own code */
	/* other threads (or a vfork child) may be running these bytes: the patch goes
	 * into a fresh copy of the page, mapped over the old one in one host call */
	bool shared = r->refs != 1 || t->leader->live_threads != 1;
	for (unsigned k = 0; k < r->nstubs; k++)
		if (r->site[k] == sc) return;		/* a jump to its syscall: fine as is */
	/* A site is patched at its third trap. Patching costs a private copy of the code
	 * page and a host mapping (an injection: ~2-3 traps' worth), which a site called
	 * once or twice never pays back: ld.so calls its openat and fstat sites once per
	 * library, and a program linked with libc alone (most of a shell's children)
	 * paid two patches for nothing (fork+exec+wait of /bin/true: ~0.4 ms). Patching
	 * after as many traps as a patch costs is the ski-rental rule: never more than
	 * twice the best choice made knowing the future. A site in a file counts its
	 * traps in every process (learned sites, above); others in their process. */
	struct mm_text_id id;
	uint64_t off;
	struct learned_site *l = mm_text_file_offset(t, sc, &id, &off) ? learn_find(&id, off, true) : NULL;
	/* Not while the handler rewrote the call or waits for its exit: the patch's
	 * host mapping is an injection, which moves the call past its entry, and the
	 * rewritten call re-issued from there lost its translation (a /proc/self/fd
	 * listing showed the pool's descriptor). A later plain call patches the site;
	 * a site in a file is still counted and learned, for the next images
	 * (set_tid_address, whose handler waits for its exit, is called once per
	 * process: only a new image's pre-patched site ever reaches the shim). */
	bool now = !(q->args_dirty || q->nr_dirty || q->on_exit || q->hold_exit);
	bool here = seen_enough(r, sc);		/* this process's third trap */
	bool learn = false;			/* it becomes a learned site now */
	if (l && l->learned && !l->len) return;	/* a shape refused before */
	if (l && !l->learned) {
		/* learned at its third trap counted over at least two processes (one
		 * process alone is the per-process rule) */
		if (l->traps < UINT8_MAX) l->traps++;
		if (l->last_pid != t->leader->tid) {
			l->last_pid = t->leader->tid;
			if (l->procs < UINT8_MAX) l->procs++;
		}
		learn = l->traps >= SHIM_PATCH_AFTER && l->procs >= 2;
	}
	/* a learned site not patched in this image (in a library ld.so mapped) is
	 * patched at its first trap here: it has paid off elsewhere, the patch costs one
	 * injection, a second call saves that */
	bool patch = now && (here || learn || (l && l->learned));
	if (!patch && !learn) return;
	uint8_t b[SITE_WINDOW];
	unsigned len = 0;
	if (copy_from_guest(t->tid, b, ip - SITE_WINDOW, sizeof b) || !(len = displaced_len(b, q->nr))) {
		shim_stat.patch_refused++;
		if (l) l->learned = true, l->len = 0;	/* never again */
		DBG(DBG_SYSCALL, "[%d] shim: site %#lx (%s) has a shape the shim cannot patch: "
		    "%02x %02x %02x %02x %02x %02x %02x %02x %02x %02x", task_vtid(t), (unsigned long)sc,
		    syscall_desc(q->nr)->name, b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15], b[16], b[17]);
		return;
	}
	if (!patch) {	/* learned for the next images only */
		l->learned = true;
		l->nr = (uint16_t)q->nr;
		l->len = (uint8_t)len;
		return;
	}
	int err = patch_site(t, r, sc, b, len, shared);
	if (err) {
		shim_stat.patch_refused++;
		if (l && err == -EINVAL) l->learned = true, l->len = 0;	/* its place, never again */
		DBG(DBG_SYSCALL, "[%d] shim: site %#lx not patched: %s", task_vtid(t),
		    (unsigned long)sc, strerror(-err));
		return;
	}
	if (l && (learn || l->learned)) {
		l->learned = true;
		l->nr = (uint16_t)q->nr;
		l->len = (uint8_t)len;
	}
	DBG(DBG_SYSCALL, "[%d] shim: site %#lx (%s, %u bytes moved) patched, stub %u%s", task_vtid(t),
	    (unsigned long)(sc - len), syscall_desc(q->nr)->name, len, r->nstubs - 1,
	    l && l->learned ? ", learned" : "");
}

/* shim_exec's walk of a new image: the learned sites of each executable mapping */
struct prepatch {
	struct task *t;
	struct shim_region *r;
	unsigned n;
	uint64_t sc[64];
	uint8_t b[64][SITE_WINDOW];
	uint8_t len[64];
};

static void prepatch_vma(void *ctx, uint64_t start, uint64_t end, const struct mm_text_id *id,
			 uint64_t off)
{
	struct prepatch *p = ctx;
	for (unsigned i = 0; i < LEARN_SLOTS && p->n < 64; i++) {
		const struct learned_site *l = &learn[i];
		if (!l->used || !l->learned || !l->len || l->off < off || l->off - off >= end - start ||
		    memcmp(&l->id, id, sizeof *id))
			continue;
		uint64_t sc = start + (l->off - off);
		/* the bytes as the file has them (this image is fresh): read them all
		 * before patching any, since two sites' windows may overlap */
		if (sc < start + SITE_WINDOW - 2 || sc + 2 > end ||
		    mm_peek(p->t, sc + 2 - SITE_WINDOW, p->b[p->n], SITE_WINDOW) ||
		    displaced_len(p->b[p->n], l->nr) != l->len)
			continue;
		p->sc[p->n] = sc;
		p->len[p->n++] = l->len;
	}
}

void shim_prepatch(struct task *t)
{
	struct shim_region *r = t->shim;
	if (!r || r->off || !learn_used) return;
	struct prepatch *p = calloc(1, sizeof *p);
	if (!p) return;
	p->t = t;
	p->r = r;
	mm_text_vmas(t, prepatch_vma, p);
	unsigned done = 0;
	for (unsigned i = 0; i < p->n; i++)
		if (!patch_site(t, r, p->sc[i], p->b[i], p->len[i], false)) done++;
	shim_stat.prepatched += done;
	if (done) DBG(DBG_SYSCALL, "[%d] shim: %u learned sites patched before the image runs", task_vtid(t), done);
	free(p);
}

bool shim_fault_fixup(struct task *t, const siginfo_t *si)
{
	if (!t->shim || si->si_code <= 0 || trap_regs_fetch(t)) return false;	/* sent: a signal */
	uint64_t ip = t->regs.rip;
	if (ip < SHIM_TEXT + shim_hdr->probe_start || ip >= SHIM_TEXT + shim_hdr->probe_end) return false;
	t->regs.rip = SHIM_TEXT + shim_hdr->probe_fixup;
	trap_regs_dirty(t);
	shim_stat.fixups++;
	DBG(DBG_SYSCALL, "[%d] shim: fault at %#lx reading guest memory: the call goes to ptrace",
	    task_vtid(t), (unsigned long)(uintptr_t)si->si_addr);
	return true;
}

void shim_print_stats(void)
{
	if (!shim_enabled) return;
	fprintf(stderr, "shim: %lu regions, %lu sites patched (%lu refused; %lu of them learned sites "
		"patched before an image ran), %lu channel requests: "
		"%lu emulated, %lu native, %lu sent to ptrace; %lu answered in the guest; "
		"path calls: %lu run in the guest, %lu sent to ptrace (%lu faults fixed up); "
		"memory calls: %lu run in the guest, %lu sent to ptrace\n",
		shim_stat.regions, shim_stat.patched, shim_stat.patch_refused, shim_stat.prepatched,
		shim_stat.requests,
		shim_stat.emulated, shim_stat.native, shim_stat.traced, shim_stat.guest_answers,
		shim_stat.path_native, shim_stat.path_traced, shim_stat.fixups,
		shim_stat.generic_native, shim_stat.generic_traced);
}
