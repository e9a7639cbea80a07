/* services/mm/mm_map.c - building an address space from the outside: the loader's
 * interface to the memory manager (loader/image.c maps an executable's segments
 * with these, at the exec event, in a task stopped there). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sysmacros.h>
#include "services/mm/mm_internal.h"

int mm_map_managed(struct task *t, uint64_t start, uint64_t len, unsigned prot, uint32_t vflags,
		   struct memobj *obj, uint64_t pgoff, const char *name)
{
	struct mm *mm = t->mm;
	if (!mm || (start & ~PAGE_MASK) || !len) return -EINVAL;
	len = PAGE_ALIGN(len);
	mm_unmap_tables(mm, start, start + len);
	if (!obj) pgoff = start >> PAGE_SHIFT;	/* anonymous: Linux's linear offset */
	struct vma *v = vma_new(start, start + len, prot, vflags, obj, pgoff, name);
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
	return 0;
}

int mm_prefill(struct task *t, uint64_t start, uint64_t end, bool write)
{
	return t->mm ? mm_fill(t->mm, start, end, write) : -ENOMEM;
}

int mm_install_new(struct task *t, uint64_t start, uint64_t end)
{
	return t->mm ? host_install_new(t, t->mm, start & PAGE_MASK, PAGE_ALIGN(end)) : -ENOMEM;
}

int mm_zero_range(struct task *t, uint64_t from, uint64_t to)
{
	struct mm *mm = t->mm;
	if (!mm || to <= from) return 0;
	int err = mm_fill(mm, from, to, true);
	if (err) return err;
	for (uint64_t a = from; a < to;) {
		uint64_t end = (a & PAGE_MASK) + PAGE_SIZE;
		if (end > to) end = to;
		pte_t e = pgtable_get(mm->pt, a);
		if (!pte_present(e)) return -EFAULT;
		memset((char *)frame_to_virt(pte_pfn(e)) + (a & ~PAGE_MASK), 0, end - a);
		a = end;
	}
	return 0;
}

int mm_unmap_range(struct task *t, uint64_t start, uint64_t end)
{
	if (!t->mm || end <= start) return 0;
	mm_unmap_tables(t->mm, start, end);
	return host_unmap(t, start, end - start);
}

int64_t mm_free_area(struct task *t, uint64_t len)
{
	return t->mm ? mm_get_unmapped_area(t->mm, 0, PAGE_ALIGN(len)) : -ENOMEM;
}

int mm_get_strings(struct task *t, uint64_t *arg_start, uint64_t *arg_end, uint64_t *env_start,
		   uint64_t *env_end)
{
	struct mm *mm = t->mm;
	if (!mm || !mm->arg_end) return -ESRCH;
	*arg_start = mm->arg_start;
	*arg_end = mm->arg_end;
	*env_start = mm->env_start;
	*env_end = mm->env_end;
	return 0;
}

void mm_set_layout(struct task *t, uint64_t start_brk, uint64_t start_stack, uint64_t arg_start,
		   uint64_t arg_end, uint64_t env_start, uint64_t env_end)
{
	struct mm *mm = t->mm;
	if (!mm) return;
	if (start_brk) mm->start_brk = mm->brk = start_brk;
	mm->start_stack = start_stack;
	mm->arg_start = arg_start;
	mm->arg_end = arg_end;
	mm->env_start = env_start;
	mm->env_end = env_end;
}

struct memobj *mm_file_object(int fd) { return memobj_file(fd); }
void mm_object_put(struct memobj *o) { memobj_put(o); }

uint64_t mm_mmap_base(struct task *t) { return t->mm ? t->mm->mmap_base : 0; }

int mm_find_named(struct task *t, const char *name, struct vma **out)
{
	if (!t->mm) return -ENOENT;
	for (struct vma *v = vma_first(&t->mm->vmas); v; v = vma_next(v))
		if (v->name && !strcmp(v->name, name)) {
			*out = v;
			return 0;
		}
	return -ENOENT;
}

void mm_set_tramp(struct task *t, uint64_t code, uint64_t table, uint64_t lo, uint64_t hi)
{
	struct mm *mm = t->mm;
	if (!mm) return;
	mm_unmap_tables(mm, lo, hi);	/* hidden: the guest's maps never show it */
	mm->tramp_code = code;
	mm->tramp_table = table;
	mm->tramp_lo = lo;
	mm->tramp_hi = hi;
}

int mm_named_span(struct task *t, const char *name, uint64_t *start, uint64_t *end)
{
	struct vma *v = NULL;
	if (mm_find_named(t, name, &v)) return -ENOENT;
	*start = v->start;
	*end = v->end;
	for (v = vma_next(v); v && v->start == *end && v->name && !strcmp(v->name, name); v = vma_next(v))
		*end = v->end;
	return 0;
}

int mm_aslr(void) { return mm_config.aslr; }

void mm_set_brk(struct task *t, uint64_t start_brk)
{
	if (t->mm) t->mm->start_brk = t->mm->brk = start_brk;
}

bool mm_brk_values(struct task *t, uint64_t *start_brk, uint64_t *brk)
{
	if (!t->mm) return false;
	*start_brk = t->mm->start_brk;
	*brk = t->mm->brk;
	return true;
}

void mm_set_exe(struct task *t, const char *path)
{
	if (!t->mm) return;
	free(t->mm->exe_path);
	t->mm->exe_path = strdup(path);
}

const char *mm_exe(struct task *t) { return t && t->mm ? t->mm->exe_path : NULL; }
