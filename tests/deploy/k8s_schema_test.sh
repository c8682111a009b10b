#!/usr/bin/env bash
# Validates every object of every deploy/k8s overlay offline against the
# Kubernetes schemas (k8s_schema/validate.js says how).
#
#   k8s_schema_test.sh WORK_DIR OVERLAY_DIR...
#
# The npm packages (pinned in k8s_schema/package-lock.json) are installed with
# `npm ci` into WORK_DIR, once per lock file content, with npm's cache in
# WORK_DIR/npm-cache. When node, npm or kubectl is missing or the install
# fails, the test is skipped (exit 77), except with CI=true, where it fails.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$1"
shift

unavailable() {
  if [[ "${CI:-}" == "true" ]]; then
    echo "FAIL: $* (CI=true: this test may not be skipped)" >&2
    exit 1
  fi
  echo "SKIP: $*" >&2
  exit 77
}

for tool in node npm kubectl; do
  command -v "${tool}" >/dev/null 2>&1 ||
    unavailable "${tool} not found on PATH (node and npm: Node.js >= 18; kubectl: Kubernetes client with kustomize)"
done

modules="${work}/node"
mkdir -p "${modules}"
lock_sum="$(sha256sum "${here}/k8s_schema/package-lock.json" | cut -d' ' -f1)"
if [[ "$(cat "${modules}/.installed" 2>/dev/null || true)" != "${lock_sum}" ]]; then
  echo "==> npm ci (pinned by tests/deploy/k8s_schema/package-lock.json) into ${modules}"
  rm -rf "${modules}/node_modules" "${modules}/.installed"
  cp "${here}/k8s_schema/package.json" "${here}/k8s_schema/package-lock.json" \
    "${modules}/"
  if ! (cd "${modules}" && timeout 240 npm ci --no-audit --no-fund \
    --cache "${work}/npm-cache" --prefer-offline >"${work}/npm-ci.log" 2>&1); then
    cat "${work}/npm-ci.log" >&2
    unavailable "npm ci of the pinned packages failed (log above)"
  fi
  echo "${lock_sum}" >"${modules}/.installed"
fi

timeout 180 node "${here}/k8s_schema/validate.js" --modules "${modules}" \
  --kubectl "$(command -v kubectl)" "$@"
