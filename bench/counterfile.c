/* counterfile.c - see counterfile.h. */
#include "counterfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static char tmp_path[256];

void counterfile_cleanup(void)
{
    if (tmp_path[0]) {
        unlink(tmp_path);
        tmp_path[0] = '\0';
    }
}

int counterfile_format(char *buf, uint64_t v)
{
    return sprintf(buf, "%0*llu\n", COUNTER_WIDTH, (unsigned long long)v);
}

uint64_t counterfile_parse(const char *buf, long len)
{
    uint64_t v = 0;
    for (long i = 0; i < len && buf[i] >= '0' && buf[i] <= '9'; i++)
        v = v * 10 + (uint64_t)(buf[i] - '0');
    return v;
}

const char *counterfile_setup(const char *path, bool append)
{
    int fd;
    if (path) {
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
            cli_usage_error("--file: cannot write '%s': %s", path, strerror(errno));
    } else {
        const char *dir = getenv("TMPDIR");
        snprintf(tmp_path, sizeof tmp_path, "%s/yl-counter-XXXXXX", dir && *dir ? dir : "/tmp");
        fd = mkstemp(tmp_path);
        if (fd < 0) {
            tmp_path[0] = '\0';
            cli_fail("cannot create a temporary file: %s", strerror(errno));
        }
        atexit(counterfile_cleanup);
        path = tmp_path;
    }
    if (!append) {
        char buf[COUNTER_WIDTH + 2];
        int len = counterfile_format(buf, 0);
        if (write(fd, buf, (size_t)len) != len) {
            int e = errno;
            close(fd);
            cli_fail("cannot write '%s': %s", path, strerror(e));
        }
    }
    close(fd);
    return path;
}

uint64_t counterfile_final(const char *path, bool append)
{
    FILE *f = fopen(path, "r");
    if (!f)
        cli_fail("cannot read back '%s': %s", path, strerror(errno));
    uint64_t v = 0;
    if (append) {
        int c;
        while ((c = getc(f)) != EOF)
            v += c == '\n';
    } else {
        char buf[COUNTER_WIDTH + 2];
        size_t n = fread(buf, 1, sizeof buf, f);
        v = counterfile_parse(buf, (long)n);
    }
    fclose(f);
    return v;
}
