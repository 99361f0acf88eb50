"""peerlib.py - what every asyncio peer shares: our flags, our CSV rows,
pinning and the clock (peers/README.md). The measurements stay in each
program."""
import os
import re
import signal
import sys
import time

HEADER = "experiment,model,variant,cpus,n,metric,value,unit"


def usage_error(prog, msg):
    """Exits 2 with one line naming what was wrong, as our C programs do."""
    sys.stderr.write(f"{prog}: {msg}\n")
    sys.stderr.flush()
    os._exit(2)


def parse(prog, usage, spec, defaults):
    """Parses sys.argv against spec ({"--n": int, "--csv": bool, "--fix":
    ("none", "lock"), "--file": str}); --help prints usage; --timeout S
    arms a watchdog; --cpus LIST pins the process. Returns a dict keyed by
    the flag without dashes ("unit_ms")."""
    opts = {"timeout": 60, "cpus": ""}
    opts.update(defaults)
    kinds = dict(spec, **{"--timeout": int, "--cpus": "cpus"})
    argv = sys.argv[1:]
    i = 0
    while i < len(argv):
        a = argv[i]
        i += 1
        if a == "--help":
            sys.stdout.write(usage)
            sys.exit(0)
        if a not in kinds:
            usage_error(prog, f"unknown argument '{a}' (try --help)")
        kind = kinds[a]
        key = a[2:].replace("-", "_")
        if kind is bool:
            opts[key] = True
            continue
        if i >= len(argv):
            usage_error(prog, f"{a}: needs a value")
        v = argv[i]
        i += 1
        if kind is int:
            if not re.fullmatch(r"[0-9]{1,12}", v):
                usage_error(prog, f"{a}: not a whole number '{v}'")
            opts[key] = int(v)
        elif kind == "cpus":
            opts[key] = v
            pin(prog, a, v)
        elif isinstance(kind, tuple):
            if v not in kind:
                usage_error(prog, f"{a}: '{v}' is not one of {', '.join(kind)}")
            opts[key] = v
        elif not v:
            usage_error(prog, f"{a}: needs a value")
        else:
            opts[key] = v
    if opts["timeout"] > 0:
        signal.signal(signal.SIGALRM, lambda *_: timed_out(prog, opts["timeout"]))
        signal.alarm(opts["timeout"])
    return opts


def timed_out(prog, s):
    sys.stderr.write(f"{prog}: timed out after {s} s\n")
    sys.stderr.flush()
    os._exit(124)


def cpu_list(prog, flag, text):
    """ "0,2-3" -> [0, 2, 3]; exits 2 on anything else."""
    cpus = []
    for part in text.split(","):
        m = re.fullmatch(r"([0-9]+)(?:-([0-9]+))?", part)
        if not m:
            usage_error(prog, f"{flag}: not a CPU list '{text}' (like 0 or 0,1)")
        lo = int(m.group(1))
        hi = int(m.group(2) or lo)
        cpus.extend(range(lo, hi + 1))
    return cpus


def pin(prog, flag, text):
    """Pins the whole process to the CPUs of text (asyncio has one thread
    running Python, but the default executor's threads inherit it too)."""
    cpus = cpu_list(prog, flag, text)
    usable = sorted(os.sched_getaffinity(0))
    bad = [c for c in cpus if c not in usable]
    if bad:
        usage_error(prog, f"{flag}: cpu {bad[0]} is not usable (usable: "
                    f"{','.join(map(str, usable))})")
    os.sched_setaffinity(0, cpus)


def fmt(v):
    """A value as our CSV writes it: integers bare, others to 10 significant
    digits, never in exponent form."""
    if float(v).is_integer():
        return str(int(v))
    if abs(v) < 1e-6:
        return "0"
    s = f"{float(f'{v:.10g}'):f}".rstrip("0").rstrip(".")
    return s


class Rows:
    """Where a program's rows go: with csv the header and rows on stdout and
    the story on stderr; without, the story on stdout."""

    def __init__(self, csv, experiment, variant, cpus=""):
        self.csv = csv
        self.key = f"{experiment},python,{variant},{'+'.join(cpus.split(',')) if cpus else '-'}"
        self.human = f"{experiment} python/{variant}"
        if csv:
            print(HEADER, flush=True)

    def say(self, line):
        print(line, file=sys.stderr if self.csv else sys.stdout, flush=True)

    def row(self, n, metric, value, unit):
        if self.csv:
            print(f"{self.key},{n},{metric},{fmt(value)},{unit}", flush=True)
        print(f"{self.human} n={n}: {metric} = {fmt(value)} {unit}", file=sys.stderr, flush=True)


now_ns = time.monotonic_ns


def ms_since(t0):
    return (now_ns() - t0) / 1e6
