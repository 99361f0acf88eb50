#!/usr/bin/env bash
# check-autograder-clean.sh [NN] - lab NN's (default 03) Gradescope setup.sh
# in a clean Debian 12 root, so that a package setup.sh forgets shows here
# and not on a course's first day (make check-autograder-clean; it takes
# minutes and the network to Debian's mirror, so it is not part of CI).
#
# debootstrap makes a minimal bookworm root (from the mirror this machine's
# apt is configured with; kept in build/autograder/debian12-minbase.tar.gz
# for the next run), a fresh copy of it gets the zip in /autograder/source,
# and inside it, by chroot: setup.sh (apt-get and the trusted build), then
# run_autograder on the full tree's files, which must give full marks in a
# valid results.json. Inside a chroot bubblewrap cannot make namespaces, so
# this also checks the rlimits-only fallback. Needs root. YL_CLEAN_KEEP=1
# keeps the root afterwards, to look into.
set -uo pipefail
cd "$(dirname "$0")/../.."
top=$PWD
die() { echo "check-autograder-clean: $*" >&2; exit 2; }
lab=${1:-03}
[[ $lab =~ ^[0-9][0-9]$ ]] || die "usage: check-autograder-clean.sh NN"
[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, chroot)"
command -v debootstrap >/dev/null || die "debootstrap is missing; run: apt-get install -y debootstrap"
cache=build/autograder/debian12-minbase.tar.gz
work=$(mktemp -d "${TMPDIR:-/var/tmp}/yl-clean.XXXXXX")
root=$work/root
mounted=()
cleanup() {
    local m
    for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount "${mounted[i]}" 2>/dev/null; done
    # Never remove through a mount that is still there (the machine's /dev).
    for m in "${mounted[@]}"; do
        if mountpoint -q "$m"; then
            echo "check-autograder-clean: $m is still mounted: $work left in place" >&2
            return
        fi
    done
    if [ -n "${YL_CLEAN_KEEP:-}" ]; then echo "check-autograder-clean: kept $work"; return; fi
    rm -rf --one-file-system "$work"
}
trap cleanup EXIT
start=$SECONDS

mirror=$(awk '/^URIs:/ && $2 ~ /\/debian$/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null)
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $3 == "bookworm" {print $2; exit}' /etc/apt/sources.list 2>/dev/null)
[ -n "$mirror" ] || die "no Debian mirror configured in /etc/apt/sources.list(.d)"
if [ ! -f "$cache" ]; then
    echo "check-autograder-clean: debootstrap bookworm from $mirror"
    debootstrap --variant=minbase bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 ||
        { tail -5 "$work/debootstrap.log"; die "debootstrap failed"; }
    mkdir -p "$(dirname "$cache")"
    tar -C "$root" -czf "$cache.tmp" . && mv "$cache.tmp" "$cache"
    echo "check-autograder-clean: root cached in $cache ($((SECONDS - start)) s)"
else
    mkdir -p "$root" && tar -C "$root" -xzf "$cache"
fi

labs/tools/autograder.sh "$lab" "$work" >/dev/null || die "make autograder LAB=$lab failed"
mkdir -p "$root/autograder/source" "$root/autograder/submission"
(cd "$root/autograder/source" && unzip -q "$work/lab$lab.zip") || die "unzip failed"
cp "$root/autograder/source/run_autograder" "$root/autograder/"
labdir=$(ls -d labs/"$lab"-*/ | head -1)
while IFS= read -r f; do [ -n "$f" ] && cp "$f" "$root/autograder/submission/"; done <"$labdir/HANDIN"
cp /etc/resolv.conf "$root/etc/resolv.conf"
for m in proc sys dev dev/pts; do
    mount --bind "/$m" "$root/$m" && mounted+=("$root/$m") || die "cannot bind /$m"
done
# Criterion's workers share memory through /dev/shm, a tmpfs of its own
# (which a plain bind of /dev leaves behind), writable by the graded uid.
mount -t tmpfs -o mode=1777,size=256m yl-shm "$root/dev/shm" && mounted+=("$root/dev/shm") ||
    die "cannot mount a tmpfs on $root/dev/shm"

t0=$SECONDS
if ! chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
    bash /autograder/source/setup.sh >"$work/setup.log" 2>&1; then
    tail -20 "$work/setup.log"
    die "setup.sh failed in a clean Debian 12 root"
fi
echo "check-autograder-clean: setup.sh in a clean Debian 12 root: $((SECONDS - t0)) s"
t0=$SECONDS
chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
    /autograder/run_autograder >"$work/run.log" 2>&1
echo "check-autograder-clean: run_autograder: $((SECONDS - t0)) s"
res=$root/autograder/results/results.json
labs/tools/validate_results.py labs/tools/gradescope-results.schema.json "$res" || die "results.json is not valid"
python3 - "$res" <<'PY' || { cat "$work/run.log"; die "not full marks in the clean root"; }
import json, sys
r = json.load(open(sys.argv[1]))
top = sum(t["max_score"] for t in r["tests"])
print(f"check-autograder-clean: {r['score']}/{top}: {r['output'].splitlines()[0]}")
sys.exit(0 if r["score"] == top and top > 0 else 1)
PY
grep -m1 '^sandbox:' "$root/autograder/work/slot/out/grade.log" | sed 's/^/check-autograder-clean: /'
echo "check-autograder-clean: lab $lab ok ($((SECONDS - start)) s)"
