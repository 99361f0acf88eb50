"""reportlib - what the report's sections import: the rows of one results
folder (data.csv, read once), the one place numbers get their units,
Markdown tables and the figures drawn with gnuplot.

The contract sections code against is in README.md ("Writing a report
section"); plots/report.py puts the sections together.
"""
import csv
import dataclasses
import pathlib
import shutil
import subprocess
import sys

PROG = "report.py"
PLOTS = pathlib.Path(__file__).resolve().parent
ROOT = PLOTS.parent
HEADER = ["experiment", "model", "variant", "cpus", "n", "metric", "value", "unit"]


class ReportError(Exception):
    """A one-line error for stderr, and the exit code that goes with it."""

    def __init__(self, message: str, exit_code: int = 2):
        super().__init__(message)
        self.exit_code = exit_code


@dataclasses.dataclass(frozen=True)
class Row:
    """One line of data.csv: the median `value` of `reps` runs, and the
    fastest and slowest of them (a program's own 8-column CSV has no
    spread: min = max = value, reps = 1)."""

    experiment: str
    model: str
    variant: str
    cpus: str
    n: int
    metric: str
    value: float
    unit: str
    min: float
    max: float
    reps: int


def parse_row(fields: list[str]) -> Row:
    """The Row of one CSV record; ValueError when a number is not one."""
    value = float(fields[6])
    has_spread = len(fields) >= 10
    return Row(
        experiment=fields[0], model=fields[1], variant=fields[2], cpus=fields[3],
        n=int(fields[4]), metric=fields[5], value=value, unit=fields[7],
        min=float(fields[8]) if has_spread else value,
        max=float(fields[9]) if has_spread else value,
        reps=int(fields[10]) if len(fields) >= 11 else 1,
    )


def read_rows(data_csv: pathlib.Path) -> list[Row]:
    """Every row of data_csv, typed; ReportError on a bad header or row."""
    with open(data_csv, newline="", encoding="utf-8") as f:
        records = list(csv.reader(f))
    if not records or records[0][:len(HEADER)] != HEADER:
        raise ReportError(f"{data_csv}: not a yieldlab CSV (bad header)")
    rows = []
    for line_number, fields in enumerate(records[1:], start=2):
        if not fields:
            continue
        try:
            rows.append(parse_row(fields))
        except (ValueError, IndexError):
            raise ReportError(f"{data_csv}: line {line_number} is not a yieldlab row: {','.join(fields)}") from None
    return rows


def read_env(env_txt: pathlib.Path) -> dict[str, str]:
    """env.txt's `key: value` lines (`key=value` too), first one wins;
    empty when the file is absent."""
    env: dict[str, str] = {}
    if not env_txt.is_file():
        return env
    for line in env_txt.read_text(encoding="utf-8", errors="replace").splitlines():
        if ": " in line:
            key, value = line.split(": ", 1)
        elif "=" in line:
            key, value = line.split("=", 1)
        else:
            continue
        env.setdefault(key, value)
    return env


def report_name(folder: pathlib.Path) -> str:
    """The folder as the report names it: relative to the tree when inside
    it, with links (results/latest) resolved so a printed command stays
    right after the next run."""
    real = folder.resolve()
    if real.is_relative_to(ROOT) and real != ROOT:
        return str(real.relative_to(ROOT))
    return str(real)


class Results:
    """One results folder: its rows, its env.txt, and the count of the
    figures drawn into it so far (and of those gnuplot failed on)."""

    def __init__(self, folder: pathlib.Path, rows: list[Row], env: dict[str, str]):
        self.dir = folder
        self.all_rows = rows
        self.env = env
        self.rdir = report_name(folder)
        self.figures_drawn = 0
        self.figures_failed = 0

    @classmethod
    def load(cls, folder) -> "Results":
        """Reads folder/data.csv once (and env.txt); ReportError when the
        folder, the file or its header is missing."""
        folder = pathlib.Path(folder)
        if not folder.is_dir():
            raise ReportError(f"{folder}: no such folder")
        data_csv = folder / "data.csv"
        if not data_csv.is_file():
            raise ReportError(f"{data_csv}: not found (run make bench, or yl-bench --out {folder})")
        return cls(folder, read_rows(data_csv), read_env(folder / "env.txt"))

    def rows(self, **where) -> list[Row]:
        """The rows whose fields equal every keyword given, in file order."""
        return [row for row in self.all_rows
                if all(getattr(row, field) == wanted for field, wanted in where.items())]

    def value(self, **where) -> float | None:
        """The value of the first row matching where, None when none does."""
        matching = self.rows(**where)
        return matching[0].value if matching else None

    def has(self, **where) -> bool:
        """True when some row matches where."""
        return bool(self.rows(**where))

    def trace_files(self, pattern: str, non_empty: bool = False) -> list[pathlib.Path]:
        """The files of the folder matching a glob, sorted by name (with
        non_empty, only those that hold something)."""
        return sorted(path for path in self.dir.glob(pattern)
                      if path.is_file() and (not non_empty or path.stat().st_size > 0))


def pivot(rows: list[Row], *fields: str) -> dict[tuple, dict[str, Row]]:
    """The rows grouped by the values of fields, groups in order of first
    appearance, each group a {metric: row} dict (of two rows of one metric
    the later wins)."""
    groups: dict[tuple, dict[str, Row]] = {}
    for row in rows:
        key = tuple(getattr(row, field) for field in fields)
        groups.setdefault(key, {})[row.metric] = row
    return groups


def series_name(row: Row) -> str:
    """"model/variant", and "@cpus" when the run was pinned: a figure's series."""
    return f"{row.model}/{row.variant}" + ("" if row.cpus == "-" else f"@{row.cpus}")


def series_by_n(rows: list[Row]) -> dict[str, dict[int, dict[str, Row]]]:
    """The rows by series_name, then by n (both in order of first
    appearance), then by metric: the lines of a figure over N."""
    series: dict[str, dict[int, dict[str, Row]]] = {}
    for row in rows:
        series.setdefault(series_name(row), {}).setdefault(row.n, {})[row.metric] = row
    return series


def series_blocks(series: dict[str, dict[int, dict[str, Row]]], columns: str, point) -> str:
    """One gnuplot block per series ("# NAME: columns", then the line
    point(n, metrics) for each n), blocks separated by two blank lines."""
    blocks = []
    for name, by_n in series.items():
        lines = [f"# {name}: {columns}"] + [point(n, metrics) for n, metrics in by_n.items()]
        blocks.append("\n".join(lines) + "\n\n\n")
    return "".join(blocks)


def is_cross(row: Row) -> bool:
    """True for a run spread over CPUs ("0+1"), not pinned to one."""
    return "+" in row.cpus


def is_one_core(row: Row) -> bool:
    """True for a run pinned to one CPU (neither "0+1" nor unpinned "-")."""
    return row.cpus != "-" and not is_cross(row)


# ------------------------------------------------------------- numbers

def data_number(value: float) -> str:
    """A number as data for a program (plotdata, the raw table): up to 10
    significant digits, whole numbers without a fraction."""
    return f"{value:.10g}"


def data_cell(metrics: dict[str, Row], metric: str, missing: str = "-") -> str:
    """The value of metrics[metric] as data, or missing without it."""
    return data_number(metrics[metric].value) if metric in metrics else missing


def spread_columns(row: Row | None) -> str:
    """"median min max" of a row for a figure, "? ? ?" without one."""
    return " ".join(data_number(x) for x in (row.value, row.min, row.max)) if row else "? ? ?"


def plain_number(value: float) -> str:
    """A unitless number: whole numbers whole, others to 3 significant
    digits (no fraction from 100 up)."""
    if value != value:  # NaN
        return "nan"
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    if abs(value) >= 100:
        return f"{value:.0f}"
    return f"{value:.3g}"


def format_ns(ns: float) -> str:
    if ns < 10:
        return f"{ns:.1f} ns"
    if ns < 1000:
        return f"{ns:.0f} ns"
    if ns < 1e6:
        return f"{ns / 1e3:.1f} µs"
    if ns < 1e9:
        return f"{ns / 1e6:.1f} ms"
    return f"{ns / 1e9:.2f} s"


def format_bytes(size: float) -> str:
    if size < 1024:
        return f"{size:.0f} B"
    if size < 1024 ** 2:
        return f"{size / 1024:.1f} KiB"
    if size < 1024 ** 3:
        return f"{size / 1024 ** 2:.1f} MiB"
    return f"{size / 1024 ** 3:.1f} GiB"


NS_PER_UNIT = {"ns": 1, "us": 1e3, "µs": 1e3, "ms": 1e6, "s": 1e9}


def fmt(value: float | None, unit: str) -> str:
    """The one place a number gets its unit: times (ns, us, ms, s) scale
    to ns/µs/ms/s, B to B/KiB/MiB/GiB, anything else (count, ...) is a
    plain number; "-" for no value."""
    if value is None:
        return "-"
    if unit in NS_PER_UNIT:
        return format_ns(value * NS_PER_UNIT[unit])
    if unit == "B":
        return format_bytes(value)
    return plain_number(value)


def fmt_in(value: float, unit: str, shown_unit: str, digits: int) -> str:
    """value (in unit) shown in shown_unit with a fixed number of decimals,
    for columns and sentences that keep one unit: fmt_in(2.5e6, "ns", "ms", 3)
    is "2.500 ms"."""
    scale = NS_PER_UNIT[unit] / NS_PER_UNIT[shown_unit]
    return f"{value * scale:.{digits}f} {shown_unit.replace('us', 'µs')}"


def fmt_range(row: Row) -> str:
    """" (fastest – slowest)" of a row's runs, "" when they print the same."""
    low, high = fmt(row.min, row.unit), fmt(row.max, row.unit)
    return "" if low == high else f" ({low} – {high})"


def fmt_value(row: Row | None) -> str:
    """A row's median with its unit; "-" for no row."""
    return "-" if row is None else fmt(row.value, row.unit)


def fmt_row(row: Row | None) -> str:
    """A row's median with its unit and its range; "-" for no row."""
    if row is None:
        return "-"
    return fmt(row.value, row.unit) + fmt_range(row)


def plural(n, word: str) -> str:
    """"1 thread", "3 threads", "2 processes"."""
    if n == 1:
        return f"1 {word}"
    if word.endswith("s"):
        return f"{n} {word}es"
    return f"{n} {word}s"


# ------------------------------------------------------------- Markdown

def md_table(header: list[str], body: list[list[str]]) -> str:
    """A Markdown table, with a blank line after it."""
    def table_line(cells):
        return "|" + "".join(f" {cell} |" if cell else " |" for cell in cells)
    lines = [table_line(header), table_line(["---"] * len(header))]
    lines += [table_line(cells) for cells in body]
    return "\n".join(lines) + "\n\n"


def gnuplot_value(value) -> str:
    """A Python value as a gnuplot -e assignment's right-hand side."""
    if isinstance(value, str):
        return "'" + value + "'"
    return data_number(value)


def gnuplot_assignments(data_file: str, png_file: str, variables: dict) -> str:
    assignments = [f"in='{data_file}'", f"out='{png_file}'"]
    assignments += [f"{name}={gnuplot_value(value)}" for name, value in variables.items()]
    return "; ".join(assignments)


def figure(res: Results, name: str, data: str, caption: str,
           script: str | None = None, variables: dict | None = None) -> str:
    """Writes plotdata/NAME.dat (data: gnuplot's format), draws NAME.png
    with plots/SCRIPT.gp (SCRIPT defaults to NAME; variables become -e
    assignments after in= and out=) and returns the Markdown that shows it
    with the command that redraws it. When gnuplot fails it says so on
    stderr, counts the failure and returns a line saying so instead."""
    script = script or name
    variables = variables or {}
    plotdata = res.dir / "plotdata"
    plotdata.mkdir(exist_ok=True)
    (plotdata / f"{name}.dat").write_text(data, encoding="utf-8")
    png = res.dir / f"{name}.png"
    try:
        png.unlink(missing_ok=True)
    except OSError:
        pass  # gnuplot will fail to write it, and say why
    log = plotdata / f"{name}.log"
    # Run inside the folder, so its name never has to survive gnuplot's quoting.
    command = ["gnuplot", "-e", gnuplot_assignments(f"plotdata/{name}.dat", f"{name}.png", variables),
               str(PLOTS / f"{script}.gp")]
    with open(log, "w", encoding="utf-8") as log_file:
        status = subprocess.run(command, cwd=res.dir, stderr=log_file).returncode
    if status != 0 or not png.is_file() or png.stat().st_size == 0:
        print(f"{PROG}: gnuplot failed on {name}:", file=sys.stderr)
        sys.stderr.write(log.read_text(encoding="utf-8", errors="replace"))
        res.figures_failed += 1
        return f"(The figure {name} could not be drawn; see the messages of {PROG}.)\n\n"
    res.figures_drawn += 1
    redraw = gnuplot_assignments(f"{res.rdir}/plotdata/{name}.dat", f"{res.rdir}/{name}.png", variables)
    return (f"![{caption}]({name}.png)\n\n"
            f"*Figure {res.figures_drawn} (`{name}.png`): {caption}* Redraw it alone with\n"
            f"`gnuplot -e \"{redraw}\" plots/{script}.gp`\n"
            f"(the data it draws is `{res.rdir}/plotdata/{name}.dat`).\n\n")


def have_gnuplot() -> bool:
    return shutil.which("gnuplot") is not None
