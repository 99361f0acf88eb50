# soak.gp - make soak's figure: RSS and open fds of each server over the
# run, from dir/soak-MODEL-VARIANT.csv (t_s,rss_kib,fds,threads).
# gnuplot -e "dir='results/soak'" bench/soak/soak.gp
files = system("ls " . dir . "/soak-*.csv")
set terminal pngcairo size 1100,800 font ",10"
set output dir . "/soak.png"
set datafile separator ","
set key outside right
set multiplot layout 3,1 title "yl-soak: the server under wrk and bad clients"
set ylabel "RSS (MiB)"
plot for [f in files] f skip 1 using 1:($2/1024) with lines title system("basename " . f . " .csv | sed 's/^soak-//'")
set ylabel "open fds"
plot for [f in files] f skip 1 using 1:3 with lines title system("basename " . f . " .csv | sed 's/^soak-//'")
set ylabel "threads"
set xlabel "seconds"
plot for [f in files] f skip 1 using 1:4 with lines title system("basename " . f . " .csv | sed 's/^soak-//'")
unset multiplot
