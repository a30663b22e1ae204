set terminal pngcairo size 1000,560 font 'DejaVu Sans,11'
set output '/work/wt-evaluate/Perf/results/2026-12-08/rtt-percentiles.png'
set grid ytics lc rgb '#dddddd'
set border 3
set tics nomirror
set title 'Round trip, sockperf ping-pong over TCP, 1024 bytes (medians over rounds)'
set ylabel 'µs'
set logscale y
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.7 border -1
set key top left
plot 'rtt.dat' using 3:xtic(2) title 'p50' lc rgb '#4477aa', '' using 4 title 'p90' lc rgb '#66ccee', '' using 5 title 'p99' lc rgb '#ee6677'
