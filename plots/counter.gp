# counter.gp - the lost update and the fairness of a lock, two figures:
#
#   fig='lost': for each model and fix, the share of the increments that
#       were lost (bars, %; linear, a log scale would hide the zeros).
#   fig='wait': how long units waited for the lock, p50, p99 and max per
#       model and lock (log scale): FIFO hands the lock over in arrival
#       order, LIFO to the newest waiter.
#
#   gnuplot -e "in='DIR/plotdata/counter-lost.dat'; out='DIR/counter-lost.png'; fig='lost'" plots/counter.gp
#   gnuplot -e "in='DIR/plotdata/counter-wait.dat'; out='DIR/counter-wait.png'; fig='wait'" plots/counter.gp
#
# in: a header line, then for 'lost' rows "label lost_percent", for 'wait'
#     rows "label p50_ms p99_ms max_ms".
width = 1000; height = 500
# Finds style.gp next to this script, wherever gnuplot was started from.
if (!exists("dir")) { dir = ""; s = ARG0; i = strstrt(s, "/"); while (i > 0) { dir = dir . s[1:i]; s = s[i+1:]; i = strstrt(s, "/") } }
load dir . "style.gp"
set output out
set datafile missing "?"
set style data histogram
set style fill solid 0.85 border -1
set boxwidth 0.8
set xtics noenhanced rotate by -30
set rmargin 9
if (fig eq 'lost') {
    set style histogram clustered gap 1
    set yrange [0:105]
    set ylabel "increments lost (% of n, median of the runs)"
    set key off
    set title "Lost updates: what each fix leaves of the counter" font ",12"
    plot in using 2:xtic(1) lt 4, '' using 0:2:(sprintf("%.0f%%", $2)) with labels offset 0, 0.8 notitle
} else {
    set style histogram clustered gap 1.5
    set logscale y 10
    set yrange [1e-3:*]
    set ylabel "time waiting for the lock (ms, log scale)"
    set key outside right top
    set title "Waiting for a lock: arrival order (FIFO) vs newest first (LIFO)" font ",12"
    clampv(v) = v < 1e-3 ? 1e-3 : v
    plot in using (clampv($2)):xtic(1) title "p50" lt 1, \
         '' using (clampv($3)) title "p99" lt 2, \
         '' using (clampv($4)) title "max" lt 4
}
