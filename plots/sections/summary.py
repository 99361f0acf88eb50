"""The summary: the cost of one switch (pingpong rows ns_per_switch and
ns_per_switch_net, one core, two cores, unpinned) and of one unit (spawn
rows *_per_unit: user and kernel memory, creation time)."""
from reportlib import Results, fmt_row, md_table, pivot


def where_it_ran(cpus: str) -> str:
    if "+" in cpus:
        return "cross"
    return "free" if cpus == "-" else "same"


def switch_table(res: Results) -> str:
    rows = [row for row in res.rows(experiment="pingpong")
            if row.metric in ("ns_per_switch", "ns_per_switch_net")]
    cells: dict[tuple, dict[tuple, str]] = {}
    for row in rows:
        cells.setdefault((row.model, row.variant), {})[row.metric, where_it_ran(row.cpus)] = fmt_row(row)
    # An unpinned run (cpus "-") gets a column only when there is one.
    unpinned = any(row.cpus == "-" for row in rows)
    header = ["model", "variant", "one core", "two cores"] + (["not pinned"] if unpinned else []) + ["one core, net"]
    body = []
    for (model, variant), cell in cells.items():
        line = [model, variant, cell.get(("ns_per_switch", "same"), "-"), cell.get(("ns_per_switch", "cross"), "-")]
        if unpinned:
            line.append(cell.get(("ns_per_switch", "free"), "-"))
        body.append(line + [cell.get(("ns_per_switch_net", "same"), "-")])
    return ("**Cost of one switch** (pingpong: two units hand a turn back and forth; "
            "`net` subtracts the same-unit baseline):\n\n" + md_table(header, body))


def unit_table(res: Results) -> str:
    rows = [row for row in res.rows(experiment="spawn") if row.metric.endswith("_per_unit")]
    body = []
    for key, metrics in pivot(rows, "model", "variant", "cpus").items():
        model, variant, cpus = key
        label = variant if cpus == "-" else f"{variant} (cpus {cpus})"
        largest_n = [row.n for row in rows if (row.model, row.variant, row.cpus) == key][-1]
        body.append([model, label, fmt_row(metrics.get("user_bytes_per_unit")),
                     fmt_row(metrics.get("kernel_bytes_per_unit")),
                     fmt_row(metrics.get("create_ns_per_unit")), str(largest_n)])
    return ("**Cost of one unit** (spawn: N units alive at once; per unit = slope of the totals over N):\n\n"
            + md_table(["model", "variant", "user memory", "kernel memory", "creation", "up to N"], body))


def render(res: Results) -> str:
    has_switch = res.has(experiment="pingpong", metric="ns_per_switch")
    has_units = res.has(experiment="spawn", metric="user_bytes_per_unit")
    if not (has_switch or has_units):
        return ""
    text = "## Summary\n\n"
    if has_switch:
        text += switch_table(res)
    if has_units:
        text += unit_table(res)
    return text
