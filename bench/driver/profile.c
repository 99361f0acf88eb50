/* profile.c - reading bench/profiles/NAME (see driver.h and the format
 * described at the top of bench/profiles/quick).
 *
 *   set reps N | set timeout S | set warmup N     defaults for later lines
 *   run EXPERIMENT [reps=N] [warmup=N] [timeout=S] [min-cpus=N] [needs=PROG] -- COMMAND ARG...
 *   trace MODEL [timeout=S] [min-cpus=N] [needs=PROG] -- COMMAND ARG...
 *
 * needs=PROG (relative to the bin folder, repeatable) leaves the line out,
 * with one line on stderr, when PROG was not built: the programs of a
 * language runtime whose toolchain is not installed (peers/README.md).
 *
 * COMMAND is relative to the bin folder unless it starts with '/'. Tokens
 * are split on blanks; '...' or "..." keep blanks inside one token.
 * Placeholders: {bin} {out} {profdir} {ncpus} {cpus} {cpu_first} {cpu_last}.
 */
#include "driver.h"
#include "cli.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The defaults a profile starts with; `set` changes them for later lines. */
struct defaults {
    unsigned reps, timeout_s, warmup;
};

static int fail(char *err, size_t errsz, const char *path, int line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static int fail(char *err, size_t errsz, const char *path, int line, const char *fmt, ...)
{
    int n = snprintf(err, errsz, "%s:%d: ", path, line);
    if (n < 0 || (size_t)n >= errsz)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err + n, errsz - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}

static bool readable(const char *path)
{
    return access(path, R_OK) == 0;
}

int profile_find(const char *name, const char *bin, char *out, size_t outsz)
{
    if (strchr(name, '/')) {
        snprintf(out, outsz, "%s", name);
        return readable(out) ? 0 : -1;
    }
    /* The source tree from the working folder, from build/bin, from
     * build/<variant>/bin; then a profiles/ folder next to the driver,
     * which is where a guest image keeps them. */
    const char *fmts[] = {"bench/profiles/%2$s", "%1$s/../../bench/profiles/%2$s",
                          "%1$s/../../../bench/profiles/%2$s", "%1$s/profiles/%2$s"};
    for (size_t i = 0; i < sizeof fmts / sizeof fmts[0]; i++) {
        if ((size_t)snprintf(out, outsz, fmts[i], bin, name) >= outsz)
            continue;
        if (readable(out))
            return 0;
    }
    return -1;
}

/* Appends src to dst (of size dstsz) at *len; false when it does not fit. */
static bool append(char *dst, size_t dstsz, size_t *len, const char *src, size_t n)
{
    if (*len + n + 1 > dstsz)
        return false;
    memcpy(dst + *len, src, n);
    *len += n;
    dst[*len] = '\0';
    return true;
}

/* Expands the {placeholders} of tok into out. Returns 0, or -1 with the
 * unknown name in bad. */
static int expand(const char *tok, const struct expand_ctx *c, char *out, size_t outsz,
                  char *bad, size_t badsz)
{
    char num[32];
    snprintf(num, sizeof num, "%u", c->ncpus);
    const struct {
        const char *key, *val;
    } vars[] = {
        {"bin", c->bin}, {"out", c->out}, {"profdir", c->profdir},
        {"ncpus", num}, {"cpus", c->cpus_all}, {"cpu_first", c->cpu_first},
        {"cpu_last", c->cpu_last},
    };
    size_t len = 0;
    out[0] = '\0';
    for (const char *p = tok; *p;) {
        const char *close = *p == '{' ? strchr(p, '}') : NULL;
        if (!close) {
            if (!append(out, outsz, &len, p, 1))
                goto too_long;
            p++;
            continue;
        }
        size_t klen = (size_t)(close - p - 1);
        const char *val = NULL;
        for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
            if (strlen(vars[i].key) == klen && strncmp(vars[i].key, p + 1, klen) == 0)
                val = vars[i].val;
        if (!val) {
            snprintf(bad, badsz, "unknown placeholder '%.*s'", (int)(klen + 2), p);
            return -1;
        }
        if (!append(out, outsz, &len, val, strlen(val)))
            goto too_long;
        p = close + 1;
    }
    return 0;
too_long:
    snprintf(bad, badsz, "token too long after expansion");
    return -1;
}

/* Splits line into tokens in place (blanks separate; quotes group).
 * Returns the count, or -1 on an unclosed quote or too many tokens. */
static int split(char *line, char **tok, int max)
{
    int n = 0;
    char *p = line, *w;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p || *p == '#')
            return n;
        if (n == max)
            return -1;
        tok[n++] = w = p;
        while (*p && *p != ' ' && *p != '\t') {
            if (*p == '\'' || *p == '"') {
                char q = *p++;
                while (*p && *p != q)
                    *w++ = *p++;
                if (!*p)
                    return -1;
                p++;
            } else {
                *w++ = *p++;
            }
        }
        bool end = !*p;
        *w = '\0';
        if (end)
            return n;
        if (w == p) /* the blank we stopped at was not overwritten */
            *p = '\0';
        p++;
    }
}

/* Parses "key=N" into *dst when tok starts with key=. 1 taken, 0 not this
 * key, -1 bad number. */
static int keyval(const char *tok, const char *key, unsigned min, unsigned max, unsigned *dst)
{
    size_t k = strlen(key);
    if (strncmp(tok, key, k) != 0 || tok[k] != '=')
        return 0;
    char *end;
    errno = 0;
    unsigned long v = strtoul(tok + k + 1, &end, 10);
    if (errno || end == tok + k + 1 || *end || tok[k + 1] == '-' || v < min || v > max)
        return -1;
    *dst = (unsigned)v;
    return 1;
}

static int parse_set(char **tok, int n, struct defaults *d, const char *path, int line,
                     char *err, size_t errsz)
{
    if (n != 3)
        return fail(err, errsz, path, line, "expected 'set reps|timeout|warmup N'");
    char kv[64];
    snprintf(kv, sizeof kv, "%s=%s", tok[1], tok[2]);
    if (keyval(kv, "reps", 1, 1000, &d->reps) == 1 ||
        keyval(kv, "timeout", 1, 86400, &d->timeout_s) == 1 ||
        keyval(kv, "warmup", 0, 100, &d->warmup) == 1)
        return 0;
    return fail(err, errsz, path, line, "bad setting '%s %s' (reps 1-1000, timeout 1-86400 s, warmup 0-100)",
                tok[1], tok[2]);
}

/* Checks a needs=PROG option: 1 taken (and *missing set when PROG is not
 * an executable of the bin folder, naming it in what), 0 not this option,
 * -1 a malformed PROG. */
static int needs(const char *tok, const struct expand_ctx *c, bool *missing, char *what,
                 size_t whatsz)
{
    if (strncmp(tok, "needs=", 6) != 0)
        return 0;
    const char *prog = tok + 6;
    if (!*prog || prog[0] == '/' || strstr(prog, ".."))
        return -1;
    char full[4096];
    if ((size_t)snprintf(full, sizeof full, "%s/%s", c->bin, prog) >= sizeof full)
        return -1;
    if (access(full, X_OK) != 0 && !*missing) {
        *missing = true;
        snprintf(what, whatsz, "%s", prog);
    }
    return 1;
}

/* Parses a run or trace line into s; *missing tells that a needs= program
 * is not there (what names it). */
static int parse_step(char **tok, int n, const struct defaults *d, const struct expand_ctx *c,
                      struct step *s, const char *path, int line, char *err, size_t errsz,
                      bool *missing, char *what, size_t whatsz)
{
    memset(s, 0, sizeof *s);
    s->kind = strcmp(tok[0], "run") == 0 ? STEP_RUN : STEP_TRACE;
    s->reps = s->kind == STEP_RUN ? d->reps : 1;
    s->warmup = s->kind == STEP_RUN ? d->warmup : 0;
    s->timeout_s = d->timeout_s;
    s->line = line;
    if (n < 2 || strcmp(tok[1], "--") == 0)
        return fail(err, errsz, path, line, "'%s' needs a name", tok[0]);
    if (strlen(tok[1]) >= sizeof s->name || strpbrk(tok[1], ",/\"'"))
        return fail(err, errsz, path, line, "bad name '%s'", tok[1]);
    strcpy(s->name, tok[1]);
    if (s->kind == STEP_TRACE && strcmp(s->name, "tasks") && strcmp(s->name, "threads") &&
        strcmp(s->name, "procs"))
        return fail(err, errsz, path, line, "trace model must be tasks, threads or procs, not '%s'",
                    s->name);
    int i = 2;
    for (; i < n && strcmp(tok[i], "--") != 0; i++) {
        int r = s->kind == STEP_RUN ? keyval(tok[i], "reps", 1, 1000, &s->reps) : 0;
        if (!r && s->kind == STEP_RUN)
            r = keyval(tok[i], "warmup", 0, 100, &s->warmup);
        if (!r)
            r = keyval(tok[i], "timeout", 1, 86400, &s->timeout_s);
        if (!r)
            r = keyval(tok[i], "min-cpus", 1, 4096, &s->min_cpus);
        if (!r)
            r = needs(tok[i], c, missing, what, whatsz);
        if (r != 1)
            return fail(err, errsz, path, line, "bad option '%s' (%s)", tok[i],
                        s->kind == STEP_RUN ? "reps=N warmup=N timeout=S min-cpus=N needs=PROG"
                                            : "timeout=S min-cpus=N needs=PROG");
    }
    if (i + 1 >= n)
        return fail(err, errsz, path, line, "expected '-- COMMAND ARG...'");
    for (i++; i < n; i++) {
        char buf[4096], bad[128];
        if (expand(tok[i], c, buf, sizeof buf, bad, sizeof bad) != 0)
            return fail(err, errsz, path, line, "%s", bad);
        if (s->argc == 0 && buf[0] != '/') {
            char full[4096];
            if ((size_t)snprintf(full, sizeof full, "%s/%s", c->bin, buf) >= sizeof full)
                return fail(err, errsz, path, line, "command path too long");
            strcpy(buf, full);
        }
        if (s->argc == DRV_MAX_ARGS - 2) /* room for --trace FILE */
            return fail(err, errsz, path, line, "more than %d arguments", DRV_MAX_ARGS - 2);
        if (!(s->argv[s->argc++] = strdup(buf)))
            return fail(err, errsz, path, line, "out of memory");
    }
    return 0;
}

static void step_free(struct step *s)
{
    for (int i = 0; i < s->argc; i++)
        free(s->argv[i]);
    s->argc = 0;
}

int profile_load(const char *path, const struct expand_ctx *ctx, struct profile *p,
                 char *err, size_t errsz)
{
    memset(p, 0, sizeof *p);
    snprintf(p->path, sizeof p->path, "%s", path);
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errsz, "%s: %s", path, strerror(errno));
        return -1;
    }
    struct defaults d = {.reps = 5, .timeout_s = 120, .warmup = 1};
    size_t cap = 0;
    char line[8192];
    int lineno = 0, rc = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        lineno++;
        size_t len = strlen(line);
        if (len && line[len - 1] == '\n')
            line[--len] = '\0';
        else if (!feof(f)) {
            rc = fail(err, errsz, path, lineno, "line longer than %zu characters", sizeof line - 2);
            break;
        }
        char *tok[DRV_MAX_ARGS + 8];
        int n = split(line, tok, (int)(sizeof tok / sizeof tok[0]));
        if (n < 0) {
            rc = fail(err, errsz, path, lineno, "unclosed quote or too many words");
        } else if (n == 0) {
            continue;
        } else if (strcmp(tok[0], "set") == 0) {
            rc = parse_set(tok, n, &d, path, lineno, err, errsz);
        } else if (strcmp(tok[0], "run") == 0 || strcmp(tok[0], "trace") == 0) {
            if (p->n == cap) {
                cap = cap ? 2 * cap : 16;
                struct step *ns = realloc(p->steps, cap * sizeof *ns);
                if (!ns) {
                    rc = fail(err, errsz, path, lineno, "out of memory");
                    break;
                }
                p->steps = ns;
            }
            bool missing = false;
            char what[256] = "";
            rc = parse_step(tok, n, &d, ctx, &p->steps[p->n], path, lineno, err, errsz,
                            &missing, what, sizeof what);
            if (rc == 0 && missing) {
                /* Not a failure: that runtime is simply not installed. */
                cli_warn("%s:%d: %s: skipped, needs %s (not built: its toolchain is not "
                         "installed)", path, lineno, p->steps[p->n].name, what);
                p->skipped++;
                step_free(&p->steps[p->n]);
            } else if (rc == 0) {
                p->n++;
            } else {
                step_free(&p->steps[p->n]);
            }
        } else {
            rc = fail(err, errsz, path, lineno, "unknown directive '%s' (set, run, trace)", tok[0]);
        }
    }
    fclose(f);
    if (rc == 0 && p->n == 0 && p->skipped == 0)
        rc = fail(err, errsz, path, lineno, "no run or trace line");
    if (rc != 0)
        profile_free(p);
    return rc;
}

void profile_free(struct profile *p)
{
    for (size_t i = 0; i < p->n; i++)
        step_free(&p->steps[i]);
    free(p->steps);
    p->steps = NULL;
    p->n = 0;
}
