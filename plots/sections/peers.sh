# shellcheck shell=bash disable=SC2154 # data, pd, dir, AWK_FMT: set by report.sh
# peers.sh - the report's section "The languages side by side" (sourced by
# plots/report.sh; uses its helpers: has, envval, plot, figure, AWK_FMT,
# $data, $pd, $dir). The article's table of async runtimes with measured
# columns added, from the rows of the peers (node, python, go, tokio;
# peers/README.md) next to ours. Writes nothing when data.csv has no peer
# row and env.txt names no peer runtime.

PEER_MODELS="node python go tokio"

# peer_rows: true when data.csv has a row of any peer model.
peer_rows() {
    awk -F, 'NR > 1 && ($2 == "node" || $2 == "python" || $2 == "go" || $2 == "tokio") { f = 1; exit }
             END { exit !f }' "$data"
}

# peer_missing: one line per peer runtime that env.txt says is not there.
peer_missing() {
    local m v pkg
    for m in $PEER_MODELS; do
        v=$(envval "${m}_version")
        case $v in
        "not installed"*)
            pkg=${v#*installs }
            echo "- $m: not installed, \`make deps\` installs $pkg"
            ;;
        esac
    done
}

# peer_cells: for every model, "model|switch|bytes|foo|hello|lost" with the
# measured cells of the table (a "-" where the run has no row).
peer_cells() {
    local tasks_out=""
    [ -s "$dir/trace-tasks.out" ] && tasks_out="$dir/trace-tasks.out"
    awk -F, -v tasks_out="$tasks_out" "$AWK_FMT"'
        BEGIN {
            split("foo1 start,bar start,foo2 start,bar end,foo1 between,foo2 between,foo1 end,foo2 end", want, ",")
            # Our own foo has no CSV row: its traced run printed the lines.
            if (tasks_out != "") {
                k = 0; ok = 1
                while ((getline line < tasks_out) > 0) if (line != "") { k++; if (line != want[k]) ok = 0 }
                foo["tasks"] = (ok && k == 8) ? "the article'"'"'s" : "another order"
            }
        }
        NR == 1 { next }
        # One core only: cpus is one CPU, not a "+" list and not unpinned.
        $1 == "pingpong" && $6 == "ns_per_switch" && $4 != "-" && $4 !~ /\+/ {
            if ($2 == "tasks") { sw[$2, $3] = $7; next }
            if (!($2 in best) || $7 < best[$2]) { best[$2] = $7; bestv[$2] = $3 }
        }
        $1 == "spawn" && $6 == "user_bytes_per_unit" {
            if (!($2 in mem) || $7 < mem[$2]) { mem[$2] = $7; memv[$2] = $3; memn[$2] = $5 }
        }
        $1 == "foo" && $6 == "article_order" { foo[$2] = $7 == 1 ? "the article'"'"'s" : "another order" }
        $1 == "hello" && $6 == "printed" && $3 != "awaited" {
            p = $7 == 1 ? "Hello printed" : "nothing printed"
            hello[$2] = ($3 == "always" ? "n/a (always runs): " : $3 ": ") p
        }
        $1 == "counter" && ($6 == "lost" || $6 == "expected") { cnt[$2, $3, $6] = $7; if (!(($2, $3) in cv)) { cv[$2, $3] = 1; cvars[$2] = cvars[$2] " " $3 } }
        # The lost update (variant none), then the lock that fixes it (lock
        # or mutex; else the first other fix); our in-memory and LIFO
        # variants have sections of their own.
        function cntcell(m, x) { return sprintf("%s %d of %d", x, cnt[m, x, "lost"], cnt[m, x, "expected"]) }
        function lostcell(m,    v, i, k, out, fix) {
            k = split(cvars[m], v, " ")
            fix = ""
            for (i = 1; i <= k; i++) {
                if (v[i] == "none" || v[i] ~ /^mem-|^lifo/ || !((m, v[i], "lost") in cnt)) continue
                if (fix == "" || v[i] == "lock" || v[i] == "mutex") fix = v[i]
            }
            out = ((m, "none", "lost") in cnt) ? cntcell(m, "none") : ""
            if (fix != "") out = (out == "" ? "" : out "; ") cntcell(m, fix)
            return out == "" ? "-" : out
        }
        END {
            n = split("node python tokio go tasks", ms, " ")
            for (i = 1; i <= n; i++) {
                m = ms[i]
                if (m == "tasks") {
                    s = ((m, "yield") in sw) ? "yield " ns(sw[m, "yield"]) : "-"
                    if ((m, "raw") in sw) s = s "; raw " ns(sw[m, "raw"])
                } else {
                    s = (m in best) ? ns(best[m]) " (" bestv[m] ")" : "-"
                }
                b = (m in mem) ? bytes(mem[m]) " (" memv[m] ", N ≤ " memn[m] ")" : "-"
                f = (m in foo) ? foo[m] : "-"
                h = (m in hello) ? hello[m] : (m == "tasks" ? "both: yl_spawn eager, a lazy task waits for its await" : "-")
                printf "%s|%s|%s|%s|%s|%s\n", m, s, b, f, h, lostcell(m)
            }
        }' "$data"
}

section_peers() {
    local missing
    missing=$(peer_missing)
    peer_rows || [ -n "$missing" ] || return 0
    echo "## The languages side by side"
    echo
    cat <<'EOF2'
The article compares the async runtimes of four languages in a table; here
that table is run. The same five programs (`foo`, `hello`, `pingpong`,
`spawn`, `counter`) were written for Node.js, Python's asyncio, Go and
Rust's Tokio (`peers/`), with our flags and our CSV, and measured in the
same run as libyl. The first four columns describe each runtime; the
others are what this run observed: the cheapest switch on one core, the
user memory of one waiting unit (the slope over N, measured by our own
harness, never by the runtime itself), the order of foo's 8 lines,
whether an un-awaited task printed `Hello`, and the lost updates of the
counter without and with a fix (lost of expected).

EOF2
    if [ -n "$missing" ]; then
        echo "Not measured here:"
        echo
        echo "$missing"
        echo
    fi
    local ver
    echo "| language (runtime) | syntax | work stealing | automatic or explicit | where a task's locals live | switch, one core | bytes per task | foo order | un-awaited hello | lost updates |"
    echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
    while IFS='|' read -r m s b f h l; do
        local lang syn ws ae loc
        case $m in
        node) lang="JavaScript (Node.js)"; syn="async/await on promises"; ws="no: one thread runs the event loop"
            ae="automatic: calling an async function starts it"; loc="heap: the promise and the suspended function's context" ;;
        python) lang="Python (asyncio)"; syn="async/await on coroutines"; ws="no: one thread runs the loop"
            ae="explicit: a coroutine runs once awaited or made a task"; loc="heap: a frame object per coroutine" ;;
        tokio) lang="Rust (Tokio)"; syn="async/await on futures"; ws="yes on the multi-thread runtime, no on current_thread"
            ae="explicit: a future does nothing until polled (spawned or awaited)"; loc="in the future itself: a state machine sized by the compiler, boxed by spawn" ;;
        go) lang="Go"; syn="the go keyword; every call may block"; ws="yes: each P has a run queue and steals"
            ae="not applicable: go always starts the goroutine"; loc="a stack per goroutine that starts small and grows; the heap for what escapes" ;;
        tasks) lang="C (libyl, ours)"; syn="yl_spawn and yl_sleep_ms; stackless BEGIN/AWAIT/END"; ws="yes with the stealing executor, no with single or sharded"
            ae="both: yl_spawn starts a task, a lazy one runs when awaited"; loc="stackful: a pooled stack; stackless: a frame struct" ;;
        esac
        ver=""
        [ "$m" != tasks ] && ver=$(envval "${m}_version")
        case $ver in "" | "?" | "not installed"*) ;; *) lang="$lang, $ver" ;; esac
        echo "| $lang | $syn | $ws | $ae | $loc | $s | $b | $f | $h | $l |"
    done < <(peer_cells)
    echo
    peer_checks
    peer_switch_figure
    peer_memory_figure
}

# peer_checks: whether our switch and our bytes per task beat every peer's
# in this run, said with the figures.
peer_checks() {
    awk -F, "$AWK_FMT"'
        NR == 1 { next }
        $1 == "pingpong" && $6 == "ns_per_switch" && $4 != "-" && $4 !~ /\+/ {
            if ($2 == "tasks" && $3 == "yield") ours = $7
            else if ($2 == "node" || $2 == "python" || $2 == "go" || $2 == "tokio")
                if (peer == "" || $7 < peer) { peer = $7; pname = $2 "/" $3 }
        }
        $1 == "spawn" && $6 == "user_bytes_per_unit" {
            if ($2 == "tasks" && $3 == "stackless") { oursb = $7; oursn = $5 }
            else if ($2 == "node" || $2 == "python" || $2 == "go" || $2 == "tokio") { pb[$2 "/" $3] = $7; pn[$2 "/" $3] = $5 }
        }
        END {
            if (ours != "" && peer != "")
                printf "Our scheduler switch (tasks/yield, %s) is %s the cheapest peer switch (%s, %s): %.1f times %s.\n\n",
                    ns(ours), ours < peer ? "below" : "not below", pname, ns(peer),
                    ours < peer ? peer / ours : ours / peer, ours < peer ? "cheaper" : "dearer"
            if (oursb != "") {
                best = ""
                for (k in pb) if (pn[k] == oursn && (best == "" || pb[k] < best)) { best = pb[k]; bname = k }
                if (best != "" && best > 0)
                    printf "A stackless libyl task (%s at N = %s) takes %.2f of the smallest peer task at the same N (%s, %s)%s.\n\n",
                        bytes(oursb), oursn, oursb / best, bname, bytes(best),
                        oursb <= best / 5 ? ", at most a fifth of it" : ", more than a fifth of it"
            }
        }' "$data"
}

# peer_switch_figure: every runtime's one-core switch, cheapest first.
peer_switch_figure() {
    awk -F, -v dat="$pd/peers-switch.dat" '
        NR == 1 || $1 != "pingpong" || $6 != "ns_per_switch" || $4 == "-" || $4 ~ /\+/ { next }
        {
            k = $2 "/" $3
            if (k in v) next
            v[k] = $7; lo[k] = NF >= 10 ? $9 : $7; hi[k] = NF >= 10 ? $10 : $7
            fam[k] = $2 == "tasks" ? 1 : (($2 == "threads" || $2 == "procs") ? 4 : 2)
            order[++n] = k
        }
        END {
            if (n == 0) exit
            # Cheapest first: a simple insertion sort on the medians.
            for (i = 2; i <= n; i++) { x = order[i]; j = i - 1
                while (j > 0 && v[order[j]] + 0 > v[x] + 0) { order[j + 1] = order[j]; j-- }
                order[j + 1] = x }
            print "# model/variant median_ns min_ns max_ns family" > dat
            for (i = 1; i <= n; i++) { k = order[i]; printf "\"%s\" %s %s %s %d\n", k, v[k], lo[k], hi[k], fam[k] > dat }
        }' "$data"
    [ -s "$pd/peers-switch.dat" ] || return 0
    echo "### What one switch costs in each runtime"
    echo
    if plot peers-switch peers_switch ""; then
        figure peers-switch "one switch between two units on one core, every runtime of this run, cheapest first, log scale."
    else
        echo "(The switch plot could not be drawn; see the messages of report.sh.)"
        echo
    fi
    awk -F, "$AWK_FMT"'
        NR == 1 || $1 != "pingpong" || $6 != "ns_per_switch" || $4 == "-" || $4 ~ /\+/ { next }
        { k = $2 "/" $3; if (!(k in v)) v[k] = $7 }
        END {
            for (k in v) { split(k, mv, "/"); if (!(mv[1] in m) || v[k] < m[mv[1]]) m[mv[1]] = v[k] }
            s = ""
            if (("tasks/yield" in v) && ("node" in m)) s = s sprintf(" Here a Node hand-off took %s, %.0f times our yield;", ns(m["node"]), m["node"] / v["tasks/yield"])
            if (("tasks/yield" in v) && ("python" in m)) s = s sprintf(" an asyncio one %s, %.0f times;", ns(m["python"]), m["python"] / v["tasks/yield"])
            if (("tasks/yield" in v) && ("go" in m)) s = s sprintf(" a Go channel hand-off %s;", ns(m["go"]))
            if (("tasks/yield" in v) && ("tokio" in m)) s = s sprintf(" a Tokio one %s;", ns(m["tokio"]))
            if ("threads" in m) s = s sprintf(" a thread switch through the kernel %s.", ns(m["threads"]))
            if (s != "") print substr(s, 2) "\n"
        }' "$data"
    cat <<'EOF2'
Every bar is the same experiment: two units on one CPU pass a token back
and forth, and the elapsed time is divided by the number of hand-offs.
What differs is how much work a runtime does between "this unit waits"
and "that unit runs".

- **libyl's raw switch** saves a few registers and loads others: the
  floor. Our **yield** adds the run queue: put the current task at the
  back, take the next one.
- **Node** resolves a promise: the waiting function's continuation is
  queued as a microtask and V8 resumes the suspended async function. No
  system call, but an object allocated per hand-off, and JIT-compiled code
  in between.
- **asyncio** pays the interpreter: every step is bytecode, setting an
  `Event` schedules a callback on the loop, and each turn of the loop
  calls the selector (an `epoll_wait` system call) before it runs what is
  ready. That is why it is the dearest of the user-space runtimes, often
  dearer than a kernel thread switch.
- **Go** with one P hands the goroutine over in its own scheduler: the
  channel operation parks the sender and readies the receiver, no kernel
  involved. **Tokio** on a current-thread runtime wakes the other task
  through its waker and polls it from the run queue.
- **Threads and processes** go through the kernel's scheduler on every
  switch: a futex or a pipe, a system call, and for processes a change
  of address space.

EOF2
}

# peer_memory_figure: bytes per unit (user + kernel) over N, every series.
peer_memory_figure() {
    local titles
    titles=$(awk -F, -v dat="$pd/peers-memory.dat" '
        NR == 1 || $1 != "spawn" || $5 <= 0 { next }
        # The heap-timer variants of our tasks cost what the wheel ones do:
        # leave them to the memory section, so the lines here stay readable.
        $2 == "tasks" && $3 ~ /heap/ { next }
        $6 == "user_bytes" || $6 == "kernel_bytes" {
            s = $2 "/" $3 ($4 == "-" ? "" : "@" $4)
            if (!(s in seen)) { seen[s] = 1; order[++n] = s }
            if (!((s, $5) in has)) { has[s, $5] = 1; ns[s] = ns[s] " " $5 }
            v[s, $5] += $7
        }
        END {
            for (i = 1; i <= n; i++) {
                s = order[i]
                printf "# %s: N bytes_per_unit\n", s > dat
                m = split(ns[s], list, " ")
                for (j = 1; j <= m; j++) {
                    x = list[j]
                    printf "%s %s\n", x, (v[s, x] > 0 ? v[s, x] / x : "?") > dat
                }
                printf "\n\n" > dat
                printf "%s ", s
            }
        }' "$data")
    [ -n "$titles" ] || return 0
    echo "### What one waiting unit costs in each runtime"
    echo
    if plot peers-memory peers_memory "titles='${titles% }'"; then
        figure peers-memory "memory per unit (user and kernel side together) against N units alive, every runtime of this run, log-log."
    else
        echo "(The memory plot could not be drawn; see the messages of report.sh.)"
        echo
    fi
    cat <<'EOF2'
Each point is the memory that appeared while N units waited on a timer,
divided by N; a peer's memory is measured from outside, by our harness
(`yl-peer-spawn`), between the moment its runtime was up and the moment
all N units were alive, so its interpreter or runtime does not count.

- A **stackless libyl task** is a header and the frame struct of its
  function, laid out by hand: the least a task can be.
- A **Tokio task** is the future itself, a state machine the compiler
  sized for the deepest await, boxed by `tokio::spawn` with the task's
  header. Its timer entry lives inside that future (`Sleep` holds the
  timer wheel's entry), so a sleeping task carries its timer with it and
  is larger than the few words of its own locals.
- A **goroutine** owns a real stack that starts at a few KiB and is grown
  by copying when a call would overflow it, plus the runtime's `g`
  descriptor: more than a future, much less than a thread, and no kernel
  object at all.
- A **Node** unit is several heap objects: the async function's suspended
  context, its promise, the promise of the sleep with its resolve
  functions, and a `Timeout` object in the timer lists.
- An **asyncio** task is a `Task`, a coroutine with its frame, the
  `Future` of the sleep and a `TimerHandle` in the loop's heap, each a
  Python object with its header and no more than that: the largest of
  the user-space units.
- **Threads and processes** add the kernel's side: a kernel stack and a
  `task_struct` each, and for processes an address space.

EOF2
}
