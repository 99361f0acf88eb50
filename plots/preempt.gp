# preempt.gp - the ticker's lateness next to a hog on one core: tasks
# cooperative, tasks preempted every Q, threads (p50, p99, max; log scale).
#
#   gnuplot -e "in='DIR/plotdata/preempt.dat'; out='DIR/preempt.png'" plots/preempt.gp
#
# in: a header line, then rows "label p50_ms p99_ms max_ms" ("?" missing).
width = 900; height = 500
if (!exists("dir")) { dir = ""; s = ARG0; i = strstrt(s, "/"); while (i > 0) { dir = dir . s[1:i]; s = s[i+1:]; i = strstrt(s, "/") } }
load dir . "style.gp"
set output out
set datafile missing "?"
set style data histogram
set style histogram clustered gap 1.5
set style fill solid 0.85 border -1
set boxwidth 0.9
set logscale y 10
set yrange [1e-3:*]
set ylabel "lateness of a tick (ms, log scale)"
set xtics noenhanced
set key outside right top
set title "A 1 ms ticker next to a hog: cooperative vs preempted every Q" font ",12"
clampv(v) = v < 1e-3 ? 1e-3 : v
plot in using (clampv($2)):xtic(1) title "p50" lt 1, \
     '' using (clampv($3)) title "p99" lt 2, \
     '' using (clampv($4)) title "max" lt 4
