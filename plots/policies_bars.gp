# policies_bars.gp - one job list under every policy: average response
# and turnaround measured, and the textbook's turnaround where there is one.
#
#   gnuplot -e "in='DIR/plotdata/policies-convoy.dat'; out='DIR/policies-convoy.png'; \
#               ttl='convoy'" plots/policies_bars.gp
#
# in: a header line, then rows "label response_ms turnaround_ms predicted_ms"
#     ("?" where there is no prediction).
width = 1000; height = 520
if (!exists("dir")) { dir = ""; s = ARG0; i = strstrt(s, "/"); while (i > 0) { dir = dir . s[1:i]; s = s[i+1:]; i = strstrt(s, "/") } }
load dir . "style.gp"
set output out
set datafile missing "?"
set style data histogram
set style histogram clustered gap 1.5
set style fill solid 0.85 border -1
set boxwidth 0.9
set ylabel "ms"
set yrange [0:*]
set xtics noenhanced rotate by -30
set key outside right top
set title ttl font ",12"
plot in using 2:xtic(1) title "avg response" lt 1, \
     '' using 3 title "avg turnaround" lt 2, \
     '' using 4 title "predicted turnaround" lt 4
