# shellcheck shell=bash disable=SC2154 # data, pd, dir, AWK_FMT: set by report.sh
# server.sh - the report's section on the HTTP server in three models,
# loaded by wrk and by yl-load (sourced by plots/report.sh; uses its
# helpers: has, plot, figure, envval, AWK_FMT, $data, $pd, $dir). Writes
# nothing when data.csv has no server rows.

# The awk functions of this section: a series' name and a time in ms.
SERVER_AWK='
function sname() { return $2 "/" $3 ($4 == "-" ? "" : "@" $4) }
function ms(v) {
    if (v == "" || v == "?") return "-"
    if (v < 1) return sprintf("%.0f µs", v * 1000)
    if (v < 100) return sprintf("%.2f ms", v)
    return sprintf("%.0f ms", v)
}
'

# server_figure NAME SCRIPT VARS CAPTION: draws the figure, or says it could not.
server_figure() {
    if plot "$1" "$2" "$3"; then
        figure "$1" "$4"
    else
        echo "(The figure $1 could not be drawn; see the messages of report.sh.)"
        echo
    fi
}

section_server() {
    has server || return 0
    local cpus
    cpus=$(awk -F, 'NR > 1 && $1 == "server" { c[$4] = 1 } END { for (k in c) s = s (s ? ", " : "") k; print s }' "$data")
    echo "## One HTTP server, three models, a real client"
    echo
    cat <<EOF
The same small HTTP/1.1 server (\`GET /hello\`, \`/work?us=K\` for K µs of
CPU, \`/sleep?ms=K\` for a K ms timer; keep-alive) written three ways:
**tasks**, one libyl task per connection (\`single\`: one worker;
\`sharded\`: a listening socket per worker, SO_REUSEPORT, a connection
never moves; \`stealing\`: one accept task, connection tasks move between
workers), **threads**, one thread per connection (\`per-conn\`) or a fixed
pool, and **procs**, a process per connection (\`per-conn\`, fork on
accept) or W prefork workers. \`yl-load\` starts the server, loads it over
127.0.0.1 and stops it. The server and the client run on the same cores
(cpus ${cpus//+/ and }, written \`0+1\`): on a 2-core machine a split would
leave the server a single core, and a real client is never free either.
Throughput and latency come from **wrk** ($(envval wrk)); idle connections,
the request mix and the /sleep load from yl-load's own epoll client.

EOF
    server_hello
    server_memory
    server_mix
    server_sleep
}

server_hello() {
    has server req_per_s || return 0
    echo "### Throughput and latency of /hello"
    echo
    local titles
    titles=$(awk -F, "$SERVER_AWK"'
        NR == 1 || $1 != "server" { next }
        $6 == "req_per_s" || $6 == "lat_p50_ms" || $6 == "lat_p99_ms" {
            s = sname()
            if (!(s in seen)) { seen[s] = 1; order[++n] = s }
            if (!((s, $5) in has)) { has[s, $5] = 1; cs[s] = cs[s] " " $5 }
            v[s, $5, $6] = $7
        }
        END {
            for (i = 1; i <= n; i++) {
                s = order[i]
                printf "# %s: C req_per_s p50_ms p99_ms\n", s > dat
                m = split(cs[s], list, " ")
                for (j = 1; j <= m; j++) {
                    c = list[j]
                    r = ((s, c, "req_per_s") in v) ? v[s, c, "req_per_s"] : "?"
                    a = ((s, c, "lat_p50_ms") in v) && v[s, c, "lat_p50_ms"] > 0 ? v[s, c, "lat_p50_ms"] : "?"
                    b = ((s, c, "lat_p99_ms") in v) && v[s, c, "lat_p99_ms"] > 0 ? v[s, c, "lat_p99_ms"] : "?"
                    printf "%s %s %s %s\n", c, r, a, b > dat
                }
                printf "\n\n" > dat
                printf "%s ", s
            }
        }' dat="$pd/server-throughput.dat" "$data")
    server_figure server-throughput server_throughput "titles='${titles% }'" "requests per second of GET /hello through wrk against the connections C, log x."
    cp "$pd/server-throughput.dat" "$pd/server-latency.dat" # the same blocks, other columns
    server_figure server-latency server_latency "titles='${titles% }'" "median and 99th percentile latency of GET /hello against C, log-log."
    echo "| model | variant | cpus | C | requests/s | p50 | p90 | p99 | errors |"
    echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
    awk -F, "$AWK_FMT$SERVER_AWK"'
        NR == 1 || $1 != "server" { next }
        $6 == "req_per_s" || $6 ~ /^lat_p[0-9]+_ms$/ || $6 == "errors" {
            k = $2 "|" $3 "|" $4 "|" $5
            if (!(k in seen)) { seen[k] = 1; order[++n] = k }
            v[k, $6] = $7
            if ($6 == "req_per_s") rr[k] = (lo() == hi()) ? "" : sprintf(" (%.0f – %.0f)", lo(), hi())
        }
        END {
            for (i = 1; i <= n; i++) {
                k = order[i]; split(k, f, "|")
                printf "| %s | %s | %s | %s | %s%s | %s | %s | %s | %s |\n", f[1], f[2], f[3], f[4],
                    ((k, "req_per_s") in v) ? sprintf("%.0f", v[k, "req_per_s"]) : "-", rr[k],
                    ms(v[k, "lat_p50_ms"]), ms(v[k, "lat_p90_ms"]), ms(v[k, "lat_p99_ms"]),
                    ((k, "errors") in v) ? v[k, "errors"] : "-"
            }
        }' "$data"
    echo
    cat <<'EOF'
wrk keeps C connections open and sends the next request on each as soon as
the reply is in, with one thread per client CPU. At C = 1 every model waits
on the round trip through the loopback and the two schedulers. As C grows
there is work queued on both cores, and what counts is the price of going
from one connection to the next: a task returns to its worker's loop,
which takes many ready sockets from one `epoll_wait`; a thread per
connection blocks in `read` and needs the kernel to wake it, one switch
through the kernel per request, and with a thousand threads the run
queues and the p99 grow. The executors differ too: `sharded` keeps each
connection on the worker that accepted it, so its wake-ups stay on one
core; `stealing` lets a task move, and a task that moves pays for it
(a wake-up across cores, its stack's cache lines on the other core).
The client competes for the same two cores, so a model that leaves more
CPU to wrk also gets more requests sent to it. Prefork and pool workers
serve one keep-alive connection at a time, so they need a worker per
connection (at most 64 here): their lines stop at C = 50.

EOF
    awk -F, '
        NR == 1 || $1 != "server" || $6 != "req_per_s" || $5 != 1000 { next }
        { v[$2 "/" $3] = $7 }
        END {
            th = v["threads/per-conn"]
            for (k in v) if (k ~ /^tasks\// && th > 0) {
                printf "%s%s answered %.0f requests/s, %.2f times threads/per-conn (%.0f)", sep ? sep : "At C = 1000, ", k, v[k], v[k] / th, th
                sep = "; "
            }
            if (sep) print "; the target is at least 1 for tasks.\n"
        }' "$data"
}

server_memory() {
    has server user_bytes_per_conn || return 0
    echo "### Memory per idle connection"
    echo
    echo "| model | variant | cpus | user side | kernel side | both | socket pair | own kernel side | own, both | server threads at the largest C | slope over C up to |"
    echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
    awk -F, "$AWK_FMT$SERVER_AWK"'
        NR == 1 || $1 != "server" { next }
        $6 == "user_bytes_per_conn" || $6 == "kernel_bytes_per_conn" || $6 == "pair_kernel_bytes_per_conn" ||
        $6 == "own_kernel_bytes_per_conn" || $6 == "server_threads" || $6 == "limit_conns" {
            s = sname(); col[s] = $2 " | " $3 " | " $4
            if ($6 != "server_threads" && $6 != "limit_conns" && !(s in seen)) { seen[s] = 1; order[++n] = s }
            if ($6 == "server_threads") { if ($5 + 0 >= tc[s] + 0) { tc[s] = $5; th[s] = $7 } }
            else if ($6 == "limit_conns") lim[s] = lim[s] " " $5
            else if (!((s, $6) in at) || $5 + 0 >= at[s, $6] + 0) {
                # Several sweeps of one series: the one that went furthest.
                at[s, $6] = $5; v[s, $6] = $7; up[s] = $5; r[s, $6] = range("B", lo(), hi())
            }
        }
        END {
            print "# model/variant user_B kernel_B own_kernel_B" > dat
            for (i = 1; i <= n; i++) {
                s = order[i]
                u = v[s, "user_bytes_per_conn"]; k = v[s, "kernel_bytes_per_conn"]
                own = ((s, "own_kernel_bytes_per_conn") in v)
                p = v[s, "pair_kernel_bytes_per_conn"]; ok = v[s, "own_kernel_bytes_per_conn"]
                printf "| %s | %s%s | %s%s | %s | %s | %s | %s | %s | %s%s |\n", col[s],
                    bytes(u), r[s, "user_bytes_per_conn"], bytes(k), r[s, "kernel_bytes_per_conn"],
                    bytes(u + k), own ? bytes(p) : "-", own ? bytes(ok) : "-", own ? bytes(u + ok) : "-",
                    (s in th) ? th[s] " at C = " tc[s] : "-", up[s],
                    (s in lim) ? " (stopped by a limit at C =" lim[s] ")" : ""
                printf "\"%s\" %s %s %s\n", s, (u > 0 ? u : "?"), (k > 0 ? k : "?"),
                    (own && ok > 0 ? ok : "?") > dat
            }
        }' dat="$pd/server-memory.dat" "$data"
    echo
    server_figure server-memory server_memory "" "bytes per idle keep-alive connection: user side, kernel side, and the kernel side without the socket pair, log scale (slopes over C)."
    cat <<'EOF'
yl-load opens C keep-alive connections, sends one /hello on each so that
the server has made its unit for every one, then leaves them idle and
takes the server's memory: the anonymous PSS summed over its processes
(user side) and the machine's KernelStack + PageTables + SUnreclaim
(kernel side), each against a baseline taken before the first
connection, with a fresh server per C. The slope over C is the price of
one more connection. The kernel side counts both ends of every loopback
connection (two sockets, the same for every model), and the client's end
is not the server's cost: so the same run also opens the same C
connections to a null server of yl-load's own, which answers the first
request and only holds them, and takes the same slope (**socket pair**).
The model's **own** kernel side is its kernel side minus that pair: what
a task, a thread or a process adds to the two sockets it serves.

- A **task** per connection, while a request is under way, is a task
  header (a slab object of under 200 B), the touched page of its stack
  and the connection's request buffer (1 KiB, grown only for a long
  head). A task waiting for its socket would keep that stack page, and
  one page is already more than a tenth of a thread's own cost; so the
  `single` and `stealing` servers park an idle connection instead: its
  socket goes into an epoll set of the server's, its task ends (the stack
  goes back to libyl's pool, for the next request's task), and a parker
  task starts a new task when bytes arrive. What an idle connection then
  holds is its `struct conn` with the buffer, and in the kernel an epoll
  entry: the two workers and their epolls are there whatever C is.
  (`sharded` keeps the task waiting: its connections stay on the worker
  they started on.)
- A **thread** per connection adds what a thread always costs: a kernel
  stack (16 KiB on x86-64) and its `task_struct` in the kernel, and the
  touched pages of an 8 MiB user stack reservation in the process.
- A **process** per connection adds an address space on top of that: page
  tables, the memory map, the copied-on-write pages of the heap and stack,
  its own file table. It is the most a connection can cost.

EOF
    awk -F, '
        NR == 1 || $1 != "server" { next }
        $6 == "user_bytes_per_conn" || $6 == "kernel_bytes_per_conn" || $6 == "own_kernel_bytes_per_conn" {
            k = $2 "/" $3
            if (!((k, $6) in at) || $5 + 0 >= at[k, $6] + 0) { at[k, $6] = $5; v[k, $6] = $7; c[k] = $5 }
        }
        END {
            for (kk in at) {
                split(kk, f, SUBSEP); t[f[1]] = v[f[1], "user_bytes_per_conn"] + v[f[1], "kernel_bytes_per_conn"]
                if ((f[1], "own_kernel_bytes_per_conn") in v)
                    o[f[1]] = v[f[1], "user_bytes_per_conn"] + v[f[1], "own_kernel_bytes_per_conn"]
            }
            best = ""
            for (k in t) if (k ~ /^tasks\// && (best == "" || t[k] < t[best])) best = k
            th = "threads/per-conn"
            if (best != "" && (th in t) && t[th] > 0) {
                printf "Here %s cost %.0f B per idle connection (both sides, up to C = %s) and %s %.0f B (up to C = %s): %.2f of it, against a target of at most 1/10", best, t[best], c[best], th, t[th], c[th], t[best] / t[th]
                if ((best in o) && (th in o) && o[th] > 0)
                    printf "; without the socket pair, %.0f B against %.0f B: %.2f of it", o[best], o[th], o[best] / o[th]
                printf ".\n\n"
            }
        }' "$data"
}

server_mix() {
    has server light_p99_ms || return 0
    echo "### The unlucky worker, with real requests"
    echo
    echo "| model | variant | cpus | C | light p50 | light p99 | light max | heavy p99 | requests/s | light / heavy requests |"
    echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
    awk -F, "$AWK_FMT$SERVER_AWK"'
        NR == 1 || $1 != "server" { next }
        $6 ~ /^(light|heavy)_/ || $6 == "mix_req_per_s" {
            k = $2 "|" $3 "|" $4 "|" $5
            if (!(k in seen)) { seen[k] = 1; order[++n] = k }
            v[k, $6] = $7
            if ($6 == "light_p99_ms") r[k] = (lo() == hi()) ? "" : " (" ms(lo()) " – " ms(hi()) ")"
        }
        END {
            print "# model/variant light_p50_ms light_p99_ms heavy_p99_ms" > dat
            for (i = 1; i <= n; i++) {
                k = order[i]; split(k, f, "|")
                printf "| %s | %s | %s | %s | %s | %s%s | %s | %s | %.0f | %s / %s |\n", f[1], f[2], f[3], f[4],
                    ms(v[k, "light_p50_ms"]), ms(v[k, "light_p99_ms"]), r[k], ms(v[k, "light_max_ms"]),
                    ms(v[k, "heavy_p99_ms"]), v[k, "mix_req_per_s"], v[k, "light_requests"], v[k, "heavy_requests"]
                printf "\"%s/%s\" %s %s %s\n", f[1], f[2], ((k, "light_p50_ms") in v) ? v[k, "light_p50_ms"] : "?",
                    ((k, "light_p99_ms") in v) ? v[k, "light_p99_ms"] : "?",
                    ((k, "heavy_p99_ms") in v) ? v[k, "heavy_p99_ms"] : "?" > dat
            }
        }' dat="$pd/server-mix.dat" "$data"
    echo
    server_figure server-mix server_mix "" "latency of the light requests (p50, p99) and of the heavy ones (p99) under the mix, log scale."
    cat <<'EOF'
yl-load's own client keeps C connections busy at a fixed rate in all
(each connection sends at its own times; a request's latency counts from
when it was due, so a stalled server cannot hide by slowing the client
down). One request in 50 is `/work?us=20000`, 20 ms of CPU with no yield
point in it; the others are /hello. The light requests' p99 says how long
the unlucky ones waited behind a heavy one.

- **Sharded** tasks: the kernel spreads connections over the workers when
  they are accepted, and a connection stays on its worker for good. A
  heavy request holds that worker for 20 ms, and every light request of
  every other connection placed there waits until it is done, while the
  other worker may sit idle. That is the unlucky worker of `imbalance`,
  met again with real requests.
- **Stealing** tasks: a task that is ready can be taken by an idle worker,
  so it should not wait behind the heavy one. Stealing alone moves work,
  not readiness: with an epoll per worker, a connection waiting for its
  socket would be registered where it last ran, and a worker busy with a
  heavy request does not look at its epoll until the unit ends. So libyl's
  stealing executor puts fd waits in one epoll that every worker's epoll
  watches: whichever worker is free sees the socket readable and runs the
  request, and the light p99 drops to the client's own noise.
- **Threads** (and **prefork** processes) per connection: the kernel
  preempts the heavy request after its time slice and runs the light ones
  on the same core; the heavy request itself takes longer, the light ones
  barely notice.

EOF
    awk -F, '
        NR == 1 || $1 != "server" || $6 != "light_p99_ms" { next }
        { v[$2 "/" $3] = $7 }
        END {
            a = v["tasks/sharded"]; b = v["tasks/stealing"]
            if (a > 0 && b > 0)
                printf "Here the light p99 was %.2f ms sharded and %.2f ms stealing: stealing at %.2f of sharded, against a target of at most 1/3.\n\n", a, b, b / a
        }' "$data"
}

server_sleep() {
    has server sleep_req_per_s || return 0
    echo "### /sleep: many connections waiting at once"
    echo
    echo "| model | variant | cpus | C | requests/s | p50 | p99 | user per conn | kernel per conn | server threads |"
    echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
    awk -F, "$AWK_FMT$SERVER_AWK"'
        NR == 1 || $1 != "server" || $6 !~ /^sleep_/ { next }
        {
            k = $2 "|" $3 "|" $4 "|" $5
            if (!(k in seen)) { seen[k] = 1; order[++n] = k }
            v[k, $6] = $7
        }
        END {
            for (i = 1; i <= n; i++) {
                k = order[i]; split(k, f, "|")
                printf "| %s | %s | %s | %s | %.0f | %s | %s | %s | %s | %s |\n", f[1], f[2], f[3], f[4],
                    v[k, "sleep_req_per_s"], ms(v[k, "sleep_p50_ms"]), ms(v[k, "sleep_p99_ms"]),
                    bytes(v[k, "sleep_user_bytes_per_conn"]), bytes(v[k, "sleep_kernel_bytes_per_conn"]),
                    ((k, "sleep_server_threads") in v) ? v[k, "sleep_server_threads"] : "-"
            }
        }' "$data"
    echo
    cat <<'EOF'
Every connection loops on `/sleep?ms=10`: a request that waits 10 ms on a
timer, the way a handler waits for a database. C connections can ask for
at most C / 10 ms requests per second (100 000 at C = 1000); what keeps a
model below that ceiling is what each wait and wake-up costs on the two
cores the client shares. A waiting task is an entry in the timer wheel
and a parked stack, and its worker wakes once for all the timers that are
due; a waiting thread sleeps in `nanosleep` with its own kernel stack,
and each of the C wake-ups is a trip through the kernel's scheduler. Both
hold the thousand connections; the columns say at what throughput, what
latency beyond the 10 ms, and what memory per connection (the server's
growth while the load runs, taken halfway through the run).

EOF
}
