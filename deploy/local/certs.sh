#!/usr/bin/env bash
# Makes a private CA and the certificates for running meshid over mutual TLS:
# one server certificate per meshid server and one client certificate per
# caller (the gateway, the validators, admins), all signed by the CA.
#
#   deploy/local/certs.sh [OUT_DIR]      # default: ./.meshid/tls
#
# Writes, in OUT_DIR (mode 0700; keys 0600):
#   ca.crt ca.key                      the CA (keep ca.key offline)
#   <name>.crt <name>.key              for each of: identity log gateway
#                                      (server + client use) and admin,
#                                      upstream (client or server use)
# Server certificates carry the SANs localhost, 127.0.0.1, ::1 and the
# Kubernetes service names meshid-<name> (set MESHID_TLS_EXTRA_SANS to add
# more, comma-separated, e.g. "DNS:identity.example.com,IP:10.0.0.7").
# Re-running keeps an existing CA and re-issues the leaf certificates.
set -euo pipefail

out="${1:-${MESHID_TLS_DIR:-./.meshid/tls}}"
days="${MESHID_TLS_DAYS:-365}"
extra_sans="${MESHID_TLS_EXTRA_SANS:-}"

command -v openssl >/dev/null || {
  echo "error: openssl not found (apt-get install -y openssl)" >&2
  exit 1
}
mkdir -p "${out}"
chmod 700 "${out}"
umask 077

if [[ ! -s "${out}/ca.key" || ! -s "${out}/ca.crt" ]]; then
  openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "${out}/ca.key" -out "${out}/ca.crt" -days "$((days * 3))" \
    -subj "/CN=meshid local CA" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  echo "==> CA: ${out}/ca.crt"
fi

issue() {
  local name="$1"
  local sans="DNS:localhost,IP:127.0.0.1,IP:::1,DNS:meshid-${name},DNS:${name}"
  if [[ -n "${extra_sans}" ]]; then sans="${sans},${extra_sans}"; fi
  local ext
  ext="$(mktemp)"
  printf '%s\n' \
    "basicConstraints=critical,CA:FALSE" \
    "keyUsage=critical,digitalSignature,keyEncipherment" \
    "extendedKeyUsage=serverAuth,clientAuth" \
    "subjectAltName=${sans}" >"${ext}"
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "${out}/${name}.key" -out "${out}/${name}.csr" \
    -subj "/CN=${name}" 2>/dev/null
  openssl x509 -req -in "${out}/${name}.csr" -CA "${out}/ca.crt" \
    -CAkey "${out}/ca.key" -CAcreateserial -out "${out}/${name}.crt" \
    -days "${days}" -extfile "${ext}" 2>/dev/null
  rm -f "${ext}" "${out}/${name}.csr"
  chmod 600 "${out}/${name}.key"
  chmod 644 "${out}/${name}.crt"
}

for name in identity log gateway admin upstream; do
  issue "${name}"
done
chmod 644 "${out}/ca.crt"
echo "==> certificates for identity, log, gateway, admin, upstream in ${out}"
