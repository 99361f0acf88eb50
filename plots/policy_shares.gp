# policy_shares.gp - proportional share over time: each job's share of the
# CPU so far, against its tickets' share (dashed).
#
#   gnuplot -e "in='DIR/plotdata/shares-stride.dat'; out='DIR/shares-stride.png'; \
#               ttl='stride'" plots/policy_shares.gp
#
# in: three blocks (jobs j0, j1, j2, tickets 100, 200, 300), rows "ms pct".
width = 1000; height = 480
if (!exists("dir")) { dir = ""; s = ARG0; i = strstrt(s, "/"); while (i > 0) { dir = dir . s[1:i]; s = s[i+1:]; i = strstrt(s, "/") } }
load dir . "style.gp"
set output out
set xlabel "time since the first run (ms)"
set ylabel "share of the CPU so far (%)"
set yrange [0:100]
set key outside right top
set title ttl font ",12"
plot in index 0 using 1:2 with lines lw 2 lt 1 title "j0 (100 tickets)", \
     '' index 1 using 1:2 with lines lw 2 lt 2 title "j1 (200)", \
     '' index 2 using 1:2 with lines lw 2 lt 4 title "j2 (300)", \
     100.0/6 with lines dt 2 lt 1 notitle, 200.0/6 with lines dt 2 lt 2 notitle, \
     300.0/6 with lines dt 2 lt 4 notitle
