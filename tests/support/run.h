/* run.h - run a real program from a test and capture what it printed. */
#ifndef YL_TEST_RUN_H
#define YL_TEST_RUN_H

/* Runs argv[0] (a path) with argv, stdin from /dev/null. Stores malloc'd,
 * NUL-terminated stdout and stderr in *out and *err (either may be NULL to
 * discard). Returns the exit status, 128+signal if killed, -1 if it could
 * not be started. A program still running after timeout_s is killed. */
int run_prog(const char *const argv[], char **out, char **err, int timeout_s);

/* Path of a built program: YL_BIN_DIR "/" model "/" name (static buffer
 * per call slot; slot 0..3). */
const char *bin_path(int slot, const char *model, const char *name);

/* Counts lines in s. */
int count_lines(const char *s);

#endif
