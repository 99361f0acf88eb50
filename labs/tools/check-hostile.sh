# check-hostile.sh - sourced by check-autograder.sh for its heavy lab ($lab,
# with $root, $work, $labdir, make_sub, run_ag and row from there): broken
# hand-ins through run_autograder, then grade-all on a class of the full
# tree and the chaffs, and on one of the hostile hand-ins, which must be
# contained.
first=$(head -1 "$labdir/HANDIN")
hostile=${labdir}chaffs/hostile

make_sub "$lab" . "" "$work/sub-syntax" && echo 'this line is not C' >>"$work/sub-syntax/$first"
run_ag "$lab" "$root" syntax-error "$work/sub-syntax" "did not compile"
mkdir -p "$work/sub-nothing" && echo "my answers" >"$work/sub-nothing/README.txt"
run_ag "$lab" "$root" nothing-handed-in "$work/sub-nothing" "None of the files"
make_sub "$lab" . "$hostile/endless-loop.patch" "$work/sub-loop"
run_ag "$lab" "$root" loops-forever "$work/sub-loop" "did not finish" YL_GRADE_WALL=20

# A filtered run (what each GitHub Classroom step does): the tests left out
# are skipped, not failed, and the run passes.
t=$(labs/tools/gradelib.py tests "$lab" --visible | head -1 | cut -f1,2 | tr '\t' /)
if out=$(make --no-print-directory grade LAB="$lab" GRADE_ARGS="-j1 --filter $t" 2>&1) &&
    grep -q '^score: \([0-9]*\)/\1 ([0-9]* points skipped)$' <<<"$out" && grep -q '^  skip ' <<<"$out" &&
    ! grep -q '^  FAIL ' <<<"$out"; then
    row "$lab" "filtered grade: skipped, not failed" ok
else
    row "$lab" "filtered grade: skipped, not failed" "FAIL ($(grep '^score' <<<"$out"))"
fi

# A class of the full tree and every chaff: the expected CSV. (The hostile
# hand-ins are a class of their own: their CPU hogs would starve the full
# tree's timing tests, graded beside them.)
class=$work/class
mkdir -p "$class"
cp -r "$work/sub-full" "$class/full-tree"
for p in "$labdir"chaffs/*.patch; do
    c=$(basename "$p" .patch)
    cp -r "$work/sub-chaff-$c" "$class/chaff-$c"
done
t0=$SECONDS
YL_GRADE_ALL_DEST=$work/grade-all labs/tools/grade-all.sh "$lab" "$class" 300 >"$work/grade-all.log" 2>&1
echo "  (grade-all of $(ls "$class" | wc -l) hand-ins: $((SECONDS - t0)) s)"

# The hostile class, graded with the placeholders of its patches filled in.
hclass=$work/hostile
mkdir -p "$hclass"
token=$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
# A listener on a loopback port, outside the sandbox: it counts connections.
python3 -c 'import socket, sys, os
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen(16)
open(sys.argv[1], "w").write(str(l.getsockname()[1]))
n = 0
while True:
    c, _ = l.accept(); n += 1; c.close()
    open(sys.argv[2], "w").write(str(n))' "$work/port" "$work/accepted" &
listener=$!
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
port=$(cat "$work/port")
for p in "$hostile"/*.patch; do
    h=$(basename "$p" .patch)
    make_sub "$lab" . "$p" "$hclass/hostile-$h"
    find "$hclass/hostile-$h" -type f -exec sed -i \
        -e "s|@TOP@|$top|g" -e "s|@TOKEN@|$token|g" -e "s|@PORT@|$port|g" {} +
done
git status --porcelain 2>/dev/null | sort >"$work/git-before"
dest=$work/grade-all-hostile
t0=$SECONDS
YL_GRADE_ALL_DEST=$dest YL_GRADE_MEM=1024 labs/tools/grade-all.sh "$lab" "$hclass" 40 >"$work/grade-all-hostile.log" 2>&1
echo "  (grade-all of $(ls "$hclass" | wc -l) hostile hand-ins: $((SECONDS - t0)) s)"
kill "$listener" 2>/dev/null
wait "$listener" 2>/dev/null
git status --porcelain 2>/dev/null | sort >"$work/git-after"

# The expected CSVs: one row per folder, full marks for the full tree only,
# the limit each hostile hand-in hit named in its reason.
python3 - "$work/grade-all/grades.csv" "$class" "$dest/grades.csv" "$hclass" >"$work/csv-check.log" 2>&1 <<'PY'
import csv, os, sys
bad = []
want = {"hostile-fork-bomb": "processes", "hostile-huge-alloc": "memory",
        "hostile-endless-loop": "did not finish"}
for path, folder in ((sys.argv[1], sys.argv[2]), (sys.argv[3], sys.argv[4])):
    rows = {r["student"]: r for r in csv.DictReader(open(path))}
    folders = sorted(os.listdir(folder))
    if sorted(rows) != folders:
        bad.append(f"rows {sorted(rows)} are not the folders {folders}")
    for name, r in rows.items():
        total, top = int(r["total"]), int(r["max"])
        if name == "full-tree":
            if total != top or r["status"] != "ok":
                bad.append(f"full-tree: {total}/{top} {r['status']}")
        elif total >= top:
            bad.append(f"{name}: {total}/{top}, expected less")
        if name in want and want[name] not in r["reason"]:
            bad.append(f"{name}: reason {r['reason']!r} does not name {want[name]!r}")
print("\n".join(bad) or "ok")
sys.exit(1 if bad else 0)
PY
[ $? -eq 0 ] && row "$lab" "grade-all: the expected grades.csv" ok ||
    row "$lab" "grade-all: the expected grades.csv" "FAIL ($(head -1 "$work/csv-check.log"))"
[ -s "$work/grade-all/gradebook.csv" ] &&
    [ "$(wc -l <"$work/grade-all/gradebook.csv")" -eq $(($(ls "$class" | wc -l) + 2)) ] &&
    row "$lab" "grade-all: gradebook.csv" ok || row "$lab" "grade-all: gradebook.csv" "FAIL (rows)"

# Contained: nothing written outside, no connection out, no hidden source
# in any output, no process left behind, the checkout as it was.
left=$(find "$top" /tmp "$(dirname "$top")" -maxdepth 6 -name "pwned-$token" 2>/dev/null | head -3)
[ -z "$left" ] && row "$lab" "hostile: no write outside" ok || row "$lab" "hostile: no write outside" "FAIL ($left)"
[ ! -s "$work/accepted" ] && row "$lab" "hostile: no connection out" ok ||
    row "$lab" "hostile: no connection out" "FAIL ($(cat "$work/accepted") accepted)"
secret=$(grep -v 'Test(\|description\|^#\|^ *[/*]' tests/labs/hidden/"$lab"_*.c | awk 'length > 30' | head -1)
if [ -n "$secret" ] && ! grep -rqF -- "$secret" "$dest" "$work"/*.log "$work"/*.results.json; then
    row "$lab" "hostile: hidden source not in any output" ok
else
    row "$lab" "hostile: hidden source not in any output" "FAIL (found, or no line to look for)"
fi
# (Zombies are not left running: a killed sandbox's inner bwrap is reaped by
# init a moment later.)
for _ in 1 2 3 4 5; do
    stray=$(ps -eo uid=,stat=,pid=,comm= | awk '$1 >= 61000 && $1 < 65000 && $2 !~ /^Z/' | head -3)
    [ -z "$stray" ] && break
    sleep 1
done
[ -z "$stray" ] && row "$lab" "hostile: no process left" ok || row "$lab" "hostile: no process left" "FAIL ($stray)"
cmp -s "$work/git-before" "$work/git-after" && row "$lab" "hostile: checkout unchanged" ok ||
    row "$lab" "hostile: checkout unchanged" "FAIL ($(diff "$work/git-before" "$work/git-after" | head -2 | tr '\n' ' '))"
for h in "$hostile"/*.patch; do
    h=$(basename "$h" .patch)
    grep -q "^hostile-$h," "$dest/grades.csv" && echo "  hostile-$h: $(grep "^hostile-$h," "$dest/grades.csv" | cut -d, -f2-5)"
done
