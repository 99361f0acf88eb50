/* unitgen - practice for lab 01: random foo-like programs, their predicted
 * output and unit timeline, and a real run to compare with.
 *
 *   unitgen --seed 7           print program 7 as C for libyl
 *   unitgen --seed 7 --solve   what it prints, and when each unit runs
 *   unitgen --seed 7 --run     run it on libyl; same report, measured
 *
 * The solver models the single executor exactly: a FIFO run queue, units
 * that take no time, timers fired in (deadline, arm order) when nothing is
 * ready. Each function is used once (spawned as a task or called), so the
 * program is a tree and every line it prints is distinct.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "yl.h"

static const char usage[] =
    "usage: unitgen [--seed S] [--fns N] [--no-ties] [--solve | --run [--unit-ms K]] [--csv]\n"
    "Prints a random program of async tasks (sleeps, yields, spawns, calls) as C\n"
    "for libyl; predict its output and units before asking for the answer.\n"
    "  --seed S     which program (default 1)\n"
    "  --fns N      functions in the program, main included, 2..8 (default 5)\n"
    "  --no-ties    only programs where no two timers are due at the same time\n"
    "  --solve      print the output and the unit timeline the executor gives\n"
    "  --run        run the program on libyl and print the same report, measured\n"
    "  --unit-ms K  length of one time unit in --run (default 10)\n"
    "  --csv        with --solve or --run: the units as trace CSV on stdout\n"
    "  --timeout S  give up after S seconds (default 60)\n";

enum op_kind { OP_SAY, OP_SLEEP, OP_YIELD, OP_SPAWN, OP_CALL };

struct op {
    enum op_kind kind;
    int arg;       /* SLEEP: time units; SPAWN and CALL: function index */
    char text[24]; /* SAY: the line */
};

#define MAX_FNS 8
#define MAX_OPS 16
#define MAX_FLAT (MAX_FNS * MAX_OPS)
#define MAX_UNITS 128
#define MAX_LINES 128

struct fn {
    char name[16]; /* "f" and an int, or "main" */
    bool spawned; /* a task body (yl_go); otherwise a plain function, called */
    struct op ops[MAX_OPS];
    int nops;
};

struct prog {
    int nfn; /* fn[0] is main */
    struct fn fn[MAX_FNS];
    /* Task bodies with calls inlined: what one task executes, in order. */
    struct op flat[MAX_FNS][MAX_FLAT];
    int nflat[MAX_FNS];
};

/* ---- generating ------------------------------------------------------- */

static uint64_t rng;
static uint64_t next_rand(void) /* splitmix64: tiny, and the same everywhere */
{
    uint64_t z = (rng += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}
static int rnd(int n) { return (int)(next_rand() % (uint64_t)n); }

static void add_op(struct fn *f, enum op_kind k, int arg, const char *text)
{
    struct op *o = &f->ops[f->nops++];
    o->kind = k;
    o->arg = arg;
    snprintf(o->text, sizeof o->text, "%s", text ? text : "");
}

static void insert_op(struct fn *f, int at, struct op o)
{
    memmove(&f->ops[at + 1], &f->ops[at], (size_t)(f->nops - at) * sizeof o);
    f->ops[at] = o;
    f->nops++;
}

/* Body: "start", then one to three yield points each followed by a line;
 * the last line is "end". Tasks sleep more, helpers less (like bar). */
static void gen_body(struct fn *f, bool is_task)
{
    char line[24];
    snprintf(line, sizeof line, "%s start", f->name);
    add_op(f, OP_SAY, 0, line);
    int segs = 1 + rnd(is_task ? 3 : 2);
    for (int s = 1; s <= segs; s++) {
        if (rnd(100) < 15)
            add_op(f, OP_YIELD, 0, NULL);
        else
            add_op(f, OP_SLEEP, 1 + rnd(4), NULL);
        if (s == segs)
            snprintf(line, sizeof line, "%s end", f->name);
        else
            snprintf(line, sizeof line, "%s step %d", f->name, s);
        add_op(f, OP_SAY, 0, line);
    }
}

static void gen(struct prog *p, int max_fns)
{
    memset(p, 0, sizeof *p);
    p->nfn = 2 + rnd(max_fns - 1);
    int parent[MAX_FNS];
    for (int i = 0; i < p->nfn; i++) {
        struct fn *f = &p->fn[i];
        snprintf(f->name, sizeof f->name, i ? "f%d" : "main", i);
        f->spawned = i == 0 || rnd(100) < 65;
        parent[i] = i ? rnd(i) : -1;
    }
    p->fn[1].spawned = true; /* at least two tasks, or nothing interleaves */
    for (int i = 0; i < p->nfn; i++)
        gen_body(&p->fn[i], p->fn[i].spawned);
    /* Each function is used once, by a parent with a smaller index, at a
     * random point after the parent's first line. */
    for (int i = 1; i < p->nfn; i++) {
        struct fn *par = &p->fn[parent[i]];
        struct op o = {.kind = p->fn[i].spawned ? OP_SPAWN : OP_CALL, .arg = i};
        insert_op(par, 1 + rnd(par->nops), o);
    }
}

static void flatten_into(struct prog *p, int task, int fi)
{
    for (int k = 0; k < p->fn[fi].nops; k++) {
        const struct op *o = &p->fn[fi].ops[k];
        if (o->kind == OP_CALL)
            flatten_into(p, task, o->arg);
        else
            p->flat[task][p->nflat[task]++] = *o;
    }
}

static void flatten(struct prog *p)
{
    for (int i = 0; i < p->nfn; i++)
        if (p->fn[i].spawned)
            flatten_into(p, i, i);
}

/* ---- printing the program as C ---------------------------------------- */

static void print_c(const struct prog *p, uint64_t seed)
{
    printf("/* unitgen --seed %llu: what does it print, and in which units?\n"
           " * Check with: unitgen --seed %llu --solve\n"
           " * Build it:   cc -Iruntime/yl -Ibench prog.c build/lib/libyl.a "
           "build/lib/libbench.a -pthread */\n",
           (unsigned long long)seed, (unsigned long long)seed);
    printf("#include \"cli.h\"\n#include \"yl.h\"\n\n#define U 10 /* ms per time unit */\n");
    for (int i = p->nfn - 1; i >= 0; i--) { /* callees before their callers */
        const struct fn *f = &p->fn[i];
        printf("\n");
        if (i == 0)
            printf("static void main_task(void *arg)\n{\n    (void)arg;\n");
        else if (f->spawned)
            printf("static void %s(void *arg) /* a task */\n{\n    (void)arg;\n", f->name);
        else
            printf("static void %s(void) /* a plain function */\n{\n", f->name);
        for (int k = 0; k < f->nops; k++) {
            const struct op *o = &f->ops[k];
            const char *callee = o->kind >= OP_SPAWN ? p->fn[o->arg].name : "";
            switch (o->kind) {
            case OP_SAY: printf("    cli_say(\"%s\");\n", o->text); break;
            case OP_SLEEP: printf("    yl_sleep_ms(%d * U);\n", o->arg); break;
            case OP_YIELD: printf("    yl_yield();\n"); break;
            case OP_SPAWN: printf("    yl_go(\"%s\", %s, NULL);\n", callee, callee); break;
            case OP_CALL: printf("    %s();\n", callee); break;
            }
        }
        printf("}\n");
    }
    printf("\nint main(void)\n{\n    return yl_run(NULL, main_task, NULL) == 0 ? 0 : 1;\n}\n");
}

/* ---- the report: what both --solve and --run print --------------------- */

struct unit_rec {
    int task, label;
    int time;         /* in time units since main started */
    uint64_t start_ns, end_ns;
    char prints[160]; /* the lines printed in this unit, joined by "; " */
};

struct report {
    char task_name[MAX_FNS][16];
    int ntasks;
    char lines[MAX_LINES][24];
    int nlines;
    struct unit_rec units[MAX_UNITS];
    int nunits;
};

static struct report rep;

static int rep_task(const char *name)
{
    snprintf(rep.task_name[rep.ntasks], sizeof rep.task_name[0], "%s", name);
    return rep.ntasks++;
}

static void rep_unit(int task, int label, int time, uint64_t ns)
{
    if (rep.nunits == MAX_UNITS)
        cli_fail("more than %d units", MAX_UNITS);
    struct unit_rec *u = &rep.units[rep.nunits++];
    *u = (struct unit_rec){.task = task, .label = label, .time = time, .start_ns = ns,
                           .end_ns = ns};
}

static void rep_say(const char *text, uint64_t ns)
{
    snprintf(rep.lines[rep.nlines++], sizeof rep.lines[0], "%s", text);
    struct unit_rec *u = &rep.units[rep.nunits - 1];
    size_t l = strlen(u->prints);
    snprintf(u->prints + l, sizeof u->prints - l, "%s%s", l ? "; " : "", text);
    u->end_ns = ns;
}

static void label_str(char out[4], int label)
{
    out[0] = (char)('A' + label % 26);
    out[1] = 0;
}

static void print_report(bool csv)
{
    char lab[4];
    if (csv) {
        printf("model,unit_id,task,label,worker,cpu,start_ns,end_ns\n");
        for (int i = 0; i < rep.nunits; i++) {
            const struct unit_rec *u = &rep.units[i];
            label_str(lab, u->label);
            printf("tasks,%d,%s,%s,0,0,%llu,%llu\n", i, rep.task_name[u->task], lab,
                   (unsigned long long)u->start_ns, (unsigned long long)u->end_ns);
        }
        return;
    }
    printf("output:\n");
    for (int i = 0; i < rep.nlines; i++)
        printf("  %s\n", rep.lines[i]);
    printf("\nunits:\n  unit  time  task  label  prints\n");
    int tmax = 0;
    for (int i = 0; i < rep.nunits; i++) {
        const struct unit_rec *u = &rep.units[i];
        label_str(lab, u->label);
        printf("  %4d  %4d  %-4s  %-5s  %s\n", i, u->time, rep.task_name[u->task], lab,
               u->prints[0] ? u->prints : "-");
        if (u->time > tmax)
            tmax = u->time;
    }
    /* One row per task, one column per time unit, the labels of the units
     * that started then: the article's scheduling picture in text. */
    printf("\ntimeline:\n  time ");
    for (int t = 0; t <= tmax; t++)
        printf("%3d", t);
    printf("\n");
    for (int k = 0; k < rep.ntasks; k++) {
        printf("  %-4s ", rep.task_name[k]);
        for (int t = 0; t <= tmax; t++) {
            char cell[8] = "";
            for (int i = 0; i < rep.nunits; i++) {
                const struct unit_rec *u = &rep.units[i];
                if (u->task == k && u->time == t && strlen(cell) < 3) {
                    label_str(lab, u->label);
                    strcat(cell, lab);
                }
            }
            printf("%3s", cell[0] ? cell : ".");
        }
        printf("\n");
    }
}

/* ---- the solver: the single executor on paper ------------------------- */

struct sim_task {
    int body, pc, units;
};

struct sim_timer {
    int deadline, seq, task;
};

/* Simulates p; fills rep when fill is set. Returns the number of times two
 * or more timers were due at once (ties: ordered by arm order). */
static int solve(const struct prog *p, bool fill, char *notes, size_t notes_len)
{
    struct sim_task task[MAX_FNS];
    int ntask = 0, runq[MAX_UNITS], qh = 0, qt = 0, now = 0, seq = 0, ties = 0;
    struct sim_timer tm[MAX_FNS];
    int ntm = 0;
    task[ntask++] = (struct sim_task){0};
    runq[qt++] = 0;
    if (fill)
        rep_task("main");
    for (;;) {
        while (qh < qt) {
            int x = runq[qh++];
            struct sim_task *t = &task[x];
            if (fill)
                rep_unit(x, t->units, now, 0);
            t->units++;
            while (t->pc < p->nflat[t->body]) {
                const struct op *o = &p->flat[t->body][t->pc++];
                if (o->kind == OP_SAY && fill) {
                    rep_say(o->text, 0);
                } else if (o->kind == OP_SPAWN) {
                    task[ntask] = (struct sim_task){.body = o->arg};
                    if (fill)
                        rep_task(p->fn[o->arg].name);
                    runq[qt++] = ntask++;
                } else if (o->kind == OP_SLEEP) {
                    tm[ntm++] = (struct sim_timer){now + o->arg, seq++, x};
                    break;
                } else if (o->kind == OP_YIELD) {
                    runq[qt++] = x; /* after everything already ready */
                    break;
                }
            }
            if (qt >= MAX_UNITS - MAX_FNS)
                cli_fail("program too long to solve");
        }
        if (!ntm)
            return ties;
        int next = tm[0].deadline;
        for (int i = 1; i < ntm; i++)
            if (tm[i].deadline < next)
                next = tm[i].deadline;
        now = next;
        int due = 0;
        char woken[64] = "";
        for (;;) { /* fire every timer due now, earliest armed first */
            int best = -1;
            for (int i = 0; i < ntm; i++)
                if (tm[i].deadline == now && (best < 0 || tm[i].seq < tm[best].seq))
                    best = i;
            if (best < 0)
                break;
            runq[qt++] = tm[best].task;
            size_t l = strlen(woken);
            snprintf(woken + l, sizeof woken - l, "%s%s", due ? ", " : "",
                     p->fn[task[tm[best].task].body].name);
            due++;
            tm[best] = tm[--ntm];
        }
        if (due > 1) {
            ties++;
            size_t l = notes ? strlen(notes) : 0;
            if (notes)
                snprintf(notes + l, notes_len - l,
                         "  time %d: %s wake together, in the order they went to sleep\n",
                         now, woken);
        }
    }
}

/* ---- the real run ------------------------------------------------------ */

struct run_task {
    int body, id, units;
};

static const struct prog *run_prog_p;
static struct run_task run_tasks[MAX_FNS];
static uint64_t unit_ns, t0_ns;

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A unit starts: when the task starts and after every yield point. */
static void unit_begin(struct run_task *t)
{
    uint64_t now = mono_ns();
    if (!t0_ns)
        t0_ns = now;
    /* Floor: a unit is never early, and lateness is far below one unit. */
    rep_unit(t->id, t->units++, (int)((now - t0_ns) / unit_ns), now - t0_ns);
}

static void run_body(void *arg)
{
    struct run_task *t = arg;
    const struct prog *p = run_prog_p;
    unit_begin(t);
    for (int k = 0; k < p->nflat[t->body]; k++) {
        const struct op *o = &p->flat[t->body][k];
        switch (o->kind) {
        case OP_SAY:
            rep_say(o->text, mono_ns() - t0_ns);
            break;
        case OP_SLEEP:
            yl_sleep_us((uint64_t)o->arg * unit_ns / 1000);
            unit_begin(t);
            break;
        case OP_YIELD:
            yl_yield();
            unit_begin(t);
            break;
        case OP_SPAWN: {
            int id = rep_task(p->fn[o->arg].name);
            run_tasks[id] = (struct run_task){.body = o->arg, .id = id};
            if (yl_go(p->fn[o->arg].name, run_body, &run_tasks[id]) != 0)
                cli_fail("out of memory spawning %s", p->fn[o->arg].name);
            break;
        }
        case OP_CALL: /* inlined by flatten */
            break;
        }
    }
}

int main(int argc, char **argv)
{
    cli_init(argc, argv, usage);
    uint64_t seed = 1, fns = 5, unit_ms = 10;
    bool do_solve = false, do_run = false, no_ties = false, csv = false;
    const struct cli_opt opts[] = {
        {"--seed", CLI_U64, &seed, 0, UINT64_MAX, NULL},
        {"--fns", CLI_U64, &fns, 2, MAX_FNS, NULL},
        {"--solve", CLI_BOOL, &do_solve, 0, 0, NULL},
        {"--run", CLI_BOOL, &do_run, 0, 0, NULL},
        {"--unit-ms", CLI_U64, &unit_ms, 1, 1000, NULL},
        {"--no-ties", CLI_BOOL, &no_ties, 0, 0, NULL},
        {"--csv", CLI_BOOL, &csv, 0, 0, NULL},
        {NULL, 0, NULL, 0, 0, NULL},
    };
    cli_parse(argc, argv, opts, 60);
    if (do_solve && do_run)
        cli_usage_error("--run: not together with --solve (run one, then the other)");

    /* The program is a function of (seed, fns, no-ties) only: --no-ties
     * draws again from the same stream until no timers tie. */
    static struct prog p;
    rng = seed;
    int attempts = 0;
    do {
        gen(&p, (int)fns);
        flatten(&p);
        if (++attempts > 10000)
            cli_fail("--no-ties: no tie-free program found for this seed");
    } while (no_ties && solve(&p, false, NULL, 0) > 0);

    if (!do_solve && !do_run) {
        print_c(&p, seed);
        return 0;
    }
    static char notes[1024];
    int ties = solve(&p, do_solve, notes, sizeof notes);
    if (do_run) {
        if (ties)
            cli_warn("%d timer tie(s): a real run may order those wake-ups differently", ties);
        unit_ns = unit_ms * 1000000u;
        run_prog_p = &p;
        rep_task("main");
        if (yl_run(NULL, run_body, &run_tasks[0]) != 0)
            cli_fail("the runtime failed");
    } else {
        /* logical times as trace nanoseconds, so plots/timeline.gp draws it */
        for (int i = 0; i < rep.nunits; i++)
            rep.units[i].start_ns = rep.units[i].end_ns =
                (uint64_t)rep.units[i].time * unit_ms * 1000000u;
    }
    print_report(csv);
    if (!csv && notes[0])
        printf("\nnotes:\n%s", notes);
    return 0;
}
