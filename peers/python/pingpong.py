"""pingpong.py - two coroutines hand a token back and forth through
asyncio.Event (set, then the waiter resumes from the loop's ready queue)
or through a fresh Future per hand-off."""
import asyncio

from peerlib import Rows, now_ns, parse

USAGE = """usage: pingpong [--iters M] [--variant event|future] [--cpus LIST] [--csv] [--timeout S]
Two asyncio tasks pass a token M times each way; one switch is one hand-off.
  --iters M     round trips, 2 switches each (default 100000)
  --variant V   event: two asyncio.Event (default); future: a new Future each turn
  --cpus LIST   run on these CPUs (sched_setaffinity)
  --csv         rows on stdout (ns_per_switch, switches, elapsed_ms)
  --timeout S   give up after S seconds (default 60)
"""
opts = parse("pingpong", USAGE, {"--iters": int, "--variant": ("event", "future"), "--csv": bool},
             {"iters": 100000, "variant": "event", "csv": False})


async def by_event(m):
    to_ping, to_pong = asyncio.Event(), asyncio.Event()

    async def pong():
        for _ in range(m):
            await to_pong.wait()
            to_pong.clear()
            to_ping.set()

    async def ping():
        for _ in range(m):
            to_pong.set()
            await to_ping.wait()
            to_ping.clear()

    await asyncio.gather(pong(), ping())


async def by_future(m):
    loop = asyncio.get_running_loop()
    box = {"pong": loop.create_future(), "ping": None}

    async def pong():
        for _ in range(m):
            await box["pong"]
            box["pong"] = loop.create_future()
            box["ping"].set_result(None)

    async def ping():
        for _ in range(m):
            box["ping"] = loop.create_future()
            box["pong"].set_result(None)
            await box["ping"]

    await asyncio.gather(pong(), ping())


async def main():
    m = opts["iters"]
    run = by_event if opts["variant"] == "event" else by_future
    t0 = now_ns()
    await run(m)
    ns = now_ns() - t0
    out = Rows(opts["csv"], "pingpong", opts["variant"], opts["cpus"])
    out.row(m, "ns_per_switch", ns / (2 * m) if m else 0, "ns")
    out.row(m, "switches", 2 * m, "count")
    out.row(m, "elapsed_ms", ns / 1e6, "ms")


asyncio.run(main())
