"""Host and guest side by side: a guest run (env.txt where: vmN) next to
the newest host run among the folders beside it (results/), or a host
run next to the newest guest run; pingpong ns_per_switch on one core and
spawn *_per_unit of both. "" without pingpong rows or a counterpart."""

from reportlib import ReportError, Results, figure, fmt, is_one_core, md_table, spread_columns

TEXT = """What a virtual machine makes dearer depends on how it runs the guest.
Under KVM the guest's instructions run natively; what costs more is what
the hypervisor must step in for: timer interrupts, waking an idle vCPU,
some page-table work. Under TCG (QEMU's emulation, used when there is no
usable KVM) every guest instruction is translated, so everything is
slower, but not equally: a user-level task switch is a few plain
instructions and slows down by roughly the emulation's general factor,
while a system call, a page fault or a change of address space (a process
switch: new page tables, a flushed software TLB) each take the slow paths
of the emulated CPU and grow far more. Compare the ratios in the last
column: the further a switch goes into the kernel, the larger its ratio.
Memory per unit barely changes: a kernel stack is 16 KiB and a page table
a page on both sides; only the creation time, made of system calls and
page faults, grows with the emulation. On one vCPU the threads and
processes of foo still interleave (the guest kernel time-slices them),
while a single-worker runtime behaves exactly as on the host: see the
timelines above.

"""

def counterpart(res: Results) -> Results | None:
    """The newest results folder of the other side next to this one."""
    where = res.env.get("where", "?")
    if where.startswith("vm"):
        pattern = "*-host"
    elif where == "host":
        pattern = "*-vm*"
    else:
        return None
    here = res.dir.resolve()
    # Stamps sort by time: the first folder with data, in reverse, is the newest.
    for folder in sorted(here.parent.glob(pattern), reverse=True):
        if folder.resolve() != here and (folder / "data.csv").is_file():
            try:
                return Results.load(folder)
            except ReportError:
                continue
    return None

def by_model_variant(results: list[Results], wanted) -> dict[tuple, list]:
    """For each model/variant (in order of first appearance on either
    side), the last row of each side that wanted accepts, or None."""
    found: dict[tuple, list] = {}
    for side, run in enumerate(results):
        for row in filter(wanted, run.rows()):
            found.setdefault((row.model, row.variant, row.metric), [None, None])[side] = row
    return found

def one_core_switch(row) -> bool:
    return row.experiment == "pingpong" and row.metric == "ns_per_switch" and is_one_core(row)

def switch_part(res: Results, sides: list[Results]) -> str:
    switches = by_model_variant(sides, one_core_switch)
    data = "# model/variant host_ns lo hi guest_ns lo hi\n" + "".join(
        f"{model}/{variant} {spread_columns(host)} {spread_columns(guest)}\n"
        for (model, variant, _), (host, guest) in switches.items())
    text = figure(res, "hostvm", data, "time per switch on one core, host next to guest, log scale.", script="switch",
                  variables={"floor": 0, "ttl": "One switch on one core: host vs guest", "k1": "host", "k2": "guest"})
    body = []
    for (model, variant, _), (host, guest) in switches.items():
        ratio = f"{guest.value / host.value:.1f}×" if host and guest and host.value > 0 and guest.value > 0 else "-"
        body.append([model, variant, fmt(host.value if host else None, "ns"),
                     fmt(guest.value if guest else None, "ns"), ratio])
    return text + md_table(["model", "variant", "host", "guest", "guest / host"], body)

def unit_part(sides: list[Results]) -> str:
    units = by_model_variant(sides, lambda row: row.experiment == "spawn" and row.metric.endswith("_per_unit"))
    if not units:
        return ""
    series: dict[tuple, dict] = {}
    for (model, variant, metric), pair in units.items():
        series.setdefault((model, variant), {})[metric] = pair
    body = []
    for (model, variant), metrics in series.items():
        cells = [model, variant]
        for metric, unit in (("user_bytes_per_unit", "B"), ("kernel_bytes_per_unit", "B"), ("create_ns_per_unit", "ns")):
            for row in metrics.get(metric, [None, None]):
                cells.append(fmt(row.value, unit) if row else "-")
        body.append(cells)
    return md_table(["model", "variant", "user B/unit host", "guest", "kernel B/unit host", "guest", "create host",
                     "guest"], body)

def render(res: Results) -> str:
    if not res.has(experiment="pingpong", metric="ns_per_switch"):
        return ""
    other = counterpart(res)
    if other is None:
        return ""
    host, guest = (other, res) if res.env.get("where", "").startswith("vm") else (res, other)
    text = ("## Host and guest side by side\n\n"
            f"This compares the host run `{host.dir.resolve().name}` with the guest run `{guest.dir.resolve().name}`"
            f" ({guest.env.get('where', 'vm')}, {guest.env.get('vm_vcpus', '?')} vCPU,"
            f" accelerator {guest.env.get('vm_accel', '?')}).\n\n")
    return text + switch_part(res, [host, guest]) + unit_part([host, guest]) + TEXT
