"""Memory per idle connection, part of the server section: server rows
user_bytes_per_conn, kernel_bytes_per_conn, pair_kernel_bytes_per_conn
(the socket pair alone, from a null server), own_kernel_bytes_per_conn,
server_threads and limit_conns, per model, variant and cpus; of several
sweeps of one series the one that went furthest counts."""
from reportlib import Results, data_number, figure, fmt, fmt_range, md_table, series_name

PER_CONN = ["user_bytes_per_conn", "kernel_bytes_per_conn", "pair_kernel_bytes_per_conn", "own_kernel_bytes_per_conn"]

TEXT = """yl-load opens C keep-alive connections, sends one /hello on each so that
the server has made its unit for every one, then leaves them idle and
takes the server's memory: the anonymous PSS summed over its processes
(user side) and the machine's KernelStack + PageTables + SUnreclaim
(kernel side), each against a baseline taken before the first
connection, with a fresh server per C. The slope over C is the price of
one more connection. The kernel side counts both ends of every loopback
connection (two sockets, the same for every model), and the client's end
is not the server's cost: so the same run also opens the same C
connections to a null server of yl-load's own, which answers the first
request and only holds them, and takes the same slope (**socket pair**).
The model's **own** kernel side is its kernel side minus that pair: what
a task, a thread or a process adds to the two sockets it serves.

- A **task** per connection, while a request is under way, is a task
  header (a slab object of under 200 B), the touched page of its stack
  and the connection's request buffer (1 KiB, grown only for a long
  head). A task waiting for its socket would keep that stack page, and
  one page is already more than a tenth of a thread's own cost; so the
  server parks an idle connection instead (`yl_fd_park`, under every
  executor): its task ends (the stack goes back to libyl's pool, for the
  next request's task), and the runtime starts a new task on the same
  worker when bytes arrive. What an idle connection then holds is its
  `struct conn` with the buffer, the reactor's record of its fd (48 B)
  and an epoll entry in the kernel: the socket stays registered,
  edge-triggered, from its first wait to its close.
- A **thread** per connection adds what a thread always costs: a kernel
  stack (16 KiB on x86-64) and its `task_struct` in the kernel, and the
  touched pages of an 8 MiB user stack reservation in the process.
- A **process** per connection adds an address space on top of that: page
  tables, the memory map, the copied-on-write pages of the heap and stack,
  its own file table. It is the most a connection can cost.

"""


class Series:
    """One server's idle-connection rows: per metric the row of the largest C."""

    def __init__(self, row):
        self.model, self.variant, self.cpus = row.model, row.variant, row.cpus
        self.furthest: dict = {}
        self.up_to = 0
        self.threads = None
        self.limits: list[int] = []

    def add(self, row):
        if row.metric == "server_threads":
            if self.threads is None or row.n >= self.threads.n:
                self.threads = row
        elif row.metric == "limit_conns":
            self.limits.append(row.n)
        elif row.metric not in self.furthest or row.n >= self.furthest[row.metric].n:
            self.furthest[row.metric] = row
            self.up_to = row.n

    def value(self, metric) -> float | None:
        return self.furthest[metric].value if metric in self.furthest else None


def series_of(rows, key) -> dict[str, Series]:
    series: dict[str, Series] = {}
    for row in rows:
        if row.metric in PER_CONN or row.metric in ("server_threads", "limit_conns"):
            series.setdefault(key(row), Series(row)).add(row)
    return series


def compared_key(row) -> str:
    return f"{row.model}/{row.variant}"


def with_range(s: Series, metric) -> str:
    row = s.furthest.get(metric)
    return fmt(row.value, "B") + fmt_range(row) if row else "-"


def table_and_data(series: dict[str, Series]) -> tuple[str, str]:
    body, lines = [], ["# model/variant user_B kernel_B own_kernel_B"]
    for name, s in series.items():
        if not s.furthest:
            continue
        user, kernel = s.value("user_bytes_per_conn") or 0, s.value("kernel_bytes_per_conn") or 0
        own = s.value("own_kernel_bytes_per_conn")
        limits = f" (stopped by a limit at C = {' '.join(map(str, s.limits))})" if s.limits else ""
        body.append([s.model, s.variant, s.cpus, with_range(s, "user_bytes_per_conn"),
                     with_range(s, "kernel_bytes_per_conn"), fmt(user + kernel, "B"),
                     fmt(s.value("pair_kernel_bytes_per_conn"), "B") if own is not None else "-",
                     fmt(own, "B") if own is not None else "-", fmt(user + own, "B") if own is not None else "-",
                     f"{data_number(s.threads.value)} at C = {s.threads.n}" if s.threads else "-",
                     f"{s.up_to}{limits}"])
        columns = [data_number(v) if v and v > 0 else "?" for v in (user, kernel, own)]
        lines.append(f'"{name}" ' + " ".join(columns))
    header = ["model", "variant", "cpus", "user side", "kernel side", "both", "socket pair", "own kernel side",
              "own, both", "server threads at the largest C", "slope over C up to"]
    return md_table(header, body), "\n".join(lines) + "\n"


def tasks_against_threads(rows) -> str:
    series = series_of(rows, compared_key)
    both = {name: (s.value("user_bytes_per_conn") or 0) + (s.value("kernel_bytes_per_conn") or 0)
            for name, s in series.items()}
    tasks = [name for name in both if name.startswith("tasks/")]
    threads = series.get("threads/per-conn")
    if not tasks or not threads or both["threads/per-conn"] <= 0:
        return ""
    best = min(tasks, key=lambda name: both[name])
    ratio = both[best] / both["threads/per-conn"]
    text = (f"Here {best} cost {fmt(both[best], 'B')} per idle connection (both sides, up to C ="
            f" {series[best].up_to}) and threads/per-conn {fmt(both['threads/per-conn'], 'B')} (up to C ="
            f" {threads.up_to}): {ratio:.2f} of it, against a target of at most 1/10")
    own_best, own_threads = series[best].value("own_kernel_bytes_per_conn"), threads.value("own_kernel_bytes_per_conn")
    if own_best is not None and own_threads is not None:
        ours = (series[best].value("user_bytes_per_conn") or 0) + own_best
        theirs = (threads.value("user_bytes_per_conn") or 0) + own_threads
        if theirs > 0:
            text += (f"; without the socket pair, {fmt(ours, 'B')} against {fmt(theirs, 'B')}:"
                     f" {ours / theirs:.2f} of it")
    return text + ".\n\n"


def memory_part(res: Results, rows) -> str:
    table, data = table_and_data(series_of(rows, series_name))
    return ("### Memory per idle connection\n\n" + table
            + figure(res, "server-memory", data, "bytes per idle keep-alive connection: user side, kernel side,"
                     " and the kernel side without the socket pair, log scale (slopes over C).",
                     script="server_memory")
            + TEXT + tasks_against_threads(rows))
