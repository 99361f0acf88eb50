#!/bin/sh
# report.sh DIR - the report generator's old name: plots/report.py does the work.
exec python3 "$(dirname "$0")/report.py" "$@"
