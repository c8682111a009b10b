#!/bin/bash
# bench/gateway/run.sh: the gateway benchmark of issue 6, start to end.
#
# Builds what it needs (meshid-identity, meshid-gateway, the echo upstream,
# gateway_bench) in BUILD_DIR with -j2, then runs gateway_bench, which
# starts meshid-identity, the echo upstream, meshid-gateway and nginx on
# loopback in a temp dir and measures the same unary call directly, through
# the gateway and through nginx, interleaved, and prints the tables and the
# ratios against the targets.
#
#   bench/gateway/run.sh                       # defaults below
#   BUILD_DIR=build-bench bench/gateway/run.sh --rounds=5 --seconds=5
#   bench/gateway/run.sh --channels=1          # one client connection
#
# Extra arguments go to gateway_bench (--help lists them). Exit status is
# gateway_bench's: 0 all targets met, 1 a target missed, 2 the run failed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD_DIR="${BUILD_DIR:-${ROOT}/build-bench}"
case "${BUILD_DIR}" in /*) ;; *) BUILD_DIR="${ROOT}/${BUILD_DIR}" ;; esac

if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
  echo "run.sh: nginx not found (Debian package nginx-core)" >&2
  exit 2
fi

if [ ! -f "${BUILD_DIR}/build.ninja" ]; then
  cmake -S "${ROOT}" -B "${BUILD_DIR}" -G Ninja -DCMAKE_BUILD_TYPE=Release
fi
cmake --build "${BUILD_DIR}" -j2 --target \
  gateway_bench meshid-gateway meshid-identity gateway_echo_upstream

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
exec "${BUILD_DIR}/bench/gateway/gateway_bench" \
  --rounds=3 --seconds=3 --warmup_seconds=1 --concurrency=32 --channels=4 \
  --latency_concurrency=1 --latency_seconds=2 "$@"
