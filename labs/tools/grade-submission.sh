#!/usr/bin/env bash
# grade-submission.sh NN DIR - grade a student's hand-in for lab NN with the
# hidden tests, the student's code in the sandbox (grade-one.sh, sandbox.sh).
# DIR holds the files listed in labs/NN-*/HANDIN at their paths in the tree
# (or flat: they are found by name). A file missing from DIR keeps the
# handout's stub, so a partial hand-in is graded as such. The work folder
# is build/labs/submissions/NN-<DIR's name>/ (tree/, out/, results.json).
set -uo pipefail
cd "$(dirname "$0")/../.."
die() { echo "grade-submission: $*" >&2; exit 2; }
lab=${1:-}
sub=${2:-}
[[ $lab =~ ^[0-9]$ ]] && lab=0$lab
[[ $lab =~ ^[0-9][0-9]$ ]] || die "usage: make grade-submission LAB=NN SUB=DIR"
[ -d "$sub" ] || die "SUB=$sub: not a folder holding the student's files"
name=$(basename "$(cd "$sub" && pwd)")
slot=build/labs/submissions/$lab-$name
# A fresh trusted build each time: the hidden tests may have changed since.
rm -rf "$slot"
labs/tools/grade-one.sh "$lab" "$sub" "$slot"
rc=$?
[ $rc -eq 2 ] && exit 2
while read -r kind f rest; do
    case $kind in
    found) echo "grade-submission: $f from $sub/$rest" ;;
    missing) echo "grade-submission: $f not handed in: the handout's stub is graded" ;;
    ambiguous) echo "grade-submission: $f: $rest in $sub, none taken" ;;
    esac
done <"$slot/out/handin.txt"
[ -f "$slot/out/grade.log" ] && grep -v '^grade: gradescope results' "$slot/out/grade.log"
labs/tools/gradelib.py results "$lab" "$slot/out" >"$slot/results.json"
python3 -c 'import json, sys; r = json.load(open(sys.argv[1]))
for p in r["output"].split("\n\n")[1:]: print("grade-submission: " + p)' "$slot/results.json"
echo "grade-submission: results.json in $slot/results.json"
[ "$(cat "$slot/out/status")" = ok ] && grep -q '^score: \([0-9]*\)/\1$' "$slot/out/grade.log"
