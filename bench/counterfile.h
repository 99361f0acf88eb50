/* counterfile.h - the shared file of the lost-update experiment: created
 * (or a fresh temporary one), checked up front so that a bad --file is a
 * usage error, read back at the end, and removed if it was temporary. */
#ifndef YL_COUNTERFILE_H
#define YL_COUNTERFILE_H

#include <stdbool.h>
#include <stdint.h>

/* Width of the counter as written: fixed, so that a shorter number never
 * leaves digits of a longer one behind. */
#define COUNTER_WIDTH 20

/* Prepares the counter file: path, or a new temporary file when path is
 * NULL. Empty when append (a log of lines), else holds 0. Exits 2 with a
 * one-line message when path cannot be written. Returns the path to use;
 * a temporary file is removed at exit. */
const char *counterfile_setup(const char *path, bool append);

/* The count the file holds now: its number (or, for a log, its lines). */
uint64_t counterfile_final(const char *path, bool append);

/* Formats v as the file stores it (COUNTER_WIDTH digits and a newline);
 * returns the length. */
int counterfile_format(char *buf, uint64_t v);

/* Parses what counterfile_format wrote (or a short read of it). */
uint64_t counterfile_parse(const char *buf, long len);

/* Removes the temporary file now (also done at exit). */
void counterfile_cleanup(void);

#endif
