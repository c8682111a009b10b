#!/usr/bin/env bash
# README command 1: the whole mesh on one machine. Installs what is missing,
# builds the four binaries, starts meshid-identity (embedded SQLite),
# meshid-log (its own SQLite store) and meshid-gateway (routing to the Log
# server), bootstraps the admin and the demo clients, then shows the story:
#   (a) a token issued, (b) a call through the gateway into the Log server,
#   (c) a key rotated under load with no failed call, (d) a key revoked and
#   its token refused.
# The mesh is left running; deploy/local/down.sh stops it. Run it again and it
# reuses the data folder and the running servers instead of failing.
#
#   deploy/local/up.sh            # data in ./.meshid (or $MESHID_DATA_DIR)
#   deploy/local/down.sh          # stops the three servers
#
# Knobs: MESHID_DATA_DIR, MESHID_BUILD_DIR (default build),
# MESHID_SKIP_INSTALL=1, MESHID_SKIP_BUILD=1 (use the binaries in the build
# folder as they are), MESHID_JOBS (build jobs, default nproc), and the ports:
# MESHID_IDENTITY_PORT (50051), MESHID_KEYADMIN_PORT (50052),
# MESHID_HTTP_PORT (identity HTTP, 9101), MESHID_LOG_PORT (50053),
# MESHID_LOG_HTTP_PORT (9103), MESHID_GATEWAY_PORT (50050),
# MESHID_GATEWAY_HTTP_PORT (9100).
# Nothing secret is printed: secrets stay in mode-0600 files of the data
# folder, and tokens are shown decoded (header and claims) or by kid only.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "${root}"
data="${MESHID_DATA_DIR:-${root}/.meshid}"
build="${MESHID_BUILD_DIR:-build}"
[[ "${build}" = /* ]] || build="${root}/${build}"
identity_port="${MESHID_IDENTITY_PORT:-50051}"
keyadmin_port="${MESHID_KEYADMIN_PORT:-50052}"
http_port="${MESHID_HTTP_PORT:-9101}"
log_port="${MESHID_LOG_PORT:-50053}"
log_http_port="${MESHID_LOG_HTTP_PORT:-9103}"
gateway_port="${MESHID_GATEWAY_PORT:-50050}"
gateway_http_port="${MESHID_GATEWAY_HTTP_PORT:-9100}"
issuer="https://meshid.local"
python=/usr/bin/python3 # Debian's, with python3-grpcio
demo="${python} ${root}/deploy/local/mesh_demo.py --repo ${root}"
step() { printf '\n==> %s\n' "$*"; }
fail() {
  echo "up.sh: $*" >&2
  exit 1
}

if [[ "${MESHID_SKIP_INSTALL:-0}" != "1" ]]; then
  step "installing missing packages"
  # shellcheck source=deploy/lib/install_packages.sh
  source deploy/lib/install_packages.sh
  meshid_install_packages
fi

identity_bin="${build}/identity/meshid-identity"
log_bin="${build}/logging/meshid-log"
gateway_bin="${build}/gateway/meshid-gateway"
meshctl="${build}/tools/meshctl/meshctl"
if [[ "${MESHID_SKIP_BUILD:-0}" != "1" ]]; then
  step "building meshid-identity meshid-log meshid-gateway meshctl (${build})"
  # An existing tree keeps its cache (tests included, if it was configured
  # so); a new one is configured without tests and benchmarks. Ninja then
  # rebuilds only what is out of date.
  if [[ -f "${build}/CMakeCache.txt" ]]; then
    cmake -S . -B "${build}" >/dev/null
  else
    cmake -S . -B "${build}" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DMESHID_BUILD_TESTS=OFF -DMESHID_BUILD_BENCH=OFF >/dev/null
  fi
  cmake --build "${build}" -j"${MESHID_JOBS:-$(nproc)}" \
    --target meshid-identity meshid-log meshid-gateway meshctl
fi
for bin in "${identity_bin}" "${log_bin}" "${gateway_bin}" "${meshctl}"; do
  [[ -x "${bin}" ]] || fail "${bin} is missing (build it, or unset MESHID_SKIP_BUILD)"
done

mkdir -p "${data}"
chmod 700 "${data}"
umask 077

# A random base64url secret file, made once.
make_secret() {
  [[ -s "$1" ]] || head -c 32 /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '=' >"$1"
}

# Whether the pid file names a live process running this binary (a stale
# pid reused by another program does not count).
running() {
  local pid_file="$1" binary="$2" pid
  [[ -s "${pid_file}" ]] || return 1
  pid="$(cat "${pid_file}")"
  kill -0 "${pid}" 2>/dev/null || return 1
  [[ "$(readlink -f "/proc/${pid}/exe" 2>/dev/null)" == "$(readlink -f "${binary}")" ]]
}

# start NAME BINARY HTTP_PORT ARGS...: starts a server in the background
# unless it already runs, then waits (bounded) for its /healthz.
start() {
  local name="$1" binary="$2" port="$3"
  shift 3
  local pid_file="${data}/${name}.pid" log_file="${data}/${name}.log"
  if running "${pid_file}" "${binary}"; then
    echo "    ${name} already running (pid $(cat "${pid_file}")); reusing it"
    return 0
  fi
  # Our own MESHID_* knobs are not the servers' flags: start them clean.
  env -u MESHID_TOKEN -u MESHID_CLIENT_SECRET nohup "${binary}" "$@" \
    >>"${log_file}" 2>&1 </dev/null &
  echo $! >"${pid_file}"
  echo "    ${name} started (pid $!), log ${log_file}"
  local _
  for _ in $(seq 1 300); do
    if curl -fsS "http://127.0.0.1:${port}/healthz" >/dev/null 2>&1; then
      return 0
    fi
    if ! kill -0 "$(cat "${pid_file}")" 2>/dev/null; then
      echo "${name} exited; last log lines:" >&2
      tail -n 20 "${log_file}" >&2
      rm -f "${pid_file}"
      exit 1
    fi
    sleep 0.1
  done
  fail "${name}: http://127.0.0.1:${port}/healthz not answering after 30 s (log ${log_file})"
}

# --- meshid-identity -----------------------------------------------------------
admin_secret_file="${data}/admin.secret"
make_secret "${admin_secret_file}"
step "starting meshid-identity on SQLite (${data}/meshid.db)"
# Local demo: keys activate at once so new clients need no wait; the
# rotation below asks for a 2 s publication delay explicitly, as production
# does by default.
start meshid-identity "${identity_bin}" "${http_port}" \
  --store="sqlite://${data}/meshid.db" \
  --bootstrap_admin_secret_file="${admin_secret_file}" \
  --issuer="${issuer}" \
  --identity_address="127.0.0.1:${identity_port}" \
  --keyadmin_address="127.0.0.1:${keyadmin_port}" \
  --http_address="127.0.0.1:${http_port}" \
  --activation_delay=0s

export MESHID_IDENTITY_ADDR="127.0.0.1:${identity_port}"
export MESHID_KEYADMIN_ADDR="127.0.0.1:${keyadmin_port}"
export MESHID_CLIENT_SECRET
MESHID_CLIENT_SECRET="$(cat "${admin_secret_file}")"
MESHID_TOKEN="$("${meshctl}" token issue --client-id meshid-admin --audience meshid-keyadmin)"
export MESHID_TOKEN
unset MESHID_CLIENT_SECRET

# --- clients -----------------------------------------------------------------
# ensure_client ID NAME AUDIENCE...: creates the client once and keeps its
# secret in ID.secret; a client that exists without its secret file gets a
# new secret; one whose policy lacks an audience gets the policy set.
ensure_client() {
  local id="$1" name="$2"
  shift 2
  local secret_file="${data}/${id}.secret" aud_args=() aud
  for aud in "$@"; do aud_args+=(--audience "${aud}"); done
  local secret_of='import json,sys; d = json.load(sys.stdin); print(d.get("client_secret") or d["clientSecret"])'
  if [[ ! -s "${secret_file}" ]]; then
    local out err_file="${data}/.meshctl.err"
    # stdout is the JSON reply (with the secret); stderr a note or the error.
    if out="$("${meshctl}" clients create --id "${id}" --name "${name}" \
      "${aud_args[@]}" --json 2>"${err_file}")"; then
      echo "    created client ${id} (${*})"
    elif grep -q ALREADY_EXISTS "${err_file}"; then
      out="$("${meshctl}" clients rotate-secret --id "${id}" --json 2>"${err_file}")" ||
        fail "client ${id}: $(cat "${err_file}")"
      echo "    client ${id} exists without ${secret_file##*/}: new secret issued"
    else
      fail "creating client ${id}: $(cat "${err_file}")"
    fi
    rm -f "${err_file}"
    printf '%s' "${out}" | "${python}" -c "${secret_of}" >"${secret_file}.tmp"
    mv "${secret_file}.tmp" "${secret_file}"
  else
    local policy missing
    policy="$("${meshctl}" clients get --id "${id}" --json)"
    missing="$(printf '%s' "${policy}" | "${python}" -c '
import json, sys
d = json.load(sys.stdin)
d = d.get("client", d)  # a GetClient reply, or the client itself
p = d.get("policy", {})
have = set(p.get("allowed_audiences", p.get("allowedAudiences", [])))
print(" ".join(a.split("=")[0] for a in sys.argv[1:] if a.split("=")[0] not in have))
' "$@")"
    if [[ -n "${missing}" ]]; then
      "${meshctl}" clients policy --id "${id}" "${aud_args[@]}" >/dev/null
      echo "    client ${id}: policy updated (added ${missing})"
    else
      echo "    client ${id} exists; reusing it"
    fi
  fi
}

step "bootstrapping clients (admin: meshid-admin, secret ${admin_secret_file})"
# The validators' own clients (WatchKeys needs keys:watch on meshid-keyadmin);
# the gateway also calls the Log server (its upstream and access log).
ensure_client logging-service "meshid-log" meshid-keyadmin=keys:watch
ensure_client meshid-gateway "meshid-gateway" meshid-keyadmin=keys:watch \
  logging-service=logs:write,logs:read
# The demo caller: it talks to the gateway (audience meshid-gateway).
ensure_client careergpt-backend "CareerGPT backend (demo)" \
  meshid-gateway=logs:write,logs:read

# --- meshid-log ------------------------------------------------------------------
step "starting meshid-log on SQLite (${data}/log.db)"
start meshid-log "${log_bin}" "${log_http_port}" \
  --store="sqlite://${data}/log.db" \
  --grpc_address="127.0.0.1:${log_port}" \
  --http_address="127.0.0.1:${log_http_port}" \
  --identity_address="127.0.0.1:${identity_port}" \
  --keyadmin_address="127.0.0.1:${keyadmin_port}" \
  --client_id=logging-service \
  --client_secret_file="${data}/logging-service.secret" \
  --issuer="${issuer}"

# --- meshid-gateway ------------------------------------------------------------
gateway_config="${data}/gateway.json"
step "starting meshid-gateway (config ${gateway_config})"
# Regenerated each run (ports may change); the running gateway keeps the
# config it started with.
cat >"${gateway_config}.tmp" <<EOF
{
  "name": "meshid-gateway",
  "listen_address": "127.0.0.1:${gateway_port}",
  "http_listen_address": "127.0.0.1:${gateway_http_port}",
  "identity": {"address": "127.0.0.1:${identity_port}",
               "keyadmin_address": "127.0.0.1:${keyadmin_port}"},
  "validation": {"issuer": "${issuer}"},
  "credentials": {"client_id": "meshid-gateway",
                  "client_secret_file": "${data}/meshid-gateway.secret"},
  "access_log": {"log_address": "127.0.0.1:${log_port}"},
  "upstreams": [{"name": "log", "address": "127.0.0.1:${log_port}",
                 "audience": "logging-service"}],
  "routes": [
    {"method_prefix": "/meshid.logging.v1.Log/Append", "upstream": "log",
     "required_scopes": ["logs:write"]},
    {"method_prefix": "/meshid.logging.v1.Log/", "upstream": "log",
     "required_scopes": ["logs:read"]}
  ],
  "limits": {"anomaly": {"failed_validation_burst": 1000}}
}
EOF
mv "${gateway_config}.tmp" "${gateway_config}"
start meshid-gateway "${gateway_bin}" "${gateway_http_port}" \
  --config="${gateway_config}"

step "waiting for gRPC health SERVING (key sets and upstream tokens in)"
${demo} wait-serving "127.0.0.1:${identity_port}" "127.0.0.1:${log_port}" \
  "127.0.0.1:${gateway_port}"

caller_creds="${data}/careergpt-backend.creds"
echo "careergpt-backend ${data}/careergpt-backend.secret" >"${caller_creds}"
demo_args=(--gateway "127.0.0.1:${gateway_port}" --identity "127.0.0.1:${identity_port}"
  --creds "${caller_creds}" --audience meshid-gateway --meshctl "${meshctl}")

# --- the story -------------------------------------------------------------------
step "(a) a token issued: careergpt-backend -> meshid-gateway (header and claims only)"
caller_token="$(MESHID_CLIENT_SECRET="$(cat "${data}/careergpt-backend.secret")" \
  "${meshctl}" token issue --client-id careergpt-backend --audience meshid-gateway)"
printf '%s\n' "${caller_token}" | "${meshctl}" token decode

step "(b) a call through the gateway into the Log server: Append, then Query"
marker="local mesh demo $(date -u +%Y-%m-%dT%H:%M:%SZ) $$"
${demo} append "${demo_args[@]}" --message "${marker}"
echo "    \$ MESHID_LOG_ADDR=127.0.0.1:${gateway_port} meshctl logs query --contains '${marker}' --limit 1"
MESHID_LOG_ADDR="127.0.0.1:${gateway_port}" MESHID_TOKEN="${caller_token}" \
  "${meshctl}" logs query --contains "${marker}" --limit 1 | sed 's/^/    /'
unset caller_token

step "(c) a key rotated with no failed call"
${demo} rotate "${demo_args[@]}" --activation-delay 2s

step "(d) a key revoked and its token refused"
${demo} revoke "${demo_args[@]}"

step "keys of careergpt-backend -> meshid-gateway now"
"${meshctl}" keys list --client careergpt-backend --audience meshid-gateway

cat <<EOF

The mesh is running; data, logs and pid files in ${data}
  meshid-identity  Identity (tokens)  127.0.0.1:${identity_port}
                   KeyAdmin (admin)   127.0.0.1:${keyadmin_port}
                   HTTP               http://127.0.0.1:${http_port}/metrics  /healthz  /.well-known/jwks.json
  meshid-log       Log                127.0.0.1:${log_port}
                   HTTP               http://127.0.0.1:${log_http_port}/metrics  /healthz
  meshid-gateway   gRPC proxy         127.0.0.1:${gateway_port}   (routes /meshid.logging.v1.Log/ to meshid-log)
                   HTTP               http://127.0.0.1:${gateway_http_port}/metrics  /healthz
  gateway config   ${gateway_config}

Try next:
  export PATH="${build}/tools/meshctl:\$PATH"
  export MESHID_IDENTITY_ADDR=127.0.0.1:${identity_port} MESHID_KEYADMIN_ADDR=127.0.0.1:${keyadmin_port}
  export MESHID_CLIENT_SECRET="\$(cat ${admin_secret_file})"
  export MESHID_TOKEN="\$(meshctl token issue --client-id meshid-admin --audience meshid-keyadmin)"
  meshctl clients list
  meshctl keys rotate --client careergpt-backend --audience meshid-gateway --activation-delay 2s
  meshctl audit list --action key.revoke
  # read the Log through the gateway, as the demo caller:
  export MESHID_LOG_ADDR=127.0.0.1:${gateway_port}
  export MESHID_TOKEN="\$(MESHID_CLIENT_SECRET=\$(cat ${data}/careergpt-backend.secret) meshctl token issue --client-id careergpt-backend --audience meshid-gateway)"
  meshctl logs query --service meshid-gateway --limit 5
  curl -s http://127.0.0.1:${http_port}/.well-known/jwks.json
  curl -s http://127.0.0.1:${gateway_http_port}/metrics | grep meshid_gateway_calls_total
  prometheus --config.file=deploy/prometheus/prometheus.yml --storage.tsdb.path=/tmp/meshid-prom
Stop it with: deploy/local/down.sh
EOF
