"""Which unit runs next: the sched programs' rows (experiments sched-LIST:
response_ms, turnaround_ms, wait_ms, share_pct per job, avg_* and
makespan_ms per run, models tasks, threads, procs and predict), their
traces (trace-sched-LIST-MODEL-POLICY.csv) as Gantt charts and shares
over time, and the pick cost of each class (experiment pickcost,
ns_per_pick at each N)."""
import csv

from reportlib import Results, data_number, figure, fmt, md_table
from sections.timeline import timeline_data

LISTS = {
    "equal": "three equal jobs, all at 0",
    "convoy": "one long job and two short ones behind it (the convoy)",
    "stagger": "a long job at 0, two short ones arriving at 10",
    "io": "a CPU-bound job next to one that does I/O every 4 units",
    "starve": "MLFQ: a long job next to two that do I/O every unit, no boost",
    "boost": "the same with a boost every 20 units",
    "gaming-stay": "MLFQ: a job that gives up the CPU just before its quantum ends, --stay",
    "gaming": "the same job under rule 4 (the allotment counts across I/O)",
    "shares": "proportional share: tickets 100, 200, 300",
}

INTRO = """## Which unit runs next

Every run above used libyl's default order, first come first served. The
`sched` programs run the job lists of OSTEP's scheduling chapters for real:
as libyl tasks under each of libyl's scheduling classes
(`runtime/yl/policy_*.c`), as threads under the kernel's policies, and on
paper (`yl-predict`, the textbook's schedule). One time unit is a fixed
amount of CPU time (the rows say how many ms); an I/O is a sleep. A job's
*response* is the time from its arrival to its first run, its *turnaround*
the time to its end, its *wait* the turnaround minus its own CPU and I/O.
The machine may have been loaded: CPU work is counted in CPU time, so a job
does the same work however busy the machine is, but the times are wall
time and stretch with the load.

"""

PROSE = """- **The convoy.** Under FIFO the two short jobs wait behind the long one,
  so the average turnaround is dominated by it; SJF runs them first and the
  average falls to a third or so, and STCF does the same for jobs that arrive
  while the long one runs, by preempting it.
- **Response against turnaround.** Round robin (and the fair classes) give
  every job the CPU within one quantum of arriving, the best response time,
  and nearly the worst turnaround: equal jobs all finish near the end.
- **Starvation and the boost.** Under MLFQ two jobs that give up the CPU at
  every unit stay at the top level, and the long job at the bottom gets only
  what they leave; a periodic boost brings it back to the top and bounds its
  wait.
- **Gaming MLFQ.** With `--stay` a job that issues an I/O just before its
  quantum ends keeps its allotment and its level, and so most of the CPU;
  under rule 4, which counts the allotment across I/O, it moves down like
  any CPU-bound job.
- **Lottery's error against stride's.** Stride gives each job its tickets'
  share within a quantum at every point; lottery is right only on average,
  and its error at a given moment shrinks only as the square root of the
  number of draws.
- **What EEVDF changed from CFS.** CFS runs the task with the least virtual
  runtime and derives the slice from the number of tasks; EEVDF (Linux 6.6)
  adds a virtual deadline per request: among the tasks that have not had
  more than their share (lag >= 0, *eligible*), the earliest deadline runs.
  A task can ask for a shorter slice and get earlier deadlines (better
  latency) without getting more CPU, and a sleeper keeps its lag instead of
  CFS's heuristic placement. libyl's `fair` and `eevdf` classes follow the
  two designs; the kernel rows say which one this machine's SCHED_OTHER is.

"""


def sched_lists(res: Results) -> list[str]:
    seen = []
    for row in res.rows():
        if row.experiment.startswith("sched-") and row.experiment[6:] not in seen:
            seen.append(row.experiment[6:])
    return seen


def averages(res: Results, name: str) -> dict[tuple[str, str], dict[str, float]]:
    """(model, variant) -> avg_response_ms, avg_turnaround_ms."""
    out = {}
    for row in res.rows(experiment=f"sched-{name}"):
        if row.metric in ("avg_response_ms", "avg_turnaround_ms"):
            out.setdefault((row.model, row.variant), {})[row.metric] = row.value
    return out


def predicted_for(avg, model: str, variant: str):
    """The prediction a measured run printed beside it (variant MODEL-POLICY)."""
    want = f"{model}-{variant}"
    return next((m for (mo, v), m in avg.items()
                 if mo == "predict" and (v == want or v.startswith(want + "-q"))), None)


def cell(m, metric: str) -> str:
    return fmt(m[metric], "ms") if m and metric in m else "-"


def list_table(res: Results, name: str) -> tuple[str, str]:
    avg = averages(res, name)
    body, bars = [], []
    for (model, variant), m in avg.items():
        if model == "predict":
            continue
        p = predicted_for(avg, model, variant)
        body.append([f"{model} {variant}", cell(p, "avg_response_ms"), cell(m, "avg_response_ms"),
                     cell(p, "avg_turnaround_ms"), cell(m, "avg_turnaround_ms")])
        bars.append(f"\"{model}/{variant}\" {data_number(m.get('avg_response_ms', 0))} "
                    f"{data_number(m.get('avg_turnaround_ms', 0))} "
                    f"{data_number(p['avg_turnaround_ms']) if p else '?'}")
    table = md_table(["run", "predicted avg response", "measured", "predicted avg turnaround",
                      "measured"], body)
    return table, "# label response_ms turnaround_ms predicted_turnaround_ms\n" + "\n".join(bars) + "\n"


def gantt(res: Results, trace) -> str:
    tl = timeline_data(trace)
    name = trace.stem.replace("trace-", "gantt-")
    tasks = " ".join(sorted(tl.tasks))
    return figure(res, name, tl.data, f"who ran when: {trace.stem[6:]} (one row per job).",
                  script="timeline",
                  variables={"model": "sched", "tasks": tasks, "workers": " ".join(tl.workers),
                             "wname": "job", "minw": tl.min_half_width_ms, "labels": 0,
                             "ttl": trace.stem[6:]})


def shares(res: Results) -> str:
    """Each job's share of the CPU so far, over time, from the shares traces."""
    out, errors = "", []
    for policy in ("stride", "lottery"):
        traces = res.trace_files(f"trace-sched-shares-tasks-{policy}.csv")
        if not traces:
            continue
        with open(traces[0], newline="", encoding="utf-8") as f:
            recs = sorted(((int(r["start_ns"]), int(r["end_ns"]), r["task"])
                           for r in csv.DictReader(f)), key=lambda r: r[0])
        if not recs:
            continue
        t0 = recs[0][0]
        end = {}
        for s, e, t in recs:
            end[t] = max(end.get(t, 0), e)
        stop = min(end.values())
        tickets = {"j0": 100, "j1": 200, "j2": 300}
        got = dict.fromkeys(tickets, 0)
        blocks = {t: [] for t in tickets}
        worst = 0.0
        for s, e, t in recs:
            if e > stop or t not in got:
                continue
            got[t] += e - s
            total = sum(got.values())
            for j in tickets:
                blocks[j].append(f"{(e - t0) / 1e6:.3f} {100 * got[j] / total:.2f}")
                worst = max(worst, abs(got[j] - total * tickets[j] / 600))
        data = "\n\n\n".join("\n".join(v) for v in blocks.values()) + "\n"
        errors.append([policy, fmt(worst / 1e6, "ms")])
        out += figure(res, f"shares-{policy}", data,
                      f"{policy}: each job's share of the CPU so far (tickets 100, 200, 300: "
                      f"17, 33, 50 %), until the first job ends.", script="policy_shares",
                      variables={"ttl": f"{policy}: CPU share so far"})
    if errors:
        out += ("The largest gap between a job's CPU so far and its tickets' share, at any point "
                "before the first job ended:\n\n" + md_table(["policy", "largest error"], errors))
    return out


def pickcost(res: Results) -> str:
    rows = res.rows(experiment="pickcost", metric="ns_per_pick")
    if not rows:
        return ""
    ns = sorted({r.n for r in rows})
    by = {}
    for r in rows:
        by.setdefault(r.variant, {})[r.n] = r.value
    body = [[v] + [fmt(m.get(n), "ns") if n in m else "-" for n in ns] for v, m in by.items()]
    return ("What one decision costs in each class (`tasks/pickcost`: pick, account, put back, "
            "no switch), by the number of ready tasks. fifo, rr, mlfq and prio are O(1); sjf, "
            "stcf, stride, fair and eevdf keep a heap, O(log n); lottery walks its list, O(n):\n\n"
            + md_table(["class"] + [f"{n} ready" for n in ns], body))


def render(res: Results) -> str:
    names = sched_lists(res)
    if not names and not res.has(experiment="pickcost"):
        return ""
    text = INTRO
    for name in names:
        table, bars = list_table(res, name)
        if table.count("\n") <= 3:
            continue
        text += f"### {name}: {LISTS.get(name, 'job list')}\n\n{table}"
        if name in ("convoy", "stagger"):
            text += figure(res, f"policies-{name}", bars,
                           f"{name}: average response and turnaround per policy, measured, with "
                           f"the textbook's turnaround where it has one.", script="policies_bars",
                           variables={"ttl": f"{name}: averages per policy"})
    for name in ("stagger", "starve", "boost", "gaming-stay", "gaming"):
        for trace in res.trace_files(f"trace-sched-{name}-*.csv"):
            text += gantt(res, trace)
    text += shares(res)
    text += pickcost(res)
    fair = res.env.get("fair_class")
    if fair:
        text += f"This machine's SCHED_OTHER: {fair}.\n\n"
    return text + PROSE
