/* csvrows.c - checking the schema rows a program printed (csvrows.h). */
#include "support/csvrows.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

double csv_rows_value(const char *out, const char *exp, const char *model, const char *metric)
{
    double found = -1;
    char *copy = strdup(out), *save = NULL;
    char *line = strtok_r(copy, "\n", &save);
    cr_assert_not_null(line, "no output at all");
    cr_assert_str_eq(line, "experiment,model,variant,cpus,n,metric,value,unit",
                     "the header comes first");
    int rows = 0;
    while ((line = strtok_r(NULL, "\n", &save))) {
        char e[32], m[32], v[32], c[32], met[64], val_s[32], unit[16];
        unsigned long long n;
        int end = 0;
        int k = sscanf(line, "%31[^,],%31[^,],%31[^,],%31[^,],%llu,%63[^,],%31[^,],%15[^,\n]%n", e, m,
                       v, c, &n, met, val_s, unit, &end);
        cr_assert_eq(k, 8, "malformed row: %s", line);
        cr_assert_eq(line[end], '\0', "trailing fields: %s", line);
        cr_expect_str_eq(e, exp, "%s", line);
        cr_expect_str_eq(m, model, "%s", line);
        /* A plain decimal: digits, one point, maybe a minus; no exponent. */
        cr_expect_eq(strspn(val_s, "-0123456789."), strlen(val_s), "not a plain number: %s", line);
        if (strcmp(met, metric) == 0 && found < 0)
            found = strtod(val_s, NULL);
        rows++;
    }
    cr_expect_gt(rows, 0, "a header and no row");
    free(copy);
    return found;
}
