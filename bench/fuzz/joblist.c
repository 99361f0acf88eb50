/* joblist.c - libFuzzer target: OSTEP's job-list notations as the sched
 * programs and yl-predict read them (bench/joblist.c), then the textbook
 * schedule of every list that parses (bench/predict.c).
 * fuzz-covers: bench/joblist.c
 *
 * The first byte picks the parser (--jobs, --jlist, a per-job list).
 * Checked besides the sanitizers: a list that parses has 1..JL_MAX jobs
 * whose values are in range; one that does not leaves a message; every
 * parsed list's prediction ends each job after its start and its run. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "joblist.h"
#include "predict.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 4096)
        return 0;
    char *text = malloc(size);
    if (!text)
        return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = 0;
    struct joblist l;
    char err[160] = "";
    int rc;
    if (data[0] % 3 == 2) {
        long v[JL_MAX];
        rc = jl_parse_ints(text, 3, -20, 19, v, err, sizeof err);
        if (rc == 0)
            for (int i = 0; i < 3; i++)
                if (v[i] < -20 || v[i] > 19)
                    abort();
        if (rc != 0 && !err[0])
            abort();
        free(text);
        return 0;
    }
    rc = data[0] % 3 ? jl_parse_jlist(text, &l, err, sizeof err)
                     : jl_parse_jobs(text, &l, err, sizeof err);
    free(text);
    if (rc != 0) {
        if (!err[0])
            abort(); /* a refusal says why */
        return 0;
    }
    if (l.n < 1 || l.n > JL_MAX)
        abort();
    uint64_t total = 0;
    for (size_t i = 0; i < l.n; i++) {
        if (l.j[i].run < 1 || l.j[i].run > JL_UNITS_MAX || l.j[i].start > JL_UNITS_MAX)
            abort();
        total += l.j[i].run + l.j[i].start;
    }
    if (total > 20000)
        return 0; /* the prediction steps unit by unit: keep runs short */
    struct jl_params p = {.quantum = 3, .queues = 3, .quanta = {1, 2, 4}, .allotment = 1,
                          .io_time = 2, .boost = 7};
    for (int pol = PRED_FIFO; pol <= PRED_STRIDE; pol++) {
        struct prediction pr;
        if (predict(&l, &p, (enum pred_policy)pol, &pr) != 0)
            return 0;
        for (size_t i = 0; i < l.n; i++)
            if (pr.job[i].end < l.j[i].start + l.j[i].run || pr.job[i].first < l.j[i].start)
                abort();
        pred_free(&pr);
    }
    return 0;
}
