/* netutil.h - what the server's three models (runtime/, threads/, procs/
 * server.c) share besides HTTP (http.h): the flags and the line that says
 * where it listens, the listening sockets, refusing a connection when out
 * of fds, and the table of open connections that --max-conns, --idle-ms
 * and shutdown work on.
 *
 *   bench/netutil.c  flags, banner, sockets, accept refusal, write_all
 *   bench/conns.c    the connection table
 */
#ifndef YL_NETUTIL_H
#define YL_NETUTIL_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cli.h"
#include "measure.h"

/* --- flags -------------------------------------------------------------- */

/* The flags every model takes. */
struct srv_opts {
    uint64_t port;      /* --port N, 0 picks a free port (default 8080) */
    const char *addr;   /* --addr A (default 127.0.0.1) */
    uint64_t max_conns; /* --max-conns N: more at once are refused */
    uint64_t idle_ms;   /* --idle-ms MS: close a silent connection (0: never) */
    uint64_t head_ms;   /* --head-ms MS: a request head must be whole within MS (0: no limit) */
    uint64_t write_ms;  /* --write-ms MS: close a connection whose reply waits MS (0: never) */
    uint64_t workers;   /* --workers W: sharded, stealing, pool, prefork */
    const char *cpus;   /* --cpus LIST: the process runs on these CPUs only */
    bool csv;           /* --csv: rows of what was served, at exit */
    int variant;        /* --exec / --variant: index in the model's names */
    struct cpu_list cpu_list;
};

/* The usage lines of the shared flags, for each model's --help text. */
#define SRV_USAGE_COMMON                                                                   \
    "  --port N       TCP port (default 8080; 0 picks a free one)\n"                       \
    "  --addr A       IPv4 address to listen on (default 127.0.0.1: loopback only)\n"      \
    "  --max-conns N  connections open at once; more are accepted and closed (default "   \
    "10000)\n"                                                                             \
    "  --workers W    workers of the sharded, stealing, pool, prefork variants (default "  \
    "2)\n"                                                                                 \
    "  --idle-ms MS   close a connection that sends nothing, or half a request, for MS "   \
    "ms\n"                                                                                 \
    "                 (default 60000; 0: never)\n"                                         \
    "  --head-ms MS   close a connection whose request head is not whole MS ms after its\n" \
    "                 first byte, however it trickles in (default 30000; 0: no limit)\n"    \
    "  --write-ms MS  close a connection whose reply cannot be written for MS ms: the\n"    \
    "                 client does not read (default 30000; 0: never)\n"                     \
    "  --cpus LIST    run on these CPUs only, e.g. 0,1 (default: all)\n"                   \
    "  --csv          at exit, rows: connections, refused, requests (stdout)\n"            \
    "  --timeout S    stop after S seconds (default 0: run until SIGINT/SIGTERM)\n"        \
    "Once listening it prints one line on stdout:\n"                                       \
    "  listening on ADDR:PORT model=M variant=V workers=W\n"                               \
    "(workers=0: per-conn, a new thread or process for each connection)\n"                  \
    "Endpoints: GET /hello, GET /work?us=K (K us of CPU), GET /sleep?ms=K (a K ms timer).\n"

/* Parses argv: the shared flags and --exec/--variant (vflag) with the
 * model's variant names. Exits 2 naming a bad flag. Applies --cpus to the
 * process (every thread and child it makes inherits it) and ignores
 * SIGPIPE (a client that has gone is an error return, not a death). */
void srv_parse(int argc, char **argv, struct srv_opts *o, const char *vflag,
               const char *const *variants);

/* Blocks SIGINT and SIGTERM in the calling thread (threads made after it
 * inherit the mask) and returns a signalfd that reads them, non-blocking
 * and close-on-exec; exits 1 with a message on failure. */
int srv_signalfd(void);

/* Prints the one "listening on ..." line on stdout, in one write. */
void srv_banner(const struct srv_opts *o, unsigned port, const char *model,
                const char *variant, unsigned workers);

/* Emits the --csv rows (experiment server) and a summary line on stderr. */
struct conns;
void srv_report(const struct srv_opts *o, const struct conns *t, const char *model,
                const char *variant);

/* --- sockets ------------------------------------------------------------- */

/* A listening TCP socket on o->addr:port (SO_REUSEADDR; with reuseport
 * SO_REUSEPORT too, so several sockets share the port and the kernel
 * spreads connections over them), non-blocking and close-on-exec. Exits 1
 * with a message when it cannot listen. */
int net_listen(const char *addr, unsigned port, bool reuseport);

/* The port a socket is bound to. */
unsigned net_port(int fd);

/* A spare fd held open for net_refuse_emfile. */
int net_spare_open(void);

/* Out of fds (EMFILE/ENFILE): gives up the spare fd, takes the pending
 * connection off the listening socket and closes it (the client sees the
 * connection end rather than wait in the backlog), takes the spare back.
 * Without this, the connection stays pending and a level-triggered accept
 * loop would spin on it. */
/* Returns 0 when it refused one, or -1 with errno: EAGAIN when none was
 * pending (accept4 says EMFILE whether or not a connection waits: the
 * caller should wait for one rather than try again at once), another when
 * it could not take it (no spare fd either: back off a little). */
int net_refuse_emfile(int lfd, int *spare);

/* accept4 failed with err, not EAGAIN, EINTR, or out of fds. Returns how
 * many ms to wait before the next accept: 0 for an error about the one
 * connection (ECONNABORTED, EPROTO, the network errors accept(2) passes
 * on), which the next accept does not have; else it logs one line and
 * backs off, 10 ms doubling to 1 s while it keeps failing (ENOBUFS,
 * ENOMEM, ...), *backoff_ms the caller's state (0 after a success). */
uint64_t net_accept_backoff(int err, uint64_t *backoff_ms);

/* Threads and processes: takes the next connection off the non-blocking
 * listening socket lfd, as a blocking socket (for read(2)). Returns its
 * fd; -1 when none was pending, when out of fds (then a pending one is
 * refused with net_refuse_emfile, logged, and counted in t->refused;
 * *spare is the caller's spare fd, -1 at first), or on another error
 * (after net_accept_backoff's wait); -2 once lfd has been shut down. */
int net_accept(int lfd, int *spare, struct conns *t);

/* The same, blocking in poll(2) until a connection comes (several threads
 * or processes may wait on one socket: all wake, one gets it). The fd, or
 * -1 once lfd has been shut down. */
int net_wait_accept(int lfd, int *spare, struct conns *t);

/* --idle-ms and --write-ms for a blocking socket (threads, procs): a read
 * that waits longer than idle_ms fails with EAGAIN (SO_RCVTIMEO), and so
 * does a write that waits longer than write_ms (SO_SNDTIMEO); 0 leaves it
 * waiting. */
void net_set_timeouts(int fd, uint64_t idle_ms, uint64_t write_ms);

/* The server closes fd after a reply (http_drains): shuts down its
 * sending side, then reads and drops what the client still sends, until
 * the client closes, NET_DRAIN_BYTES have come, NET_DRAIN_MS have passed,
 * or wait_in(fd, ms) says nothing came for ms. Then the caller's close
 * has no unread input, and sends no reset that could destroy the reply
 * still on its way. wait_in: poll(2) for a thread or process, a short
 * sleep for a task. */
#define NET_DRAIN_BYTES (256 * 1024)
#define NET_DRAIN_MS 2000
void net_drain(int fd, bool (*wait_in)(int fd, int ms));

/* net_drain's wait_in for a blocking socket: poll(2) for input. */
bool net_poll_in(int fd, int ms);

/* Writes all n bytes through wr (write, or yl_write in a task); 0, or -1
 * when the peer has gone. */
int net_write_all(ssize_t (*wr)(int, const void *, size_t), int fd, const void *buf, size_t n);

/* The loop of one connection in a thread or a process, on a blocking
 * socket: read what has come, answer every whole request in it in order
 * (pipelining), block for more; until the client closes, asks to close,
 * sends garbage, goes quiet for o->idle_ms (SO_RCVTIMEO), takes longer
 * than o->head_ms to send a whole head (poll(2) while part of one is
 * here), or does not read a reply for o->write_ms (SO_SNDTIMEO). Counts
 * requests in t. The caller closes fd. runtime/server.c has the same loop
 * with yield points. */
struct http_in;
void srv_serve_blocking(int fd, struct http_in *in, struct conns *t, const struct srv_opts *o);

/* The /sleep of a thread or a process: nanosleep, whole through EINTR. */
void srv_sleep_ms(uint64_t ms);

/* --- the connection table (conns.c) ------------------------------------- */

/* What a connection is doing, for the reaper (conns_reap). */
enum conn_state {
    CONN_WAIT = 0,    /* waiting for a request, or the rest of one: --idle-ms, --head-ms */
    CONN_BUSY = 1,    /* a request is being worked on: not idle */
    CONN_WRITING = 2, /* its reply is being written: --write-ms */
};

/* One open connection. */
struct conn_slot {
    _Atomic int fd;          /* -1: free */
    _Atomic pid_t pid;       /* procs: the child serving it */
    _Atomic uint64_t seen_ns;/* when its state last changed (bytes came, a reply began) */
    _Atomic uint64_t head_ns;/* when the unfinished request head began (0: none) */
    _Atomic int busy;        /* enum conn_state */
};

/* The connections open now, at most cap of them, with counters. Lives in
 * MAP_SHARED memory so fork()ed workers can use it too; every change goes
 * through a lock (a process-shared pthread mutex, robust: a process that
 * dies holding it does not leave the others waiting) and the slot array. */
struct conns {
    uint64_t cap;
    size_t map_len;
    pthread_mutex_t lock;
    bool closed;             /* shutting down: no new connections */
    uint64_t open;
    uint64_t hint;           /* where to look for a free slot */
    _Atomic uint64_t accepted, refused, requests;
    struct conn_slot slot[];
};

/* A table for cap connections; exits 1 with a message when out of memory. */
struct conns *conns_new(uint64_t cap);

/* Releases it. */
void conns_free(struct conns *t);

/* Registers fd; returns its slot, or -1 when the table is full or closed
 * (the caller refuses the connection). */
long conns_add(struct conns *t, int fd);

/* Unregisters slot i; its fd is the caller's to close, after this. */
void conns_del(struct conns *t, long i);

/* procs: slot i is served by child pid, which holds the socket (the parent
 * has closed its copy, or a prefork child took it: the slot's fd becomes
 * -2), so the slot can be freed by pid when the child dies. */
void conns_set_pid(struct conns *t, long i, pid_t pid);

/* procs: unregisters the slot of child pid, if any. */
void conns_del_pid(struct conns *t, pid_t pid);

/* procs: sends sig to every child registered. */
void conns_kill_all(struct conns *t, int sig);

/* Marks slot i as in state (enum conn_state; true is CONN_BUSY, false
 * CONN_WAIT) since now. */
void conns_touch(struct conns *t, long i, int state);

/* Slot i's unfinished request head began at ns (0: there is none). */
void conns_head(struct conns *t, long i, uint64_t ns);

/* Closes the table to new connections and shuts down (SHUT_RDWR) every
 * registered socket, so each reader sees the end of its stream. */
void conns_close_all(struct conns *t);

/* Shuts down the sockets over a limit (each 0: none): waiting and silent
 * for idle_ns, waiting for the rest of a head begun head_ns ago, or
 * writing one reply for write_ns. Returns how many. */
uint64_t conns_reap(struct conns *t, uint64_t idle_ns, uint64_t head_ns, uint64_t write_ns);

/* conns_reap with the idle limit only. */
static inline uint64_t conns_reap_idle(struct conns *t, uint64_t idle_ns)
{
    return conns_reap(t, idle_ns, 0, 0);
}

/* Connections open now. */
uint64_t conns_open(struct conns *t);

#endif
