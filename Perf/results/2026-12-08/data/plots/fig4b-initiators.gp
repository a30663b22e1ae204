set terminal pngcairo size 1000,560 font 'DejaVu Sans,11'
set output '/work/wt-evaluate/Perf/results/2026-12-08/fig4b-initiators.png'
set grid ytics lc rgb '#dddddd'
set border 3
set tics nomirror
set title 'N initiators starting base exchanges with one Responder at once'
set xlabel 'initiator hosts'
set ylabel 'I1 → R2 latency, ms (mean ± std dev)'
set y2label 'completed, %'
set y2range [0:130]
set y2tics 0,20,100
set yrange [0:*]
set key top left
set xrange [10:110]
set arrow from graph 0, first 5 to graph 1, first 5 nohead dt 2 lc rgb '#aa3377'
set label 'target: median < 5 ms at 100' at graph 0.01, first 5 offset 0,0.6 tc rgb '#aa3377'
set xtics (20, 40, 60, 80, 100)
plot 'ini.dat' using 1:2:3 with yerrorlines lw 2 pt 7 lc rgb '#4477aa' title 'latency', '' using 1:4 axes x1y2 with linespoints dt 3 pt 5 lc rgb '#228833' title 'completed'
