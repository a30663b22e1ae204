set terminal pngcairo size 1000,560 font 'DejaVu Sans,11'
set output '/work/wt-evaluate/Perf/results/2026-12-08/cpu-per-gb.png'
set grid ytics lc rgb '#dddddd'
set border 3
set tics nomirror
set title 'CPU time of the tunnel processes (both sides) per GB received (median; bars: min–max)'
set ylabel 'CPU-seconds per GB'
set style fill solid 0.7 border -1
set boxwidth 0.35
set yrange [0:*]
set key top left
set xrange [-0.6:*]
set arrow from graph 0, first 3 to graph 1, first 3 nohead dt 2 lc rgb '#aa3377'
set label 'target for synaptic: 3' at graph 0.01, first 3 offset 0,0.6 tc rgb '#aa3377'
plot 'cpu.dat' using ($1-0.18):3:xtic(2) with boxes lc rgb '#4477aa' title '1 stream', '' using ($1-0.18):3:4:5 with yerrorbars lc rgb 'black' pt -1 notitle, '' using ($1+0.18):6 with boxes lc rgb '#ccbb44' title '4 streams', '' using ($1+0.18):6:7:8 with yerrorbars lc rgb 'black' pt -1 notitle
