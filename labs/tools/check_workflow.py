#!/usr/bin/env python3
"""check_workflow.py NN HANDOUT - the GitHub Classroom workflow that make
handout wrote into HANDOUT (lab NN's starter tree) parses as YAML, has the
shape GitHub Classroom's actions read, and names only commands the handout
has: make targets it defines, scripts it ships, tests it grades. Prints
one line per problem; exit 1 if there is any."""
import os
import re
import shlex
import subprocess
import sys

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gradelib  # noqa: E402

SYSTEM = {"sudo", "apt-get"}  # what the runner has; everything else must be the handout's


def command_problems(cmd, handout, lab):
    """What in one shell command line does not exist in the handout."""
    problems = []
    for part in re.split(r"&&|\|\||;", cmd):
        words = shlex.split(part)
        while words and words[0] == "sudo":
            words = words[1:]
        if not words:
            continue
        prog = words[0]
        if prog == "make":
            targets = [w for w in words[1:] if "=" not in w and not w.startswith("-")]
            for t in targets:
                r = subprocess.run(["make", "-n", "--no-print-directory", t] +
                                   [w for w in words[1:] if "=" in w],
                                   cwd=handout, capture_output=True, text=True)
                if r.returncode != 0 and "No rule to make target" in r.stderr:
                    problems.append(f"make {t}: no such target in the handout")
            for w in words[1:]:
                m = re.search(r"--filter (\w+)/(\w+)", w)
                if m:
                    ids = {(t["suite"], t["name"]) for t in gradelib.lab_tests(lab, True)}
                    if (m[1], m[2]) not in ids:
                        problems.append(f"--filter {m[1]}/{m[2]}: no such visible test")
        elif "/" in prog:
            if not os.access(os.path.join(handout, prog), os.X_OK):
                problems.append(f"{prog}: not an executable of the handout")
        elif prog not in SYSTEM:
            problems.append(f"{prog}: neither the handout's nor the runner's")
    return problems


def main(argv):
    if len(argv) != 2:
        print("usage: check_workflow.py NN HANDOUT", file=sys.stderr)
        return 2
    lab, handout = argv
    path = os.path.join(handout, ".github", "workflows", "classroom.yml")
    problems = []
    try:
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
        steps = doc["jobs"]["run-autograding-tests"]["steps"]
        assert isinstance(steps, list) and steps
    except (OSError, yaml.YAMLError, KeyError, TypeError, AssertionError) as e:
        print(f"{path}: not a workflow with steps: {e}")
        return 1
    graders, points = [], 0
    for s in steps:
        cmds = []
        if "run" in s:
            cmds.append(s["run"])
        uses = s.get("uses", "")
        if uses.startswith("classroom-resources/autograding-command-grader@"):
            w = s.get("with", {})
            for k in ("test-name", "command", "timeout", "max-score"):
                if k not in w:
                    problems.append(f"step {s.get('id')}: no {k}")
            cmds.append(w.get("command", ""))
            graders.append(s.get("id"))
            points += int(w.get("max-score", 0))
        if uses.startswith("classroom-resources/autograding-grading-reporter@"):
            runners = s.get("with", {}).get("runners", "").split(",")
            if runners != graders:
                problems.append(f"reporter runners {runners} are not the grader steps {graders}")
            for r in runners:
                if f"{r.upper()}_RESULTS" not in s.get("env", {}):
                    problems.append(f"reporter: no {r.upper()}_RESULTS")
        for c in cmds:
            problems += command_problems(c, handout, lab)
    want = sum(t["pts"] for t in gradelib.lab_tests(lab, True))
    if points != want:
        problems.append(f"the steps give {points} points, the visible tests {want}")
    for p in problems:
        print(f"{path}: {p}")
    if not problems:
        print(f"{path}: {len(graders)} graded steps, {points} points")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
