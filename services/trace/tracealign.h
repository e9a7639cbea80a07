/* services/trace/tracealign.h - alignment of two sequences of event hashes.
 *
 * talign() computes a longest common subsequence: Myers's O((N+M)D) algorithm on
 * what is left after the common prefix and suffix are taken off, as long as the
 * number of differences D stays below TALIGN_MAX_D (memory (D+1)^2 * 4 bytes); past
 * that (very different traces) a greedy walk takes over, which at each mismatch
 * looks TALIGN_LOOKAHEAD elements ahead in both sequences for the nearest pair of
 * equal elements. Equal hashes are taken for equal events (64-bit FNV-1a).
 *
 * Thread: no global state. */
#ifndef PERSONA_TRACEALIGN_H
#define PERSONA_TRACEALIGN_H
#include <stddef.h>
#include <stdint.h>

#define TALIGN_MAX_D 2048
#define TALIGN_LOOKAHEAD 32

/* Aligns a[0..na) with b[0..nb): ma[i] = index in b matched with a[i], or -1; mb[j]
 * likewise. Matched pairs are increasing in both indices. Returns the number of
 * pairs, or -1 when out of memory. */
long talign(const uint64_t *a, size_t na, const uint64_t *b, size_t nb, long *ma, long *mb);
#endif
