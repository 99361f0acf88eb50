# memory.gp - memory per unit against the number of units N, log-log, user
# side and kernel side next to each other, one line per model/variant.
#
#   gnuplot -e "in='DIR/plotdata/memory.dat'; out='DIR/memory.png'; \
#               titles='tasks/stackless threads/default ...'" plots/memory.gp
#
# in: one block per series (blocks apart by two blank lines), rows
#     "N user_bytes_per_unit kernel_bytes_per_unit"; '?' when unknown or
#     not positive (a log axis has no place for it).
# titles: the series names, in block order.
width = 1200; height = 520
# Finds style.gp next to this script, wherever gnuplot was started from.
if (!exists("dir")) { dir = ""; s = ARG0; i = strstrt(s, "/"); while (i > 0) { dir = dir . s[1:i]; s = s[i+1:]; i = strstrt(s, "/") } }
load dir . "style.gp"
set output out
set datafile missing "?"
set logscale xy 10
set format x "10^{%L}"
set format y "%.0s %cB"
set xlabel "N: units alive at the same time"
set ylabel "bytes per unit (delta / N)"
set key bottom left
set multiplot layout 1, 2 title "What one unit costs in memory, measured at N units" font ",12"
set title "user side: resident memory (RSS) growth / N"
# Past 8 series the colours repeat: those lines are dashed.
plot for [i=1:(words(titles) < 8 ? words(titles) : 8)] in index (i-1) using 1:2 with linespoints lt i lw 2 ps 1 title word(titles, i), \
     for [i=9:words(titles)] in index (i-1) using 1:2 with linespoints lt i lw 2 ps 1 dt 2 title word(titles, i)
set title "kernel side: KernelStack + PageTables + SUnreclaim growth / N"
plot for [i=1:(words(titles) < 8 ? words(titles) : 8)] in index (i-1) using 1:3 with linespoints lt i lw 2 ps 1 title word(titles, i), \
     for [i=9:words(titles)] in index (i-1) using 1:3 with linespoints lt i lw 2 ps 1 dt 2 title word(titles, i)
unset multiplot
