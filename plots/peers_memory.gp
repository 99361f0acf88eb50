# peers_memory.gp - what one unit costs in memory at N units alive, user
# and kernel side together, for every runtime of the run; log-log.
#
#   gnuplot -e "in='DIR/plotdata/peers-memory.dat'; out='DIR/peers-memory.png'; \
#               titles='tasks/stackless node/promise ...'" plots/peers_memory.gp
#
# in: one block per series (blocks apart by two blank lines), rows
#     "N bytes_per_unit" ('?' when not positive: a log axis has no place
#     for it). titles: the series names, in block order.
width = 1100; height = 600
# Finds style.gp next to this script, wherever gnuplot was started from.
if (!exists("dir")) { dir = ""; s = ARG0; i = strstrt(s, "/"); while (i > 0) { dir = dir . s[1:i]; s = s[i+1:]; i = strstrt(s, "/") } }
load dir . "style.gp"
set output out
set datafile missing "?"
set logscale xy 10
set format x "10^{%L}"
set format y "%.0s %cB"
set xlabel "N: units alive at the same time"
set ylabel "bytes per unit, user + kernel side (growth / N)"
set key outside right top
set title "What one unit costs at N units alive, every runtime of this run" font ",12"
# Past 8 series the colours repeat: those lines are dashed, and the point
# shapes still tell them apart.
n = words(titles)
plot for [i=1:(n < 8 ? n : 8)] in index (i-1) using 1:2 with linespoints lt i lw 2 ps 1 \
     pt i title word(titles, i), \
     for [i=9:n] in index (i-1) using 1:2 with linespoints lt i lw 2 ps 1 \
     pt i dt 2 title word(titles, i)
