"""reportfigure - the report's figures: plotdata/NAME.dat written, drawn by
gnuplot with plots/NAME.gp inside the results folder, and the Markdown
that shows the figure. reportlib passes figure on to the sections."""
import pathlib
import shutil
import subprocess
import sys

from reportformat import data_number

PROG = "report.py"
PLOTS = pathlib.Path(__file__).resolve().parent


def gnuplot_value(value) -> str:
    """A Python value as a gnuplot -e assignment's right-hand side."""
    if isinstance(value, str):
        return "'" + value + "'"
    return data_number(value)


def gnuplot_assignments(data_file: str, png_file: str, variables: dict) -> str:
    assignments = [f"in='{data_file}'", f"out='{png_file}'"]
    assignments += [f"{name}={gnuplot_value(value)}" for name, value in variables.items()]
    return "; ".join(assignments)


def figure(res, name: str, data: str, caption: str,
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
