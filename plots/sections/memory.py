"""Memory per unit: bytes per unit against the number of units alive,
user and kernel side (spawn rows user_bytes and kernel_bytes over N),
and the runs that stopped at a system limit (spawn limit_units)."""
from reportlib import Results, data_number, figure, series_blocks, series_by_n


def per_unit(row) -> str:
    return data_number(row.value / row.n) if row and row.value > 0 else "?"


def point(n: int, metrics) -> str:
    return f"{n} {per_unit(metrics.get('user_bytes'))} {per_unit(metrics.get('kernel_bytes'))}"


TEXT = """Each point is the memory that appeared while N units were alive, divided by
N. At small N the fixed costs of the program dominate and the line falls;
once N is large it flattens at what one more unit really costs (the slope in
the summary table).

- **Threads** carry a kernel-side cost that tasks do not have: every thread
  is a schedulable kernel object with its own kernel stack (16 KiB on
  x86-64, counted in `KernelStack`) and its `task_struct` and friends in
  slab (`SUnreclaim`). Their user stack is reserved at 8 MiB by default
  but only the pages actually touched count, which is why the user side
  stays at a few pages.
- **Processes** pay all of that and an address space of their own: page
  tables (`PageTables`), the memory descriptor and mapping records, file
  table, signal state; the user side is whatever copy-on-write had to copy.
- **Tasks** live entirely in user space. A stackful task costs the pages of
  its stack it touched plus its control block; a stackless one only the
  frame struct the compiler (or we, by hand) laid out. The kernel does not
  know tasks exist: all it holds for them is the page tables and mapping
  records of the memory their stacks live in, a small fraction of what a
  thread costs it.

"""


def render(res: Results) -> str:
    rows = [row for row in res.rows(experiment="spawn")
            if row.metric in ("user_bytes", "kernel_bytes") and row.n > 0]
    if not rows:
        return ""
    series = series_by_n(rows)
    data, titles = series_blocks(series, "N user_B_per_unit kernel_B_per_unit", point), list(series)
    text = "## Memory per unit\n\n" + figure(
        res, "memory", data, "bytes per unit against the number of units alive, "
        "user side (left) and kernel side (right), log-log.", variables={"titles": " ".join(titles)})
    text += TEXT
    limits = [f"- {row.model}/{row.variant} stopped at a system limit after {int(row.value)} units "
              "(see the run's stderr for which one).\n" for row in res.rows(experiment="spawn", metric="limit_units")]
    return text + "".join(limits) + ("\n" if limits else "")
