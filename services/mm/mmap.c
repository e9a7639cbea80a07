/* services/mm/mmap.c - mmap, munmap, mprotect and brk on Persona's tables.
 *
 * Argument checks follow Linux's order (ksys_mmap_pgoff, do_mmap, do_vmi_munmap,
 * do_mprotect_pkey, brk) so each bad argument gets the kernel's errno. A managed
 * mapping (anonymous, private regular file, shared anonymous) is entered in the
 * tables and the guest's call is rewritten into a PROT_NONE reservation at the
 * address Persona chose; pages come later, by fault. Other mappings (shared files,
 * devices, MAP_HUGETLB, MAP_32BIT, MAP_GROWSDOWN) are the host's: they run natively
 * at Persona's address and are recorded as host-backed VMAs at exit. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include "core/log.h"
#include "services/mm/mm_internal.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif
#ifndef MAP_UNINITIALIZED
#define MAP_UNINITIALIZED 0x4000000
#endif
#ifndef PROT_SEM
#define PROT_SEM 0x8
#endif
#define MAP_TYPE_MASK 0x0f
/* flags MAP_SHARED_VALIDATE accepts (LEGACY_MAP_MASK and the validated ones) */
#define MAP_KNOWN (MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_DENYWRITE | \
		   MAP_EXECUTABLE | MAP_UNINITIALIZED | MAP_GROWSDOWN | MAP_LOCKED | \
		   MAP_NORESERVE | MAP_POPULATE | MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB | \
		   MAP_32BIT | MAP_FIXED_NOREPLACE | (0x3fUL << 26) | MAP_SYNC)

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

/* Records the host's mappings in [start, end) as host-backed VMAs (after a native
 * mmap or mremap created them). */
void mm_adopt_range(struct task *t, struct mm *mm, uint64_t start, uint64_t end)
{
	char path[64], line[4096 + 128];
	mm_unmap_tables(mm, start, end);
	snprintf(path, sizeof path, "/proc/%d/maps", task_tgid(t));
	FILE *f = fopen(path, "re");
	if (!f) return;
	while (fgets(line, sizeof line, f)) {
		unsigned long s, e, off, ino;
		unsigned maj, min;
		char perms[8];
		int name_at = 0;
		if (sscanf(line, "%lx-%lx %7s %lx %x:%x %lu %n", &s, &e, perms, &off, &maj, &min,
			   &ino, &name_at) < 7 || e <= start || s >= end)
			continue;
		if (s < start) s = start;
		if (e > end) e = end;
		char *name = name_at ? line + name_at : NULL;
		if (name) {
			name[strcspn(name, "\n")] = 0;
			if (!*name) name = NULL;
		}
		unsigned prot = (perms[0] == 'r' ? PROT_READ : 0) | (perms[1] == 'w' ? PROT_WRITE : 0) |
				(perms[2] == 'x' ? PROT_EXEC : 0);
		struct vma *v = vma_new(s, e, prot, VM_HOST | (perms[3] == 's' ? VM_SHARED : 0), NULL,
					off >> PAGE_SHIFT, name);
		if (!v) break;
		v->host_ino = ino;
		v->host_dev_major = maj;
		v->host_dev_minor = min;
		if (vma_insert(&mm->vmas, v)) vma_free(v);
	}
	fclose(f);
}

static long host_mmap_exit(struct sysreq *r, long res)
{
	struct mm *mm = r->task->mm;
	if (res >= 0 && mm) mm_adopt_range(r->task, mm, (uint64_t)res, (uint64_t)res + r->data[0]);
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
	if (r->data[2]) mm_populate(r->task, mm, start, start + len, false);
	return res;
}

/* The name maps shows for a file: the path of our descriptor of it */
static void file_name(int fd, char *buf, size_t len)
{
	char link[64];
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, buf, len - 1);
	buf[n > 0 ? n : 0] = 0;
}

long sys_mmap(struct sysreq *r, uint64_t addr, unsigned long len, unsigned long prot,
	      unsigned long flags, int fd, unsigned long off)
{
	struct task *t = r->task;
	struct mm *mm = t->mm;
	if (!mm) return SYSRET_NATIVE;
	if (off & ~PAGE_MASK) return -EINVAL;
	bool anon = flags & MAP_ANONYMOUS;
	int ffd = -1;
	struct stat st;
	if (!anon) {
		if ((ffd = guest_fd(t, fd)) < 0) return ffd;
		if (fstat(ffd, &st) < 0) st.st_mode = 0;
	}
	long err = 0;
	unsigned type = flags & MAP_TYPE_MASK;
	uint64_t alen = PAGE_ALIGN((uint64_t)len), pgoff = off >> PAGE_SHIFT;
	if (!len) err = -EINVAL;
	else if (!alen || alen > TASK_SIZE) err = -ENOMEM;
	else if (pgoff + (alen >> PAGE_SHIFT) < pgoff) err = -EOVERFLOW;
	else if (type == MAP_SHARED_VALIDATE && (flags & ~MAP_KNOWN)) err = -EOPNOTSUPP;
	else if (type != MAP_SHARED && type != MAP_PRIVATE && type != MAP_SHARED_VALIDATE) err = -EINVAL;
	if (flags & MAP_FIXED_NOREPLACE) flags |= MAP_FIXED;
	bool fixed = flags & MAP_FIXED;
	if (!err && fixed && (addr & ~PAGE_MASK)) err = -EINVAL;
	if (!err && fixed && addr > TASK_SIZE - alen) err = -ENOMEM;
	bool shared = type != MAP_PRIVATE;
	bool host = (flags & (MAP_HUGETLB | MAP_32BIT | MAP_GROWSDOWN)) ||
		    (!anon && (shared || !S_ISREG(st.st_mode)));
	if (!err && !fixed && (flags & MAP_32BIT)) {
		if (ffd >= 0) close(ffd);
		r->data[0] = alen;
		sysreq_on_exit(r, host_mmap_exit);
		return SYSRET_NATIVE;	/* the host knows the low 2 GiB's free ranges too */
	}
	if (!err && !fixed) {
		int64_t a = mm_get_unmapped_area(mm, addr, alen);
		if (a < 0) err = a;
		else addr = (uint64_t)a;
	}
	if (!err && (flags & MAP_FIXED_NOREPLACE)) {
		struct vma *v = vma_find_from(&mm->vmas, addr);
		if (v && v->start < addr + alen) err = -EEXIST;
	}
	if (!err && !anon && !host) {
		int fl = fcntl(ffd, F_GETFL);
		if ((fl & O_ACCMODE) == O_WRONLY) err = -EACCES;
	}
	if (err) {
		if (ffd >= 0) close(ffd);
		return err;
	}
	/* Persona chooses the address, whoever pages it */
	sysreq_set_arg(r, 0, addr);
	sysreq_set_arg(r, 3, (flags & ~(unsigned long)MAP_FIXED_NOREPLACE) | MAP_FIXED);
	if (host) {
		if (ffd >= 0) close(ffd);
		r->data[0] = alen;
		sysreq_on_exit(r, host_mmap_exit);
		return SYSRET_NATIVE;
	}
	struct memobj *obj = NULL;
	char name[4096] = "";
	if (!anon) {
		file_name(ffd, name, sizeof name);
		if (!(obj = memobj_file(ffd))) return -ENOMEM;
	} else if (shared) {
		if (!(obj = memobj_anon_shared(alen >> PAGE_SHIFT))) return -ENOMEM;
		strcpy(name, "/dev/zero (deleted)");
		pgoff = 0;
	} else {
		pgoff = 0;
	}
	mm_unmap_tables(mm, addr, addr + alen);
	uint32_t vflags = (shared ? VM_SHARED : 0) | (flags & MAP_NORESERVE ? VM_NORESERVE : 0) |
			  ((flags & MAP_LOCKED) ? VM_LOCKED : 0) | mm->def_flags;
	struct vma *v = vma_new(addr, addr + alen, prot & (PROT_READ | PROT_WRITE | PROT_EXEC),
				vflags, obj, pgoff, name[0] ? name : NULL);
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
	      (unsigned long)(addr + alen), prot, shared ? "shared " : "", name[0] ? name : "anonymous");
	r->data[0] = alen;
	r->data[1] = addr;
	r->data[2] = (flags & (MAP_POPULATE | MAP_LOCKED)) || (vflags & VM_LOCKED);
	sysreq_set_arg(r, 1, alen);
	sysreq_set_arg(r, 2, PROT_NONE);
	sysreq_set_arg(r, 3, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE);
	sysreq_set_arg(r, 4, (uint64_t)-1);
	sysreq_set_arg(r, 5, 0);
	sysreq_on_exit(r, managed_mmap_exit);
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

struct reprotect { struct task *t; struct vma *v; uint64_t start, end; unsigned prot; int err; };

static void reprotect_flush(struct reprotect *c)
{
	if (c->end > c->start && !c->err) c->err = host_protect(c->t, c->start, c->end - c->start, c->prot);
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

/* Sets v's protection and re-installs its present pages to match. */
static int vma_set_prot(struct task *t, struct mm *mm, struct vma *v, unsigned prot)
{
	if (v->flags & VM_HOST) {
		int err = host_protect(t, v->start, v->end - v->start, prot);
		if (!err) v->prot = prot;
		return err;
	}
	v->prot = prot;
	struct reprotect c = { .t = t, .v = v };
	pgtable_walk(mm->pt, v->start, v->end, reprotect_pte, &c);
	reprotect_flush(&c);
	return c.err;
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
	for (v = vma_find_from(&mm->vmas, start); v && v->start < end; v = vma_next(v)) {
		if (v->start > at) {	/* a hole: Linux stops here */
			err = -ENOMEM;
			break;
		}
		if ((err = vma_set_prot(t, mm, v, (unsigned)prot))) break;
		at = v->end;
	}
	if (!err && at < end) err = -ENOMEM;
	/* then merge what now matches, the pieces split off at both ends included */
	for (v = vma_find_from(&mm->vmas, start > PAGE_SIZE ? start - PAGE_SIZE : 0); v && v->start <= end;)
		v = vma_next(vma_merge_neighbours(&mm->vmas, v));
	return err;
}

/* --- brk ---------------------------------------------------------------------------- */

static long brk_grow_exit(struct sysreq *r, long res)
{
	struct mm *mm = r->task->mm;
	if (!mm) return res;
	if (res < 0) {	/* the reservation failed: the break stays */
		mm_unmap_tables(mm, r->data[1], r->data[2]);
		return (long)mm->brk;
	}
	mm->brk = r->data[0];
	return (long)mm->brk;
}

static long brk_shrink_exit(struct sysreq *r, long res)
{
	struct mm *mm = r->task->mm;
	if (mm) mm->brk = r->data[0];
	return mm ? (long)mm->brk : res;
}

long sys_brk(struct sysreq *r, uint64_t brk)
{
	struct mm *mm = r->task->mm;
	if (!mm) return SYSRET_NATIVE;
	if (brk < mm->start_brk || brk > TASK_SIZE) return (long)mm->brk;
	uint64_t newbrk = PAGE_ALIGN(brk), oldbrk = PAGE_ALIGN(mm->brk);
	if (newbrk == oldbrk) {
		mm->brk = brk;
		return (long)brk;
	}
	r->data[0] = brk;
	if (brk <= mm->brk) {
		mm_unmap_tables(mm, newbrk, oldbrk);
		sysreq_set_nr(r, SYS_munmap);
		sysreq_set_arg(r, 0, newbrk);
		sysreq_set_arg(r, 1, oldbrk - newbrk);
		sysreq_on_exit(r, brk_shrink_exit);
		return SYSRET_NATIVE;
	}
	/* the heap may not run into the next mapping (nor its stack guard gap) */
	struct vma *next = vma_find_from(&mm->vmas, oldbrk);
	uint64_t gap = next && (next->flags & VM_GROWSDOWN) ? STACK_GUARD_GAP : 0;
	if (next && newbrk + PAGE_SIZE > next->start - (next->start > gap ? gap : 0)) return (long)mm->brk;
	struct vma *v = vma_new(oldbrk, newbrk, PROT_READ | PROT_WRITE, VM_HEAP | mm->def_flags,
				NULL, 0, "[heap]");
	if (!v) return (long)mm->brk;
	if (vma_insert(&mm->vmas, v)) {
		vma_free(v);
		return (long)mm->brk;
	}
	vma_merge_neighbours(&mm->vmas, v);
	r->data[1] = oldbrk;
	r->data[2] = newbrk;
	sysreq_set_nr(r, SYS_mmap);
	sysreq_set_arg(r, 0, oldbrk);
	sysreq_set_arg(r, 1, newbrk - oldbrk);
	sysreq_set_arg(r, 2, PROT_NONE);
	sysreq_set_arg(r, 3, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE);
	sysreq_set_arg(r, 4, (uint64_t)-1);
	sysreq_set_arg(r, 5, 0);
	sysreq_on_exit(r, brk_grow_exit);
	return SYSRET_NATIVE;
}
