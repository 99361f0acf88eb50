# imbalance.gp - the unlucky worker: for each model and variant, the busy
# time of every worker (bars), the makespan (a dot: when the last job
# ended) and the ideal (a dashed line: all the work divided by W).
#
#   gnuplot -e "in='DIR/plotdata/imbalance.dat'; out='DIR/imbalance.png'; nw=2" plots/imbalance.gp
#
# in: a header line, then rows "model/variant busy_w0 ... busy_w(nw-1)
#     makespan_ms ideal_ms" ('?' for a worker a run did not have).
# nw: the most workers any run had.
width = 1000; height = 520
# Finds style.gp next to this script, wherever gnuplot was started from.
if (!exists("dir")) { dir = ""; s = ARG0; i = strstrt(s, "/"); while (i > 0) { dir = dir . s[1:i]; s = s[i+1:]; i = strstrt(s, "/") } }
load dir . "style.gp"
set output out
set datafile missing "?"
set style data histogram
set style histogram clustered gap 1.5
set style fill solid 0.85 border -1
set boxwidth 0.9
set yrange [0:*]
set ylabel "ms (median of the runs)"
set xtics noenhanced
set key outside right top
set title "Skewed jobs on W workers: who was busy, and when the last job ended" font ",12"
# Clusters sit at x = 0, 1, 2...; each is about 0.8 wide with nw bars.
half = 0.4
plot for [w=1:nw] in using (column(w + 1)):xtic(1) title sprintf("worker %d busy", w - 1) lt w, \
     in using ($0 - half):(column(nw + 3)):(2 * half):(0) with vectors nohead dt 2 lw 2 lc rgb "#444444" title "ideal: work / W", \
     in using 0:(column(nw + 2)) with points pt 7 ps 1.8 lc rgb "#c0392b" title "makespan"
