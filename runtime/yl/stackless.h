/* stackless.h - tasks without a stack: a frame struct and a poll function,
 * which is what a compiler turns an `async fn` into (Rust, C#, Kotlin).
 *
 * A stackful task keeps its locals on a stack of its own (64 KiB reserved,
 * a page or two touched). A stackless task keeps only what must survive a
 * yield point, in a struct you can sizeof:
 *
 *     struct bar_frame  { yl_pc pc; };                        2 bytes
 *     struct foo1_frame { yl_pc pc; struct bar_frame bar; };  4 bytes
 *
 * `pc` says where to resume; a callee that is awaited lives inside its
 * caller's frame, nested, as the compiler nests futures. Nothing else is
 * needed: sleeping, waiting for a wait group, a mutex or another task use
 * the timer link and the wait-list link of the task header, one per task,
 * since a task waits for one thing at a time.
 *
 * What one task costs: YL_TASK_HEADER_BYTES (48: the run-queue link
 * sharing its words with the timer node, the deadline, the def, id, state,
 * flags; who joins it lives in a side table) + the frame, rounded up to 8
 * bytes (16 for a frame that needs 16-byte alignment), in one slab object
 * (yl_sl_task_bytes): 56 bytes for foo's tasks. No stack, no guard page,
 * no mapping.
 *
 * Writing one: the poll function is called each time the task may make
 * progress, on the worker's own stack, and returns YL_PENDING (call me
 * again once woken) or YL_READY (finished):
 *
 *     static yl_poll bar_poll(struct bar_frame *f)
 *     {
 *         YL_BEGIN(f);
 *         puts("bar start");
 *         YL_AWAIT(f, yl_sl_sleep_ms(2));
 *         puts("bar end");
 *         YL_END(f);
 *     }
 *
 * The rules that a compiler would enforce for you:
 *   - locals of the poll function do not survive an YL_AWAIT: what is
 *     needed after one lives in the frame;
 *   - an awaited callee's frame is set up before the first YL_AWAIT of it
 *     (`f->bar = (struct bar_frame){0};`), as calling an async fn builds
 *     its future, and read after it (results are fields of its frame);
 *   - at most one YL_AWAIT per source line, none inside a `switch` of your
 *     own (the macros are one switch on pc, protothreads-style);
 *   - wait only through YL_AWAIT of a yl_sl_* awaitable; yl_read/yl_write
 *     and the yl_file_* calls keep state on the stack and refuse stackless
 *     callers.
 */
#ifndef YL_STACKLESS_H
#define YL_STACKLESS_H

#include <stddef.h>
#include <stdint.h>

#include "yl.h"

typedef enum yl_poll { YL_PENDING = 0, YL_READY = 1 } yl_poll;

/* Where a frame resumes: 0 before the first poll, then a source line. */
typedef uint16_t yl_pc;
#define YL_PC_DONE UINT16_MAX

/* The top-level poll function of a task, given its frame. */
typedef yl_poll (*yl_poll_fn)(void *frame);

/* What the compiler knows about an async fn: its name (for traces), its
 * poll function and the size of its frame. Define one per kind of task. */
typedef struct yl_sl_def {
    const char *name;
    yl_poll_fn poll;
    size_t frame_size;
    size_t frame_align;   /* _Alignof the frame (0: unknown, taken as 16) */
} yl_sl_def;

#define YL_SL_DEF(var, name, poll, frame_type) \
    const yl_sl_def var = {(name), (poll), sizeof(frame_type), _Alignof(frame_type)}

/* Bytes of every task's header (a stackful one adds its control block). */
#define YL_TASK_HEADER_BYTES 48

/* One field of the task header, for showing its layout (foo --sizes). */
typedef struct yl_field {
    const char *name;
    size_t offset, size;
    const char *what;
} yl_field;

/* The header's fields in offset order; *n gets their count. Fields that
 * share bytes (the links, see runtime/yl/internal.h) come one per line. */
const yl_field *yl_task_layout(size_t *n);
/* Header plus frame are rounded up to this, when the frame's alignment is
 * at most this; to YL_SL_ALIGN_MAX for a frame that needs more (a long
 * double, max_align_t), whose task then sits on a 16-byte boundary. */
#define YL_SL_ALIGN 8
#define YL_SL_ALIGN_MAX 16

/* Creates a lazy stackless task (it runs only when started or joined)
 * whose frame is a copy of init (frame_size bytes; zeroes when init is
 * NULL). NULL when out of memory. Must be called from inside a task. */
yl_task *yl_sl_new(const yl_sl_def *def, const void *init);

/* yl_sl_new + yl_start: an eager task; pass the handle to yl_join,
 * yl_sl_join or yl_detach. NULL when out of memory. */
yl_task *yl_sl_spawn(const yl_sl_def *def, const void *init);

/* Spawn and forget. 0, or -1 when out of memory. */
int yl_sl_go(const yl_sl_def *def, const void *init);

/* The frame of a stackless task (what its poll function gets). */
void *yl_sl_frame(yl_task *t);

/* What one task of this kind takes in memory: header + frame, rounded. */
size_t yl_sl_task_bytes(const yl_sl_def *def);

/* --- awaitables: use only as YL_AWAIT(f, ...) -------------------------- */

/* Ready once ms (us) have passed, or at once when the task is cancelled
 * (yl_cancelled() then says so). */
yl_poll yl_sl_sleep_ms(uint64_t ms);
yl_poll yl_sl_sleep_us(uint64_t us);

/* Pending once: lets every task ready now run first. */
yl_poll yl_sl_yield(void);

/* Ready when the wait group's counter is zero. */
yl_poll yl_sl_wg_wait(yl_wg *wg);

/* Ready when the mutex has been handed to this task. */
yl_poll yl_sl_mutex_lock(yl_mutex *m);

/* Ready when t has finished (starting it if lazy); then frees the handle. */
yl_poll yl_sl_join(yl_task *t);

/* --- the macros -------------------------------------------------------- */

/* Aborts on a pc the function never set: a frame not zeroed. */
_Noreturn void yl__sl_bad_pc(const char *fn, unsigned pc);

#define YL_BEGIN(f)     \
    switch ((f)->pc) {  \
    case 0:

/* Polls expr (a yl_poll) until it is ready; returns YL_PENDING meanwhile,
 * and comes back to this very line at the next poll. */
#define YL_AWAIT(f, expr)                                                \
    do {                                                                 \
        _Static_assert(__LINE__ < YL_PC_DONE, "file too long for yl_pc"); \
        (f)->pc = __LINE__;                                              \
        __attribute__((fallthrough));                                    \
    case __LINE__:                                                       \
        if ((expr) == YL_PENDING)                                        \
            return YL_PENDING;                                           \
    } while (0)

#define YL_YIELD(f) YL_AWAIT(f, yl_sl_yield())

/* Finishes now (an early return). */
#define YL_RETURN(f)             \
    do {                         \
        (f)->pc = YL_PC_DONE;    \
        return YL_READY;         \
    } while (0)

#define YL_END(f)                                \
        (f)->pc = YL_PC_DONE;                    \
        __attribute__((fallthrough));            \
    case YL_PC_DONE:                             \
        return YL_READY;                         \
    default:                                     \
        yl__sl_bad_pc(__func__, (unsigned)(f)->pc); \
    }                                            \
    return YL_READY

#endif
