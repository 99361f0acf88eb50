"""The two figures of "The languages side by side": one switch on one
core in every runtime of the run, cheapest first (pingpong ns_per_switch),
and the memory of one waiting unit over N (spawn user_bytes and
kernel_bytes), each with what it shows. Used by sections/peers.py."""
from reportlib import Results, data_number, figure, fmt, is_one_core, series_blocks, series_by_n

SWITCH_TEXT = """Every bar is the same experiment: two units on one CPU pass a token back
and forth, and the elapsed time is divided by the number of hand-offs.
What differs is how much work a runtime does between "this unit waits"
and "that unit runs".

- **libyl's raw switch** saves a few registers and loads others: the
  floor. Our **yield** adds the run queue: put the current task at the
  back, take the next one.
- **Node** resolves a promise: the waiting function's continuation is
  queued as a microtask and V8 resumes the suspended async function. No
  system call, but an object allocated per hand-off, and JIT-compiled code
  in between.
- **asyncio** pays the interpreter: every step is bytecode, setting an
  `Event` schedules a callback on the loop, and each turn of the loop
  calls the selector (an `epoll_wait` system call) before it runs what is
  ready. That is why it is the dearest of the user-space runtimes, often
  dearer than a kernel thread switch.
- **Go** with one P hands the goroutine over in its own scheduler: the
  channel operation parks the sender and readies the receiver, no kernel
  involved. **Tokio** on a current-thread runtime wakes the other task
  through its waker and polls it from the run queue.
- **Threads and processes** go through the kernel's scheduler on every
  switch: a futex or a pipe, a system call, and for processes a change
  of address space.

"""

MEMORY_TEXT = """Each point is the memory that appeared while N units waited on a timer,
divided by N; a peer's memory is measured from outside, by our harness
(`yl-peer-spawn`), between the moment its runtime was up and the moment
all N units were alive, so its interpreter or runtime does not count.

- A **stackless libyl task** is a header and the frame struct of its
  function, laid out by hand: the least a task can be.
- A **Tokio task** is the future itself, a state machine the compiler
  sized for the deepest await, boxed by `tokio::spawn` with the task's
  header. Its timer entry lives inside that future (`Sleep` holds the
  timer wheel's entry), so a sleeping task carries its timer with it and
  is larger than the few words of its own locals.
- A **goroutine** owns a real stack that starts at a few KiB and is grown
  by copying when a call would overflow it, plus the runtime's `g`
  descriptor: more than a future, much less than a thread, and no kernel
  object at all.
- A **Node** unit is several heap objects: the async function's suspended
  context, its promise, the promise of the sleep with its resolve
  functions, and a `Timeout` object in the timer lists.
- An **asyncio** task is a `Task`, a coroutine with its frame, the
  `Future` of the sleep and a `TimerHandle` in the loop's heap, each a
  Python object with its header and no more than that: the largest of
  the user-space units.
- **Threads and processes** add the kernel's side: a kernel stack and a
  `task_struct` each, and for processes an address space.

"""

# The bar colours of peers_switch.gp: ours, the peers, the kernel's units.
FAMILY = {"tasks": 1, "threads": 4, "procs": 4}


def switches_compared(first: dict) -> str:
    """One sentence per runtime: its cheapest switch against our yield."""
    cheapest: dict[str, float] = {}
    for name, row in first.items():
        cheapest[row.model] = min(row.value, cheapest.get(row.model, row.value))
    ours = first["tasks/yield"].value if "tasks/yield" in first else None
    parts = []
    if ours and "node" in cheapest:
        parts.append(f"Here a Node hand-off took {fmt(cheapest['node'], 'ns')},"
                     f" {cheapest['node'] / ours:.0f} times our yield;")
    if ours and "python" in cheapest:
        parts.append(f"an asyncio one {fmt(cheapest['python'], 'ns')}, {cheapest['python'] / ours:.0f} times;")
    if ours and "go" in cheapest:
        parts.append(f"a Go channel hand-off {fmt(cheapest['go'], 'ns')};")
    if ours and "tokio" in cheapest:
        parts.append(f"a Tokio one {fmt(cheapest['tokio'], 'ns')};")
    if "threads" in cheapest:
        parts.append(f"a thread switch through the kernel {fmt(cheapest['threads'], 'ns')}.")
    return " ".join(parts) + "\n\n" if parts else ""


def switch_figure(res: Results) -> str:
    first: dict = {}
    for row in res.rows(experiment="pingpong", metric="ns_per_switch"):
        if is_one_core(row):
            first.setdefault(f"{row.model}/{row.variant}", row)
    if not first:
        return ""
    lines = ["# model/variant median_ns min_ns max_ns family"]
    for name, row in sorted(first.items(), key=lambda item: item[1].value):
        lines.append(f'"{name}" {data_number(row.value)} {data_number(row.min)} {data_number(row.max)}'
                     f" {FAMILY.get(row.model, 2)}")
    return ("### What one switch costs in each runtime\n\n"
            + figure(res, "peers-switch", "\n".join(lines) + "\n", "one switch between two units on one core,"
                     " every runtime of this run, cheapest first, log scale.", script="peers_switch")
            + switches_compared(first) + SWITCH_TEXT)


def both_sides_per_unit(n: int, metrics) -> str:
    total = sum(row.value for row in metrics.values())
    return f"{n} {data_number(total / n) if total > 0 else '?'}"


def memory_figure(res: Results) -> str:
    # The heap-timer variants of our tasks cost what the wheel ones do:
    # leave them to the memory section, so the lines here stay readable.
    rows = [row for row in res.rows(experiment="spawn")
            if row.n > 0 and row.metric in ("user_bytes", "kernel_bytes")
            and not (row.model == "tasks" and "heap" in row.variant)]
    series = series_by_n(rows)
    if not series:
        return ""
    return ("### What one waiting unit costs in each runtime\n\n"
            + figure(res, "peers-memory", series_blocks(series, "N bytes_per_unit", both_sides_per_unit),
                     "memory per unit (user and kernel side together)"
                     " against N units alive, every runtime of this run, log-log.", script="peers_memory",
                     variables={"titles": " ".join(series)})
            + MEMORY_TEXT)
