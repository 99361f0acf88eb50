#!/usr/bin/env bash
# run.sh DRIVER PROFILE [ROOT] - one benchmark run (make bench): the
# driver DRIVER runs PROFILE into ROOT/<UTC stamp>-host/ (ROOT: results),
# then ROOT/latest is pointed at that folder. Prints the folder on stdout
# and exits with the driver's status.
set -uo pipefail
driver=${1:?usage: run.sh DRIVER PROFILE [ROOT]}
profile=${2:?usage: run.sh DRIVER PROFILE [ROOT]}
root=${3:-results}
stamp=$(date -u +%Y%m%dT%H%M%SZ)-host
dir=$root/$stamp
mkdir -p "$dir" || exit 1
rc=0
"$driver" --profile "$profile" --out "$dir" --where host || rc=$?
if [ -s "$dir/data.csv" ]; then ln -sfn "$stamp" "$root/latest"; fi
echo "$dir"
exit $rc
