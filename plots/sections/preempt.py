"""Preemption in libyl: preempt rows (tasks cost: ns_per_preempt,
ns_per_preempt_min, preemptions; tasks yield: ns_per_switch; threads
kernel: ns_per_preempt; tasks slowdown: cpu_ms, elapsed_ms, slowdown_pct
per variant qNus/off) and the lag rows of preemptive task runs (variant
EXEC-qNus) beside the cooperative ones."""
from reportlib import Results, data_number, figure, fmt, fmt_row, md_table

INTRO = """With `--preempt-us Q` (`YL_PREEMPT_US`) libyl takes the CPU from a task
whose unit has run for Q: a monitor thread signals the worker, and the
handler turns the interrupted instruction into a call of an entry that
saves every register, yields, and later returns to it (runtime/yl/
preempt.c). The cost of one such preemption is measured as the gap between
the last instruction of one spinning task and the first of the next
(tasks/preempt), the same way for two threads the kernel switches on one
CPU (threads/preempt) and for a yield. The minimum is the cost itself; the
median also holds whatever else the machine ran in between.

"""

WHY = """Why safe points. A signal can land anywhere, also inside `malloc` holding the
heap's lock or inside libyl holding a run-queue spinlock. Switched out
there, the task keeps the lock, and the next task on that thread that
wants it waits forever (glibc's stdio locks are recursive per thread: that
task would walk into a half-written `FILE` instead). Go met the same
problem when it made goroutines preemptible (1.14): its signal handler
checks that the PC is at an *async safe point* — not in the runtime, not
in assembly that keeps pointers where the collector cannot see them — and
otherwise lets the goroutine run on until the next try. libyl checks that
the PC lies in the program's own code, outside its own `yl_text` section
and outside libc, and honours `yl_preempt_disable`. The kernel needs no
such PC check: its critical sections raise `preempt_count` (or disable
interrupts), and it preempts only on the way back from an interrupt, or at
the `preempt_enable` that brings the count to zero, when no lock of its
own can be held.

"""


def cost_rows(res: Results):
    rows = []
    for label, where in [("yield (tasks)", dict(model="tasks", variant="yield", metric="ns_per_switch")),
                         ("preemption (tasks, libyl's signal)", dict(model="tasks", metric="ns_per_preempt")),
                         ("involuntary switch (threads, the kernel)",
                          dict(model="threads", variant="kernel", metric="ns_per_preempt"))]:
        found = res.rows(experiment="preempt", **where)
        if not found:
            continue
        median = found[0]
        low = res.rows(experiment="preempt", model=median.model, variant=median.variant,
                       metric=median.metric + "_min")
        # A yield is shorter than the cycle counter's step on some guests:
        # its minimum says nothing there (pingpong measures it properly).
        rows.append((label, median, low[0] if low and median.variant != "yield" else None))
    return rows


def lag_rows(res: Results):
    """(label, {metric: row}) of tasks/single, its preemptive variants, threads on one core."""
    out = []
    for row in res.rows(experiment="lag", metric="lateness_p99_ms"):
        if row.model == "tasks" and row.variant.startswith("single") and "wheel" not in row.variant:
            label = "tasks, cooperative" if row.variant == "single" else \
                f"tasks, Q = {fmt(float(row.variant.split('-q')[1].removesuffix('us')), 'us')}"
        elif row.model == "threads" and "+" not in row.cpus:
            label = "threads, one core"
        else:
            continue
        metrics = {r.metric: r for r in res.rows(experiment="lag", model=row.model, variant=row.variant,
                                                   cpus=row.cpus)}
        out.append((label, metrics))
    return out


def render(res: Results) -> str:
    costs = cost_rows(res)
    lags = [entry for entry in lag_rows(res) if entry[0].startswith("tasks, Q")]
    slow = res.rows(experiment="preempt", metric="slowdown_pct")
    if not costs and not lags and not slow:
        return ""
    text = "## Preemption in libyl\n\n" + INTRO
    if costs:
        text += md_table(["switch", "median", "min"],
                         [[label, fmt_row(median), fmt_row(low)] for label, median, low in costs])
    if slow:
        body = []
        for row in slow:
            cpu = res.rows(experiment="preempt", variant=row.variant, metric="cpu_ms")
            quantum = fmt(float(row.variant.removeprefix("q").removesuffix("us")), "us")
            body.append([quantum, fmt_row(cpu[0] if cpu else None),
                         f"{row.value:+.2f} %"])
        off = res.rows(experiment="preempt", variant="off", metric="cpu_ms")
        body.append(["off", fmt_row(off[0] if off else None), "-"])
        text += ("CPU-bound work (two tasks, a fixed number of multiplications each) with each"
                 " quantum and without preemption, in turns: CPU time of the whole process,"
                 " the monitor thread and the signals included.\n\n")
        text += md_table(["quantum", "CPU time (median)", "slowdown"], body)
    entries = lag_rows(res)
    if lags:
        data = ["# label p50_ms p99_ms max_ms"]
        body = []
        for label, m in entries:
            body.append([label] + [fmt_row(m.get(k)) for k in
                                   ("lateness_p50_ms", "lateness_p99_ms", "lateness_max_ms")])
            data.append(f'"{label}" ' + " ".join(data_number(m[k].value) if k in m else "?"
                                                for k in ("lateness_p50_ms", "lateness_p99_ms",
                                                          "lateness_max_ms")))
        text += ("The lag experiment on one core, the hog now cut every Q: the ticker waits for"
                 " the rest of a slice, not of a burst (its p50 near Q/2 when Q is several"
                 " ticks long, near zero at Q = 1 ms, whose slices end about when the next tick"
                 " falls due), beside the cooperative tasks and the kernel's threads.\n\n")
        text += md_table(["run", "lateness p50", "p99", "max"], body)
        text += figure(res, "preempt", "\n".join(data) + "\n",
                       "the ticker's lateness next to a hog, on one core: tasks cooperative, tasks"
                       " preempted every Q, threads; log scale. The timeline of the traced"
                       " Q = 1 ms run is in the previous section (timeline-lag-single-q1000us).")
    return text + WHY
