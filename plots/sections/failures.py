"""The experiments that failed, from failures.txt (tab-separated:
experiment, profile line, command, what happened); "" without it."""
from reportlib import Results, md_table


def render(res: Results) -> str:
    failures = res.dir / "failures.txt"
    if not failures.is_file() or failures.stat().st_size == 0:
        return ""
    body = []
    for line in failures.read_text(encoding="utf-8", errors="replace").splitlines():
        fields = (line.split("\t") + ["", "", "", ""])[:4]
        body.append([fields[0], fields[1], f"`{fields[2]}`", fields[3]])
    return ("## Experiments that failed\n\nTheir rows are missing from this report; the driver said why:\n\n"
            + md_table(["experiment", "profile line", "command", "what happened"], body))
