/* http.h - the small HTTP/1.1 of the server in three models (runtime/,
 * threads/, procs/ server.c): a request parser that works on whatever
 * bytes have arrived so far, the router and the replies. No I/O here: the
 * models read and write in their own way (yl_read in a task, read(2) in a
 * thread or a process) and sleep in their own way (a libyl timer or
 * nanosleep), which is the whole difference between them.
 *
 * What is understood: GET with HTTP/1.0 or HTTP/1.1, keep-alive (1.1 keeps
 * the connection unless "Connection: close"; 1.0 closes unless
 * "Connection: keep-alive"; a close anywhere in the Connection headers
 * wins), pipelined requests (answered in order, one after another from the
 * same buffer, at most HTTP_QUEUED_US_MAX of /work queued: see HTTP_BUSY). Routes:
 *   GET /hello         200 "hello\n"
 *   GET /work?us=K     200 after K microseconds of CPU work (K <= 10 s)
 *   GET /sleep?ms=K    200 after a K ms timer (K <= 60 s), done by the model
 * Errors: a malformed request line or header -> 400 and close; a request
 * head over HTTP_HEAD_MAX bytes -> 431 and close; an unknown path -> 404
 * (the connection stays); a method other than GET -> 405 with "Allow: GET"
 * and close (we cannot know where its body ends); a request body
 * (Content-Length other than 0, Transfer-Encoding) -> 400 and close.
 * Every reply has Content-Length. After a reply that closes with input
 * perhaps unread (http_drains), the models shut down their side and read
 * what still comes for a while (net_drain), so that the reply is not lost
 * to the reset a close with unread input sends.
 */
#ifndef YL_HTTP_H
#define YL_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The longest request head (request line and headers) we take. */
#define HTTP_HEAD_MAX 8192

/* The /work one connection may have queued: pipelined requests taken out
 * of its buffer before it had to wait for more bytes. Past it, 503 and
 * close: one packet of 8 KiB could otherwise queue 40 minutes of CPU. */
#define HTTP_QUEUED_US_MAX 1000000u

/* The longest reply http_reply writes. */
#define HTTP_REPLY_MAX 256

/* The buffer a connection starts with: a request of a usual size fits,
 * and an idle connection costs little. A longer head moves to a buffer of
 * HTTP_HEAD_MAX bytes, allocated then. */
#define HTTP_IN_SMALL 1024

/* Bytes received on one connection and not yet consumed. */
struct http_in {
    size_t len;      /* bytes in buf */
    size_t scanned;  /* bytes already searched for the end of the head */
    size_t cap;      /* HTTP_IN_SMALL, or HTTP_HEAD_MAX once grown */
    uint64_t queued_us; /* /work taken out since the buffer was last empty */
    char *buf;       /* small, or a malloc'd HTTP_HEAD_MAX */
    char small[HTTP_IN_SMALL];
};

enum http_route {
    HTTP_HELLO,
    HTTP_WORK,     /* arg = microseconds of CPU */
    HTTP_SLEEP,    /* arg = milliseconds of timer */
    HTTP_NOTFOUND, /* 404 */
    HTTP_BAD,      /* 400, close */
    HTTP_TOOBIG,   /* 431, close */
    HTTP_METHOD,   /* 405, close */
    HTTP_BUSY,     /* 503, close: more than HTTP_QUEUED_US_MAX of /work queued */
};

/* One parsed request: what to do, and whether the connection stays. */
struct http_req {
    enum http_route route;
    uint64_t arg;
    bool keep_alive;
    bool http10;   /* the reply says "Connection: keep-alive" to a 1.0 client */
    bool close;    /* a Connection header said close: no later one undoes it */
};

/* Readies in for a new connection: empty, the small buffer. */
void http_in_reset(struct http_in *in);

/* The connection has ended: frees a grown buffer. */
void http_in_release(struct http_in *in);

/* Where the next read may put bytes, and how many fit. */
static inline char *http_in_space(struct http_in *in)
{
    return in->buf + in->len;
}
static inline size_t http_in_room(const struct http_in *in)
{
    return in->cap - in->len;
}

/* Records that n bytes were read into http_in_space. */
static inline void http_in_filled(struct http_in *in, size_t n)
{
    in->len += n;
}

/* True when bytes of an unfinished request are waiting (a half request). */
static inline bool http_in_partial(const struct http_in *in)
{
    return in->len > 0;
}

/* Takes the next whole request out of in. Returns true and fills *req when
 * one was there (its bytes are consumed; a request that ends the
 * connection, 400 431 405, comes out this way too); false when more bytes
 * are needed first (there is room for them: a full small buffer grows). */
bool http_next(struct http_in *in, struct http_req *req);

/* After req's reply the server closes, and bytes it has not read may be
 * there (an error reply drops the rest of the buffer; a Connection: close
 * may have more requests behind it): drain before closing. */
static inline bool http_drains(const struct http_req *req, const struct http_in *in)
{
    return !req->keep_alive && (req->route >= HTTP_BAD || in->len > 0);
}

/* Does what req asks that is pure CPU (the /work burn), then writes the
 * reply into out (HTTP_REPLY_MAX bytes); returns its length. The timer of
 * /sleep is the caller's, before calling this. */
size_t http_reply(const struct http_req *req, char *out);

#endif
