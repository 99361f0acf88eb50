"""reportformat - numbers and Markdown for the report: the one place a
number gets its unit (fmt), the digits of numbers written as data, and
tables. reportlib passes all of it on to the sections."""


def data_number(value: float) -> str:
    """A number as data for a program (plotdata, the raw table): up to 10
    significant digits, whole numbers without a fraction."""
    return f"{value:.10g}"


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


def plural(n, word: str) -> str:
    """"1 thread", "3 threads", "2 processes"."""
    if n == 1:
        return f"1 {word}"
    if word.endswith("s"):
        return f"{n} {word}es"
    return f"{n} {word}s"


def md_table(header: list[str], body: list[list[str]]) -> str:
    """A Markdown table, with a blank line after it."""
    def table_line(cells):
        return "|" + "".join(f" {cell} |" if cell else " |" for cell in cells)
    lines = [table_line(header), table_line(["---"] * len(header))]
    lines += [table_line(cells) for cells in body]
    return "\n".join(lines) + "\n\n"
