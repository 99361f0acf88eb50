#!/usr/bin/env python3
"""gradelib.py - the course-facing side of grading, from what grade-one.sh
leaves in a slot's out/ folder (Python's standard library only).

  gradelib.py tests NN [--visible]        the graded tests: suite, name, points, hidden, what
  gradelib.py results NN OUT [SECONDS]    Gradescope's results.json for one hand-in, on stdout
  gradelib.py csv NN DEST NAME=OUT...     DEST/grades.csv and DEST/gradebook.csv for a class

Every hand-in gets a valid results.json, whatever happened to it: a build
error, a hang, a crash or a missing file gives a score of 0 for what could
not run and a message that says what to do, never a trace.
"""
import csv
import glob
import json
import os
import re
import sys

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TEST_RE = re.compile(r'^\s*Test\(\s*(\w+)\s*,\s*(\w+)\s*,.*?\.description\s*=\s*"\[(\d+) pts?\]\s*(.*?)"')


def lab_tests(lab, visible_only=False):
    """The graded tests of lab NN, read from their sources: dicts with
    suite, name, pts, hidden, what; sorted as the grader sorts them."""
    files = sorted(glob.glob(os.path.join(TOP, "tests", "labs", f"{lab}_*.c")))
    if not visible_only:
        files += sorted(glob.glob(os.path.join(TOP, "tests", "labs", "hidden", f"{lab}_*.c")))
    tests = []
    for path in files:
        with open(path, encoding="utf-8") as f:
            for line in f:
                m = TEST_RE.match(line)
                if m:
                    tests.append({"suite": m[1], "name": m[2], "pts": int(m[3]),
                                  "hidden": "/hidden/" in path, "what": m[4]})
    return sorted(tests, key=lambda t: (t["suite"], t["name"]))


def test_id(t):
    return f'{t["suite"]}::{t["name"]}'


def read(path, default=""):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return default


def limits_hit(*logs):
    """The limits the sandbox says the code ran into: "processes (256)"..."""
    hit = []
    for text in logs:
        for line in text.splitlines():
            if line.startswith("sandbox: limit hit: "):
                name = re.sub(r"\).*", ")", line[len("sandbox: limit hit: "):])
                if name not in hit:
                    hit.append(name)
    return hit


def limit_message(hit):
    """The limits hit, in words a student can act on."""
    return ("Your code ran into the grader's limits: " + ", ".join(hit) + ". Look for an "
            "endless loop, a fork() in a loop, or memory that never stops growing.")


def compiler_errors(log, tree):
    """The compiler's error lines (and the lines just after them), paths
    made relative to the tree, at most 40 lines."""
    lines = [l.replace(tree + "/", "") for l in log.splitlines()
             if not l.startswith(("sandbox:", "make", "  CC", "  AS", "  LD", "  AR"))]
    keep = []
    for i, l in enumerate(lines):
        if re.search(r"\berror\b|undefined reference", l):
            keep.extend(lines[i:i + 3])
    seen, out = set(), []
    for l in keep or lines[-15:]:
        if l not in seen:
            seen.add(l)
            out.append(l)
    return out[:40]


def handin_notes(out):
    """What was found and what was missing, from handin.txt."""
    found, missing, notes = [], [], []
    for line in read(os.path.join(out, "handin.txt")).splitlines():
        kind, _, rest = line.partition(" ")
        if kind == "found":
            found.append(rest.split(" ")[0])
        elif kind == "missing":
            missing.append(rest)
        elif kind == "ambiguous":
            f, _, why = rest.partition(" ")
            notes.append(f"{f}: {why} in your submission; put it at its path in the tree ({f}).")
    return found, missing, notes


def results(lab, out, seconds=0):
    """Gradescope's results.json (a dict) for the hand-in graded in out/."""
    tree = os.path.join(os.path.dirname(out), "tree")
    tests = lab_tests(lab)
    status = read(os.path.join(out, "status"), "no-results").split()
    status = status[0] if status else "no-results"
    found, missing, notes = handin_notes(out)
    msgs = []
    if missing and found:
        msgs.append("Not found in your submission (the handout's version was graded instead): " +
                    ", ".join(missing) + ".")
    msgs += notes
    build_log = read(os.path.join(out, "build.log"))
    grade_log = read(os.path.join(out, "grade.log"))
    graded = None
    if status == "ok":
        try:
            graded = json.loads(read(os.path.join(out, "grade.json")))
            if not isinstance(graded.get("tests"), list):
                raise ValueError("no tests")
        except ValueError:
            status, graded = "no-results", None
    why = {
        "nothing-handed-in": "None of the files this lab grades were found in your submission. "
                             "Hand in: " + ", ".join(missing) + " (at their paths in the tree, "
                             "or on their own) and submit again.",
        "build-failed": "Your code did not compile, so no test could run. Fix these errors "
                        "(make grade LAB=" + lab + " shows them too) and submit again:\n" +
                        "\n".join(compiler_errors(build_log, tree)),
        "timed-out-building": "Building your code did not finish within the time limit.",
        "timed-out": "The tests did not finish within the grader's time limit, so no result "
                     "could be kept. Look for an endless loop or a task that never wakes up: "
                     "make grade LAB=" + lab + " runs the same tests on your machine.",
        "autograder-error": "The autograder could not set itself up: this is not your code. "
                            "Tell the course staff (the log is in the autograder's stdout).",
        "no-results": "The grader stopped before writing its results: your code probably "
                      "brought the test runner down (exit(), a signal, or a limit below). "
                      "make grade LAB=" + lab + " runs the same tests on your machine.",
    }
    hit = limits_hit(build_log, grade_log)
    if hit:
        msgs.append(limit_message(hit))
    if graded is None:
        msgs.insert(0, why.get(status, why["no-results"]))
        rows = [{"name": f'{test_id(t)}: {t["what"]}', "score": 0, "max_score": t["pts"],
                 "status": "failed", "output": "not run: " + status.replace("-", " "),
                 "visibility": "after_published" if t["hidden"] else "visible"} for t in tests]
    else:
        rows = graded["tests"]
        have = {r["name"].split(": ", 1)[0] for r in rows}
        for t in tests:  # a test the grader never reported still counts
            if test_id(t) not in have:
                rows.append({"name": f'{test_id(t)}: {t["what"]}', "score": 0,
                             "max_score": t["pts"], "status": "failed", "output": "not reported",
                             "visibility": "after_published" if t["hidden"] else "visible"})
    score = sum(r["score"] for r in rows)
    total = sum(r["max_score"] for r in rows)
    head = f"Lab {lab}: {score}/{total} points from the automatic tests."
    return {"score": score, "execution_time": int(seconds), "output": "\n\n".join([head] + msgs),
            "visibility": "visible", "stdout_visibility": "hidden", "tests": rows}


def write_class(lab, dest, pairs):
    """grades.csv (one row per student, one column per test) and a
    gradebook in Canvas's import layout, both in dest/."""
    tests = lab_tests(lab)
    total = sum(t["pts"] for t in tests)
    os.makedirs(dest, exist_ok=True)
    rows = []
    for name, out in pairs:
        r = results(lab, out)
        status = read(os.path.join(out, "status"), "no-results").split()
        status = status[0] if status else "no-results"
        by_id = {x["name"].split(": ", 1)[0]: x for x in r["tests"]}
        parts = r["output"].split("\n\n")
        # The first sentence of the message: a CSV cell, not a page.
        reason = "" if status == "ok" else parts[1].split("\n")[0].split(". ")[0].rstrip(".") + "."
        if status == "build-failed" and "\n" in parts[1]:
            reason = "does not compile: " + parts[1].split("\n")[1]
        hit = limits_hit(read(os.path.join(out, "build.log")), read(os.path.join(out, "grade.log")))
        if hit:
            reason = (reason + " " if reason else "") + "Limits hit: " + ", ".join(hit) + "."
        rows.append([name, r["score"], total, status, reason] +
                    [by_id.get(test_id(t), {}).get("score", 0) for t in tests])
    with open(os.path.join(dest, "grades.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["student", "total", "max", "status", "reason"] + [test_id(t) for t in tests])
        w.writerows(rows)
    # Canvas reads Student, ID, SIS User ID, SIS Login ID, Section, then one
    # column per assignment; a "Points Possible" row may come first. The
    # folder name is taken as the student's SIS login.
    col = f"Lab {lab} autograded"
    with open(os.path.join(dest, "gradebook.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", col])
        w.writerow(["    Points Possible", "", "", "", "", total])
        for row in rows:
            w.writerow([row[0], "", "", row[0], "", row[1]])


def main(argv):
    if len(argv) >= 2 and argv[0] == "tests":
        for t in lab_tests(argv[1], "--visible" in argv):
            print(f'{t["suite"]}\t{t["name"]}\t{t["pts"]}\t{"hidden" if t["hidden"] else "visible"}\t{t["what"]}')
        return 0
    if len(argv) in (3, 4) and argv[0] == "results":
        json.dump(results(argv[1], os.path.abspath(argv[2]), float(argv[3]) if len(argv) == 4 else 0),
                  sys.stdout, indent=1)
        print()
        return 0
    if len(argv) >= 3 and argv[0] == "csv":
        write_class(argv[1], argv[2], [a.split("=", 1) for a in argv[3:]])
        return 0
    print(__doc__.strip().split("\n\n")[0], file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
