"""counter.py - the article's lost update on asyncio: every task reads a
counter file, awaits, and writes it back plus one. The file IO runs in the
default executor (asyncio.to_thread); while a task waits, the others run."""
import asyncio
import os
import shutil
import tempfile

from peerlib import Rows, ms_since, now_ns, parse

USAGE = """usage: counter [--n N] [--fix none|lock] [--file PATH] [--csv] [--timeout S]
N asyncio tasks each add 1 to a counter kept in a file: read (in a
thread, awaited), write back plus one (in a thread, awaited).
  --n N        tasks, one increment each (default 1000)
  --fix F      none: nothing between read and write (loses updates);
               lock: asyncio.Lock around read and write
  --file PATH  the counter file (default: a temporary file, removed at exit)
  --csv        rows on stdout (expected, final, lost, units, elapsed_ms)
  --timeout S  give up after S seconds (default 60)
"""
opts = parse("counter", USAGE, {"--n": int, "--fix": ("none", "lock"), "--file": str, "--csv": bool},
             {"n": 1000, "fix": "none", "file": "", "csv": False})

WIDTH = 20  # fixed width at offset 0: a late smaller write leaves no digits behind


def read_count(fd):
    return int(os.pread(fd, WIDTH, 0).decode().strip() or "0")


def write_count(fd, v):
    os.pwrite(fd, str(v).zfill(WIDTH).encode(), 0)


async def increment(fd, lock):
    if lock is None:
        v = await asyncio.to_thread(read_count, fd)  # a yield point
        await asyncio.to_thread(write_count, fd, v + 1)
        return
    async with lock:
        v = await asyncio.to_thread(read_count, fd)
        await asyncio.to_thread(write_count, fd, v + 1)


async def main(fd):
    lock = asyncio.Lock() if opts["fix"] == "lock" else None
    t0 = now_ns()
    await asyncio.gather(*(increment(fd, lock) for _ in range(opts["n"])))
    return ms_since(t0)


def run():
    tmp = "" if opts["file"] else tempfile.mkdtemp(prefix="yl-counter-")
    path = opts["file"] or os.path.join(tmp, "counter")
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            write_count(fd, 0)
            ms = asyncio.run(main(fd))
            final = read_count(fd)
        finally:
            os.close(fd)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    n = opts["n"]
    out = Rows(opts["csv"], "counter", opts["fix"])
    out.row(n, "expected", n, "count")
    out.row(n, "final", final, "count")
    out.row(n, "lost", n - final, "count")
    out.row(n, "units", n, "count")
    out.row(n, "elapsed_ms", ms, "ms")


run()
