"""spawn.py - N asyncio tasks alive at once, each in asyncio.sleep: the peer
side of yl-peer-spawn, which measures this process's memory (protocol in
peers/README.md).

Lab 07 (labs/07-languages/README.md, step 2) writes main."""
import asyncio
import gc
import os
import sys

from peerlib import now_ns, parse

USAGE = """usage: spawn --n N [--sleep-ms S] [--timeout S]
Run by yl-peer-spawn, which measures the memory: prints "base", waits for a
line on stdin, creates N tasks that each await asyncio.sleep(S ms), prints
"ready N CREATE_NS task" once all N are inside their sleep, and exits 0
when stdin closes.
  --n N         tasks alive at once (default 1000)
  --sleep-ms S  each one's sleep (default 60000)
  --timeout S   give up after S seconds (default 600)
"""
opts = parse("spawn", USAGE, {"--n": int, "--sleep-ms": int},
             {"n": 1000, "sleep_ms": 60000, "timeout": 600})


def stdin_lines(loop):
    """A queue that gets one item per read from stdin, None at EOF."""
    q = asyncio.Queue()
    fd = sys.stdin.fileno()

    def readable():
        data = os.read(fd, 4096)
        if not data:
            loop.remove_reader(fd)
        q.put_nowait(data or None)

    loop.add_reader(fd, readable)
    return q


async def unit(count, n, all_in):
    """One task: counts itself in (the last one opens the gate), then sleeps."""
    count["in"] += 1
    if count["in"] == n:
        all_in.set()
    await asyncio.sleep(opts["sleep_ms"] / 1000)


#ifdef YL_HANDOUT_LAB07
async def main():
    # LAB 07: speak yl-peer-spawn's protocol (peers/README.md): print
    # "base", wait for a line on stdin (stdin_lines), create N tasks of
    # unit(), wait until all N are in, print "ready N CREATE_NS task", then
    # wait for the end of stdin. This stub says ready at once: no "base",
    # and not one task has started yet.
    n = opts["n"]
    all_in = asyncio.Event()
    tasks = [asyncio.create_task(unit({"in": 0}, n, all_in)) for _ in range(n)]
    print(f"ready {n} 0 task", flush=True)
    del tasks
#else
# The solution. Python reads the marker lines as comments, so both
# definitions are live and the last one wins; the handout keeps only the
# stub (labs/README.md, "Solution markers").
async def main():
    n = opts["n"]
    lines = stdin_lines(asyncio.get_running_loop())
    all_in = asyncio.Event()
    count = {"in": 0}
    gc.collect()
    print("base", flush=True)
    if await lines.get() is None:
        return
    t0 = now_ns()
    tasks = [asyncio.create_task(unit(count, n, all_in)) for _ in range(n)]
    # Tasks start at the loop's next turn: wait until the last one is in.
    if n:
        await all_in.wait()
    ns = now_ns() - t0
    gc.collect()
    print(f"ready {n} {ns} task", flush=True)
    while await lines.get() is not None:
        pass
    del tasks
#endif


loop = asyncio.new_event_loop()
loop.run_until_complete(main())
# Exit at once: cancelling N sleeping tasks one by one is not what we measure.
sys.stdout.flush()
os._exit(0)
