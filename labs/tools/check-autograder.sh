#!/usr/bin/env bash
# check-autograder.sh [NN...] - the course tools' checks (make check-autograder,
# part of make check-labs). For every active lab, or the labs named:
#
#   make autograder, unpacked under a temporary AUTOGRADER_ROOT, setup.sh's
#   trusted build, then run_autograder on the full tree's files (full marks),
#   the handout's (less) and the chaffs' (less: every chaff of the heavy lab
#   and with YL_CHECK_ALL_CHAFFS=1, the first of each other lab's, to keep
#   CI short: check.sh grades them all already), each results.json checked
#   against labs/tools/gradescope-results.schema.json; the handout's GitHub
#   Classroom workflow parses as YAML and names only what the handout has.
#
# For lab $YL_CHECK_HEAVY (default 01), the heavy part too: the full tree
# uploaded flat, a syntax error, a hand-in that loops forever and one that
# hands in nothing (each a valid results.json with its message); grade-all
# on the chaffs and the full tree (the expected CSV), then on the hostile
# hand-ins of labs/01-units/chaffs/hostile/ (each graded less); each one
# contained (nothing written outside, no connection out, no hidden source in
# any output, no process left, the checkout unchanged) and named with the
# limit it hit. Work folder: build/labs/check-autograder/ (kept on failure).
set -uo pipefail
cd "$(dirname "$0")/../.."
top=$PWD
work=$top/build/labs/check-autograder
heavy=${YL_CHECK_HEAVY:-01}
schema=labs/tools/gradescope-results.schema.json
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
rm -rf "$work" && mkdir -p "$work" && chmod 755 "$work"

# The labs named, or every active one (labs/NN-slug/ACTIVE).
labs=("$@")
[ $# -gt 0 ] || mapfile -t labs < <(ls -d labs/[0-9][0-9]-*/ACTIVE 2>/dev/null | cut -c6-7)
failed=0 rows=()
row() { # LAB WHAT VERDICT
    rows+=("$(printf '%-4s %-40s %s' "$1" "$2" "$3")")
    printf '  %s\n' "${rows[-1]}"
    [ "$3" = ok ] || failed=$((failed + 1))
}
# Field F of a results.json (score, max, output).
field() {
    python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))
print({"score": r["score"], "max": sum(t["max_score"] for t in r["tests"]), "output": r["output"]}[sys.argv[2]])' "$1" "$2"
}
# A hand-in folder from lab $1's HANDIN files in tree $2, patched by $3 (optional).
make_sub() {
    local lab=$1 from=$2 patchf=${3:-} dir=$4 labdir
    labdir=$(ls -d labs/"$lab"-*/ | head -1)
    rm -rf "$dir" && mkdir -p "$dir"
    while IFS= read -r f; do
        [ -n "$f" ] || continue
        mkdir -p "$dir/$(dirname "$f")" && cp "$from/$f" "$dir/$f"
    done <"$labdir/HANDIN"
    [ -z "$patchf" ] || patch -d "$dir" -p1 -s --no-backup-if-mismatch <"$patchf" >/dev/null
}
# run_ag LAB ROOT NAME SUB WANT [ENV...]: run_autograder on SUB; WANT is
# full, less, or a string the output must contain.
run_ag() {
    local lab=$1 root=$2 name=$3 sub=$4 want=$5 score max
    shift 5
    rm -rf "$root/submission" "$root/results" && cp -r "$sub" "$root/submission"
    env "$@" AUTOGRADER_ROOT="$root" "$root/run_autograder" >"$work/$lab-$name.log" 2>&1
    local res=$root/results/results.json
    cp "$res" "$work/$lab-$name.results.json" 2>/dev/null
    if ! labs/tools/validate_results.py "$schema" "$res" >>"$work/$lab-$name.log" 2>&1; then
        row "$lab" "run_autograder $name" "FAIL (results.json invalid, see $work/$lab-$name.log)"
        return
    fi
    score=$(field "$res" score) max=$(field "$res" max)
    case $want in
    full) [ "$score" = "$max" ] && [ "$max" != 0 ] && row "$lab" "run_autograder $name" ok ||
            row "$lab" "run_autograder $name" "FAIL ($score/$max, expected full marks)" ;;
    less) python3 -c "import sys; sys.exit(not $score < $max)" && row "$lab" "run_autograder $name" ok ||
            row "$lab" "run_autograder $name" "FAIL ($score/$max, expected less than full)" ;;
    # (A here-string: grep -q would leave a pipe's writer to die of SIGPIPE.)
    *) if [ "$score" = 0 ] && grep -qF "$want" <<<"$(field "$res" output)"; then
           row "$lab" "run_autograder $name" ok
       else
           row "$lab" "run_autograder $name" "FAIL ($score/$max, or no \"$want\" in the output)"
       fi ;;
    esac
}

start=$SECONDS
echo "check-autograder: labs ${labs[*]} (work in $work/)"
for lab in "${labs[@]}"; do
    t0=$SECONDS
    labdir=$(ls -d labs/"$lab"-*/ 2>/dev/null | head -1)
    [ -n "$labdir" ] && [ -f "$labdir/HANDIN" ] || { row "$lab" "-" "FAIL (no labs/$lab-*/HANDIN)"; continue; }
    root=$work/root-$lab
    mkdir -p "$root/source" && chmod 755 "$root"
    if ! labs/tools/autograder.sh "$lab" "$work" >"$work/$lab-zip.log" 2>&1 ||
        ! (cd "$root/source" && unzip -q "$work/lab$lab.zip") ||
        ! cp "$root/source/run_autograder" "$root/" ||
        ! AUTOGRADER_ROOT=$root YL_SETUP_SKIP_APT=1 bash "$root/source/setup.sh" >"$work/$lab-setup.log" 2>&1; then
        row "$lab" "autograder zip, setup.sh" "FAIL (see $work/$lab-zip.log, $work/$lab-setup.log)"
        continue
    fi
    row "$lab" "autograder zip, setup.sh" ok

    make_sub "$lab" . "" "$work/sub-full"
    if [ "$lab" = "$heavy" ]; then
        # Uploaded flat, as a student drags files into Gradescope.
        mkdir -p "$work/sub-flat" && find "$work/sub-full" -type f -exec cp {} "$work/sub-flat/" \;
        run_ag "$lab" "$root" full-flat "$work/sub-flat" full
    else
        run_ag "$lab" "$root" full "$work/sub-full" full
    fi
    labs/tools/handout.sh "$lab" "$work/handout" >/dev/null 2>&1
    make_sub "$lab" "$work/handout/lab$lab" "" "$work/sub-handout"
    # A stub can hang every test until its timeout (lab 08's server): away
    # from the heavy lab a short wall-clock limit keeps CI short, and a run
    # it stops still scores less, in a valid results.json.
    short=()
    [ "$lab" = "$heavy" ] || short=(YL_GRADE_WALL="${YL_CHECK_WALL:-90}")
    run_ag "$lab" "$root" handout "$work/sub-handout" less "${short[@]}"
    nchaffs=0
    for p in "$labdir"chaffs/*.patch; do
        [ -e "$p" ] || continue
        [ "$lab" = "$heavy" ] || [ -n "${YL_CHECK_ALL_CHAFFS:-}" ] || [ $nchaffs -eq 0 ] || break
        nchaffs=$((nchaffs + 1))
        c=$(basename "$p" .patch)
        make_sub "$lab" . "$p" "$work/sub-chaff-$c" &&
            run_ag "$lab" "$root" "chaff:$c" "$work/sub-chaff-$c" less "${short[@]}"
    done
    if python3 labs/tools/check_workflow.py "$lab" "$work/handout/lab$lab" >"$work/$lab-workflow.log" 2>&1; then
        row "$lab" "classroom.yml" ok
    else
        row "$lab" "classroom.yml" "FAIL ($(tail -1 "$work/$lab-workflow.log"))"
    fi

    if [ "$lab" = "$heavy" ]; then
        . labs/tools/check-hostile.sh
    fi
    rm -rf "$work/handout"
    echo "  ($lab: $((SECONDS - t0)) s)"
done

echo
echo "check-autograder summary ($((SECONDS - start)) s):"
printf '  %s\n' "${rows[@]}"
if [ $failed -ne 0 ]; then
    echo "check-autograder: $failed check(s) failed (work kept in $work/)"
    exit 1
fi
rm -rf "$work"
echo "check-autograder: all ${#rows[@]} checks passed"
