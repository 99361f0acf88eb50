# workers.gp - one run of the imbalance experiment per panel row group: one
# row per worker, one box per job from its start to its end, heavy jobs in
# one colour and light ones in another. The unlucky worker is the row that
# goes on long after the others have stopped.
#
#   gnuplot -e "in='DIR/plotdata/imbalance-workers.dat'; out='DIR/imbalance-workers.png'; \
#               rows='sharded/w0 sharded/w1 stealing/w0 stealing/w1'" plots/workers.gp
#
# in: rows "row start_ms end_ms heavy" (row: index into rows; heavy: 0 or 1;
#     times from the first job start of that row's run).
# rows: the row names, top to bottom.
nrows = words(rows)
width = 1000; height = 160 + 45 * nrows
# Finds style.gp next to this script, wherever gnuplot was started from.
if (!exists("dir")) { dir = ""; s = ARG0; i = strstrt(s, "/"); while (i > 0) { dir = dir . s[1:i]; s = s[i+1:]; i = strstrt(s, "/") } }
load dir . "style.gp"
set output out
set yrange [nrows - 0.4 : -0.6]
set ytics () scale 0
do for [i=1:nrows] { set ytics add (word(rows, i) i - 1) }
set xrange [0:*]
set xlabel "time since the first job started (ms)"
set grid xtics noytics
set style fill solid 0.85 border lc rgb "#222222"
set key outside right top
set title "Which worker ran which job, and when" font ",12"
plot in using (($2 + $3) / 2):1:(($3 - $2) / 2):(0.32):($4 == 1 ? 4 : 1) with boxxyerror lc variable notitle, \
     NaN with boxes lt 4 title "heavy job", \
     NaN with boxes lt 1 title "light job"
