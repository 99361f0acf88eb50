/* outfile.h - results files are never left half-written: the data goes to
 * PATH.tmp first and is renamed over PATH only once it is all on disk, so
 * a crash, a full disk or a kill leaves the old file or none, never a
 * truncated one that a plot would silently draw. */
#ifndef YL_OUTFILE_H
#define YL_OUTFILE_H

#include <stddef.h>

/* Writes data[0..len) to path through path.tmp and rename(2). Returns 0,
 * or -1 with errno set (the temporary file is removed). */
int write_file_atomic(const char *path, const char *data, size_t len);

#endif
