#!/usr/bin/env bash
# check.sh [NN...] - the labs' honesty checks (make check-labs). For every
# active lab (labs/NN-*/ACTIVE exists), or the labs named:
#
#   full tree              builds, and `make grade` gives full marks in every
#                          one of CHECK_REPEAT runs (default 20; fewer when
#                          the lab's CHECK_BUDGET_S, default 90 s, is spent)
#   handout                builds, and scores less than full marks
#   each chaffs/*.patch    applied to a copy of the full tree: builds, scores less
#
# Copies live in build/labs/check/ (never the working tree), built with
# only what grading needs, and are removed once their check passed (kept
# when it failed, to look into). Logs: build/labs/check/<lab>-<tree>.log.
set -uo pipefail
cd "$(dirname "$0")/../.."
top=$PWD
work=build/labs/check
mkdir -p "$work"

# Sub-makes start clean: no -j, LAB or HIDDEN from an outer make leaks in.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
# Every checked tree differs from the full one in a file or two: with
# ccache one compiler cache, shared by all trees, compiles the rest once.
# (Objects cannot simply be copied: the test objects carry their tree's
# absolute path, and a chaff must run its own programs.)
cc_args=()
if command -v ccache >/dev/null; then
    export CCACHE_DIR=$top/build/labs/ccache CCACHE_BASEDIR=$top CCACHE_NOHASHDIR=1
    cc_args=(CC="ccache ${CC:-cc}")
fi
submake() { make --no-print-directory -j2 "${cc_args[@]}" "$@"; }
repeat=${CHECK_REPEAT:-20}
budget=${CHECK_BUDGET_S:-90}

if [ $# -gt 0 ]; then
    labs=("$@")
else
    labs=()
    for f in labs/[0-9][0-9]-*/ACTIVE; do
        [ -e "$f" ] && labs+=("$(basename "$(dirname "$f")" | cut -c1-2)")
    done
fi
[ ${#labs[@]} -gt 0 ] || { echo "check-labs: no active lab (labs/NN-*/ACTIVE)"; exit 0; }

# A copy of the full tree's sources in $1 (same file list as a handout).
copy_tree() {
    rm -rf "$1" && mkdir -p "$1"
    if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        git ls-files -z --cached --others --exclude-standard
    else
        find . -type f ! -path './build/*' ! -path './results/*' ! -path './.git/*' -print0
    fi | tar --null --ignore-failed-read -cf - -T - 2>/dev/null | tar -xf - -C "$1"
}

rows=()
failed=0
# grade_tree LAB DIR NAME WANT: WANT is "full" or "less".
grade_tree() {
    local lab=$1 dir=$2 name=$3 want=$4 score verdict
    local rel="$work/$lab-${name/:/-}.log"
    local log="$top/$rel" t_start=$SECONDS
    if ! (cd "$dir" && submake grade-build LAB="$lab") >"$log" 2>&1; then
        score="-"
        verdict="FAIL (does not build, see $rel)"
        failed=$((failed + 1))
    else
        # The full tree must give full marks every time: repeat it (the
        # build is done, each run only reruns the grader) to catch points
        # that depend on the machine's load.
        local runs=1 max_runs=1 t0=$SECONDS rc score got max cmd=
        [ "$want" = full ] && max_runs=$repeat
        # Repeats rerun the grader itself, with the command and environment
        # `make grade` gives it (as make -n prints them): on a loaded machine
        # a make with nothing to do still costs seconds. The first run, and
        # every run when that line cannot be found, goes through make.
        [ "$max_runs" -gt 1 ] &&
            cmd=$(cd "$dir" && submake -s -n grade LAB="$lab" 2>/dev/null |
                sed -e ':a' -e '/\\$/N; s/\\\n//; ta' | grep '^env ' | tail -1)
        local out
        while :; do
            echo "check-labs: run $runs" >>"$log"
            # Each run's own output: a run that prints no score must not be
            # read as the previous run's.
            if [ $runs -gt 1 ] && [ -n "$cmd" ]; then
                out=$(cd "$dir" && eval "$cmd" 2>&1)
            else
                out=$(cd "$dir" && submake grade LAB="$lab" 2>&1)
            fi
            rc=$?
            printf '%s\n' "$out" >>"$log"
            score=$(printf '%s\n' "$out" | grep -o '^score: [0-9]*/[0-9]*' | tail -1 | cut -d' ' -f2)
            got=${score%/*} max=${score#*/}
            [ -n "$score" ] && [ "$want" = full ] && [ "$got" = "$max" ] && [ $rc -eq 0 ] || break
            [ $runs -lt $max_runs ] && [ $((SECONDS - t0)) -lt "$budget" ] || break
            runs=$((runs + 1))
        done
        if [ -z "$score" ]; then
            score="-"
            verdict="FAIL (no score, see $rel)"
            failed=$((failed + 1))
        elif [ "$want" = full ] && [ "$got" = "$max" ] && [ $rc -eq 0 ]; then
            verdict="ok ($runs runs, $((SECONDS - t0)) s)"
        elif [ "$want" = less ] && [ "$got" -lt "$max" ] && [ $rc -ne 0 ]; then
            verdict="ok"
        else
            verdict="FAIL (expected $( [ "$want" = full ] && echo "full marks" || echo "less than full")$( [ $runs -gt 1 ] && echo " in every run; run $runs"), see $rel)"
            failed=$((failed + 1))
        fi
    fi
    rows+=("$(printf '%-4s %-30s %-6s %-9s %5s  %s' "$lab" "$name" "$want" "$score" "$((SECONDS - t_start))s" "$verdict")")
    printf '  %s\n' "${rows[-1]}"
    [ "${verdict%% *}" = ok ]
}

for tool in unifdef patch; do
    command -v $tool >/dev/null ||
        { echo "check-labs: $tool is missing; run: sudo apt-get install -y $tool" >&2; exit 2; }
done

start=$SECONDS
echo "check-labs: labs ${labs[*]} (logs in $work/)"
for lab in "${labs[@]}"; do
    labdir=$(ls -d labs/"$lab"-*/ 2>/dev/null | head -1)
    if [ -z "$labdir" ]; then
        rows+=("$(printf '%-4s %-30s %-6s %-9s %5s  %s' "$lab" "-" "-" "-" - "FAIL (no labs/$lab-*/)")")
        failed=$((failed + 1))
        continue
    fi
    rm -rf "$work/$lab-"*.log "$work/handout-$lab" "$work/chaff-$lab-"*
    grade_tree "$lab" "$top" full full

    hout=$work/handout-$lab
    if labs/tools/handout.sh "$lab" "$hout" >"$work/$lab-make-handout.log" 2>&1; then
        # A scratch tree that passed its check is not needed any more.
        grade_tree "$lab" "$hout/lab$lab" handout less && rm -rf "$hout"
    else
        rows+=("$(printf '%-4s %-30s %-6s %-9s %5s  %s' "$lab" handout less - - "FAIL (make handout failed, see $work/$lab-make-handout.log)")")
        failed=$((failed + 1))
    fi

    if ! ls "$labdir"chaffs/*.patch >/dev/null 2>&1; then
        rows+=("$(printf '%-4s %-30s %-6s %-9s %5s  %s' "$lab" "chaffs" less - - "FAIL (an active lab needs at least one chaff)")")
        failed=$((failed + 1))
    fi
    for p in "$labdir"chaffs/*.patch; do
        [ -e "$p" ] || continue
        name=chaff:$(basename "$p" .patch)
        copy=$work/chaff-$lab-$(basename "$p" .patch)
        copy_tree "$copy"
        if ! patch -d "$copy" -p1 -s --no-backup-if-mismatch <"$p" >"$work/$lab-${name/:/-}.log" 2>&1; then
            rows+=("$(printf '%-4s %-30s %-6s %-9s %5s  %s' "$lab" "$name" less - - "FAIL (does not apply, see $work/$lab-${name/:/-}.log)")")
            failed=$((failed + 1))
            continue
        fi
        grade_tree "$lab" "$copy" "$name" less && rm -rf "$copy"
    done
done

echo
echo "check-labs summary ($((SECONDS - start)) s):"
printf '  %-4s %-30s %-6s %-9s %6s  %s\n' lab tree want score time verdict
printf '  %s\n' "${rows[@]}"
if [ $failed -ne 0 ]; then
    echo "check-labs: $failed check(s) failed"
    exit 1
fi
echo "check-labs: all ${#rows[@]} checks passed"
