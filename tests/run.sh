#!/usr/bin/env bash
# The one command that installs, builds and tests meshid on Debian 12.
#
#   tests/run.sh [extra ctest args...]      e.g. tests/run.sh -R Smoke
#
# Environment:
#   MESHID_BUILD_DIR      build folder (default: build)
#   MESHID_SKIP_INSTALL   1 = do not check or install Debian packages
#   MESHID_BUILD_TARGETS  space-separated ninja targets (default: all)
#   MESHID_JOBS           parallel build jobs (default: nproc)
#   MESHID_SKIP_SANITIZERS  1 = skip the ASan+UBSan build and its ctest
#   MESHID_ASAN_BUILD_DIR   its build folder (default: <build folder>-asan)
#   MESHID_SKIP_FUZZ        1 = skip the libFuzzer stage (tests/fuzz.sh)
#   MESHID_FUZZ_BUILD_DIR   its build folder (default: <build folder>-fuzz)
#   MESHID_FUZZ_SECONDS     run time per fuzz target (default here: 10)
#   MESHID_SANITIZER_SOAK_SECONDS  the soak's length in the sanitized suite
#                           (default: 20; the normal suite runs the full 60)
#
# Stages, in order: build + ctest; the same suite built with AddressSanitizer
# and UndefinedBehaviorSanitizer (RELIABILITY.md "Sanitizers") + ctest; the
# fuzz targets (RELIABILITY.md "Fuzzing"). A failing stage does not stop the
# later ones (except a failed normal build); the run ends with one line per
# stage and exits non-zero when any failed.
#
# Starts a throwaway PostgreSQL for the run and exports MESHID_TEST_PG_URL.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${repo_root}"

build_dir="${MESHID_BUILD_DIR:-build}"
build_targets="${MESHID_BUILD_TARGETS:-all}"
jobs="${MESHID_JOBS:-$(nproc)}"

# --- packages ---------------------------------------------------------------
if [[ "${MESHID_SKIP_INSTALL:-0}" != "1" ]]; then
  echo "==> installing packages"
  # shellcheck source=deploy/lib/install_packages.sh
  source "${repo_root}/deploy/lib/install_packages.sh"
  meshid_install_packages "${repo_root}/deploy/packages.txt"
fi

# --- build ------------------------------------------------------------------
echo "==> building (${build_dir}, targets: ${build_targets}, -j${jobs})"
cmake -S . -B "${build_dir}" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
read -r -a targets <<<"${build_targets}"
cmake --build "${build_dir}" -j"${jobs}" --target "${targets[@]}"

# --- throwaway PostgreSQL ---------------------------------------------------
pg_bin=""
pg_tmp=""
pg_data=""
as_pg=()

stop_postgres() {
  local rc=$?
  trap - EXIT INT TERM
  # postmaster.pid, not a flag: an interrupted `pg_ctl start` may have left a
  # running server.
  if [[ -n "${pg_data}" && -f "${pg_data}/postmaster.pid" ]]; then
    if ! "${as_pg[@]}" "${pg_bin}/pg_ctl" -D "${pg_data}" -m fast -w -t 60 \
      stop >/dev/null 2>&1; then
      # pg_ctl failed: end the postmaster we started, by its pid.
      local pid
      pid="$(head -n1 "${pg_data}/postmaster.pid" 2>/dev/null || true)"
      if [[ "${pid}" =~ ^[0-9]+$ &&
        "$(cat "/proc/${pid}/comm" 2>/dev/null || true)" == postgres ]]; then
        echo "==> pg_ctl stop failed; killing postmaster ${pid}" >&2
        kill -KILL "${pid}" 2>/dev/null || true
      fi
    fi
  fi
  if [[ -n "${pg_tmp}" ]]; then
    rm -rf -- "${pg_tmp}"
  fi
  exit "${rc}"
}
trap stop_postgres EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

pg_bin="$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -type d -name bin \
  2>/dev/null | sort -V | tail -n1)"
if [[ -z "${pg_bin}" || ! -x "${pg_bin}/initdb" || ! -x "${pg_bin}/pg_ctl" ]]; then
  echo "error: initdb/pg_ctl not found under /usr/lib/postgresql/*/bin" \
    "(install the postgresql package)" >&2
  exit 1
fi

# initdb refuses to run as root: as root the cluster belongs to `postgres`.
pg_tmp="$(mktemp -d /tmp/meshid-pg.XXXXXX)"
if ((EUID == 0)); then
  chown postgres:postgres "${pg_tmp}"
  as_pg=(runuser -u postgres --)
fi
pg_data="${pg_tmp}/data"
pg_log="${pg_tmp}/postgres.log"

"${as_pg[@]}" "${pg_bin}/initdb" -D "${pg_data}" -U postgres -A trust \
  -E UTF8 --locale=C --no-sync >"${pg_tmp}/initdb.log" 2>&1 || {
  echo "error: initdb failed:" >&2
  cat "${pg_tmp}/initdb.log" >&2
  exit 1
}

free_port() {
  python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'
}

# Another process may take the port between asking and binding: retry.
pg_up=0
for _ in 1 2 3; do
  pg_port="$(free_port)"
  if "${as_pg[@]}" "${pg_bin}/pg_ctl" -D "${pg_data}" -l "${pg_log}" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p ${pg_port} -k ${pg_tmp}" \
    -o "-c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null 2>&1; then
    pg_up=1
    break
  fi
  # A start that timed out may still be running: do not start a second one.
  [[ -f "${pg_data}/postmaster.pid" ]] && break
done
if ((!pg_up)); then
  echo "error: PostgreSQL did not start; log:" >&2
  cat "${pg_log}" >&2 || true
  exit 1
fi
echo "==> starting PostgreSQL on port ${pg_port}"

"${as_pg[@]}" "${pg_bin}/createdb" -h 127.0.0.1 -p "${pg_port}" -U postgres \
  meshid_test
export MESHID_TEST_PG_URL="postgresql://postgres@127.0.0.1:${pg_port}/meshid_test"

# --- tests ------------------------------------------------------------------
# Each stage leaves one line in `summary`; `failed` names the stages that
# failed. ctest's own summary line is captured for the closing report.
summary=()
failed=()
ctest_summary() { # log file -> "100% tests passed, ..." or a fallback
  grep -E '^[0-9]+% tests passed' "$1" | tail -n1 || echo "no ctest summary"
}
# Inside the PostgreSQL temp folder, which the EXIT trap removes.
stage_log_dir="${pg_tmp}/stage-logs"
mkdir -p "${stage_log_dir}"

echo "==> running tests"
started=${SECONDS}
rc=0
ctest --test-dir "${build_dir}" --output-on-failure --no-tests=error -j2 \
  --timeout 300 "$@" 2>&1 | tee "${stage_log_dir}/ctest.log" || rc=$?
if ((rc != 0)); then failed+=(tests); fi
summary+=("tests:       $(ctest_summary "${stage_log_dir}/ctest.log") ($((SECONDS - started))s)")

# The sanitizer and fuzz folders sit next to the build folder by default.
sibling_base="${build_dir%/}"

# --- sanitizers (ASan + UBSan) ------------------------------------------------
if [[ "${MESHID_SKIP_SANITIZERS:-0}" == "1" ]]; then
  summary+=("sanitizers:  skipped (MESHID_SKIP_SANITIZERS=1)")
else
  asan_dir="${MESHID_ASAN_BUILD_DIR:-${sibling_base}-asan}"
  supp="${repo_root}/tests/sanitizers"
  # Any report fails the test that caused it: halt on the first error, leaks
  # checked at every process exit, a stack with each report. The
  # suppressions hold third-party frames only (see their comments).
  export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:print_stacktrace=1:check_initialization_order=1:strict_init_order=1:detect_stack_use_after_return=1"
  export LSAN_OPTIONS="suppressions=${supp}/lsan.supp:print_suppressions=0"
  export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=${supp}/ubsan.supp"
  started=${SECONDS}
  echo "==> sanitizers: building (${asan_dir}, ASan+UBSan, -j${jobs})"
  if cmake -S . -B "${asan_dir}" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1" \
    -DMESHID_SANITIZE=address,undefined -DMESHID_BUILD_BENCH=OFF >/dev/null &&
    cmake --build "${asan_dir}" -j"${jobs}" --target "${targets[@]}"; then
    built=$((SECONDS - started))
    echo "==> sanitizers: running tests (built in ${built}s)"
    rc=0
    # Sanitized code runs a few times slower: a longer per-test bound.
    # Tests about release artifacts rather than behaviour (e.g. which shared
    # libraries the binaries load) carry the label no_sanitizers.
    # The soak has run its full length in the normal suite; here it checks
    # the same load, shorter, for memory and undefined-behaviour errors.
    MESHID_SOAK_SECONDS="${MESHID_SANITIZER_SOAK_SECONDS:-20}" \
      ctest --test-dir "${asan_dir}" --output-on-failure --no-tests=error -j2 \
      --timeout 900 -LE '^no_sanitizers$' "$@" 2>&1 |
      tee "${stage_log_dir}/ctest-asan.log" || rc=$?
    if ((rc != 0)); then failed+=(sanitizers); fi
    summary+=("sanitizers:  $(ctest_summary "${stage_log_dir}/ctest-asan.log") (build ${built}s, tests $((SECONDS - started - built))s)")
  else
    failed+=(sanitizers)
    summary+=("sanitizers:  BUILD FAILED (${asan_dir})")
  fi
  unset ASAN_OPTIONS LSAN_OPTIONS UBSAN_OPTIONS
fi

# --- fuzzing -----------------------------------------------------------------
if [[ "${MESHID_SKIP_FUZZ:-0}" == "1" ]]; then
  summary+=("fuzz:        skipped (MESHID_SKIP_FUZZ=1)")
else
  started=${SECONDS}
  rc=0
  # 10 s per target keeps the whole CI run well under 30 minutes; longer
  # campaigns are run by hand (RELIABILITY.md, "Fuzzing").
  MESHID_FUZZ_BUILD_DIR="${MESHID_FUZZ_BUILD_DIR:-${sibling_base}-fuzz}" \
    MESHID_FUZZ_SECONDS="${MESHID_FUZZ_SECONDS:-10}" \
    MESHID_JOBS="${jobs}" bash tests/fuzz.sh 2>&1 |
    tee "${stage_log_dir}/fuzz.log" || rc=$?
  if ((rc != 0)); then failed+=(fuzz); fi
  summary+=("fuzz:        $(tail -n1 "${stage_log_dir}/fuzz.log") ($((SECONDS - started))s)")
fi

echo "==> summary"
printf '  %s\n' "${summary[@]}"
if ((${#failed[@]} > 0)); then
  echo "FAILED stage(s): ${failed[*]}" >&2
  exit 1
fi
