"""Beside what users would pick instead, part of the server section: the
peers' /hello through the same wrk (req_per_s, errors of models nginx,
go, node, python) against ours at C = 100 and 1000; system calls per
keep-alive request by kind (syscalls_per_req, syscalls_per_req_KIND from
yl-load --mode syscalls); and idle connections toward C100K (conns,
open_ms, user_bytes, own_kernel_bytes_per_conn, limit_conns,
limit_mem_conns of yl-load --mode idle, at the largest C each reached)."""
from reportlib import Results, fmt, md_table, series_by_n, series_name

PEERS = ("nginx", "go", "node", "python")

PEERS_TEXT = """The same wrk, with the same flags and on the same two cores, against the
servers a user would pick instead of writing one: **nginx** (Debian's
nginx-light, 2 worker processes, each one epoll loop, `return 200` for
/hello), **Go**'s net/http (a goroutine per connection on the runtime's
netpoller), **Node**'s http (one event loop) and an **asyncio** streams
server (one event loop, a coroutine per connection). Each answers
/hello with our status line, Content-Type and body; nginx, Go and Node
add their own Date (and Server, Keep-Alive) lines, as they would for any
user. **errors** are wrk's socket errors (connect, read, write, timeout)
and non-2xx replies, summed over the C of the table, in the worst of the runs.

"""

SYSCALLS_TEXT = """Counted, not sampled: `perf stat` reads the kernel's syscall tracepoints
(`raw_syscalls:sys_enter` for the total, `syscalls:sys_enter_KIND` for
each kind) over every thread of every process of the server, while one
warm keep-alive connection does the requests one after another, and the
counts are divided by the requests. The server is never stopped for
this (strace -c stops it at every call, and a server slowed that much
always finds the next request already there: its waits vanish from the
count). A kind no server makes once in ten requests has no column (it
counts in the total). Figures above 1 mean a request needs more than one of that
call; below 1, a call shared by several requests (one `epoll_wait` for
the wake-ups that came together, or the wake-ups of an idle worker over
the run). **tasks** reads the request (`yl_try_read`), writes the reply,
and when the connection is then empty reads once more (EAGAIN), parks
it (no system call: the socket stays registered, edge-triggered, since
its first wait) and sleeps in `epoll_pwait2` with the others; `stealing`
adds the `epoll_wait` that drains the one epoll all its workers share.

"""

C100K_TEXT = """Idle keep-alive connections taken as far as each model goes, from
source addresses 127.0.0.1, .2, ... (one address has about 28 000
ports), RLIMIT_NOFILE raised for yl-load and the server: **bytes per
connection** is the server's user-side growth divided by the
connections open (at that C alone, not a slope), **own kernel** the
kernel side net of the socket pair (the slope over the sweep), and
**accept time** how long yl-load took to open all C and get each one's
first reply. A C that could not be reached is named in **stopped at**
with its reason: `fds` when RLIMIT_NOFILE (here both ends of every
connection are on one machine, so it must hold 2 C across the two
processes), ports or the server's own limit refused the next
connection; `memory cap` when the bytes per connection so far would
have passed the cap given to yl-load (--mem-cap-mb) at that C. Threads
and processes also meet the kernel's limits on tasks: `kernel.pid_max`
counts every thread, `kernel.threads-max` bounds them all.

"""


def peers_part(rows) -> str:
    """The peers' and our /hello at C = 100 and 1000, and how they compare."""
    hello = [row for row in rows if row.metric in ("req_per_s", "errors")]
    if not any(row.model in PEERS for row in hello):
        return ""
    servers = list(dict.fromkeys(series_name(row) for row in hello))
    req = {(series_name(row), row.n): row.value for row in hello if row.metric == "req_per_s"}
    errors = {}
    for row in hello:
        if row.metric == "errors":
            errors[series_name(row)] = errors.get(series_name(row), 0) + row.max
    body = [[name, fmt(req.get((name, 100)), "req/s"), fmt(req.get((name, 1000)), "req/s"),
             fmt(errors.get(name), "count")] for name in servers]
    text = "### Beside what users would pick instead\n\n"
    text += md_table(["server", "requests/s at C = 100", "at C = 1000", "wrk errors"], body)
    text += PEERS_TEXT + ratios(req, errors)
    return text


def find(req, model_variant: str, c: int):
    """The req/s of the series whose name starts with model_variant at C."""
    for (name, n), value in req.items():
        if n == c and (name == model_variant or name.startswith(model_variant + "@")):
            return value
    return None


def ratios(req, errors) -> str:
    """The comparisons the server work is measured by, from the same run."""
    said = []
    for c in (100, 1000):
        nginx = find(req, "nginx/2-workers", c)
        for ours, target in (("tasks/sharded", 1.0), ("tasks/stealing", 0.9)):
            value = find(req, ours, c)
            if nginx and value:
                said.append(f"at C = {c}, {ours} answered {value / nginx:.2f} times nginx's requests/s"
                            f" (target: at least {target:g})")
    threads = find(req, "threads/per-conn", 1000)
    for ours in ("tasks/sharded", "tasks/stealing"):
        value = find(req, ours, 1000)
        if threads and value:
            said.append(f"at C = 1000, {ours} answered {value / threads:.2f} times threads/per-conn"
                        " (target: at least 1.5)")
    failing = [name for name, count in errors.items() if count > 0]
    text = ("In this run: " + "; ".join(said) + ".\n\n") if said else ""
    if errors:
        text += ("wrk reported no socket error against any server.\n\n" if not failing else
                 "wrk reported errors against " + ", ".join(failing) + " (target: none).\n\n")
    return text


KIND_ORDER = ["read", "write", "readv", "writev", "recvfrom", "sendto", "recvmsg", "sendmsg",
              "epoll_wait", "epoll_pwait", "epoll_pwait2", "epoll_ctl", "accept", "accept4",
              "futex", "nanosleep", "clock_nanosleep", "sched_yield", "poll", "ppoll"]


def syscalls_part(rows) -> str:
    """System calls per keep-alive request, one row per server, one column per kind."""
    wanted = [row for row in rows if row.metric.startswith("syscalls_per_req")]
    if not wanted:
        return ""
    # A column per kind that some server makes at least once in ten
    # requests; the rarer ones count in the total only.
    kinds = {row.metric[len("syscalls_per_req_"):] for row in wanted
             if row.metric != "syscalls_per_req" and row.value >= 0.1}
    shown = [k for k in KIND_ORDER if k in kinds] + sorted(kinds - set(KIND_ORDER) - {"other"})
    shown += ["other"] if "other" in kinds else []
    body = []
    for name, by_n in series_by_n(wanted).items():
        for n, metrics in by_n.items():
            body.append([name, str(n)] + [per(metrics.get("syscalls_per_req_" + k)) for k in shown]
                        + [per(metrics.get("syscalls_per_req"))])
    return ("### System calls per keep-alive request\n\n"
            + md_table(["server", "requests"] + shown + ["total"], body) + SYSCALLS_TEXT)


def per(row) -> str:
    """Calls per request with two decimals; "-" for none."""
    return "-" if row is None or row.value < 0.005 else f"{row.value:.2f}"


def c100k_part(rows) -> str:
    """Idle connections at the largest C each model reached, and where it stopped."""
    idle = [row for row in rows if row.metric in ("conns", "open_ms", "user_bytes", "own_kernel_bytes_per_conn",
                                                  "limit_conns", "limit_mem_conns")]
    if not any(row.metric == "conns" for row in idle):
        return ""
    body = []
    for name, by_n in series_by_n(idle).items():
        reached = [(n, m) for n, m in by_n.items() if "conns" in m and m["conns"].value > 0]
        if not reached:
            continue
        n, m = max(reached, key=lambda item: item[1]["conns"].value)
        conns = m["conns"].value
        own = next((mm["own_kernel_bytes_per_conn"] for mm in by_n.values() if "own_kernel_bytes_per_conn" in mm), None)
        stops = [f"{nn} ({'memory cap' if 'limit_mem_conns' in mm else 'fds'})"
                 for nn, mm in sorted(by_n.items()) if "limit_conns" in mm or "limit_mem_conns" in mm]
        body.append([name, fmt(conns, "count"), fmt(m["user_bytes"].value / conns, "B") if "user_bytes" in m else "-",
                     fmt(own.value, "B") if own else "-",
                     fmt(m["open_ms"].value, "ms") if "open_ms" in m else "-",
                     ", ".join(stops) if stops else "-"])
    if not body:
        return ""
    return ("### Toward C100K: idle connections\n\n"
            + md_table(["server", "largest C held", "bytes per connection", "own kernel per connection",
                        "accept time", "stopped at"], body) + C100K_TEXT)


def render(res: Results) -> str:
    """The three parts, for a report that asks for them alone."""
    rows = res.rows(experiment="server")
    return peers_part(rows) + syscalls_part(rows) + c100k_part(rows)
