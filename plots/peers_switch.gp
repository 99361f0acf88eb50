# peers_switch.gp - one switch between two units on one core, for every
# runtime of the run side by side: ours (raw and yield), the language
# peers, kernel threads and processes; log scale, cheapest first.
#
#   gnuplot -e "in='DIR/plotdata/peers-switch.dat'; out='DIR/peers-switch.png'" plots/peers_switch.gp
#
# in: a header line, then rows "model/variant median_ns min_ns max_ns
#     family" with family 1 for libyl, 2 for a language peer, 4 for the
#     kernel (threads, processes): the colour of the bar.
width = 1100; height = 560
# Finds style.gp next to this script, wherever gnuplot was started from.
if (!exists("dir")) { dir = ""; s = ARG0; i = strstrt(s, "/"); while (i > 0) { dir = dir . s[1:i]; s = s[i+1:]; i = strstrt(s, "/") } }
load dir . "style.gp"
set output out
set datafile missing "?"
set style fill solid 0.85 border -1
set boxwidth 0.7
set logscale y 10
set yrange [1e-9:*]
set format y "%.0s %cs"
set ylabel "time per switch, one core (median; bars: min to max)"
set xtics rotate by -30 noenhanced
set xrange [-0.6:*]
set key top left
set title "One switch on one core, every runtime of this run (log scale)" font ",12"
plot in using 0:($2*1e-9):(0.7):5:xtic(1) with boxes lc variable notitle, \
     '' using 0:($2*1e-9):($3*1e-9):($4*1e-9) with yerrorbars lc rgb "#333333" pt -1 notitle, \
     '' using 0:($2*1e-9):($2 >= 1000 ? sprintf("%.3g µs", $2 / 1000) : sprintf("%.3g ns", $2)) with labels offset 0, 0.9 font ",8" notitle, \
     NaN with boxes lt 1 title "libyl (tasks)", NaN with boxes lt 2 title "language runtimes", \
     NaN with boxes lt 4 title "kernel (threads, processes)"
