#include "common/token/token_signer.h"

#include "absl/strings/str_cat.h"
#include "common/json/json_writer.h"
#include "common/token/jws.h"

namespace meshid {

std::string SerializeClaims(const TokenClaims& claims) {
  std::string out;
  out.reserve(256);
  json::ObjectWriter w(&out);
  w.String("iss", claims.issuer)
      .String("sub", claims.subject)
      .String("aud", claims.audience)
      .Int("exp", absl::ToUnixSeconds(claims.expires_at));
  if (claims.not_before.has_value()) {
    w.Int("nbf", absl::ToUnixSeconds(*claims.not_before));
  }
  w.Int("iat", absl::ToUnixSeconds(claims.issued_at))
      .String("jti", claims.jti)
      .String("client_id", claims.client_id);
  if (!claims.scope.empty()) w.String("scope", claims.scope);
  if (!claims.roles.empty()) w.StringArray("roles", claims.roles);
  if (!claims.principal_state.empty()) w.String("pst", claims.principal_state);
  w.Close();
  return out;
}

absl::StatusOr<std::string> SignToken(const TokenClaims& claims,
                                      const SigningKey& key) {
  for (const auto& [name, value] :
       {std::pair<absl::string_view, absl::string_view>{"iss", claims.issuer},
        {"sub", claims.subject},
        {"aud", claims.audience},
        {"client_id", claims.client_id},
        {"jti", claims.jti}}) {
    if (value.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("claim '", name, "' must not be empty"));
    }
  }
  if (key.kid.empty()) return absl::InvalidArgumentError("key has no kid");
  std::string header;
  json::ObjectWriter(&header)
      .String("alg", AlgorithmName(key.alg))
      .String("kid", key.kid)
      .String("typ", kAccessTokenType)
      .Close();
  return SignCompactJws(header, SerializeClaims(claims), key);
}

}  // namespace meshid
