/* grade_format.c - a graded run in the formats other tools read: Gradescope's
 * results.json (what run_autograder hands to Gradescope, and `make grade
 * FORMAT=gradescope`) and JUnit XML (what most CI systems display).
 */
#include "grade_format.h"

/* Writes s as the inside of a JSON string. */
static void json_str(FILE *f, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", f);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
}

/* Writes s escaped for an XML attribute or text node. */
static void xml_str(FILE *f, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        default:
            /* XML 1.0 cannot carry most control characters at all. */
            fputc(*p < 0x20 && *p != '\n' && *p != '\t' ? '?' : *p, f);
        }
    }
}

void grade_write_gradescope(FILE *f, const struct grade_row *rows, size_t n)
{
    unsigned got = 0;
    for (size_t i = 0; i < n; i++)
        if (rows[i].state == GRADE_PASSED)
            got += rows[i].pts;
    fprintf(f, "{\n  \"score\": %u,\n  \"tests\": [", got);
    const char *sep = "\n";
    for (size_t i = 0; i < n; i++) {
        const struct grade_row *r = &rows[i];
        if (r->state == GRADE_SKIPPED)
            continue;
        bool ok = r->state == GRADE_PASSED;
        fprintf(f, "%s    {\"name\": \"", sep);
        json_str(f, r->suite);
        fputs("::", f);
        json_str(f, r->name);
        fputs(": ", f);
        json_str(f, r->what);
        fprintf(f, "\", \"score\": %u, \"max_score\": %u, \"status\": \"%s\", \"output\": \"",
                ok ? r->pts : 0, r->pts, ok ? "passed" : "failed");
        if (!ok) {
            json_str(f, r->verdict);
            if (r->detail[0]) {
                fputs(": ", f);
                json_str(f, r->detail);
            }
        }
        fprintf(f, "\", \"visibility\": \"%s\"}", r->hidden ? "after_published" : "visible");
        sep = ",\n";
    }
    fputs("\n  ]\n}\n", f);
}

void grade_write_junit(FILE *f, const struct grade_row *rows, size_t n)
{
    unsigned failures = 0, skipped = 0;
    for (size_t i = 0; i < n; i++) {
        failures += rows[i].state == GRADE_FAILED;
        skipped += rows[i].state == GRADE_SKIPPED;
    }
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<testsuites name=\"yieldlab grading\" tests=\"%zu\" failures=\"%u\" skipped=\"%u\">\n"
            "  <testsuite name=\"graded\" tests=\"%zu\" failures=\"%u\" skipped=\"%u\">\n",
            n, failures, skipped, n, failures, skipped);
    for (size_t i = 0; i < n; i++) {
        const struct grade_row *r = &rows[i];
        fputs("    <testcase classname=\"", f);
        xml_str(f, r->suite);
        fputs("\" name=\"", f);
        xml_str(f, r->name);
        fprintf(f, "\" time=\"%.3f\">\n      <properties><property name=\"points\" value=\"%u\"/>"
                "<property name=\"description\" value=\"", r->secs, r->pts);
        xml_str(f, r->what);
        fputs("\"/></properties>\n", f);
        if (r->state == GRADE_SKIPPED) {
            fputs("      <skipped/>\n", f);
        } else if (r->state == GRADE_FAILED) {
            fputs("      <failure message=\"", f);
            xml_str(f, r->verdict);
            fputs("\">", f);
            xml_str(f, r->detail);
            fputs("</failure>\n", f);
        }
        fputs("    </testcase>\n", f);
    }
    fputs("  </testsuite>\n</testsuites>\n", f);
}
