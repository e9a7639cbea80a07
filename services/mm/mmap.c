/* services/mm/mmap.c - mmap, munmap, mprotect and brk on Persona's tables.
 *
 * Argument checks follow Linux's order (x86 sys_mmap, ksys_mmap_pgoff, do_mmap with
 * __get_unmapped_area, do_vmi_munmap, do_mprotect_pkey, brk) so each bad argument
 * gets the kernel's errno. A managed mapping (anonymous, private regular file,
 * shared anonymous) is entered in the tables and the guest's call is rewritten into a
 * PROT_NONE reservation at the address Persona chose; pages come later, by fault.
 * Other mappings (shared files, devices, MAP_GROWSDOWN stacks) are the host's: they
 * run natively at Persona's address, the host makes the checks only it can (the
 * file's access mode, MAP_SYNC), and they are recorded as host-backed VMAs at exit.
 * MAP_HUGETLB and MAP_32BIT without MAP_FIXED run natively where the host puts them
 * (huge page alignment, the low 2 GiB). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/magic.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include "core/log.h"
#include "core/trap.h"
#include "core/shim.h"
#include "services/mm/mm_internal.h"
#include "services/mm/swap.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif
#ifndef MAP_DROPPABLE
#define MAP_DROPPABLE 0x08
#endif
#ifndef MAP_UNINITIALIZED
#define MAP_UNINITIALIZED 0x4000000
#endif
#ifndef MAP_HUGE_SHIFT
#define MAP_HUGE_SHIFT 26
#endif
#ifndef PROT_SEM
#define PROT_SEM 0x8
#endif
#define MAP_TYPE_MASK 0x0f
#define MAP_HUGE_2MB (21UL << MAP_HUGE_SHIFT)
#define MAP_HUGE_1GB (30UL << MAP_HUGE_SHIFT)
/* the flags every file takes with MAP_SHARED_VALIDATE (MAP_FIXED_NOREPLACE is not
 * among them: Linux refuses it there with EOPNOTSUPP) */
#define LEGACY_MAP_MASK (MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_DENYWRITE | \
			 MAP_EXECUTABLE | MAP_UNINITIALIZED | MAP_GROWSDOWN | MAP_LOCKED | \
			 MAP_NORESERVE | MAP_POPULATE | MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB | \
			 MAP_32BIT | MAP_HUGE_2MB | MAP_HUGE_1GB)
/* VMA flags Persona keeps on host-backed VMAs (the host's maps does not show them) */
#define HOST_KEPT (VM_GROWSDOWN | VM_LOCKED | VM_LOCKONFAULT | VM_NORESERVE | VM_DROPPABLE | \
		   VM_WIPEONFORK)

/* The guest's descriptor `fd` as our own (same open file description), or -errno. */
static int guest_fd(struct task *t, int fd)
{
	int pidfd = t->leader->pidfd, own = -1;
	if (pidfd < 0) pidfd = own = (int)syscall(SYS_pidfd_open, task_tgid(t), 0);
	int r = pidfd < 0 ? -1 : (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	int err = errno;
	if (own >= 0) close(own);
	return r < 0 ? -(err == EBADF ? EBADF : err) : r;
}

/* --- limits, as the guest has them --------------------------------------------- */

/* Whether the guest holds capability `cap` (its CapEff, as capable() asks) */
static bool guest_capable(struct task *t, int cap)
{
	char path[64], line[128];
	unsigned long long eff = 0;
	snprintf(path, sizeof path, "/proc/%d/status", t->tid);
	FILE *f = fopen(path, "re");
	if (!f) return false;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1) break;
	fclose(f);
	return eff >> cap & 1;
}

static uint64_t memlock_limit(struct task *t)
{
	struct rlimit rl;
	if (prlimit(task_tgid(t), RLIMIT_MEMLOCK, NULL, &rl)) return RLIM_INFINITY;
	return rl.rlim_cur;
}

bool mm_can_do_mlock(struct task *t)
{
	return memlock_limit(t) != 0 || guest_capable(t, CAP_IPC_LOCK);
}

bool mm_mlock_future_ok(struct task *t, struct mm *mm, uint32_t vm_flags, uint64_t bytes)
{
	if (!(vm_flags & VM_LOCKED)) return true;
	uint64_t locked = bytes >> PAGE_SHIFT, limit = memlock_limit(t);
	for (struct vma *v = vma_first(&mm->vmas); v; v = vma_next(v))
		if (v->flags & VM_LOCKED) locked += vma_pages(v);
	return limit == RLIM_INFINITY || locked <= limit >> PAGE_SHIFT || guest_capable(t, CAP_IPC_LOCK);
}

static int touch_frame(uint64_t va, pte_t *e, void *arg)
{
	if (pte_present(*e)) (void)*(volatile char *)frame_to_virt(pte_pfn(*e));
	return 0;
}

int mm_populate_resident(struct task *t, struct mm *mm, uint64_t start, uint64_t end, bool write)
{
	int err = mm_populate(t, mm, start, end, write);
	/* a frame never used is a hole of the pool's memfd, which the host's mincore
	 * reports absent: a read through the direct map makes the memfd allocate it */
	pgtable_walk(mm->pt, start & PAGE_MASK, PAGE_ALIGN(end), touch_frame, NULL);
	return err;
}

/* --- host-backed mappings ----------------------------------------------------------- */


/* data[0]: length, data[1]: VMA flags to keep on what the host mapped */
static long host_mmap_exit(struct sysreq *r, long res)
{
	struct mm *mm = r->task->mm;
	if (res < 0 || !mm) return res;
	uint64_t start = (uint64_t)res, end = start + r->data[0];
	mm_adopt_range(mm, task_tgid(r->task), start, end);
	for (struct vma *v = vma_find_from(&mm->vmas, start); v && v->start < end; v = vma_next(v))
		v->flags |= (uint32_t)r->data[1];
	return res;
}

static long managed_mmap_exit(struct sysreq *r, long res)
{
	struct mm *mm = r->task->mm;
	uint64_t start = r->data[1], len = r->data[0];
	if (!mm) return res;
	if (res < 0) {
		mm_unmap_tables(mm, start, start + len);
		return res;
	}
	if (r->data[2]) {
		mm_populate_resident(r->task, mm, start, start + len, false);
	} else if (r->data[3]) {
		/* best effort: what the pool cannot give now comes by fault */
		uint64_t end = start + (r->data[3] >> 1);
		mm_fill(mm, start, end, r->data[3] & 1);
		struct inject_batch *b = mm_batch_begin(r->task);
		host_install_ptes(r->task, mm, start, end);
		mm_batch_end(r->task, b);
	}
	return res;
}

#define PREFILL_CAP	(512UL << PAGE_SHIFT)	/* 2 MiB: prefill_of's limit */

/* Whether a read-only mapping of a whole ELF file from offset 0 (ld.so reading a
 * library's headers) reaches past the library's first segment, the part it keeps */
static bool head_only(uint64_t len, unsigned long prot, const struct memobj *file, uint64_t pgoff)
{
	return file && pgoff == 0 && file->elf_head && (prot & (PROT_READ | PROT_WRITE)) == PROT_READ &&
	       (len < PREFILL_CAP ? len : PREFILL_CAP) > file->elf_head;
}

/* How much of a new private mapping is made present at once, at the exit of the
 * reservation (one injected mmap per run of frames instead of a fault stop per
 * window): what a program loading a library certainly touches. Text whole, up to
 * 2 MiB, and a segment of an ELF file (text, read-only data) whole up to
 * MM_SEGMENT_MAX, as its faults would (fault.c); a read-only file mapping at offset
 * 0, up to 2 MiB (ld.so maps a library whole so, reads its headers through it and
 * maps the segments over it: the page cache then holds the file in one run of
 * frames, so each segment is one mmap; ld.so.cache); data as private copies
 * (relocation writes it) and small anonymous memory (bss, TLS, ld.so's own
 * allocations) when small. Returns bytes << 1 | write, 0 for none. */
static uint64_t prefill_of(uint64_t len, unsigned long prot, const struct memobj *file, uint64_t pgoff,
			   uint32_t vflags)
{
	uint64_t n = 0, cap = PREFILL_CAP;
	if (vflags & (VM_SHARED | VM_GROWSDOWN | VM_NORESERVE | VM_DROPPABLE)) return 0;
	if (prot & PROT_WRITE) n = len <= (64UL << PAGE_SHIFT) && (file || len <= (16UL << PAGE_SHIFT)) ? len : 0;
	else if (!file || !(prot & PROT_READ)) n = 0;
	else if (file->elf && pgoff && mm_segment_whole(len >> PAGE_SHIFT)) n = len;
	else if (prot & PROT_EXEC) n = len < cap ? len : cap;
	else if (pgoff == 0) n = len < cap ? len : cap;
	/* a library mapped whole for its headers: only its first segment stays visible
	 * once ld.so maps the others over the rest (libc: 38 of 482 pages); installing
	 * the rest cost ~0.9 µs a page for nothing (sys_mmap still reads the whole
	 * file into the page cache in one run) */
	if (head_only(len, prot, file, pgoff)) n = file->elf_head;
	return n << 1 | !!(prot & PROT_WRITE);
}

/* A single run of present pages: contiguous frames, one protection */
struct one_run { uint64_t start, next; pfn_t pfn; unsigned prot; bool broken; };

static int one_run_pte(uint64_t va, pte_t *e, void *arg)
{
	struct one_run *o = arg;
	if (va == o->start) {
		o->pfn = pte_pfn(*e);
		o->prot = pte_prot(*e);
	}
	if (!pte_present(*e) || va != o->next || pte_prot(*e) != o->prot ||
	    pte_pfn(*e) != o->pfn + ((va - o->start) >> PAGE_SHIFT)) {
		o->broken = true;
		return 1;
	}
	o->next = va + PAGE_SIZE;
	return 0;
}

static int clear_pending(uint64_t va, pte_t *e, void *arg)
{
	(void)va; (void)arg;
	*e &= ~PTE_PENDING;
	return 0;
}

/* The pages of a new mapping [addr, addr + len) made present (with `write`, as
 * private copies) and, when they are one run of contiguous frames, the guest's
 * mmap rewritten to map those frames itself. false: not one run (what was filled
 * is installed by the exit hook). */
static bool mmap_frames(struct sysreq *r, struct mm *mm, uint64_t addr, uint64_t len, bool write)
{
	if (mm_fill(mm, addr, addr + len, write)) return false;
	struct one_run o = { .start = addr, .next = addr };
	pgtable_walk(mm->pt, addr, addr + len, one_run_pte, &o);
	if (o.broken || o.next != addr + len) return false;
	pgtable_walk(mm->pt, addr, addr + len, clear_pending, NULL);
	MMDBG("[%d] map %#lx-%#lx frames %u+%lu by the guest's own mmap", task_vtid(r->task),
	      (unsigned long)addr, (unsigned long)(addr + len), o.pfn, (unsigned long)(len >> PAGE_SHIFT));
	mm_stat.installs++;
	mm->install_gen++;
	sysreq_set_arg(r, 1, len);
	sysreq_set_arg(r, 2, o.prot);
	sysreq_set_arg(r, 3, MAP_SHARED | MAP_FIXED | MAP_POPULATE);
	sysreq_set_arg(r, 4, MM_POOL_FD);
	sysreq_set_arg(r, 5, frame_offset(o.pfn));
	r->args_final = true;
	return true;
}

/* The name maps shows for a file: the path of our descriptor of it */
static void file_name(int fd, char *buf, size_t len)
{
	char link[64];
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, buf, len - 1);
	buf[n > 0 ? n : 0] = 0;
}

/* --- mmap ------------------------------------------------------------------------ */

/* The guest's file, as do_mmap sees it */
struct mfile {
	int fd;			/* our descriptor of the same open file description */
	int fl;			/* its F_GETFL */
	struct stat st;
	struct statfs fs;
};

/* ksys_mmap_pgoff's fget: a descriptor open for anything but O_PATH */
static long file_get(struct task *t, int fd, struct mfile *f)
{
	if ((f->fd = guest_fd(t, fd)) < 0) return f->fd;
	f->fl = fcntl(f->fd, F_GETFL);
	if (f->fl < 0 || (f->fl & O_PATH)) return -EBADF;
	if (fstat(f->fd, &f->st)) memset(&f->st, 0, sizeof f->st);
	if (fstatfs(f->fd, &f->fs)) memset(&f->fs, 0, sizeof f->fs);
	return 0;
}

/* Whether the file has an mmap operation at all (procfs and sysfs files mostly do
 * not: ENODEV). Persona's own /proc files are memfds named persona-proc
 * (procfs/synth.c) standing for files without one; of the rest the host is asked,
 * with a throwaway mapping of our own. */
static bool file_mmappable(const struct mfile *f)
{
	/* regular files of the disk and memory filesystems always have one: no
	 * throwaway mapping (and no readlink) for every library a program maps */
	switch ((unsigned long)f->fs.f_type) {
	case 0xEF53:		/* ext2/3/4 */
	case 0x58465342:	/* xfs */
	case 0x9123683E:	/* btrfs */
	case 0x01021994:	/* tmpfs */
	case 0x794c7630:	/* overlayfs */
	case 0x73717368:	/* squashfs */
	case 0xF2F52010:	/* f2fs */
	case 0x2fc12fc1:	/* zfs */
		return true;
	}
	char name[64];
	file_name(f->fd, name, sizeof name);
	if (!strncmp(name, "/memfd:persona-proc", 19)) return false;
	void *p = mmap(NULL, PAGE_SIZE, PROT_READ, MAP_PRIVATE, f->fd, 0);
	if (p == MAP_FAILED) return errno != ENODEV;
	munmap(p, PAGE_SIZE);
	return true;
}

/* file_mmap_ok: the mapping's last byte must be a valid offset of the file (loff_t
 * for regular files, block devices and sockets) */
static bool file_mmap_ok(const struct stat *st, uint64_t pgoff, uint64_t len)
{
	uint64_t max = S_ISREG(st->st_mode) || S_ISBLK(st->st_mode) || S_ISSOCK(st->st_mode) ?
		       (uint64_t)INT64_MAX : UINT64_MAX;
	return len <= max && pgoff <= (max - len) >> PAGE_SHIFT;
}

/* round_hint_to_min: a hint is rounded down to its page, and one below mmap_min_addr
 * asks for mmap_min_addr */
static uint64_t round_hint_to_min(uint64_t hint)
{
	hint &= PAGE_MASK;
	return hint && hint < MMAP_MIN_ADDR ? PAGE_ALIGN(MMAP_MIN_ADDR) : hint;
}

static bool range_busy(struct mm *mm, uint64_t start, uint64_t end)
{
	struct vma *v = vma_find_from(&mm->vmas, start);
	return v && v->start < end;
}

/* What do_mmap decided */
struct mmap_plan {
	uint64_t addr, len, pgoff;
	uint32_t vflags;
	bool host;		/* the host pages it, at addr */
	bool native;		/* the host runs the call as the guest made it */
};

/* Linux's do_mmap up to mmap_region: every check in its order. 0 or -errno. */
static long do_mmap(struct task *t, struct mm *mm, uint64_t addr, uint64_t len, unsigned long prot,
		    unsigned long flags, const struct mfile *f, struct mmap_plan *p)
{
	unsigned type = flags & MAP_TYPE_MASK;
	if (!len) return -EINVAL;
	if (flags & MAP_FIXED_NOREPLACE) flags |= MAP_FIXED;
	bool fixed = flags & MAP_FIXED;
	if (!fixed) addr = round_hint_to_min(addr);
	len = PAGE_ALIGN(len);
	if (!len) return -ENOMEM;
	if (p->pgoff + (len >> PAGE_SHIFT) < p->pgoff) return -EOVERFLOW;
	/* __get_unmapped_area */
	if (len > TASK_SIZE) return -ENOMEM;
	if (!fixed && (flags & MAP_32BIT)) {
		p->native = true;	/* the host knows the low 2 GiB's free ranges too */
		p->len = len;
		return 0;
	}
	if (!fixed) {
		int64_t a = mm_get_unmapped_area(mm, addr, len);
		if (a < 0) return a;
		addr = (uint64_t)a;
	}
	if (addr > TASK_SIZE - len) return -ENOMEM;
	if (addr & ~PAGE_MASK) return -EINVAL;
	if (addr < MMAP_MIN_ADDR && !guest_capable(t, CAP_SYS_RAWIO)) return -EPERM;
	if ((flags & MAP_FIXED_NOREPLACE) && range_busy(mm, addr, addr + len)) return -EEXIST;
	uint32_t vflags = mm->def_flags | (flags & MAP_LOCKED ? VM_LOCKED : 0) |
			  (flags & MAP_GROWSDOWN ? VM_GROWSDOWN : 0) | (flags & MAP_NORESERVE ? VM_NORESERVE : 0);
	if ((flags & MAP_LOCKED) && !mm_can_do_mlock(t)) return -EPERM;
	if (!mm_mlock_future_ok(t, mm, vflags, len)) return -EAGAIN;
	if (f) {
		if (!file_mmap_ok(&f->st, p->pgoff, len)) return -EOVERFLOW;
		switch (type) {
		case MAP_SHARED_VALIDATE:
			/* MAP_SYNC is the host's to judge (DAX files); the rest must be
			 * checked here, as the call Persona passes on drops
			 * MAP_FIXED_NOREPLACE */
			if (flags & ~(LEGACY_MAP_MASK | MAP_SYNC)) return -EOPNOTSUPP;
			/* fallthrough */
		case MAP_SHARED:
			p->host = true;	/* the host checks the access mode, then pages it */
			break;
		case MAP_PRIVATE:
			if ((f->fl & O_ACCMODE) == O_WRONLY) return -EACCES;
			/* statfs's f_flags are statvfs's f_flag (ST_*) */
			if ((prot & PROT_EXEC) && (f->fs.f_flags & ST_NOEXEC)) return -EPERM;
			if (S_ISREG(f->st.st_mode) && !file_mmappable(f)) return -ENODEV;
			if (vflags & VM_GROWSDOWN) return -EINVAL;
			p->host = !S_ISREG(f->st.st_mode);	/* devices: the host's (ENODEV too) */
			break;
		default:
			return -EINVAL;
		}
	} else {
		switch (type) {
		case MAP_SHARED:
			if (vflags & VM_GROWSDOWN) return -EINVAL;
			vflags |= VM_SHARED;
			p->pgoff = 0;
			break;
		case MAP_DROPPABLE:
			if (flags & MAP_LOCKED) return -EINVAL;
			if (vflags & VM_GROWSDOWN) return -EINVAL;
			vflags = (vflags & ~(uint32_t)(VM_LOCKED | VM_LOCKONFAULT)) | VM_DROPPABLE |
				 VM_NORESERVE | VM_WIPEONFORK;
			/* fallthrough */
		case MAP_PRIVATE:
			p->pgoff = addr >> PAGE_SHIFT;	/* anonymous memory's linear index */
			break;
		default:
			return -EINVAL;
		}
		p->host = vflags & VM_GROWSDOWN;	/* a stack grows by the host's faults */
	}
	p->addr = addr;
	p->len = len;
	p->vflags = vflags;
	return 0;
}

/* MAP_HUGETLB, or a hugetlbfs file: the host aligns and places it (its huge page
 * size, its pool) */
static long mmap_hugetlb(struct sysreq *r, unsigned long len, unsigned long flags, const struct mfile *f)
{
	unsigned shift = flags >> MAP_HUGE_SHIFT & 0x3f;
	uint64_t hsize = f ? (uint64_t)f->fs.f_bsize : shift ? 1ULL << shift : 2UL << 20;
	if (f && f->fs.f_type != HUGETLBFS_MAGIC) return -EINVAL;
	if (!hsize) hsize = PAGE_SIZE;
	r->data[0] = ((uint64_t)len + hsize - 1) & ~(hsize - 1);
	r->data[1] = 0;
	sysreq_on_exit(r, host_mmap_exit);
	return SYSRET_NATIVE;
}

long sys_mmap(struct sysreq *r, uint64_t addr, unsigned long len, unsigned long prot,
	      unsigned long flags, int fd, unsigned long off)
{
	struct task *t = r->task;
	struct mm *mm = t->mm;
	if (!mm) return SYSRET_NATIVE;
	if (off & ~PAGE_MASK) return -EINVAL;			/* arch/x86 sys_mmap */
	bool anon = flags & MAP_ANONYMOUS;
	struct mfile file = { .fd = -1 }, *f = anon ? NULL : &file;
	struct mmap_plan p = { .pgoff = off >> PAGE_SHIFT };
	long err = f ? file_get(t, fd, f) : 0;
	if (!err && ((flags & MAP_HUGETLB) || (f && f->fs.f_type == HUGETLBFS_MAGIC)))
		err = mmap_hugetlb(r, len, flags, f);
	else if (!err)
		err = do_mmap(t, mm, addr, len, prot, flags, f, &p);
	/* accountable: private writable, or shared anonymous (--overcommit) */
	if (!err && !p.native && (((p.vflags & VM_SHARED) && anon) || (!(p.vflags & VM_SHARED) && (prot & PROT_WRITE))) &&
	    (mm_config.overcommit == 2 || !(p.vflags & VM_NORESERVE) || (p.vflags & VM_SHARED)))
		err = mm_vm_enough_memory(p.len >> PAGE_SHIFT);
	if (err || p.native) {
		if (file.fd >= 0) close(file.fd);
		if (p.native) {
			r->data[0] = p.len;
			r->data[1] = 0;
			sysreq_on_exit(r, host_mmap_exit);
			return SYSRET_NATIVE;
		}
		return err;
	}
	addr = p.addr;
	/* Persona chooses the address, whoever pages it */
	sysreq_set_arg(r, 0, addr);
	sysreq_set_arg(r, 3, (flags & ~(unsigned long)MAP_FIXED_NOREPLACE) | MAP_FIXED);
	if (p.host) {
		if (file.fd >= 0) close(file.fd);
		r->data[0] = p.len;
		r->data[1] = p.vflags & HOST_KEPT;
		sysreq_on_exit(r, host_mmap_exit);
		return SYSRET_NATIVE;
	}
	struct memobj *obj = NULL;
	char name[4096] = "";
	bool shared = p.vflags & VM_SHARED;
	if (f) {
		file_name(file.fd, name, sizeof name);
		if (!(obj = memobj_file_stat(file.fd, &file.st))) return -ENOMEM;	/* it owns the fd now */
	} else if (shared) {
		if (!(obj = memobj_anon_shared(p.len >> PAGE_SHIFT))) return -ENOMEM;
		strcpy(name, "/dev/zero (deleted)");
	}
	mm_unmap_tables(mm, addr, addr + p.len);
	struct vma *v = vma_new(addr, addr + p.len, prot & (PROT_READ | PROT_WRITE | PROT_EXEC),
				p.vflags, obj, p.pgoff, name[0] ? name : NULL);
	memobj_put(obj);	/* the VMA holds it now */
	if (!v) return -ENOMEM;
	if (obj) {
		v->host_ino = obj->kind == MO_FILE ? obj->ino : obj->id;
		v->host_dev_major = obj->kind == MO_FILE ? major(obj->dev) : 0;
		v->host_dev_minor = obj->kind == MO_FILE ? minor(obj->dev) : 1;
	}
	if (vma_insert(&mm->vmas, v)) {
		vma_free(v);
		return -ENOMEM;
	}
	vma_merge_neighbours(&mm->vmas, v);
	MMDBG("[%d] mmap %#lx-%#lx prot %#lx %s%s", task_vtid(t), (unsigned long)addr,
	      (unsigned long)(addr + p.len), prot, shared ? "shared " : "", name[0] ? name : "anonymous");
	r->data[0] = p.len;
	r->data[1] = addr;
	/* populated as Linux's vm_mmap_pgoff does: MAP_POPULATE (unless MAP_NONBLOCK), or
	 * locked (unless on fault) */
	r->data[2] = (flags & (MAP_POPULATE | MAP_NONBLOCK)) == MAP_POPULATE ||
		     (p.vflags & (VM_LOCKED | VM_LOCKONFAULT)) == VM_LOCKED;
	r->data[3] = prefill_of(p.len, prot, obj && obj->kind == MO_FILE ? obj : NULL, p.pgoff, p.vflags);
	/* alone in its mm, a thread needs no exit stop when its own call does all the
	 * host has to: the reservation, or the mapping of the frames (a whole mapping
	 * present in one run) */
	bool alone = !mm_shared(t) && !r->data[2];
	if (alone && (r->data[3] >> 1) == p.len && mmap_frames(r, mm, addr, p.len, r->data[3] & 1))
		return SYSRET_NATIVE;
	/* more than one host call (the frames are in several runs, or some pages stay
	 * absent: a library's tail past its file's end): all of them in one batch,
	 * from this stop, and the call answered here */
	struct inject_batch *b = alone && r->data[3] ? mm_batch_begin(t) : NULL;
	if (b) {
		uint64_t fill = r->data[3] >> 1;
		if (obj && obj->kind == MO_FILE && head_only(p.len, prot, obj, p.pgoff)) {
			/* the whole file into the page cache in one run of frames (each
			 * segment ld.so maps next is then one host mapping), the head alone
			 * into this mapping */
			uint64_t all = p.len < PREFILL_CAP ? p.len : PREFILL_CAP;
			mm_fill(mm, addr, addr + all, false);	/* best effort */
			mm_unmap_tables(mm, addr + fill, addr + all);
		} else {
			mm_fill(mm, addr, addr + fill, r->data[3] & 1);	/* best effort */
		}
		host_reserve(t, addr, p.len);
		host_install_ptes(t, mm, addr, addr + fill);
		long err = mm_batch_end(t, b);
		if (err) mm_unmap_tables(mm, addr, addr + p.len);
		return err ? err : (long)addr;
	}
	if (alone && !r->data[3]) {
		r->args_final = true;	/* the reservation below, and no exit hook */
		mm->install_gen++;
	} else {
		sysreq_on_exit(r, managed_mmap_exit);
	}
	sysreq_set_arg(r, 1, p.len);
	sysreq_set_arg(r, 2, PROT_NONE);
	sysreq_set_arg(r, 3, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE);
	sysreq_set_arg(r, 4, (uint64_t)-1);
	sysreq_set_arg(r, 5, 0);
	return SYSRET_NATIVE;
}

long sys_munmap(struct sysreq *r, uint64_t addr, unsigned long len)
{
	struct mm *mm = r->task->mm;
	if (!mm) return SYSRET_NATIVE;
	if ((addr & ~PAGE_MASK) || addr > TASK_SIZE || len > TASK_SIZE - addr) return -EINVAL;
	uint64_t end = addr + PAGE_ALIGN((uint64_t)len);
	if (end == addr) return -EINVAL;
	mm_unmap_tables(mm, addr, end);
	return SYSRET_NATIVE;	/* the host drops reservations and frames alike */
}

/* --- mprotect --------------------------------------------------------------------- */

/* The host mprotects an mprotect needs, gathered: when there is one, the guest's own
 * call can do it natively (no injection, no stop besides its seccomp stop). */
#define REPROTECT_RUNS 4
struct reprotect {
	struct task *t;
	struct vma *v;
	uint64_t start, end;	/* the run being gathered */
	unsigned prot;
	int err;
	struct { uint64_t start, end; unsigned prot; } runs[REPROTECT_RUNS];
	unsigned nruns;
};

static void reprotect_apply(struct reprotect *c)
{
	for (unsigned i = 0; i < c->nruns && !c->err; i++)
		c->err = host_protect(c->t, c->runs[i].start, c->runs[i].end - c->runs[i].start, c->runs[i].prot);
	c->nruns = 0;
}

static void reprotect_add(struct reprotect *c, uint64_t start, uint64_t end, unsigned prot)
{
	if (c->nruns == REPROTECT_RUNS) reprotect_apply(c);
	c->runs[c->nruns].start = start;
	c->runs[c->nruns].end = end;
	c->runs[c->nruns++].prot = prot;
}

static void reprotect_flush(struct reprotect *c)
{
	if (c->end > c->start) reprotect_add(c, c->start, c->end, c->prot);
	c->start = c->end = 0;
}

static int reprotect_pte(uint64_t va, pte_t *e, void *arg)
{
	struct reprotect *c = arg;
	if (!pte_present(*e)) return 0;
	unsigned prot = mm_page_prot(c->v, *e);
	if (pte_prot(*e) == prot) return 0;
	*e = (*e & ~PTE_PROT_MASK) | prot;
	if (c->end != va || c->prot != prot) reprotect_flush(c);
	if (!c->end) {
		c->start = va;
		c->prot = prot;
	}
	c->end = va + PAGE_SIZE;
	return 0;
}

/* Sets v's protection; the host changes its present pages need go to c. A host
 * VMA is changed at once: the host may refuse (a read-only shared file made
 * writable), and then v keeps its protection. 0 or -errno. */
static int vma_set_prot(struct reprotect *c, struct mm *mm, struct vma *v, unsigned prot)
{
	if (v->flags & VM_HOST) {
		int err = host_protect(c->t, v->start, v->end - v->start, prot);
		if (!err) v->prot = prot;
		return err;
	}
	v->prot = prot;
	c->v = v;
	pgtable_walk(mm->pt, v->start, v->end, reprotect_pte, c);
	reprotect_flush(c);
	return 0;
}

long sys_mprotect(struct sysreq *r, uint64_t start, unsigned long len, unsigned long prot)
{
	struct task *t = r->task;
	struct mm *mm = t->mm;
	if (!mm) return SYSRET_NATIVE;
	unsigned long grows = prot & (PROT_GROWSDOWN | PROT_GROWSUP);
	prot &= ~grows;
	if (grows == (PROT_GROWSDOWN | PROT_GROWSUP)) return -EINVAL;
	if (start & ~PAGE_MASK) return -EINVAL;
	if (!len) return 0;
	uint64_t end = start + PAGE_ALIGN((uint64_t)len);
	if (end <= start) return -ENOMEM;
	if (prot & ~(unsigned long)(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM)) return -EINVAL;
	struct vma *v = vma_find_from(&mm->vmas, start);
	if (!v) return -ENOMEM;
	if (grows & PROT_GROWSDOWN) {
		if (v->start >= end) return -ENOMEM;
		start = v->start;
		if (!(v->flags & VM_GROWSDOWN)) return -EINVAL;
	} else {
		if (v->start > start) return -ENOMEM;
		if (grows & PROT_GROWSUP) return -EINVAL;	/* no VM_GROWSUP on x86 */
	}
	prot &= PROT_READ | PROT_WRITE | PROT_EXEC;
	mm_split_at(mm, start, end);
	uint64_t at = start;
	long err = 0;
	struct reprotect c = { .t = t };
	for (v = vma_find_from(&mm->vmas, start); v && v->start < end; v = vma_next(v)) {
		if (v->start > at) {	/* a hole: Linux stops here */
			err = -ENOMEM;
			break;
		}
		if ((err = vma_set_prot(&c, mm, v, (unsigned)prot))) break;
		at = v->end;
	}
	if (!err && at < end) err = -ENOMEM;
	bool native = !err && c.nruns == 1 && !mm_shared(t) && t->stop == STOP_SECCOMP;
	if (native) {	/* the guest's call makes the one change (and returns 0) */
		sysreq_set_arg(r, 0, c.runs[0].start);
		sysreq_set_arg(r, 1, c.runs[0].end - c.runs[0].start);
		sysreq_set_arg(r, 2, c.runs[0].prot);
		r->args_final = true;
		mm->install_gen++;
	} else {
		reprotect_apply(&c);
		if (!err) err = c.err;
	}
	/* then merge what now matches, the pieces split off at both ends included */
	for (v = vma_find_from(&mm->vmas, start > PAGE_SIZE ? start - PAGE_SIZE : 0); v && v->start <= end;)
		v = vma_next(vma_merge_neighbours(&mm->vmas, v));
	return native ? SYSRET_NATIVE : err;
}

/* --- brk ---------------------------------------------------------------------------- */

/* data[0]: the new break, data[1..2]: the pages added */
/* The break changes: the tables', and the one the shim answers brk(0) with */
static void brk_set(struct task *t, uint64_t brk)
{
	t->mm->brk = brk;
	shim_brk_changed(t);
}

static long brk_grow_exit(struct sysreq *r, long res)
{
	struct mm *mm = r->task->mm;
	if (!mm) return res;
	if (res < 0) {	/* the reservation failed: the break stays */
		mm_unmap_tables(mm, r->data[1], r->data[2]);
		return (long)mm->brk;
	}
	brk_set(r->task, r->data[0]);
	if ((mm->def_flags & (VM_LOCKED | VM_LOCKONFAULT)) == VM_LOCKED)	/* mlockall(MCL_FUTURE) */
		mm_populate_resident(r->task, mm, r->data[1], r->data[2], true);
	return (long)mm->brk;
}

static long brk_shrink_exit(struct sysreq *r, long res)
{
	struct mm *mm = r->task->mm;
	if (mm && res == 0) brk_set(r->task, r->data[0]);
	return mm ? (long)mm->brk : res;
}

/* Whether a heap growth may take its first pages at once: not under memory pressure
 * (the pool well stocked, no swap device whose reclaim the fill would have to run
 * from inside the growth's batch); otherwise the first touch faults as before. */
static bool brk_prefill_ok(void)
{
	if (swap_active()) return false;
	struct frame_stats fs;
	frame_stats(&fs);
	return fs.free >= 4 * (uint64_t)mm_config.fault_around + 1024;
}

bool mm_heap_shrinkable(struct task *t)
{
	struct mm *mm = t->mm;
	if (!mm || mm_shared(t) || t->leader->live_threads != 1 || swap_active() ||
	    (mm->def_flags & (VM_LOCKED | VM_LOCKONFAULT)))
		return false;
	uint64_t lo = PAGE_ALIGN(mm->start_brk), hi = PAGE_ALIGN(mm->brk);
	if (lo >= hi) return false;	/* nothing to shrink */
	struct vma *v = vma_find(&mm->vmas, hi - 1);
	return v && v->start <= lo && v->end == hi && !v->obj && (v->flags & VM_HEAP) &&
	       !(v->flags & (VM_LOCKED | VM_LOCKONFAULT | VM_SHARED | VM_HOST | VM_SPECIAL)) &&
	       v->prot == (PROT_READ | PROT_WRITE);
}

/* Whether the host maps none of the present pages of [from, to): a read of one byte
 * of each through process_vm_readv must fail. */
static bool host_unmapped(struct task *t, struct mm *mm, uint64_t from, uint64_t to)
{
	for (uint64_t va = from; va < to; va += PAGE_SIZE) {
		if (!pte_present(pgtable_get(mm->pt, va))) continue;
		char c;
		struct iovec l = { &c, 1 }, rv = { (void *)va, 1 };
		errno = 0;
		if (process_vm_readv(t->tid, &l, 1, &rv, 1, 0) != -1 || errno != EFAULT) return false;
	}
	return true;
}

void mm_heap_sync(struct task *t)
{
	struct mm *mm = t->mm;
	uint64_t want;
	if (!mm || !shim_heap_break(t, &want) || want == mm->brk) return;
	uint64_t from = PAGE_ALIGN(want), to = PAGE_ALIGN(mm->brk);
	/* Only what the shim may do: a shrink, while the heap is as mm_heap_shrinkable
	 * requires it (one plain read-write VMA: every present page of it is readable in
	 * the host, so a failed read proves a page unmapped; the process alone in its mm,
	 * no fork holding it), and once the host maps none of the pages. Anything else
	 * (a scribbled page, a claim not carried out) is undone in the guest's page: the
	 * supervisor's break and tables stand, and no frame is freed while mapped. */
	if (want < mm->start_brk || want > mm->brk || mm->lock_owner || !mm_heap_shrinkable(t) ||
	    (from < to && !host_unmapped(t, mm, from, to))) {
		MMDBG("[%d] heap: the shim's break %#lx refused (%#lx stands)", task_vtid(t),
		      (unsigned long)want, (unsigned long)mm->brk);
		shim_brk_changed(t);
		return;
	}
	MMDBG("[%d] heap shrunk by the shim: %#lx -> %#lx", task_vtid(t), (unsigned long)mm->brk,
	      (unsigned long)want);
	if (from < to) mm_unmap_tables(mm, from, to);
	mm->brk = want;
	mm_stat.heap_shrinks_in_guest++;
}

/* Linux's brk: on any failure the break stays where it was, and is returned. */
long sys_brk(struct sysreq *r, uint64_t brk)
{
	struct task *t = r->task;
	struct mm *mm = t->mm;
	if (!mm) return SYSRET_NATIVE;
	long orig = (long)mm->brk;
	if (brk < mm->start_brk) return orig;
	uint64_t newbrk = PAGE_ALIGN(brk), oldbrk = PAGE_ALIGN(mm->brk);
	if (newbrk == oldbrk) {
		brk_set(t, brk);
		return (long)brk;
	}
	r->data[0] = brk;
	if (brk <= mm->brk) {
		/* shrinking is always allowed, of the heap's own pages */
		struct vma *v = vma_find_from(&mm->vmas, newbrk);
		if (!v || v->start >= oldbrk) return orig;
		mm_unmap_tables(mm, newbrk, oldbrk);
		sysreq_set_nr(r, SYS_munmap);
		sysreq_set_arg(r, 0, newbrk);
		sysreq_set_arg(r, 1, oldbrk - newbrk);
		sysreq_on_exit(r, brk_shrink_exit);
		return SYSRET_NATIVE;
	}
	/* check_brk_limits: a MAP_FIXED get_unmapped_area, then RLIMIT_MEMLOCK */
	uint64_t len = newbrk - oldbrk;
	if (len > TASK_SIZE || oldbrk > TASK_SIZE - len) return orig;
	if (!mm_mlock_future_ok(t, mm, mm->def_flags, len)) return orig;
	if (mm_vm_enough_memory(len >> PAGE_SHIFT)) return orig;	/* --overcommit */
	/* the heap may not run into the next mapping (nor a stack's guard gap), and a
	 * page must stay free between them */
	struct vma *next = vma_find_from(&mm->vmas, oldbrk);
	if (next) {
		uint64_t gap = next->start;
		if (next->flags & VM_GROWSDOWN) gap = gap > STACK_GUARD_GAP ? gap - STACK_GUARD_GAP : 0;
		if (newbrk + PAGE_SIZE > gap) return orig;
	}
	struct vma *v = vma_new(oldbrk, newbrk, PROT_READ | PROT_WRITE, VM_HEAP | mm->def_flags,
				NULL, oldbrk >> PAGE_SHIFT, "[heap]");
	if (!v) return orig;
	if (vma_insert(&mm->vmas, v)) {
		vma_free(v);
		return orig;
	}
	vma_merge_neighbours(&mm->vmas, v);
	r->data[1] = oldbrk;
	r->data[2] = newbrk;
	/* Alone in its mm at its seccomp stop: the reservation and the heap's first
	 * pages (the window its first fault would fill: malloc writes the new top
	 * chunk's header at once) in one batch, and the call answered here. That batch
	 * is the one round trip the reservation's exit stop was, and the first-touch
	 * fault (a stop and an injected mmap) is gone: fork+exec of a static busybox
	 * took one in its two heap growths. */
	struct inject_batch *b = !mm_shared(t) && t->stop == STOP_SECCOMP &&
				 (mm->def_flags & (VM_LOCKED | VM_LOCKONFAULT)) != VM_LOCKED &&
				 brk_prefill_ok() ? mm_batch_begin(t) : NULL;
	if (b) {
		uint64_t fill = (uint64_t)mm_config.fault_around << PAGE_SHIFT;
		if (fill > len) fill = len;
		mm_fill(mm, oldbrk, oldbrk + fill, true);	/* best effort: the rest by fault */
		host_reserve(t, oldbrk, len);
		host_install_ptes(t, mm, oldbrk, oldbrk + fill);
		if (mm_batch_end(t, b)) {
			mm_unmap_tables(mm, oldbrk, newbrk);
			return orig;
		}
		brk_set(t, brk);
		return (long)brk;
	}
	sysreq_set_nr(r, SYS_mmap);
	sysreq_set_arg(r, 0, oldbrk);
	sysreq_set_arg(r, 1, len);
	sysreq_set_arg(r, 2, PROT_NONE);
	sysreq_set_arg(r, 3, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE);
	sysreq_set_arg(r, 4, (uint64_t)-1);
	sysreq_set_arg(r, 5, 0);
	sysreq_on_exit(r, brk_grow_exit);
	return SYSRET_NATIVE;
}
