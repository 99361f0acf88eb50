"""The cost of a switch: time per switch for each model and variant, one
core against two (pingpong rows ns_per_switch), the threads-to-tasks
and procs-to-threads ratios, and yield/raw and raw/boost (pingpong tasks
rows, per_raw_switch and per_boost_switch where the run paired them)."""
from reportlib import Results, figure, fmt, is_cross, is_one_core, spread_columns

TEXT = """Two units hand a turn back and forth; the time of many round trips divided
by the switches counted gives the cost of one switch.

- A **task** switch is a function call into a few instructions of
  assembly: save the callee-saved registers, swap the stack pointer,
  restore. `raw` is that switch alone, the floor nothing can beat; `yield`
  adds our scheduler (put the task on the run queue, pick the next one).
  The kernel is never entered.
- A **thread** switch has to go through the kernel: the waiting thread
  blocks in a system call (`futex` wait, or `read` on a `pipe`), the other
  wakes it with another system call, and the scheduler picks who runs.
  Each entry into the kernel and back costs hundreds of cycles on its own
  (more since the Meltdown and Spectre mitigations), before any work is
  done.
- A **process** switch is the same plus a change of address space: the
  CPU loads the other process's page tables, and TLB entries that are not
  tagged for it are lost.
- On **two cores** every hand-off must wake a unit that sleeps on the other
  CPU: an inter-processor interrupt, and the other CPU climbing out of
  idle. On one core the sleeper is simply the next to run, so it is
  usually the cheaper case.

"""


def switch_data(rows) -> str:
    """One line per model/variant: same-core and cross-core median, min, max."""
    runs: dict[str, dict] = {}
    for row in rows:
        where = runs.setdefault(f"{row.model}/{row.variant}", {})
        if row.cpus != "-":
            where["cross" if is_cross(row) else "same"] = row
    lines = ["# model/variant same_ns lo hi cross_ns lo hi"]
    for name, where in runs.items():
        lines.append(f"{name} {spread_columns(where.get('same'))} {spread_columns(where.get('cross'))}")
    return "\n".join(lines) + "\n"


def first_value(rows, model, variant=None):
    """The first one-core row of model (and variant), None without one."""
    for row in rows:
        if row.model == model and (variant is None or row.variant == variant):
            return row
    return None


def models_compared(rows) -> str:
    one_core = [row for row in rows if is_one_core(row)]
    raw, tasks = first_value(one_core, "tasks", "raw"), first_value(one_core, "tasks")
    threads, procs = first_value(one_core, "threads"), first_value(one_core, "procs")
    if not threads or not (raw or tasks):
        return ""
    if raw:
        text = (f"On this machine a threads/{threads.variant} switch on one core took {fmt(threads.value, 'ns')}, "
                f"{threads.value / raw.value:.0f} times the raw task switch ({fmt(raw.value, 'ns')}).")
    else:
        text = (f"On this machine a threads/{threads.variant} switch on one core took {fmt(threads.value, 'ns')}, "
                f"{threads.value / tasks.value:.0f} times a tasks/{tasks.variant} switch ({fmt(tasks.value, 'ns')}).")
    if procs:
        ratio = procs.value / threads.value
        if ratio >= 1.1:
            text += (f" A procs/{procs.variant} switch took {fmt(procs.value, 'ns')}, {ratio:.1f} times the thread one:"
                     " the price of the change of address space.")
        else:
            text += (f" A procs/{procs.variant} switch took {fmt(procs.value, 'ns')}, no more than the thread one"
                     f" ({ratio:.2f} times): here the change of address space is lost in the cost of the kernel"
                     " path and in the noise between runs.")
    return text + "\n\n"


def switch_ratios(res: Results) -> str:
    """yield / raw and raw / boost, from the same pingpong runs (one
    process measures all its variants, so each pair shares a machine state)."""
    rows = [row for row in res.rows(experiment="pingpong", model="tasks") if not is_cross(row)]
    medians = {}
    for row in rows:
        if row.metric == "ns_per_switch":
            medians.setdefault(row.variant, row.value)
    yield_per_raw = next((row.value for row in rows if row.metric == "per_raw_switch"), None)
    raw_per_boost = next((row.value for row in rows if row.metric == "per_boost_switch"), None)
    paired = yield_per_raw is not None
    if yield_per_raw is None and medians.get("yield", 0) > 0 and medians.get("raw", 0) > 0:
        yield_per_raw = medians["yield"] / medians["raw"]
    if raw_per_boost is None and medians.get("raw", 0) > 0 and medians.get("boost", 0) > 0:
        raw_per_boost = medians["raw"] / medians["boost"]
    if yield_per_raw is None:
        return ""
    text = (f"**The scheduler against the bare switch:** a yield (task, scheduler, task: two bare switches and the"
            f" run queue) took {fmt(medians.get('yield'), 'ns')}, {yield_per_raw:.2f} times the bare switch"
            f" ({fmt(medians.get('raw'), 'ns')})")
    if raw_per_boost is not None:
        text += (f"; the bare switch took {raw_per_boost:.2f} times Boost.Context's jump_fcontext"
                 f" ({fmt(medians.get('boost'), 'ns')})")
    if paired:
        return text + (". Each ratio is the median over the runs of the ratio within one pingpong run (the variants"
                       " measured side by side in one process); the times are the medians of each variant.\n\n")
    return text + ". Ratios of the medians of the same pingpong runs.\n\n"


def render(res: Results) -> str:
    rows = res.rows(experiment="pingpong", metric="ns_per_switch")
    if not rows:
        return ""
    raw = first_value([row for row in rows if not is_cross(row)], "tasks", "raw")
    text = "## The cost of a switch\n\n" + figure(
        res, "switch", switch_data(rows), "time per switch for each model and variant, one core vs two, log scale;"
        " the dashed line is the raw user-space switch.", variables={"floor": raw.value if raw else 0})
    return text + TEXT + models_compared(rows) + switch_ratios(res)

