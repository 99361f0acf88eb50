# server_mix.gp - the unlucky worker with real requests: latency of the
# light requests (p50, p99) and of the heavy ones (p99) under the heavy
# mix, one group of bars per model/variant (log y).
#
#   gnuplot -e "in='DIR/plotdata/server-mix.dat'; out='DIR/server-mix.png'" plots/server_mix.gp
#
# in: a header line, then rows "model/variant light_p50_ms light_p99_ms
#     heavy_p99_ms"; '?' when unknown.
width = 1000; height = 520
if (!exists("dir")) { dir = ""; s = ARG0; i = strstrt(s, "/"); while (i > 0) { dir = dir . s[1:i]; s = s[i+1:]; i = strstrt(s, "/") } }
load dir . "style.gp"
set output out
set datafile missing "?"
set style data histogram
set style histogram clustered gap 1.5
set style fill solid 0.85 border -1
set boxwidth 0.9
set logscale y 10
set ylabel "latency (ms)"
set xtics noenhanced
set key top left
set title "Light requests next to heavy ones: who waits behind a 20 ms request" font ",12"
plot in using 2:xtic(1) title "light p50" lt 1, in using 3 title "light p99" lt 4, \
     in using 4 title "heavy p99" lt 8
