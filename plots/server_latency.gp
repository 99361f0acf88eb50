# server_latency.gp - /hello through wrk: the median and the 99th percentile
# of the latency against C, log-log, one line per model/variant.
#
#   gnuplot -e "in='DIR/plotdata/server-latency.dat'; out='DIR/server-latency.png'; \
#               titles='...'" plots/server_latency.gp
#
# in: the blocks of server_throughput.gp ("C req_per_s p50_ms p99_ms"),
#     copied to server-latency.dat.
width = 1200; height = 520
if (!exists("dir")) { dir = ""; s = ARG0; i = strstrt(s, "/"); while (i > 0) { dir = dir . s[1:i]; s = s[i+1:]; i = strstrt(s, "/") } }
load dir . "style.gp"
set output out
set datafile missing "?"
set logscale xy 10
set xlabel "C: connections"
set ylabel "latency (ms)"
set key top left
set multiplot layout 1, 2 title "GET /hello: latency percentiles against the number of connections" font ",12"
set title "median (p50)"
plot for [i=1:words(titles)] in index (i-1) using 1:3 with linespoints lt i lw 2 ps 1 title word(titles, i)
set title "99th percentile (p99)"
plot for [i=1:words(titles)] in index (i-1) using 1:4 with linespoints lt i lw 2 ps 1 title word(titles, i)
unset multiplot
