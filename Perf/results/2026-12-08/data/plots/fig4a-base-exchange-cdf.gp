set terminal pngcairo size 1000,560 font 'DejaVu Sans,11'
set output '/work/wt-evaluate/Perf/results/2026-12-08/fig4a-base-exchange-cdf.png'
set grid ytics lc rgb '#dddddd'
set border 3
set tics nomirror
set title 'Base exchange latency and first-packet round trip on a fresh path (CDF)'
set xlabel 'ms'
set ylabel 'fraction of exchanges'
set yrange [0:1.02]
set logscale x
set key bottom right
set arrow from 1, graph 0 to 1, graph 1 nohead dt 2 lc rgb '#aa3377'
set label 'target median 1 ms' at 1, graph 0.95 offset 0.5,0 tc rgb '#aa3377'
plot 'cdf-syn.dat' using 1:2 with steps lw 2 lc rgb '#4477aa' title 'synaptic I1 → R2 (n=100)', 'cdf-synping.dat' using 1:2 with steps lw 2 lc rgb '#66ccee' title 'synaptic first ping (n=100)', 'cdf-wg.dat' using 1:2 with steps lw 2 lc rgb '#228833' title 'wireguard-go first ping (n=100)', 'cdf-direct.dat' using 1:2 with steps lw 2 lc rgb '#bbbbbb' title 'direct first ping (ARP) (n=100)'
