#!/usr/bin/env bash
# handout.sh NN [OUT] - lab NN's starter tree, OUT/labNN/, and OUT/labNN.tar.gz
# (OUT defaults to build/handout).
#
# Solutions live in the normal tree between markers naming their lab:
#
#   #ifndef YL_HANDOUT_LAB02
#       ...the solution, which the normal build compiles...
#   #else
#       ...a stub that compiles and says what to write...
#   #endif
#
# The handout is every source file of the tree (git's tracked and untracked
# files minus ignored ones, or a find outside git), without the instructor's
# material (labs/README.md, labs/tools/, every labs/*/chaffs/, tests/labs/hidden/),
# and with each marked file passed through unifdef: lab NN's markers give
# their stubs, every other lab's markers their solutions. No marker is left.
# It also gets .github/workflows/classroom.yml, GitHub Classroom's grading.
set -euo pipefail
cd "$(dirname "$0")/../.."

die() { echo "handout: $*" >&2; exit 2; }
lab=${1:-}
out=${2:-build/handout}
[[ $lab =~ ^[0-9]$ ]] && lab=0$lab
[[ $lab =~ ^[0-9][0-9]$ ]] || die "say which lab: make handout LAB=NN (NN: $(ls -d labs/[0-9][0-9]-* 2>/dev/null | sed 's|labs/\(..\).*|\1|' | tr '\n' ' '))"
labdir=$(ls -d labs/"$lab"-*/ 2>/dev/null | head -1 || true)
[ -n "$labdir" ] || die "no folder labs/$lab-*/"
command -v unifdef >/dev/null || die "unifdef is missing; run: sudo apt-get install -y unifdef"

# Source files, relative to the top, one per line.
list_files() {
    if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        git ls-files -z --cached --others --exclude-standard | xargs -0 -r -n 200 \
            bash -c 'for f; do [ -f "$f" ] && printf "%s\n" "$f"; done' _
    else
        find . -type f ! -path './build/*' ! -path './results/*' ! -path './.git/*' |
            sed 's|^\./||'
    fi
}

files=$(list_files | grep -Ev '^(labs/README\.md|labs/tools/.*|labs/[^/]+/chaffs/.*|tests/labs/hidden/.*)$' | sort -u)
marker='YL_HANDOUT_LAB'
marked=$(printf '%s\n' "$files" | xargs -d '\n' grep -l "$marker" -- 2>/dev/null || true)
symbols=$(printf '%s\n' "$marked" | xargs -d '\n' -r grep -ho "${marker}[0-9][0-9]" -- | sort -u)
# -D for this lab (stubs), -U for every other (solutions).
args=(-x2 -B "-D${marker}${lab}")
for s in $symbols; do
    [ "$s" = "${marker}${lab}" ] || args+=("-U$s")
done
grep -qx "${marker}${lab}" <<<"$symbols" ||
    echo "handout: note: lab $lab has no solution markers; its handout is the full tree" >&2

dest=$out/lab$lab
rm -rf "$dest" "$out/lab$lab.tar.gz"
mkdir -p "$dest"
nfiles=0
nstripped=0
while IFS= read -r f; do
    mkdir -p "$dest/$(dirname "$f")"
    # A here-string, not a pipe: grep -q stops at the first match, and under
    # pipefail the writer's SIGPIPE would make a marked file look unmarked.
    if grep -qxF -- "$f" <<<"$marked"; then
        # Python is not C: -t stops unifdef from reading its quotes as C's.
        text=()
        case $f in *.py) text=(-t) ;; esac
        unifdef "${args[@]}" "${text[@]}" "$f" >"$dest/$f" || die "unifdef failed on $f"
        chmod --reference="$f" "$dest/$f"
        touch --reference="$f" "$dest/$f"
        if grep -q "${marker}${lab}" "$f"; then nstripped=$((nstripped + 1)); fi
    else
        cp -p "$f" "$dest/$f"
    fi
    nfiles=$((nfiles + 1))
done <<<"$files"

# GitHub Classroom grades each push with the lab's visible suites
# (labs/tools/classroom.py; labs/README.md, "Using the labs in a course").
if ls tests/labs/"$lab"_*.c >/dev/null 2>&1; then
    mkdir -p "$dest/.github/workflows"
    labs/tools/classroom.py "$lab" >"$dest/.github/workflows/classroom.yml" ||
        die "could not write the GitHub Classroom workflow"
fi

# The promise of a handout: not one marker, so no solution, is left.
if left=$(grep -rl "YL_HANDOUT" "$dest"); then
    die "markers left in $dest: $(echo $left)"
fi
# Same bytes for the same tree: sorted names, no owners, fixed times.
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime='2000-01-01 00:00Z' \
    -czf "$out/lab$lab.tar.gz" -C "$out" "lab$lab"
echo "handout: $dest/ ($nfiles files, $nstripped with lab $lab's solutions stripped) and $out/lab$lab.tar.gz"
