/* preempt.c - taking the CPU away from a unit that never yields.
 *
 * The monitor thread (monitor.c) sees a stackful unit run past its quantum
 * and sends its worker thread a signal. The handler below does not switch
 * stacks inside the signal frame (the kernel's frame must be returned
 * through, and the interrupted code's registers live in it): it decides
 * whether the interrupted instruction is a safe point and, if so, rewrites
 * the saved context so that, once the handler returns, the task "calls"
 * yl__preempt_entry (preempt_<arch>.S): the interrupted PC is pushed on the
 * task's own stack like a return address and the PC set to the entry. The
 * entry saves every register, calls yl__preempt_yield, which switches the
 * task out through the ordinary scheduler path, and when the task is
 * resumed (on any worker) restores them all and returns to the
 * interrupted instruction. Go 1.14's asyncPreempt works the same way.
 *
 * Safe points. A unit is cut only where it holds no lock of libyl or of
 * libc, because the task that runs next on the same thread could want the
 * same lock (a deadlock: the holder is switched out) or, with glibc's
 * recursive stdio locks, walk straight into a half-updated FILE. So the
 * interrupted PC must lie in the program's own code:
 *   - not libyl: its objects are built with their .text renamed to the
 *     section yl_text (runtime/yl/build.mk), which the linker keeps apart
 *     and brackets with __start_yl_text / __stop_yl_text;
 *   - not libc, in either build: the program's own code is
 *     [_start, yl__user_text_end). _start opens the .text of crt1.o, the
 *     first object linked; the marker yl__user_text_end (preempt_<arch>.S)
 *     is pulled in with libyl.a, which every link line names after the
 *     program's objects and libbench.a and before the C library. In the
 *     dynamic build libc, libpthread, the vDSO and the sanitizers' runtimes
 *     are other mappings, outside that range anyway; in the STATIC=1 build
 *     libc.a's members are linked after libyl.a, so past the marker. The
 *     range is checked when preemption is set up: libc's malloc and
 *     snprintf and libyl's own functions must all lie outside it.
 * A task may also forbid it, nested: yl_preempt_disable/enable, a count
 * that travels with the task (the kernel's preempt_count). A signal that
 * finds no safe point does nothing; the monitor sends another a little
 * later, as the kernel preempts on a later tick.
 *
 * Stackless tasks are never preempted: their poll function runs on the
 * worker's own stack and keeps its state in the frame only at YL_AWAIT;
 * cut anywhere else there is no stack to come back to. The monitor counts
 * their overruns instead (yl_stats.preempt_stackless).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include "internal.h"
#include "preempt.h"
#include "san.h"

/* The code ranges (see the top of the file). Weak: a program linked some
 * other way has none of them, and preemption then refuses to start. */
extern const char __start_yl_text[] __attribute__((weak));
extern const char __stop_yl_text[] __attribute__((weak));
extern const char _start[] __attribute__((weak));
extern const char yl__user_text_end[]; /* preempt_<arch>.S */

struct yl_code_ranges yl__code;

static struct sigaction old_action; /* one runtime at a time (sched.c) */
static stack_t old_altstack;        /* the yl_run caller's, given back at the end */
static size_t stack_need;           /* bytes the entry needs below the stack pointer */

#define ALTSTACK_BYTES (64 * 1024)  /* the signal frame (xsave: ~3 KiB with
                                     * AVX-512) and the handler, sanitizers too */

/* Whether the code at pc may be cut. LAB 09: the safe-point check. */
YL_PREEMPT_HANDLER_ATTRS bool yl__pc_preemptible(const struct yl_code_ranges *c, uintptr_t pc)
{
#ifndef YL_HANDOUT_LAB09
    if (pc >= c->libyl_lo && pc < c->libyl_hi)
        return false; /* the runtime itself: its spinlocks, its queues */
    return pc >= c->user_lo && pc < c->user_hi; /* else libc, the vDSO, ... */
#else
    /* LAB 09: true only when pc lies in the program's own code
     * [user_lo, user_hi) and not in libyl's [libyl_lo, libyl_hi). */
    (void)c, (void)pc;
    return true;
#endif
}

/* The signal handler, on the worker's signal stack (sigaltstack): the
 * kernel's frame is there, so the task's stack below its stack pointer is
 * free to write. Reads only the thread's own worker; no libc call. */
YL_PREEMPT_HANDLER_ATTRS static void on_signal(int sig, siginfo_t *si, void *ucv)
{
    (void)sig, (void)si;
    struct yl_worker *w = yl__tls_worker;
    if (!w || !w->preempt)
        return;
    /* Still the unit the monitor meant? The signal may arrive after it
     * ended: the next unit is not to be cut for its predecessor's sake. */
    uint64_t seq = atomic_load_explicit(&w->pre_seq, memory_order_relaxed);
    if (!(seq & 1) || atomic_load_explicit(&w->pre_target, memory_order_relaxed) != seq)
        return;
    yl_task *t = w->current;
    if (!t || t->kind != YL_STACKFUL)
        return;
    struct yl_fiber *f = yl__fiber(t);
    uintptr_t lo = (uintptr_t)f->stack_lo, hi = lo + f->stack_size;
    uintptr_t here = (uintptr_t)&lo;
    uintptr_t pc = yl__uc_pc(ucv), sp = yl__uc_sp(ucv);
    /* Run on the task's own stack, this is no kernel delivery (TSan hands a
     * deferred signal over later, with a copy of the context): decline. */
    bool ok = here < lo || here >= hi;
    ok = ok && yl__pc_preemptible(&yl__code, pc);
    ok = ok && sp >= lo + stack_need && sp <= hi;
    if (ok && f->preempt_off) {
        atomic_store_explicit(&f->preempt_pending, 1, memory_order_relaxed);
        ok = false;
    }
    if (!ok) {
        atomic_fetch_add_explicit(&w->preempt_deferred, 1, memory_order_relaxed);
        return;
    }
    atomic_store_explicit(&w->pre_target, 0, memory_order_relaxed); /* once per unit */
    yl__uc_push_call(ucv, (uintptr_t)yl__preempt_entry);
}

/* The task's unit ends here, cut: requeued like a yield, but flagged. The
 * trip that follows looks at the timers and fds first, as the kernel's
 * tick does: a preemption is how a due timer gets its turn while a hog
 * runs (the loop would otherwise look only every YL_CHECK_EVERY units). */
static void switch_out_preempted(struct yl_worker *w, struct yl_fiber *f)
{
    w->preemptions++;
    w->until_check = 1;
    f->t.run_flags |= YL_R_PREEMPTED;
    f->t.state = YL_TASK_READY;
    yl__switch_out(f);
    f->t.run_flags &= (uint8_t)~YL_R_PREEMPTED;
}

/* Called by yl__preempt_entry with every register of the interrupted code
 * saved on the task's stack: the task goes back through the same path as
 * a yield, marked preempted for the policy that requeues it. */
void yl__preempt_yield(void)
{
    struct yl_worker *w = yl__worker();
    switch_out_preempted(w, yl__fiber(w->current));
}

void yl_preempt_disable(void)
{
    struct yl_worker *w = yl__worker();
    yl_task *t = w ? w->current : NULL;
    if (!t || t->kind != YL_STACKFUL)
        return;
    yl__fiber(t)->preempt_off++;
    atomic_signal_fence(memory_order_seq_cst); /* counted before the section runs */
}

void yl_preempt_enable(void)
{
    struct yl_worker *w = yl__worker();
    yl_task *t = w ? w->current : NULL;
    if (!t || t->kind != YL_STACKFUL)
        return;
    struct yl_fiber *f = yl__fiber(t);
    if (f->preempt_off == 0) {
        yl__err("yl_preempt_enable in task %s without a yl_preempt_disable", f->name);
        abort();
    }
    atomic_signal_fence(memory_order_seq_cst); /* the section ran before this */
    if (--f->preempt_off == 0 &&
        atomic_exchange_explicit(&f->preempt_pending, 0, memory_order_relaxed)) {
        /* The kernel's preempt_enable does the same: the preemption that
         * fell due inside the section happens at its end. */
        switch_out_preempted(w, f);
    }
}

void yl__preempt_set_slice(struct yl_worker *w, uint64_t slice_ns)
{
    w->slice_next_ns = slice_ns;
}

void yl__preempt_require(struct yl_rt *rt, uint64_t slice_ns)
{
    if (!rt->preempt_ns)
        rt->preempt_ns = slice_ns;
}

/* The ranges, and the checks that the link put libc and libyl outside
 * the program's own code (see the top of the file). */
static int find_ranges(void)
{
    struct yl_code_ranges c = {
        .user_lo = (uintptr_t)_start, .user_hi = (uintptr_t)yl__user_text_end,
        .libyl_lo = (uintptr_t)__start_yl_text, .libyl_hi = (uintptr_t)__stop_yl_text};
    if (!c.user_lo || !c.libyl_lo || c.user_lo >= c.user_hi || c.libyl_lo >= c.libyl_hi) {
        yl__err("preemption: the program's code ranges are missing (link libyl.a after "
                "the program's objects, from its own build: see runtime/yl/build.mk)");
        return -1;
    }
    struct { const char *name; uintptr_t pc; bool want; } probe[] = {
        {"malloc", (uintptr_t)&malloc, false},
        {"snprintf", (uintptr_t)&snprintf, false},
        {"pthread_mutex_lock", (uintptr_t)&pthread_mutex_lock, false},
        {"yl_yield", (uintptr_t)&yl_yield, false},
        {"yl__preempt_entry", (uintptr_t)&yl__preempt_entry, false},
    };
    for (size_t i = 0; i < sizeof probe / sizeof probe[0]; i++) {
        bool in = probe[i].pc >= c.user_lo && probe[i].pc < c.user_hi &&
                  !(probe[i].pc >= c.libyl_lo && probe[i].pc < c.libyl_hi);
        if (in != probe[i].want) {
            yl__err("preemption: %s lies inside the program's own code: libyl.a must be "
                    "linked after the program and before the C library", probe[i].name);
            return -1;
        }
    }
    yl__code = c;
    return 0;
}

int yl__preempt_setup(struct yl_rt *rt)
{
    if (!rt->preempt_ns)
        return 0;
    if (find_ranges() != 0)
        return -1;
    stack_need = yl__preempt_frame_bytes() + 4096; /* + the switch-out's C frames */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    if (sigaction(YL_PREEMPT_SIGNAL, &sa, &old_action) != 0) {
        yl__err("preemption: cannot install the signal handler: %s", strerror(errno));
        return -1;
    }
    for (int i = 0; i < rt->nworkers; i++)
        rt->w[i].preempt = true;
    return 0;
}

void yl__preempt_teardown(struct yl_rt *rt)
{
    yl__monitor_free(rt);
    if (!rt->w[0].preempt)
        return;
    sigaction(YL_PREEMPT_SIGNAL, &old_action, NULL);
}

int yl__preempt_thread_start(struct yl_worker *w)
{
    if (!w->preempt)
        return 0;
    atomic_store(&w->tid, (int)gettid());
    void *p = mmap(NULL, ALTSTACK_BYTES, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (p == MAP_FAILED) {
        yl__err("worker %d: no memory for its signal stack: %s", w->index, strerror(errno));
        return -1;
    }
    stack_t ss = {.ss_sp = p, .ss_size = ALTSTACK_BYTES};
    if (sigaltstack(&ss, w->index == 0 ? &old_altstack : NULL) != 0) {
        yl__err("worker %d: cannot set its signal stack: %s", w->index, strerror(errno));
        munmap(p, ALTSTACK_BYTES);
        return -1;
    }
    w->altstack = p;
    return 0;
}

void yl__preempt_thread_stop(struct yl_worker *w)
{
    if (!w->altstack)
        return;
    /* The caller of yl_run gets its own back; a worker thread, none. */
    stack_t off = {.ss_flags = SS_DISABLE};
    sigaltstack(w->index == 0 ? &old_altstack : &off, NULL);
    atomic_store(&w->tid, 0);
    munmap(w->altstack, ALTSTACK_BYTES);
    w->altstack = NULL;
}
