#!/bin/sh
# report.sh DIR - the report generator's old name: plots/report.py does the work.
command -v python3 >/dev/null || { echo "report.sh: python3 not found (apt-get install python3, or make deps)" >&2; exit 1; }
exec python3 "$(dirname "$0")/report.py" "$@"
