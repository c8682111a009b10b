#include "tests/authz/forged_tokens.h"

#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/base64url.h"
#include "common/crypto/random.h"
#include "common/token/keys.h"
#include "common/token/token_signer.h"

namespace meshid::authz {
namespace {

absl::StatusOr<TokenClaims> ClaimsFor(const Impersonation& in) {
  absl::StatusOr<std::string> jti = crypto::RandomBytes(16);
  if (!jti.ok()) return jti.status();
  TokenClaims claims;
  claims.issuer = in.issuer;
  claims.subject = in.victim_client;
  claims.audience = in.audience;
  claims.client_id = in.victim_client;
  claims.jti = Base64UrlEncode(*jti);
  claims.issued_at = absl::Now();
  claims.expires_at = claims.issued_at + absl::Minutes(5);
  claims.scope = in.scope;
  return claims;
}

absl::StatusOr<std::string> Sign(const Impersonation& in, absl::string_view kid,
                                 absl::string_view secret) {
  absl::StatusOr<TokenClaims> claims = ClaimsFor(in);
  if (!claims.ok()) return claims.status();
  absl::StatusOr<SigningKey> key = SigningKey::Hs256(std::string(kid), secret);
  if (!key.ok()) return key.status();
  return SignToken(*claims, *key);
}

// The decoded JSON of segment `index` of a compact JWT, or empty.
std::string Segment(absl::string_view token, size_t index) {
  const std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  std::string json;
  if (parts.size() != 3 || !Base64UrlDecode(parts[index], &json)) return "";
  return json;
}

// The raw text after `"name":` up to the next `,` or `}`: enough for the
// flat objects meshid writes (no nesting before these members).
std::string RawMember(const std::string& json, absl::string_view name) {
  const std::string key = absl::StrCat("\"", name, "\":");
  const size_t at = json.find(key);
  if (at == std::string::npos) return "";
  const size_t start = at + key.size();
  const size_t end = json.find_first_of(",}", start);
  return json.substr(start, end == std::string::npos ? end : end - start);
}

}  // namespace

absl::StatusOr<std::string> SpeakForOther(const Impersonation& claims,
                                          const HeldKey& held) {
  return Sign(claims, held.kid, held.secret);
}

absl::StatusOr<std::string> ResignedWithOtherKey(const Impersonation& claims,
                                                 absl::string_view victim_kid,
                                                 const HeldKey& held) {
  return Sign(claims, victim_kid, held.secret);
}

std::string KidOf(absl::string_view token) {
  std::string kid = RawMember(Segment(token, 0), "kid");
  if (kid.size() < 2 || kid.front() != '"' || kid.back() != '"') return "";
  return kid.substr(1, kid.size() - 2);
}

int64_t ExpOf(absl::string_view token) {
  int64_t exp = 0;
  if (!absl::SimpleAtoi(RawMember(Segment(token, 1), "exp"), &exp)) return 0;
  return exp;
}

}  // namespace meshid::authz
