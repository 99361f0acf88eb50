#!/usr/bin/env bash
# run.sh DRIVER PROFILE [ROOT] - one benchmark run (make bench): the
# driver DRIVER runs PROFILE into a folder of its own, ROOT/<UTC stamp>-host
# (ROOT: results). Prints the folder on stdout and exits with the driver's
# status. ROOT/latest is moved to the folder only when the run completed
# (the driver exited 0): an interrupted run, or one that measured nothing,
# leaves it on the last complete one.
set -uo pipefail
driver=${1:?usage: run.sh DRIVER PROFILE [ROOT]}
profile=${2:?usage: run.sh DRIVER PROFILE [ROOT]}
root=${3:-results}
mkdir -p "$root" || exit 1
# Two runs within one second must not share a folder: mkdir without -p
# fails on an existing one, and the next suffix is tried.
base=$(date -u +%Y%m%dT%H%M%SZ)
stamp=
for suffix in "" .2 .3 .4 .5 .6 .7 .8 .9; do
    if mkdir "$root/$base$suffix-host" 2>/dev/null; then
        stamp=$base$suffix-host
        break
    fi
done
[ -n "$stamp" ] || { echo "run.sh: cannot create a new folder under $root" >&2; exit 1; }
dir=$root/$stamp
rc=0
"$driver" --profile "$profile" --out "$dir" --where host >&2 || rc=$?  # stdout: the folder only
if [ $rc -eq 0 ]; then
    # A new link renamed over the old one: latest is never missing.
    ln -sfn "$stamp" "$root/.latest.tmp" && mv -Tf "$root/.latest.tmp" "$root/latest" || rc=1
fi
echo "$dir"
exit $rc
