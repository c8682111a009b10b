#!/usr/bin/env bash
# Regenerates the generated references from the binaries: docs/flags.md
# (every flag, variable and default) and docs/metrics.md (every metric).
#
#   tools/docs/regenerate.sh [BUILD_DIR]      # default: $MESHID_BUILD_DIR or build
#
# Builds the four binaries (deploy/local/up.sh's build step), starts the
# local mesh in a temporary folder on free loopback ports (its demo makes
# the servers show most of their series), reads their /metrics, and stops
# it. MESHID_SKIP_BUILD=1 uses the binaries as they are. The tests
# docs.flags_reference and deploy.local_mesh fail until this is re-run
# after a flag or metric changes.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${1:-${MESHID_BUILD_DIR:-build}}"
[[ "${build}" = /* ]] || build="${root}/${build}"
python=/usr/bin/python3

tmp="$(mktemp -d /tmp/meshid-docs.XXXXXX)"
cleanup() {
  MESHID_DATA_DIR="${tmp}/data" "${root}/deploy/local/down.sh" >/dev/null 2>&1 || true
  rm -rf "${tmp}"
}
trap cleanup EXIT

read -r p1 p2 p3 p4 p5 p6 p7 < <("${python}" -c '
import socket
socks = [socket.socket() for _ in range(7)]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))')

echo "==> starting the local mesh in ${tmp} (log: ${tmp}/up.log)"
if ! MESHID_SKIP_INSTALL=1 MESHID_BUILD_DIR="${build}" MESHID_DATA_DIR="${tmp}/data" \
  MESHID_IDENTITY_PORT="${p1}" MESHID_KEYADMIN_PORT="${p2}" MESHID_HTTP_PORT="${p3}" \
  MESHID_LOG_PORT="${p4}" MESHID_LOG_HTTP_PORT="${p5}" \
  MESHID_GATEWAY_PORT="${p6}" MESHID_GATEWAY_HTTP_PORT="${p7}" \
  "${root}/deploy/local/up.sh" >"${tmp}/up.log" 2>&1; then
  tail -n 30 "${tmp}/up.log" >&2
  exit 1
fi

"${python}" "${root}/tools/docs/flags_reference.py" \
  --bin "meshid-identity=${build}/identity/meshid-identity" \
  --bin "meshid-log=${build}/logging/meshid-log" \
  --bin "meshid-gateway=${build}/gateway/meshid-gateway" \
  --bin "meshctl=${build}/tools/meshctl/meshctl" \
  --out "${root}/docs/flags.md"
"${python}" "${root}/tools/docs/metrics_reference.py" \
  --metrics "meshid-identity=http://127.0.0.1:${p3}/metrics" \
  --metrics "meshid-log=http://127.0.0.1:${p5}/metrics" \
  --metrics "meshid-gateway=http://127.0.0.1:${p7}/metrics" \
  --out "${root}/docs/metrics.md"
