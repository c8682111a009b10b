// fuzz-link: meshid_fuzz_token_fixture
//
// VerifyToken on arbitrary bytes: the JWS compact split, strict base64url,
// header parsing, key lookup and key states, alg/key matching and the
// signature checks (HS256, EdDSA, ES256), with the cross-checks of
// VerifyAndCheck. Seeds are valid tokens for the fixture's keys plus the RFC
// vectors (fuzz/corpus/token_verify), so mutations start next to the accept
// path. A mutated token cannot get past the signature; token_claims_fuzzer
// signs its input to reach the payload and claim checks.
#include <cstddef>
#include <cstdint>

#include "fuzz/token_fixture.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  meshid::fuzz::VerifyAndCheck(
      absl::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
