"""hello.py - lazy coroutines: calling an async function only builds a
coroutine object; nothing runs until it is awaited or made a task. Python
warns when such a coroutine is dropped; we report the warning as a row.

Lab 07 (labs/07-languages/README.md, step 2) writes main and
run_reporting_warnings."""
import asyncio
import gc
import sys
import warnings

from peerlib import Rows, ms_since, now_ns, parse

USAGE = """usage: hello [--unit-ms K] [--await] [--csv] [--timeout S]
Calls an async function that sleeps K ms and prints Hello and lets main
sleep 2K ms. Without --await nobody awaits it, and asyncio prints nothing:
the coroutine never starts. Python's "never awaited" RuntimeWarning
becomes one line on stderr and the row never_awaited_warning.
  --unit-ms K  the coroutine sleeps K ms, main 2K ms (default 100)
  --await      await the coroutine before main's own sleep: it prints Hello
  --csv        rows on stdout (printed 1|0, never_awaited_warning, elapsed_ms)
  --timeout S  give up after S seconds (default 60)
"""
opts = parse("hello", USAGE, {"--unit-ms": int, "--await": bool, "--csv": bool},
             {"unit_ms": 100, "await": False, "csv": False})
out = Rows(opts["csv"], "hello", "awaited" if opts["await"] else "lazy")
unit = opts["unit_ms"] / 1000
printed = False


async def say_hello():
    global printed
    await asyncio.sleep(unit)
    out.say("Hello")
    printed = True


#ifdef YL_HANDOUT_LAB07
async def main(wait):
    # LAB 07: create the coroutine p = say_hello(); await it when wait is
    # true, else drop it without awaiting; then sleep 2 units. This stub
    # never awaits p, so --await prints nothing either.
    p = say_hello()
    await asyncio.sleep(2 * unit)


def run_reporting_warnings():
    # LAB 07: run main and return the messages of the "never awaited"
    # RuntimeWarnings it caused, caught (warnings.catch_warnings) so that
    # Python does not print its own. This stub lets Python print them and
    # returns none.
    asyncio.run(main(opts["await"]))
    return []
#else
# The solution. Python reads the marker lines as comments, so both
# definitions are live and the last one wins; the handout keeps only the
# stub (labs/README.md, "Solution markers").
async def main(wait):
    p = say_hello()  # a coroutine object: nothing has run yet
    if wait:
        await p
    else:
        del p  # dropped unawaited: Python warns when it is collected
    await asyncio.sleep(2 * unit)


def run_reporting_warnings():
    # The warning comes when the unawaited coroutine is collected; record it
    # instead of letting Python print its own lines in the middle of ours.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RuntimeWarning)
        asyncio.run(main(opts["await"]))
        gc.collect()
    return [str(w.message) for w in caught if "never awaited" in str(w.message)]
#endif


t0 = now_ns()
never = run_reporting_warnings()
for message in never:
    print(f"hello: python warned: {message} (it never ran)", file=sys.stderr)
out.row(1, "printed", 1 if printed else 0, "bool")
out.row(1, "never_awaited_warning", 1 if never else 0, "bool")
out.row(1, "elapsed_ms", ms_since(t0), "ms")
