#!/bin/sh
# versions.sh - one "MODEL_version: ..." line per peer runtime, for env.txt;
# a runtime that is not there says which package `make deps` installs.
missing() { echo "$1_version: not installed, make deps installs $2"; }

if command -v node >/dev/null 2>&1; then
    echo "node_version: $(node --version 2>/dev/null)"
else
    missing node nodejs
fi
py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3 2>/dev/null || true)
if [ -n "$py" ]; then
    echo "python_version: $("$py" -c 'import platform; print(platform.python_version())' 2>/dev/null)"
else
    missing python python3
fi
if command -v go >/dev/null 2>&1; then
    echo "go_version: $(go version 2>/dev/null | awk '{print $3}')"
else
    missing go golang-go
fi
tokio=$(ls -d /usr/share/cargo/registry/tokio-[0-9]* 2>/dev/null | sed 's|.*/tokio-||' | sort -V | tail -n 1)
if [ -x /usr/bin/cargo ] && [ -n "$tokio" ]; then
    echo "tokio_version: tokio $tokio, $(/usr/bin/rustc --version 2>/dev/null | awk '{print $1" "$2}')"
else
    missing tokio "cargo librust-tokio-dev"
fi
