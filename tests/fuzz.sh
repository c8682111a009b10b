#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/) with clang in their own build folder
# and runs each for a bounded time from its seed corpus. Fails on any crash,
# sanitizer report (ASan, UBSan, LeakSanitizer), FUZZ_CHECK failure, slow
# input or out-of-memory, printing the saved reproducer.
#
#   tests/fuzz.sh [target...]          e.g. tests/fuzz.sh jwks token_verify
#
# Environment:
#   MESHID_FUZZ_SECONDS        run time per target (default: 20)
#   MESHID_FUZZ_BUILD_DIR      build folder (default: build-fuzz)
#   MESHID_FUZZ_INPUT_TIMEOUT  seconds one input may take (default: 10)
#   MESHID_JOBS                parallel build jobs (default: nproc)
#
# The seed corpus is copied to a temporary folder, so what the run discovers
# never lands in the repository. Reproducers are kept under
# <build folder>/fuzz-artifacts/<target>/; replay one with
#   <build folder>/fuzz/<target>_fuzzer <reproducer>
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${repo_root}"

build_dir="${MESHID_FUZZ_BUILD_DIR:-build-fuzz}"
seconds="${MESHID_FUZZ_SECONDS:-20}"
input_timeout="${MESHID_FUZZ_INPUT_TIMEOUT:-10}"
jobs="${MESHID_JOBS:-$(nproc)}"
for n in "${seconds}" "${input_timeout}" "${jobs}"; do
  if ! [[ "${n}" =~ ^[1-9][0-9]*$ ]]; then
    echo "error: MESHID_FUZZ_SECONDS, MESHID_FUZZ_INPUT_TIMEOUT and" \
      "MESHID_JOBS must be positive integers" >&2
    exit 2
  fi
done

if ! command -v clang++ >/dev/null; then
  echo "error: clang++ not found (install clang and libclang-rt-14-dev)" >&2
  exit 1
fi

echo "==> fuzz: building (${build_dir}, clang, -j${jobs})"
cmake -S . -B "${build_dir}" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=clang++ -DMESHID_BUILD_FUZZERS=ON >/dev/null
cmake --build "${build_dir}" -j"${jobs}"

# Every fuzz/<name>_fuzzer.cc is a target, unless names were given.
targets=("$@")
if ((${#targets[@]} == 0)); then
  for src in fuzz/*_fuzzer.cc; do
    name="$(basename "${src}" .cc)"
    targets+=("${name%_fuzzer}")
  done
fi

case "${build_dir}" in
  /*) artifacts_root="${build_dir}/fuzz-artifacts" ;;
  *) artifacts_root="${repo_root}/${build_dir}/fuzz-artifacts" ;;
esac
work="$(mktemp -d /tmp/meshid-fuzz.XXXXXX)"
trap 'rm -rf -- "${work}"' EXIT

# Every report is fatal and comes with a stack (libFuzzer turns the abort
# into a saved crash input). Leak checking is on (libFuzzer checks each input
# that grew the heap and the whole run at exit).
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:abort_on_error=1:print_stacktrace=1:symbolize=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:symbolize=1"

failed=()
for target in "${targets[@]}"; do
  binary="${build_dir}/fuzz/${target}_fuzzer"
  if [[ ! -x "${binary}" ]]; then
    echo "FAIL ${target}: ${binary} was not built" >&2
    failed+=("${target}")
    continue
  fi
  corpus="${work}/${target}/corpus"
  mkdir -p "${corpus}"
  if [[ -d "fuzz/corpus/${target}" ]]; then
    cp -R "fuzz/corpus/${target}/." "${corpus}/"
  fi
  artifacts="${artifacts_root}/${target}"
  mkdir -p "${artifacts}"
  args=(
    -max_total_time="${seconds}"
    -timeout="${input_timeout}"
    -rss_limit_mb=2048
    # Past the 8 KiB token and JSON limits, so the size checks are reached.
    -max_len=10240
    -print_final_stats=1
    -artifact_prefix="${artifacts}/"
  )
  if [[ -f "fuzz/dict/${target}.dict" ]]; then
    args+=(-dict="fuzz/dict/${target}.dict")
  fi
  log="${work}/${target}/log"
  echo "==> fuzz: ${target} for ${seconds}s ($(find "${corpus}" -type f |
    wc -l) seeds)"
  rc=0
  # libFuzzer stops itself; the outer bound only catches a wedged process.
  timeout --kill-after=30 "$((seconds * 2 + 120))" \
    "${binary}" "${args[@]}" "${corpus}" >"${log}" 2>&1 || rc=$?
  # A report without a non-zero exit would be a misconfigured sanitizer:
  # fail on it as well.
  if ((rc != 0)) || grep -qE 'ERROR: (Address|Leak|UndefinedBehavior)Sanitizer|runtime error:|FUZZ_CHECK failed|ERROR: libFuzzer' "${log}"; then
    echo "FAIL ${target} (exit ${rc}); end of its log:" >&2
    tail -n 60 "${log}" >&2
    reproducer="$(grep -oE "(Test unit|artifact) written to [^ ]+" "${log}" |
      tail -n1 | awk '{print $NF}')" || true
    if [[ -n "${reproducer}" ]]; then
      echo "reproducer: ${reproducer}" >&2
      echo "replay:     ${binary} ${reproducer}" >&2
    elif ((rc == 124 || rc == 137)); then
      echo "the run did not stop within its bound (wedged)" >&2
    fi
    failed+=("${target}")
    continue
  fi
  stats="$(grep -E '^Done [0-9]+ runs' "${log}" | tail -n1)"
  cov="$(grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9]+[a-zA-Z]*' "${log}" |
    tail -n1)"
  echo "ok   ${target}: ${stats:-no summary}; ${cov}"
done

if ((${#failed[@]} > 0)); then
  echo "fuzz: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: all ${#targets[@]} targets ran ${seconds}s without a finding"
