#!/usr/bin/env bash
# kernel.sh [DIR] - make DIR/vmlinux (default build/vm): Debian's current
# amd64 kernel, uncompressed so QEMU can boot it through its PVH entry.
#
# The package is fetched with `apt-get download` (no root, nothing
# installed), only its /boot is unpacked, and the result is cached per
# package name in DIR/kernel/<package>/: a second run downloads nothing.
# The package name is asked of the local package lists each time, so a
# new Debian kernel ABI is picked up after `apt-get update`.
#
# Writes DIR/vmlinux (a link to the cached kernel) and DIR/kernel.txt:
#   release: 6.1.0-NN-amd64
#   package: linux-image-6.1.0-NN-amd64 <version>
set -euo pipefail

dir=${1:-build/vm}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$dir/kernel"

say() { echo "vm/kernel: $*" >&2; }

# The kernel package that the metapackage linux-image-amd64 points at now.
current_pkg() {
    apt-cache depends linux-image-amd64 2>/dev/null |
        grep -o 'linux-image-[0-9][^ >]*-amd64' | head -n1 || true
}

pkg=$(current_pkg)
if [ -z "$pkg" ] && [ "$(id -u)" -eq 0 ] && [ ! -e "$dir/vmlinux" ]; then
    say "the package lists know no linux-image-amd64: running apt-get update once"
    apt-get update -qq
    pkg=$(current_pkg)
fi
if [ -z "$pkg" ]; then
    if [ -e "$dir/vmlinux" ]; then
        say "the package lists know no linux-image-amd64; keeping the cached kernel"
        exit 0
    fi
    say "the package lists know no linux-image-amd64 (a fresh machine?). Run:"
    say "  sudo apt-get update"
    exit 1
fi

cache=$dir/kernel/$pkg
if [ ! -s "$cache/vmlinux" ]; then
    tmp=$(mktemp -d "$dir/kernel/dl.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT
    say "downloading $pkg (into $tmp, not installed)"
    # As root, apt drops to its _apt user to download, which cannot write
    # into our folder; keep root for this one download instead.
    sandbox=()
    [ "$(id -u)" -eq 0 ] && sandbox=(-o APT::Sandbox::User=root)
    (cd "$tmp" && apt-get download -q "${sandbox[@]}" "$pkg" >/dev/null)
    deb=$(ls "$tmp"/*.deb)
    version=$(dpkg-deb -f "$deb" Version)
    # Only /boot: the modules (hundreds of MB unpacked) are not needed, the
    # guest's drivers (serial, virtio, ACPI) are built into the kernel.
    dpkg-deb --fsys-tarfile "$deb" |
        tar -x -C "$tmp" --wildcards './boot/vmlinuz-*' './boot/config-*'
    vmlinuz=$(ls "$tmp"/boot/vmlinuz-*)
    release=${vmlinuz##*/vmlinuz-}
    mkdir -p "$tmp/out"
    "$here/extract-vmlinux.sh" "$vmlinuz" "$tmp/out/vmlinux"
    cp "$tmp/boot/config-$release" "$tmp/out/config"
    printf 'release: %s\npackage: %s %s\n' "$release" "$pkg" "$version" >"$tmp/out/kernel.txt"
    rm -rf "$cache"
    mv "$tmp/out" "$cache"
    say "kernel $release ready in $cache"
fi
ln -sfn "kernel/$pkg/vmlinux" "$dir/vmlinux"
cp "$cache/kernel.txt" "$dir/kernel.txt"
