#!/usr/bin/env bash
# bench/plots/plot.sh renders bench/plots/data/*.dat into exactly the SVG
# files committed in bench/plots/ (the plots of BENCHMARKS.md, "Plots"), and
# every plot BENCHMARKS.md links exists. Exit 77 (skip; a failure under
# CI=true) without gnuplot.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if ! command -v gnuplot >/dev/null; then
  if [[ "${CI:-}" == "true" ]]; then
    echo "FAIL bench_plots: gnuplot not found (gnuplot-nox, deploy/packages.txt)"
    exit 1
  fi
  echo "SKIP bench_plots: gnuplot not found (gnuplot-nox, deploy/packages.txt)"
  exit 77
fi
out="$(mktemp -d)"
trap 'rm -rf "${out}"' EXIT
timeout 50 "${root}/bench/plots/plot.sh" "${out}" >/dev/null
status=0
for svg in "${out}"/*.svg; do
  name="$(basename "${svg}")"
  if ! cmp -s "${svg}" "${root}/bench/plots/${name}"; then
    echo "bench/plots/${name} differs from what plot.sh makes now: run bench/plots/plot.sh"
    status=1
  fi
done
while read -r link; do
  if [[ ! -s "${root}/${link}" ]]; then
    echo "BENCHMARKS.md links ${link}, which does not exist"
    status=1
  fi
done < <(grep -o '](bench/plots/[^)]*)' "${root}/BENCHMARKS.md" | sed 's/^](//; s/)$//')
if ((status == 0)); then echo "PASS bench_plots"; else echo "FAIL bench_plots"; fi
exit "${status}"
