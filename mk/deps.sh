#!/usr/bin/env bash
# deps.sh GROUP... - make sure the Debian packages of each group are there.
# As root, installs the missing ones with apt-get; otherwise prints the one
# exact command to run and exits 1. Groups: build test bench vm aarch64 clang labs course peers.
set -euo pipefail

pkgs_build="gcc make pkg-config"
pkgs_test="libcriterion-dev gdb"
pkgs_bench="gnuplot-nox python3 wrk libboost-context-dev linux-perf"
pkgs_vm="qemu-system-x86 cpio"
pkgs_aarch64="gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user"
pkgs_clang="clang"
pkgs_labs="unifdef patch ccache"
# Using the labs in a course: the grading sandbox, the Gradescope zip, the
# results and the GitHub Classroom workflow's check.
pkgs_course="bubblewrap zip unzip python3 python3-yaml"
# The other languages' runtimes (peers/): Debian's, Tokio from its packaged crates.
pkgs_peers="nodejs python3 golang-go cargo librust-tokio-dev nginx-light"

want=()
for g in "$@"; do
    var="pkgs_$g"
    if [ -z "${!var+x}" ]; then
        echo "deps.sh: unknown group '$g' (build test bench vm aarch64 clang labs course peers)" >&2
        exit 2
    fi
    for p in ${!var}; do want+=("$p"); done
done

missing=()
for p in "${want[@]}"; do
    st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [ "$st" = "install ok installed" ] && continue
    # A node from another origin (NodeSource's package, a tarball) serves too.
    [ "$p" = nodejs ] && command -v node >/dev/null 2>&1 && continue
    missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "yieldlab needs: ${missing[*]}" >&2
    echo "run: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi
echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# An empty package list (fresh image) cannot resolve anything: update once.
if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
