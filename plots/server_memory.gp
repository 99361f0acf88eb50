# server_memory.gp - memory per idle keep-alive connection, user side and
# kernel side, one pair of bars per model/variant (log y).
#
#   gnuplot -e "in='DIR/plotdata/server-memory.dat'; out='DIR/server-memory.png'" plots/server_memory.gp
#
# in: a header line, then rows "model/variant user_B kernel_B own_kernel_B"
#     (the slopes over C; own: minus the socket pair); '?' when unknown or
#     not positive.
width = 1000; height = 520
if (!exists("dir")) { dir = ""; s = ARG0; i = strstrt(s, "/"); while (i > 0) { dir = dir . s[1:i]; s = s[i+1:]; i = strstrt(s, "/") } }
load dir . "style.gp"
set output out
set datafile missing "?"
set style data histogram
set style histogram clustered gap 1.5
set style fill solid 0.85 border -1
set boxwidth 0.9
set logscale y 10
set yrange [100:*]
set format y "%.0s %cB"
set ylabel "bytes per idle connection (slope over C)"
set xtics noenhanced
set key top left
set title "What one idle keep-alive connection costs the server" font ",12"
plot in using 2:xtic(1) title "user side (anonymous PSS of the server's processes)" lt 1, \
     in using 3 title "kernel side (KernelStack + PageTables + SUnreclaim, both socket ends)" lt 2, \
     in using 4 title "kernel side, own (minus the socket pair)" lt 3
