/* http.c - the request parser, the router and the replies (see http.h). */
#include "http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "work.h"

#define WORK_US_MAX 10000000u /* 10 s of CPU */
#define SLEEP_MS_MAX 60000u

void http_in_reset(struct http_in *in)
{
    in->len = in->scanned = 0;
    in->queued_us = 0;
    in->cap = sizeof in->small;
    in->buf = in->small;
}

void http_in_release(struct http_in *in)
{
    if (in->buf != in->small)
        free(in->buf);
    http_in_reset(in);
}

/* More bytes are needed and the small buffer is full: move to a big one.
 * False when it is already big (the head is over the limit) or when out
 * of memory. */
static bool grow(struct http_in *in)
{
    if (in->cap >= HTTP_HEAD_MAX)
        return false;
    char *big = malloc(HTTP_HEAD_MAX);
    if (!big)
        return false;
    memcpy(big, in->buf, in->len);
    in->buf = big;
    in->cap = HTTP_HEAD_MAX;
    return true;
}

/* RFC 9110 token characters: what a method or a header name is made of. */
static bool tchar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* Length of the line at p (up to and without the '\n', and a '\r' before
 * it), *next just after the '\n'. */
static size_t line_len(const char *p, const char *nl, const char **next)
{
    *next = nl + 1;
    return (size_t)(nl - p) - (nl > p && nl[-1] == '\r');
}

/* "us=K" with key "us": K in [0, max], nothing else. */
static bool query_num(const char *q, size_t qlen, const char *key, uint64_t max, uint64_t *out)
{
    size_t kl = strlen(key);
    if (qlen <= kl + 1 || memcmp(q, key, kl) != 0 || q[kl] != '=')
        return false;
    uint64_t v = 0;
    for (size_t i = kl + 1; i < qlen; i++) {
        if (q[i] < '0' || q[i] > '9')
            return false;
        v = v * 10 + (uint64_t)(q[i] - '0');
        if (v > max)
            return false;
    }
    *out = v;
    return true;
}

/* The request line: "GET /path?query HTTP/1.1". False when malformed. */
static bool request_line(const char *p, size_t n, struct http_req *req)
{
    size_t m = 0;
    while (m < n && tchar(p[m]))
        m++;
    if (m == 0 || m >= n || p[m] != ' ')
        return false;
    const char *t = p + m + 1;
    const char *sp = memchr(t, ' ', n - m - 1);
    if (!sp || sp == t || *t != '/')
        return false;
    size_t tl = (size_t)(sp - t), vl = n - (size_t)(sp + 1 - p);
    const char *v = sp + 1;
    if (vl != 8 || memcmp(v, "HTTP/1.", 7) != 0 || (v[7] != '0' && v[7] != '1'))
        return false;
    for (size_t i = 0; i < tl; i++)
        if ((unsigned char)t[i] <= ' ' || t[i] == 0x7f)
            return false;
    req->http10 = v[7] == '0';
    req->keep_alive = !req->http10;
    if (m != 3 || memcmp(p, "GET", 3) != 0) {
        req->route = HTTP_METHOD;
        return true;
    }
    const char *q = memchr(t, '?', tl);
    size_t pl = q ? (size_t)(q - t) : tl, ql = q ? tl - pl - 1 : 0;
    q = q ? q + 1 : "";
    if (pl == 6 && memcmp(t, "/hello", 6) == 0) {
        req->route = HTTP_HELLO;
    } else if (pl == 5 && memcmp(t, "/work", 5) == 0) {
        req->route = query_num(q, ql, "us", WORK_US_MAX, &req->arg) ? HTTP_WORK : HTTP_BAD;
    } else if (pl == 6 && memcmp(t, "/sleep", 6) == 0) {
        req->route = query_num(q, ql, "ms", SLEEP_MS_MAX, &req->arg) ? HTTP_SLEEP : HTTP_BAD;
    } else {
        req->route = HTTP_NOTFOUND;
    }
    return true;
}

/* Does the comma list v (n bytes) hold token tok, case-insensitively? */
static bool has_token(const char *v, size_t n, const char *tok)
{
    size_t tl = strlen(tok);
    for (size_t i = 0; i < n;) {
        while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
            i++;
        size_t j = i;
        while (j < n && v[j] != ',')
            j++;
        size_t e = j;
        while (e > i && (v[e - 1] == ' ' || v[e - 1] == '\t'))
            e--;
        if (e - i == tl && strncasecmp(v + i, tok, tl) == 0)
            return true;
        i = j;
    }
    return false;
}

/* One header line "Name: value". False when malformed or when it announces
 * a body, which a GET of ours never has. */
static bool header(const char *p, size_t n, struct http_req *req)
{
    size_t m = 0;
    while (m < n && tchar(p[m]))
        m++;
    if (m == 0 || m >= n || p[m] != ':')
        return false;
    const char *v = p + m + 1;
    size_t vl = n - m - 1;
    while (vl && (*v == ' ' || *v == '\t'))
        v++, vl--;
    while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
        vl--;
    if (m == 10 && strncasecmp(p, "Connection", 10) == 0) {
        /* A close wins wherever it is: in this list, or in an earlier or a
         * later Connection line. */
        if (has_token(v, vl, "close"))
            req->keep_alive = false, req->close = true;
        else if (has_token(v, vl, "keep-alive") && !req->close)
            req->keep_alive = true;
    } else if (m == 14 && strncasecmp(p, "Content-Length", 14) == 0) {
        return vl == 1 && *v == '0';
    } else if (m == 17 && strncasecmp(p, "Transfer-Encoding", 17) == 0) {
        return false;
    }
    return true;
}

/* Drops the first n bytes of in. */
static void consume(struct http_in *in, size_t n)
{
    memmove(in->buf, in->buf + n, in->len - n);
    in->len -= n;
    in->scanned = 0;
    if (in->len == 0)
        in->queued_us = 0; /* all answered or being answered: nothing queued behind */
}

static bool fail(struct http_in *in, struct http_req *req, enum http_route r)
{
    req->route = r;
    req->keep_alive = false;
    in->len = in->scanned = 0; /* the connection ends: the rest is moot */
    return true;
}

bool http_next(struct http_in *in, struct http_req *req)
{
    *req = (struct http_req){.route = HTTP_BAD};
    const char *b = in->buf, *end = b + in->len;
    /* A malformed request line is refused as soon as it is complete, not
     * only once a whole head has come. */
    const char *nl = memchr(b, '\n', in->len);
    if (!nl)
        return in->len == in->cap && !grow(in) ? fail(in, req, HTTP_TOOBIG) : false;
    const char *next;
    size_t n = line_len(b, nl, &next);
    struct http_req tmp = {0};
    if (!request_line(b, n, &tmp))
        return fail(in, req, HTTP_BAD);
    /* Find the empty line that ends the head, from where we stopped. */
    const char *p = b + (in->scanned > (size_t)(next - b) ? in->scanned : (size_t)(next - b));
    const char *head_end = NULL;
    for (const char *q; p < end && (q = memchr(p, '\n', (size_t)(end - p))); p = q + 1) {
        /* the line starting at p is empty when q == p or q == p + 1 with a '\r' */
        if (q == p || (q == p + 1 && *p == '\r')) {
            head_end = q + 1;
            break;
        }
    }
    if (!head_end) {
        if (in->len == in->cap && !grow(in))
            return fail(in, req, HTTP_TOOBIG);
        in->scanned = (size_t)(p - b); /* the start of the unfinished line */
        return false;
    }
    *req = tmp;
    for (p = next; p < head_end;) {
        nl = memchr(p, '\n', (size_t)(head_end - p));
        n = line_len(p, nl, &next);
        if (n == 0)
            break;
        if (!header(p, n, req))
            return fail(in, req, HTTP_BAD);
        p = next;
    }
    if (req->route == HTTP_METHOD)
        return fail(in, req, HTTP_METHOD);
    if (req->route == HTTP_BAD)
        return fail(in, req, HTTP_BAD);
    if (req->route == HTTP_WORK) {
        /* The first request is always taken (one may ask for up to 10 s);
         * more pipelined behind it, only up to the bound. */
        if (in->queued_us && in->queued_us + req->arg > HTTP_QUEUED_US_MAX)
            return fail(in, req, HTTP_BUSY);
        in->queued_us += req->arg;
    }
    consume(in, (size_t)(head_end - b));
    return true;
}

size_t http_reply(const struct http_req *req, char *out)
{
    static const struct {
        const char *status, *body;
    } msg[] = {
        [HTTP_HELLO] = {"200 OK", "hello\n"},
        [HTTP_WORK] = {"200 OK", NULL},
        [HTTP_SLEEP] = {"200 OK", NULL},
        [HTTP_NOTFOUND] = {"404 Not Found", "not found\n"},
        [HTTP_BAD] = {"400 Bad Request", "bad request\n"},
        [HTTP_TOOBIG] = {"431 Request Header Fields Too Large", "request head too large\n"},
        [HTTP_METHOD] = {"405 Method Not Allowed", "only GET\n"},
        [HTTP_BUSY] = {"503 Service Unavailable", "too much work queued\n"},
    };
    char body[64];
    const char *bp = msg[req->route].body;
    if (req->route == HTTP_WORK) {
        work_cpu_ns(req->arg * 1000);
        snprintf(body, sizeof body, "worked %llu us\n", (unsigned long long)req->arg);
        bp = body;
    } else if (req->route == HTTP_SLEEP) {
        snprintf(body, sizeof body, "slept %llu ms\n", (unsigned long long)req->arg);
        bp = body;
    }
    const char *conn = !req->keep_alive ? "Connection: close\r\n"
                       : req->http10    ? "Connection: keep-alive\r\n"
                                        : "";
    int n = snprintf(out, HTTP_REPLY_MAX,
                     "HTTP/1.1 %s\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n%s%s\r\n%s",
                     msg[req->route].status, strlen(bp), conn,
                     req->route == HTTP_METHOD ? "Allow: GET\r\n" : "", bp);
    return n > 0 && n < HTTP_REPLY_MAX ? (size_t)n : 0;
}
