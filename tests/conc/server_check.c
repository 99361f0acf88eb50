/* server_check.c - the server programs of the same build, spoken to over
 * loopback sockets by many clients at once, for the plain runner: under
 * SAN=thread they are TSan builds, and any report makes them exit non-zero
 * (or leaves "ThreadSanitizer" on their stderr). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conc/conc.h"
#include "support/httpc.h"

#define CLIENTS 20
#define ROUNDS 5

int conc_server(const char *model, const char *flag, const char *variant)
{
    struct srv s;
    const char *args[] = {flag, variant, "--workers", "2", NULL};
    if (srv_start(&s, model, args, 0) != 0) {
        fprintf(stderr, "%s server %s did not start: '%s'\n", model, variant, s.line);
        return 1;
    }
    struct httpc *k = calloc(CLIENTS, sizeof *k);
    int bad = !k;
    for (int i = 0; k && i < CLIENTS; i++)
        bad |= httpc_connect(&k[i], s.port) != 0;
    /* Every round, each client sends a request, then all read: a pool
     * serves its first W connections only, so it gets Connection: close. */
    bool pool = strcmp(variant, "pool") == 0 || strcmp(variant, "prefork") == 0;
    for (int r = 0; !bad && r < (pool ? 1 : ROUNDS); r++) {
        for (int i = 0; i < CLIENTS; i++)
            bad |= httpc_sends(&k[i], pool ? "GET /work?us=200 HTTP/1.1\r\nConnection: close\r\n\r\n"
                                           : "GET /work?us=200 HTTP/1.1\r\n\r\n") != 0;
        for (int i = 0; i < CLIENTS; i++)
            bad |= httpc_reply(&k[i], NULL, 0) != 200;
    }
    for (int i = 0; k && i < CLIENTS; i++)
        httpc_close(&k[i]);
    free(k);
    int st = srv_stop(&s);
    if (bad || st != 0 || strstr(s.err, "ThreadSanitizer")) {
        fprintf(stderr, "%s server %s: %s, exit %d\n%s", model, variant,
                bad ? "a request failed" : "clean replies", st, s.err);
        return 1;
    }
    return 0;
}
