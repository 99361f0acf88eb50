# shellcheck shell=bash disable=SC2154 # data, pd, dir, AWK_FMT: set by report.sh
# counter.sh - the report's section on the lost update (sourced by
# plots/report.sh; uses its helpers: has, plot, figure, AWK_FMT, $data,
# $pd). Writes nothing when data.csv has no counter rows.

section_counter() {
    has counter lost || return 0
    echo "## The lost update"
    echo
    cat <<'EOF2'
`counter` adds one to a shared number n times and then compares what it
finds with n. The file version keeps the number in a file: read it, add
one, write it back. The `--mem` version keeps it in memory, the article's
Go example. *Lost* is how many increments vanished because two units read
the same old value and both wrote back old + 1.

EOF2
    echo "| model | fix | n | units | workers | final | lost | elapsed |"
    echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
    awk -F, "$AWK_FMT"'
        NR == 1 || $1 != "counter" { next }
        {
            k = $2 "|" $3 "|" $5
            if (!(k in seen)) { seen[k] = 1; order[++n] = k }
            v[k, $6] = $7
            if ($6 == "lost") l[k] = $7 (lo() == hi() ? "" : " (" lo() " – " hi() ")")
            if ($6 == "elapsed_ms") e[k] = ns($7 * 1e6) range("ns", lo() * 1e6, hi() * 1e6)
        }
        function get(k, m) { return ((k, m) in v) ? v[k, m] : "-" }
        END {
            for (i = 1; i <= n; i++) {
                k = order[i]; split(k, f, "|")
                printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", f[1], f[2], f[3],
                    get(k, "units"), get(k, "workers"), get(k, "final"),
                    (k in l) ? l[k] : "-", (k in e) ? e[k] : "-"
            }
        }' "$data"
    echo
    # Figure 1: the share lost, per model and fix.
    awk -F, -v dat="$pd/counter-lost.dat" '
        NR == 1 || $1 != "counter" { next }
        $6 == "expected" || $6 == "lost" || $6 == "workers" {
            k = $2 "|" $3 "|" $5
            if (!(k in seen)) { seen[k] = 1; order[++n] = k; split(k, f, "|"); mv[f[1] "/" f[2]]++ }
            v[k, $6] = $7
        }
        END {
            print "# model/fix lost_percent" > dat
            for (i = 1; i <= n; i++) {
                k = order[i]; split(k, f, "|")
                label = f[1] "/" f[2]
                if (v[k, "workers"] > 1) label = label " (" v[k, "workers"] " workers)"
                else if (mv[f[1] "/" f[2]] > 1) label = label " n=" f[3]
                if (v[k, "expected"] > 0)
                    printf "\"%s\" %.4f\n", label, 100 * v[k, "lost"] / v[k, "expected"] > dat
            }
        }' "$data"
    if plot counter-lost counter "fig='lost'"; then
        figure counter-lost "the share of the n increments lost, for each model and fix (median of the runs)."
    else
        echo "(The lost-update plot could not be drawn; see the messages of report.sh.)"
        echo
    fi
    cat <<'EOF2'
- **Tasks, no fix** lose almost everything, and always the same way. The
  read and the write of the file are yield points: with one worker every
  task runs its first unit (the read) before any task runs its second
  (the write), so all of them read 0 and the counter ends at 1. Nothing
  ran in parallel; the interleaving comes from the yield points alone.
- **Threads and processes, no fix** lose some of the updates, a different
  number every run: two units only collide when the kernel happens to run
  them at the same moment on two CPUs, or preempts one between its read
  and its write.
- **The fixes** all end at n: a lock held across the read and the write
  (`lock`, `mutex`, `flock`), appending one line per increment and
  counting lines (`append`: the kernel keeps each small append whole), an
  atomic add in memory (`atomic`), or, for tasks, plain blocking calls with
  no yield point in between (`sync`), which keeps the worker the whole
  time and so cannot interleave at all.
- **In memory** (`mem-`), tasks on one worker lose nothing without any
  fix: `counter += 1` contains no yield point, so one unit does the whole
  read-add-write. Threads and processes (sharing a `MAP_SHARED` page) lose
  updates, because there the load, the add and the store can be split by
  another CPU. Spread over several workers (`YL_EXEC=stealing
  YL_WORKERS=2`, a row with `workers` above 1), tasks really run in
  parallel as well, and lose updates just as threads do: the article's
  point about Go.

EOF2
    has counter wait_p50_ms || return 0
    echo "### Who gets the lock next"
    echo
    echo "| model | lock | n | wait p50 | wait p99 | wait max | order (Spearman's ρ) |"
    echo "| --- | --- | --- | --- | --- | --- | --- |"
    awk -F, "$AWK_FMT"'
        NR == 1 || $1 != "counter" { next }
        $6 ~ /^wait_|^order_corr$/ {
            k = $2 "|" $3 "|" $5
            if (!(k in seen)) { seen[k] = 1; order[++n] = k }
            v[k, $6] = $6 == "order_corr" ? sprintf("%.2f", $7) : ns($7 * 1e6) range("ns", lo() * 1e6, hi() * 1e6)
        }
        function get(k, m) { return ((k, m) in v) ? v[k, m] : "-" }
        END {
            for (i = 1; i <= n; i++) {
                k = order[i]; split(k, f, "|")
                printf "| %s | %s | %s | %s | %s | %s | %s |\n", f[1], f[2], f[3],
                    get(k, "wait_p50_ms"), get(k, "wait_p99_ms"), get(k, "wait_max_ms"), get(k, "order_corr")
            }
        }' "$data"
    echo
    # Figure 2: the tasks' FIFO and LIFO async locks side by side.
    awk -F, -v dat="$pd/counter-wait.dat" '
        NR == 1 || $1 != "counter" || $2 != "tasks" || ($3 != "lock" && $3 != "lifo-lock") { next }
        $6 ~ /^wait_(p50|p99|max)_ms$/ {
            k = $3 == "lock" ? "FIFO (lock)" : "LIFO (lifo-lock)"
            if (!(k in seen)) { seen[k] = 1; order[++n] = k }
            v[k, $6] = $7
        }
        END {
            print "# lock p50_ms p99_ms max_ms" > dat
            for (i = 1; i <= n; i++) {
                k = order[i]
                printf "\"%s\" %s %s %s\n", k, v[k, "wait_p50_ms"], v[k, "wait_p99_ms"], v[k, "wait_max_ms"] > dat
            }
        }' "$data"
    if [ -s "$pd/counter-wait.dat" ] && [ "$(wc -l <"$pd/counter-wait.dat")" -gt 1 ]; then
        if plot counter-wait counter "fig='wait'"; then
            figure counter-wait "how long tasks waited for the async lock: first come first served (FIFO) vs newest first (LIFO), log scale."
        else
            echo "(The lock-wait plot could not be drawn; see the messages of report.sh.)"
            echo
        fi
    fi
    cat <<'EOF2'
Every task that wants the lock while another holds it joins a queue of
waiters; the two locks differ only in which waiter they wake when the lock
is released. The profiles start the tasks 50 µs apart (`--arrive-us 50`)
while each holds the lock for a file read and write, so the queue grows as
the run goes on.

- **FIFO** hands the lock to the oldest waiter: everyone waits about as
  long as the queue in front of them, the waits are spread evenly, and the
  order of acquisition is the order of arrival (ρ = 1).
- **LIFO** (the article's lock, which pops its waiters off a stack) hands
  it to the newest: a task that has just arrived usually gets it almost at
  once, so the median wait is tiny, while the first arrivals sink to the
  bottom of the stack and wait until the queue drains: the p99 and the
  maximum are far above FIFO's. Fast for most, unfair to a few.
- Threads (`mutex`, `flock`) all start at the same moment here and the
  kernel decides who wakes first; their figures are in the table only.

EOF2
}
