/* lockstat.h - who waited how long for a lock, and in what order they got
 * it. Lives in MAP_SHARED memory so fork()ed units can record too. */
#ifndef YL_LOCKSTAT_H
#define YL_LOCKSTAT_H

#include <stddef.h>
#include <stdint.h>

struct csv_key;
struct lockstat;

/* Room for cap acquisitions; NULL on failure (errno set). */
struct lockstat *lockstat_new(size_t cap);

/* Releases it (in the process that created it). */
void lockstat_free(struct lockstat *s);

/* A unit is about to ask for the lock: returns its ticket (arrival rank). */
uint32_t lockstat_arrive(struct lockstat *s, uint64_t *t0_ns);

/* The unit with this ticket got the lock after asking at t0_ns. */
void lockstat_acquired(struct lockstat *s, uint32_t ticket, uint64_t t0_ns);

/* Emits wait_p50_ms, wait_p99_ms, wait_max_ms and order_corr (Spearman's
 * rho of acquisition rank against arrival rank: 1 = first come first
 * served, -1 = newest first) as CSV rows under k with n. */
void lockstat_report(struct lockstat *s, const struct csv_key *k, uint64_t n);

/* Spearman's rho between rank arrays a and b (permutations of 0..n-1). */
double lockstat_rho(const uint32_t *a, const uint32_t *b, size_t n);

#endif
