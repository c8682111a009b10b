#include "common/token/jws.h"

#include "common/base64url.h"
#include "common/status_macros.h"

namespace meshid {
namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace

absl::StatusOr<std::string> SignJwsInput(const SigningKey& key,
                                         absl::string_view signing_input) {
  return absl::visit(
      Overloaded{
          [&](const crypto::HmacSha256Key& k) -> absl::StatusOr<std::string> {
            const crypto::HmacSha256Tag tag = k.Sign(signing_input);
            return std::string(reinterpret_cast<const char*>(tag.data()),
                               tag.size());
          },
          [&](const crypto::Ed25519PrivateKey& k) {
            return k.Sign(signing_input);
          },
          [&](const crypto::EcdsaP256PrivateKey& k) {
            return k.Sign(signing_input);
          },
      },
      key.material);
}

bool VerifyJwsSignature(const VerificationKey& key,
                        absl::string_view signing_input,
                        absl::string_view signature) {
  // The material's type, not the header, decides the algorithm; the caller
  // has already matched the header's "alg" to key.alg.
  return absl::visit(Overloaded{
                         [](const absl::monostate&) { return false; },
                         [&](const crypto::HmacSha256Key& k) {
                           return k.Verify(signing_input, signature);
                         },
                         [&](const crypto::Ed25519PublicKey& k) {
                           return k.Verify(signing_input, signature);
                         },
                         [&](const crypto::EcdsaP256PublicKey& k) {
                           return k.Verify(signing_input, signature);
                         },
                     },
                     key.material);
}

absl::StatusOr<std::string> SignCompactJws(absl::string_view header,
                                           absl::string_view payload,
                                           const SigningKey& key) {
  std::string token;
  Base64UrlEncodeAppend(header, &token);
  token.push_back('.');
  Base64UrlEncodeAppend(payload, &token);
  ASSIGN_OR_RETURN(std::string signature, SignJwsInput(key, token));
  token.push_back('.');
  Base64UrlEncodeAppend(signature, &token);
  return token;
}

}  // namespace meshid
