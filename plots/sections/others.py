"""Other results: the raw rows of every experiment that no section
presents (those not in report.py's OWN), as measured."""
from reportlib import Results, data_number, md_table
from report import OWN


def render(res: Results) -> str:
    rows = [row for row in res.rows() if row.experiment not in OWN]
    if not rows:
        return ""
    body = [[row.experiment, row.model, row.variant, row.cpus, str(row.n), row.metric,
             data_number(row.value), f"{data_number(row.min)} – {data_number(row.max)}", row.unit]
            for row in rows]
    return ("## Other results\n\nExperiments this report has no section for yet, as measured:\n\n"
            + md_table(["experiment", "model", "variant", "cpus", "n", "metric", "median", "min – max", "unit"], body))
