#!/usr/bin/env bash
# sandbox.sh [options] TREE -- CMD... - run CMD (a student's build or tests)
# in TREE under bubblewrap, with limits, and say which limit it hit.
#
#   --wall S      wall-clock limit in seconds (default 600)
#   --cpu S       CPU seconds per process (RLIMIT_CPU; SIGXCPU, then SIGKILL)
#   --mem MB      memory: address space per process (RLIMIT_AS) and, where
#                 this machine lets us make a cgroup, the whole sandbox's RAM
#   --nproc N     processes (RLIMIT_NPROC of the sandbox's own uid; cgroup pids.max)
#   --uid U       the unprivileged uid the code runs as (when we are root)
#   --hide FILE   FILE (inside TREE) reads as empty inside: the hidden tests
#
# Inside: no network (a new network namespace, loopback only), a private
# /tmp, only the system's /usr and /etc, TREE read-only but for TREE/build,
# nothing else of the machine (no home, no other checkout), a new pid
# namespace that dies with the sandbox. Without bubblewrap (missing, or no
# user namespaces) it says so in one line and runs with the rlimits and the
# uid only. YL_SANDBOX=none skips the sandbox (inside Gradescope's own
# container, for instance). Exit status: CMD's, 124 at the wall-clock limit,
# 125 when the sandbox itself could not be set up (not the code's fault).
# Lines starting "sandbox: limit hit:" name each limit the code ran into.
set -uo pipefail

wall=600 cpu=300 mem=4096 nproc=256 uid=61000
hide=()
while [ $# -gt 0 ]; do
    case $1 in
    --wall) wall=$2; shift 2 ;;
    --cpu) cpu=$2; shift 2 ;;
    --mem) mem=$2; shift 2 ;;
    --nproc) nproc=$2; shift 2 ;;
    --uid) uid=$2; shift 2 ;;
    --hide) hide+=("$2"); shift 2 ;;
    --) shift; break ;;
    -*) echo "sandbox: unknown option $1" >&2; exit 2 ;;
    *) tree=$1; shift ;;
    esac
done
[ -n "${tree:-}" ] && [ -d "$tree/build" ] && [ $# -gt 0 ] ||
    { echo "usage: sandbox.sh [--wall S --cpu S --mem MB --nproc N --uid U --hide F] TREE -- CMD..." >&2; exit 2; }
tree=$(cd "$tree" && pwd)
mode=${YL_SANDBOX:-auto}
root=0; [ "$(id -u)" -eq 0 ] && root=1

if [ "$mode" = none ]; then
    cd "$tree" && exec "$@"
fi
# As root, the code runs as its own uid (RLIMIT_NPROC does not bind root).
drop=()
[ $root -eq 1 ] && drop=(setpriv --reuid="$uid" --regid="$uid" --clear-groups)
if [ $root -eq 1 ] && ! "${drop[@]}" test -r "$tree" -a -x "$tree"; then
    echo "sandbox: uid $uid cannot reach $tree (a folder above it is not world-searchable: chmod o+x it)" >&2
    exit 125
fi

# bubblewrap, if it is here and this kernel lets that uid make namespaces.
if [ "$mode" = auto ]; then
    if ! command -v bwrap >/dev/null; then
        echo "sandbox: bubblewrap is missing (apt-get install bubblewrap): rlimits only, no network or file isolation"
        mode=rlimits
    elif ! "${drop[@]}" bwrap --ro-bind / / --unshare-all true 2>/dev/null; then
        echo "sandbox: bubblewrap cannot make namespaces here: rlimits only, no network or file isolation"
        mode=rlimits
    else
        mode=bwrap
    fi
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/yl-sandbox.XXXXXX") && chmod 755 "$work"
cg_pids='' cg_mem=''
cleanup() {
    # Whatever the code left running dies with the sandbox: by cgroup when
    # we made one, by uid (kill -1 as that uid) in the rlimits-only mode.
    local d p
    for d in $cg_pids $cg_mem; do
        for _ in 1 2 3 4 5; do
            p=$(cat "$d/cgroup.procs" 2>/dev/null) || break
            [ -n "$p" ] || break
            kill -KILL $p 2>/dev/null
            sleep 0.2
        done
        rmdir "$d" 2>/dev/null
    done
    [ "$mode" = rlimits ] && [ $root -eq 1 ] && setpriv --reuid="$uid" --regid="$uid" --clear-groups kill -KILL -1 2>/dev/null
    # The hidden files get their own mode back (rlimits mode hides by chmod).
    if [ "$mode" = rlimits ] && [ $root -eq 1 ]; then
        for f in "${hide[@]}"; do [ -f "$tree/$f" ] && chmod 0644 "$tree/$f"; done
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# A cgroup for the whole sandbox, when this machine lets us make one (v1 or
# v2): it caps the sum over all processes and counts what hit the cap.
if [ $root -eq 1 ]; then
    if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
        d=/sys/fs/cgroup/yl-sandbox-$$
        mkdir "$d" 2>/dev/null && [ -f "$d/pids.max" ] && echo "$nproc" >"$d/pids.max" && cg_pids=$d &&
            { echo $((mem * 1048576)) >"$d/memory.max" 2>/dev/null && echo 0 >"$d/memory.swap.max" 2>/dev/null; cg_mem=$d; }
        [ -n "$cg_pids" ] || rmdir "$d" 2>/dev/null
        [ "$cg_mem" = "$cg_pids" ] && cg_mem=''
    else
        d=/sys/fs/cgroup/pids/yl-sandbox-$$
        mkdir "$d" 2>/dev/null && echo "$nproc" >"$d/pids.max" 2>/dev/null && cg_pids=$d || rmdir "$d" 2>/dev/null
        d=/sys/fs/cgroup/memory/yl-sandbox-$$
        mkdir "$d" 2>/dev/null && echo $((mem * 1048576)) >"$d/memory.limit_in_bytes" 2>/dev/null && cg_mem=$d ||
            rmdir "$d" 2>/dev/null
        [ -n "$cg_mem" ] && echo $((mem * 1048576)) >"$cg_mem/memory.memsw.limit_in_bytes" 2>/dev/null
    fi
fi

# The limits every process inherits. RLIMIT_NPROC counts the processes of a
# uid, and root is exempt from it: so the code runs as its own uid.
# With a memory cgroup the address-space cap is twice the RAM cap, so that
# what fills memory meets the cgroup (which names itself) first.
as=$mem; [ -n "$cg_mem" ] && as=$((mem * 2))
limits=(prlimit --cpu="$cpu:$((cpu + 5))" --as=$((as * 1048576)) --fsize=$((1024 * 1048576))
        --nofile=4096 --core=0)
if [ $root -eq 1 ]; then
    # As with memory, a pids cgroup (which counts refusals) meets forks first.
    limits+=(--nproc=$((${cg_pids:+2 *} nproc)))
    chown -R "$uid:$uid" "$tree/build"
else
    # Our own uid's processes count too: allow ours plus the sandbox's.
    limits+=(--nproc=$(($(ps -U "$(id -u)" -o pid= | wc -l) + nproc)))
fi

inner=("$@")
if [ "$mode" = bwrap ]; then
    sys=(--ro-bind /usr /usr --ro-bind /etc /etc --ro-bind-try /var/lib/dpkg /var/lib/dpkg)
    for l in bin sbin lib lib64 lib32 libx32; do
        if [ -L "/$l" ]; then sys+=(--symlink "$(readlink "/$l")" "/$l")
        elif [ -d "/$l" ]; then sys+=(--ro-bind "/$l" "/$l"); fi
    done
    : >"$work/empty"
    touch -d '2000-01-01 00:00Z' "$work/empty"
    masks=()
    for f in "${hide[@]}"; do [ -e "$tree/$f" ] && masks+=(--ro-bind "$work/empty" "$tree/$f"); done
    inner=(bwrap "${sys[@]}" --proc /proc --dev /dev --tmpfs /tmp --tmpfs /var/tmp
           --ro-bind "$tree" "$tree" --bind "$tree/build" "$tree/build" "${masks[@]}"
           --unshare-all --die-with-parent --new-session --chdir "$tree"
           --clearenv --setenv PATH /usr/local/bin:/usr/bin:/bin --setenv HOME /tmp
           --setenv LANG C.UTF-8 --setenv TMPDIR /tmp -- "$@")
    echo "sandbox: bubblewrap, no network, private /tmp, $tree read-only but build/;" \
         "limits: ${wall}s wall, ${cpu}s CPU, ${mem} MB, $nproc processes"
else
    # Without a mount namespace the hidden files are hidden by their mode:
    # the code runs as another uid and cannot read a root-only file.
    if [ $root -eq 1 ]; then
        for f in "${hide[@]}"; do [ -f "$tree/$f" ] && chmod 0600 "$tree/$f"; done
    fi
    echo "sandbox: limits: ${wall}s wall, ${cpu}s CPU, ${mem} MB, $nproc processes"
fi

# The cgroup is entered first, so every process of the sandbox is in it.
enter='for d in "$@"; do [ "$d" = -- ] && break; echo $$ >"$d/cgroup.procs" || exit 125; shift; done; shift; exec "$@"'
cd "$tree" || exit 2
t0=$SECONDS
timeout --kill-after=5 "$wall" bash -c "$enter" enter $cg_pids $cg_mem -- \
    "${limits[@]}" -- "${drop[@]}" "${inner[@]}"
rc=$?

# Which limits the code ran into.
# (137 is also what any SIGKILLed command returns: the clock tells them apart.)
[ $rc -eq 124 ] || { [ $rc -eq 137 ] && [ $((SECONDS - t0)) -ge "$wall" ]; } && { echo "sandbox: limit hit: wall-clock (${wall}s): stopped"; rc=124; }
if [ -n "$cg_pids" ]; then
    n=$(awk '$1 == "max" {print $2}' "$cg_pids/pids.events" 2>/dev/null)
    [ "${n:-0}" -gt 0 ] && echo "sandbox: limit hit: processes ($nproc): $n fork(s) refused"
fi
if [ -n "$cg_mem" ]; then
    if [ -f "$cg_mem/memory.events" ]; then
        n=$(awk '$1 == "max" || $1 == "oom_kill" {s += $2} END {print s + 0}' "$cg_mem/memory.events")
    elif grep -q '^oom_kill ' "$cg_mem/memory.oom_control" 2>/dev/null; then
        n=$(awk '$1 == "oom_kill" {print $2}' "$cg_mem/memory.oom_control")
    else
        n=$(cat "$cg_mem/memory.failcnt" 2>/dev/null)
    fi
    [ "${n:-0}" -gt 0 ] && echo "sandbox: limit hit: memory (${mem} MB)"
fi
exit $rc
