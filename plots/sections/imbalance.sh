# shellcheck shell=bash disable=SC2154 # data, pd, dir, AWK_FMT: set by report.sh
# imbalance.sh - the report's section on the unlucky worker (sourced by
# plots/report.sh; uses its helpers: has, plot, figure, AWK_FMT, $data,
# $pd, $dir). Writes nothing when data.csv has no imbalance rows.

section_imbalance() {
    has imbalance makespan_ms || return 0
    echo "## The unlucky worker"
    echo
    cat <<'EOF2'
`imbalance` runs J jobs of pure CPU work on W workers. A few of them are
heavy (S times the others), and they are jobs 0, W, 2W...: exactly the ones
a round-robin placement hands to one and the same worker. Each job is one
unit with no yield point inside: once it starts, it keeps its worker until
it ends. *Makespan* is the time from the release of the jobs to the end of
the last one; *ideal* is all the work divided by W, the makespan of a
perfect split; *busy* is the time a worker spent inside jobs.

EOF2
    # The table on stdout; the figure's data (one line per run: label, busy
    # time of each worker, makespan, ideal) into imbalance.dat.
    awk -F, "$AWK_FMT"'
        NR == 1 || $1 != "imbalance" { next }
        {
            v = $3; w = -1
            if (match(v, /-w[0-9]+$/)) { w = substr(v, RSTART + 2) + 0; v = substr(v, 1, RSTART - 1) }
            k = $2 "|" v "|" $4 "|" $5
            if (!(k in seen)) { seen[k] = 1; order[++n] = k; if (!($4 in cpus)) { cpus[$4] = 1; ncpus++ } }
            if (w >= 0) {
                if (w + 1 > nwk[k]) nwk[k] = w + 1
                if (w + 1 > nw) nw = w + 1
                if ($6 == "busy_ms") busy[k, w] = $7
                if ($6 == "jobs") jobs[k, w] = $7
            } else {
                val[k, $6] = $7
                if ($6 == "makespan_ms") mr[k] = range("ns", lo() * 1e6, hi() * 1e6)
            }
        }
        END {
            print "| model | variant | cpus | makespan | ideal | makespan / ideal | busy per worker (ms) | jobs per worker | jobs done |"
            print "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
            printf "# model/variant busy_w0..busy_w%d makespan_ms ideal_ms\n", nw - 1 > dat
            for (i = 1; i <= n; i++) {
                k = order[i]; split(k, f, "|")
                b = ""; j = ""; line = ""
                for (w = 0; w < nwk[k]; w++) {
                    b = b (w ? " / " : "") sprintf("%.1f", busy[k, w])
                    j = j (w ? " / " : "") jobs[k, w]
                }
                for (w = 0; w < nw; w++) line = line " " (((k, w) in busy) ? busy[k, w] : "?")
                m = val[k, "makespan_ms"]; id = val[k, "ideal_ms"]
                printf "| %s | %s | %s | %s%s | %s | %s | %s | %s | %s of %s |\n", f[1], f[2], f[3],
                    ns(m * 1e6), mr[k], ns(id * 1e6), (id > 0 ? sprintf("%.2f", m / id) : "-"),
                    b, j, val[k, "jobs_done"], f[4]
                label = f[1] "/" f[2] (ncpus > 1 && f[3] != "-" ? "@" f[3] : "")
                printf "\"%s\"%s %s %s\n", label, line, m, id > dat
            }
        }' dat="$pd/imbalance.dat" "$data"
    echo
    local nw
    nw=$(awk 'NR == 2 { print NF - 3; exit }' "$pd/imbalance.dat")
    if plot imbalance imbalance "nw=${nw:-1}"; then
        figure imbalance "busy time of each worker (bars), makespan (dots) and the ideal (dashed), for each model and variant."
    else
        echo "(The imbalance plot could not be drawn; see the messages of report.sh.)"
        echo
    fi
    imbalance_workers
    cat <<'EOF2'
- **Sharded tasks** (each task placed round-robin when it is spawned, never
  moved: nginx or uvicorn workers) and the **static split** of threads and
  processes (unit k takes jobs k, k+W...) both give every heavy job to the
  same worker. That worker is busy for the whole makespan while the others
  finish early and sit idle: the machine does the same work in far more
  time than it needs.
- **Stealing tasks** (Tokio, Go) start the same way, all jobs queued where
  they were spawned, but an idle worker takes half of a busy one's queue.
  The heavy jobs end up spread, and the makespan comes close to the ideal.
  It cannot reach it exactly: a job is never split, so the last heavy job
  to start sets a floor.
- The **shared queue** of threads (an atomic index) and processes (job ids
  in a pipe) gets the same effect without stealing: whoever is free takes
  the next job. Here the heavy jobs come first in the queue, the best order
  for such a greedy split.
- Preemption does not help the unlucky worker: the kernel can stop a job
  and run another unit, but that does not move the job's work to an idle
  CPU. Only the placement decides.

EOF2
    awk -F, '
        NR == 1 || $1 != "imbalance" || ($6 != "makespan_ms" && $6 != "ideal_ms") { next }
        { v[$2 "/" $3, $6] = $7 }
        function say(k, what) {
            if (!((k, "makespan_ms") in v) || v[k, "ideal_ms"] <= 0) return ""
            return sprintf("%s took %.1f ms, %.2f times the ideal %.1f ms%s", k, v[k, "makespan_ms"],
                v[k, "makespan_ms"] / v[k, "ideal_ms"], v[k, "ideal_ms"], what)
        }
        END {
            a = say("tasks/sharded", ""); b = say("tasks/stealing", "")
            if (a != "" && b != "") printf "On this machine %s; %s.\n\n", a, b
        }' "$data"
}

# The per-worker timelines of the traced runs (trace-imbalance-*.csv): one
# row per worker and run, one box per job.
imbalance_workers() {
    local traces=() t
    for t in "$dir"/trace-imbalance-*.csv; do
        [ -s "$t" ] && traces+=("$t")
    done
    [ ${#traces[@]} -gt 0 ] || return 0
    local rows
    rows=$(awk -F, -v dat="$pd/imbalance-workers.dat" '
        FNR == 1 {
            name = FILENAME; sub(/.*\/trace-imbalance-/, "", name); sub(/\.csv$/, "", name)
            sub(/-/, "/", name); run++; t0[run] = ""; runname[run] = name
            next
        }
        $3 != "heavy" && $3 != "light" { next }
        {
            k = run SUBSEP $5
            if (!(k in row)) { rkey[++nr] = k; row[k] = 1 }
            u[++m] = k SUBSEP $7 SUBSEP $8 SUBSEP ($3 == "heavy")
            if (t0[run] == "" || $7 < t0[run]) t0[run] = $7
        }
        END {
            # Rows in run order, workers ascending within a run.
            for (i = 1; i <= nr; i++) {
                split(rkey[i], a, SUBSEP)
                for (j = i + 1; j <= nr; j++) {
                    split(rkey[j], b, SUBSEP)
                    if (b[1] < a[1] || (b[1] == a[1] && b[2] + 0 < a[2] + 0)) {
                        t = rkey[i]; rkey[i] = rkey[j]; rkey[j] = t; split(rkey[i], a, SUBSEP)
                    }
                }
            }
            for (i = 1; i <= nr; i++) {
                split(rkey[i], a, SUBSEP); idx[rkey[i]] = i - 1
                names = names (i > 1 ? " " : "") runname[a[1]] "/w" a[2]
            }
            for (i = 1; i <= m; i++) {
                split(u[i], f, SUBSEP)
                k = f[1] SUBSEP f[2]
                printf "%d %.4f %.4f %d\n", idx[k], (f[3] - t0[f[1]]) / 1e6, (f[4] - t0[f[1]]) / 1e6, f[5] > dat
            }
            print names
        }' "${traces[@]}")
    [ -n "$rows" ] || return 0
    if plot imbalance-workers workers "rows='$rows'"; then
        figure imbalance-workers "one traced run of each: a row per worker, a box per job (heavy ones in red), from the start of the first job."
    else
        echo "(The per-worker timeline could not be drawn; see the messages of report.sh.)"
        echo
    fi
}
