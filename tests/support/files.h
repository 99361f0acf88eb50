/* files.h - what tests share about files: foo's expected output, scratch
 * folders, whole-file reads. */
#ifndef YL_TEST_FILES_H
#define YL_TEST_FILES_H

#include <stdbool.h>

/* The 8 lines of the article's foo, in the article's order. */
extern const char foo_article[];

/* Runs the foo at path with --unit-ms 50 and expects exit 0 and exactly
 * foo_article on stdout. */
void expect_foo_article(const char *path);

/* A fresh folder /tmp/PREFIX-XXXXXX (malloc'd path); the test fails when
 * it cannot be made. */
char *scratch_dir(const char *prefix);

/* Removes dir and everything in it, then frees the path. */
void scratch_remove(char *dir);

/* The whole file dir/name as a malloc'd string ("" when empty), NULL when
 * it cannot be read. */
char *read_text(const char *dir, const char *name);

/* Writes text to dir/name; the test fails when it cannot. */
void write_text(const char *dir, const char *name, const char *text);

/* Whether dir/name exists (a file, a folder or a link, even dangling). */
bool exists(const char *dir, const char *name);

#endif
