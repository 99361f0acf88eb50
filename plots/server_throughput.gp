# server_throughput.gp - /hello through wrk: requests per second against the
# number of connections C (log x), one line per model/variant.
#
#   gnuplot -e "in='DIR/plotdata/server-throughput.dat'; out='DIR/server-throughput.png'; \
#               titles='tasks/stealing threads/per-conn ...'" plots/server_throughput.gp
#
# in: one block per series (two blank lines apart), rows "C req_per_s
#     p50_ms p99_ms"; titles: the series names, in block order.
width = 1000; height = 520
if (!exists("dir")) { dir = ""; s = ARG0; i = strstrt(s, "/"); while (i > 0) { dir = dir . s[1:i]; s = s[i+1:]; i = strstrt(s, "/") } }
load dir . "style.gp"
set output out
set datafile missing "?"
set logscale x 10
set yrange [0:*]
set format y "%.0s%c"
set xlabel "C: connections wrk keeps open"
set ylabel "requests per second (median of the runs)"
set key outside right top
set title "GET /hello: throughput against the number of connections" font ",12"
plot for [i=1:words(titles)] in index (i-1) using 1:2 with linespoints lt i lw 2 ps 1.2 title word(titles, i)
