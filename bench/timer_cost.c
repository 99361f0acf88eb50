/* timer_cost.c - libyl's timer structures measured on their own: no
 * worker, no tasks running, only n task headers armed and expired, so the
 * figures are the wheel's and the heap's and nothing else's. A
 * measurement, so it lives in bench/; it reaches into the runtime's
 * private header because what it times is private to the runtime.
 *
 * The pattern is the spawn experiment's: n tasks armed one after the
 * other over spread_ms, each to sleep sleep_ms, so deadlines come in arm
 * order (the heap's easy case: a new key never climbs); shuffled, they
 * come in random order. Expiry lets a simulated clock run in 1 ms steps
 * past the last deadline, taking out what is due at each step, as the
 * worker does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "timer_cost.h"

static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

int timer_cost_measure(enum yl_timers kind, uint64_t n, uint64_t sleep_ms, uint64_t spread_ms,
                  bool shuffled, double *insert_ns, double *expire_ns)
{
    if (n == 0)
        return -1;
    bool wheel = kind != YL_TIMERS_HEAP;
    yl_task *t = calloc(n, sizeof *t);
    uint64_t *deadline = malloc(n * sizeof *deadline);
    struct yl_wheel *wh = wheel ? malloc(sizeof *wh) : NULL;
    struct yl_timer_heap h = {0};
    if (!t || !deadline || (wheel && !wh)) {
        free(t);
        free(deadline);
        free(wh);
        return -1;
    }
    uint64_t t0 = yl__now_ns(), sleep = sleep_ms * 1000000u, spread = spread_ms * 1000000u;
    for (uint64_t i = 0; i < n; i++) /* arm i happens at t0 + i * spread / n */
        deadline[i] = t0 + sleep + (uint64_t)((double)spread * (double)i / (double)n);
    uint64_t seed = 0x9e3779b97f4a7c15u;
    if (shuffled) /* the same deadlines, in random arm order */
        for (uint64_t i = n - 1; i > 0; i--) {
            uint64_t j = rng_next(&seed) % (i + 1), x = deadline[i];
            deadline[i] = deadline[j];
            deadline[j] = x;
        }
    /* Every header is touched once first: the measurement is of the
     * structure, not of first-touch page faults on the headers. */
    memset(t, 0, n * sizeof *t);
    if (wheel)
        yl__wheel_init(wh, t0);

    int rc = 0;
    uint64_t a = yl__now_ns();
    for (uint64_t i = 0; i < n && rc == 0; i++) {
        if (wheel)
            yl__wheel_add(wh, &t[i], deadline[i], t0);
        else if (!yl__timer_add(&h, &t[i], deadline[i]))
            rc = -1;
    }
    uint64_t b = yl__now_ns();
    uint64_t got = 0, end = t0 + sleep + spread + 2 * YL_WHEEL_TICK_NS;
    for (uint64_t now = t0; now <= end && rc == 0; now += YL_WHEEL_TICK_NS) {
        if (wheel) {
            for (yl_task *x = yl__wheel_expire(wh, now, true); x; x = x->next)
                got++;
        } else {
            yl_task *x;
            while ((x = yl__timer_peek(&h)) && x->deadline_ns <= now) {
                yl__timer_pop(&h);
                got++;
            }
        }
    }
    uint64_t c = yl__now_ns();
    if (rc == 0 && got != n) {
        fprintf(stderr, "timer cost: %llu of %llu timers expired\n", (unsigned long long)got,
                (unsigned long long)n);
        rc = -1;
    }
    *insert_ns = (double)(b - a) / (double)n;
    *expire_ns = (double)(c - b) / (double)n;
    yl__timer_free(&h);
    if (wh)
        yl__wheel_destroy(wh);
    free(wh);
    free(deadline);
    free(t);
    return rc;
}
