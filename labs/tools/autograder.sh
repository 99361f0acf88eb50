#!/usr/bin/env bash
# autograder.sh NN [OUT] - lab NN's Gradescope autograder, OUT/labNN.zip
# (OUT defaults to build/autograder): setup.sh and run_autograder at the
# top, as Gradescope wants them, and the full tree (hidden tests and
# labs/tools/ included) in yieldlab/.
set -euo pipefail
cd "$(dirname "$0")/../.."
die() { echo "autograder: $*" >&2; exit 2; }
lab=${1:-}
out=${2:-build/autograder}
[[ $lab =~ ^[0-9]$ ]] && lab=0$lab
[[ $lab =~ ^[0-9][0-9]$ ]] || die "say which lab: make autograder LAB=NN"
labdir=$(ls -d labs/"$lab"-*/ 2>/dev/null | head -1 || true)
[ -n "$labdir" ] && [ -f "$labdir/HANDIN" ] || die "lab $lab has no labs/$lab-*/HANDIN (nothing to hand in, nothing to grade)"
command -v zip >/dev/null || die "zip is missing; run: sudo apt-get install -y zip"

stage=$(mktemp -d "${TMPDIR:-/tmp}/yl-autograder.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/yieldlab"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git ls-files -z --cached --others --exclude-standard
else
    find . -type f ! -path './build/*' ! -path './results/*' ! -path './.git/*' -print0
fi | tar --null --ignore-failed-read -cf - -T - 2>/dev/null | tar -xf - -C "$stage/yieldlab"
echo "$lab" >"$stage/LAB"
# What each lab needs beyond the compiler, Criterion and the handout tools.
extra=''
[ "$lab" = 07 ] && extra='nodejs'
sed -e "s/@LAB@/$lab/g" -e "s/@EXTRA@/$extra/g" labs/tools/gradescope-setup.sh.in >"$stage/setup.sh"
cp labs/tools/run_autograder "$stage/run_autograder"
chmod +x "$stage/setup.sh" "$stage/run_autograder"
mkdir -p "$out" && out=$(cd "$out" && pwd)
rm -f "$out/lab$lab.zip"
(cd "$stage" && zip -qr -X "$out/lab$lab.zip" setup.sh run_autograder LAB yieldlab)
echo "autograder: $out/lab$lab.zip ($(find "$stage/yieldlab" -type f | wc -l) files; upload it as the autograder of lab $lab)"
