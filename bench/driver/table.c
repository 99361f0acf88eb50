/* table.c - the rows of one experiment over its repetitions, and their
 * median, min and max as data.csv lines.
 *
 * data.csv keeps the 8 schema columns first, so awk -F, '$6=="x"{print $7}'
 * reads the median; three columns follow: min, max and reps (how many
 * runs printed that row).
 */
#include "driver.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char table_header[] = "experiment,model,variant,cpus,n,metric,value,unit,min,max,reps";

struct row {
    char *key;   /* experiment,model,variant,cpus,n,metric */
    char *unit;
    double *v;
    size_t n, cap;
};

struct table {
    struct row *rows;
    size_t n, cap;
    size_t cursor; /* runs print rows in the same order: look here first */
};

struct table *table_new(void)
{
    return calloc(1, sizeof(struct table));
}

void table_free(struct table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++) {
        free(t->rows[i].key);
        free(t->rows[i].unit);
        free(t->rows[i].v);
    }
    free(t->rows);
    free(t);
}

static struct row *find_or_add(struct table *t, const char *key, const char *unit)
{
    for (size_t k = 0; k < t->n; k++) {
        size_t i = (t->cursor + k) % t->n;
        if (strcmp(t->rows[i].key, key) == 0 && strcmp(t->rows[i].unit, unit) == 0) {
            t->cursor = i + 1;
            return &t->rows[i];
        }
    }
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 32;
        struct row *nr = realloc(t->rows, cap * sizeof *nr);
        if (!nr)
            return NULL;
        t->rows = nr;
        t->cap = cap;
    }
    struct row *r = &t->rows[t->n];
    memset(r, 0, sizeof *r);
    r->key = strdup(key);
    r->unit = strdup(unit);
    if (!r->key || !r->unit) {
        free(r->key);
        free(r->unit);
        return NULL;
    }
    t->n++;
    t->cursor = t->n;
    return r;
}

static bool add_value(struct row *r, double v)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 8;
        double *nv = realloc(r->v, cap * sizeof *nv);
        if (!nv)
            return false;
        r->v = nv;
        r->cap = cap;
    }
    r->v[r->n++] = v;
    return true;
}

/* Takes one CSV line (NUL-terminated, no newline). 1 taken, 0 ignored
 * (blank, comment, header), -1 malformed. */
static int add_line(struct table *t, char *line)
{
    size_t len = strlen(line);
    if (len && line[len - 1] == '\r')
        line[--len] = '\0';
    if (!len || line[0] == '#' || strncmp(line, "experiment,", 11) == 0)
        return 0;
    char *f[9];
    int nf = 0;
    for (char *p = line; nf < 9;) {
        f[nf++] = p;
        char *c = strchr(p, ',');
        if (!c)
            break;
        *c = '\0';
        p = c + 1;
    }
    if (nf != 8)
        return -1;
    for (int i = 0; i < 8; i++)
        if (!*f[i] && i != 7)
            return -1;
    char *end;
    double v = strtod(f[6], &end);
    if (end == f[6] || *end || !isfinite(v))
        return -1;
    /* Put the six key columns back together. */
    char key[512];
    if ((size_t)snprintf(key, sizeof key, "%s,%s,%s,%s,%s,%s", f[0], f[1], f[2], f[3], f[4], f[5])
        >= sizeof key)
        return -1;
    struct row *r = find_or_add(t, key, f[7]);
    return r && add_value(r, v) ? 1 : -1;
}

size_t table_add_run(struct table *t, const char *out, size_t *bad)
{
    size_t taken = 0;
    const char *p = out;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        char line[1024];
        if (len < sizeof line) {
            memcpy(line, p, len);
            line[len] = '\0';
            int r = add_line(t, line);
            if (r > 0)
                taken++;
            else if (r < 0)
                (*bad)++;
        } else {
            (*bad)++;
        }
        p += len + (nl ? 1 : 0);
    }
    return taken;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Whole numbers stay whole ("1000000", not "1e+06"); others keep six
 * significant digits without an exponent for the usual magnitudes. */
static void fmt_num(char *buf, size_t sz, double v)
{
    if (v == floor(v) && fabs(v) < 1e15)
        snprintf(buf, sz, "%.0f", v);
    else if (fabs(v) >= 1e-3 && fabs(v) < 1e15)
        snprintf(buf, sz, "%.*f", fabs(v) >= 1000 ? 1 : fabs(v) >= 1 ? 3 : 6, v);
    else
        snprintf(buf, sz, "%.6g", v);
}

void table_write(const struct table *t, FILE *f)
{
    for (size_t i = 0; i < t->n; i++) {
        struct row *r = &t->rows[i];
        qsort(r->v, r->n, sizeof r->v[0], cmp_double);
        double med = r->n % 2 ? r->v[r->n / 2] : (r->v[r->n / 2 - 1] + r->v[r->n / 2]) / 2;
        char m[64], lo[64], hi[64];
        fmt_num(m, sizeof m, med);
        fmt_num(lo, sizeof lo, r->v[0]);
        fmt_num(hi, sizeof hi, r->v[r->n - 1]);
        fprintf(f, "%s,%s,%s,%s,%s,%zu\n", r->key, m, r->unit, lo, hi, r->n);
    }
}
