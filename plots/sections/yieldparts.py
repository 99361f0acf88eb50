"""Where a yield's time goes: one yl_yield split into its parts
(yieldparts rows ns_switch_out, ns_loop, ns_queue, ns_check,
ns_switch_in, ns_total, ns_stamp), next to two bare switches (pingpong
tasks/raw ns_per_switch on one core)."""
from reportlib import Results, data_number, figure, fmt, is_cross

PARTS = ["switch_out", "loop", "queue", "check", "switch_in"]

TEXT = """`yieldparts` runs the yield ping-pong on a build of `sched.c` that stamps
the cycle counter at each step (`runtime/yl/phases.h`; the library itself
has no stamps). *switch out* is from `yl_yield` until the scheduler runs,
*switch in* from the scheduler's switch until the next task is back in
its code; *scheduler loop* is the bookkeeping of ending one unit and
starting the next, *run queue* the push and the pop, *timer/fd check* the
countdown that looks at timers and file descriptors only every 61 units
while tasks are ready. A stamp's own cost is taken off each part; the
stamped build returns from `yl_yield` the long way to take its last
stamp, so read the shares, not the sum. The second bar, for scale, is two
bare switches as `pingpong --variant raw` measured them.

"""


def yieldparts_data(res: Results) -> str:
    series: dict[str, dict[str, float]] = {}
    for row in res.rows(experiment="yieldparts"):
        part = row.metric.removeprefix("ns_")
        if row.metric.startswith("ns_") and part in PARTS:
            series.setdefault(f"{row.model}/{row.variant} cpus {row.cpus}", {})[part] = row.value
    lines = ["# label switch_out loop queue check switch_in"]
    for label, parts in series.items():
        values = [data_number(parts[part]) if part in parts else "?" for part in PARTS]
        lines.append(f'"{label}" ' + " ".join(values))
    raw = [row for row in res.rows(experiment="pingpong", model="tasks", variant="raw", metric="ns_per_switch")
           if not is_cross(row)]
    if raw:  # for scale: what the two switches alone cost
        bare = data_number(raw[0].value)
        lines.append(f'"2 bare switches (pingpong raw)" {bare} 0 0 0 {bare}')
    return "\n".join(lines) + "\n"


def measured(res: Results) -> str:
    last = {row.metric: row.value for row in res.rows(experiment="yieldparts") if row.metric.startswith("ns_")}
    total = last.get("ns_total", 0)
    if total <= 0:
        return ""
    parts = ", ".join(f"{label} {fmt(last.get('ns_' + part), 'ns')}" for label, part in
                      zip(["switch out", "loop", "queue", "check", "switch in"], PARTS))
    return f"Measured: {parts} ({fmt(total, 'ns')} in all; one stamp cost {fmt(last.get('ns_stamp'), 'ns')}).\n\n"


def render(res: Results) -> str:
    if not res.has(experiment="yieldparts", metric="ns_switch_out"):
        return ""
    return ("### Where a yield's time goes\n\n"
            + figure(res, "yieldparts", yieldparts_data(res), "one yl_yield split into its parts, ns per yield"
                     " (yieldparts: a build of the scheduler with cycle-counter stamps).")
            + TEXT + measured(res))
