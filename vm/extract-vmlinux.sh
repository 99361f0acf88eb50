#!/usr/bin/env bash
# extract-vmlinux.sh VMLINUZ OUT - write the uncompressed ELF kernel hidden
# inside a bzImage to OUT.
#
# Why: QEMU can boot an ELF vmlinux straight into its PVH entry point, so the
# guest skips the decompressor, which runs slowly under TCG. A bzImage is a
# small real-mode stub plus one compressed payload; we look for each known
# compression magic, try to decompress from there, and keep the first result
# that starts with the ELF magic. Trailing bytes after the payload (the
# signature of a signed kernel) are ignored by the single-stream options.
set -euo pipefail

if [ $# -ne 2 ]; then
    echo "usage: extract-vmlinux.sh VMLINUZ OUT" >&2
    exit 2
fi
img=$1 out=$2
[ -r "$img" ] || { echo "extract-vmlinux: cannot read $img" >&2; exit 1; }

tmp=$(mktemp "${out}.XXXXXX")
trap 'rm -f "$tmp"' EXIT

is_elf() { [ "$(head -c4 "$1" | od -An -c | tr -d ' ')" = '177ELF' ]; }

# try MAGIC(PCRE \x escapes) TOOL ARGS...: decompress from each place MAGIC
# occurs. PCRE escapes, because a NUL byte cannot travel in an argument.
try() {
    local magic=$1; shift
    command -v "$1" >/dev/null 2>&1 || return 1
    local offs
    # grep -abo prints byte offsets of each match; LC_ALL=C keeps bytes bytes.
    offs=$(LC_ALL=C grep -aboP "$magic" "$img" 2>/dev/null | cut -d: -f1) || return 1
    for off in $offs; do
        tail -c +"$((off + 1))" "$img" | "$@" >"$tmp" 2>/dev/null || true
        if [ -s "$tmp" ] && is_elf "$tmp"; then
            return 0
        fi
    done
    return 1
}

if is_elf "$img"; then
    cp "$img" "$tmp"
elif try '\xfd7zXZ\x00' xz -dcq --single-stream ||
     try '\x28\xb5\x2f\xfd' zstd -dcq ||
     try '\x1f\x8b\x08' gzip -dcq ||
     try '\x5d\x00\x00\x00' xz -dcq --format=lzma ||
     try 'BZh' bzip2 -dcq ||
     try '\x02\x21\x4c\x18' lz4 -dcq; then
    :
else
    echo "extract-vmlinux: no ELF kernel found in $img (compression tool missing?)" >&2
    exit 1
fi
chmod 644 "$tmp"
mv "$tmp" "$out"
trap - EXIT
