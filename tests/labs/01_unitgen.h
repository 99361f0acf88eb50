/* 01_unitgen.h - lab 01's check that a unitgen program runs as its solver
 * predicts, shared by the graded and the hidden suite.
 *
 * What is compared is what the executor decides: the lines printed and the
 * order of the units (task and label), not the measured times. A real run
 * measures when each unit started, and on a machine loaded far beyond its
 * cores a wake-up can come a unit or more late (seen: 300 ms over three
 * sleeps of 100 ms), which shifts the times and, rarely, the order. So a
 * run that differs is tried again, up to three times: a wrong timer queue
 * gets the order wrong every time, a loaded machine not three times in a
 * row. */
#ifndef YL_LAB01_UNITGEN_H
#define YL_LAB01_UNITGEN_H

#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/run.h"

/* The report without its timeline and without the time column of its
 * units: "unit task label prints" per unit (malloc'd). */
static char *unit_order(const char *report)
{
    size_t n = strlen(report);
    char *o = malloc(n + 2), *w = o;
    cr_assert_not_null(o, "test setup: out of memory");
    const char *end = strstr(report, "\ntimeline:");
    end = end ? end : report + n;
    bool in_units = false;
    for (const char *l = report; l < end;) {
        const char *nl = memchr(l, '\n', (size_t)(end - l)), *le = nl ? nl : end;
        in_units |= strncmp(l, "units:", 6) == 0;
        int unit, time, used = 0;
        if (in_units && sscanf(l, " %d %d %n", &unit, &time, &used) == 2 && used > 0 && l + used <= le) {
            w += sprintf(w, "%d ", unit);
            l += used;
        }
        memcpy(w, l, (size_t)(le - l));
        w += le - l;
        *w++ = '\n';
        l = nl ? nl + 1 : end;
    }
    *w = '\0';
    return o;
}

/* unitgen --seed SEED --no-ties [--fns FNS] --run prints the lines and the
 * units in the order --solve predicts (up to three tries). */
static void expect_unitgen_prediction(const char *seed, const char *fns)
{
    const char *solve[] = {bin_path(0, "labs", "unitgen"), "--seed", seed, "--no-ties", "--solve",
                           fns ? "--fns" : NULL, fns, NULL};
    const char *run[] = {bin_path(1, "labs", "unitgen"), "--seed", seed, "--no-ties", "--run", "--unit-ms",
                         "100", fns ? "--fns" : NULL, fns, NULL};
    char *want, *got = NULL, *err = NULL;
    cr_assert_eq(run_prog(solve, &want, NULL, 30), 0, "expected unitgen --solve to exit 0; it failed");
    char *want_order = unit_order(want), *got_order = NULL;
    bool same = false;
    for (int try = 0; try < 3 && !same; try++) {
        free(got), free(err), free(got_order);
        int st = run_prog(run, &got, &err, 60);
        cr_assert_eq(st, 0, "expected unitgen --run to exit 0; it exited %d: %s", st, err);
        got_order = unit_order(got);
        same = strcmp(got_order, want_order) == 0;
    }
    cr_expect(same,
              "seed %s: expected the real run's lines and units in the order the solver predicts (times are "
              "not compared); three runs differed. Predicted:\n%s\nthe last run:\n%s",
              seed, want, got);
    free(want), free(got), free(err), free(want_order), free(got_order);
}

#endif
