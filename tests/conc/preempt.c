/* preempt.c - preemption's checks (see conc.h), plain C so that the TSan
 * runner and the AArch64 run under qemu-user carry them too. Each runs in
 * a child process: one that hangs (nothing preempted the spinners, a lock
 * of libc held across a switch) is killed and reported, not waited for. */
#include <fenv.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__x86_64__)
#include <immintrin.h>
#elif defined(__aarch64__)
#include <arm_neon.h>
#endif

#include "conc.h"
#include "yl.h"

static uint64_t clock_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Runs fn in a child; prints what broke under name. */
static int check_in_child(const char *name, int (*fn)(void *), void *arg, int timeout_s)
{
    char err[4096];
    int rc = conc_in_child(fn, arg, err, sizeof err, timeout_s);
    if (rc != 0)
        fprintf(stderr, "%s: %s (%d)%s%s\n", name,
                rc == -1 ? "hung: killed" : rc >= 128 ? "crashed" : "failed", rc,
                *err ? "; stderr: " : "", err);
    return rc != 0;
}

/* ---- spinners ----------------------------------------------------------- */

static struct {
    _Atomic int stop, spinning, spinners;
    _Atomic uint64_t turns;
} sp;

static void spinner(void *arg)
{
    (void)arg;
    uint64_t n = 0;
    atomic_fetch_add(&sp.spinning, 1);
    /* No call, no yield point: only a preemption takes the CPU away. */
    while (!atomic_load_explicit(&sp.stop, memory_order_relaxed))
        n++;
    (void)n;
}

static void progress(void *arg)
{
    (void)arg;
    /* Every worker busy with a spinner first: from then on only a
     * preemption gives this task a turn. */
    while (atomic_load(&sp.spinning) < atomic_load(&sp.spinners))
        yl_yield();
    for (int i = 0; i < 200; i++) {
        atomic_fetch_add(&sp.turns, 1);
        yl_yield();
    }
    atomic_store(&sp.stop, 1);
}

static void spin_main(void *arg)
{
    int n = *(int *)arg;
    yl_task *t[65];
    for (int i = 0; i < n; i++)
        t[i] = yl_spawn("spinner", spinner, NULL);
    t[n] = yl_spawn("progress", progress, NULL);
    for (int i = 0; i <= n; i++)
        yl_join(t[i]);
}

struct run_args {
    int exec, workers, quantum_us, seconds;
};

static int spin_child(void *arg)
{
    struct run_args *a = arg;
    yl_config c = {.exec = (enum yl_exec)a->exec, .workers = a->workers, .preempt_us = 200};
    int n = a->exec == YL_EXEC_SINGLE ? 1 : a->workers;
    atomic_store(&sp.spinners, n);
    if (yl_run(&c, spin_main, &n) != 0)
        return 1;
    yl_stats st = yl_get_stats();
    if (atomic_load(&sp.turns) != 200 || st.preemptions == 0) {
        fprintf(stderr, "turns %llu of 200, %llu preemptions\n",
                (unsigned long long)atomic_load(&sp.turns), (unsigned long long)st.preemptions);
        return 1;
    }
    return 0;
}

int conc_preempt_spinners(int exec, int workers)
{
    struct run_args a = {.exec = exec, .workers = workers};
    return check_in_child("preempt spinners", spin_child, &a, 60);
}

/* ---- FP state ------------------------------------------------------------ */

#define FP_JOBS 4
static const int fp_modes[FP_JOBS] = {FE_TONEAREST, FE_UPWARD, FE_DOWNWARD, FE_TOWARDZERO};

struct fp_sums {
    long double ld;
    double sse;
    double vec[4];
};

#if defined(__x86_64__)
#define LD_BYTES 10 /* x87's 80 bits; the rest of the 16 is padding */
#else
#define LD_BYTES 16
#endif

static long fp_iters(void)
{
#if defined(__aarch64__)
    return 100000; /* long double is quad precision in software there */
#else
    return 1000000;
#endif
}

/* Each series term rounds under the current mode, so a mode or a register
 * lost to another task shows in the last bits. */
static void scalar_sums(struct fp_sums *s, long n)
{
    long double a = 0;
    double b = 0;
    for (long i = 0; i < n; i++) {
        a += 1.0L / (long double)(i + 3);
        b += 1.0 / (double)(i + 7);
    }
    s->ld = a;
    s->sse = b;
}

#if defined(__x86_64__)
__attribute__((target("avx"))) static void vec_sums_avx(struct fp_sums *s, long n)
{
    __m256d acc = _mm256_setzero_pd(), one = _mm256_set1_pd(1.0);
    __m256d k = _mm256_set_pd(4, 3, 2, 1), four = _mm256_set1_pd(4.0);
    for (long i = 0; i < n; i++) {
        acc = _mm256_add_pd(acc, _mm256_div_pd(one, k));
        k = _mm256_add_pd(k, four);
    }
    _mm256_storeu_pd(s->vec, acc);
}
#endif

static void vec_sums(struct fp_sums *s, long n)
{
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx")) {
        vec_sums_avx(s, n);
        return;
    }
    __m128d acc = _mm_setzero_pd(), one = _mm_set1_pd(1.0), k = _mm_set_pd(2, 1);
    __m128d two = _mm_set1_pd(2.0);
    for (long i = 0; i < n; i++) {
        acc = _mm_add_pd(acc, _mm_div_pd(one, k));
        k = _mm_add_pd(k, two);
    }
    _mm_storeu_pd(s->vec, acc);
#elif defined(__aarch64__)
    float64x2_t acc = vdupq_n_f64(0), one = vdupq_n_f64(1.0), two = vdupq_n_f64(2.0);
    float64x2_t k = {1.0, 2.0};
    for (long i = 0; i < n; i++) {
        acc = vaddq_f64(acc, vdivq_f64(one, k));
        k = vaddq_f64(k, two);
    }
    vst1q_f64(s->vec, acc);
#endif
}

static void fp_compute(int job, struct fp_sums *s)
{
    memset(s, 0, sizeof *s);
    fesetround(fp_modes[job]);
    scalar_sums(s, fp_iters());
    vec_sums(s, fp_iters() / 2);
    fesetround(FE_TONEAREST);
}

static struct fp_sums fp_want[FP_JOBS], fp_got[2 * FP_JOBS];

static void fp_task(void *arg)
{
    int i = (int)(intptr_t)arg;
    fp_compute(i % FP_JOBS, &fp_got[i]);
}

static void fp_main(void *arg)
{
    (void)arg;
    yl_task *t[2 * FP_JOBS];
    for (int i = 0; i < 2 * FP_JOBS; i++)
        t[i] = yl_spawn("fp", fp_task, (void *)(intptr_t)i);
    for (int i = 0; i < 2 * FP_JOBS; i++)
        yl_join(t[i]);
}

static int fp_child(void *arg)
{
    struct run_args *a = arg;
    for (int j = 0; j < FP_JOBS; j++)
        fp_compute(j, &fp_want[j]); /* alone, before any task */
    yl_config c = {.exec = (enum yl_exec)a->exec, .workers = a->workers,
                   .preempt_us = (uint64_t)a->quantum_us};
    if (yl_run(&c, fp_main, NULL) != 0)
        return 1;
    int bad = 0;
    for (int i = 0; i < 2 * FP_JOBS; i++) {
        const struct fp_sums *w = &fp_want[i % FP_JOBS], *g = &fp_got[i];
        if (memcmp(&w->ld, &g->ld, LD_BYTES) != 0 || memcmp(&w->sse, &g->sse, 8) != 0 ||
            memcmp(w->vec, g->vec, sizeof w->vec) != 0) {
            fprintf(stderr, "task %d (mode %d): long double %.21Lg want %.21Lg, sse %.17g "
                    "want %.17g, vec[0] %.17g want %.17g\n", i, fp_modes[i % FP_JOBS], g->ld,
                    w->ld, g->sse, w->sse, g->vec[0], w->vec[0]);
            bad = 1;
        }
    }
    yl_stats st = yl_get_stats();
    if (st.preemptions == 0) {
        fprintf(stderr, "no preemption happened: the check proves nothing\n");
        bad = 1;
    }
    return bad;
}

int conc_preempt_fp(int exec, int workers, int quantum_us)
{
    struct run_args a = {.exec = exec, .workers = workers, .quantum_us = quantum_us};
    return check_in_child("preempt FP state", fp_child, &a, 120);
}

/* ---- preempt-disabled sections -------------------------------------------- */

static struct {
    _Atomic int stop;
    _Atomic uint64_t witness; /* bumped by the other task whenever it runs */
    int cut;                  /* sections the witness ran inside */
    int after;                /* the witness ran right after the enable */
} pd;

static void witness(void *arg)
{
    (void)arg;
    while (!atomic_load(&pd.stop)) {
        atomic_fetch_add(&pd.witness, 1);
        yl_yield();
    }
}

/* Spins (in the program's own code and the clock's) for ns. */
static void busy_ns(uint64_t ns)
{
    uint64_t end = clock_ns() + ns;
    volatile uint64_t x = 0;
    while (clock_ns() < end)
        for (int i = 0; i < 1000; i++)
            x = x + 1;
}

static void holder(void *arg)
{
    uint64_t q = (uint64_t)(uintptr_t)arg * 1000; /* the quantum, ns */
    yl_yield(); /* the witness has run once */
    yl_preempt_disable();
    yl_preempt_disable();
    yl_preempt_enable(); /* still disabled: depth 1 */
    uint64_t before = atomic_load(&pd.witness);
    busy_ns(20 * q);
    yl_preempt_disable(); /* depth 2 */
    busy_ns(10 * q);
    yl_preempt_enable(); /* depth 1 */
    busy_ns(10 * q);
    /* On a loaded machine the monitor thread may not have run at all in
     * those 40 quanta: hold the section until it has turned a signal down
     * (10 s at most), so that a preemption has surely fallen due. */
    for (uint64_t end = clock_ns() + 10000000000ull;
         yl_get_stats().preempt_deferred == 0 && clock_ns() < end;)
        busy_ns(q);
    if (atomic_load(&pd.witness) != before)
        pd.cut++;
    yl_preempt_enable(); /* depth 0: the preemption that fell due happens here */
    pd.after = atomic_load(&pd.witness) != before;
    atomic_store(&pd.stop, 1);
}

static void pd_main(void *arg)
{
    yl_task *w = yl_spawn("witness", witness, NULL);
    yl_task *h = yl_spawn("holder", holder, arg);
    yl_join(h);
    yl_join(w);
}

static int pd_child(void *arg)
{
    struct run_args *a = arg;
    yl_config c = {.exec = (enum yl_exec)a->exec, .workers = 1, .preempt_us = 500};
    if (yl_run(&c, pd_main, (void *)(uintptr_t)c.preempt_us) != 0)
        return 1;
    yl_stats st = yl_get_stats();
    if (pd.cut || !pd.after || st.preempt_deferred == 0) {
        fprintf(stderr, "sections cut: %d; the preemption at the enable: %s; signals turned "
                "down: %llu\n", pd.cut, pd.after ? "happened" : "missing",
                (unsigned long long)st.preempt_deferred);
        return 1;
    }
    return 0;
}

int conc_preempt_disabled(int exec)
{
    struct run_args a = {.exec = exec};
    return check_in_child("preempt-disabled section", pd_child, &a, 60);
}

/* ---- the stress: libc and libyl under a 20 µs quantum ---------------------- */

#define STRESS_TASKS 8
static struct {
    uint64_t deadline_ns;
    yl_mutex m;
    uint64_t shared;                       /* under m */
    uint64_t mine[STRESS_TASKS];           /* each task's own count of it */
    _Atomic uint64_t spawned, children, bad;
} ss;

static void stress_child(void *arg)
{
    (void)arg;
    atomic_fetch_add(&ss.children, 1);
}

static uint64_t spin_some(uint64_t x, int n)
{
    for (int i = 0; i < n; i++)
        x = x * 6364136223846793005u + 1442695040888963407u;
    return x;
}

static void stress_task(void *arg)
{
    int me = (int)(intptr_t)arg;
    uint64_t x = (uint64_t)me + 1;
    char buf[64], want[64];
    for (uint64_t i = 0; clock_ns() < ss.deadline_ns; i++) {
        x = spin_some(x, 200);
        size_t n = 1 + (x >> 33) % 2048;
        unsigned char *p = malloc(n);
        if (!p) {
            atomic_fetch_add(&ss.bad, 1);
            continue;
        }
        memset(p, me, n);
        snprintf(buf, sizeof buf, "task %d round %llu %s", me, (unsigned long long)i, "ok");
        x = spin_some(x, 100);
        if (p[0] != me || p[n - 1] != me)
            atomic_fetch_add(&ss.bad, 1);
        free(p);
        /* the same line, built by hand: snprintf's must match it */
        int len = 5;
        memcpy(want, "task ", 5);
        want[len++] = (char)('0' + me);
        memcpy(want + len, " round ", 7), len += 7;
        char digits[24];
        int d = 0;
        uint64_t v = i;
        do
            digits[d++] = (char)('0' + v % 10);
        while ((v /= 10));
        while (d)
            want[len++] = digits[--d];
        memcpy(want + len, " ok", 4);
        if (strcmp(buf, want) != 0)
            atomic_fetch_add(&ss.bad, 1);
        yl_mutex_lock(&ss.m);
        uint64_t s = ss.shared;
        x = spin_some(x, 50); /* preempted while holding it: the others wait */
        ss.shared = s + 1;
        ss.mine[me]++;
        yl_mutex_unlock(&ss.m);
        if (i % 16 == 0)
            yl_sleep_us(x % 50);
        if (i % 64 == 0) {
            yl_task *c = yl_spawn("child", stress_child, NULL);
            if (c) {
                atomic_fetch_add(&ss.spawned, 1);
                yl_join(c);
            }
        }
    }
}

static void stress_main(void *arg)
{
    (void)arg;
    yl_task *t[STRESS_TASKS];
    for (int i = 0; i < STRESS_TASKS; i++)
        t[i] = yl_spawn("stress", stress_task, (void *)(intptr_t)i);
    for (int i = 0; i < STRESS_TASKS; i++)
        yl_join(t[i]);
}

static int stress_run(void *arg)
{
    struct run_args *a = arg;
    yl_mutex_init(&ss.m, YL_FIFO);
    ss.deadline_ns = clock_ns() + (uint64_t)a->seconds * 1000000000u;
    yl_config c = {.exec = (enum yl_exec)a->exec, .workers = a->workers, .preempt_us = 20};
    if (yl_run(&c, stress_main, NULL) != 0)
        return 1;
    uint64_t sum = 0;
    for (int i = 0; i < STRESS_TASKS; i++)
        sum += ss.mine[i];
    yl_stats st = yl_get_stats();
    if (ss.shared != sum || atomic_load(&ss.children) != atomic_load(&ss.spawned) ||
        atomic_load(&ss.bad) || st.preemptions == 0) {
        fprintf(stderr, "shared %llu, sum %llu; children %llu of %llu; %llu corrupted; "
                "%llu preemptions\n", (unsigned long long)ss.shared, (unsigned long long)sum,
                (unsigned long long)atomic_load(&ss.children),
                (unsigned long long)atomic_load(&ss.spawned),
                (unsigned long long)atomic_load(&ss.bad), (unsigned long long)st.preemptions);
        return 1;
    }
    return 0;
}

int conc_preempt_stress(int exec, int workers, int seconds)
{
    struct run_args a = {.exec = exec, .workers = workers, .seconds = seconds};
    return check_in_child("preempt stress", stress_run, &a, seconds + 20);
}

int conc_preempt_stress_seconds(void)
{
    const char *s = getenv("YL_PREEMPT_STRESS_S");
    int v = s ? atoi(s) : 0;
    return v > 0 ? v : 1;
}
