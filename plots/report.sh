#!/usr/bin/env bash
# report.sh DIR - turns one results folder into plots and REPORT.md.
#
# DIR holds data.csv (written by yl-bench: the 8 schema columns, then
# min,max,reps; a program's own 8-column CSV works too, min = max = value),
# env.txt and, for the timelines, trace-MODEL.csv (+ trace-MODEL.out).
# Writes DIR/plotdata/NAME.dat (exactly what figure NAME draws),
# DIR/NAME.png and DIR/REPORT.md (through a temporary file).
#
# The report is a list of sections (SECTIONS below). Each is one function,
# section_NAME, that writes Markdown on stdout and writes nothing when its
# rows are absent; the longer ones live in plots/sections/NAME.sh. A new
# experiment adds one function and one word to SECTIONS (and its
# experiment name to OWN, so that "Other results" stops listing its raw
# rows). A section may read other results folders too (a
# host vs guest comparison would read the newest results/*-vmN/data.csv
# next to DIR's), as long as it stays silent when they are absent.
set -euo pipefail

prog=report.sh
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)

SECTIONS=(header machine summary memory switch yieldparts timeline counter imbalance lag server vm others failures regen)
OWN=" spawn pingpong yieldparts counter imbalance lag server "   # experiments a section of their own presents

usage() {
    cat <<EOF
usage: plots/report.sh DIR
Draws the plots of DIR/data.csv (and DIR/trace-*.csv) with gnuplot and
writes DIR/REPORT.md. DIR is a results folder from yl-bench (make bench).
EOF
}

case "${1:-}" in
-h | --help) usage; exit 0 ;;
"") echo "$prog: missing the results folder (try --help)" >&2; exit 2 ;;
-*) echo "$prog: unknown flag '$1' (try --help)" >&2; exit 2 ;;
esac
[ $# -eq 1 ] || { echo "$prog: one results folder only, got $#" >&2; exit 2; }
dir=${1%/}
[ -d "$dir" ] || { echo "$prog: $dir: no such folder" >&2; exit 2; }
data=$dir/data.csv
[ -r "$data" ] || { echo "$prog: $data: not found (run make bench, or yl-bench --out $dir)" >&2; exit 2; }
head -1 "$data" | grep -q '^experiment,model,variant,cpus,n,metric,value,unit' ||
    { echo "$prog: $data: not a yieldlab CSV (bad header)" >&2; exit 2; }
command -v gnuplot >/dev/null || { echo "$prog: gnuplot not found (apt-get install gnuplot-nox, or make deps)" >&2; exit 1; }

# The folder as the report names it: relative to the tree when inside it,
# with results/latest resolved so a command stays right after the next run.
real=$(cd -P "$dir" && pwd)
case "$real" in
"$root"/*) rdir=${real#"$root"/} ;;
*) rdir=$real ;;
esac
pd=$dir/plotdata
mkdir -p "$pd"
failed_plots=0
nfig=0

# ---------------------------------------------------------------- helpers

# has EXPERIMENT [METRIC]: true when data.csv holds such a row.
has() {
    awk -F, -v e="$1" -v m="${2:-}" \
        'NR > 1 && $1 == e && (m == "" || $6 == m) { found = 1; exit } END { exit !found }' "$data"
}

# envval KEY: the value of "KEY: value" in env.txt, or "?".
envval() {
    local v=""
    [ -r "$dir/env.txt" ] && v=$(awk -v k="$1" 'index($0, k ": ") == 1 { print substr($0, length(k) + 3); exit }' "$dir/env.txt")
    echo "${v:-?}"
}

# The awk functions every table uses to print numbers for people.
AWK_FMT='
function bytes(v) {
    if (v == "" || v == "?") return "-"
    if (v < 0) return sprintf("%.0f B", v)
    if (v < 1024) return sprintf("%.0f B", v)
    if (v < 1048576) return sprintf("%.1f KiB", v / 1024)
    return sprintf("%.1f MiB", v / 1048576)
}
function ns(v) {
    if (v == "" || v == "?") return "-"
    if (v < 10) return sprintf("%.1f ns", v)
    if (v < 1000) return sprintf("%.0f ns", v)
    if (v < 1000000) return sprintf("%.1f µs", v / 1000)
    return sprintf("%.1f ms", v / 1000000)
}
function range(f, lo, hi,    a, b) {
    a = f == "ns" ? ns(lo) : bytes(lo); b = f == "ns" ? ns(hi) : bytes(hi)
    return a == b ? "" : " (" a " – " b ")"
}
function plural(n, word) { return n " " word (n == 1 ? "" : "s") }
# Rows of 8 columns (straight from a program) have no spread: min = max = value.
function lo() { return NF >= 10 ? $9 : $7 }
function hi() { return NF >= 10 ? $10 : $7 }
'

# plural N WORD: "1 thread", "3 threads".
plural() {
    if [ "$1" = 1 ]; then echo "1 $2"; elif [ "${2%s}" != "$2" ]; then echo "$1 ${2}es"; else echo "$1 ${2}s"; fi
}

# plot NAME SCRIPT VARS: draws DIR/NAME.png with plots/SCRIPT.gp from
# DIR/plotdata/NAME.dat; VARS are gnuplot assignments after in= and out=.
# Sets PLOT_CMD to the command that redraws it from the tree's root.
plot() {
    local name=$1 gp=$2 vars=$3
    PLOT_CMD="gnuplot -e \"in='$rdir/plotdata/$name.dat'; out='$rdir/$name.png'; $vars\" plots/$gp.gp"
    rm -f "$dir/$name.png"
    if ! gnuplot -e "in='$pd/$name.dat'; out='$dir/$name.png'; $vars" "$here/$gp.gp" 2>"$pd/$name.log" ||
        [ ! -s "$dir/$name.png" ]; then
        echo "$prog: gnuplot failed on $name:" >&2
        cat "$pd/$name.log" >&2
        failed_plots=$((failed_plots + 1))
        return 1
    fi
}

# figure NAME CAPTION: the Markdown for a drawn figure, with the commands
# that redraw it.
figure() {
    nfig=$((nfig + 1))
    printf '![%s](%s.png)\n\n' "$2" "$1"
    printf '*Figure %d (`%s.png`): %s* Redraw it alone with\n`%s`\n(the data it draws is `%s/plotdata/%s.dat`).\n\n' \
        "$nfig" "$1" "$2" "$PLOT_CMD" "$rdir" "$1"
}

# timeline_data TRACE DAT: writes what timeline.gp draws from a trace CSV
# into DAT (block 0: "row start_ms end_ms worker label" per unit; block 1:
# "row first_ms last_ms" per task) and prints
# "tasks|workers|worker count|cpu count|min half-width".
timeline_data() {
    awk -F, -v dat="$2" '
        NR == 1 { next }
        {
            if (!($3 in row)) { row[$3] = n++; names = names " " $3 }
            if (t0 == "" || $7 < t0) t0 = $7
            u[++k] = $3 SUBSEP $7 SUBSEP $8 SUBSEP $5 SUBSEP $4
            if (!($5 in wseen)) { wseen[$5] = 1; workers = workers " " $5; nw++ }
            if (!($6 in cseen)) { cseen[$6] = 1; nc++ }
            if (!($3 in first) || $7 < first[$3]) first[$3] = $7
            if (!($3 in last) || $8 > last[$3]) last[$3] = $8
            if ($8 > tmax) tmax = $8
        }
        END {
            for (i = 1; i <= k; i++) {
                split(u[i], f, SUBSEP)
                printf "%d %.4f %.4f %s %s\n", row[f[1]], (f[2] - t0) / 1e6, (f[3] - t0) / 1e6, f[4], f[5] > dat
            }
            printf "\n\n" > dat
            for (t in row) printf "%d %.4f %.4f\n", row[t], (first[t] - t0) / 1e6, (last[t] - t0) / 1e6 > dat
            span = (tmax - t0) / 1e6
            # tasks|workers|worker count|cpu count|min half-width
            printf "%s|%s|%d|%d|%.4f\n", substr(names, 2), substr(workers, 2), nw, nc, span * 0.006 + 0.0001
        }' "$1"
}

# ---------------------------------------------------------------- sections

section_header() {
    cat <<EOF
# yieldlab report: $(envval profile) profile on $(envval where)

Measured $(envval date), $(envval wall_s) s of runs. Every number is the
**median** of the repetitions of one experiment (after a warm-up run that is
not counted); where the runs disagreed, the range from the fastest to the
slowest run follows in parentheses. The raw numbers are in \`data.csv\`
(columns \`experiment,model,variant,cpus,n,metric,value,unit\`, then
\`min,max,reps\`); \`env.txt\` describes the machine.

EOF
}

section_machine() {
    [ -r "$dir/env.txt" ] || return 0
    printf '## The machine\n\n| | |\n| --- | --- |\n'
    awk '{ i = index($0, ": "); if (i) printf "| %s | %s |\n", substr($0, 1, i - 1), substr($0, i + 2) }' "$dir/env.txt"
    echo
    if [ "$(envval virtualized)" = yes ]; then
        cat <<EOF
This run was inside a virtual machine ($(envval hypervisor)): every system
call and page fault is the guest kernel's, but timer interrupts, idle CPUs
and some page-table work go through the hypervisor, so switch costs that
involve the kernel are usually higher than on bare metal.

EOF
    fi
}

section_summary() {
    has pingpong ns_per_switch || has spawn user_bytes_per_unit || return 0
    echo "## Summary"
    echo
    if has pingpong ns_per_switch; then
        echo "**Cost of one switch** (pingpong: two units hand a turn back and forth; \`net\` subtracts the same-unit baseline):"
        echo
        awk -F, "$AWK_FMT"'
            NR == 1 || $1 != "pingpong" { next }
            $6 == "ns_per_switch" || $6 == "ns_per_switch_net" {
                k = $2 "|" $3
                if (!(k in seen)) { seen[k] = 1; order[++n] = k }
                where = index($4, "+") ? "cross" : ($4 == "-" ? "free" : "same")
                if (where == "free") free = 1
                cell[k, $6, where] = ns($7) range("ns", lo(), hi())
            }
            function get(k, m, w) { return ((k, m, w) in cell) ? cell[k, m, w] : "-" }
            END {
                # An unpinned run (cpus "-") gets a column only when there is one.
                printf "| model | variant | one core | two cores |%s one core, net |\n", free ? " not pinned |" : ""
                printf "| --- | --- | --- | --- |%s --- |\n", free ? " --- |" : ""
                for (i = 1; i <= n; i++) {
                    k = order[i]; split(k, mv, "|")
                    printf "| %s | %s | %s | %s |%s %s |\n", mv[1], mv[2],
                        get(k, "ns_per_switch", "same"), get(k, "ns_per_switch", "cross"),
                        free ? " " get(k, "ns_per_switch", "free") " |" : "",
                        get(k, "ns_per_switch_net", "same")
                }
            }' "$data"
        echo
    fi
    if has spawn user_bytes_per_unit; then
        echo "**Cost of one unit** (spawn: N units alive at once; per unit = slope of the totals over N):"
        echo
        echo "| model | variant | user memory | kernel memory | creation | up to N |"
        echo "| --- | --- | --- | --- | --- | --- |"
        awk -F, "$AWK_FMT"'
            NR == 1 || $1 != "spawn" { next }
            $6 ~ /_per_unit$/ {
                k = $2 "|" $3 ($4 == "-" ? "" : " (cpus " $4 ")")
                if (!(k in seen)) { seen[k] = 1; order[++n] = k }
                f = $6 ~ /^create/ ? "ns" : "B"
                cell[k, $6] = (f == "ns" ? ns($7) : bytes($7)) range(f, lo(), hi())
                nmax[k] = $5
            }
            END {
                for (i = 1; i <= n; i++) {
                    k = order[i]; split(k, mv, "|")
                    printf "| %s | %s | %s | %s | %s | %s |\n", mv[1], mv[2],
                        ((k, "user_bytes_per_unit") in cell) ? cell[k, "user_bytes_per_unit"] : "-",
                        ((k, "kernel_bytes_per_unit") in cell) ? cell[k, "kernel_bytes_per_unit"] : "-",
                        ((k, "create_ns_per_unit") in cell) ? cell[k, "create_ns_per_unit"] : "-",
                        nmax[k]
                }
            }' "$data"
        echo
    fi
}

section_memory() {
    has spawn user_bytes || has spawn kernel_bytes || return 0
    # One block per series: N, user bytes per unit, kernel bytes per unit.
    local titles
    titles=$(awk -F, -v dat="$pd/memory.dat" '
        NR == 1 || $1 != "spawn" || $5 <= 0 { next }
        $6 == "user_bytes" || $6 == "kernel_bytes" {
            s = $2 "/" $3 ($4 == "-" ? "" : "@" $4)
            if (!(s in seen)) { seen[s] = 1; order[++n] = s }
            if (!((s, $5) in has)) { has[s, $5] = 1; ns[s] = ns[s] " " $5 }
            v[s, $5, $6] = $7 > 0 ? $7 / $5 : "?"
        }
        END {
            for (i = 1; i <= n; i++) {
                s = order[i]
                printf "# %s: N user_B_per_unit kernel_B_per_unit\n", s > dat
                m = split(ns[s], list, " ")
                for (j = 1; j <= m; j++) {
                    x = list[j]
                    u = ((s, x, "user_bytes") in v) ? v[s, x, "user_bytes"] : "?"
                    k = ((s, x, "kernel_bytes") in v) ? v[s, x, "kernel_bytes"] : "?"
                    printf "%s %s %s\n", x, u, k > dat
                }
                printf "\n\n" > dat
                printf "%s ", s
            }
        }' "$data")
    echo "## Memory per unit"
    echo
    if plot memory memory "titles='${titles% }'"; then
        figure memory "bytes per unit against the number of units alive, user side (left) and kernel side (right), log-log."
    else
        echo "(The memory plot could not be drawn; see the messages of report.sh.)"
        echo
    fi
    cat <<'EOF'
Each point is the memory that appeared while N units were alive, divided by
N. At small N the fixed costs of the program dominate and the line falls;
once N is large it flattens at what one more unit really costs (the slope in
the summary table).

- **Threads** carry a kernel-side cost that tasks do not have: every thread
  is a schedulable kernel object with its own kernel stack (16 KiB on
  x86-64, counted in `KernelStack`) and its `task_struct` and friends in
  slab (`SUnreclaim`). Their user stack is reserved at 8 MiB by default
  but only the pages actually touched count, which is why the user side
  stays at a few pages.
- **Processes** pay all of that and an address space of their own: page
  tables (`PageTables`), the memory descriptor and mapping records, file
  table, signal state; the user side is whatever copy-on-write had to copy.
- **Tasks** live entirely in user space. A stackful task costs the pages of
  its stack it touched plus its control block; a stackless one only the
  frame struct the compiler (or we, by hand) laid out. The kernel does not
  know tasks exist: all it holds for them is the page tables and mapping
  records of the memory their stacks live in, a small fraction of what a
  thread costs it.

EOF
    awk -F, "$AWK_FMT"'
        NR > 1 && $1 == "spawn" && $6 == "limit_units" {
            printf "- %s/%s stopped at a system limit after %d units (see the run'"'"'s stderr for which one).\n", $2, $3, $7; any = 1 }
        END { if (any) print "" }' "$data"
}

section_switch() {
    has pingpong ns_per_switch || return 0
    awk -F, -v dat="$pd/switch.dat" '
        NR == 1 || $1 != "pingpong" || $6 != "ns_per_switch" { next }
        {
            k = $2 "/" $3
            if (!(k in seen)) { seen[k] = 1; order[++n] = k }
            w = index($4, "+") ? "cross" : ($4 == "-" ? "" : "same")
            if (w == "") next
            lo = NF >= 10 ? $9 : $7; hi = NF >= 10 ? $10 : $7
            v[k, w] = $7 " " lo " " hi
        }
        END {
            print "# model/variant same_ns lo hi cross_ns lo hi" > dat
            for (i = 1; i <= n; i++) {
                k = order[i]
                s = ((k, "same") in v) ? v[k, "same"] : "? ? ?"
                c = ((k, "cross") in v) ? v[k, "cross"] : "? ? ?"
                print k, s, c > dat
            }
        }' "$data"
    local floor
    floor=$(awk -F, 'NR > 1 && $1 == "pingpong" && $2 == "tasks" && $3 == "raw" &&
                     $6 == "ns_per_switch" && $4 !~ /\+/ { print $7; exit }' "$data")
    echo "## The cost of a switch"
    echo
    if plot switch switch "floor=${floor:-0}"; then
        figure switch "time per switch for each model and variant, one core vs two, log scale; the dashed line is the raw user-space switch."
    else
        echo "(The switch plot could not be drawn; see the messages of report.sh.)"
        echo
    fi
    cat <<'EOF'
Two units hand a turn back and forth; the time of many round trips divided
by the switches counted gives the cost of one switch.

- A **task** switch is a function call into a few instructions of
  assembly: save the callee-saved registers, swap the stack pointer,
  restore. `raw` is that switch alone, the floor nothing can beat; `yield`
  adds our scheduler (put the task on the run queue, pick the next one).
  The kernel is never entered.
- A **thread** switch has to go through the kernel: the waiting thread
  blocks in a system call (`futex` wait, or `read` on a `pipe`), the other
  wakes it with another system call, and the scheduler picks who runs.
  Each entry into the kernel and back costs hundreds of cycles on its own
  (more since the Meltdown and Spectre mitigations), before any work is
  done.
- A **process** switch is the same plus a change of address space: the
  CPU loads the other process's page tables, and TLB entries that are not
  tagged for it are lost.
- On **two cores** every hand-off must wake a unit that sleeps on the other
  CPU: an inter-processor interrupt, and the other CPU climbing out of
  idle. On one core the sleeper is simply the next to run, so it is
  usually the cheaper case.

EOF
    awk -F, "$AWK_FMT"'
        NR == 1 || $1 != "pingpong" || $6 != "ns_per_switch" || $4 ~ /\+/ || $4 == "-" { next }
        $2 == "tasks" && $3 == "raw" { raw = $7 }
        $2 == "tasks" && !tk { tk = $7; tkv = $3 }
        $2 == "threads" && !th { th = $7; thv = $3 }
        $2 == "procs" && !pr { pr = $7; prv = $3 }
        END {
            if (raw > 0 && th > 0)
                printf "On this machine a threads/%s switch on one core took %s, %.0f times the raw task switch (%s).", thv, ns(th), th / raw, ns(raw)
            else if (tk > 0 && th > 0)
                printf "On this machine a threads/%s switch on one core took %s, %.0f times a tasks/%s switch (%s).", thv, ns(th), th / tk, tkv, ns(tk)
            if (pr > 0 && th > 0 && pr / th >= 1.1)
                printf " A procs/%s switch took %s, %.1f times the thread one: the price of the change of address space.", prv, ns(pr), pr / th
            else if (pr > 0 && th > 0)
                printf " A procs/%s switch took %s, no more than the thread one (%.2f times): here the change of address space is lost in the cost of the kernel path and in the noise between runs.", prv, ns(pr), pr / th
            if ((raw > 0 || tk > 0) && th > 0) print "\n"
        }' "$data"
    switch_ratios
}

# switch_ratios: yield / raw and raw / boost, from the same pingpong runs
# (one process measures all its variants, so each pair shares a machine
# state); silent without them.
switch_ratios() {
    awk -F, "$AWK_FMT"'
        NR == 1 || $1 != "pingpong" || $2 != "tasks" || $4 ~ /\+/ { next }
        $6 == "ns_per_switch" && !(($3) in v) { v[$3] = $7 }
        $6 == "per_raw_switch" && yr == "" { yr = $7; paired = 1 }
        $6 == "per_boost_switch" && rb == "" { rb = $7 }
        END {
            if (yr == "" && v["yield"] > 0 && v["raw"] > 0) yr = v["yield"] / v["raw"]
            if (rb == "" && v["raw"] > 0 && v["boost"] > 0) rb = v["raw"] / v["boost"]
            if (yr == "") exit
            printf "**The scheduler against the bare switch:** a yield (task, scheduler, task: two bare switches and the run queue) took %s, %.2f times the bare switch (%s)", ns(v["yield"]), yr, ns(v["raw"])
            if (rb != "")
                printf "; the bare switch took %.2f times Boost.Context'"'"'s jump_fcontext (%s)", rb, ns(v["boost"])
            if (paired)
                print ". Each ratio is the median over the runs of the ratio within one pingpong run (the variants measured side by side in one process); the times are the medians of each variant.\n"
            else
                print ". Ratios of the medians of the same pingpong runs.\n"
        }' "$data"
}

section_timeline() {
    local models=() m
    for m in tasks threads procs; do
        [ -s "$dir/trace-$m.csv" ] && models+=("$m")
    done
    [ ${#models[@]} -gt 0 ] || return 0
    cat <<'EOF'
## How foo's units were scheduled

`foo` runs the two functions of the workload (`foo1`, which calls `bar`, and
`foo2`) with sleeps of 2 and 3 time units in between. Each row below is a
task (or thread, or process); each box is one *unit*, the code that runs
between two sleeps, labelled A, B, C in the order the task runs them, and
coloured by the worker (thread, process) that ran it. The units last
microseconds and the sleeps tens of milliseconds, so boxes are drawn wider
than they are: the table under each figure gives the real durations.

EOF
    for m in "${models[@]}"; do
        local info
        info=$(timeline_data "$dir/trace-$m.csv" "$pd/timeline-$m.dat")
        local tasks workers nw nc minw wname
        IFS='|' read -r tasks workers nw nc minw <<<"$info"
        case $m in tasks) wname=worker ;; threads) wname=thread ;; *) wname=process ;; esac
        echo "### $m"
        echo
        if plot "timeline-$m" timeline "model='$m'; tasks='$tasks'; workers='$workers'; wname='$wname'; minw=$minw"; then
            figure "timeline-$m" "foo as $m: one row per task, one box per unit, coloured by $wname."
        else
            echo "(The $m timeline could not be drawn; see the messages of report.sh.)"
            echo
        fi
        local wn cn
        wn=$(plural "$nw" "$wname")
        cn=$(plural "$nc" CPU)
        case $m in
        tasks) echo "Here $wn on $cn ran every unit: one unit at a time, each to its end, and a task that sleeps leaves the worker to the next unit that is ready. Nothing preempts a unit; the order comes from the sleeps alone." ;;
        threads) echo "Here the units ran on $wn over $cn: each function has its own kernel thread, so the kernel's scheduler decides who runs, and on two cores two units may run at the same moment." ;;
        procs) echo "Here the units ran in $wn over $cn: the same picture as threads, but each process has a whole address space of its own." ;;
        esac
        echo
        echo "| task | unit | starts at | runs for | $wname | cpu |"
        echo "| --- | --- | --- | --- | --- | --- |"
        awk -F, 'NR == 1 { next } { if (t0 == "" || $7 < t0) t0 = $7; r[NR] = $0 }
            END { for (i = 2; i <= NR; i++) { split(r[i], f, ",")
                printf "| %s | %s | %.3f ms | %.1f µs | %s | %s |\n", f[3], f[4], (f[7] - t0) / 1e6, (f[8] - f[7]) / 1e3, f[5], f[6] } }' "$dir/trace-$m.csv"
        echo
    done
    # What foo printed, model by model: the order of the lines is the lesson.
    local outs=() hdr="| line |" sep="| --- |"
    for m in "${models[@]}"; do
        if [ -s "$dir/trace-$m.out" ]; then
            outs+=("$dir/trace-$m.out")
            hdr="$hdr $m |"
            sep="$sep --- |"
        fi
    done
    if [ ${#outs[@]} -gt 0 ]; then
        echo "What foo printed in each model:"
        echo
        echo "$hdr"
        echo "$sep"
        awk 'FNR == 1 { files++ } { line[FNR, files] = $0; if (FNR > max) max = FNR }
             END { for (i = 1; i <= max; i++) { printf "| %d |", i
                   for (j = 1; j <= files; j++) printf " %s |", line[i, j]; print "" } }' "${outs[@]}"
        echo
        if [ ${#outs[@]} -gt 1 ]; then
            local same=yes o
            for o in "${outs[@]:1}"; do
                cmp -s "${outs[0]}" "$o" || same=no
            done
            if [ $same = yes ]; then
                echo "All of them printed the same lines in the same order: with sleeps this long, the timers decide who goes next, whichever scheduler runs the units."
            else
                echo "The orders differ: where two units became ready at nearly the same moment, each scheduler picked its own way. With one worker the order is fixed by the sleeps alone; with threads and processes the kernel decides, and it may decide differently from one run to the next."
            fi
            echo
        fi
    fi
}

section_others() {
    local rows
    rows=$(awk -F, -v own="$OWN" 'NR > 1 && index(own, " " $1 " ") == 0' "$data")
    [ -n "$rows" ] || return 0
    echo "## Other results"
    echo
    echo "Experiments this report has no section for yet, as measured:"
    echo
    echo "| experiment | model | variant | cpus | n | metric | median | min – max | unit |"
    echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
    awk -F, '{ lo = NF >= 10 ? $9 : $7; hi = NF >= 10 ? $10 : $7
               printf "| %s | %s | %s | %s | %s | %s | %s | %s – %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, lo, hi, $8 }' <<<"$rows"
    echo
}

section_failures() {
    [ -s "$dir/failures.txt" ] || return 0
    echo "## Experiments that failed"
    echo
    echo "Their rows are missing from this report; the driver said why:"
    echo
    echo "| experiment | profile line | command | what happened |"
    echo "| --- | --- | --- | --- |"
    awk -F'\t' '{ printf "| %s | %s | `%s` | %s |\n", $1, $2, $3, $4 }' "$dir/failures.txt"
    echo
}

section_regen() {
    cat <<EOF
## Regenerating

- This report and every figure, from the same data: \`make report RESULTS=$rdir\`
  (or \`plots/report.sh $rdir\`).
- New measurements: \`make bench PROFILE=$(envval profile)\` (results go to a
  new \`results/<UTC time>-host/\` folder and \`results/latest\` points at it).
EOF
}

# The sections kept in files of their own: counter, imbalance, lag.
for f in "$here"/sections/*.sh; do
    # shellcheck source=/dev/null
    . "$f"
done

# ---------------------------------------------------------------- main

tmp=$dir/REPORT.md.tmp
trap 'rm -f "$tmp"' EXIT
{
    for s in "${SECTIONS[@]}"; do
        "section_$s"
    done
} >"$tmp"
mv "$tmp" "$dir/REPORT.md"
trap - EXIT
if [ "$failed_plots" -gt 0 ]; then
    echo "$prog: $failed_plots figure(s) could not be drawn; $dir/REPORT.md says which" >&2
    exit 1
fi
echo "$prog: $dir/REPORT.md ($nfig figures)" >&2
