"""hello.py - lazy coroutines: calling an async function only builds a
coroutine object; nothing runs until it is awaited or made a task. Python
warns when such a coroutine is dropped; we report the warning as a row."""
import asyncio
import gc
import sys
import warnings

from peerlib import Rows, ms_since, now_ns, parse

USAGE = """usage: hello [--unit-ms K] [--csv] [--timeout S]
Calls an async function that sleeps K ms and prints Hello, never awaits
it, and lets main sleep 2K ms. asyncio prints nothing: the coroutine never
starts. Python's "never awaited" RuntimeWarning becomes one line on stderr
and the row never_awaited_warning.
  --unit-ms K  the coroutine sleeps K ms, main 2K ms (default 100)
  --csv        rows on stdout (printed 1|0, never_awaited_warning, elapsed_ms)
  --timeout S  give up after S seconds (default 60)
"""
opts = parse("hello", USAGE, {"--unit-ms": int, "--csv": bool}, {"unit_ms": 100, "csv": False})
out = Rows(opts["csv"], "hello", "lazy")
unit = opts["unit_ms"] / 1000
printed = False


async def say_hello():
    global printed
    await asyncio.sleep(unit)
    out.say("Hello")
    printed = True


async def main():
    p = say_hello()  # a coroutine object: created, never awaited
    del p
    await asyncio.sleep(2 * unit)


t0 = now_ns()
# The warning comes when the unawaited coroutine is collected; catch it so
# it does not print its own two lines in the middle of ours.
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always", RuntimeWarning)
    asyncio.run(main())
    gc.collect()
never = [w for w in caught if "never awaited" in str(w.message)]
for w in never:
    print(f"hello: python warned: {w.message} (it never ran)", file=sys.stderr)
out.row(1, "printed", 1 if printed else 0, "bool")
out.row(1, "never_awaited_warning", 1 if never else 0, "bool")
out.row(1, "elapsed_ms", ms_since(t0), "ms")
