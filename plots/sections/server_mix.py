"""The unlucky worker with real requests, part of the server section:
server rows light_p50_ms, light_p99_ms, light_max_ms, heavy_p99_ms,
light_requests, heavy_requests and mix_req_per_s per model, variant,
cpus and C (yl-load's mix of /hello and /work?us=20000)."""
from reportlib import Results, data_cell, figure, fmt_in, fmt_row, fmt_value, md_table, pivot

TEXT = """yl-load's own client keeps C connections busy at a fixed rate in all
(each connection sends at its own times; a request's latency counts from
when it was due, so a stalled server cannot hide by slowing the client
down). One request in 50 is `/work?us=20000`, 20 ms of CPU with no yield
point in it; the others are /hello. The light requests' p99 says how long
the unlucky ones waited behind a heavy one.

- **Sharded** tasks: the kernel spreads connections over the workers when
  they are accepted, and a connection stays on its worker for good. A
  heavy request holds that worker for 20 ms, and every light request of
  every other connection placed there waits until it is done, while the
  other worker may sit idle. That is the unlucky worker of `imbalance`,
  met again with real requests.
- **Stealing** tasks: a task that is ready can be taken by an idle worker,
  so it should not wait behind the heavy one. Stealing alone moves work,
  not readiness: with an epoll per worker, a connection waiting for its
  socket would be registered where it last ran, and a worker busy with a
  heavy request does not look at its epoll until the unit ends. So libyl's
  stealing executor puts fd waits in one epoll that every worker's epoll
  watches: whichever worker is free sees the socket readable and runs the
  request, and the light p99 drops to the client's own noise.
- **Threads** (and **prefork** processes) per connection: the kernel
  preempts the heavy request after its time slice and runs the light ones
  on the same core; the heavy request itself takes longer, the light ones
  barely notice.

"""

DRAWN = ["light_p50_ms", "light_p99_ms", "heavy_p99_ms"]


def sharded_against_stealing(rows) -> str:
    p99 = {row.variant: row.value for row in rows if row.model == "tasks" and row.metric == "light_p99_ms"}
    sharded, stealing = p99.get("sharded", 0), p99.get("stealing", 0)
    if sharded <= 0 or stealing <= 0:
        return ""
    return (f"Here the light p99 was {fmt_in(sharded, 'ms', 'ms', 2)} sharded and {fmt_in(stealing, 'ms', 'ms', 2)}"
            f" stealing: stealing at {stealing / sharded:.2f} of sharded, against a target of at most 1/3.\n\n")


def mix_part(res: Results, rows) -> str:
    wanted = [row for row in rows if row.metric.startswith(("light_", "heavy_")) or row.metric == "mix_req_per_s"]
    body, lines = [], ["# model/variant light_p50_ms light_p99_ms heavy_p99_ms"]
    for (model, variant, cpus, c), m in pivot(wanted, "model", "variant", "cpus", "n").items():
        body.append([model, variant, cpus, str(c), fmt_value(m.get("light_p50_ms")), fmt_row(m.get("light_p99_ms")),
                     fmt_value(m.get("light_max_ms")), fmt_value(m.get("heavy_p99_ms")),
                     fmt_value(m.get("mix_req_per_s")),
                     f"{data_cell(m, 'light_requests', '')} / {data_cell(m, 'heavy_requests', '')}"])
        lines.append(f'"{model}/{variant}" ' + " ".join(data_cell(m, metric, "?") for metric in DRAWN))
    header = ["model", "variant", "cpus", "C", "light p50", "light p99", "light max", "heavy p99", "requests/s",
              "light / heavy requests"]
    return ("### The unlucky worker, with real requests\n\n" + md_table(header, body)
            + figure(res, "server-mix", "\n".join(lines) + "\n", "latency of the light requests (p50, p99) and of"
                     " the heavy ones (p99) under the mix, log scale.", script="server_mix")
            + TEXT + sharded_against_stealing(rows))
