# shellcheck shell=bash disable=SC2154 # data, pd, dir, AWK_FMT: set by report.sh
# yieldparts.sh - the report's breakdown of one yield (sourced by
# plots/report.sh; uses has, plot, figure, AWK_FMT, $data, $pd). Writes
# nothing when data.csv has no yieldparts rows.

section_yieldparts() {
    has yieldparts ns_switch_out || return 0
    awk -F, -v dat="$pd/yieldparts.dat" '
        NR > 1 && $1 == "pingpong" && $2 == "tasks" && $3 == "raw" && $6 == "ns_per_switch" && $4 !~ /\+/ && raw == "" { raw = $7 }
        NR == 1 || $1 != "yieldparts" { next }
        $6 ~ /^ns_(switch_out|loop|queue|check|switch_in)$/ {
            k = $2 "/" $3 " cpus " $4
            if (!(k in seen)) { seen[k] = 1; order[++n] = k }
            v[k, substr($6, 4)] = $7
        }
        END {
            print "# label switch_out loop queue check switch_in" > dat
            split("switch_out loop queue check switch_in", p, " ")
            for (i = 1; i <= n; i++) {
                line = "\"" order[i] "\""
                for (j = 1; j <= 5; j++)
                    line = line " " (((order[i], p[j]) in v) ? v[order[i], p[j]] : "?")
                print line > dat
            }
            if (raw != "") # for scale: what the two switches alone cost
                print "\"2 bare switches (pingpong raw)\"", raw, 0, 0, 0, raw > dat
        }' "$data"
    echo "### Where a yield's time goes"
    echo
    if plot yieldparts yieldparts ""; then
        figure yieldparts "one yl_yield split into its parts, ns per yield (yieldparts: a build of the scheduler with cycle-counter stamps)."
    else
        echo "(The yieldparts plot could not be drawn; see the messages of report.sh.)"
        echo
    fi
    cat <<'EOF2'
`yieldparts` runs the yield ping-pong on a build of `sched.c` that stamps
the cycle counter at each step (`runtime/yl/phases.h`; the library itself
has no stamps). *switch out* is from `yl_yield` until the scheduler runs,
*switch in* from the scheduler's switch until the next task is back in
its code; *scheduler loop* is the bookkeeping of ending one unit and
starting the next, *run queue* the push and the pop, *timer/fd check* the
countdown that looks at timers and file descriptors only every 61 units
while tasks are ready. A stamp's own cost is taken off each part; the
stamped build returns from `yl_yield` the long way to take its last
stamp, so read the shares, not the sum. The second bar, for scale, is two
bare switches as `pingpong --variant raw` measured them.

EOF2
    awk -F, "$AWK_FMT"'
        NR > 1 && $1 == "yieldparts" && $6 ~ /^ns_/ && $6 != "ns_total" && $6 != "ns_stamp" { v[substr($6, 4)] = $7 }
        NR > 1 && $1 == "yieldparts" && $6 == "ns_total" { tot = $7 }
        NR > 1 && $1 == "yieldparts" && $6 == "ns_stamp" { st = $7 }
        END {
            if (tot <= 0) exit
            printf "Measured: switch out %s, loop %s, queue %s, check %s, switch in %s (%s in all; one stamp cost %s).\n\n",
                ns(v["switch_out"]), ns(v["loop"]), ns(v["queue"]), ns(v["check"]), ns(v["switch_in"]), ns(tot), ns(st)
        }' "$data"
}
