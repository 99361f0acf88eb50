"""The languages side by side: the article's table of async runtimes with
this run's cells added, from the rows of the peers (models node, python,
go, tokio; peers/README.md) next to ours (tasks): pingpong ns_per_switch
on one core, spawn user_bytes_per_unit, foo article_order, hello printed,
counter lost and expected; env.txt's MODEL_version lines name what is not
installed. Two figures follow (sections/peers_figures.py)."""
from reportlib import Results, fmt, is_one_core, md_table
from sections.peers_figures import memory_figure, switch_figure

PEERS = ["node", "python", "go", "tokio"]
TABLE_ORDER = ["node", "python", "tokio", "go", "tasks"]
ARTICLE_ORDER = ["foo1 start", "bar start", "foo2 start", "bar end", "foo1 between", "foo2 between",
                 "foo1 end", "foo2 end"]

# What the article's table says of each runtime: language (runtime), syntax, work stealing,
# automatic or explicit start, where a task's locals live.
DESCRIBED = {
    "node": ["JavaScript (Node.js)", "async/await on promises", "no: one thread runs the event loop",
             "automatic: calling an async function starts it", "heap: the promise and the suspended function's context"],
    "python": ["Python (asyncio)", "async/await on coroutines", "no: one thread runs the loop",
               "explicit: a coroutine runs once awaited or made a task", "heap: a frame object per coroutine"],
    "tokio": ["Rust (Tokio)", "async/await on futures", "yes on the multi-thread runtime, no on current_thread",
              "explicit: a future does nothing until polled (spawned or awaited)",
              "in the future itself: a state machine sized by the compiler, boxed by spawn"],
    "go": ["Go", "the go keyword; every call may block", "yes: each P has a run queue and steals",
           "not applicable: go always starts the goroutine",
           "a stack per goroutine that starts small and grows; the heap for what escapes"],
    "tasks": ["C (libyl, ours)", "yl_spawn and yl_sleep_ms; stackless BEGIN/AWAIT/END",
              "yes with the stealing executor, no with single or sharded",
              "both: yl_spawn starts a task, a lazy one runs when awaited",
              "stackful: a pooled stack; stackless: a frame struct"],
}

INTRO = """The article compares the async runtimes of four languages in a table; here
that table is run. The same five programs (`foo`, `hello`, `pingpong`,
`spawn`, `counter`) were written for Node.js, Python's asyncio, Go and
Rust's Tokio (`peers/`), with our flags and our CSV, and measured in the
same run as libyl. The first four columns describe each runtime; the
others are what this run observed: the cheapest switch on one core, the
user memory of one waiting unit (the slope over N, measured by our own
harness, never by the runtime itself), the order of foo's 8 lines,
whether an un-awaited task printed `Hello`, and the lost updates of the
counter without and with a fix (lost of expected).

"""


def not_installed(res: Results) -> list[str]:
    lines = []
    for model in PEERS:
        version = res.env.get(f"{model}_version", "?")
        if version.startswith("not installed"):
            package = version.split("installs ", 1)[-1]
            lines.append(f"- {model}: not installed, `make deps` installs {package}")
    return lines


def cheapest(rows):
    """The row of least value, the first of equals; None for no rows."""
    return min(rows, key=lambda row: row.value) if rows else None


def switch_cell(res: Results, model: str) -> str:
    rows = [row for row in res.rows(experiment="pingpong", model=model, metric="ns_per_switch") if is_one_core(row)]
    if model != "tasks":
        best = cheapest(rows)
        return f"{fmt(best.value, 'ns')} ({best.variant})" if best else "-"
    by_variant = {row.variant: row.value for row in rows}
    cell = f"yield {fmt(by_variant['yield'], 'ns')}" if "yield" in by_variant else "-"
    return cell + (f"; raw {fmt(by_variant['raw'], 'ns')}" if "raw" in by_variant else "")


def bytes_cell(res: Results, model: str) -> str:
    best = cheapest(res.rows(experiment="spawn", model=model, metric="user_bytes_per_unit"))
    return f"{fmt(best.value, 'B')} ({best.variant}, N ≤ {best.n})" if best else "-"


def foo_cell(res: Results, model: str) -> str:
    order = res.rows(experiment="foo", model=model, metric="article_order")
    if order:
        return "the article's" if order[-1].value == 1 else "another order"
    printed = res.dir / "trace-tasks.out"
    if model != "tasks" or not res.trace_files("trace-tasks.out", non_empty=True):
        return "-"
    # Our own foo has no CSV row: its traced run printed the lines.
    lines = [line for line in printed.read_text(encoding="utf-8", errors="replace").splitlines() if line]
    return "the article's" if lines == ARTICLE_ORDER else "another order"


def hello_cell(res: Results, model: str) -> str:
    rows = [row for row in res.rows(experiment="hello", model=model, metric="printed") if row.variant != "awaited"]
    if not rows:
        return "both: yl_spawn eager, a lazy task waits for its await" if model == "tasks" else "-"
    row = rows[-1]
    printed = "Hello printed" if row.value == 1 else "nothing printed"
    return ("n/a (always runs): " if row.variant == "always" else f"{row.variant}: ") + printed


def lost_cell(res: Results, model: str) -> str:
    """The lost update (variant none), then the lock that fixes it (lock or
    mutex; else the first other fix); our in-memory and LIFO variants have
    sections of their own."""
    counts: dict[str, dict[str, float]] = {}
    for row in res.rows(experiment="counter", model=model):
        if row.metric in ("lost", "expected"):
            counts.setdefault(row.variant, {})[row.metric] = row.value
    fix = ""
    for variant, metrics in counts.items():
        if variant == "none" or variant.startswith(("mem-", "lifo")) or "lost" not in metrics:
            continue
        if not fix or variant in ("lock", "mutex"):
            fix = variant
    cells = [f"{variant} {int(counts[variant].get('lost', 0))} of {int(counts[variant].get('expected', 0))}"
             for variant in ("none", fix) if variant and "lost" in counts.get(variant, {})]
    return "; ".join(cells) or "-"


def language(res: Results, model: str) -> str:
    version = res.env.get(f"{model}_version", "") if model != "tasks" else ""
    if version in ("", "?") or version.startswith("not installed"):
        return DESCRIBED[model][0]
    return f"{DESCRIBED[model][0]}, {version}"


def checks(res: Results) -> str:
    """Whether our switch and our bytes per task beat every peer's in this run."""
    switches = [row for row in res.rows(experiment="pingpong", metric="ns_per_switch") if is_one_core(row)]
    ours = [row for row in switches if (row.model, row.variant) == ("tasks", "yield")]
    peer = cheapest([row for row in switches if row.model in PEERS])
    text = ""
    if ours and peer:
        mine, theirs = ours[-1].value, peer.value
        text += (f"Our scheduler switch (tasks/yield, {fmt(mine, 'ns')}) is {'below' if mine < theirs else 'not below'}"
                 f" the cheapest peer switch ({peer.model}/{peer.variant}, {fmt(theirs, 'ns')}):"
                 f" {(theirs / mine if mine < theirs else mine / theirs):.1f} times"
                 f" {'cheaper' if mine < theirs else 'dearer'}.\n\n")
    stackless = res.rows(experiment="spawn", model="tasks", variant="stackless", metric="user_bytes_per_unit")
    if stackless:
        ours_b = stackless[-1]
        same_n = [row for row in res.rows(experiment="spawn", metric="user_bytes_per_unit")
                  if row.model in PEERS and row.n == ours_b.n]
        best = cheapest(same_n)
        if best and best.value > 0:
            share = "at most a fifth of it" if ours_b.value <= best.value / 5 else "more than a fifth of it"
            text += (f"A stackless libyl task ({fmt(ours_b.value, 'B')} at N = {ours_b.n}) takes"
                     f" {ours_b.value / best.value:.2f} of the smallest peer task at the same N"
                     f" ({best.model}/{best.variant}, {fmt(best.value, 'B')}), {share}.\n\n")
    return text


def render(res: Results) -> str:
    missing = not_installed(res)
    if not missing and not any(row.model in PEERS for row in res.rows()):
        return ""
    text = "## The languages side by side\n\n" + INTRO
    if missing:
        text += "Not measured here:\n\n" + "\n".join(missing) + "\n\n"
    body = [[language(res, model)] + DESCRIBED[model][1:] +
            [switch_cell(res, model), bytes_cell(res, model), foo_cell(res, model), hello_cell(res, model),
             lost_cell(res, model)] for model in TABLE_ORDER]
    header = ["language (runtime)", "syntax", "work stealing", "automatic or explicit", "where a task's locals live",
              "switch, one core", "bytes per task", "foo order", "un-awaited hello", "lost updates"]
    return text + md_table(header, body) + checks(res) + switch_figure(res) + memory_figure(res)
