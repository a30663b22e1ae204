set terminal pngcairo size 1000,560 font 'DejaVu Sans,11'
set output '/work/wt-evaluate/Perf/results/2026-12-08/fig4c-tcp-rr.png'
set grid ytics lc rgb '#dddddd'
set border 3
set tics nomirror
set title 'TCP\_RR, 1024-byte request and response (median; bars: min–max over rounds)'
set ylabel 'transactions per second'
set style fill solid 0.6 border -1
set boxwidth 0.6
set yrange [0:*]
set xrange [-0.6:*]
plot 'rr.dat' using 1:3:xtic(2) with boxes lc rgb '#4477aa' notitle, '' using 1:3:4:5 with yerrorbars lc rgb 'black' pt -1 notitle, '' using 1:3:(sprintf('%.0f', $3)) with labels offset 0,1.2 notitle
