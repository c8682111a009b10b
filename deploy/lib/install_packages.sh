# shellcheck shell=bash
# Sourced helper: installs the Debian packages listed in deploy/packages.txt.
#
#   source deploy/lib/install_packages.sh
#   meshid_install_packages [packages-file]
#
# Runs `apt-get update` and `apt-get install` only when a package is missing,
# as root directly or through sudo otherwise. Safe under `set -euo pipefail`.

_MESHID_INSTALL_PACKAGES_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# Prints the package names from a packages file: comments and blanks dropped.
meshid_read_packages() {
  local file="$1" line
  while IFS= read -r line || [[ -n "${line}" ]]; do
    line="${line%%#*}"
    line="${line//[[:space:]]/}"
    [[ -n "${line}" ]] && printf '%s\n' "${line}"
  done <"${file}"
}

# Prints the packages from the file that dpkg does not report as installed.
meshid_missing_packages() {
  local file="$1" pkg status
  while IFS= read -r pkg; do
    status="$(dpkg-query -W -f='${db:Status-Status}' "${pkg}" 2>/dev/null || true)"
    [[ "${status}" == "installed" ]] || printf '%s\n' "${pkg}"
  done < <(meshid_read_packages "${file}")
}

meshid_install_packages() {
  local file="${1:-${_MESHID_INSTALL_PACKAGES_DIR}/../packages.txt}"
  if [[ ! -r "${file}" ]]; then
    echo "meshid_install_packages: cannot read ${file}" >&2
    return 1
  fi
  if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "meshid_install_packages: dpkg-query not found (not Debian?)" >&2
    return 1
  fi

  local -a missing=()
  local pkg
  while IFS= read -r pkg; do
    missing+=("${pkg}")
  done < <(meshid_missing_packages "${file}")
  if ((${#missing[@]} == 0)); then
    echo "    all packages from ${file##*/} are installed"
    return 0
  fi

  local -a as_root=()
  if ((EUID != 0)); then
    if ! command -v sudo >/dev/null 2>&1; then
      echo "meshid_install_packages: missing ${missing[*]}; run as root or install sudo" >&2
      return 1
    fi
    as_root=(sudo)
  fi
  echo "    missing: ${missing[*]}"
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "${missing[@]}"
}
