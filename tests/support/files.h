/* files.h - scratch folders and whole-file reads for the tests that run
 * programs writing results (the driver, the report). */
#ifndef YL_TEST_FILES_H
#define YL_TEST_FILES_H

#include <stdbool.h>

/* A fresh folder under /tmp (the test fails if none can be made); give it
 * to rm_tree at the end. */
char *scratch(void);

/* Removes dir and everything below it, and frees the string. */
void rm_tree(char *dir);

/* dir/name as a malloc'd string, or NULL when it cannot be read. */
char *slurp(const char *dir, const char *name);

/* Whether dir/name exists (a file, a folder or a link, even dangling). */
bool exists(const char *dir, const char *name);

/* Writes text as dir/name (the test fails if it cannot). */
void write_file(const char *dir, const char *name, const char *text);

#endif
