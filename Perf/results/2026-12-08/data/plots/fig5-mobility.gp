set terminal pngcairo size 1000,560 font 'DejaVu Sans,11'
set output '/work/wt-evaluate/Perf/results/2026-12-08/fig5-mobility.png'
set grid ytics lc rgb '#dddddd'
set border 3
set tics nomirror
set terminal pngcairo size 1000,900 font 'DejaVu Sans,11'
set output '/work/wt-evaluate/Perf/results/2026-12-08/fig5-mobility.png'
set multiplot
set ylabel 'Mbit/s'
set yrange [0:*]
set xrange [0:21.0]
unset arrow
set arrow from 5.005, graph 0 to 5.005, graph 1 nohead dt 2 lc rgb '#aa3377'
set arrow from 10.007, graph 0 to 10.007, graph 1 nohead dt 2 lc rgb '#aa3377'
set arrow from 15.011, graph 0 to 15.011, graph 1 nohead dt 2 lc rgb '#aa3377'
set origin 0,0.6666666666666667
set size 1,0.3333333333333333
set title 'synaptic: received throughput while the sender changes address (dashed lines)'
unset xlabel
plot 'mob-synaptic.dat' using 1:($2) with lines lw 1.5 lc rgb '#4477aa' notitle
unset arrow
set arrow from 5.010, graph 0 to 5.010, graph 1 nohead dt 2 lc rgb '#aa3377'
set arrow from 10.006, graph 0 to 10.006, graph 1 nohead dt 2 lc rgb '#aa3377'
set arrow from 15.005, graph 0 to 15.005, graph 1 nohead dt 2 lc rgb '#aa3377'
set origin 0,0.33333333333333337
set size 1,0.3333333333333333
set title 'wireguard-go: received throughput while the sender changes address (dashed lines)'
unset xlabel
plot 'mob-wireguard-go.dat' using 1:($2) with lines lw 1.5 lc rgb '#4477aa' notitle
unset arrow
set arrow from 5.008, graph 0 to 5.008, graph 1 nohead dt 2 lc rgb '#aa3377'
set arrow from 10.005, graph 0 to 10.005, graph 1 nohead dt 2 lc rgb '#aa3377'
set arrow from 15.005, graph 0 to 15.005, graph 1 nohead dt 2 lc rgb '#aa3377'
set origin 0,0.0
set size 1,0.3333333333333333
set title 'direct: received throughput while the sender changes address (dashed lines)'
set xlabel 'seconds'
plot 'mob-direct.dat' using 1:($2) with lines lw 1.5 lc rgb '#4477aa' notitle
unset multiplot
