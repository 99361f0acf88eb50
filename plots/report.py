#!/usr/bin/env python3
"""report.py DIR - turns one results folder into plots and REPORT.md.

DIR holds data.csv (written by yl-bench: the 8 schema columns, then
min,max,reps; a program's own 8-column CSV works too, min = max = value),
env.txt and, for the timelines, trace-*.csv (+ trace-MODEL.out). Writes
DIR/plotdata/NAME.dat (exactly what figure NAME draws), DIR/NAME.png and
DIR/REPORT.md (through a temporary file).

The report is the list SECTIONS: each name is a module
plots/sections/NAME.py whose render(results) returns Markdown, or ""
when its rows are absent. A new experiment adds a module, its name to
SECTIONS and its experiment names to OWN, so that "Other results" stops
listing its raw rows.
"""
import importlib
import os
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from reportlib import PROG, ReportError, Results, have_gnuplot  # noqa: E402

# One name a line, so that sections added side by side merge cleanly.
SECTIONS = [
    "header",
    "machine",
    "summary",
    "memory",
    "switch",
    "yieldparts",
    "timeline",
    "counter",
    "imbalance",
    "lag",
    "peers",
    "server",
    "vm",
    "others",
    "failures",
    "regen",
]

# The experiments a section of their own presents (the rest go to "Other results").
OWN = [
    "spawn",
    "pingpong",
    "yieldparts",
    "counter",
    "imbalance",
    "lag",
    "foo",
    "hello",
    "server",
]

USAGE = """usage: plots/report.py DIR (or plots/report.sh DIR, make report RESULTS=DIR)
Draws the plots of DIR/data.csv (and DIR/trace-*.csv) with gnuplot and
writes DIR/REPORT.md. DIR is a results folder from yl-bench (make bench).
"""


def folder_argument(args: list[str]) -> str:
    """The one results folder of the command line; ReportError otherwise."""
    if not args:
        raise ReportError("missing the results folder (try --help)")
    if args[0].startswith("-"):
        raise ReportError(f"unknown flag '{args[0]}' (try --help)")
    if len(args) != 1:
        raise ReportError(f"one results folder only, got {len(args)}")
    return args[0].rstrip("/") or "/"


def render_report(res: Results) -> str:
    """Every section of SECTIONS, in order, as one Markdown text."""
    parts = []
    for name in SECTIONS:
        section = importlib.import_module(f"sections.{name}")
        parts.append(section.render(res))
    return "".join(parts)


def write_report(res: Results) -> pathlib.Path:
    """Writes REPORT.md through a temporary file, never half of it."""
    report = res.dir / "REPORT.md"
    temporary = res.dir / "REPORT.md.tmp"
    try:
        temporary.write_text(render_report(res), encoding="utf-8")
        os.replace(temporary, report)
    finally:
        temporary.unlink(missing_ok=True)
    return report


def main(args: list[str]) -> int:
    if args and args[0] in ("-h", "--help"):
        sys.stdout.write(USAGE)
        return 0
    try:
        res = Results.load(folder_argument(args))
        if not have_gnuplot():
            raise ReportError("gnuplot not found (apt-get install gnuplot-nox, or make deps)", exit_code=1)
        report = write_report(res)
    except ReportError as error:
        print(f"{PROG}: {error}", file=sys.stderr)
        return error.exit_code
    except OSError as error:  # a folder we cannot write into, a full disk
        print(f"{PROG}: {error}", file=sys.stderr)
        return 1
    if res.figures_failed > 0:
        print(f"{PROG}: {res.figures_failed} figure(s) could not be drawn; {report} says which", file=sys.stderr)
        return 1
    print(f"{PROG}: {report} ({res.figures_drawn} figures)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
