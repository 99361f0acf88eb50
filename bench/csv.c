/* csv.c - the one CSV writer: experiment,model,variant,cpus,n,metric,value,unit
 * (see measure.h). Rows and human lines are each written with a single
 * write(2), so nothing sits in a stdio buffer when a program forks. */
#include "measure.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static bool csv_on;
static bool header_done;

void csv_enable(bool csv)
{
    csv_on = csv;
}

static void write_all(int fd, const char *buf, size_t len)
{
    while (len) {
        ssize_t w = write(fd, buf, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return; /* a closed pipe: nobody left to tell */
        }
        buf += w;
        len -= (size_t)w;
    }
}

void csv_format_value(char *buf, size_t len, double value)
{
    /* Counts and bytes print as integers; measured times keep 10
     * significant digits, more than any of them is accurate to. */
    /* (libm-free on purpose: programs link libbench without -lm.) */
    if (isfinite(value) && value > -1e15 && value < 1e15 &&
        value == (double)(long long)value)
        snprintf(buf, len, "%.0f", value);
    else if (isnan(value))
        snprintf(buf, len, "nan");
    else
        snprintf(buf, len, "%.10g", value);
}

int csv_format_row(char *buf, size_t len, const struct csv_key *k, uint64_t n,
                   const char *metric, double value, const char *unit)
{
    char v[64];
    csv_format_value(v, sizeof v, value);
    int w = snprintf(buf, len, "%s,%s,%s,%s,%llu,%s,%s,%s", k->experiment, k->model,
                     k->variant, k->cpus[0] ? k->cpus : "-", (unsigned long long)n,
                     metric, v, unit);
    return (w < 0 || (size_t)w >= len) ? -1 : w;
}

static void human_line(const char *line)
{
    size_t len = strlen(line);
    char buf[1024];
    if (len > sizeof buf - 2)
        len = sizeof buf - 2;
    memcpy(buf, line, len);
    buf[len++] = '\n';
    write_all(csv_on ? 2 : 1, buf, len);
}

void csv_row(const struct csv_key *k, uint64_t n, const char *metric,
             double value, const char *unit)
{
    char buf[1024];
    if (csv_on) {
        if (!header_done) {
            write_all(1, CSV_HEADER "\n", sizeof CSV_HEADER);
            header_done = true;
        }
        int w = csv_format_row(buf, sizeof buf - 1, k, n, metric, value, unit);
        if (w > 0) {
            buf[w] = '\n';
            write_all(1, buf, (size_t)w + 1);
        }
    }
    char v[64];
    csv_format_value(v, sizeof v, value);
    snprintf(buf, sizeof buf, "%s %s/%s cpus=%s n=%llu: %s = %s %s", k->experiment,
             k->model, k->variant, k->cpus[0] ? k->cpus : "-", (unsigned long long)n,
             metric, v, unit);
    human_line(buf);
}

void csv_note(const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    human_line(buf);
}
