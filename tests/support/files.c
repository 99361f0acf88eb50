/* files.c - scratch folders and whole-file reads for the tests. */
#include "support/files.h"
#include "support/run.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char foo_article[] =
    "foo1 start\n"
    "bar start\n"
    "foo2 start\n"
    "bar end\n"
    "foo1 between\n"
    "foo2 between\n"
    "foo1 end\n"
    "foo2 end\n";

void expect_foo_article(const char *path)
{
    const char *argv[] = {path, "--unit-ms", "50", NULL};
    char *out, *err;
    int st = run_prog(argv, &out, &err, 30);
    cr_expect_eq(st, 0, "%s exited %d: %s", path, st, err);
    cr_expect_str_eq(out, foo_article, "%s printed:\n%s", path, out);
    free(out);
    free(err);
}

char *scratch_dir(const char *prefix)
{
    char *d = NULL;
    cr_assert_geq(asprintf(&d, "/tmp/%s-XXXXXX", prefix), 0);
    cr_assert_not_null(mkdtemp(d), "mkdtemp: %s", strerror(errno));
    return d;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

void scratch_remove(char *dir)
{
    nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
    free(dir);
}

char *read_text(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t cap = 0;
    if (getdelim(&buf, &cap, '\0', f) < 0) {
        free(buf);
        buf = strdup("");
    }
    fclose(f);
    return buf;
}

void write_text(const char *dir, const char *name, const char *text)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s: %s", path, strerror(errno));
    fputs(text, f);
    cr_assert_eq(fclose(f), 0, "%s: %s", path, strerror(errno));
}

bool exists(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct stat st;
    return lstat(path, &st) == 0;
}
