set terminal svg size 640,400 enhanced font 'sans,10' background '#ffffff'
set termoption noenhanced
set output 'out.svg'
set encoding utf8
set title 'T'
set xlabel 'x'
set ylabel 'y'
set key top right
set grid
set autoscale x
set autoscale y
unset logscale
set style fill solid 0.5 border
$d0 << EOD
0 0
1 1

EOD
$d1 << EOD
0.5 2.25
EOD
plot $d0 using 1:2 with lines lw 2 title 'it''s', \
     $d1 using 1:2 with points pt 7 ps 0.6 notitle
unset output
