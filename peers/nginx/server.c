/* server (nginx) - Debian's nginx (nginx-light) serving the lab's /hello
 * with the same status, type and body bytes as bench/http.c, the server
 * users would pick instead: W worker processes (default 2), each one
 * epoll loop. Takes our server flags, writes its configuration into a
 * fresh temporary folder, runs nginx there in the foreground (daemon off)
 * as a child, prints our listening line once it accepts, and on SIGTERM
 * or SIGINT stops it (SIGQUIT: nginx's graceful stop), waits for it and
 * removes the folder. nginx cannot listen on port 0: a free port is
 * picked by binding one first.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#ifndef NGINX_PATH
#define NGINX_PATH "/usr/sbin/nginx"
#endif

static const char usage[] =
    "usage: server [--port N] [--addr A] [--workers W] [--cpus LIST] [--timeout S]\n"
    "nginx (W worker processes, default 2) answering GET /hello with \"hello\\n\",\n"
    "as the lab's servers do; its configuration lives in a temporary folder.\n";

static char dir[64];

static void cleanup(void)
{
    static const char *const files[] = {"nginx.conf", "error.log", "nginx.pid", NULL};
    char p[128];
    for (int i = 0; files[i]; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, files[i]);
        unlink(p);
    }
    static const char *const dirs[] = {"body", "proxy", "fastcgi", "uwsgi", "scgi", NULL};
    for (int i = 0; dirs[i]; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, dirs[i]);
        rmdir(p);
    }
    rmdir(dir);
}

static _Noreturn void fail(const char *fmt, const char *arg)
{
    fprintf(stderr, "server: ");
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    if (dir[0])
        cleanup();
    exit(1);
}

static _Noreturn void usage_error(const char *what, const char *arg)
{
    fprintf(stderr, "server: %s '%s' (try --help)\n", what, arg);
    exit(2);
}

static unsigned long number(const char *flag, const char *v)
{
    char *end;
    if (!v || !*v)
        usage_error("needs a value:", flag);
    unsigned long x = strtoul(v, &end, 10);
    if (*end || x > 65535)
        usage_error("not a number in range:", v);
    return x;
}

/* Pins this process (and so nginx, which inherits it) to LIST ("0,1"). */
static void pin(const char *list)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    char *copy = strdup(list);
    for (char *t = strtok(copy, ","); t; t = strtok(NULL, ","))
        CPU_SET((int)number("--cpus", t), &set);
    free(copy);
    if (sched_setaffinity(0, sizeof set, &set) != 0)
        fail("--cpus: cannot pin: %s", strerror(errno));
}

/* A port nobody listens on now (the kernel's choice for a bind to 0). */
static unsigned free_port(const char *addr)
{
    struct sockaddr_in a = {.sin_family = AF_INET};
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || inet_pton(AF_INET, addr, &a.sin_addr) != 1 ||
        bind(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0)
        fail("cannot find a free port on %s", addr);
    close(fd);
    return ntohs(a.sin_port);
}

/* Whether something accepts connections on addr:port now. */
static int accepts(const char *addr, unsigned port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, addr, &a.sin_addr);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int ok = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
    if (fd >= 0)
        close(fd);
    return ok;
}

static void write_conf(const char *addr, unsigned port, unsigned long workers)
{
    char p[128];
    snprintf(p, sizeof p, "%s/nginx.conf", dir);
    FILE *f = fopen(p, "w");
    if (!f)
        fail("cannot write the configuration: %s", strerror(errno));
    /* The reply's bytes: status, Content-Type and body as ours; nginx adds
     * its Server and Date lines, as any user's nginx would. */
    fprintf(f,
            "daemon off;\nmaster_process on;\nworker_processes %lu;\n"
            "worker_rlimit_nofile 1048576;\npid %s/nginx.pid;\nerror_log %s/error.log warn;\n"
            "events { worker_connections 200000; use epoll; }\n"
            "http {\n  access_log off;\n  server_tokens off;\n"
            "  keepalive_requests 100000000;\n  keepalive_timeout 3600s;\n"
            "  client_body_temp_path %s/body;\n  proxy_temp_path %s/proxy;\n"
            "  fastcgi_temp_path %s/fastcgi;\n  uwsgi_temp_path %s/uwsgi;\n  scgi_temp_path %s/scgi;\n"
            "  server {\n    listen %s:%u backlog=4096;\n"
            "    location = /hello { default_type text/plain; return 200 \"hello\\n\"; }\n"
            "    location / { default_type text/plain; return 404 \"not found\\n\"; }\n"
            "  }\n}\n",
            workers, dir, dir, dir, dir, dir, dir, dir, addr, port);
    if (fclose(f) != 0)
        fail("cannot write the configuration: %s", strerror(errno));
}

static volatile sig_atomic_t stop_sig;

static void on_stop(int sig)
{
    stop_sig = sig;
}

int main(int argc, char **argv)
{
    const char *addr = "127.0.0.1";
    unsigned long port = 0, workers = 2, timeout = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0) {
            fputs(usage, stdout);
            return 0;
        } else if (strcmp(a, "--port") == 0) {
            port = number(a, v), i++;
        } else if (strcmp(a, "--addr") == 0) {
            if (!v)
                usage_error("needs a value:", a);
            addr = v, i++;
        } else if (strcmp(a, "--workers") == 0) {
            workers = number(a, v), i++;
            if (workers == 0)
                usage_error("--workers: 0 is out of range:", v);
        } else if (strcmp(a, "--timeout") == 0) {
            timeout = number(a, v), i++;
        } else if (strcmp(a, "--cpus") == 0) {
            if (!v)
                usage_error("needs a value:", a);
            pin(v), i++;
        } else {
            usage_error("unknown argument", a);
        }
    }
    if (access(NGINX_PATH, X_OK) != 0)
        fail("%s not found: apt-get install nginx-light, or make deps", NGINX_PATH);
    snprintf(dir, sizeof dir, "/tmp/yl-nginx.XXXXXX");
    if (!mkdtemp(dir))
        fail("mkdtemp: %s", strerror(errno));
    if (port == 0)
        port = free_port(addr);
    write_conf(addr, (unsigned)port, workers);
    struct sigaction sa = {.sa_handler = on_stop};
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGALRM, &sa, NULL);
    pid_t pid = fork();
    if (pid == 0) {
        char conf[128];
        snprintf(conf, sizeof conf, "%s/nginx.conf", dir);
        execl(NGINX_PATH, "nginx", "-p", dir, "-e", "stderr", "-c", conf, (char *)NULL);
        _exit(127);
    }
    if (pid < 0)
        fail("fork: %s", strerror(errno));
    alarm((unsigned)timeout);
    int st = 0, up = 0;
    for (int i = 0; i < 1000 && !up && !stop_sig; i++) { /* 10 s */
        if (waitpid(pid, &st, WNOHANG) == pid)
            fail("nginx exited before it listened (its lines above say why)%s", "");
        up = accepts(addr, (unsigned)port);
        if (!up)
            nanosleep(&(struct timespec){0, 10000000}, NULL);
    }
    if (up) {
        printf("listening on %s:%lu model=nginx variant=%lu-workers workers=%lu\n", addr, port,
               workers, workers);
        fflush(stdout);
    }
    while (up && !stop_sig && waitpid(pid, &st, 0) != pid) {
    }
    int rc = 0;
    if (stop_sig || !up) {
        kill(pid, SIGQUIT); /* graceful: workers finish their requests */
        for (int i = 0; i < 500 && waitpid(pid, &st, WNOHANG) != pid; i++)
            nanosleep(&(struct timespec){0, 10000000}, NULL);
        if (waitpid(pid, &st, WNOHANG) == 0) {
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
            rc = 1;
        }
        if (stop_sig == SIGALRM) {
            fprintf(stderr, "server: timed out after %lu s\n", timeout);
            rc = 124;
        } else if (!up) {
            fprintf(stderr, "server: nginx did not accept on %s:%lu within 10 s\n", addr, port);
            rc = 1;
        }
    } else {
        fprintf(stderr, "server: nginx exited by itself\n");
        rc = 1;
    }
    cleanup();
    return rc;
}
