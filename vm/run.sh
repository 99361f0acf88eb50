#!/usr/bin/env bash
# run.sh - boot the yieldlab guest in QEMU, run a profile inside, and bring
# the results back like a host run.
#
#   vm/run.sh [--cpus N] [--profile P] [--out DIR] [--timeout S] [--mem MB]
#             [--accel auto|kvm|tcg] [--no-build] [--quiet]
#
# --cpus N      vCPUs (default 1)
# --profile P   smoke: init runs foo of each model itself, then the
#               driver's smoke profile; quick, full, ...: the driver runs
#               bench/profiles/P (default quick)
# --out DIR     results folder (default results/<UTC stamp>-vmN, and
#               results/latest then points at it)
# --timeout S   the whole boot, host side (default by profile)
# --mem MB      guest memory (default by profile)
# --accel A     auto (default): KVM when /dev/kvm can be opened read-write
#               and runs a stock kernel, TCG (emulation) otherwise
# --no-build    use build/vm as it is (make vm-guest builds it)
# --quiet       console to DIR/console.log only, not to stdout
#
# DIR gets the guest's files (data.csv, trace-*.csv, foo-*.out for smoke),
# console.log, and env.txt: the driver's env.txt from inside the guest,
# then what init saw, then the host's side (kernel package, vCPUs,
# accelerator, host CPU and kernel). Exit 0 when the guest finished and
# reported success, 1 otherwise, 2 on bad usage.
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
cpus=1 profile=quick out='' timeout_s='' mem='' accel=auto build=1 quiet=0
say() { echo "vm: $*" >&2; }
usage() { sed -n '2,/^set -e/p' "$0" | sed -e '/^set -e/d' -e 's/^# \{0,1\}//'; }
bad() { say "$*"; exit 2; }
num() { [[ $2 =~ ^[1-9][0-9]*$ ]] || bad "$1: expected a positive whole number, got '$2'"; }

while [ $# -gt 0 ]; do
    case $1 in
    --help | -h) usage; exit 0 ;;
    --cpus) num "$1" "${2-}"; cpus=$2; shift ;;
    --profile) [ -n "${2-}" ] || bad "$1: needs a value"; profile=$2; shift ;;
    --out) [ -n "${2-}" ] || bad "$1: needs a value"; out=$2; shift ;;
    --timeout) num "$1" "${2-}"; timeout_s=$2; shift ;;
    --mem) num "$1" "${2-}"; mem=$2; shift ;;
    --accel)
        case ${2-} in auto | kvm | tcg) accel=$2 ;; *) bad "$1: '${2-}' is not one of auto|kvm|tcg" ;; esac
        shift ;;
    --no-build) build=0 ;;
    --quiet) quiet=1 ;;
    *) bad "unknown argument '$1' (try --help)" ;;
    esac
    shift
done
[ "$cpus" -le 64 ] || bad "--cpus: $cpus is more than 64"
[[ $profile =~ ^[A-Za-z0-9._-]+$ ]] || bad "--profile: '$profile' is not a profile name"
if [ "$profile" != smoke ] && [ ! -f "$src/bench/profiles/$profile" ]; then
    bad "--profile: no bench/profiles/$profile"
fi

# Memory and time by profile: the full sweep holds 1M tasks and 10k
# threads; c100k 200k sockets and threads up to a 4 GiB cap; TCG runs the
# experiments 10-50 times slower than the host.
case $profile in
smoke) def_mem=256 def_timeout=180 ;;
quick) def_mem=2048 def_timeout=3600 ;;
kernel-sched) def_mem=1024 def_timeout=1800 ;;
*) def_mem=8192 def_timeout=14400 ;;
esac
mem=${mem:-$def_mem} timeout_s=${timeout_s:-$def_timeout}

command -v qemu-system-x86_64 >/dev/null ||
    { say "qemu-system-x86_64 not found: run 'make deps' (or mk/deps.sh vm)"; exit 1; }

vmdir=$src/build/vm
if [ $build -eq 1 ]; then
    # A clean environment: when called from a make (a test run), the outer
    # make's variables (SAN=..., -j) must not leak into this one.
    env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$src" -s --no-print-directory vm-guest >&2 ||
        { say "building the guest failed (make vm-guest)"; exit 1; }
fi
for f in vmlinux initramfs.cpio kernel.txt; do
    [ -e "$vmdir/$f" ] || { say "$vmdir/$f missing: run 'make vm-guest'"; exit 1; }
done
unwire=$src/build/static/bin/vm/unwire
[ -x "$unwire" ] || { say "$unwire missing: run 'make vm-guest'"; exit 1; }

stamp=$(date -u +%Y%m%dT%H%M%SZ)-vm$cpus
link_latest=0
if [ -z "$out" ]; then
    out=$src/results/$stamp
    link_latest=1
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)

host_cpus=$(nproc)
if [ "$cpus" -gt "$host_cpus" ]; then
    say "warning: $cpus vCPUs but only $host_cpus host CPUs for QEMU: vCPUs will" \
        "share host CPUs, so cross-CPU figures mix in host scheduling"
fi

# /dev/kvm opening read-write is not enough: kvm-pvm (a software KVM found
# inside some cloud sandboxes) only runs specially built guest kernels and
# hangs a stock one, so it counts as no KVM.
kvm_why=
if ! (exec 3<>/dev/kvm) 2>/dev/null; then
    kvm_why="/dev/kvm cannot be opened read-write"
elif [ -d /sys/module/kvm_pvm ]; then
    kvm_why="/dev/kvm is kvm-pvm, which cannot run a stock kernel"
fi
auto_kvm=0
case $accel in
auto) if [ -z "$kvm_why" ]; then accel=kvm auto_kvm=1; else accel=tcg; fi ;;
kvm) [ -z "$kvm_why" ] || say "warning: --accel kvm, but $kvm_why" ;;
esac

release=$(sed -n 's/^release: //p' "$vmdir/kernel.txt")
package=$(sed -n 's/^package: //p' "$vmdir/kernel.txt")
# The guest's timeout is shorter than ours, so it can still send what it
# has (and its DONE line) before we pull the plug.
guest_timeout=$((timeout_s > 60 ? timeout_s - 30 : timeout_s * 2 / 3))
append="console=ttyS0 quiet panic=-1 yl.profile=$profile yl.where=vm$cpus yl.timeout=$guest_timeout"
# Under TCG the vCPUs' TSCs drift apart and the clocksource watchdog would
# drop the TSC for a slow clock in the middle of a measurement.
[ "$cpus" -gt 1 ] && append+=" tsc=reliable"
raw=$out/serial.raw

# start_qemu ACCEL: boots in the background (pid in qpid). Console to
# console.log, and live to stdout unless --quiet; stdin is /dev/null, so
# QEMU leaves the terminal alone.
start_qemu() {
    local cpu=max
    [ "$1" = kvm ] && cpu=host
    rm -f "$raw" "$out/console.log" "$pidfile"
    local qemu=(qemu-system-x86_64 -accel "$1" -cpu "$cpu" -smp "$cpus" -m "$mem"
        -nodefaults -nic none -display none -no-reboot
        -kernel "$vmdir/vmlinux" -initrd "$vmdir/initramfs.cpio" -append "$append"
        -chardev "stdio,id=con,signal=off" -serial chardev:con -serial "file:$raw"
        -pidfile "$pidfile")
    # QEMU's own messages go to the console log too; the subshell's stderr
    # is dropped only to keep bash's "Aborted" job notices off the screen.
    if [ $quiet -eq 1 ]; then
        (timeout -k 10 "$timeout_s" "${qemu[@]}" </dev/null >"$out/console.log" 2>&1; exit $?) 2>/dev/null &
    else
        (timeout -k 10 "$timeout_s" "${qemu[@]}" </dev/null > >(tee "$out/console.log") 2>&1; exit $?) 2>/dev/null &
    fi
    qpid=$!
}
# QEMU runs in a subshell that ignores Ctrl-C (bash does that to
# background jobs), so stopping it goes through its pid file, which QEMU
# removes when it exits.
pidfile=$out/qemu.pid qpid=
stop_qemu() {
    local p
    p=$(cat "$pidfile" 2>/dev/null) && kill "$p" 2>/dev/null
    [ -z "$qpid" ] || { wait "$qpid"; } 2>/dev/null || true
}
trap 'say "interrupted: stopping the guest"; stop_qemu; exit 130' INT TERM
alive() { grep -q 'yl-init:' "$out/console.log" 2>/dev/null; }

if [ "$accel" = kvm ]; then accel_note=kvm; else accel_note="tcg (emulation${kvm_why:+; $kvm_why})"; fi
say "booting $release, $cpus vCPU(s), $accel_note, ${mem} MB, profile $profile (timeout ${timeout_s} s)"
t0=$(date +%s.%N)
start_qemu "$accel"
if [ $auto_kvm -eq 1 ]; then
    # Some /dev/kvm (nested, or software ones) accept a guest and then
    # hang it or fail at once. Under KVM our init speaks within seconds:
    # if it has not after 60 s, emulate instead.
    for _ in $(seq 60); do
        alive || ! kill -0 "$qpid" 2>/dev/null && break
        sleep 1
    done
    if ! alive; then
        last=$({ grep -v '^$' "$out/console.log" 2>/dev/null || true; } | tail -n1 | cut -c1-200)
        stop_qemu
        say "under KVM: ${last:-no output}"
        kvm_why="a KVM guest gave no sign of life"
        accel=tcg accel_note="tcg (emulation; $kvm_why)"
        say "$kvm_why: booting again under TCG"
        t0=$(date +%s.%N)
        start_qemu tcg
    fi
fi
set +e
wait "$qpid"
qrc=$?
set -e
qpid=
sleep 0.2 # tee's last lines
wall=$(echo "$(date +%s.%N) $t0" | awk '{printf "%.1f", $1 - $2}')
if [ $qrc -eq 124 ] || [ $qrc -eq 137 ]; then
    say "the guest was still running after ${timeout_s} s: stopped it"
elif [ $qrc -ne 0 ]; then
    say "qemu-system-x86_64 failed (exit $qrc)"
fi

set +e
"$unwire" --in "$raw" --out "$out" >/dev/null
wrc=$?
set -e
[ $wrc -eq 0 ] && rm -f "$raw"

# env.txt: the driver's (if it ran), what init saw, then the host's side.
{
    if [ -f "$out/env.txt" ]; then cat "$out/env.txt"; fi
    if [ -f "$out/guest.txt" ]; then cat "$out/guest.txt"; fi
    echo "vm_guest_kernel: $release ($package)"
    echo "vm_vcpus: $cpus"
    echo "vm_accel: $accel_note"
    echo "vm_memory_mb: $mem"
    echo "vm_wall_s: $wall"
    echo "vm_qemu: $(qemu-system-x86_64 --version | head -n1)"
    echo "host_cpu: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)"
    echo "host_cpus: $host_cpus"
    echo "host_kernel: $(uname -srvm)"
} >"$out/env.txt.new"
mv "$out/env.txt.new" "$out/env.txt"

if [ $link_latest -eq 1 ] && [ -s "$out/data.csv" ]; then
    ln -sfn "$stamp" "$src/results/latest"
fi
if [ "$profile" != smoke ] && [ -s "$out/data.csv" ] && [ -x "$src/plots/report.sh" ]; then
    "$src/plots/report.sh" "$out" || say "the report failed (plots/report.sh $out)"
fi

case $wrc in
0) say "done in ${wall} s: results in $out"; exit 0 ;;
3) say "the guest reported a failure (see $out/init.log and console.log); results in $out" ;;
*) say "the results stream is incomplete (see $out/console.log); what arrived is in $out" ;;
esac
exit 1
