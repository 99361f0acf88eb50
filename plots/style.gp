# style.gp - what every figure of the report shares: the PNG terminal and
# one colour per series (series i uses linetype i, in every plot).
set terminal pngcairo size width, height enhanced font "sans,10" linewidth 1.2
set encoding utf8
set micro
set linetype 1 lc rgb "#1b6ca8" pt 7
set linetype 2 lc rgb "#e07b00" pt 5
set linetype 3 lc rgb "#2a9d3a" pt 9
set linetype 4 lc rgb "#c0392b" pt 11
set linetype 5 lc rgb "#7d4cb0" pt 13
set linetype 6 lc rgb "#8c564b" pt 15
set linetype 7 lc rgb "#d35fb7" pt 4
set linetype 8 lc rgb "#5f6b6d" pt 6
set linetype cycle 8
set border 3
set tics nomirror
set grid back lc rgb "#dddddd"
set key noenhanced
