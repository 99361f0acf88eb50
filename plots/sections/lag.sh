# shellcheck shell=bash disable=SC2154 # data, pd, dir, AWK_FMT: set by report.sh
# lag.sh - the report's section on cooperative vs preemptive scheduling
# (sourced by plots/report.sh; uses its helpers: has, plot, figure,
# timeline_data, AWK_FMT, $data, $pd, $dir). Writes nothing when data.csv
# has no lag rows.

section_lag() {
    has lag lateness_max_ms || return 0
    echo "## A CPU hog next to a ticker"
    echo
    cat <<'EOF2'
`lag` runs two units side by side. The *hog* burns the CPU in bursts of H
ms. The *ticker* asks to wake every millisecond: tick k is due k ms after
it started, whatever happened to the ticks before. *Lateness* is how long
after its due time each tick actually ran; a tick already overdue is taken
at once, so the ticker catches up instead of drifting. Between two bursts
the task version of the hog reaches a yield point (a zero sleep, "let
whatever is due run first"); the thread and process versions never yield.
The task version's sleeps wait in libyl's timer heap, exact to the
nanosecond like the kernel's timers (the runtime's timing wheel would round
every deadline up to its next 1 ms tick, a whole period of the ticker).

EOF2
    echo "| model | variant | cpus | workers | lateness p50 | p99 | max | hog bursts | migrations |"
    echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
    awk -F, "$AWK_FMT"'
        NR == 1 || $1 != "lag" { next }
        {
            k = $2 "|" $3 "|" $4
            if (!(k in seen)) { seen[k] = 1; order[++n] = k }
            v[k, $6] = $7
            if ($6 ~ /^lateness_/) t[k, $6] = ns($7 * 1e6) range("ns", lo() * 1e6, hi() * 1e6)
            if ($6 == "hog_ms" && !hog) hog = $7
        }
        function get(k, m) { return ((k, m) in v) ? v[k, m] : "-" }
        function lat(k, m) { return ((k, m) in t) ? t[k, m] : "-" }
        END {
            print "# label p50_ms p99_ms max_ms" > dat
            for (i = 1; i <= n; i++) {
                k = order[i]; split(k, f, "|")
                w = get(k, "workers")
                if (w == "-") w = f[1] == "tasks" ? "-" : "2 (" (f[1] == "threads" ? "threads" : "processes") ")"
                printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", f[1], f[2], f[3], w,
                    lat(k, "lateness_p50_ms"), lat(k, "lateness_p99_ms"), lat(k, "lateness_max_ms"),
                    get(k, "hog_bursts"), get(k, "migrations")
                label = f[1] "/" f[2] (f[3] == "-" ? "" : "@" f[3])
                printf "\"%s\" %s %s %s\n", label, get(k, "lateness_p50_ms"), get(k, "lateness_p99_ms"),
                    get(k, "lateness_max_ms") > dat
            }
            print hog > hogfile
        }' dat="$pd/lag.dat" hogfile="$pd/lag.hog" "$data"
    echo
    local hog
    hog=$(cat "$pd/lag.hog" 2>/dev/null)
    rm -f "$pd/lag.hog"
    if plot lag lag "hog=${hog:-0}"; then
        figure lag "how late the 1 ms ticks ran next to a hog burning ${hog:-H} ms bursts: p50, p99 and max, log scale."
    else
        echo "(The lag plot could not be drawn; see the messages of report.sh.)"
        echo
    fi
    cat <<'EOF2'
- **Tasks on one worker**: a running unit is never interrupted, so every
  tick that falls due during a burst waits for the burst to end. Ticks fall
  due evenly over the bursts, so their lateness spreads from zero to H: the
  median near H/2, the p99 and the maximum near H. This is the
  event-loop blocking of JavaScript or Python's asyncio: one slow callback
  delays every timer.
- **Threads and processes pinned to one core** share that core as well,
  but the kernel preempts: when the ticker's sleep ends, the scheduler
  sees a unit that has hardly used the CPU and lets it run before the hog
  has finished its burst. The ticks are late by the cost of a wake-up, far
  below H. On **two cores** they do not even compete.
- **Tasks on two workers** (sharded or stealing, one CPU each) give the
  ticker a worker of its own as long as the hog stays on the other one.
  A timer fires on the worker where its task went to sleep, between two
  units of that worker; with work stealing the hog can move (each of its
  yield points puts it up for grabs, and the idle worker, the ticker's, is
  the one woken to take it). When it lands on the ticker's worker, that
  tick waits a whole burst again: the `migrations` column counts the
  moves, and the maximum shows what one costs.

EOF2
    awk -F, '
        NR == 1 || $1 != "lag" { next }
        $2 == "tasks" && $3 == "single" { if ($6 == "lateness_p50_ms") tp = $7; if ($6 == "lateness_max_ms") tm = $7 }
        $2 == "threads" && $4 !~ /\+/ && $4 != "-" { if ($6 == "lateness_p50_ms") hp = $7; if ($6 == "lateness_max_ms") hm = $7; hc = $4 }
        END {
            if (tp != "" && hp != "")
                printf "On this machine, on one core: tasks p50 %.2f ms and max %.1f ms; threads (cpu %s) p50 %.3f ms and max %.2f ms.\n\n", tp, tm, hc, hp, hm
        }' "$data"
    lag_timelines
}

# Timelines of the traced task runs (trace-lag-tasks-EXEC.csv): one row per
# task, one box per unit, coloured by the worker that ran it.
lag_timelines() {
    local t name info tasks workers nw minw drawn=0
    for t in "$dir"/trace-lag-tasks-*.csv; do
        [ -s "$t" ] || continue
        name=${t##*/trace-lag-tasks-}
        name=${name%.csv}
        info=$(timeline_data "$t" "$pd/timeline-lag-$name.dat")
        IFS="|" read -r tasks workers nw _ minw <<<"$info"
        if plot "timeline-lag-$name" timeline "model='tasks'; tasks='$tasks'; workers='$workers'; wname='worker'; minw=$minw; labels=0; ttl='lag on the $name executor: which worker ran each unit'"; then
            figure "timeline-lag-$name" "one traced lag run on the $name executor ($(plural "$nw" worker)): a row per task, a box per unit, coloured by worker."
            drawn=1
        else
            echo "(The $name lag timeline could not be drawn; see the messages of report.sh.)"
            echo
        fi
    done
    [ $drawn = 1 ] || return 0
    cat <<'EOF2'
In a timeline the hog's bursts are the long boxes. On one worker the ticker
gets a single unit after each burst, in which it takes every tick that fell
due meanwhile, then sleeps 1 ms and finds the next burst under way. With
two workers the ticker's units run every millisecond on its own worker;
wherever a hog box changes colour, the hog moved to the other worker, and
a gap in the ticker's row shows the price when it moved onto the ticker's.
(Units are drawn at least a little wide so that short ones stay visible.)

EOF2
}
