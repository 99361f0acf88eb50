/* mem.c - memory snapshots: the user side from /proc/self/status and
 * /proc/PID/smaps_rollup, the kernel side from /proc/meminfo (see
 * measure.h). */
#include "measure.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Reads a whole (small) /proc file into buf, NUL-terminated; returns the
 * length, or -1 with errno. /proc files have no size, so read until EOF. */
static ssize_t slurp(const char *path, char *buf, size_t cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t len = 0;
    while (len + 1 < cap) {
        ssize_t r = read(fd, buf + len, cap - 1 - len);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            close(fd);
            errno = e;
            return -1;
        }
        if (r == 0)
            break;
        len += (size_t)r;
    }
    close(fd);
    buf[len] = '\0';
    return (ssize_t)len;
}

/* Finds "Key:   123 kB" at the start of a line in text; the value in bytes,
 * or -1 when the key is absent. */
static long long field_kib(const char *text, const char *key)
{
    size_t klen = strlen(key);
    for (const char *p = text; p && *p; ) {
        if (strncmp(p, key, klen) == 0 && p[klen] == ':') {
            char *end;
            long long v = strtoll(p + klen + 1, &end, 10);
            if (end == p + klen + 1)
                return -1;
            return v * 1024;
        }
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    return -1;
}

int meminfo_parse(const char *text, struct meminfo *m)
{
    long long ks = field_kib(text, "KernelStack");
    long long pt = field_kib(text, "PageTables");
    long long su = field_kib(text, "SUnreclaim");
    long long ma = field_kib(text, "MemAvailable");
    if (ks < 0 || pt < 0 || su < 0 || ma < 0)
        return -1;
    m->kernel_stack = (uint64_t)ks;
    m->page_tables = (uint64_t)pt;
    m->sunreclaim = (uint64_t)su;
    m->mem_available = (uint64_t)ma;
    return 0;
}

int meminfo_read(struct meminfo *m)
{
    char buf[8192];
    if (slurp("/proc/meminfo", buf, sizeof buf) < 0)
        return -1;
    if (meminfo_parse(buf, m) < 0) {
        errno = EPROTO;
        return -1;
    }
    return 0;
}

uint64_t meminfo_kernel_bytes(const struct meminfo *m)
{
    return m->kernel_stack + m->page_tables + m->sunreclaim;
}

int rollup_parse(const char *text, struct rollup *r)
{
    long long rss = field_kib(text, "Rss"), pss = field_kib(text, "Pss");
    long long anon = field_kib(text, "Anonymous"), pa = field_kib(text, "Pss_Anon");
    if (rss < 0 || pss < 0)
        return -1;
    r->rss = (uint64_t)rss;
    r->pss = (uint64_t)pss;
    r->anon = anon < 0 ? 0 : (uint64_t)anon;
    r->pss_anon = pa < 0 ? 0 : (uint64_t)pa;
    return 0;
}

int mem_rollup(pid_t pid, struct rollup *r)
{
    char path[64], buf[2048];
    if (pid)
        snprintf(path, sizeof path, "/proc/%d/smaps_rollup", (int)pid);
    else
        snprintf(path, sizeof path, "/proc/self/smaps_rollup");
    if (slurp(path, buf, sizeof buf) < 0)
        return -1;
    if (rollup_parse(buf, r) < 0) {
        errno = EPROTO;
        return -1;
    }
    return 0;
}

struct rollup mem_rollup_sum(const pid_t *pids, size_t n, size_t *missing)
{
    /* Pss divides each shared page among the processes mapping it, so a
     * sum over processes counts each page once; Rss would count a page
     * fork shares once per process. */
    struct rollup sum = {0, 0, 0, 0}, r;
    size_t gone = 0;
    for (size_t i = 0; i < n; i++) {
        if (mem_rollup(pids[i], &r) < 0) {
            gone++;
            continue;
        }
        sum.rss += r.rss;
        sum.anon += r.anon;
        sum.pss += r.pss;
        sum.pss_anon += r.pss_anon;
    }
    if (missing)
        *missing = gone;
    return sum;
}

int mem_snapshot(struct mem_snap *s, const pid_t *pids, size_t n)
{
    memset(s, 0, sizeof *s);
    if (n) {
        size_t gone = 0;
        s->user = mem_rollup_sum(pids, n, &gone);
        if (gone) {
            errno = ESRCH; /* a unit died: the sum would be short */
            return -1;
        }
    } else if (mem_rollup(0, &s->user) < 0) {
        return -1;
    }
    return meminfo_read(&s->mi);
}
