#!/usr/bin/env bash
# grade-submission.sh NN DIR - grade a student's hand-in for lab NN with the
# hidden tests: copies the full tree to build/labs/submissions/<DIR's name>/,
# puts over it the files listed in labs/NN-*/HANDIN taken from DIR (which
# holds them at the same relative paths, as in the student's tree), and runs
# `make grade LAB=NN HIDDEN=1` there. Files missing from DIR keep the stub
# of the handout, so a partial hand-in is graded as such.
set -uo pipefail
cd "$(dirname "$0")/../.."
die() { echo "grade-submission: $*" >&2; exit 2; }
lab=${1:-}
sub=${2:-}
[[ $lab =~ ^[0-9]$ ]] && lab=0$lab
[[ $lab =~ ^[0-9][0-9]$ ]] || die "usage: make grade-submission LAB=NN SUB=DIR"
[ -d "$sub" ] || die "SUB=$sub: not a folder holding the student's files"
labdir=$(ls -d labs/"$lab"-*/ 2>/dev/null | head -1 || true)
[ -n "$labdir" ] && [ -f "$labdir/HANDIN" ] || die "lab $lab has no labs/$lab-*/HANDIN list"

name=$(basename "$(cd "$sub" && pwd)")
dest=build/labs/submissions/$lab-$name
handout=build/labs/submissions/.handout-$lab
labs/tools/handout.sh "$lab" "$handout" >/dev/null || die "make handout LAB=$lab failed"
rm -rf "$dest" && mkdir -p "$dest"
# The full tree (hidden tests included), then the handout's stubs for the
# hand-in files, then whatever the student handed in.
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git ls-files -z --cached --others --exclude-standard
else
    find . -type f ! -path './build/*' ! -path './results/*' ! -path './.git/*' -print0
fi | tar --null --ignore-failed-read -cf - -T - 2>/dev/null | tar -xf - -C "$dest"
while IFS= read -r f; do
    [ -n "$f" ] || continue
    cp "$handout/lab$lab/$f" "$dest/$f"
    if [ -f "$sub/$f" ]; then
        cp "$sub/$f" "$dest/$f"
        echo "grade-submission: $f from $sub"
    else
        echo "grade-submission: $f not handed in: the handout's stub is graded"
    fi
done <"$labdir/HANDIN"
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
cd "$dest" && make --no-print-directory -j2 grade LAB="$lab" HIDDEN=1
