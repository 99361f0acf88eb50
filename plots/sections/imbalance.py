"""The unlucky worker: imbalance rows (makespan_ms, ideal_ms, jobs_done
per model, variant, cpus and J; busy_ms and jobs of each worker, in the
rows of variant VARIANT-wN) as a table and a figure, and the traced runs
(trace-imbalance-MODEL-VARIANT.csv) as one timeline row per worker."""
import csv
import re

from reportlib import Results, data_number, figure, fmt, fmt_in, fmt_row, md_table

INTRO = """`imbalance` runs J jobs of pure CPU work on W workers. A few of them are
heavy (S times the others), and they are jobs 0, W, 2W...: exactly the ones
a round-robin placement hands to one and the same worker. Each job is one
unit with no yield point inside: once it starts, it keeps its worker until
it ends. *Makespan* is the time from the release of the jobs to the end of
the last one; *ideal* is all the work divided by W, the makespan of a
perfect split; *busy* is the time a worker spent inside jobs.

"""

TEXT = """- **Sharded tasks** (each task placed round-robin when it is spawned, never
  moved: nginx or uvicorn workers) and the **static split** of threads and
  processes (unit k takes jobs k, k+W...) both give every heavy job to the
  same worker. That worker is busy for the whole makespan while the others
  finish early and sit idle: the machine does the same work in far more
  time than it needs.
- **Stealing tasks** (Tokio, Go) start the same way, all jobs queued where
  they were spawned, but an idle worker takes half of a busy one's queue.
  The heavy jobs end up spread, and the makespan comes close to the ideal.
  It cannot reach it exactly: a job is never split, so the last heavy job
  to start sets a floor.
- The **shared queue** of threads (an atomic index) and processes (job ids
  in a pipe) gets the same effect without stealing: whoever is free takes
  the next job. Here the heavy jobs come first in the queue, the best order
  for such a greedy split.
- Preemption does not help the unlucky worker: the kernel can stop a job
  and run another unit, but that does not move the job's work to an idle
  CPU. Only the placement decides.

"""

WORKER_VARIANT = re.compile(r"^(.*)-w([0-9]+)$")


def runs_of(res: Results) -> dict[tuple, dict]:
    """Each run (model, variant, cpus, J): its own rows by metric, and its
    workers' rows by worker number and metric."""
    runs: dict[tuple, dict] = {}
    for row in res.rows(experiment="imbalance"):
        match = WORKER_VARIANT.match(row.variant)
        variant = match.group(1) if match else row.variant
        run = runs.setdefault((row.model, variant, row.cpus, row.n), {"metrics": {}, "workers": {}})
        if match:
            run["workers"].setdefault(int(match.group(2)), {})[row.metric] = row
        else:
            run["metrics"][row.metric] = row
    return runs


def value_of(metrics, metric, default=None):
    return metrics[metric].value if metric in metrics else default


def table_and_data(runs) -> tuple[str, str, int]:
    most_workers = max([max(run["workers"], default=-1) + 1 for run in runs.values()])
    several_cpus = len({cpus for _, _, cpus, _ in runs}) > 1
    body, lines = [], [f"# model/variant busy_w0..busy_w{most_workers - 1} makespan_ms ideal_ms"]
    for (model, variant, cpus, jobs), run in runs.items():
        metrics, workers = run["metrics"], run["workers"]
        worker_numbers = range(max(workers, default=-1) + 1)
        busy = [value_of(workers.get(w, {}), "busy_ms", 0) for w in worker_numbers]
        makespan, ideal = value_of(metrics, "makespan_ms", 0), value_of(metrics, "ideal_ms", 0)
        done = metrics.get("jobs_done")
        body.append([model, variant, cpus, fmt_row(metrics.get("makespan_ms")), fmt(ideal, "ms"),
                     f"{makespan / ideal:.2f}" if ideal > 0 else "-",
                     " / ".join(f"{b:.1f}" for b in busy),
                     " / ".join(data_number(value_of(workers.get(w, {}), "jobs", 0)) for w in worker_numbers),
                     f"{data_number(done.value) if done else ''} of {jobs}"])
        label = f"{model}/{variant}" + (f"@{cpus}" if several_cpus and cpus != "-" else "")
        busy_columns = [data_number(workers[w]["busy_ms"].value) if "busy_ms" in workers.get(w, {}) else "?"
                        for w in range(most_workers)]
        lines.append(f'"{label}" ' + " ".join(busy_columns + [data_number(makespan), data_number(ideal)]))
    header = ["model", "variant", "cpus", "makespan", "ideal", "makespan / ideal", "busy per worker (ms)",
              "jobs per worker", "jobs done"]
    return md_table(header, body), "\n".join(lines) + "\n", most_workers


def workers_figure(res: Results) -> str:
    """The traced runs: a row per worker and run, a box per job."""
    rows, lines = [], []
    for trace in res.trace_files("trace-imbalance-*.csv", non_empty=True):
        run_name = trace.name.removeprefix("trace-imbalance-").removesuffix(".csv").replace("-", "/", 1)
        with open(trace, newline="", encoding="utf-8") as f:
            jobs = [r for r in list(csv.reader(f))[1:] if len(r) >= 8 and r[2] in ("heavy", "light")]
        if not jobs:
            continue
        t0 = min(int(job[6]) for job in jobs)
        workers = sorted({int(job[4]) for job in jobs})
        first_row = len(rows)
        rows += [f"{run_name}/w{w}" for w in workers]
        for job in jobs:
            row = first_row + workers.index(int(job[4]))
            lines.append(f"{row} {(int(job[6]) - t0) / 1e6:.4f} {(int(job[7]) - t0) / 1e6:.4f} {int(job[2] == 'heavy')}")
    if not rows:
        return ""
    return figure(res, "imbalance-workers", "\n".join(lines) + "\n", "one traced run of each: a row per worker,"
                  " a box per job (heavy ones in red), from the start of the first job.", script="workers",
                  variables={"rows": " ".join(rows)})


def took(res: Results, variant: str) -> str:
    """"tasks/VARIANT took ..., N times the ideal ...", "" without its rows."""
    makespan = res.rows(experiment="imbalance", model="tasks", variant=variant, metric="makespan_ms")
    ideal = res.rows(experiment="imbalance", model="tasks", variant=variant, metric="ideal_ms")
    if not makespan or not ideal or ideal[-1].value <= 0:
        return ""
    makespan_ms, ideal_ms = makespan[-1].value, ideal[-1].value
    return (f"tasks/{variant} took {fmt_in(makespan_ms, 'ms', 'ms', 1)}, {makespan_ms / ideal_ms:.2f} times"
            f" the ideal {fmt_in(ideal_ms, 'ms', 'ms', 1)}")


def compared(res: Results) -> str:
    sharded, stealing = took(res, "sharded"), took(res, "stealing")
    return f"On this machine {sharded}; {stealing}.\n\n" if sharded and stealing else ""


def render(res: Results) -> str:
    if not res.has(experiment="imbalance", metric="makespan_ms"):
        return ""
    runs = runs_of(res)
    table, data, most_workers = table_and_data(runs)
    text = "## The unlucky worker\n\n" + INTRO + table
    text += figure(res, "imbalance", data, "busy time of each worker (bars), makespan (dots) and the ideal"
                   " (dashed), for each model and variant.", variables={"nw": most_workers})
    return text + workers_figure(res) + TEXT + compared(res)
