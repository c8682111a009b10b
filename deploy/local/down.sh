#!/usr/bin/env bash
# Stops what deploy/local/up.sh started (SIGTERM: a graceful drain). The data
# folder stays; up.sh reuses it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
data="${MESHID_DATA_DIR:-${root}/.meshid}"
pid_file="${data}/meshid-identity.pid"
if [[ -s "${pid_file}" ]] && kill -0 "$(cat "${pid_file}")" 2>/dev/null; then
  pid="$(cat "${pid_file}")"
  kill -TERM "${pid}"
  for _ in $(seq 1 150); do
    kill -0 "${pid}" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "${pid}" 2>/dev/null; then
    echo "meshid-identity (pid ${pid}) did not stop in 15 s; sending SIGKILL" >&2
    kill -KILL "${pid}"
  fi
  echo "meshid-identity stopped"
else
  echo "meshid-identity is not running"
fi
rm -f "${pid_file}"
