# yieldparts.gp - where one yl_yield's time goes: one stacked bar per run
# of `yieldparts` (switch out, the scheduler's bookkeeping, the run queue,
# the look at timers and fds, switch in), next to the bare switch.
#
#   gnuplot -e "in='DIR/plotdata/yieldparts.dat'; out='DIR/yieldparts.png'" plots/yieldparts.gp
#
# in: a header line, then rows "label switch_out loop queue check switch_in"
#     (ns per yield, medians; '?' when not measured).
width = 900; height = 480
# Finds style.gp next to this script, wherever gnuplot was started from.
if (!exists("dir")) { dir = ""; s = ARG0; i = strstrt(s, "/"); while (i > 0) { dir = dir . s[1:i]; s = s[i+1:]; i = strstrt(s, "/") } }
load dir . "style.gp"
set output out
set datafile missing "?"
set style data histogram
set style histogram rowstacked
set style fill solid 0.85 border -1
set boxwidth 0.5
set yrange [0:*]
set ylabel "ns per yield (median; stamps' own cost taken off)"
set xtics noenhanced
set key outside right top
set title "One yield through the scheduler, part by part" font ",12"
plot in using 2:xtic(1) title "switch out" lt 1, \
     '' using 3 title "scheduler loop" lt 2, \
     '' using 4 title "run queue" lt 3, \
     '' using 5 title "timer/fd check" lt 4, \
     '' using 6 title "switch in" lt 5
