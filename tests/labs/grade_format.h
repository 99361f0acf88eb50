/* grade_format.h - one graded test's result, and the machine-readable
 * writers of a whole run (Gradescope's results.json, JUnit XML). */
#ifndef YL_GRADE_FORMAT_H
#define YL_GRADE_FORMAT_H

#include <stdbool.h>
#include <stdio.h>

enum grade_state { GRADE_PASSED, GRADE_FAILED, GRADE_SKIPPED };

struct grade_row {
    const char *suite, *name, *what;
    unsigned pts;
    enum grade_state state;
    bool hidden;       /* from tests/labs/hidden/: shown after grades are published */
    float secs;
    char verdict[64];  /* why it earned nothing */
    char detail[256];  /* the first failed assertion, for the student */
};

/* Writes the run as Gradescope's results.json (skipped tests left out). */
void grade_write_gradescope(FILE *f, const struct grade_row *rows, size_t n);
/* Writes the run as one JUnit <testsuites> document. */
void grade_write_junit(FILE *f, const struct grade_row *rows, size_t n);

#endif
