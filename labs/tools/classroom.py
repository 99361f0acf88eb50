#!/usr/bin/env python3
"""classroom.py NN - lab NN's GitHub Classroom workflow, on stdout.

One step per visible graded test, run by classroom-resources'
autograding-command-grader (all its points when the command exits 0,
none otherwise): `make grade LAB=NN` with a Criterion filter naming that
test, so the points GitHub Classroom adds up are the lab's own. The
reporter step hands them to GitHub Classroom. The hidden tests are not in
the starter tree, so they are not here: grade them with make grade-all or
the Gradescope autograder. make handout writes the result to
.github/workflows/classroom.yml in the starter tree.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gradelib  # noqa: E402

# What each lab needs beyond mk/deps.sh's build and test groups.
EXTRA_PACKAGES = {"07": "nodejs python3"}


def q(s):
    """A YAML scalar: JSON's double-quoted strings are valid YAML."""
    return json.dumps(s)


def workflow(lab):
    tests = gradelib.lab_tests(lab, visible_only=True)
    if not tests:
        raise SystemExit(f"classroom: lab {lab} has no visible graded tests")
    install = "sudo mk/deps.sh build test"
    if lab in EXTRA_PACKAGES:
        install += " && sudo apt-get install -y --no-install-recommends " + EXTRA_PACKAGES[lab]
    out = [
        f"# GitHub Classroom autograding for lab {lab}, written by make handout.",
        "# One step per visible test; each earns its points when its test passes.",
        "name: Autograding Tests",
        "'on':",
        "- push",
        "- repository_dispatch",
        "permissions:",
        "  checks: write",
        "  actions: read",
        "  contents: read",
        "jobs:",
        "  run-autograding-tests:",
        "    runs-on: ubuntu-latest",
        "    if: github.actor != 'github-classroom[bot]'",
        "    steps:",
        "    - name: Checkout code",
        "      uses: actions/checkout@v4",
        "    - name: Install what grading needs",
        f"      run: {q(install)}",
        f"    - name: Build lab {lab}",
        f"      run: {q(f'make grade-build LAB={lab}')}",
    ]
    ids = []
    for i, t in enumerate(tests, 1):
        sid = f"test-{i:02d}"
        ids.append(sid)
        name = f'{t["suite"]}::{t["name"]}: {t["what"]}'
        cmd = f'make grade LAB={lab} GRADE_ARGS="-j1 --timeout 120 --filter {t["suite"]}/{t["name"]}"'
        out += [
            f"    - name: {q(name)}",
            f"      id: {sid}",
            "      uses: classroom-resources/autograding-command-grader@v1",
            "      with:",
            f"        test-name: {q(name)}",
            f"        command: {q(cmd)}",
            "        timeout: 5",
            f"        max-score: {t['pts']}",
        ]
    out += [
        "    - name: Autograding Reporter",
        "      uses: classroom-resources/autograding-grading-reporter@v1",
        "      env:",
    ]
    out += [f"        {sid.upper()}_RESULTS: \"${{{{steps.{sid}.outputs.result}}}}\"" for sid in ids]
    out += ["      with:", f"        runners: {','.join(ids)}"]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: classroom.py NN")
    sys.stdout.write(workflow(sys.argv[1]))
