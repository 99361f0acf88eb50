/* verdict.c - http-verdict FILE...: what our parser (bench/http.c) makes
 * of each file taken as the bytes a client sent on one connection, one
 * line per request in order, for the differential check against Node
 * (llhttp.js):
 *   FILE<TAB>accept<TAB>ROUTE<TAB>ARG     a request we answer (hello, work,
 *                                          sleep, notfound)
 *   FILE<TAB>refuse<TAB>400|431|405        refused; the connection ends
 *   FILE<TAB>closed                        we close after the request above
 *                                          (no keep-alive): the rest is unread
 *   FILE<TAB>incomplete                    bytes left that make no request */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

static const char *route_name[] = {
    [HTTP_HELLO] = "hello", [HTTP_WORK] = "work", [HTTP_SLEEP] = "sleep",
    [HTTP_NOTFOUND] = "notfound",
};
static const char *refusal[] = {[HTTP_BAD] = "400", [HTTP_TOOBIG] = "431", [HTTP_METHOD] = "405"};

static int one_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "http-verdict: %s: cannot open\n", path);
        return 1;
    }
    struct http_in in;
    http_in_reset(&in);
    for (;;) {
        size_t n = fread(http_in_space(&in), 1, http_in_room(&in), f);
        http_in_filled(&in, n);
        struct http_req req;
        bool ended = false;
        while (!ended && http_next(&in, &req)) {
            if (req.route == HTTP_BAD || req.route == HTTP_TOOBIG || req.route == HTTP_METHOD) {
                printf("%s\trefuse\t%s\n", path, refusal[req.route]);
                ended = true;
            } else {
                bool has_arg = req.route == HTTP_WORK || req.route == HTTP_SLEEP;
                printf("%s\taccept\t%s\t%llu\n", path, route_name[req.route],
                       has_arg ? (unsigned long long)req.arg : 0ull);
                ended = !req.keep_alive;
                if (ended)
                    printf("%s\tclosed\n", path);
            }
        }
        if (ended || n == 0) {
            if (!ended && http_in_partial(&in))
                printf("%s\tincomplete\n", path);
            break;
        }
    }
    http_in_release(&in);
    fclose(f);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: http-verdict FILE...\n");
        return 2;
    }
    int bad = 0;
    for (int i = 1; i < argc; i++)
        bad |= one_file(argv[i]);
    return bad;
}
