"""The lost update: counter rows (final, lost, expected, units, workers,
elapsed_ms per model, fix and n) as a table and the share lost as a
figure; then who gets the lock next (counter rows wait_p50_ms,
wait_p99_ms, wait_max_ms, order_corr), the tasks' FIFO and LIFO locks
drawn side by side."""
from reportlib import Results, data_cell, data_number, figure, fmt_row, md_table, pivot

INTRO = """`counter` adds one to a shared number n times and then compares what it
finds with n. The file version keeps the number in a file: read it, add
one, write it back. The `--mem` version keeps it in memory, the article's
Go example. *Lost* is how many increments vanished because two units read
the same old value and both wrote back old + 1.

"""

LOST = """- **Tasks, no fix** lose almost everything, and always the same way. The
  read and the write of the file are yield points: with one worker every
  task runs its first unit (the read) before any task runs its second
  (the write), so all of them read 0 and the counter ends at 1. Nothing
  ran in parallel; the interleaving comes from the yield points alone.
- **Threads and processes, no fix** lose some of the updates, a different
  number every run: two units only collide when the kernel happens to run
  them at the same moment on two CPUs, or preempts one between its read
  and its write.
- **The fixes** all end at n: a lock held across the read and the write
  (`lock`, `mutex`, `flock`), appending one line per increment and
  counting lines (`append`: the kernel keeps each small append whole), an
  atomic add in memory (`atomic`), or, for tasks, plain blocking calls with
  no yield point in between (`sync`), which keeps the worker the whole
  time and so cannot interleave at all.
- **In memory** (`mem-`), tasks on one worker lose nothing without any
  fix: `counter += 1` contains no yield point, so one unit does the whole
  read-add-write. Threads and processes (sharing a `MAP_SHARED` page) lose
  updates, because there the load, the add and the store can be split by
  another CPU. Spread over several workers (`YL_EXEC=stealing
  YL_WORKERS=2`, a row with `workers` above 1), tasks really run in
  parallel as well, and lose updates just as threads do: the article's
  point about Go.

"""

WAIT = """Every task that wants the lock while another holds it joins a queue of
waiters; the two locks differ only in which waiter they wake when the lock
is released. The profiles start the tasks 50 µs apart (`--arrive-us 50`)
while each holds the lock for a file read and write, so the queue grows as
the run goes on.

- **FIFO** hands the lock to the oldest waiter: everyone waits about as
  long as the queue in front of them, the waits are spread evenly, and the
  order of acquisition is the order of arrival (ρ = 1).
- **LIFO** (the article's lock, which pops its waiters off a stack) hands
  it to the newest: a task that has just arrived usually gets it almost at
  once, so the median wait is tiny, while the first arrivals sink to the
  bottom of the stack and wait until the queue drains: the p99 and the
  maximum are far above FIFO's. Fast for most, unfair to a few.
- Threads (`mutex`, `flock`) all start at the same moment here and the
  kernel decides who wakes first; their figures are in the table only.

"""


def lost_table(runs) -> str:
    body = [[model, fix, str(n), data_cell(m, "units"), data_cell(m, "workers"), data_cell(m, "final"),
             fmt_row(m.get("lost")), fmt_row(m.get("elapsed_ms"))] for (model, fix, n), m in runs.items()]
    return md_table(["model", "fix", "n", "units", "workers", "final", "lost", "elapsed"], body)


def lost_data(runs) -> str:
    """The share lost of each run, labelled by model/fix and, where one
    model/fix ran several ways, by its workers or its n."""
    runs_of = {}
    for model, fix, n in runs:
        runs_of[model, fix] = runs_of.get((model, fix), 0) + 1
    lines = ["# model/fix lost_percent"]
    for (model, fix, n), m in runs.items():
        label = f"{model}/{fix}"
        workers = m["workers"].value if "workers" in m else 0
        if workers > 1:
            label += f" ({data_number(workers)} workers)"
        elif runs_of[model, fix] > 1:
            label += f" n={n}"
        expected = m["expected"].value if "expected" in m else 0
        lost = m["lost"].value if "lost" in m else 0
        if expected > 0:
            lines.append(f'"{label}" {100 * lost / expected:.4f}')
    return "\n".join(lines) + "\n"


LOCK_LABELS = {"lock": "FIFO (lock)", "lifo-lock": "LIFO (lifo-lock)"}
WAIT_METRICS = ["wait_p50_ms", "wait_p99_ms", "wait_max_ms"]


def wait_data(res: Results) -> str:
    """The tasks' two async locks, one line each: p50, p99 and max wait."""
    rows = [row for row in res.rows(experiment="counter", model="tasks")
            if row.variant in LOCK_LABELS and row.metric in WAIT_METRICS]
    lines = []
    for (lock,), metrics in pivot(rows, "variant").items():
        values = [data_cell(metrics, metric, "?") for metric in WAIT_METRICS]
        lines.append(f'"{LOCK_LABELS[lock]}" ' + " ".join(values))
    return "# lock p50_ms p99_ms max_ms\n" + "".join(line + "\n" for line in lines) if lines else ""


def wait_part(res: Results, runs) -> str:
    waits = {key: m for key, m in runs.items()
             if any(metric.startswith("wait_") or metric == "order_corr" for metric in m)}
    body = [[model, lock, str(n)] + [fmt_row(m.get(metric)) for metric in WAIT_METRICS]
            + [f"{m['order_corr'].value:.2f}" if "order_corr" in m else "-"]
            for (model, lock, n), m in waits.items()]
    text = "### Who gets the lock next\n\n" + md_table(
        ["model", "lock", "n", "wait p50", "wait p99", "wait max", "order (Spearman's ρ)"], body)
    data = wait_data(res)
    if data:
        text += figure(res, "counter-wait", data, "how long tasks waited for the async lock: first come first"
                       " served (FIFO) vs newest first (LIFO), log scale.", script="counter", variables={"fig": "wait"})
    return text + WAIT


def render(res: Results) -> str:
    if not res.has(experiment="counter", metric="lost"):
        return ""
    runs = pivot(res.rows(experiment="counter"), "model", "variant", "n")
    text = "## The lost update\n\n" + INTRO + lost_table(runs)
    text += figure(res, "counter-lost", lost_data(runs), "the share of the n increments lost, for each model"
                   " and fix (median of the runs).", script="counter", variables={"fig": "lost"})
    text += LOST
    if res.has(experiment="counter", metric="wait_p50_ms"):
        text += wait_part(res, runs)
    return text
