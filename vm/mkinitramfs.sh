#!/usr/bin/env bash
# mkinitramfs.sh BINDIR OUT - pack the guest's root file system.
#
# BINDIR is a static build's bin folder (build/static/bin). The archive
# holds:
#   /init                  BINDIR/vm/init, the guest's PID 1
#   /bin/...               every program of BINDIR but vm/ (tasks/, threads/,
#                          procs/, yl-bench)
#   /bin/profiles/         bench/profiles/, where yl-bench looks in a guest
#   /dev /proc /sys /tmp   mount points (init mounts them)
# Programs are stripped (smaller archive, faster to unpack under TCG) and
# the archive is uncompressed: the kernel copies it faster than it gunzips.
# OUT is rewritten only when its content changes.
set -euo pipefail

if [ $# -ne 2 ]; then
    echo "usage: mkinitramfs.sh BINDIR OUT" >&2
    exit 2
fi
bin=$1 out=$2
src=$(cd "$(dirname "$0")/.." && pwd)

if [ ! -x "$bin/vm/init" ]; then
    echo "vm/mkinitramfs: $bin/vm/init missing: build with 'make STATIC=1 all' first" >&2
    exit 1
fi
# A program that asks for a dynamic loader (an INTERP header) cannot start.
while IFS= read -r -d '' f; do
    if readelf -l "$f" 2>/dev/null | grep -q 'INTERP'; then
        echo "vm/mkinitramfs: $f is dynamically linked; the guest has no C library" >&2
        exit 1
    fi
done < <(find "$bin" -type f -perm -u+x ! -path "$bin/vm/*" -print0)

stage=$(mktemp -d)
trap 'rm -rf "$stage" "$out.tmp"' EXIT
mkdir -p "$stage"/{bin,dev,proc,sys,tmp}
cp "$bin/vm/init" "$stage/init"
cp -a "$bin/." "$stage/bin/"
rm -rf "$stage/bin/vm"
if [ -d "$src/bench/profiles" ]; then
    mkdir -p "$stage/bin/profiles"
    cp -a "$src/bench/profiles/." "$stage/bin/profiles/"
fi
if command -v strip >/dev/null; then
    find "$stage" -type f -perm -u+x -exec strip --strip-all {} +
fi
# Same content, same bytes: fixed owner, times and order.
find "$stage" -exec touch -h -d @0 {} +
(cd "$stage" && find . -mindepth 1 -print0 | LC_ALL=C sort -z |
    cpio -o -0 -H newc -R 0:0 --reproducible --quiet) >"$out.tmp"
if cmp -s "$out.tmp" "$out"; then
    rm -f "$out.tmp"
else
    mv "$out.tmp" "$out"
    echo "vm/mkinitramfs: $out ($(du -h "$out" | cut -f1))" >&2
fi
