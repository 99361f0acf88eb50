"""How foo's units were scheduled: a timeline per model from the traces
trace-tasks.csv, trace-threads.csv, trace-procs.csv (one row per task,
one box per unit), the units as a table, and what foo printed in each
model (trace-MODEL.out). Also timeline_data, which lag's timelines use."""
import csv
import dataclasses
import pathlib

from reportlib import Results, figure, fmt_in, md_table, plural

MODELS = {"tasks": "worker", "threads": "thread", "procs": "process"}


@dataclasses.dataclass
class Unit:
    task: str
    label: str
    worker: str
    cpu: str
    start_ns: int
    end_ns: int


@dataclasses.dataclass
class Timeline:
    """What timeline.gp draws of one trace, and what the report says of it."""
    data: str
    units: list[Unit]
    tasks: list[str]
    workers: list[str]
    cpus: list[str]
    t0_ns: int
    min_half_width_ms: float


def first_seen(values) -> list[str]:
    return list(dict.fromkeys(values))


def timeline_data(trace: pathlib.Path) -> Timeline:
    """The figure's data of a trace CSV (block 0: "row start_ms end_ms
    worker label" per unit; block 1: "row first_ms last_ms" per task)."""
    with open(trace, newline="", encoding="utf-8") as f:
        records = list(csv.reader(f))[1:]
    units = [Unit(r[2], r[3], r[4], r[5], int(r[6]), int(r[7])) for r in records if len(r) >= 8]
    tasks = first_seen(unit.task for unit in units)
    row_of = {task: index for index, task in enumerate(tasks)}
    t0 = min(unit.start_ns for unit in units)
    span_ms = (max(unit.end_ns for unit in units) - t0) / 1e6
    lines = [f"{row_of[u.task]} {(u.start_ns - t0) / 1e6:.4f} {(u.end_ns - t0) / 1e6:.4f} {u.worker} {u.label}"
             for u in units]
    lines.append("\n")
    for task in tasks:
        first = min(u.start_ns for u in units if u.task == task)
        last = max(u.end_ns for u in units if u.task == task)
        lines.append(f"{row_of[task]} {(first - t0) / 1e6:.4f} {(last - t0) / 1e6:.4f}")
    return Timeline("\n".join(lines) + "\n", units, tasks, first_seen(u.worker for u in units),
                    first_seen(u.cpu for u in units), t0, round(span_ms * 0.006 + 0.0001, 4))


INTRO = """## How foo's units were scheduled

`foo` runs the two functions of the workload (`foo1`, which calls `bar`, and
`foo2`) with sleeps of 2 and 3 time units in between. Each row below is a
task (or thread, or process); each box is one *unit*, the code that runs
between two sleeps, labelled A, B, C in the order the task runs them, and
coloured by the worker (thread, process) that ran it. The units last
microseconds and the sleeps tens of milliseconds, so boxes are drawn wider
than they are: the table under each figure gives the real durations.

"""

WHO_RAN = {
    "tasks": "Here {w} on {c} ran every unit: one unit at a time, each to its end, and a task that sleeps"
             " leaves the worker to the next unit that is ready. Nothing preempts a unit; the order comes"
             " from the sleeps alone.",
    "threads": "Here the units ran on {w} over {c}: each function has its own kernel thread, so the kernel's"
               " scheduler decides who runs, and on two cores two units may run at the same moment.",
    "procs": "Here the units ran in {w} over {c}: the same picture as threads, but each process has a whole"
             " address space of its own.",
}


def model_timeline(res: Results, model: str, worker_name: str) -> str:
    timeline = timeline_data(res.dir / f"trace-{model}.csv")
    text = f"### {model}\n\n" + figure(
        res, f"timeline-{model}", timeline.data,
        f"foo as {model}: one row per task, one box per unit, coloured by {worker_name}.", script="timeline",
        variables={"model": model, "tasks": " ".join(timeline.tasks), "workers": " ".join(timeline.workers),
                   "wname": worker_name, "minw": timeline.min_half_width_ms})
    text += WHO_RAN[model].format(w=plural(len(timeline.workers), worker_name),
                                  c=plural(len(timeline.cpus), "CPU")) + "\n\n"
    body = [[u.task, u.label, fmt_in(u.start_ns - timeline.t0_ns, "ns", "ms", 3),
             fmt_in(u.end_ns - u.start_ns, "ns", "us", 1), u.worker, u.cpu] for u in timeline.units]
    return text + md_table(["task", "unit", "starts at", "runs for", worker_name, "cpu"], body)


def printed_lines(outputs: dict[str, pathlib.Path]) -> str:
    """What foo printed, model by model: the order of the lines is the lesson."""
    texts = {model: path.read_text(encoding="utf-8", errors="replace") for model, path in outputs.items()}
    columns = [text.splitlines() for text in texts.values()]
    body = [[str(i + 1)] + [lines[i] if i < len(lines) else "" for lines in columns]
            for i in range(max(len(lines) for lines in columns))]
    text = "What foo printed in each model:\n\n" + md_table(["line"] + list(outputs), body)
    if len(texts) > 1:
        if len(set(texts.values())) == 1:
            text += ("All of them printed the same lines in the same order: with sleeps this long, the timers"
                     " decide who goes next, whichever scheduler runs the units.\n\n")
        else:
            text += ("The orders differ: where two units became ready at nearly the same moment, each scheduler"
                     " picked its own way. With one worker the order is fixed by the sleeps alone; with threads"
                     " and processes the kernel decides, and it may decide differently from one run to the next.\n\n")
    return text


def render(res: Results) -> str:
    models = [model for model in MODELS if res.trace_files(f"trace-{model}.csv", non_empty=True)]
    if not models:
        return ""
    text = INTRO + "".join(model_timeline(res, model, MODELS[model]) for model in models)
    outputs = {model: res.dir / f"trace-{model}.out" for model in models
               if res.trace_files(f"trace-{model}.out", non_empty=True)}
    return text + (printed_lines(outputs) if outputs else "")
