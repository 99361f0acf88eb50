#!/usr/bin/env bash
# grade-one.sh [--wall S] [--uid U] NN SUB SLOT - grade one hand-in of lab
# NN with the hidden tests, the student's code in the sandbox (sandbox.sh).
#
# SUB holds the files of labs/NN-*/HANDIN, at their paths in the tree or
# flat (found by name, as a Gradescope upload gives them). SLOT is a work
# folder, reused from one hand-in to the next (grade-all grades many):
#
#   SLOT/tree/        the full tree, the hand-in over it: what is graded
#   SLOT/pristine/    tree/build/ as the trusted build left it
#   SLOT/stubs/       the handout's version of each HANDIN file
#   SLOT/out/         this hand-in's results: handin.txt, build.log,
#                     grade.log, grade.json (the grader's results.json),
#                     status ("ok", "nothing-handed-in", "build-failed",
#                     "timed-out", "no-results")
#
# The trusted part, run once per slot and outside the sandbox: the full
# tree with the handout's stubs is built with the hidden tests (compiling
# the hidden sources; no student code is involved). Then, per hand-in, the
# student's files replace the stubs and, inside the sandbox with every
# tests/labs/hidden/ source masked, make rebuilds what they touch, links
# the hidden grader (the hidden objects are already built) and runs it.
# --prepare does the trusted build only (Gradescope's setup.sh bakes it
# into the image), SUB being ignored. Exit status 0 when the hand-in was graded (whatever its score), 1 when it
# could not be (the status says why), 2 for usage.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
die() { echo "grade: $*" >&2; exit 2; }
wall=${YL_GRADE_WALL:-600} uid=61000 prepare=0
# YL_GRADE_ARGS: the grader's arguments (make grade's GRADE_ARGS).
# The memory a hand-in may use (MB), for the whole sandbox.
mem=${YL_GRADE_MEM:-4096}
while [ $# -gt 0 ]; do
    case $1 in
    --prepare) prepare=1; shift ;;
    --wall) wall=$2; shift 2 ;;
    --uid) uid=$2; shift 2 ;;
    *) break ;;
    esac
done
lab=${1:-} sub=${2:-} slot=${3:-}
[[ $lab =~ ^[0-9][0-9]$ ]] && [ -n "$sub" ] && [ -n "$slot" ] ||
    die "usage: grade-one.sh [--prepare] [--wall S] [--uid U] NN SUB SLOT"
if [ $prepare -eq 0 ]; then
    [ -d "$sub" ] || die "$sub: not a folder holding the student's files"
    sub=$(cd "$sub" && pwd)
fi
labdir=$(ls -d "$top"/labs/"$lab"-*/ 2>/dev/null | head -1)
[ -n "$labdir" ] && [ -f "$labdir/HANDIN" ] || die "lab $lab has no labs/$lab-*/HANDIN list"
mkdir -p "$slot" && slot=$(cd "$slot" && pwd)
tree=$slot/tree out=$slot/out
# Sub-makes start clean: no -j, LAB or HIDDEN from an outer make leaks in.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
export YL_TIMERS=heap

# The trusted build, once per slot.
t0=$SECONDS
if [ ! -f "$slot/pristine/.done-$lab" ]; then
    rm -rf "$tree" "$slot/pristine" "$slot/stubs"
    mkdir -p "$tree" "$slot/stubs"
    (
        cd "$top" || exit 1
        if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
            git ls-files -z --cached --others --exclude-standard
        else
            find . -type f ! -path './build/*' ! -path './results/*' ! -path './.git/*' -print0
        fi | tar --null --ignore-failed-read -cf - -T - 2>/dev/null | tar -xf - -C "$tree"
        labs/tools/handout.sh "$lab" "$slot/handout" >/dev/null || exit 1
        while IFS= read -r f; do
            [ -n "$f" ] || continue
            mkdir -p "$slot/stubs/$(dirname "$f")"
            cp -p "$slot/handout/lab$lab/$f" "$slot/stubs/$f"
            cp -p "$slot/handout/lab$lab/$f" "$tree/$f"
        done <"$labdir/HANDIN"
        rm -rf "$slot/handout"
    ) || die "could not copy the tree or make lab $lab's handout"
    # The sandboxed uid reads the tree, and nothing in it is writable but build/.
    chmod -R a+rX,go-w "$tree"
    (cd "$tree" && make --no-print-directory -j2 grade-build LAB="$lab" HIDDEN=1) \
        >"$slot/trusted-build.log" 2>&1 || die "the trusted build failed (see $slot/trusted-build.log)"
    cp -a "$tree/build" "$slot/pristine"
    touch "$slot/pristine/.done-$lab"
    echo "grade: trusted build of lab $lab in $slot: $((SECONDS - t0)) s"
fi
[ $prepare -eq 1 ] && exit 0

# This hand-in over the stubs, in a fresh copy of the trusted build/ (the
# last hand-in's code could have left anything in it).
rm -rf "$out" "$tree/build"
mkdir -p "$out"
cp -a "$slot/pristine" "$tree/build"
found=0 missing=0
while IFS= read -r f; do
    [ -n "$f" ] || continue
    cp -p "$slot/stubs/$f" "$tree/$f"
    src=''
    if [ -f "$sub/$f" ]; then
        src=$sub/$f
    else
        # Uploaded flat, or in some other folder: found by name, if only once.
        mapfile -t hits < <(find "$sub" -type f -name "$(basename "$f")" 2>/dev/null)
        [ ${#hits[@]} -eq 1 ] && src=${hits[0]}
        [ ${#hits[@]} -gt 1 ] && echo "ambiguous $f ${#hits[@]} files named $(basename "$f")" >>"$out/handin.txt"
    fi
    if [ -n "$src" ]; then
        # A plain copy: a new mtime, so make rebuilds what depends on it.
        cp "$src" "$tree/$f" && chmod 0644 "$tree/$f"
        echo "found $f ${src#"$sub"/}" >>"$out/handin.txt"
        found=$((found + 1))
    else
        echo "missing $f" >>"$out/handin.txt"
        missing=$((missing + 1))
    fi
done <"$labdir/HANDIN"
if [ $found -eq 0 ]; then
    echo nothing-handed-in >"$out/status"
    exit 1
fi

hide=()
for f in "$tree"/tests/labs/hidden/*; do [ -f "$f" ] && hide+=(--hide "${f#"$tree"/}"); done
sandbox=("$top/labs/tools/sandbox.sh" --uid "$uid" --mem "$mem" "${hide[@]}")
# The build: the student's files are compiled here, so here too the
# hidden sources are masked (an #include of one would print it).
t0=$SECONDS
"${sandbox[@]}" --wall 300 "$tree" -- \
    make --no-print-directory -j2 grade-build LAB="$lab" HIDDEN=1 >"$out/build.log" 2>&1
rc=$?
# Paths as the student knows them: relative to the top of the tree.
sed -i "s|$tree/||g" "$out/build.log"
if [ $rc -eq 125 ]; then
    echo autograder-error >"$out/status"
    exit 2
elif [ $rc -ne 0 ]; then
    if grep -q '^sandbox: limit hit: wall-clock' "$out/build.log"; then
        echo timed-out-building >"$out/status"
    else
        echo build-failed >"$out/status"
    fi
    exit 1
fi
echo "build $((SECONDS - t0))" >"$out/seconds"
t0=$SECONDS
"${sandbox[@]}" --wall "$wall" "$tree" -- \
    make --no-print-directory grade LAB="$lab" HIDDEN=1 FORMAT=gradescope \
    ${YL_GRADE_ARGS:+GRADE_ARGS="$YL_GRADE_ARGS"} \
    GRADE_OUT=build/grade.json >"$out/grade.log" 2>&1
rc=$?
echo "tests $((SECONDS - t0))" >>"$out/seconds"
if [ $rc -eq 125 ]; then
    echo autograder-error >"$out/status"
    exit 2
elif [ -f "$tree/build/grade.json" ]; then
    cp "$tree/build/grade.json" "$out/grade.json"
    echo ok >"$out/status"
elif grep -q '^sandbox: limit hit: wall-clock' "$out/grade.log"; then
    echo timed-out >"$out/status"
    exit 1
else
    echo "no-results $rc" >"$out/status"
    exit 1
fi
