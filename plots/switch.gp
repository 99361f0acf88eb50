# switch.gp - the cost of one switch between two units, per model and
# variant, on one core and across two; log scale; the raw user-space
# context switch drawn as the floor.
#
#   gnuplot -e "in='DIR/plotdata/switch.dat'; out='DIR/switch.png'; floor=6.2" plots/switch.gp
#
# in: a header line, then rows "model/variant same lo hi cross lo hi"
#     (median, min, max in ns; '?' when not measured).
# floor: ns per switch of tasks/raw on one core (0: none measured).
# Optional: ttl (title), k1, k2 (the two series' names), for other pairs
# than same core / two cores (the host vs guest figure uses them).
width = 1000; height = 560
# Finds style.gp next to this script, wherever gnuplot was started from.
if (!exists("dir")) { dir = ""; s = ARG0; i = strstrt(s, "/"); while (i > 0) { dir = dir . s[1:i]; s = s[i+1:]; i = strstrt(s, "/") } }
load dir . "style.gp"
set output out
set datafile missing "?"
set style data histogram
set style histogram errorbars gap 2 lw 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set logscale y 10
set yrange [1e-9:*]
set format y "%.0s %cs"
set ylabel "time per switch (median, bars: min to max)"
set xtics rotate by -20 noenhanced
set key top left
if (!exists("ttl")) ttl = "One switch between two units: same core vs two cores"
if (!exists("k1")) k1 = "same core (cpus 0)"
if (!exists("k2")) k2 = "two cores (cpus 0+1)"
set title ttl font ",12"
if (floor > 0) {
    set arrow 1 from graph 0, first floor*1e-9 to graph 1, first floor*1e-9 nohead dt 2 lw 2 lc rgb "#444444" front
    set label 1 sprintf("raw switch floor: %.1f ns", floor) at graph 0.99, first floor*1e-9 offset 0, 0.8 right front
}
plot in using ($2*1e-9):($3*1e-9):($4*1e-9):xtic(1) title k1 lt 1, \
     '' using ($5*1e-9):($6*1e-9):($7*1e-9) title k2 lt 2
