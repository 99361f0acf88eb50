"""How to regenerate the report and how to measure again (from the
folder's name and env.txt's profile); always there."""
from reportlib import Results


def render(res: Results) -> str:
    return f"""## Regenerating

- This report and every figure, from the same data: `make report RESULTS={res.rdir}`
  (or `plots/report.sh {res.rdir}`).
- New measurements: `make bench PROFILE={res.env.get("profile", "?")}` (results go to a
  new `results/<UTC time>-host/` folder and `results/latest` points at it).
"""
