/* http.c - libFuzzer target: the HTTP parser and router of bench/http.c.
 * fuzz-covers: bench/http.c
 *
 * The input arrives in pieces, as a socket would deliver it, and every
 * request that comes out is answered.
 * Checked besides the sanitizers: the buffer never holds more than its
 * capacity, a refused request ends the connection, every reply is a whole
 * HTTP/1.1 reply with a Content-Length that matches its body. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

static void check_reply(const struct http_req *rq)
{
    struct http_req r = *rq;
    if (r.route == HTTP_WORK)
        r.arg %= 50; /* the burn is real CPU time: keep each input fast */
    char out[HTTP_REPLY_MAX];
    size_t n = http_reply(&r, out);
    if (n == 0 || n >= HTTP_REPLY_MAX || memcmp(out, "HTTP/1.1 ", 9) != 0)
        abort();
    const char *cl = memmem(out, n, "Content-Length: ", 16);
    const char *body = memmem(out, n, "\r\n\r\n", 4);
    if (!cl || !body || (size_t)strtoul(cl + 16, NULL, 10) != n - (size_t)(body + 4 - out))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The corpus is plain request bytes (the differential check sends
     * the same files to Node), so the read sizes come from the bytes'
     * sum: 1..18 bytes a read, or everything at once. */
    unsigned sum = 0;
    for (size_t i = 0; i < size; i++)
        sum += data[i];
    size_t piece = sum % 20 < 18 ? sum % 20 + 1 : size;
    struct http_in in;
    http_in_reset(&in);
    size_t at = 0;
    int requests = 0;
    while (at < size && requests < 64) {
        size_t room = http_in_room(&in), n = size - at < piece ? size - at : piece;
        if (room == 0)
            abort(); /* http_next promises room for more whenever it wants more */
        if (n > room)
            n = room;
        memcpy(http_in_space(&in), data + at, n);
        http_in_filled(&in, n);
        at += n;
        struct http_req req;
        while (http_next(&in, &req)) {
            requests++;
            check_reply(&req);
            bool refused = req.route == HTTP_BAD || req.route == HTTP_TOOBIG ||
                           req.route == HTTP_METHOD;
            if (refused && (req.keep_alive || http_in_partial(&in)))
                abort(); /* a refusal closes: nothing of the rest may be kept */
            if (refused || !req.keep_alive) {
                http_in_release(&in);
                return 0;
            }
            if (in.len > in.cap)
                abort();
        }
        if (in.len > in.cap)
            abort();
    }
    http_in_release(&in);
    return 0;
}
