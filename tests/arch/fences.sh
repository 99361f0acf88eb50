#!/usr/bin/env bash
# fences.sh ARCH OBJDUMP OBJ... - the memory fences of the Chase-Lev deque
# and of parking are in the machine code. x86-64 keeps every order but
# store-then-load, so only the seq_cst fences show there (mfence, or the
# lock-prefixed no-op compilers use instead); AArch64 needs them all
# (dmb ish) and its acquire loads (ldar). The head-to-head tests
# (tests/conc/weak.c) catch a missing take fence on both; this catches the
# ones no test can show on this machine: x86-64 and qemu's x86 host never
# reorder two loads or two stores, and a release fence is free on x86.
set -euo pipefail
[ $# -ge 3 ] || { echo "usage: fences.sh x86_64|aarch64 OBJDUMP OBJ..." >&2; exit 2; }
arch=$1 objdump=$2
shift 2
full='lock or|mfence'
case $arch in
x86_64) rules=("yl_deque_take:$full" "yl_deque_steal:$full" "yl__park_announce:$full"
               "yl__wake_worker:$full") ;;
aarch64) rules=("yl_deque_push:dmb[[:space:]]+ish$" "yl_deque_push:ldar"
                "yl_deque_take:dmb[[:space:]]+ish$" "yl_deque_steal:dmb[[:space:]]+ish$"
                "yl_deque_steal:ldar.*ldar" "yl__park_announce:dmb[[:space:]]+ish$"
                "yl__wake_worker:dmb[[:space:]]+ish$") ;;
*) echo "fences.sh: unknown arch '$arch'" >&2; exit 2 ;;
esac
dis=$("$objdump" -d --no-show-raw-insn "$@")
bad=0
for r in "${rules[@]}"; do
    fn=${r%%:*} pat=${r#*:}
    # The function's instructions, one line (so "ldar.*ldar" counts two).
    body=$(awk -v f="<$fn>:" '$2 == f {on = 1; next} /^[0-9a-f]+ </ {on = 0} on' <<<"$dis")
    if [ -z "$body" ]; then
        echo "fences: $arch: no function $fn in $*" >&2; bad=1; continue
    fi
    if [ "$pat" = "${pat%.\*ldar}" ]; then
        grep -Eq "$pat" <<<"$body" && continue
    else
        [ "$(grep -c ldar <<<"$body")" -ge 2 ] && continue
    fi
    echo "fences: $arch: $fn lacks /$pat/: a fence or acquire load of libyl is gone" >&2
    bad=1
done
[ $bad -eq 0 ] && echo "fences: $arch: the fences and acquire loads of take, steal, push, park and wake are there"
exit $bad
