set terminal pngcairo size 1000,560 font 'DejaVu Sans,11'
set output '/work/wt-evaluate/Perf/results/2026-12-08/throughput.png'
set grid ytics lc rgb '#dddddd'
set border 3
set tics nomirror
set title 'iperf3 TCP throughput received (median; bars: min–max over rounds)'
set ylabel 'Mbit/s'
set logscale y
set style fill solid 0.7 border -1
set boxwidth 0.35
set key top right
set xrange [-0.6:*]
plot 'tput.dat' using ($1-0.18):3:xtic(2) with boxes lc rgb '#4477aa' title '1 stream', '' using ($1-0.18):3:4:5 with yerrorbars lc rgb 'black' pt -1 notitle, '' using ($1+0.18):6 with boxes lc rgb '#ccbb44' title '4 streams', '' using ($1+0.18):6:7:8 with yerrorbars lc rgb 'black' pt -1 notitle
