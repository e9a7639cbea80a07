/* core/pidmap.c - virtual pid numbers (see pidmap.h).
 * Two hash tables index the same entries by host and by virtual id. Allocation is
 * cyclic like Linux's alloc_pid(): the next number after the last one handed out,
 * skipping numbers in use, wrapping to 2 (1 is taken once, by init). */
#include <stdlib.h>
#include <string.h>
#include "core/pidmap.h"

#define HASH_SIZE 4096
/* Released numbers, remembered for late translations (a SIGCHLD or a wait result
 * that reaches the guest after the zombie was released): direct-mapped by host pid,
 * so a lookup is O(1) and a mapping lives until 65536 later releases collide with it
 * (host pids are handed out in sequence) or the host pid is used again. */
#define RECENT 65536

static struct pidnum *by_host[HASH_SIZE], *by_virt[HASH_SIZE];
static pid_t last_virt;
static unsigned live;
static struct { pid_t host, virt; } recent[RECENT];

static unsigned hash(pid_t id) { return ((unsigned)id * 2654435761u) % HASH_SIZE; }

struct pidnum *pidmap_by_host(pid_t host)
{
	struct pidnum *p;
	for (p = by_host[hash(host)]; p; p = p->host_next)
		if (p->host == host) return p;
	return NULL;
}

struct pidnum *pidmap_by_virt(pid_t virt)
{
	struct pidnum *p;
	for (p = by_virt[hash(virt)]; p; p = p->virt_next)
		if (p->virt == virt) return p;
	return NULL;
}

static pid_t next_free_virt(void)
{
	for (unsigned tries = 0; tries < PIDMAP_MAX; tries++) {
		pid_t v = last_virt + 1;
		if (v >= PIDMAP_MAX) v = 2;
		last_virt = v;
		if (!pidmap_by_virt(v)) return v;
	}
	return -1;
}

struct pidnum *pidmap_alloc(pid_t host)
{
	pid_t v = next_free_virt();
	struct pidnum *p;
	if (v < 0 || !(p = calloc(1, sizeof *p))) return NULL;
	p->host = host; p->virt = v; p->refs = 1;
	p->host_next = by_host[hash(host)]; by_host[hash(host)] = p;
	p->virt_next = by_virt[hash(v)]; by_virt[hash(v)] = p;
	live++;
	return p;
}

void pidmap_get(struct pidnum *p) { p->refs++; }

static void unlink_from(struct pidnum **chain, struct pidnum *p, int by_virt_chain)
{
	for (; *chain; chain = by_virt_chain ? &(*chain)->virt_next : &(*chain)->host_next)
		if (*chain == p) {
			*chain = by_virt_chain ? p->virt_next : p->host_next;
			return;
		}
}

void pidmap_put(struct pidnum *p)
{
	if (!p || --p->refs > 0) return;
	unlink_from(&by_host[hash(p->host)], p, 0);
	unlink_from(&by_virt[hash(p->virt)], p, 1);
	recent[(unsigned)p->host % RECENT].host = p->host;
	recent[(unsigned)p->host % RECENT].virt = p->virt;
	live--;
	free(p);
}

pid_t pidmap_to_virt(pid_t host)
{
	struct pidnum *p = pidmap_by_host(host);
	return p ? p->virt : 0;
}

pid_t pidmap_to_host(pid_t virt)
{
	struct pidnum *p = pidmap_by_virt(virt);
	return p ? p->host : -1;
}

pid_t pidmap_to_virt_recent(pid_t host)
{
	pid_t v = pidmap_to_virt(host);
	if (!v && host > 0 && recent[(unsigned)host % RECENT].host == host)
		v = recent[(unsigned)host % RECENT].virt;
	return v;
}

unsigned pidmap_count(void) { return live; }

void pidmap_reset(void)
{
	for (unsigned i = 0; i < HASH_SIZE; i++) {
		struct pidnum *p = by_host[i], *n;
		for (; p; p = n) { n = p->host_next; free(p); }
		by_host[i] = by_virt[i] = NULL;
	}
	last_virt = 0; live = 0;
	memset(recent, 0, sizeof recent);
}
