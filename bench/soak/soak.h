/* soak.h - yl-soak: one server for a long time under wrk, good clients
 * that check every reply, and bad clients at the same time, while the
 * server's RSS, fds and threads are sampled.
 *
 *   bench/soak/main.c     flags, the run, the samples, the checks
 *   bench/soak/clients.c  the good client and the seven bad ones
 * The server is started and stopped by bench/load/server.c, wrk run by
 * bench/load/wrk.c (yl-load's own code).
 */
#ifndef YL_SOAK_H
#define YL_SOAK_H

#include <netinet/in.h>
#include <stdatomic.h>
#include <stdint.h>

/* What every client thread shares: where, until when, and the counters
 * the checks read afterwards. */
struct soak {
    struct sockaddr_in addr;
    uint64_t end_ns;       /* clients stop here */
    uint64_t cut_ms;       /* a held connection must be cut within this */
    /* good clients */
    _Atomic uint64_t good_ok, good_bad, good_lost; /* right reply, wrong reply, none */
    char first_wrong[120];  /* the first wrong reply, printable */
    double *lat_ms;        /* good replies' latencies */
    _Atomic size_t nlat;
    size_t lat_cap;
    /* bad clients: counts of what the server did, by kind */
    _Atomic uint64_t refusals_seen, refusals_lost; /* 400/431 replies read, or lost */
    _Atomic uint64_t slow_held_ms;  /* longest a slowloris connection stayed open */
    _Atomic uint64_t stuck_held_ms; /* longest a non-reading client's connection stayed open */
    _Atomic uint64_t heavy_ok, heavy_bad; /* pipelined heavy batches answered whole, or not */
    _Atomic uint64_t bad_conns;    /* connections the bad clients opened */
};

/* Client threads (clients.c); each runs until s->end_ns. arg: struct soak. */
void *soak_good(void *arg);       /* keep-alive GET /hello every 10 ms, each reply checked */
void *soak_slowloris(void *arg);  /* half a head, one byte every 500 ms */
void *soak_garbage(void *arg);    /* bytes that are no request: a 400 must come back */
void *soak_oversized(void *arg);  /* a 9 KiB head: a 431 must come back */
void *soak_resets(void *arg);     /* half a request, then RST */
void *soak_halfclose(void *arg);  /* a request, shutdown(SHUT_WR): the reply still comes */
void *soak_nonreader(void *arg);  /* requests, never a read: the server must cut it */
void *soak_heavy(void *arg);      /* 16 pipelined /work?us=50000: 16 replies in order */

#endif
