#!/usr/bin/env bash
# Turns the recorded benchmark numbers in bench/plots/data/*.dat into the SVG
# plots of BENCHMARKS.md ("Plots"), with Debian's gnuplot-nox (listed in
# deploy/packages.txt).
#
#   bench/plots/plot.sh [OUT_DIR]     # default: bench/plots
#
# The .dat files are plain whitespace-separated columns with '#' comments
# naming the source run and command; add a run by editing them (numbers come
# from the benchmark output, see BENCHMARKS.md) and re-run this script.
# SVG keeps the committed files small and reviewable as text.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# gnuplot runs in the data folder and reads the files by their bare names:
# a plot without a title is named after its file, which must not bring the
# checkout's path into the SVG (the committed plots are compared byte for
# byte by tests/deploy/bench_plots_test.sh).
data="."
out="${1:-${here}}"
mkdir -p "${out}"
out="$(cd "${out}" && pwd)"
command -v gnuplot >/dev/null || {
  echo "error: gnuplot not found (apt-get install -y gnuplot-nox)" >&2
  exit 1
}

common='
set terminal svg size 860,440 dynamic noenhanced font "Helvetica,12" background rgb "white"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics lc rgb "#dddddd"
set key outside right top vertical
set datafile missing "-"
set yrange [0:*]
'

plot() {
  local name="$1" script="$2"
  printf '%s\nset output "%s"\n%s\n' "${common}" "${out}/${name}.svg" "${script}" |
    (cd "${here}/data" && gnuplot)
  echo "wrote ${out}/${name}.svg"
}

plot log_append "
set title 'meshid-log Append: 8 clients x 100 entries per call'
set ylabel 'entries/s (10 s windows)'
set xlabel 'measurement window'
set arrow from graph 0, first 50000 to graph 1, first 50000 nohead dt 2 lw 2 lc rgb '#990000' front
set label 'target 50,000/s (PostgreSQL)' at graph 0.02, first 52500 tc rgb '#990000' front
plot '${data}/log_append.dat' using 3:xtic(1) title 'PostgreSQL' lc rgb '#336699', \
     '' using 2 title 'SQLite' lc rgb '#cc6633'
"

plot log_query "
set title 'meshid-log Query: first page of 100 on 1,000,000 entries'
set ylabel 'ms (log scale)'
set logscale y
set yrange [0.5:100]
set arrow from graph 0, first 20 to graph 1, first 20 nohead dt 2 lw 2 lc rgb '#990000' front
set label 'target 20 ms' at graph 0.02, first 23 tc rgb '#990000' front
plot '${data}/log_query.dat' using 2:xtic(1) title 'PostgreSQL p50' lc rgb '#336699', \
     '' using 3 title 'PostgreSQL p99' lc rgb '#99bbdd', \
     '' using 4 title 'SQLite p50' lc rgb '#cc6633', \
     '' using 5 title 'SQLite p99' lc rgb '#eebb99'
"

plot gateway_throughput "
set title 'Unary calls/s on loopback (loaded machine, load 4-7)'
set ylabel 'calls/s'
set key off
set style histogram clustered gap 2
plot '${data}/gateway_throughput.dat' using 2:xtic(1) title 'calls/s' lc rgb '#336699'
"

plot jwt_verify "
set title 'HS256 verification: meshid vs the HMAC floor vs libjwt'
set ylabel 'CPU ns per token (median)'
set xlabel 'run (BENCHMARKS.md, Token core)'
plot '${data}/jwt_verify.dat' using 5:xtic(1) title 'libjwt 1.10.2' lc rgb '#999999', \
     '' using 3 title 'meshid VerifyToken' lc rgb '#99bbdd', \
     '' using 2 title 'meshid VerifyTokenInto' lc rgb '#336699', \
     '' using 4 title 'floor: HMAC-SHA256 verify' lc rgb '#cc6633'
"
