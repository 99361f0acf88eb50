#!/usr/bin/env bash
# grade-all.sh NN DIR [SECONDS] - grade every sub-folder of DIR (one student
# each, named by the student's login) with lab NN's hidden tests, two at a
# time, each in the sandbox with a wall-clock limit (SECONDS, default 600).
# Writes build/labs/grade-all/labNN/grades.csv (one row per student: total,
# status, reason, one column per test), gradebook.csv (Canvas's import
# layout) and each student's results.json and logs in out/<name>/. A
# hand-in that hangs, crashes or does not build gets its row with the
# reason and does not stop the others.
set -uo pipefail
cd "$(dirname "$0")/../.."
die() { echo "grade-all: $*" >&2; exit 2; }
lab=${1:-} subs=${2:-} limit=${3:-600}
[[ $lab =~ ^[0-9]$ ]] && lab=0$lab
[[ $lab =~ ^[0-9][0-9]$ ]] && [ -n "$subs" ] || die "usage: make grade-all LAB=NN SUBS=DIR [TIME_LIMIT=S]"
[ -d "$subs" ] || die "SUBS=$subs: not a folder of hand-ins (one sub-folder per student)"
[[ $limit =~ ^[0-9]+$ ]] || die "TIME_LIMIT=$limit: say a number of seconds"
mapfile -t names < <(find "$subs" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | LC_ALL=C sort)
[ ${#names[@]} -gt 0 ] || die "SUBS=$subs has no sub-folders (one per student)"
dest=${YL_GRADE_ALL_DEST:-build/labs/grade-all/lab$lab}
rm -rf "$dest" && mkdir -p "$dest/out"
start=$SECONDS
echo "grade-all: lab $lab, ${#names[@]} hand-ins from $subs, two at a time, ${limit}s each"

# Worker k grades hand-ins k, k+2, ... in its own slot (one trusted build
# each); each hand-in runs as its own uid, so their process limits and
# leftovers never mix.
worker() {
    local k=$1 i name
    for ((i = k; i < ${#names[@]}; i += 2)); do
        name=${names[i]}
        labs/tools/grade-one.sh --wall "$limit" --uid $((61000 + i % 4000)) \
            "$lab" "$subs/$name" "$dest/slot-$k" >>"$dest/slot-$k.log" 2>&1
        [ $? -eq 2 ] && { echo "grade-all: $name: the grader failed (see $dest/slot-$k.log)"; }
        mkdir -p "$dest/out/$name"
        cp -r "$dest/slot-$k/out/." "$dest/out/$name/" 2>/dev/null
        [ -f "$dest/out/$name/status" ] || echo autograder-error >"$dest/out/$name/status"
        labs/tools/gradelib.py results "$lab" "$dest/out/$name" >"$dest/out/$name/results.json"
        echo "grade-all: $name: $(head -c 40 "$dest/out/$name/status" | tr -d '\n')," \
             "$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["score"], "points")' \
                "$dest/out/$name/results.json")"
    done
}
worker 0 &
w0=$!
worker 1 &
w1=$!
wait $w0 $w1
rm -rf "$dest"/slot-[01]

pairs=()
for name in "${names[@]}"; do pairs+=("$name=$dest/out/$name"); done
labs/tools/gradelib.py csv "$lab" "$dest" "${pairs[@]}" || die "could not write the CSV files"
echo "grade-all: $dest/grades.csv and $dest/gradebook.csv (Canvas import), ${#names[@]} rows, $((SECONDS - start)) s"
