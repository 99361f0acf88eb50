/* unwire - the host side of the guest's results port: turns the byte
 * stream captured from the second serial port back into files.
 *
 * The stream format is described in wire.h. Every block whose size and
 * checksum hold becomes OUT/<name>; a block cut short is kept as
 * OUT/<name>.partial so a timed-out run still shows how far it got.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "wire.h"

static const char usage[] =
    "usage: unwire --in FILE --out DIR\n"
    "Extracts the files a yieldlab guest sent over its results port.\n"
    "  --in FILE   the raw capture of the guest's /dev/ttyS1\n"
    "  --out DIR   where the files go (must exist)\n"
    "stdout: one line per file, 'name bytes'.\n"
    "Exit 0: stream complete and the guest reported success; 1: the stream\n"
    "is damaged or ends before its DONE line; 3: complete, but the guest\n"
    "reported a failure (see its init.log); 2: bad usage.\n";

static int problems;

static void problem(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void problem(const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cli_warn("%s", msg);
    problems++;
}

/* Copies size bytes of the block from in to OUT/name, checks the END line.
 * Returns false when the stream ended inside the block. */
static bool extract(FILE *in, const char *dir, const char *name, unsigned long long size)
{
    char path[4096], part[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(part, sizeof part, "%s.partial", path);
    FILE *out = fopen(part, "wb");
    if (!out)
        cli_fail("cannot write %s: %s", part, strerror(errno));
    uint32_t h = WIRE_FNV_INIT;
    unsigned long long left = size;
    char buf[65536];
    while (left > 0) {
        size_t want = left < sizeof buf ? (size_t)left : sizeof buf;
        size_t got = fread(buf, 1, want, in);
        h = wire_fnv1a(h, buf, got);
        if (fwrite(buf, 1, got, out) != got)
            cli_fail("cannot write %s: %s", part, strerror(errno));
        left -= got;
        if (got < want)
            break;
    }
    if (fclose(out) != 0)
        cli_fail("cannot write %s: %s", part, strerror(errno));
    if (left > 0) {
        problem("%s: stream ends after %llu of %llu bytes (kept as %s.partial)", name,
                size - left, size, name);
        return false;
    }
    /* The block ends with "\n=== END name hash ===\n". */
    char line[512], ename[WIRE_NAME_MAX + 1];
    unsigned hash;
    int c = fgetc(in);
    if (c != '\n' || !fgets(line, sizeof line, in) ||
        sscanf(line, WIRE_END "%128s %8x" WIRE_TAIL, ename, &hash) != 2 ||
        strcmp(ename, name) != 0) {
        problem("%s: no END line after its %llu bytes (kept as %s.partial)", name, size, name);
        return !feof(in);
    }
    if (hash != h) {
        problem("%s: checksum %08x, expected %08x: bytes were lost or changed "
                "(kept as %s.partial)", name, h, hash, name);
        return true;
    }
    if (rename(part, path) != 0)
        cli_fail("cannot rename %s: %s", part, strerror(errno));
    printf("%s %llu\n", name, size);
    return true;
}

int main(int argc, char **argv)
{
    cli_init(argc, argv, usage);
    const char *inpath = NULL, *dir = NULL;
    const struct cli_opt opts[] = {
        {"--in", CLI_STR, &inpath, 0, 0, NULL},
        {"--out", CLI_STR, &dir, 0, 0, NULL},
        {NULL, 0, NULL, 0, 0, NULL},
    };
    cli_parse(argc, argv, opts, 0);
    if (!inpath)
        cli_usage_error("--in: missing (the raw capture of the results port)");
    if (!dir)
        cli_usage_error("--out: missing (the folder for the files)");
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        cli_usage_error("--out: %s is not a folder", dir);
    FILE *in = fopen(inpath, "rb");
    if (!in)
        cli_fail("cannot read %s: %s", inpath, strerror(errno));

    char line[1024];
    int rc = -1, files = 0;
    while (rc < 0 && fgets(line, sizeof line, in)) {
        char name[WIRE_NAME_MAX + 1], tail[8];
        unsigned long long size;
        int done;
        if (sscanf(line, WIRE_FILE "%128s %llu %7s", name, &size, tail) == 3 &&
            strcmp(tail, "===") == 0) {
            if (!wire_name_ok(name)) {
                problem("refusing block name '%s' (only [A-Za-z0-9._-], one component)", name);
                /* Skip its bytes so its content is not read as markers. */
                for (unsigned long long i = 0; i < size && fgetc(in) != EOF; i++)
                    ;
                continue;
            }
            files++;
            if (!extract(in, dir, name, size))
                break;
        } else if (sscanf(line, WIRE_DONE "%d", &done) == 1) {
            rc = done;
        }
        /* Anything else is noise outside the blocks. */
    }
    fclose(in);
    if (rc < 0)
        problem("no DONE line: the guest stopped before it finished (timeout, crash "
                "or power loss); %d file(s) seen", files);
    else
        cli_warn("%d file(s), guest status %d", files, rc);
    if (problems)
        return 1;
    return rc == 0 ? 0 : 3;
}
