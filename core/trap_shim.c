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

/* The 10 bytes that end with the `syscall` at ip: whether the 5 bytes before the
 * syscall are one instruction we know and can move into the stub unchanged (no
 * %rip-relative operand), at an instruction boundary:
 * - `mov $imm32,%r32` (b8+r), not preceded by a REX prefix (which would make it
 *   the tail of a movabs or an r8-r15 move); for %eax the immediate is the number
 *   just trapped. glibc's wrappers end with `mov $nr,%eax; syscall`, ld.so's open
 *   with `mov $AT_FDCWD,%edi; syscall`. Where %eax was loaded earlier, the stub
 *   leaves it alone: shim_entry tests whatever number it holds.
 * - glibc's syscall(2): `mov %r9,%r8; mov 8(%rsp),%r9; syscall`. */
static bool site_ok(const uint8_t *b, long nr)
{
	/* b[0..2] the three bytes before the displaced instruction, b[3..7] it, b[8..9]
	 * the syscall */
	const uint8_t *ins = b + 3;
	if (b[8] != 0x0f || b[9] != 0x05) return false;
	if (ins[0] >= 0xb8 && ins[0] <= 0xbf) {
		uint32_t imm;
		memcpy(&imm, ins + 1, 4);
		if ((b[2] & 0xf0) == 0x40) return false;
		return ins[0] != 0xb8 || imm == (uint32_t)nr;
	}
	static const uint8_t glibc_syscall[8] = { 0x4d, 0x89, 0xc8, 0x4c, 0x8b, 0x4c, 0x24, 0x08 };
	return !memcmp(b, glibc_syscall, 8);
}

void shim_after_trap(struct task *t)
{
	struct shim_region *r = t->shim;
	struct sysreq *q = &t->req;
	uint64_t ip = q->ip, site = ip - 7;
	if (!r || r->off || !shim_patchable(q->nr) || ip < 10) return;
	if (ip > SHIM_BASE && site < SHIM_END) return;	/* the shim's own code */
	/* one thread, one mm user: no other thread can be running these bytes */
	if (r->refs != 1 || t->leader->live_threads != 1) return;
	for (unsigned k = 0; k < r->nstubs; k++)
		if (r->site[k] == site) return;		/* a jump to its syscall: fine as is */
	/* Not while the handler rewrote the call or waits for its exit: the patch's
	 * host mapping is an injection, which moves the call past its entry, and the
	 * rewritten call re-issued from there lost its translation (a /proc/self/fd
	 * listing showed the pool's descriptor). A later plain call patches the site. */
	if (q->args_dirty || q->nr_dirty || q->on_exit || q->hold_exit) return;
	/* A site is patched at its second trap: patching costs a private copy of the
	 * code page and a host mapping, which a call made once (most of ld.so's, all
	 * of a short program's) never pays back (fork+exec+wait of /bin/true: ~1 ms) */
	uint64_t *seen = &r->seen[(site >> 2) % SHIM_SEEN];
	if (*seen != site) {
		*seen = site;
		return;
	}
	*seen = 0;
	uint8_t b[10];
	if (copy_from_guest(t->tid, b, ip - 10, sizeof b) || !site_ok(b, q->nr)) {
		shim_stat.patch_refused++;
		DBG(DBG_SYSCALL, "[%d] shim: site %#lx (%s) has a shape the shim cannot patch: "
		    "%02x %02x %02x %02x %02x %02x %02x %02x %02x %02x", task_vtid(t), (unsigned long)site,
		    syscall_desc(q->nr)->name, b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9]);
		return;
	}
	unsigned k = r->nstubs;
	if (k >= shim_stub_max()) return;
	uint64_t stub = SHIM_TEXT + shim_stub_base() + (uint64_t)k * SHIM_STUB_SIZE;
	uint8_t *s = r->mem + (stub - SHIM_BASE);
	uint64_t back = site + 5;	/* the site's own syscall instruction */
	int32_t rel = (int32_t)((int64_t)(SHIM_TEXT + shim_hdr->entry) - (int64_t)(stub + 20));
	memcpy(s, b + 3, 5);				/* the displaced instruction */
	s[5] = 0x48; s[6] = 0xb9; memcpy(s + 7, &back, 8);	/* movabs $back, %rcx */
	s[15] = 0xe9; memcpy(s + 16, &rel, 4);		/* jmp shim_entry */
	memcpy(r->mem + 8 * k, &stub, 8);		/* the table slot */
	uint32_t slot = (uint32_t)(SHIM_TABLE + 8 * k);	/* 0x050fXXXX: ends in 0f 05 */
	uint8_t patch[7] = { 0xff, 0x24, 0x25 };	/* jmp *slot */
	memcpy(patch + 3, &slot, 4);
	/* its last two bytes are the syscall's, unchanged: only 5 are written (one
	 * page, when the site's syscall starts the next) */
	int err = mm_poke_text(t, site, patch, 5);
	if (err) {
		shim_stat.patch_refused++;
		DBG(DBG_SYSCALL, "[%d] shim: site %#lx not patched: %s", task_vtid(t),
		    (unsigned long)site, strerror(-err));
		return;
	}
	r->site[k] = site;
	r->nstubs++;
	shim_stat.patched++;
	DBG(DBG_SYSCALL, "[%d] shim: site %#lx (%s) patched, stub %u", task_vtid(t),
	    (unsigned long)site, syscall_desc(q->nr)->name, k);
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
	fprintf(stderr, "shim: %lu regions, %lu sites patched (%lu refused), %lu channel requests: "
		"%lu emulated, %lu native, %lu sent to ptrace; %lu answered in the guest; "
		"path calls: %lu run in the guest, %lu sent to ptrace (%lu faults fixed up); "
		"memory calls: %lu run in the guest, %lu sent to ptrace\n",
		shim_stat.regions, shim_stat.patched, shim_stat.patch_refused, shim_stat.requests,
		shim_stat.emulated, shim_stat.native, shim_stat.traced, shim_stat.guest_answers,
		shim_stat.path_native, shim_stat.path_traced, shim_stat.fixups,
		shim_stat.generic_native, shim_stat.generic_traced);
}
