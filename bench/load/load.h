/* load.h - yl-load, the load side of the server experiment: it starts one
 * of the three servers, loads it over loopback (through wrk, or through our
 * own epoll client), measures, and stops it again.
 *
 *   bench/load/main.c    flags, the four modes, the CSV rows
 *   bench/load/server.c  the server as a child: start, first line, memory, stop
 *   bench/load/gen.c     our client: many keep-alive connections, a closed loop
 *   bench/load/wrk.c     wrk as a child, and what its output says
 *   bench/load/pair.c    the socket-pair baseline of the idle mode
 *   bench/load/syscalls.c system calls per keep-alive request (perf stat)
 */
#ifndef YL_LOAD_H
#define YL_LOAD_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "measure.h"

/* --- the server under test (server.c) -------------------------------- */

struct server {
    pid_t pid;          /* also its process group: it leads one of its own */
    int out_fd;         /* its stdout, drained to our stderr after line one */
    uint16_t port;
    char model[32];     /* from its listening line: model=... */
    char variant[32];   /* variant=... (or exec=...) */
    char workers[16];   /* workers=..., "" when it has none */
    struct sockaddr_in addr;
};

/* Starts path (absolute) with argv[1..] = args, in a process group of its
 * own, allowed on cpus (when not empty), its stdout on a pipe; waits up to start_s for the one line
 * "listening on 127.0.0.1:PORT model=M variant=V ..." and fills s. Returns
 * 0, or -1 with one line in err saying why (exited early, no such file, a
 * line that is not the listening line, too slow). The child is gone on -1. */
int server_start(struct server *s, const char *path, char *const args[],
                 const struct cpu_list *cpus, unsigned start_s, char *err, size_t errlen);

/* SIGTERM, up to grace_s to exit, then SIGKILL to the whole group; reaps
 * it. Returns 0 when it exited 0 by itself and left no process behind,
 * else -1 with the reason in err (the group is killed either way). */
int server_stop(struct server *s, unsigned grace_s, char *err, size_t errlen);

/* SIGKILL to the server's group and a wait for the server itself, for
 * error paths and signal handlers (async-signal-safe). */
void server_kill_now(void);

/* The pids of the server and all its descendants (found through /proc),
 * at most cap; returns how many. */
size_t server_pids(const struct server *s, pid_t *pids, size_t cap);

/* One snapshot of the server's memory: the anonymous PSS summed over its
 * process tree (user side), the machine's kernel side, and how many
 * threads the tree runs. 0, or -1 when /proc could not be read. */
struct server_mem {
    uint64_t user;    /* Pss_Anon summed over the tree */
    uint64_t kernel;  /* KernelStack + PageTables + SUnreclaim, system-wide */
    uint64_t threads; /* threads in the tree (processes count their own) */
};
int server_mem(const struct server *s, struct server_mem *m);

/* --- our client (gen.c) ---------------------------------------------- */

struct conn;

/* Latencies of one kind of request, in ms, as they came. */
struct samples {
    double *v;
    size_t n, cap;
};

struct gen {
    struct conn *c;
    size_t n, cap;      /* open connections, room for */
    int epfd;
    struct sockaddr_in dst;
    uint64_t closed;    /* connections the server closed on us */
    uint64_t errors;    /* replies other than 200, or broken replies */
    size_t per_src;     /* connections per source address (port range / 2) */
};

/* What the closed loop asks: a light request (light_path) on every
 * connection, one in heavy_every of all requests is heavy_path instead
 * (0: never). rate > 0 paces the requests to rate per second in all
 * (each connection sends at its own times; latency counts from the time a
 * request was due, so a stalled server is not hidden); 0 is as fast as
 * the replies come. */
struct gen_load {
    const char *light_path, *heavy_path;
    uint64_t heavy_every;
    double rate;
    uint64_t duration_ms;
    void (*mid)(void *arg); /* called once, halfway through (or NULL) */
    void *mid_arg;
};

struct gen_result {
    struct samples light, heavy;
    uint64_t in_time;  /* replies that came before the end of the run */
    double elapsed_s;  /* the run without its drain: throughput = in_time / elapsed_s */
};

/* Sets g up to connect to dst. 0, or -1 with errno (epoll_create1). */
int gen_init(struct gen *g, const struct sockaddr_in *dst);

/* Opens n more keep-alive connections (a bounded number in flight at a
 * time), each sending GET /hello and reading the reply, so the server has
 * a unit for every one. Source addresses 127.0.0.1, .2, ... share the
 * local ports when one address would run out. Returns 0, or -1 with one
 * line in err naming the limit (RLIMIT_NOFILE, the local port range) or
 * the error; g->n says how many are open either way. */
int gen_open(struct gen *g, size_t n, unsigned timeout_s, char *err, size_t errlen);
/* The time gen_open may take for n idle connections: 60 s and 1 s more per
 * 1000, since an emulated guest opens 100k at about 1200 per second and a
 * flat 60 s stopped it near 80k. */
unsigned gen_open_timeout_s(size_t n);

/* Runs the closed loop of ld on every open connection for ld->duration_ms,
 * then waits (up to drain_ms) for the replies still due. Samples go to r
 * (freed by gen_result_free). 0, or -1 with one line in err. */
int gen_run(struct gen *g, const struct gen_load *ld, uint64_t drain_ms, struct gen_result *r,
            char *err, size_t errlen);

/* Counts connections the server has closed since they were opened, without
 * blocking (an idle connection must stay open). */
uint64_t gen_count_closed(struct gen *g);

void gen_result_free(struct gen_result *r);

/* Closes every connection and the epoll fd. */
void gen_close(struct gen *g);

/* --- wrk (wrk.c) ---------------------------------------------------- */

struct wrk_result {
    double req_per_s;
    double p50_ms, p75_ms, p90_ms, p99_ms;
    uint64_t requests;
    uint64_t errors; /* socket errors of every kind + non-2xx/3xx replies */
};

/* The path of wrk: prog itself when it holds a '/', else the first
 * executable prog in $PATH; NULL when there is none. */
const char *wrk_find(const char *prog, char *buf, size_t len);

/* The first line of `wrk -v` ("wrk debian/4.1.0-3+b2 [epoll] ..."),
 * trimmed to its first two words, into buf; "?" when it cannot be run. */
void wrk_version(const char *wrk, char *buf, size_t len);

/* Runs wrk -t threads -c conns -d dur_s --latency URL as a child pinned to
 * client (if not empty), killed if it runs past dur_s + slack_s; parses
 * what it printed into r. 0, or -1 with one line in err. */
int wrk_run(const char *wrk, const char *url, unsigned threads, unsigned conns, unsigned dur_s,
            unsigned slack_s, const struct cpu_list *client, struct wrk_result *r, char *err,
            size_t errlen);

/* Parses wrk's --latency report; 0, or -1 when Requests/sec or the 50%
 * and 99% lines are missing. */
int wrk_parse(const char *text, struct wrk_result *r);

/* --- the socket-pair baseline (pair.c) ------------------------------- */

/* A null server, a child of ours on 127.0.0.1 that answers the first
 * request of each connection and then only holds it: C connections to it
 * cost the kernel what the two socket ends of any model's C connections
 * cost, and nothing else. */
struct pair_server {
    pid_t pid;
    struct sockaddr_in addr;
};
/* Starts it (listening before this returns); 0, or -1 with a line in err. */
int pair_start(struct pair_server *p, char *err, size_t errlen);
/* Kills it and waits: every connection's server end is gone. */
void pair_stop(struct pair_server *p);
/* The kernel side of c idle socket pairs: a null server, c connections of
 * gen_open, the machine's kernel bytes after settle_ms against before,
 * everything closed again. 0, or -1 with a line in err. */
int pair_kernel_bytes(uint64_t c, uint64_t settle_ms, double *bytes, char *err, size_t errlen);

/* --- system calls per request (syscalls.c) --------------------------- */

struct sc_count {
    char name[32];
    uint64_t calls;
};
/* Counts the system calls of s's whole process tree, by kind, while one
 * warmed keep-alive connection does nreq requests (perf stat on the
 * syscall tracepoints; the kind "total" is all of them). Fills out (*nout
 * of cap); 0, or -1 with one line in err. */
int syscalls_count(const struct server *s, uint64_t nreq, struct sc_count *out, size_t cap,
                   size_t *nout, char *err, size_t errlen);

#endif
