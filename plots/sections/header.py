"""The title and what every number means (from env.txt: profile, where,
date, wall_s); always there."""
from reportlib import Results


def render(res: Results) -> str:
    env = res.env
    return f"""# yieldlab report: {env.get("profile", "?")} profile on {env.get("where", "?")}

Measured {env.get("date", "?")}, {env.get("wall_s", "?")} s of runs. Every number is the
**median** of the repetitions of one experiment (after a warm-up run that is
not counted); where the runs disagreed, the range from the fastest to the
slowest run follows in parentheses. The raw numbers are in `data.csv`
(columns `experiment,model,variant,cpus,n,metric,value,unit`, then
`min,max,reps`); `env.txt` describes the machine.

"""
