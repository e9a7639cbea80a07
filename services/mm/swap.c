/* services/mm/swap.c - the swap device (see swap.h).
 *
 * The slot map holds a 15-bit use count per slot (Linux's swap_map is a byte with
 * continuation pages; 32767 sharers is plenty here) and a writeback flag; a slot is
 * in use while its map word is not 0. Allocation is next-fit from a cursor, for runs of contiguous free
 * slots (Linux's cluster allocator in spirit: consecutive evictions land together).
 * I/O is pageio.c's (io_uring). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include "core/log.h"
#include "services/mm/mm.h"
#include "services/mm/swap.h"
#include "services/mm/pageio.h"

#define SWAP_WRITEBACK	0x8000u		/* in swap_map: the slot's write is in flight */
#define SWAP_COUNT_MAX	0x7fffu
#define SWAP_IO_MAX	64		/* iovecs per request (a run is at most this) */

static int swap_fd = -1;
static uint64_t nslots;			/* slots in the file, header included */
static uint16_t *swap_map;
static pfn_t *cache;			/* slot -> frame under writeback */
static uint64_t cursor = 1, used;
static struct swap_stats stats;


static int open_temp(void)
{
	const char *dir = getenv("TMPDIR");
	if (!dir || !*dir) dir = "/var/tmp";
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0) return fd;
	char path[4096];
	snprintf(path, sizeof path, "%s/persona-swap.XXXXXX", dir);
	fd = mkostemp(path, O_CLOEXEC);
	if (fd >= 0) unlink(path);
	return fd;
}

int swap_init(const char *spec)
{
	int64_t size = mm_parse_size(spec);
	int fd;
	if (size >= 0) {		/* --swap SIZE: a temporary file */
		if ((fd = open_temp()) < 0) {
			log_err("--swap: cannot create a temporary swap file: %s", strerror(errno));
			return -errno;
		}
	} else {			/* --swap FILE[:SIZE] */
		char path[4096];
		snprintf(path, sizeof path, "%s", spec);
		char *colon = strrchr(path, ':');
		if (colon && (size = mm_parse_size(colon + 1)) >= 0) *colon = 0;
		else size = -1;
		if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0) {
			log_err("--swap: %s: %s", path, strerror(errno));
			return -errno;
		}
		struct stat st;
		if (size < 0) size = fstat(fd, &st) == 0 ? st.st_size : 0;
	}
	size &= ~(int64_t)(PAGE_SIZE - 1);
	if (size < (int64_t)(2 * PAGE_SIZE)) {
		log_err("--swap: '%s': a swap area needs at least 2 pages (e.g. --swap 256M)", spec);
		close(fd);
		return -EINVAL;
	}
	if (ftruncate(fd, size) < 0) {
		int err = errno;
		log_err("--swap: cannot size the swap file to %ld bytes: %s", (long)size, strerror(err));
		close(fd);
		return -err;
	}
	nslots = (uint64_t)size / PAGE_SIZE;
	swap_map = calloc(nslots, sizeof *swap_map);
	cache = malloc(nslots * sizeof *cache);
	if (!swap_map || !cache) {
		free(swap_map);
		free(cache);
		close(fd);
		return -ENOMEM;
	}
	for (uint64_t i = 0; i < nslots; i++) cache[i] = FRAME_NONE;
	char header[64];
	int hl = snprintf(header, sizeof header, "PERSONA-SWAP 1 pages=%lu\n", (unsigned long)nslots);
	if (pwrite(fd, header, (size_t)hl, 0) != hl) log_err("--swap: cannot write the header");
	swap_map[0] = SWAP_COUNT_MAX;	/* the header slot */
	swap_fd = fd;
	stats.total = nslots - 1;
	return 0;
}

void swap_shutdown(void)
{
	if (swap_fd < 0) return;
	close(swap_fd);
	swap_fd = -1;
	free(swap_map);
	free(cache);
	swap_map = NULL;
	cache = NULL;
	nslots = used = 0;
	cursor = 1;
}

bool swap_active(void) { return swap_fd >= 0; }
uint64_t swap_total(void) { return nslots ? nslots - 1 : 0; }
uint64_t swap_free_slots(void) { return swap_total() - used; }
unsigned swap_count(uint64_t slot) { return slot < nslots ? swap_map[slot] & SWAP_COUNT_MAX : 0; }

uint64_t swap_alloc(unsigned n)
{
	if (swap_fd < 0 || !n || n > swap_free_slots()) return 0;
	/* next-fit: from the cursor to the end, then from the start */
	for (int pass = 0; pass < 2; pass++) {
		uint64_t from = pass ? 1 : cursor, to = pass ? cursor + n : nslots;
		if (to > nslots) to = nslots;
		for (uint64_t s = from; s + n <= to;) {
			unsigned k = 0;
			while (k < n && swap_map[s + k] == 0) k++;
			if (k == n) {
				for (unsigned i = 0; i < n; i++) swap_map[s + i] = 1;
				used += n;
				cursor = s + n < nslots ? s + n : 1;
				return s;
			}
			s += k + 1;
		}
	}
	return 0;
}

void swap_dup(uint64_t slot)
{
	if (slot && slot < nslots && (swap_map[slot] & SWAP_COUNT_MAX) < SWAP_COUNT_MAX) swap_map[slot]++;
}

void swap_free(uint64_t slot)
{
	if (!slot || slot >= nslots || !(swap_map[slot] & SWAP_COUNT_MAX)) {
		log_bug("swap_free: slot %lu is not in use", (unsigned long)slot);
		return;
	}
	swap_map[slot]--;
	if (swap_map[slot] == 0) used--;	/* under writeback: freed by swap_cache_done */
}

int swap_write(uint64_t slot, const pfn_t *pfns, unsigned n)
{
	struct iovec iov[SWAP_IO_MAX];
	if (n > SWAP_IO_MAX || slot + n > nslots) return -EINVAL;
	for (unsigned i = 0; i < n; i++) iov[i] = (struct iovec){ frame_to_virt(pfns[i]), PAGE_SIZE };
	long r = page_io(swap_fd, true, iov, n, slot * PAGE_SIZE);
	int err = r < 0 ? (int)r : 0;
	if (!err) __atomic_add_fetch(&stats.pswpout, n, __ATOMIC_RELAXED);
	return err;
}

int swap_read(uint64_t slot, pfn_t pfn, unsigned n)
{
	struct iovec iov = { frame_to_virt_range(pfn, n), (size_t)n * PAGE_SIZE };
	if (slot + n > nslots) return -EINVAL;
	long r = page_io(swap_fd, false, &iov, 1, slot * PAGE_SIZE);
	int err = r < 0 ? (int)r : r < (long)iov.iov_len ? -EIO : 0;
	if (!err) stats.pswpin += n;
	return err;
}

void swap_cache_add(uint64_t slot, pfn_t pfn)
{
	cache[slot] = pfn;
	swap_map[slot] |= SWAP_WRITEBACK;
	frame_page(pfn)->flags |= PG_SWAPCACHE;
	stats.writeback++;
}

pfn_t swap_cache_lookup(uint64_t slot)
{
	return slot < nslots ? cache[slot] : FRAME_NONE;
}

void swap_cache_done(uint64_t slot)
{
	pfn_t pfn = cache[slot];
	cache[slot] = FRAME_NONE;
	swap_map[slot] &= (uint16_t)~SWAP_WRITEBACK;
	if (swap_map[slot] == 0) used--;	/* every entry naming it went meanwhile */
	stats.writeback--;
	if (pfn != FRAME_NONE) {
		frame_page(pfn)->flags &= (uint16_t)~PG_SWAPCACHE;
		frame_put(pfn);
	}
}

void swap_stats(struct swap_stats *st)
{
	*st = stats;
	st->total = swap_total();
	st->used = used;
	st->cache_hits = 0;	/* counted by the fault path (mm_stat.swapcache_hits) */
}
