#!/usr/bin/env bash
# Stops what deploy/local/up.sh started: meshid-gateway, meshid-log, then
# meshid-identity (callers first, so none sees its upstream go away). Each
# gets SIGTERM (a graceful drain) and, if it is still running after
# MESHID_STOP_TIMEOUT seconds (default 15), SIGKILL. The data folder stays;
# up.sh reuses it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
data="${MESHID_DATA_DIR:-${root}/.meshid}"
timeout="${MESHID_STOP_TIMEOUT:-15}"

stop() {
  local name="$1" pid_file="${data}/$1.pid" pid
  if [[ ! -s "${pid_file}" ]]; then
    echo "${name} is not running"
    return 0
  fi
  pid="$(cat "${pid_file}")"
  # Only a live process running that binary: a stale pid may belong to
  # another program by now.
  if ! kill -0 "${pid}" 2>/dev/null ||
    [[ "$(basename "$(readlink -f "/proc/${pid}/exe" 2>/dev/null)")" != "${name}" ]]; then
    echo "${name} is not running (stale pid file)"
    rm -f "${pid_file}"
    return 0
  fi
  kill -TERM "${pid}"
  local _
  for _ in $(seq 1 $((timeout * 10))); do
    kill -0 "${pid}" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "${pid}" 2>/dev/null; then
    echo "${name} (pid ${pid}) did not stop in ${timeout} s; sending SIGKILL" >&2
    kill -KILL "${pid}" 2>/dev/null || true
  fi
  rm -f "${pid_file}"
  echo "${name} stopped (pid ${pid})"
}

for name in meshid-gateway meshid-log meshid-identity; do
  stop "${name}"
done
