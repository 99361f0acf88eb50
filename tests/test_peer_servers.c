/* test_peer_servers.c - the servers users would pick instead (nginx, Go
 * net/http, Node http, asyncio; peers/README.md): each answers /hello
 * with our body on a keep-alive connection, pipelined requests in order,
 * and stops with exit 0 on SIGTERM, leaving nothing behind (nginx: its
 * configuration folder). A peer not built (its runtime or nginx absent)
 * passes with a note. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support/httpc.h"
#include "support/run.h"

static const char *const models[] = {"nginx", "go", "node", "python"};
static int model_index[] = {0, 1, 2, 3};

/* Entries of /tmp named yl-nginx.* (the launcher's folders). */
static int nginx_dirs(void)
{
    DIR *d = opendir("/tmp");
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        n += strncmp(e->d_name, "yl-nginx.", 9) == 0;
    if (d)
        closedir(d);
    return n;
}

ParameterizedTestParameters(peer_servers, hello_keepalive_and_clean_stop)
{
    return cr_make_param_array(int, model_index, sizeof model_index / sizeof model_index[0]);
}

ParameterizedTest(int *ix, peer_servers, hello_keepalive_and_clean_stop, .timeout = 90)
{
    const char *model = models[*ix];
    if (access(bin_path(0, model, "server"), X_OK) != 0) {
        cr_log_info("%s/server not built (its runtime is not installed): nothing to check", model);
        return;
    }
    int dirs_before = nginx_dirs();
    struct srv s;
    const char *const args[] = {NULL};
    cr_assert_eq(srv_start(&s, model, args, 0), 0, "%s: %s", model, s.line);
    char want[64];
    snprintf(want, sizeof want, "model=%s ", model);
    cr_expect(strstr(s.line, want), "listening line: %s", s.line);
    struct httpc c;
    cr_assert_eq(httpc_connect(&c, s.port), 0);
    char body[64];
    for (int i = 0; i < 3; i++) { /* one connection, kept alive */
        cr_assert_eq(httpc_sends(&c, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"), 0);
        cr_expect_eq(httpc_reply(&c, body, sizeof body), 200, "%s: request %d", model, i);
        cr_expect_str_eq(body, "hello\n");
    }
    /* Two pipelined in one packet: both answered, in order. */
    cr_assert_eq(httpc_sends(&c, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\n"), 0);
    cr_expect_eq(httpc_reply(&c, body, sizeof body), 200);
    cr_expect_eq(httpc_reply(&c, body, sizeof body), 404);
    httpc_close(&c);
    cr_expect_eq(srv_stop(&s), 0, "%s did not exit 0 on SIGTERM: %s", model, s.err);
    if (strcmp(model, "nginx") == 0) /* the one test here that makes such folders */
        cr_expect_eq(nginx_dirs(), dirs_before, "a configuration folder was left in /tmp");
}

/* A bad flag: one line naming it, exit 2, as our programs do. */
ParameterizedTestParameters(peer_servers, bad_flag_is_a_usage_error)
{
    return cr_make_param_array(int, model_index, sizeof model_index / sizeof model_index[0]);
}

ParameterizedTest(int *ix, peer_servers, bad_flag_is_a_usage_error, .timeout = 30)
{
    const char *model = models[*ix];
    const char *path = bin_path(0, model, "server");
    if (access(path, X_OK) != 0)
        return;
    const char *argv[] = {path, "--bogus", NULL};
    char *err = NULL;
    cr_expect_eq(run_prog(argv, NULL, &err, 20), 2, "%s: %s", model, err);
    cr_expect(strstr(err, "--bogus") && count_lines(err) == 1, "%s: %s", model, err);
    free(err);
}
