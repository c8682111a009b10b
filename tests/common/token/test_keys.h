// Fixed keys for token tests, all from the RFCs (tests/data/
// rfc-known-answers.md), plus helpers to build keys, key sets and tokens.
#ifndef MESHID_TESTS_COMMON_TOKEN_TEST_KEYS_H_
#define MESHID_TESTS_COMMON_TOKEN_TEST_KEYS_H_

#include <memory>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/base64url.h"
#include "common/token/key_set.h"
#include "common/token/keys.h"
#include "common/token/token_signer.h"
#include "common/token/token_verifier.h"

namespace meshid::testing {

// RFC 7515 A.1 HMAC key (64 bytes).
inline std::string Rfc7515HmacKey() {
  return absl::HexStringToBytes(
      "0323354b2b0fa5bc837e0665777ba68f5ab328e6f054c928a90f84b2d2502ebf"
      "d3fb5a92d20647ef968ab4c377623d223d2e2172052e4f08c0cd9af567d080a3");
}
// RFC 7520 section 4.4 HMAC key (32 bytes).
inline std::string Rfc7520HmacKey() {
  std::string key;
  (void)Base64UrlDecode("hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg", &key);
  return key;
}
// RFC 8037 A.1 Ed25519 seed and public key.
inline std::string Rfc8037Seed() {
  return absl::HexStringToBytes(
      "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
}
inline std::string Rfc8037Public() {
  return absl::HexStringToBytes(
      "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
}
// RFC 7515 A.3 P-256 key.
inline std::string B64(absl::string_view s) {
  std::string out;
  (void)Base64UrlDecode(s, &out);
  return out;
}
inline std::string Rfc7515EcX() {
  return B64("f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU");
}
inline std::string Rfc7515EcY() {
  return B64("x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0");
}
inline std::string Rfc7515EcD() {
  return B64("jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI");
}

inline constexpr absl::string_view kIssuer = "https://meshid.test";
inline constexpr absl::string_view kAudience = "logging-service";
inline constexpr absl::string_view kClient = "careergpt-backend";
inline constexpr absl::string_view kHsKid = "hs-pair-key";
inline constexpr absl::string_view kEdKid = "ed-issuer-key";
inline constexpr absl::string_view kEsKid = "es-issuer-key";
// A fixed "now" for every token test.
inline absl::Time TestNow() { return absl::FromUnixSeconds(1700000000); }

inline VerifyPolicy TestPolicy() {
  VerifyPolicy policy;
  policy.issuer = std::string(kIssuer);
  policy.audience = std::string(kAudience);
  policy.clock_skew = absl::Seconds(30);
  policy.max_lifetime = absl::Hours(1);
  return policy;
}

// Claims valid at TestNow() for the test audience and client.
inline TokenClaims TestClaims() {
  TokenClaims c;
  c.issuer = std::string(kIssuer);
  c.subject = std::string(kClient);
  c.audience = std::string(kAudience);
  c.client_id = std::string(kClient);
  c.jti = "jti-0001";
  c.issued_at = TestNow() - absl::Minutes(1);
  c.not_before = c.issued_at;
  c.expires_at = c.issued_at + absl::Minutes(15);
  c.scope = "logs:write logs:read";
  c.roles = {"service"};
  return c;
}

// Signing keys for the three test kids.
struct TestSigners {
  SigningKey hs;
  SigningKey ed;
  SigningKey es;
};
TestSigners MakeTestSigners();

// A key set with the three test kids: the HS256 pair key bound to
// (kClient, kAudience) and the two issuer keys.
std::shared_ptr<const KeySet> MakeTestKeySet();

// Signs exactly these header and payload bytes.
std::string SignRaw(absl::string_view header_json,
                    absl::string_view payload_json, const SigningKey& key);

// The standard header for `key` ({"alg","kid","typ":"at+jwt"}).
std::string HeaderFor(const SigningKey& key);

}  // namespace meshid::testing

#endif  // MESHID_TESTS_COMMON_TOKEN_TEST_KEYS_H_
