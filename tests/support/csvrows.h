/* csvrows.h - checking what a program printed with --csv. */
#ifndef YL_TEST_CSVROWS_H
#define YL_TEST_CSVROWS_H

/* Checks (Criterion asserts) that out is the schema header and then rows
 * of 8 fields, each of experiment exp and model model, the value a plain
 * decimal; returns the value of the first row whose metric is metric, -1
 * when there is none. */
double csv_rows_value(const char *out, const char *exp, const char *model, const char *metric);

#endif
