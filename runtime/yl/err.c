/* err.c - the runtime's one-line error messages, all prefixed "yl: ". */
#include <stdarg.h>
#include <stdio.h>

#include "internal.h"

void yl__err(const char *fmt, ...)
{
    /* Formatted whole first, so that one message is one write to stderr
     * even when several workers report at once. */
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = snprintf(buf, sizeof buf, "yl: ");
    vsnprintf(buf + n, sizeof buf - (size_t)n, fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s\n", buf);
}
