/* csv.c - libFuzzer target: yl-bench's reader of the programs' CSV rows
 * (bench/driver/table.c), then the data.csv it writes from them.
 * fuzz-covers: bench/driver/table.c
 * fuzz-cov-min: 90 (its out-of-memory paths are out of a corpus's reach)
 *
 * Checked besides the sanitizers: every line is taken, ignored or counted
 * bad, and what was taken is written out as well-formed rows. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver/driver.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = 0; /* the reader takes a C string: a NUL ends it early */
    struct table *t = table_new();
    if (!t) {
        free(text);
        return 0;
    }
    size_t bad = 0, lines = 1;
    for (const char *p = text; *p; p++)
        lines += *p == '\n';
    size_t taken = table_add_run(t, text, &bad);
    if (taken + bad > lines)
        abort();
    char *out = NULL;
    size_t outlen = 0;
    FILE *f = open_memstream(&out, &outlen);
    if (f) {
        table_write(t, f);
        fclose(f);
        /* Each row written has the 8 schema columns and min, max, reps. */
        for (char *l = out; l && *l;) {
            char *nl = strchr(l, '\n');
            size_t commas = 0;
            for (char *c = l; c < (nl ? nl : l + strlen(l)); c++)
                commas += *c == ',';
            if (commas != 10)
                abort();
            l = nl ? nl + 1 : NULL;
        }
        free(out);
    }
    table_free(t);
    free(text);
    return 0;
}
