"""foo.py - the article's foo1/foo2/bar on asyncio: main gathers both
coroutines; gather wraps each in a task, and the loop interleaves them.

Lab 07 (labs/07-languages/README.md, step 2) writes main."""
import asyncio

from peerlib import Rows, ms_since, now_ns, parse

USAGE = """usage: foo [--unit-ms K] [--csv] [--timeout S]
Runs foo1 and foo2 with asyncio.gather; prints the 8 lines.
  --unit-ms K  bar sleeps 2K ms, foo1 and foo2 3K ms (default 1)
  --csv        rows on stdout (article_order, lines, elapsed_ms), lines on stderr
  --timeout S  give up after S seconds (default 60)
"""
ARTICLE = ["foo1 start", "bar start", "foo2 start", "bar end",
           "foo1 between", "foo2 between", "foo1 end", "foo2 end"]

opts = parse("foo", USAGE, {"--unit-ms": int, "--csv": bool}, {"unit_ms": 1, "csv": False})
out = Rows(opts["csv"], "foo", "gather")
unit = opts["unit_ms"] / 1000
seen = []


def log(line):
    seen.append(line)
    out.say(line)


async def bar():
    log("bar start")
    await asyncio.sleep(2 * unit)
    log("bar end")


async def foo1():
    log("foo1 start")
    await bar()
    log("foo1 between")
    await asyncio.sleep(3 * unit)
    log("foo1 end")


async def foo2():
    log("foo2 start")
    await asyncio.sleep(3 * unit)
    log("foo2 between")
    await asyncio.sleep(3 * unit)
    log("foo2 end")


#ifdef YL_HANDOUT_LAB07
async def main():
    # LAB 07: run foo1 and foo2 at the same time on the one event loop,
    # as the article's JavaScript main does. This stub awaits one after the
    # other: foo2 starts only once foo1 has ended.
    await foo1()
    await foo2()
#else
# The solution. Python reads the marker lines as comments, so both
# definitions are live and the last one wins; the handout keeps only the
# stub (labs/README.md, "Solution markers").
async def main():
    await asyncio.gather(foo1(), foo2())
#endif


t0 = now_ns()
asyncio.run(main())
out.row(8, "article_order", 1 if seen == ARTICLE else 0, "bool")
out.row(8, "lines", len(seen), "count")
out.row(8, "elapsed_ms", ms_since(t0), "ms")
