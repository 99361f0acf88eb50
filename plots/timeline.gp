# timeline.gp - one run of foo: one row per task, one box per unit (the
# code between two yield points), coloured by the worker (or thread, or
# process) that ran it; the dashed line is the task waiting.
#
#   gnuplot -e "in='DIR/plotdata/timeline-tasks.dat'; out='DIR/timeline-tasks.png'; \
#               model='tasks'; tasks='main foo1 foo2'; workers='0'; wname='worker'; \
#               minw=0.6" plots/timeline.gp
#
# in: block 0 rows "row start_ms end_ms worker label", block 1 rows
#     "row first_start_ms last_end_ms" (one per task).
# minw: smallest half-width drawn, in ms: units last microseconds and
#     would be invisible at the scale of the sleeps.
# labels: 0 leaves the A, B, C... off the boxes (for traces of hundreds of
#     units); optional, default 1. ttl: replaces the default title.
ntasks = words(tasks)
width = 1000; height = 150 + 55 * ntasks
# Finds style.gp next to this script, wherever gnuplot was started from.
if (!exists("dir")) { dir = ""; s = ARG0; i = strstrt(s, "/"); while (i > 0) { dir = dir . s[1:i]; s = s[i+1:]; i = strstrt(s, "/") } }
load dir . "style.gp"
set output out
set yrange [ntasks - 0.3 : -0.7]
set xrange [-3 * minw : *]
set ytics () scale 0
do for [i=1:ntasks] { set ytics add (word(tasks, i) i - 1) }
set xlabel "time since the first unit (ms)"
set grid xtics noytics
set style fill solid 0.9 border lc rgb "#222222"
set key outside right top
if (!exists("labels")) labels = 1
if (!exists("ttl")) ttl = sprintf("foo as %s: who ran which unit, when", model)
set title ttl font ",12" noenhanced
half(a, b) = (b - a) / 2 > minw ? (b - a) / 2 : minw
plot in index 1 using 2:1:($3 - $2):(0) with vectors nohead dt 2 lw 1.5 lc rgb "#999999" title "task waiting", \
     in index 0 using (($2 + $3) / 2):1:(half($2, $3)):(0.28):($4 + 1) with boxxyerror lc variable notitle, \
     in index 0 using (($2 + $3) / 2):1:(labels ? stringcolumn(5) : "") with labels offset 0, 1.7 font ",9" notitle, \
     for [i=1:words(workers)] NaN with boxes lt (word(workers, i) + 1) title sprintf("%s %s", wname, word(workers, i))
