#!/usr/bin/env bash
# README command 1: installs what is missing, builds, and starts
# meshid-identity on the embedded SQLite store with a demo. Run it again and it
# reuses the data (and the running server) instead of failing.
#
#   deploy/local/up.sh            # data in ./.meshid (or $MESHID_DATA_DIR)
#   deploy/local/down.sh          # stops it
#
# Knobs: MESHID_DATA_DIR, MESHID_BUILD_DIR (default build), MESHID_SKIP_INSTALL=1,
# MESHID_IDENTITY_PORT (50051), MESHID_KEYADMIN_PORT (50052),
# MESHID_HTTP_PORT (9101).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "${root}"
data="${MESHID_DATA_DIR:-${root}/.meshid}"
build="${MESHID_BUILD_DIR:-build}"
identity_port="${MESHID_IDENTITY_PORT:-50051}"
keyadmin_port="${MESHID_KEYADMIN_PORT:-50052}"
http_port="${MESHID_HTTP_PORT:-9101}"
step() { printf '\n==> %s\n' "$*"; }

if [[ "${MESHID_SKIP_INSTALL:-0}" != "1" ]]; then
  step "installing missing packages"
  # shellcheck source=deploy/lib/install_packages.sh
  source deploy/lib/install_packages.sh
  meshid_install_packages
fi

step "building (${build})"
cmake -S . -B "${build}" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DMESHID_BUILD_TESTS=OFF -DMESHID_BUILD_BENCH=OFF >/dev/null
ninja -C "${build}" -j"$(nproc)" meshid-identity meshctl
identity_bin="${root}/${build}/identity/meshid-identity"
meshctl="${root}/${build}/tools/meshctl/meshctl"

mkdir -p "${data}"
chmod 700 "${data}"
admin_secret_file="${data}/admin.secret"
if [[ ! -s "${admin_secret_file}" ]]; then
  step "generating the bootstrap admin secret (${admin_secret_file}, mode 0600)"
  (umask 077 && head -c 32 /dev/urandom | base64 -w0 | tr '+/' '-_' |
    tr -d '=' >"${admin_secret_file}")
fi

pid_file="${data}/meshid-identity.pid"
if [[ -s "${pid_file}" ]] && kill -0 "$(cat "${pid_file}")" 2>/dev/null; then
  step "meshid-identity already running (pid $(cat "${pid_file}")); reusing it"
else
  step "starting meshid-identity on SQLite (${data}/meshid.db)"
  # Local demo defaults: keys activate at once so the demo needs no waiting;
  # production keeps the 2 s publication delay.
  nohup "${identity_bin}" \
    --store="sqlite://${data}/meshid.db" \
    --bootstrap_admin_secret_file="${admin_secret_file}" \
    --issuer="https://meshid.local" \
    --identity_address="127.0.0.1:${identity_port}" \
    --keyadmin_address="127.0.0.1:${keyadmin_port}" \
    --http_address="127.0.0.1:${http_port}" \
    --activation_delay=0s \
    >>"${data}/meshid-identity.log" 2>&1 &
  echo $! >"${pid_file}"
  # Wait for readiness (JWKS served means views loaded and servers up).
  for _ in $(seq 1 100); do
    if curl -fsS "http://127.0.0.1:${http_port}/healthz" >/dev/null 2>&1; then
      break
    fi
    if ! kill -0 "$(cat "${pid_file}")" 2>/dev/null; then
      echo "meshid-identity exited; last log lines:" >&2
      tail -n 20 "${data}/meshid-identity.log" >&2
      exit 1
    fi
    sleep 0.1
  done
fi

export MESHID_IDENTITY_ADDR="127.0.0.1:${identity_port}"
export MESHID_KEYADMIN_ADDR="127.0.0.1:${keyadmin_port}"
export MESHID_CLIENT_SECRET
MESHID_CLIENT_SECRET="$(cat "${admin_secret_file}")"
admin_token="$("${meshctl}" token issue --client-id meshid-admin \
  --audience meshid-keyadmin)"
export MESHID_TOKEN="${admin_token}"

demo_secret_file="${data}/careergpt-backend.secret"
if [[ ! -s "${demo_secret_file}" ]]; then
  step "creating the demo client careergpt-backend (audience logging-service)"
  "${meshctl}" clients create --id careergpt-backend \
    --name "CareerGPT backend (demo)" \
    --audience "logging-service=logs:write,logs:read" --json |
    /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["client_secret"])' \
      >"${demo_secret_file}.tmp"
  chmod 600 "${demo_secret_file}.tmp"
  mv "${demo_secret_file}.tmp" "${demo_secret_file}"
fi

step "issuing a token: careergpt-backend -> logging-service"
MESHID_CLIENT_SECRET="$(cat "${demo_secret_file}")"
token="$("${meshctl}" token issue --client-id careergpt-backend \
  --audience logging-service)"
echo "${token}" | "${meshctl}" token decode

step "keys now"
"${meshctl}" keys list

cat <<EOF2

meshid is running (pid $(cat "${pid_file}")), data in ${data}
  Identity  (token plane)  127.0.0.1:${identity_port}
  KeyAdmin  (admin plane)  127.0.0.1:${keyadmin_port}
  HTTP      /metrics /healthz /.well-known/jwks.json  http://127.0.0.1:${http_port}
  log       ${data}/meshid-identity.log

Try next:
  export MESHID_IDENTITY_ADDR=127.0.0.1:${identity_port} MESHID_KEYADMIN_ADDR=127.0.0.1:${keyadmin_port}
  export MESHID_CLIENT_SECRET="\$(cat ${admin_secret_file})"
  export MESHID_TOKEN="\$(${meshctl} token issue --client-id meshid-admin --audience meshid-keyadmin)"
  ${meshctl} clients list
  ${meshctl} keys rotate --client careergpt-backend --audience logging-service
  ${meshctl} audit list
  curl -s http://127.0.0.1:${http_port}/.well-known/jwks.json
  grpcurl -plaintext 127.0.0.1:${identity_port} list
Stop it with: deploy/local/down.sh
EOF2
