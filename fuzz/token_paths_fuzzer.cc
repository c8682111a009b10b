// fuzz-link: meshid_fuzz_token_fixture
//
// Differential: the verifier's shortcuts (the canonical-header match, the
// profile claims scanner) against the general path alone
// (token_internal::kGeneralPathOnly) on tokens the harness signs, so that
// arbitrary header and payload bytes reach both parsers. Every combination
// of shortcuts must give the general path's verdict, and on success the
// same Principal. And where the scanner accepts a payload by itself, the
// JSON reader must accept it too and yield the same claims.
//
// Input: as token_claims (one byte choosing the signer, then
// "<header>\n<payload>" or a payload alone under the standard header); its
// seeds are a good start: fuzz/corpus/token_paths holds a copy of a few.
#include <cstddef>
#include <cstdint>
#include <string>

#include "common/json/json_reader.h"
#include "common/token/claim_set.h"
#include "common/token/claims_scanner.h"
#include "common/token/jws.h"
#include "common/token/token_verifier.h"
#include "common/token/token_verifier_internal.h"
#include "fuzz/fuzz_check.h"
#include "fuzz/token_fixture.h"

namespace {

using meshid::Claim;
using meshid::ClaimSet;
using meshid::Principal;
using meshid::VerifyError;
using meshid::token_internal::VerifyPaths;

bool SamePrincipal(const Principal& a, const Principal& b) {
  return a.subject == b.subject && a.client_id == b.client_id &&
         a.audience == b.audience && a.scope == b.scope && a.roles == b.roles &&
         a.state == b.state && a.jti == b.jti && a.kid == b.kid &&
         a.issued_at == b.issued_at && a.not_before == b.not_before &&
         a.expires_at == b.expires_at;
}

bool SameClaim(const Claim& a, const Claim& b) {
  return a.present == b.present && a.type == b.type && a.text == b.text;
}

// The scanner never accepts what the reader would refuse, and reads the
// same members.
void CheckScannerAgainstReader(absl::string_view payload) {
  ClaimSet scanned;
  if (!meshid::ScanProfileClaims(payload, &scanned)) return;
  meshid::json::JsonLimits limits;
  limits.max_input_bytes = meshid::kMaxTokenBytes;
  limits.max_depth = meshid::kMaxTokenJsonDepth;
  limits.max_values = meshid::kMaxTokenJsonValues;
  meshid::json::JsonDocument doc;
  FUZZ_CHECK(doc.Parse(payload, limits) == meshid::json::JsonError::kNone);
  FUZZ_CHECK(doc.root().type == meshid::json::JsonType::kObject);
  ClaimSet read;
  meshid::ClaimSetFromDocument(doc, &read);
  FUZZ_CHECK(SameClaim(scanned.iss, read.iss));
  FUZZ_CHECK(SameClaim(scanned.sub, read.sub));
  FUZZ_CHECK(SameClaim(scanned.aud, read.aud));
  FUZZ_CHECK(SameClaim(scanned.exp, read.exp));
  FUZZ_CHECK(SameClaim(scanned.nbf, read.nbf));
  FUZZ_CHECK(SameClaim(scanned.iat, read.iat));
  FUZZ_CHECK(SameClaim(scanned.jti, read.jti));
  FUZZ_CHECK(SameClaim(scanned.client_id, read.client_id));
  FUZZ_CHECK(SameClaim(scanned.scope, read.scope));
  FUZZ_CHECK(SameClaim(scanned.roles, read.roles));
  FUZZ_CHECK(SameClaim(scanned.pst, read.pst));
  FUZZ_CHECK(scanned.roles_all_strings == read.roles_all_strings);
  FUZZ_CHECK(scanned.role_names == read.role_names);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const meshid::fuzz::TokenFixture& f = meshid::fuzz::GetTokenFixture();
  const meshid::SigningKey* signer = &f.signers.hs;
  if (data[0] == 'e' || (data[0] != 'h' && data[0] % 3 == 1)) {
    signer = &f.signers.ed;
  } else if (data[0] == 's' || (data[0] != 'h' && data[0] % 3 == 2)) {
    signer = &f.signers.es;
  }
  const absl::string_view rest(reinterpret_cast<const char*>(data) + 1,
                               size - 1);
  std::string header;
  absl::string_view payload = rest;
  if (const size_t nl = rest.find('\n'); nl != absl::string_view::npos) {
    header.assign(rest.data(), nl);
    payload = rest.substr(nl + 1);
  } else {
    header = meshid::testing::HeaderFor(*signer);
  }
  CheckScannerAgainstReader(payload);

  auto token = meshid::SignCompactJws(header, payload, *signer);
  FUZZ_CHECK(token.ok());
  Principal general;
  const VerifyError want = meshid::token_internal::VerifyTokenIntoWithPaths(
      *token, *f.keys, f.policy, f.now,
      meshid::token_internal::kGeneralPathOnly, &general);
  for (const VerifyPaths paths :
       {VerifyPaths{true, true}, VerifyPaths{true, false},
        VerifyPaths{false, true}}) {
    Principal fast;
    const VerifyError got = meshid::token_internal::VerifyTokenIntoWithPaths(
        *token, *f.keys, f.policy, f.now, paths, &fast);
    FUZZ_CHECK(got == want);
    if (got == VerifyError::kOk) FUZZ_CHECK(SamePrincipal(fast, general));
  }
  return 0;
}
