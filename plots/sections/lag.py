"""A CPU hog next to a ticker: lag rows (lateness_p50_ms, lateness_p99_ms,
lateness_max_ms, hog_bursts, migrations, workers, hog_ms per model,
variant and cpus) as a table and a figure, and the traced task runs
(trace-lag-tasks-EXECUTOR.csv) as timelines."""
from reportlib import Results, data_number, figure, fmt_in, fmt_row, is_one_core, md_table, pivot, plural
from sections.timeline import timeline_data

INTRO = """`lag` runs two units side by side. The *hog* burns the CPU in bursts of H
ms. The *ticker* asks to wake every millisecond: tick k is due k ms after
it started, whatever happened to the ticks before. *Lateness* is how long
after its due time each tick actually ran; a tick already overdue is taken
at once, so the ticker catches up instead of drifting. Between two bursts
the task version of the hog reaches a yield point (a zero sleep, "let
whatever is due run first"); the thread and process versions never yield.
The task version's sleeps wait in libyl's timer heap, exact to the
nanosecond like the kernel's timers (the runtime's timing wheel would round
every deadline up to its next 1 ms tick, a whole period of the ticker).

"""

TEXT = """- **Tasks on one worker**: a running unit is never interrupted, so every
  tick that falls due during a burst waits for the burst to end. Ticks fall
  due evenly over the bursts, so their lateness spreads from zero to H: the
  median near H/2, the p99 and the maximum near H. This is the
  event-loop blocking of JavaScript or Python's asyncio: one slow callback
  delays every timer.
- **Threads and processes pinned to one core** share that core as well,
  but the kernel preempts: when the ticker's sleep ends, the scheduler
  sees a unit that has hardly used the CPU and lets it run before the hog
  has finished its burst. The ticks are late by the cost of a wake-up, far
  below H. On **two cores** they do not even compete.
- **Tasks on two workers** (sharded or stealing, one CPU each) give the
  ticker a worker of its own as long as the hog stays on the other one.
  A timer fires on the worker where its task went to sleep, between two
  units of that worker; with work stealing the hog can move (each of its
  yield points puts it up for grabs, and the idle worker, the ticker's, is
  the one woken to take it). When it lands on the ticker's worker, that
  tick waits a whole burst again: the `migrations` column counts the
  moves, and the maximum shows what one costs.

"""

TIMELINES = """In a timeline the hog's bursts are the long boxes. On one worker the ticker
gets a single unit after each burst, in which it takes every tick that fell
due meanwhile, then sleeps 1 ms and finds the next burst under way. With
two workers the ticker's units run every millisecond on its own worker;
wherever a hog box changes colour, the hog moved to the other worker, and
a gap in the ticker's row shows the price when it moved onto the ticker's.
(Units are drawn at least a little wide so that short ones stay visible.)

"""

LATENESS = ["lateness_p50_ms", "lateness_p99_ms", "lateness_max_ms"]
OWN_WORKERS = {"threads": "2 (threads)", "procs": "2 (processes)"}


def table_and_data(runs) -> tuple[str, str]:
    body, lines = [], ["# label p50_ms p99_ms max_ms"]
    for (model, variant, cpus), m in runs.items():
        raw = {metric: data_number(row.value) for metric, row in m.items()}
        workers = raw.get("workers") or ("-" if model == "tasks" else OWN_WORKERS.get(model, "2 (processes)"))
        body.append([model, variant, cpus, workers] + [fmt_row(m.get(metric)) for metric in LATENESS]
                    + [raw.get("hog_bursts", "-"), raw.get("migrations", "-")])
        label = f"{model}/{variant}" + ("" if cpus == "-" else f"@{cpus}")
        lines.append(f'"{label}" ' + " ".join(raw.get(metric, "-") for metric in LATENESS))
    header = ["model", "variant", "cpus", "workers", "lateness p50", "p99", "max", "hog bursts", "migrations"]
    return md_table(header, body), "\n".join(lines) + "\n"


def on_one_core(res: Results) -> str:
    rows = res.rows(experiment="lag")
    single = {row.metric: row.value for row in rows if (row.model, row.variant) == ("tasks", "single")}
    threads = [row for row in rows if row.model == "threads" and is_one_core(row)]
    threaded = {row.metric: row.value for row in threads}
    if "lateness_p50_ms" not in single or "lateness_p50_ms" not in threaded:
        return ""
    return (f"On this machine, on one core: tasks p50 {fmt_in(single['lateness_p50_ms'], 'ms', 'ms', 2)} and max"
            f" {fmt_in(single.get('lateness_max_ms', 0), 'ms', 'ms', 1)}; threads (cpu {threads[-1].cpus}) p50"
            f" {fmt_in(threaded['lateness_p50_ms'], 'ms', 'ms', 3)} and max"
            f" {fmt_in(threaded.get('lateness_max_ms', 0), 'ms', 'ms', 2)}.\n\n")


def timelines(res: Results) -> str:
    text = ""
    for trace in res.trace_files("trace-lag-tasks-*.csv", non_empty=True):
        executor = trace.name.removeprefix("trace-lag-tasks-").removesuffix(".csv")
        timeline = timeline_data(trace)
        text += figure(res, f"timeline-lag-{executor}", timeline.data, f"one traced lag run on the {executor}"
                       f" executor ({plural(len(timeline.workers), 'worker')}): a row per task, a box per unit,"
                       " coloured by worker.", script="timeline",
                       variables={"model": "tasks", "tasks": " ".join(timeline.tasks),
                                  "workers": " ".join(timeline.workers), "wname": "worker",
                                  "minw": timeline.min_half_width_ms, "labels": 0,
                                  "ttl": f"lag on the {executor} executor: which worker ran each unit"})
    return text + TIMELINES if text else ""


def render(res: Results) -> str:
    if not res.has(experiment="lag", metric="lateness_max_ms"):
        return ""
    runs = pivot(res.rows(experiment="lag"), "model", "variant", "cpus")
    table, data = table_and_data(runs)
    hog = res.value(experiment="lag", metric="hog_ms")
    text = "## A CPU hog next to a ticker\n\n" + INTRO + table
    text += figure(res, "lag", data, f"how late the 1 ms ticks ran next to a hog burning"
                   f" {data_number(hog) if hog else 'H'} ms bursts: p50, p99 and max, log scale.",
                   variables={"hog": hog or 0})
    return text + TEXT + on_one_core(res) + timelines(res)
