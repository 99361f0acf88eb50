"""One HTTP server, three models, a real client: server rows of yl-load
and wrk. Throughput and latency of /hello (req_per_s, lat_p50_ms,
lat_p90_ms, lat_p99_ms, errors per model, variant, cpus and C) and the
/sleep load (sleep_* rows) here; memory per idle connection
(sections/server_memory.py), the request mix (sections/server_mix.py),
the peers beside ours, system calls per request and C100K
(sections/server_peers.py) beside it. env.txt's wrk line names the client."""
from reportlib import (Results, data_cell, data_number, figure, fmt, fmt_row, fmt_value, md_table, pivot,
                       series_blocks, series_by_n)
from sections.server_memory import memory_part
from sections.server_mix import mix_part
from sections.server_peers import c100k_part, peers_part, syscalls_part

HELLO_TEXT = """wrk keeps C connections open and sends the next request on each as soon as
the reply is in, with one thread per client CPU. At C = 1 every model waits
on the round trip through the loopback and the two schedulers. As C grows
there is work queued on both cores, and what counts is the price of going
from one connection to the next: a task returns to its worker's loop,
which takes many ready sockets from one `epoll_wait`; a thread per
connection blocks in `read` and needs the kernel to wake it, one switch
through the kernel per request, and with a thousand threads the run
queues and the p99 grow. The executors differ too: `sharded` keeps each
connection on the worker that accepted it, so its wake-ups stay on one
core; `stealing` lets a task move, and a task that moves pays for it
(a wake-up across cores, its stack's cache lines on the other core).
The client competes for the same two cores, so a model that leaves more
CPU to wrk also gets more requests sent to it. Prefork and pool workers
serve one keep-alive connection at a time, so they need a worker per
connection (at most 64 here): their lines stop at C = 50.

"""

SLEEP_TEXT = """Every connection loops on `/sleep?ms=10`: a request that waits 10 ms on a
timer, the way a handler waits for a database. C connections can ask for
at most C / 10 ms requests per second (100 000 at C = 1000); what keeps a
model below that ceiling is what each wait and wake-up costs on the two
cores the client shares. A waiting task is an entry in the timer wheel
and a parked stack, and its worker wakes once for all the timers that are
due; a waiting thread sleeps in `nanosleep` with its own kernel stack,
and each of the C wake-ups is a trip through the kernel's scheduler. Both
hold the thousand connections; the columns say at what throughput, what
latency beyond the 10 ms, and what memory per connection (the server's
growth while the load runs, taken halfway through the run).

"""


def positive(metrics, metric) -> str:
    return data_number(metrics[metric].value) if metric in metrics and metrics[metric].value > 0 else "?"


def hello_point(c: int, m) -> str:
    return f"{c} {data_cell(m, 'req_per_s', '?')} {positive(m, 'lat_p50_ms')} {positive(m, 'lat_p99_ms')}"


def at_a_thousand(rows) -> str:
    requests = {f"{row.model}/{row.variant}": row for row in rows if row.metric == "req_per_s" and row.n == 1000}
    threads = requests.get("threads/per-conn")
    if not threads or threads.value <= 0:
        return ""
    said = [f"{name} answered {fmt(row.value, row.unit)} requests/s, {row.value / threads.value:.2f} times"
            f" threads/per-conn ({fmt(threads.value, threads.unit)})"
            for name, row in requests.items() if name.startswith("tasks/")]
    return "At C = 1000, " + "; ".join(said) + "; the target is at least 1 for tasks.\n\n" if said else ""


def hello_part(res: Results, rows) -> str:
    series = series_by_n([row for row in rows if row.metric in ("req_per_s", "lat_p50_ms", "lat_p99_ms")])
    data, titles = series_blocks(series, "C req_per_s p50_ms p99_ms", hello_point), list(series)
    text = "### Throughput and latency of /hello\n\n"
    text += figure(res, "server-throughput", data, "requests per second of GET /hello through wrk against the"
                   " connections C, log x.", script="server_throughput", variables={"titles": " ".join(titles)})
    text += figure(res, "server-latency", data, "median and 99th percentile latency of GET /hello against C,"
                   " log-log.", script="server_latency", variables={"titles": " ".join(titles)})
    wanted = [row for row in rows if row.metric in ("req_per_s", "lat_p50_ms", "lat_p90_ms", "lat_p99_ms", "errors")]
    body = [[model, variant, cpus, str(c), fmt_row(m.get("req_per_s")), fmt_value(m.get("lat_p50_ms")),
             fmt_value(m.get("lat_p90_ms")), fmt_value(m.get("lat_p99_ms")),
             data_cell(m, "errors")]
            for (model, variant, cpus, c), m in pivot(wanted, "model", "variant", "cpus", "n").items()]
    text += md_table(["model", "variant", "cpus", "C", "requests/s", "p50", "p90", "p99", "errors"], body)
    return text + HELLO_TEXT + at_a_thousand(rows)


def sleep_part(rows) -> str:
    wanted = [row for row in rows if row.metric.startswith("sleep_")]
    body = [[model, variant, cpus, str(c), fmt_value(m.get("sleep_req_per_s")),
             fmt_value(m.get("sleep_p50_ms")), fmt_value(m.get("sleep_p99_ms")),
             fmt_value(m.get("sleep_user_bytes_per_conn")), fmt_value(m.get("sleep_kernel_bytes_per_conn")),
             data_cell(m, "sleep_server_threads")]
            for (model, variant, cpus, c), m in pivot(wanted, "model", "variant", "cpus", "n").items()]
    return ("### /sleep: many connections waiting at once\n\n"
            + md_table(["model", "variant", "cpus", "C", "requests/s", "p50", "p99", "user per conn",
                        "kernel per conn", "server threads"], body) + SLEEP_TEXT)


def render(res: Results) -> str:
    rows = res.rows(experiment="server")
    if not rows:
        return ""
    cpus = ", ".join(dict.fromkeys(row.cpus for row in rows)).replace("+", " and ")
    text = f"""## One HTTP server, three models, a real client

The same small HTTP/1.1 server (`GET /hello`, `/work?us=K` for K µs of
CPU, `/sleep?ms=K` for a K ms timer; keep-alive) written three ways:
**tasks**, one libyl task per connection (`single`: one worker;
`sharded`: a listening socket per worker, SO_REUSEPORT, a connection
never moves; `stealing`: one accept task, connection tasks move between
workers), **threads**, one thread per connection (`per-conn`) or a fixed
pool, and **procs**, a process per connection (`per-conn`, fork on
accept) or W prefork workers. `yl-load` starts the server, loads it over
127.0.0.1 and stops it. The server and the client run on the same cores
(cpus {cpus}, written `0+1`): on a 2-core machine a split would
leave the server a single core, and a real client is never free either.
Throughput and latency come from **wrk** ({res.env.get("wrk", "?")}); idle connections,
the request mix and the /sleep load from yl-load's own epoll client.

"""
    metrics = {row.metric for row in rows}
    if "req_per_s" in metrics:
        text += hello_part(res, rows) + peers_part(rows)
    text += syscalls_part(rows)
    if "user_bytes_per_conn" in metrics:
        text += memory_part(res, rows) + c100k_part(rows)
    if "light_p99_ms" in metrics:
        text += mix_part(res, rows)
    if "sleep_req_per_s" in metrics:
        text += sleep_part(rows)
    return text
