// fuzz-link: meshid_fuzz_token_fixture
//
// Signs the input with one of the fixture's keys, then verifies it: this is
// how the fuzzer gets past the signature to the payload parse and every
// claim check (types, iss/aud/client binding, exp/nbf/iat arithmetic on
// arbitrary JSON numbers, lifetime, revocation) and the "typ" check.
//
// Input: one byte choosing the signer ('h' HS256 pair key, 'e' EdDSA,
// 's' ES256; any other byte: its value mod 3), then either
//   <header JSON> '\n' <payload JSON>    the exact header and payload bytes
//   <payload JSON>                       (no '\n') under the signer's
//                                         standard header
// Seeds: fuzz/corpus/token_claims (written by make_seeds).
//
// When the header has the exact shape the verifier matches without parsing
// ({"alg":..,"kid":..,"typ":"at+jwt"}), the same header with a leading space
// (same JSON, full parse) must get the same verdict.
#include <cstddef>
#include <cstdint>
#include <string>

#include "common/token/jws.h"
#include "common/token/token_verifier.h"
#include "fuzz/fuzz_check.h"
#include "fuzz/token_fixture.h"

namespace {

const meshid::SigningKey& PickSigner(uint8_t selector,
                                     const meshid::fuzz::TokenFixture& f) {
  switch (selector) {
    case 'h':
      return f.signers.hs;
    case 'e':
      return f.signers.ed;
    case 's':
      return f.signers.es;
  }
  switch (selector % 3) {
    case 0:
      return f.signers.hs;
    case 1:
      return f.signers.ed;
    default:
      return f.signers.es;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const meshid::fuzz::TokenFixture& f = meshid::fuzz::GetTokenFixture();
  const meshid::SigningKey& signer = PickSigner(data[0], f);
  const absl::string_view rest(reinterpret_cast<const char*>(data) + 1,
                               size - 1);

  std::string header;
  absl::string_view payload = rest;
  if (const size_t nl = rest.find('\n'); nl != absl::string_view::npos) {
    header.assign(rest.data(), nl);
    payload = rest.substr(nl + 1);
  } else {
    header = meshid::testing::HeaderFor(signer);
  }

  auto token = meshid::SignCompactJws(header, payload, signer);
  FUZZ_CHECK(token.ok());
  const meshid::VerifyError verdict = meshid::fuzz::VerifyAndCheck(*token);

  if (absl::string_view(header).substr(0, 8) == "{\"alg\":\"") {
    auto spaced = meshid::SignCompactJws(" " + header, payload, signer);
    FUZZ_CHECK(spaced.ok());
    if (spaced->size() <= meshid::kMaxTokenBytes) {
      FUZZ_CHECK(meshid::fuzz::VerifyAndCheck(*spaced) == verdict);
    }
  }
  return 0;
}
