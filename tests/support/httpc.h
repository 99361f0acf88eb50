/* httpc.h - start a server program from a test and talk HTTP to it over
 * real loopback sockets (the server suites and lab 08's). */
#ifndef YL_TEST_HTTPC_H
#define YL_TEST_HTTPC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* A server started by srv_start. */
struct srv {
    pid_t pid;
    int port;
    char line[256];     /* its first line on stdout */
    char err_path[64];  /* its stderr goes to this file while it runs */
    char err[65536];    /* ... and is here once srv_stop has returned */
};

/* Starts YL_BIN_DIR/model/server --port 0 args... (NULL-terminated) with
 * RLIMIT_NOFILE lowered to nofile when nofile > 0, and waits (up to 20 s)
 * for its first line. 0, or -1 when it exited or printed something else
 * (s->line says what). */
int srv_start(struct srv *s, const char *model, const char *const args[], long nofile);

/* srv_start with the args flag variant extra... (extra NULL-terminated,
 * may be NULL), e.g. "--exec", "stealing", then "--workers", "1". */
int srv_start_variant(struct srv *s, const char *model, const char *flag, const char *variant,
                      const char *const extra[], long nofile);

/* The same, calling hook(arg) in the child just before the exec (to set
 * up something the server inherits, such as a seccomp filter). */
int srv_start_hook(struct srv *s, const char *model, const char *const args[], long nofile,
                   void (*hook)(void *), void *arg);

/* SIGTERM (or sig, when not 0, with srv_signal), then waits up to 20 s
 * for the exit (SIGKILL after that); keeps its stderr in s->err. Returns
 * its exit status, 128+signal if killed by one, -1 if it had to be
 * killed. */
int srv_stop(struct srv *s);
int srv_signal(struct srv *s, int sig);

/* The pids of its direct children now (at most cap); how many. */
int srv_children(const struct srv *s, pid_t *pids, int cap);

/* One client connection with a receive buffer (replies may come
 * together, pipelined). Every wait is bounded by 20 s. */
struct httpc {
    int fd;
    size_t len;
    char buf[16384];
};

/* Connects to 127.0.0.1:port; 0, or -1. */
int httpc_connect(struct httpc *c, int port);

/* The same on a socket of the caller's (options set before the connect,
 * such as a small SO_RCVBUF); c owns fd after, even on failure. */
int httpc_adopt(struct httpc *c, int fd, int port);

/* A malloc'd client connected to port, or NULL; httpc_free closes and
 * frees it. */
struct httpc *httpc_new(int port);
void httpc_free(struct httpc *c);

/* Takes in what has arrived, without waiting, and returns how many whole
 * replies are waiting to be read by httpc_reply. */
int httpc_count_ready(struct httpc *c);

/* Sends all of s; 0, or -1. */
int httpc_send(struct httpc *c, const char *s, size_t n);
int httpc_sends(struct httpc *c, const char *s);

/* Reads one whole reply (it must have Content-Length). Returns its status
 * code with the body in body (cap bytes, NUL-terminated; may be NULL), or
 * -1 when the connection ended first, -2 on a 20 s time-out, -3 when the
 * reply is malformed or has no Content-Length. */
int httpc_reply(struct httpc *c, char *body, size_t cap);

/* True when the server closes the connection (end of stream or reset)
 * within 20 s, with nothing more sent; false otherwise. */
bool httpc_closed(struct httpc *c);

/* Closes the connection. */
void httpc_close(struct httpc *c);

/* One request on a new connection: connect, send req, read the reply's
 * status (body into body if not NULL), close. As httpc_reply; -4 when it
 * could not connect. */
int httpc_once(int port, const char *req, char *body, size_t cap);

#endif
