# lag.gp - how late a 1 ms ticker woke next to a CPU hog: p50, p99 and max
# for each model, variant and pinning, log scale, with the hog's burst
# length drawn as a dashed line.
#
#   gnuplot -e "in='DIR/plotdata/lag.dat'; out='DIR/lag.png'; hog=50" plots/lag.gp
#
# in: a header line, then rows "label p50_ms p99_ms max_ms" (lateness
#     below 1 us is drawn at 1 us: a log axis has no zero).
# hog: the hog's burst length in ms (0: none drawn).
width = 1000; height = 540
# Finds style.gp next to this script, wherever gnuplot was started from.
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
set xtics noenhanced rotate by -20

set key outside right top
set title "A ticker asking to wake every 1 ms, next to a CPU hog" font ",12"
clampv(v) = v < 1e-3 ? 1e-3 : v
if (hog > 0) {
    set arrow 1 from graph 0, first hog to graph 1, first hog nohead dt 2 lw 2 lc rgb "#444444" front
    set label 1 sprintf("one burst of the hog: %g ms", hog) at graph 0.01, first hog offset 0, 0.8 left front
}
plot in using (clampv($2)):xtic(1) title "p50" lt 1, \
     '' using (clampv($3)) title "p99" lt 2, \
     '' using (clampv($4)) title "max" lt 4
