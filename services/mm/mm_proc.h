/* services/mm/mm_proc.h - /proc from the tables: what procfs and the unit tests use
 * besides mm.h's mm_proc_* (all in services/mm/mm_proc.c; docs/memory.md, "/proc
 * from the tables").
 *
 * Every generator writes into buf (len bytes) and returns the length, -EFBIG when
 * len is too small (call again with a larger buffer), or -ESRCH when the process
 * has no mm (a kernel thread, a zombie, --mm=off).
 *
 * Thread: tracer thread only. */
#ifndef PERSONA_MM_PROC_H
#define PERSONA_MM_PROC_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/task.h"
#include "services/mm/vma.h"

/* Linux pads a maps line to this many characters before the space that precedes
 * the name (seq_setwidth(m, 25 + sizeof(void *) * 6 - 1), then seq_pad(m, ' ')):
 * the name starts at column 73 unless the header is longer. */
#define MM_PROC_MAPS_PAD	72

/* The name maps shows for v from the VMA alone: "[heap]" (VM_HEAP), "[stack]"
 * (VM_STACK), else v->name; NULL for none. */
const char *mm_proc_vma_name(const struct vma *v);
/* The offset column: pgoff << 12 for a file-backed VMA (an object, or a host-backed
 * mapping of a file: host_ino != 0), else 0. */
uint64_t mm_proc_vma_offset(const struct vma *v);
/* Formats v as one /proc/PID/maps line, newline included, as Linux's show_map_vma:
 * "%08lx-%08lx %c%c%c%c %08llx %02x:%02x %lu " then, when there is a name, spaces up
 * to MM_PROC_MAPS_PAD characters, one space and the name. name NULL: the VMA's own
 * (mm_proc_vma_name); "" for none. Returns the line's length as snprintf does (the
 * line was cut when it is >= len). */
int mm_proc_maps_line(char *buf, size_t len, const struct vma *v, const char *name);
/* smaps' "VmFlags:" mnemonics for a Persona-managed VMA, each followed by a space,
 * in Linux's bit order (show_smap_vma_flags). noexec: the file's mount is noexec
 * (no "me"). Returns the length as snprintf. */
int mm_proc_vmflags(char *buf, size_t len, const struct vma *v, bool noexec);

long mm_proc_smaps_rollup(struct task *leader, char *buf, unsigned long len);
/* Whether process `leader` has an mm (one of its threads holds it) */
bool mm_proc_has_mm(struct task *leader);
/* /proc/PID/stat's vsize (bytes, field 23) and rss (pages, field 24) from the
 * tables. 0, or -ESRCH without an mm. */
int mm_proc_stat_vm(struct task *leader, uint64_t *vsize, uint64_t *rss);
#endif
