/* loader/image.c - building a guest's image at its exec event.
 *
 * The host has just exec'd the stub with the guest's argv and envp, so the task
 * stands at PTRACE_EVENT_EXEC in a fresh address space: the stub's segments, a
 * stack holding the strings, the vDSO. Before it runs an instruction, Persona
 * unmaps the stub, maps the program's PT_LOAD segments and its interpreter's as
 * Persona-managed VMAs (file pages by fault, the bss zeroed), lays out the stack as
 * Linux's create_elf_tables() does (argc, argv, envp, the auxiliary vector; the
 * strings stay where the host put them, so /proc/PID/cmdline and environ are
 * right), and points the registers at the entry point. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <elf.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/random.h>
#include <sys/user.h>
#include "core/guest_mem.h"
#include "core/log.h"
#include "core/trap.h"
#include "core/inject.h"
#include <sys/prctl.h>
#include <sys/syscall.h>
#include "loader/elf.h"
#include "loader/exec.h"
#include "loader/image.h"
#include "services/mm/mm.h"
#include "services/mm/vma.h"
#include "services/sched/sched.h"

struct exec_image {
	int fd, interp_fd;
	char path[PATH_MAX];		/* the program's host path (named in maps) */
	char interp_path[PATH_MAX];
	char execfn[PATH_MAX];		/* AT_EXECFN: the name execve was given */
	struct elf_info elf, interp;
};

/* The last image freed, kept for the next exec: an image is ~150 KB (two program
 * header tables of ELF_MAX_PHNUM), which malloc mapped fresh each time, and parsing
 * clears it: ~100 page faults of the supervisor per exec (~20 us each on these VMs)
 * where the kept one's pages are already there. Images are mapped with
 * MAP_POPULATE (mmap, not malloc). Tracer thread only. */
static struct exec_image *spare;

void image_free(struct exec_image *img)
{
	if (!img) return;
	if (img->fd >= 0) close(img->fd);
	if (img->interp_fd >= 0) close(img->interp_fd);
	if (!spare) spare = img;
	else munmap(img, sizeof *img);
}

/* A zeroed image: the spare, or a new one mapped populated (one call, no faults). */
static struct exec_image *image_alloc(void)
{
	struct exec_image *img = spare;
	if (!img) {
		img = mmap(NULL, sizeof *img, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
			   -1, 0);
		return img == MAP_FAILED ? NULL : img;
	}
	spare = NULL;
	memset(img, 0, sizeof *img);
	return img;
}

struct exec_image *image_prepare(int fd, const char *hostpath, const char *execfn, int *err)
{
	char why[256];
	struct exec_image *img = image_alloc();
	if (!img) {
		close(fd);
		*err = -ENOMEM;
		return NULL;
	}
	img->fd = fd;
	img->interp_fd = -1;
	snprintf(img->execfn, sizeof img->execfn, "%s", execfn);
	char link[64];
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, img->path, sizeof img->path - 1);
	img->path[n > 0 ? n : 0] = 0;
	if (n <= 0) snprintf(img->path, sizeof img->path, "%s", hostpath);
	*err = elf_parse(fd, &img->elf, why, sizeof why);
	if (!*err && img->elf.has_interp) {
		img->interp_fd = open(img->elf.interp, O_RDONLY | O_CLOEXEC);
		if (img->interp_fd < 0) *err = -errno;
		else *err = elf_parse_interp(img->interp_fd, &img->interp, why, sizeof why);
		if (*err) DBG(DBG_LOADER, "%s: interpreter %s", hostpath, img->elf.interp);
		snprintf(img->interp_path, sizeof img->interp_path, "%s", img->elf.interp);
	}
	if (*err) {
		DBG(DBG_LOADER, "%s: %s", hostpath, why);
		image_free(img);
		return NULL;
	}
	return img;
}


#define PG_DOWN(x)	((x) & ~4095ULL)
#define PG_UP(x)	(((x) + 4095ULL) & ~4095ULL)

/* How much of a new image is made present at exec, before the program runs: the
 * pages ld.so and the start of every program certainly touch, without a fault stop
 * each (an injected mmap per run of contiguous frames instead). Text and read-only
 * data from the page cache, whole when mm_segment_whole says so (a page read costs
 * ~1.5 us, a fault stop ~270 us: cc1 took 77 faults in its 30 MB of text and
 * read-only data when 2 MiB were made present), else PREFILL_PAGES of it; data
 * segments as private copies (relocation writes them), at most PREFILL_COPY pages;
 * the bss's first PREFILL_ANON pages zeroed. */
#define PREFILL_PAGES	512	/* 2 MiB */
#define PREFILL_COPY	64
#define PREFILL_ANON	16

static uint64_t cap(uint64_t start, uint64_t end, uint64_t pages)
{
	return end - start > (pages << 12) ? start + (pages << 12) : end;
}

/* Maps the PT_LOAD segments of e (file fd, named `name`) at `bias` in the tables,
 * with the pages every run needs present; then in the host. 0 or -errno. */
static int map_segments(struct task *t, const struct elf_info *e, int fd, const char *name, uint64_t bias)
{
	int dfd = dup(fd);
	struct memobj *obj = dfd >= 0 ? mm_file_object(dfd) : NULL;
	if (!obj) return -ENOMEM;
	int err = 0;
	uint64_t lo = UINT64_MAX, hi = 0;
	for (unsigned i = 0; i < e->nseg && !err; i++) {
		const struct elf_segment *s = &e->seg[i];
		uint64_t start = PG_DOWN(bias + s->vaddr);
		uint64_t file_end = bias + s->vaddr + s->filesz, mem_end = bias + s->vaddr + s->memsz;
		uint64_t map_end = s->filesz ? PG_UP(file_end) : start;
		bool write = s->prot & PROT_WRITE;
		if (map_end > start) {
			err = mm_map_managed(t, start, map_end - start, s->prot, 0, obj,
					     PG_DOWN(s->offset) >> 12, name);
			/* best effort: what the pool cannot give now comes by fault */
			uint64_t ro = mm_segment_whole((map_end - start) >> 12) ? (map_end - start) >> 12 : PREFILL_PAGES;
			if (!err && s->prot) mm_prefill(t, start, cap(start, map_end, write ? PREFILL_COPY : ro), write);
		}
		/* the rest of the last file page belongs to the bss: zero (padzero) */
		if (!err && s->memsz > s->filesz && write && s->filesz)
			err = mm_zero_range(t, file_end, map_end);
		if (!err && PG_UP(mem_end) > map_end) {
			err = mm_map_managed(t, map_end, PG_UP(mem_end) - map_end, s->prot, 0, NULL, 0, NULL);
			if (!err && write) mm_prefill(t, map_end, cap(map_end, PG_UP(mem_end), PREFILL_ANON), true);
		}
		if (start < lo) lo = start;
		if (PG_UP(mem_end) > hi) hi = PG_UP(mem_end);
	}
	mm_object_put(obj);
	if (!err && hi > lo) err = mm_install_new(t, lo, hi);
	return err;
}

static int read_file(const char *path, void *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) return -1;
	ssize_t n = read(fd, buf, len);
	close(fd);
	return (int)n;
}


static void set_aux(uint64_t (*aux)[2], unsigned *n, uint64_t type, uint64_t val)
{
	for (unsigned i = 0; i < *n; i++)
		if (aux[i][0] == type) {
			aux[i][1] = val;
			return;
		}
	aux[*n][0] = type;
	aux[(*n)++][1] = val;
}

/* Writes `len` bytes just below *top on the guest's stack; returns their address. */
static uint64_t put(struct task *t, uint64_t *top, const void *data, size_t len)
{
	*top -= len;
	return copy_to_guest(t->tid, *top, data, len) ? 0 : *top;
}

static int build_stack(struct task *t, struct exec_image *img, uint64_t bias, uint64_t ibias, uint64_t *sp_out)
{
	pid_t pid = task_tgid(t);
	/* the strings' bounds, as mm_exec read them from the host (/proc/PID/stat) */
	uint64_t arg_start, arg_end, env_start, env_end;
	if (mm_get_strings(t, &arg_start, &arg_end, &env_start, &env_end)) return -ESRCH;
	/* the host's auxv: everything that is not the program's stays as the kernel made it */
	uint64_t aux[64][2];
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/auxv", pid);
	int n = read_file(path, aux, sizeof aux - 32);
	unsigned naux = n > 0 ? (unsigned)n / 16 : 0;
	while (naux && aux[naux - 1][0] == AT_NULL) naux--;
	for (unsigned i = 0; i < naux; i++)
		if (aux[i][0] == AT_SYSINFO_EHDR && aux[i][1]) inject_set_vdso(t, aux[i][1]);
	/* the strings: argc and envc from the host's string areas */
	size_t alen = arg_end - arg_start, elen = env_end - env_start;
	char *strs = malloc(alen + elen + 2);
	if (!strs || copy_from_guest(t->tid, strs, arg_start, alen) ||
	    copy_from_guest(t->tid, strs + alen, env_start, elen)) {
		free(strs);
		return -EFAULT;
	}
	unsigned argc = 0, envc = 0;
	for (size_t i = 0; i < alen; i++) argc += strs[i] == 0;
	for (size_t i = 0; i < elen; i++) envc += strs[alen + i] == 0;
	uint64_t top = arg_start & ~15ULL;
	uint64_t platform = put(t, &top, "x86_64", 7);
	unsigned char rnd[16];
	if (getrandom(rnd, sizeof rnd, 0) != sizeof rnd) memset(rnd, 0x5a, sizeof rnd);
	uint64_t random = put(t, &top, rnd, sizeof rnd);
	uint64_t execfn = put(t, &top, img->execfn, strlen(img->execfn) + 1);
	if (!platform || !random || !execfn) {
		free(strs);
		return -EFAULT;
	}
	set_aux(aux, &naux, AT_PHDR, bias + img->elf.phdr_vaddr);
	set_aux(aux, &naux, AT_PHENT, sizeof(Elf64_Phdr));
	set_aux(aux, &naux, AT_PHNUM, img->elf.phnum);
	set_aux(aux, &naux, AT_BASE, img->elf.has_interp ? ibias : 0);
	set_aux(aux, &naux, AT_ENTRY, bias + img->elf.entry);
	set_aux(aux, &naux, AT_RANDOM, random);
	set_aux(aux, &naux, AT_EXECFN, execfn);
	set_aux(aux, &naux, AT_PLATFORM, platform);
	aux[naux][0] = AT_NULL;
	aux[naux++][1] = 0;
	size_t words = 1 + argc + 1 + envc + 1 + 2 * naux;
	uint64_t *w = calloc(words, 8);
	if (!w) {
		free(strs);
		return -ENOMEM;
	}
	size_t k = 0;
	w[k++] = argc;
	uint64_t a = arg_start;
	for (unsigned i = 0; i < argc; i++) {
		w[k++] = a;
		a += strlen(strs + (a - arg_start)) + 1;
	}
	w[k++] = 0;
	a = env_start;
	for (unsigned i = 0; i < envc; i++) {
		w[k++] = a;
		a += strlen(strs + alen + (a - env_start)) + 1;
	}
	w[k++] = 0;
	memcpy(w + k, aux, naux * 16);
	uint64_t sp = (top - words * 8) & ~15ULL;
	int err = copy_to_guest(t->tid, sp, w, words * 8);
	free(w);
	free(strs);
	if (err) return err;
	mm_set_layout(t, 0, sp, arg_start, arg_end, env_start, env_end);
	*sp_out = sp;
	return 0;
}

/* The stub goes: nothing of it may remain. Its segments are adjacent: one munmap
 * for all of them, the bss (which maps shows without a name) included. */
static void unmap_stub(struct task *t)
{
	uint64_t code, table, lo, hi;
	if (loader_stub_batch(&code, &table, &lo, &hi)) mm_unmap_range(t, PG_DOWN(lo), PG_UP(hi));
	for (int pass = 0; pass < 8; pass++) {
		uint64_t start, end;
		if (mm_named_span(t, loader_stub_path(), &start, &end)) break;
		mm_unmap_range(t, start, end);
	}
}

static void (*image_hook)(struct task *t);

void loader_set_image_hook(void (*fn)(struct task *t)) { image_hook = fn; }

void loader_build_image(struct task *t)
{
	struct exec_image *img = t->exec_pending;
	if (!img) return;
	t->exec_pending = NULL;
	int err = -ENOMEM;
	if (!t->mm) goto fail;
	const struct elf_info *e = &img->elf;
	uint64_t bias = 0, ibias = 0;
	bool aslr = mm_aslr() > 0;
	if (e->is_dyn) {
		if (e->has_interp) {	/* a PIE program: ELF_ET_DYN_BASE plus randomness */
			bias = (ELF_ET_DYN_BASE & ~4095ULL) + (aslr ? mm_random_pages(28) : 0);
			bias = (bias + e->load_align - 1) & ~(e->load_align - 1);
		} else {		/* static-pie: where an interpreter would go */
			int64_t at = mm_free_area(t, e->hi - e->lo + e->load_align);
			if (at < 0) goto fail;
			bias = (((uint64_t)at + e->load_align - 1) & ~(e->load_align - 1)) - e->lo;
		}
	}
	/* The stub's routine runs every call of the build at once (core/inject.h),
	 * unless the program is to be loaded where the stub is: then the stub goes
	 * first, and each call is an injection. The batch can start from the exec
	 * event itself (execve's return only sets rax, which the routine loads), so
	 * execve's exit stop is skipped, unless a tracer wants to see it. */
	struct inject_batch *batch = NULL;
	uint64_t code, table, slo, shi;
	if (loader_stub_batch(&code, &table, &slo, &shi) && (bias + e->hi <= slo || bias + e->lo >= shi) &&
	    (batch = malloc(sizeof *batch))) {
		batch->code = code;
		batch->table = table;
	}
	if (batch && !trap_observer) {
		t->in_syscall_hook = false;	/* resumed by PTRACE_CONT: no exit stop */
		t->req.on_exit = NULL;
		t->stop = STOP_EVENT;
	} else if ((err = trap_finish_exec(t))) {
		free(batch);
		image_free(img);
		return;	/* the task died */
	}
	if (batch) inject_batch_begin(t, batch);
	else unmap_stub(t);
	if ((err = map_segments(t, e, img->fd, img->path, bias))) goto fail;
	if (e->has_interp) {
		const struct elf_info *ie = &img->interp;
		int64_t at = mm_free_area(t, ie->hi - ie->lo + ie->load_align);
		if (at < 0) {
			err = (int)at;
			goto fail;
		}
		ibias = (((uint64_t)at + ie->load_align - 1) & ~(ie->load_align - 1)) - ie->lo;
		char ipath[PATH_MAX], link[64];
		snprintf(link, sizeof link, "/proc/self/fd/%d", img->interp_fd);
		ssize_t n = readlink(link, ipath, sizeof ipath - 1);
		ipath[n > 0 ? n : 0] = 0;
		if ((err = map_segments(t, ie, img->interp_fd, n > 0 ? ipath : img->interp_path, ibias))) goto fail;
	}
	uint64_t sp;
	if ((err = build_stack(t, img, bias, ibias, &sp))) goto fail;
	uint64_t brk = PG_UP(bias + e->hi) + (mm_aslr() > 1 ? mm_random_pages(13) : 0);
	mm_set_brk(t, brk);
	if ((err = trap_regs_fetch(t))) goto fail;
	struct user_regs_struct *r = &t->regs;
	uint64_t cs = r->cs, ss = r->ss, ds = r->ds, es = r->es, fs = r->fs, gs = r->gs, fl = r->eflags;
	memset(r, 0, sizeof *r);
	r->cs = cs; r->ss = ss; r->ds = ds; r->es = es; r->fs = fs; r->gs = gs;
	r->eflags = fl;
	r->rip = e->has_interp ? ibias + img->interp.entry : bias + e->entry;
	r->rsp = sp;
	r->orig_rax = -1;
	trap_regs_dirty(t);
	mm_set_exe(t, img->path);
	/* the command name is the program's, not the stub's (comm, ps, /proc/PID/stat) */
	const char *base = strrchr(img->execfn, '/') ? strrchr(img->execfn, '/') + 1 : img->execfn;
	char comm[16] = { 0 };
	size_t clen = strlen(base);
	memcpy(comm, base, clen < sizeof comm - 1 ? clen : sizeof comm - 1);
	sched_task_named(t, comm);	/* no /proc/TID/comm read for the scheduler */
	uint64_t scratch = (sp - 128 - sizeof comm) & ~15ULL;
	if (!copy_to_guest(t->tid, scratch, comm, sizeof comm)) {
		struct user_regs_struct keep = *r;
		inject_syscall(t, SYS_prctl, (uint64_t[6]){ PR_SET_NAME, scratch, 0, 0, 0, 0 });
		t->regs = keep;
		trap_regs_dirty(t);
	}
	if (image_hook) image_hook(t);
	if (batch) {
		err = inject_batch_end(t);
		free(batch);
		batch = NULL;
		if (err) goto fail;
		/* the stub stays, hidden, as the process's trampoline */
		mm_set_tramp(t, code, table, PG_DOWN(slo), PG_UP(shi));
	}
	DBG(DBG_LOADER, "[%d] %s mapped at %#lx%s, entry %#llx, sp %#lx", task_vtid(t), img->path,
	    (unsigned long)bias, e->has_interp ? " with its interpreter" : "", r->rip, (unsigned long)sp);
	image_free(img);
	return;
fail:
	if (t->batch) {
		free(t->batch);
		t->batch = NULL;
	}
	log_err("exec of %s failed after the point of no return (%s): killing process %d",
		img->path, strerror(-err), task_vpid(t));
	image_free(img);
	kill(task_tgid(t), SIGKILL);
}
