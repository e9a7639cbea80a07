/* services/mm/mm_proc.c - /proc from the tables (mm.h's mm_proc_*, mm_proc.h).
 *
 * The host's /proc/PID/maps of a guest shows Persona's machinery (PROT_NONE
 * reservations, MAP_SHARED windows on "/memfd:persona-frames"), so maps, smaps,
 * smaps_rollup, statm, the Vm* lines of status, stat's fault and size fields and
 * /proc/meminfo are generated here from the VMA tree, the page table and the frame
 * descriptors, in the exact layouts of Linux's fs/proc/task_mmu.c and meminfo.c.
 *
 * What the host still knows better is asked from the host: pages of host-backed
 * VMAs (VM_HOST: the exec'd image, the stack, the vDSO, shared file mappings) are
 * the host's, so their smaps numbers are the host's smaps numbers for that range;
 * the adopted [stack] grows on the host, so its start comes from the host's [stack]
 * line; [vsyscall] lies above the user address space and is the host's line.
 *
 * Page accounting of a managed VMA (one rule for smaps, status, statm, meminfo):
 *   - resident: a present PTE; swapped: a PTE_SWAP entry (Swap/VmSwap);
 *   - sharers: the frame's refcount (less the shared object's own reference for a
 *     shared anonymous page, or the page cache's for a cached file page); shared
 *     when >= 2; Pss adds 4096/sharers;
 *   - dirty: a page of the page cache is clean (mappers never write it); another
 *     page is dirty if its VMA is writable (Persona cannot tell a read from a write
 *     fault, so a page that may have been written counts as written) or PTE_DIRTY;
 *   - kind: shmem for a shared anonymous object, anon for private anonymous memory
 *     and for dirty pages of a private file mapping (a copy-on-write copy, as Linux
 *     counts it), file for the other pages of a private file mapping;
 *   - referenced: every resident page (there is no accessed bit to read yet).
 *
 * Thread: tracer thread only. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/statvfs.h>
#include "services/mm/mm_internal.h"
#include "services/mm/mm_proc.h"
#include "services/mm/pagecache.h"
#include "services/mm/swap.h"

#define PSS_SHIFT	12	/* Pss is summed in 1/4096ths of a byte, as Linux does */
#define HF_MAX		40	/* smaps field names kept */

/* --- output ------------------------------------------------------------------------ */

struct out { char *buf; size_t len, n; };

static void out_printf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void out_printf(struct out *o, const char *fmt, ...)
{
	va_list ap;
	size_t room = o->n < o->len ? o->len - o->n : 0;
	va_start(ap, fmt);
	int r = vsnprintf(room ? o->buf + o->n : NULL, room, fmt, ap);
	va_end(ap);
	if (r > 0) o->n += (size_t)r;
}

/* The length, or -EFBIG when it did not fit (with its NUL) */
static long out_result(const struct out *o) { return o->n < o->len ? (long)o->n : -EFBIG; }

/* "Name:" and a value ending at column 24 (Linux's "Name:   " labels of 16 and %8lu,
 * or a longer label, one space and the rest of the 24: Private_Hugetlb, HugePages_*) */
static void out_field(struct out *o, const char *name, unsigned long long val, bool kb)
{
	int l = (int)strlen(name) + 1, lf = l + 1 > 16 ? l + 1 : 16;
	out_printf(o, "%s:%*s%*llu%s\n", name, lf - l, "", 24 - lf > 0 ? 24 - lf : 0, val, kb ? " kB" : "");
}

/* --- the formatter -------------------------------------------------------------------- */

const char *mm_proc_vma_name(const struct vma *v)
{
	if (v->flags & VM_HEAP) return "[heap]";
	if (v->flags & VM_STACK) return "[stack]";
	return v->name;
}

uint64_t mm_proc_vma_offset(const struct vma *v)
{
	bool file = v->obj || ((v->flags & VM_HOST) && v->host_ino);
	return file ? v->pgoff << PAGE_SHIFT : 0;
}

int mm_proc_maps_line(char *buf, size_t len, const struct vma *v, const char *name)
{
	if (!name) name = mm_proc_vma_name(v);
	int n = snprintf(buf, len, "%08llx-%08llx %c%c%c%c %08llx %02x:%02x %llu ",
			 (unsigned long long)v->start, (unsigned long long)v->end,
			 v->prot & PROT_READ ? 'r' : '-', v->prot & PROT_WRITE ? 'w' : '-',
			 v->prot & PROT_EXEC ? 'x' : '-', v->flags & VM_SHARED ? 's' : 'p',
			 (unsigned long long)mm_proc_vma_offset(v), v->host_dev_major, v->host_dev_minor,
			 (unsigned long long)v->host_ino);
	if (n < 0) return n;
	size_t room = (size_t)n < len ? len - (size_t)n : 0;
	char *rest = room ? buf + n : NULL;
	int m = name && *name ? snprintf(rest, room, "%*s %s\n", n < MM_PROC_MAPS_PAD ? MM_PROC_MAPS_PAD - n : 0, "", name)
			      : snprintf(rest, room, "\n");
	return n + m;
}

/* Linux's VM_* bits in show_smap_vma_flags order, as far as a VMA here has them */
int mm_proc_vmflags(char *buf, size_t len, const struct vma *v, bool noexec)
{
	bool shared = v->flags & VM_SHARED, wr = v->prot & PROT_WRITE;
	/* MAP_DROPPABLE implies VM_NORESERVE, VM_WIPEONFORK and VM_DONTDUMP in Linux */
	bool drop = v->flags & VM_DROPPABLE, noreserve = drop || (v->flags & VM_NORESERVE);
	/* VM_ACCOUNT: private writable memory that reserves commit (Linux keeps it after
	 * an mprotect to read-only; Persona does not know that history) */
	bool account = !shared && wr && !noreserve;
	struct { bool on; const char *m; } f[] = {
		{ v->prot & PROT_READ, "rd" }, { wr, "wr" }, { v->prot & PROT_EXEC, "ex" },
		{ shared, "sh" }, { true, "mr" }, { true, "mw" }, { !noexec, "me" }, { shared, "ms" },
		{ v->flags & VM_GROWSDOWN, "gd" }, { v->flags & VM_LOCKED, "lo" },
		{ v->flags & VM_DONTFORK, "dc" }, { v->flags & VM_LOCKONFAULT, "lf" },
		{ account, "ac" }, { noreserve, "nr" }, { drop || (v->flags & VM_WIPEONFORK), "wf" },
		{ drop, "dd" }, { drop, "dp" },
	};
	int n = 0;
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
		if (!f[i].on) continue;
		size_t room = (size_t)n < len ? len - (size_t)n : 0;
		n += snprintf(room ? buf + n : NULL, room, "%s ", f[i].m);
	}
	if (!n && len) buf[0] = 0;
	return n;
}

/* --- the process's mm and its host ------------------------------------------------------ */

static struct mm *proc_mm(struct task *leader)
{
	if (!leader) return NULL;
	if (leader->mm) return leader->mm;
	struct list_head *p;
	list_for_each(p, &leader->threads) {
		struct task *t = list_entry(p, struct task, thread_node);
		if (t->mm && t->state != TASK_DEAD) return t->mm;
	}
	return NULL;
}

bool mm_proc_has_mm(struct task *leader) { return mm_active() && proc_mm(leader); }

/* A host thread of the process that still has the address space (the leader may
 * have exited before its threads) */
static pid_t proc_host_tid(struct task *leader, struct mm *mm)
{
	if (leader->mm == mm) return leader->tid;
	struct list_head *p;
	list_for_each(p, &leader->threads) {
		struct task *t = list_entry(p, struct task, thread_node);
		if (t->mm == mm && t->state != TASK_DEAD) return t->tid;
	}
	return task_tgid(leader);
}

static char *read_all(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) return NULL;
	size_t cap = 65536, n = 0;
	char *b = malloc(cap);
	while (b) {
		if (n + 1 >= cap) {
			char *nb = realloc(b, cap *= 2);
			if (!nb) {
				free(b);
				b = NULL;
				break;
			}
			b = nb;
		}
		ssize_t r = read(fd, b + n, cap - 1 - n);
		if (r < 0 && errno == EINTR) continue;
		if (r <= 0) break;
		n += (size_t)r;
	}
	close(fd);
	if (b) b[n] = 0;
	return b;
}

/* --- the host's maps and smaps, parsed ----------------------------------------------------- */

struct hvma {
	uint64_t start, end, ino;
	unsigned maj, min;
	char *line;		/* the header line as the host printed it */
	char *name;		/* its name column ("" for none) */
	uint64_t f[HF_MAX];	/* smaps values (kB) by index in hmaps.names */
	uint64_t kps, mps;	/* KernelPageSize, MMUPageSize (kB) */
	char *vmflags;		/* after "VmFlags: " */
	long thp, pkey;		/* THPeligible, ProtectionKey (-1: absent) */
};

struct hmaps {
	char *text;
	struct hvma *v;
	size_t n, cap;
	const char *names[HF_MAX];	/* per-VMA smaps fields in the host's order */
	int nnames;
	bool pkeys;			/* the host prints ProtectionKey */
};

static const char *const default_names[] = {
	"Rss", "Pss", "Pss_Dirty", "Shared_Clean", "Shared_Dirty", "Private_Clean",
	"Private_Dirty", "Referenced", "Anonymous", "KSM", "LazyFree", "AnonHugePages",
	"ShmemPmdMapped", "FilePmdMapped", "Shared_Hugetlb", "Private_Hugetlb", "Swap",
	"SwapPss", "Locked",
};

static int name_index(struct hmaps *h, const char *name)
{
	for (int i = 0; i < h->nnames; i++) if (!strcmp(h->names[i], name)) return i;
	if (h->nnames == HF_MAX) return -1;
	h->names[h->nnames] = name;
	return h->nnames++;
}

static bool parse_header(char *l, struct hvma *x)
{
	unsigned long long s, e, off, ino;
	unsigned maj, min;
	char perms[8];
	int pos = 0;
	if (sscanf(l, "%llx-%llx %7s %llx %x:%x %llu%n", &s, &e, perms, &off, &maj, &min, &ino, &pos) < 7 || !pos)
		return false;
	memset(x, 0, sizeof *x);
	x->start = s;
	x->end = e;
	x->ino = ino;
	x->maj = maj;
	x->min = min;
	x->line = l;
	x->name = l + pos;
	while (*x->name == ' ') x->name++;
	x->thp = x->pkey = -1;
	return true;
}

/* Reads /proc/TID/{maps,smaps}; an unreadable file leaves h empty. */
static void host_read(struct hmaps *h, pid_t tid, const char *file)
{
	char path[64];
	memset(h, 0, sizeof *h);
	snprintf(path, sizeof path, "/proc/%d/%s", tid, file);
	h->text = read_all(path);
	struct hvma *cur = NULL;
	for (char *l = h->text; l && *l; ) {
		char *nl = strchr(l, '\n');
		if (nl) *nl = 0;
		struct hvma x;
		if (parse_header(l, &x)) {
			if (h->n == h->cap) {
				size_t cap = h->cap ? h->cap * 2 : 64;
				struct hvma *nv = realloc(h->v, cap * sizeof *nv);
				if (!nv) break;
				h->v = nv;
				h->cap = cap;
			}
			h->v[h->n] = x;
			cur = &h->v[h->n++];
		} else if (cur) {
			char *colon = strchr(l, ':');
			if (colon) {
				*colon = 0;
				unsigned long long val = strtoull(colon + 1, NULL, 10);
				if (!strcmp(l, "VmFlags")) cur->vmflags = colon[1] == ' ' ? colon + 2 : colon + 1;
				else if (!strcmp(l, "THPeligible")) cur->thp = (long)val;
				else if (!strcmp(l, "ProtectionKey")) cur->pkey = (long)val, h->pkeys = true;
				else if (!strcmp(l, "KernelPageSize")) cur->kps = val;
				else if (!strcmp(l, "MMUPageSize")) cur->mps = val;
				else if (strcmp(l, "Size")) {
					int i = name_index(h, l);
					if (i >= 0) cur->f[i] = val;
				}
			}
		}
		if (!nl) break;
		l = nl + 1;
	}
	if (!h->nnames)
		for (size_t i = 0; i < sizeof default_names / sizeof *default_names; i++)
			name_index(h, default_names[i]);
}

static void host_free(struct hmaps *h)
{
	free(h->text);
	free(h->v);
}

/* The index of the first host VMA with end > addr (the host's lines are sorted) */
static size_t host_from(const struct hmaps *h, uint64_t addr)
{
	size_t lo = 0, hi = h->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (h->v[mid].end <= addr) lo = mid + 1;
		else hi = mid;
	}
	return lo;
}

/* The host VMA containing addr, or NULL */
static const struct hvma *host_at(const struct hmaps *h, uint64_t addr)
{
	size_t i = host_from(h, addr);
	return i < h->n && h->v[i].start <= addr ? &h->v[i] : NULL;
}

static int field_of(const struct hmaps *h, const char *name)
{
	for (int i = 0; i < h->nnames; i++) if (!strcmp(h->names[i], name)) return i;
	return -1;
}

/* --- the guest's view of a VMA --------------------------------------------------------------- */

/* v as /proc shows it: the adopted host stack with the start the host has grown it
 * to (when that does not run into the VMA below) */
static struct vma view(const struct vma *v, const struct vma *prev, const struct hmaps *h)
{
	struct vma w = *v;
	if ((v->flags & (VM_HOST | VM_STACK)) == (VM_HOST | VM_STACK)) {
		for (size_t i = 0; i < h->n; i++) {
			const struct hvma *s = &h->v[i];
			if (strcmp(s->name, "[stack]")) continue;
			if (s->start < v->start && s->end > v->start && (!prev || prev->end <= s->start))
				w.start = s->start;
			break;
		}
	}
	return w;
}

/* Linux's mangle_path for seq_path(m, path, "\n"): newlines as \012 */
static void escape_path(const char *in, char *out, size_t len)
{
	size_t o = 0;
	for (; *in && o + 5 < len; in++) {
		if (*in == '\n') o += (size_t)snprintf(out + o, len - o, "\\012");
		else out[o++] = *in;
	}
	out[o] = 0;
}

/* The name column: the host's current name for a host-backed mapping of the same
 * file (renames and " (deleted)" are the host's news), our descriptor's path for a
 * managed file (likewise), else the VMA's own. */
static const char *live_name(const struct vma *v, const struct hmaps *h, char *buf, size_t len)
{
	if (v->flags & (VM_HEAP | VM_STACK)) return mm_proc_vma_name(v);
	if (v->flags & VM_HOST) {
		const struct hvma *x = host_at(h, v->start);
		if (x && x->ino == v->host_ino && x->maj == v->host_dev_major && x->min == v->host_dev_minor)
			return x->name;
		return mm_proc_vma_name(v);
	}
	if (v->obj && v->obj->kind == MO_FILE) {
		char link[64], path[PATH_MAX + 16];
		ssize_t n = -1;
		if (v->obj->fd >= 0) {
			snprintf(link, sizeof link, "/proc/self/fd/%d", v->obj->fd);
			n = readlink(link, path, sizeof path - 1);
		}
		if (n > 0) path[n] = 0;
		else snprintf(path, sizeof path, "%s", v->name ? v->name : "");
		escape_path(path, buf, len);
		return buf;
	}
	return mm_proc_vma_name(v);
}

#define NAME_BUF (4 * PATH_MAX + 64)

static void emit_header(struct out *o, const struct vma *w, const struct hmaps *h, char *namebuf)
{
	const char *name = live_name(w, h, namebuf, NAME_BUF);
	size_t room = o->n < o->len ? o->len - o->n : 0;
	int r = mm_proc_maps_line(room ? o->buf + o->n : NULL, room, w, name ? name : "");
	if (r > 0) o->n += (size_t)r;
}

long mm_proc_maps(struct task *leader, char *buf, unsigned long len)
{
	mm_heap_sync(leader);	/* a shrink its shim made */
	struct mm *mm = proc_mm(leader);
	if (!mm) return -ESRCH;
	struct hmaps h;
	host_read(&h, proc_host_tid(leader, mm), "maps");
	char *namebuf = malloc(NAME_BUF);
	if (!namebuf) {
		host_free(&h);
		return -ENOMEM;
	}
	struct out o = { buf, len, 0 };
	const struct vma *prev = NULL;
	for (const struct vma *v = vma_first(&mm->vmas); v; prev = v, v = vma_next(v)) {
		struct vma w = view(v, prev, &h);
		emit_header(&o, &w, &h, namebuf);
	}
	for (size_t i = 0; i < h.n; i++)	/* [vsyscall]: the gate area, above TASK_SIZE */
		if (h.v[i].start >= TASK_SIZE) out_printf(&o, "%s\n", h.v[i].line);
	free(namebuf);
	host_free(&h);
	return out_result(&o);
}

/* --- page accounting ------------------------------------------------------------------------------ */

enum page_kind { PK_ANON, PK_FILE, PK_SHMEM };

struct mss {
	uint64_t resident, shared_clean, shared_dirty, private_clean, private_dirty;
	uint64_t referenced, anonymous, swap;			/* bytes */
	uint64_t pss, pss_dirty, pss_anon, pss_file, pss_shmem, pss_locked, swap_pss;	/* << PSS_SHIFT */
	uint64_t pages[3], swapped;				/* by page_kind; swap entries */
};

static bool is_shmem(const struct vma *v) { return v->obj && v->obj->kind == MO_ANON_SHARED; }

static bool page_dirty(const struct vma *v, pte_t e)
{
	if (pagecache_owns(pte_pfn(e))) return false;
	return (v->prot & PROT_WRITE) || (e & PTE_DIRTY);
}

static enum page_kind page_kind(const struct vma *v, pte_t e)
{
	if (!v->obj) return PK_ANON;
	if (v->obj->kind == MO_ANON_SHARED) return PK_SHMEM;
	return page_dirty(v, e) ? PK_ANON : PK_FILE;
}

static unsigned long page_sharers(const struct vma *v, pte_t e)
{
	pfn_t pfn = pte_pfn(e);
	long n = pfn < frame_pool_frames() ? (long)frame_page(pfn)->refcount : 1;
	if (is_shmem(v) || pagecache_owns(pfn)) n--;	/* the object's or the cache's own reference */
	return n < 1 ? 1 : (unsigned long)n;
}

struct acct { const struct vma *v; struct mss *m; };

static int account_pte(uint64_t va, pte_t *e, void *arg)
{
	struct acct *a = arg;
	struct mss *m = a->m;
	if (pte_swapped(*e)) {
		m->swap += PAGE_SIZE;
		m->swap_pss += (uint64_t)PAGE_SIZE << PSS_SHIFT;
		m->swapped++;
		return 0;
	}
	if (!pte_present(*e)) return 0;
	bool dirty = page_dirty(a->v, *e);
	enum page_kind k = page_kind(a->v, *e);
	unsigned long sharers = page_sharers(a->v, *e);
	uint64_t pss = ((uint64_t)PAGE_SIZE << PSS_SHIFT) / sharers;
	m->resident += PAGE_SIZE;
	m->referenced += PAGE_SIZE;
	if (sharers >= 2) *(dirty ? &m->shared_dirty : &m->shared_clean) += PAGE_SIZE;
	else *(dirty ? &m->private_dirty : &m->private_clean) += PAGE_SIZE;
	m->pss += pss;
	if (dirty) m->pss_dirty += pss;
	if (k == PK_ANON) {
		m->anonymous += PAGE_SIZE;
		m->pss_anon += pss;
	} else if (k == PK_FILE) {
		m->pss_file += pss;
	} else {
		m->pss_shmem += pss;
	}
	m->pages[k]++;
	if (a->v->flags & VM_LOCKED) m->pss_locked += pss;
	return 0;
}

/* Adds the managed VMA w's pages (w may be a view of a tree VMA) to m */
static void account_vma(struct mm *mm, const struct vma *w, struct mss *m)
{
	if (w->flags & VM_HOST) return;
	struct acct a = { w, m };
	pgtable_walk(mm->pt, w->start, w->end, account_pte, &a);
}

/* A managed VMA's smaps value (kB) for field `name` */
static uint64_t mss_value(const struct mss *m, const char *name)
{
	static const struct { const char *name; size_t off; bool pss; } map[] = {
#define B(n, f) { n, offsetof(struct mss, f), false }
#define P(n, f) { n, offsetof(struct mss, f), true }
		B("Rss", resident), P("Pss", pss), P("Pss_Dirty", pss_dirty), P("Pss_Anon", pss_anon),
		P("Pss_File", pss_file), P("Pss_Shmem", pss_shmem), B("Shared_Clean", shared_clean),
		B("Shared_Dirty", shared_dirty), B("Private_Clean", private_clean),
		B("Private_Dirty", private_dirty), B("Referenced", referenced), B("Anonymous", anonymous),
		B("Swap", swap), P("SwapPss", swap_pss), P("Locked", pss_locked),
#undef B
#undef P
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
		if (strcmp(map[i].name, name)) continue;
		uint64_t v = *(const uint64_t *)((const char *)m + map[i].off);
		return (map[i].pss ? v >> PSS_SHIFT : v) >> 10;
	}
	return 0;	/* KSM, LazyFree, huge pages: none in the frame pool */
}

/* The host's smaps values (kB) for [start, end), summed over the host VMAs there
 * (prorated by size when one reaches outside). Returns the first one, or NULL. */
static const struct hvma *host_values(const struct hmaps *h, uint64_t start, uint64_t end, uint64_t *f)
{
	const struct hvma *first = NULL;
	memset(f, 0, HF_MAX * sizeof *f);
	for (size_t i = host_from(h, start); i < h->n && h->v[i].start < end; i++) {
		const struct hvma *x = &h->v[i];
		if (!first) first = x;
		uint64_t s = x->start > start ? x->start : start, e = x->end < end ? x->end : end;
		uint64_t part = e - s, whole = x->end - x->start;
		for (int j = 0; j < h->nnames; j++)
			f[j] += part == whole ? x->f[j] : (uint64_t)((unsigned __int128)x->f[j] * part / whole);
	}
	return first;
}

static uint64_t hval(const struct hmaps *h, const uint64_t *f, const char *name)
{
	int i = field_of(h, name);
	return i < 0 ? 0 : f[i];
}

static bool on_noexec(const struct vma *v)
{
	struct statvfs sv;
	return v->obj && v->obj->kind == MO_FILE && v->obj->fd >= 0 && fstatvfs(v->obj->fd, &sv) == 0 &&
	       (sv.f_flag & ST_NOEXEC);
}

/* One smaps block: the maps line, Size..MMUPageSize, the fields, THPeligible,
 * ProtectionKey when the host has them, VmFlags */
static void emit_smap(struct out *o, struct mm *mm, const struct vma *w, const struct hmaps *h,
		      char *namebuf, const struct hvma *host_entry)
{
	uint64_t f[HF_MAX];
	const struct hvma *x = host_entry;
	struct mss m;
	memset(&m, 0, sizeof m);
	if (x) host_values(h, x->start, x->end, f);		/* [vsyscall] */
	else if (w->flags & VM_HOST) x = host_values(h, w->start, w->end, f);
	else account_vma(mm, w, &m);
	if (host_entry) out_printf(o, "%s\n", host_entry->line);
	else emit_header(o, w, h, namebuf);
	out_field(o, "Size", (w->end - w->start) >> 10, true);
	out_field(o, "KernelPageSize", x && x->kps ? x->kps : PAGE_SIZE >> 10, true);
	out_field(o, "MMUPageSize", x && x->mps ? x->mps : PAGE_SIZE >> 10, true);
	for (int i = 0; i < h->nnames; i++)
		out_field(o, h->names[i], x ? f[i] : mss_value(&m, h->names[i]), true);
	out_field(o, "THPeligible", x && x->thp >= 0 ? (unsigned long long)x->thp : 0, false);
	if (h->pkeys) out_field(o, "ProtectionKey", x && x->pkey >= 0 ? (unsigned long long)x->pkey : 0, false);
	if (x && x->vmflags) {
		out_printf(o, "VmFlags: %s\n", x->vmflags);
	} else {
		char fl[128];
		mm_proc_vmflags(fl, sizeof fl, w, on_noexec(w));
		out_printf(o, "VmFlags: %s\n", fl);
	}
}

long mm_proc_smaps(struct task *leader, char *buf, unsigned long len)
{
	mm_heap_sync(leader);	/* a shrink its shim made */
	struct mm *mm = proc_mm(leader);
	if (!mm) return -ESRCH;
	struct hmaps h;
	host_read(&h, proc_host_tid(leader, mm), "smaps");
	char *namebuf = malloc(NAME_BUF);
	if (!namebuf) {
		host_free(&h);
		return -ENOMEM;
	}
	struct out o = { buf, len, 0 };
	const struct vma *prev = NULL;
	for (const struct vma *v = vma_first(&mm->vmas); v; prev = v, v = vma_next(v)) {
		struct vma w = view(v, prev, &h);
		emit_smap(&o, mm, &w, &h, namebuf, NULL);
	}
	for (size_t i = 0; i < h.n; i++)
		if (h.v[i].start >= TASK_SIZE) {
			struct vma gate = { .start = h.v[i].start, .end = h.v[i].end };
			emit_smap(&o, mm, &gate, &h, namebuf, &h.v[i]);
		}
	free(namebuf);
	host_free(&h);
	return out_result(&o);
}

long mm_proc_smaps_rollup(struct task *leader, char *buf, unsigned long len)
{
	mm_heap_sync(leader);	/* a shrink its shim made */
	struct mm *mm = proc_mm(leader);
	if (!mm) return -ESRCH;
	struct hmaps h;
	host_read(&h, proc_host_tid(leader, mm), "smaps");
	struct mss m;
	uint64_t host[HF_MAX] = { 0 }, f[HF_MAX], host_pss_anon = 0, host_pss_file = 0;
	memset(&m, 0, sizeof m);
	uint64_t first = 0, last = 0;
	const struct vma *prev = NULL;
	for (const struct vma *v = vma_first(&mm->vmas); v; prev = v, v = vma_next(v)) {
		struct vma w = view(v, prev, &h);
		if (!prev) first = w.start;
		last = w.end;
		if (!(w.flags & VM_HOST)) {
			account_vma(mm, &w, &m);
			continue;
		}
		host_values(&h, w.start, w.end, f);
		for (int i = 0; i < h.nnames; i++) host[i] += f[i];
		/* the host's Pss split by its anonymous share of the range */
		uint64_t rss = hval(&h, f, "Rss"), anon = hval(&h, f, "Anonymous"), pss = hval(&h, f, "Pss");
		uint64_t pa = rss ? (uint64_t)((unsigned __int128)pss * (anon < rss ? anon : rss) / rss) : 0;
		host_pss_anon += pa;
		host_pss_file += pss - pa;
	}
	struct out o = { buf, len, 0 };
	int n = snprintf(NULL, 0, "%08llx-%08llx ---p 00000000 00:00 0 ", (unsigned long long)first,
			 (unsigned long long)last);
	out_printf(&o, "%08llx-%08llx ---p 00000000 00:00 0 %*s [rollup]\n", (unsigned long long)first,
		   (unsigned long long)last, n < MM_PROC_MAPS_PAD ? MM_PROC_MAPS_PAD - n : 0, "");
	int after = field_of(&h, "Pss_Dirty");
	if (after < 0) after = field_of(&h, "Pss");
	for (int i = 0; i < h.nnames; i++) {
		out_field(&o, h.names[i], mss_value(&m, h.names[i]) + host[i], true);
		if (i != after) continue;
		out_field(&o, "Pss_Anon", mss_value(&m, "Pss_Anon") + host_pss_anon, true);
		out_field(&o, "Pss_File", mss_value(&m, "Pss_File") + host_pss_file, true);
		out_field(&o, "Pss_Shmem", mss_value(&m, "Pss_Shmem"), true);
	}
	host_free(&h);
	return out_result(&o);
}

/* --- statm, status, stat ---------------------------------------------------------------------- */

struct vmstat {
	uint64_t total, data, stack, exec, locked;	/* pages of VMAs (Linux's *_vm counters) */
	uint64_t anon, file, shmem, swap;		/* resident pages, swap entries */
	uint64_t host_rss;				/* of which host-backed */
	uint64_t pte_kb, peak_kb, start_code, end_code;
};

static void read_host_numbers(pid_t tid, struct vmstat *s)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/stat", tid);
	char *t = read_all(path);
	char *p = t ? strrchr(t, ')') : NULL;
	if (p) {	/* after the command: field 3 on; startcode is 26, endcode 27 */
		int field = 3;
		char *save = NULL;
		for (char *tok = strtok_r(p + 2, " ", &save); tok && field <= 27; tok = strtok_r(NULL, " ", &save), field++) {
			if (field == 26) s->start_code = strtoull(tok, NULL, 10);
			if (field == 27) s->end_code = strtoull(tok, NULL, 10);
		}
	}
	free(t);
	snprintf(path, sizeof path, "/proc/%d/status", tid);
	t = read_all(path);
	p = t ? strstr(t, "\nVmPeak:") : NULL;
	if (p) s->peak_kb = strtoull(p + 8, NULL, 10);
	free(t);
}

static int gather(struct task *leader, struct vmstat *s)
{
	struct mm *mm = proc_mm(leader);
	if (!mm) return -ESRCH;
	memset(s, 0, sizeof *s);
	pid_t tid = proc_host_tid(leader, mm);
	struct hmaps h;
	host_read(&h, tid, "smaps");
	read_host_numbers(tid, s);
	struct mss m;
	memset(&m, 0, sizeof m);
	uint64_t f[HF_MAX];
	const struct vma *prev = NULL;
	for (const struct vma *v = vma_first(&mm->vmas); v; prev = v, v = vma_next(v)) {
		struct vma w = view(v, prev, &h);
		uint64_t pages = vma_pages(&w);
		bool stack = w.flags & (VM_STACK | VM_GROWSDOWN), wr = w.prot & PROT_WRITE;
		s->total += pages;
		/* Linux's is_data_mapping, is_stack_mapping, is_exec_mapping */
		if (wr && !(w.flags & VM_SHARED) && !stack) s->data += pages;
		if (stack) s->stack += pages;
		if ((w.prot & PROT_EXEC) && !wr && !stack) s->exec += pages;
		if (w.flags & VM_LOCKED) s->locked += pages;
		if (!(w.flags & VM_HOST)) {
			account_vma(mm, &w, &m);
			continue;
		}
		host_values(&h, w.start, w.end, f);
		uint64_t rss = hval(&h, f, "Rss") / 4, anon = hval(&h, f, "Anonymous") / 4;
		if (anon > rss) anon = rss;
		s->anon += anon;
		s->file += rss - anon;
		s->host_rss += rss;
		s->swap += hval(&h, f, "Swap") / 4;
	}
	s->anon += m.pages[PK_ANON];
	s->file += m.pages[PK_FILE];
	s->shmem += m.pages[PK_SHMEM];
	s->swap += m.swapped;
	s->pte_kb = pgtable_nodes(mm->pt) * (PAGE_SIZE >> 10);
	host_free(&h);
	return 0;
}

long mm_proc_statm(struct task *leader, char *buf, unsigned long len)
{
	mm_heap_sync(leader);	/* a shrink its shim made */
	struct vmstat s;
	int err = gather(leader, &s);
	if (err) return err;
	uint64_t shared = s.file + s.shmem, resident = shared + s.anon;
	uint64_t text = (PAGE_ALIGN(s.end_code) - (s.start_code & PAGE_MASK)) >> PAGE_SHIFT;
	struct out o = { buf, len, 0 };
	out_printf(&o, "%llu %llu %llu %llu 0 %llu 0\n", (unsigned long long)s.total,
		   (unsigned long long)resident, (unsigned long long)shared, (unsigned long long)text,
		   (unsigned long long)(s.data + s.stack));
	return out_result(&o);
}

long mm_proc_status_vm(struct task *leader, char *buf, unsigned long len)
{
	mm_heap_sync(leader);	/* a shrink its shim made */
	struct vmstat s;
	int err = gather(leader, &s);
	if (err) return err;
	struct mm *mm = proc_mm(leader);
	uint64_t kb = PAGE_SIZE >> 10, rss = s.anon + s.file + s.shmem;
	/* peaks: Persona's managed high-water mark plus today's host-backed pages; the
	 * host's VmPeak (its mm has the same VMAs, Persona's reservations included) */
	uint64_t hwm = mm->hiwater_rss + s.host_rss;
	if (hwm < rss) hwm = rss;
	uint64_t peak = s.peak_kb > s.total * kb ? s.peak_kb : s.total * kb;
	uint64_t text = PAGE_ALIGN(s.end_code) - (s.start_code & PAGE_MASK);
	if (text > s.exec << PAGE_SHIFT) text = s.exec << PAGE_SHIFT;
	uint64_t lib = (s.exec << PAGE_SHIFT) - text;
	struct out o = { buf, len, 0 };
	const struct { const char *name; uint64_t kb; } l[] = {
		{ "VmPeak", peak }, { "VmSize", s.total * kb }, { "VmLck", s.locked * kb },
		{ "VmPin", 0 }, { "VmHWM", hwm * kb }, { "VmRSS", rss * kb },
		{ "RssAnon", s.anon * kb }, { "RssFile", s.file * kb }, { "RssShmem", s.shmem * kb },
		{ "VmData", s.data * kb }, { "VmStk", s.stack * kb }, { "VmExe", text >> 10 },
		{ "VmLib", lib >> 10 }, { "VmPTE", s.pte_kb }, { "VmSwap", s.swap * kb },
	};
	for (size_t i = 0; i < sizeof l / sizeof l[0]; i++)
		out_printf(&o, "%s:\t%8llu kB\n", l[i].name, (unsigned long long)l[i].kb);
	return out_result(&o);
}

int mm_proc_stat_vm(struct task *leader, uint64_t *vsize, uint64_t *rss)
{
	struct vmstat s;
	int err = gather(leader, &s);
	if (err) return err;
	*vsize = s.total << PAGE_SHIFT;
	*rss = s.anon + s.file + s.shmem;
	return 0;
}

void mm_fault_counts(struct task *leader, uint64_t *minflt, uint64_t *majflt)
{
	struct mm *mm = proc_mm(leader);
	*minflt = mm ? mm->minflt : 0;
	*majflt = mm ? mm->majflt : 0;
}

/* --- /proc/meminfo ------------------------------------------------------------------------------ */

struct meminfo_acc {
	struct mm **mms;
	size_t nmms, cap;
	struct memobj **objs;
	size_t nobjs, ocap;
	uint64_t anon, file, locked;	/* << PSS_SHIFT: frames shared by n PTEs count 1/n each */
	uint64_t file_cached;		/* << PSS_SHIFT: the part of `file` in the page cache */
	uint64_t shmem, pt_nodes, committed, tasks;
	uint64_t lru_inactive;		/* anonymous pages on inactive lists */
};

static bool add_unique(void ***arr, size_t *n, size_t *cap, void *p)
{
	for (size_t i = 0; i < *n; i++) if ((*arr)[i] == p) return false;
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 32;
		void **na = realloc(*arr, c * sizeof *na);
		if (!na) return false;
		*arr = na;
		*cap = c;
	}
	(*arr)[(*n)++] = p;
	return true;
}

struct frac_ctx { const struct vma *v; struct meminfo_acc *a; };

static int meminfo_pte(uint64_t va, pte_t *e, void *arg)
{
	struct frac_ctx *c = arg;
	if (!pte_present(*e)) return 0;
	uint64_t share = ((uint64_t)1 << PSS_SHIFT) / page_sharers(c->v, *e);
	enum page_kind k = page_kind(c->v, *e);
	if (k == PK_ANON) c->a->anon += share;
	else if (k == PK_FILE) c->a->file += share;
	if (k == PK_FILE && pagecache_owns(pte_pfn(*e))) c->a->file_cached += share;
	if (c->v->flags & VM_LOCKED) c->a->locked += share;
	return 0;
}

static int meminfo_task(struct task *t, void *arg)
{
	struct meminfo_acc *a = arg;
	if (t->state != TASK_DEAD) a->tasks++;
	struct mm *mm = t->mm;
	if (!mm || !add_unique((void ***)&a->mms, &a->nmms, &a->cap, mm)) return 0;
	a->pt_nodes += pgtable_nodes(mm->pt);
	a->lru_inactive += mm->lru[LRU_INACTIVE].n;
	for (const struct vma *v = vma_first(&mm->vmas); v; v = vma_next(v)) {
		if (mm_vma_accountable(v)) a->committed += vma_pages(v);
		if (v->flags & VM_HOST) continue;
		if (is_shmem(v) && add_unique((void ***)&a->objs, &a->nobjs, &a->ocap, v->obj)) {
			a->committed += v->obj->npages;
			for (uint64_t i = 0; i < v->obj->npages; i++) a->shmem += v->obj->pages[i] != FRAME_NONE;
		}
		if (is_shmem(v)) continue;
		struct frac_ctx c = { v, a };
		pgtable_walk(mm->pt, v->start, v->end, meminfo_pte, &c);
	}
	return 0;
}

/* What /proc/meminfo and /proc/vmstat both count, from every mm's tables: anonymous
 * and mapped file pages (frames shared by n PTEs count 1/n each), and the file pages:
 * the page cache's frames, mapped or not, plus private file frames outside it
 * (files too recently modified to cache). */
static void mem_totals(struct meminfo_acc *a, struct pagecache_stats *pc, uint64_t *anon,
		       uint64_t *mapped, uint64_t *file)
{
	memset(a, 0, sizeof *a);
	task_for_each(meminfo_task, a);
	free(a->mms);
	free(a->objs);
	pagecache_stats(pc);
	*anon = a->anon >> PSS_SHIFT;
	*mapped = a->file >> PSS_SHIFT;
	*file = pc->pages + *mapped - (a->file_cached >> PSS_SHIFT);
}

long mm_proc_meminfo(char *buf, unsigned long len)
{
	if (!mm_active()) return -ENOENT;
	struct frame_stats fs;
	frame_stats(&fs);
	struct meminfo_acc a;
	struct pagecache_stats pc;
	uint64_t anon, mapped, file;
	mem_totals(&a, &pc, &anon, &mapped, &file);
	uint64_t locked = a.locked >> PSS_SHIFT, cache_mapped = a.file_cached >> PSS_SHIFT;
	uint64_t cached = file + a.shmem, kb = PAGE_SIZE >> 10;
	/* reclaimable without swap: the cache's pages no mapping uses */
	uint64_t unmapped_cache = pc.pages > cache_mapped ? pc.pages - cache_mapped : 0;
	uint64_t available = fs.free + unmapped_cache;
	/* the LRU lists: anonymous pages by the reclaim lists (pages on none, shared
	 * after fork, count as active); file pages mapped are active, cached only
	 * inactive (they are reclaimed first) */
	uint64_t inactive_anon = a.lru_inactive < anon ? a.lru_inactive : anon;
	uint64_t active_anon = anon - inactive_anon + a.shmem;
	uint64_t active_file = file - unmapped_cache, inactive_file = unmapped_cache;
	struct swap_stats sw;
	swap_stats(&sw);
	const struct { const char *name; uint64_t kb; } val[] = {
		{ "MemTotal", fs.total * kb }, { "MemFree", fs.free * kb },
		{ "MemAvailable", available * kb }, { "Cached", cached * kb },
		{ "SwapCached", sw.writeback * kb },
		{ "Active", (active_anon + active_file) * kb }, { "Inactive", (inactive_anon + inactive_file) * kb },
		{ "Active(anon)", active_anon * kb }, { "Inactive(anon)", inactive_anon * kb },
		{ "Active(file)", active_file * kb }, { "Inactive(file)", inactive_file * kb },
		{ "Unevictable", locked * kb }, { "Mlocked", locked * kb },
		{ "SwapTotal", sw.total * kb }, { "SwapFree", (sw.total - sw.used) * kb },
		{ "AnonPages", anon * kb }, { "Mapped", (mapped + a.shmem) * kb }, { "Shmem", a.shmem * kb },
		{ "KernelStack", a.tasks * 16 }, { "PageTables", a.pt_nodes * kb },
		{ "CommitLimit", mm_commit_limit() * kb }, { "Committed_AS", a.committed * kb },
		{ "DirectMap4k", fs.total * kb },
	};
	/* the host's lines, names and order (this kernel's list), with Persona's values;
	 * lines that are properties of the architecture keep the host's value */
	static const char *const keep[] = { "VmallocTotal", "Hugepagesize" };
	char *host = read_all("/proc/meminfo");
	struct out o = { buf, len, 0 };
	for (char *l = host; l && *l; ) {
		char *nl = strchr(l, '\n');
		if (nl) *nl = 0;
		char *colon = strchr(l, ':');
		if (colon) {
			*colon = 0;
			bool is_kb = strstr(colon + 1, " kB") != NULL;
			unsigned long long v = 0;
			for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++)
				if (!strcmp(l, keep[i])) v = strtoull(colon + 1, NULL, 10);
			for (size_t i = 0; i < sizeof val / sizeof val[0]; i++)
				if (!strcmp(l, val[i].name)) v = val[i].kb;
			out_field(&o, l, v, is_kb);
		}
		if (!nl) break;
		l = nl + 1;
	}
	free(host);
	return host ? out_result(&o) : -EIO;
}

/* --- /proc/vmstat ------------------------------------------------------------------------------- */

/* Linux's "name value" lines (mm/vmstat.c) for what the memory manager counts: page
 * counts from the tables and the page cache as /proc/meminfo's, event counters from
 * mm_stat and the swap device. pgscan/pgsteal: kswapd's (background reclaim at the
 * low watermark) and direct reclaim's (below min, and the page cache's shrinker). */
long mm_proc_vmstat(char *buf, unsigned long len)
{
	if (!mm_active()) return -ENOENT;
	struct frame_stats fs;
	frame_stats(&fs);
	struct meminfo_acc a;
	struct pagecache_stats pc;
	uint64_t anon, mapped, file;
	mem_totals(&a, &pc, &anon, &mapped, &file);
	struct swap_stats sw;
	swap_stats(&sw);
	const struct { const char *name; uint64_t v; } val[] = {
		{ "nr_free_pages", fs.free }, { "nr_anon_pages", anon },
		{ "nr_file_pages", file + a.shmem }, { "nr_mapped", mapped + a.shmem },
		{ "nr_shmem", a.shmem }, { "nr_page_table_pages", a.pt_nodes },
		{ "nr_swapcached", sw.writeback }, { "nr_writeback", sw.writeback },
		{ "pswpin", sw.pswpin }, { "pswpout", sw.pswpout },
		{ "pgfault", mm_stat.faults }, { "pgmajfault", mm_stat.majfault },
		{ "pgactivate", mm_stat.pgactivate }, { "pgdeactivate", mm_stat.pgdeactivate },
		{ "pgrefill", mm_stat.pgrefill },
		{ "pgsteal_kswapd", mm_stat.pgsteal_kswapd }, { "pgsteal_direct", mm_stat.pgsteal_direct + pc.dropped },
		{ "pgscan_kswapd", mm_stat.pgscan_kswapd }, { "pgscan_direct", mm_stat.pgscan_direct + pc.dropped },
		{ "kswapd_low_wmark_hit_quickly", mm_stat.kswapd_wakeups },
		{ "swap_ra", sw.pswpin }, { "oom_kill", mm_stat.oom_kill },
	};
	struct out o = { buf, len, 0 };
	for (size_t i = 0; i < sizeof val / sizeof val[0]; i++)
		out_printf(&o, "%s %lu\n", val[i].name, (unsigned long)val[i].v);
	return out_result(&o);
}
