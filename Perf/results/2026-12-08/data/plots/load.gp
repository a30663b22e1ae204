set terminal pngcairo size 1000,560 font 'DejaVu Sans,11'
set output '/work/wt-evaluate/Perf/results/2026-12-08/load.png'
set grid ytics lc rgb '#dddddd'
set border 3
set tics nomirror
set title 'Machine load during the run'
set xlabel 'seconds since the first sample'
set ylabel '1-minute load average'
set y2label 'compiler processes'
set y2tics
set yrange [0:*]
set y2range [0:*]
plot 'load.dat' using 1:2 with linespoints pt 7 ps 0.5 lc rgb '#4477aa' title 'load', '' using 1:3 axes x1y2 with steps lc rgb '#ee6677' title 'compilers'
