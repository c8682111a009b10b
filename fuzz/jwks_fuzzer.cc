// fuzz-link: meshid_common
//
// ParseJwks (common/token/jwks.h) on arbitrary bytes. Beyond "no crash":
//   - an accepted set holds exactly the kids it lists, each found by Find;
//   - its public keys written back by SerializePublicJwks parse to the same
//     keys (kid, algorithm, coordinates);
//   - an error message never contains secret key material: the value of a
//     "k" (HS256 secret) or private member ("d", "p", ...). Values shorter
//     than 16 characters or not base64url are skipped, and so are values
//     inside the same key's "kty" (which the message quotes on purpose).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "common/json/json_reader.h"
#include "common/token/jwks.h"
#include "fuzz/fuzz_check.h"

namespace {

using meshid::json::JsonDocument;
using meshid::json::JsonNode;
using meshid::json::JsonType;

bool LooksLikeKeyMaterial(absl::string_view s) {
  if (s.size() < 16) return false;
  for (char c : s) {
    const bool b64 = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                     (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!b64) return false;
  }
  return true;
}

void CheckNoSecretIn(absl::string_view input, absl::string_view message) {
  meshid::json::JsonLimits limits;  // as ParseJwks reads it
  limits.max_input_bytes = meshid::kMaxJwksBytes;
  limits.max_depth = 8;
  limits.max_values = 1 << 20;
  JsonDocument doc;
  if (doc.Parse(input, limits) != meshid::json::JsonError::kNone) return;
  const JsonNode* keys = doc.FindMember(doc.root(), "keys");
  if (keys == nullptr || keys->type != JsonType::kArray) return;
  for (const JsonNode* key = doc.FirstChild(*keys); key != nullptr;
       key = doc.NextSibling(*keys, key)) {
    const JsonNode* kty = doc.FindMember(*key, "kty");
    for (absl::string_view name : {"k", "d", "p", "q", "dp", "dq", "qi"}) {
      const JsonNode* m = doc.FindMember(*key, name);
      if (m == nullptr || m->type != JsonType::kString ||
          !LooksLikeKeyMaterial(m->text)) {
        continue;
      }
      if (kty != nullptr && absl::StrContains(kty->text, m->text)) continue;
      FUZZ_CHECK(!absl::StrContains(message, m->text));
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  const auto parsed = meshid::ParseJwks(input);
  if (!parsed.ok()) {
    FUZZ_CHECK(parsed.status().code() == absl::StatusCode::kInvalidArgument);
    CheckNoSecretIn(input, parsed.status().message());
    return 0;
  }
  const meshid::KeySet& set = **parsed;

  std::vector<meshid::PublicJwk> public_keys;
  set.ForEachKey([&](const meshid::VerificationKey& key) {
    FUZZ_CHECK(!key.kid.empty());
    FUZZ_CHECK(set.Find(key.kid) == &key);
    if (const auto* ed =
            absl::get_if<meshid::crypto::Ed25519PublicKey>(&key.material)) {
      FUZZ_CHECK(key.alg == meshid::Algorithm::kEdDsa);
      public_keys.push_back({key.kid, key.alg, ed->raw(), ""});
    } else if (const auto* es = absl::get_if<meshid::crypto::EcdsaP256PublicKey>(
                   &key.material)) {
      FUZZ_CHECK(key.alg == meshid::Algorithm::kEs256);
      public_keys.push_back({key.kid, key.alg, es->x(), es->y()});
    } else {
      FUZZ_CHECK(key.alg == meshid::Algorithm::kHs256);
      FUZZ_CHECK(absl::holds_alternative<meshid::crypto::HmacSha256Key>(
          key.material));
    }
  });

  const auto reread = meshid::ParseJwks(meshid::SerializePublicJwks(public_keys));
  FUZZ_CHECK(reread.ok());
  FUZZ_CHECK((*reread)->key_count() == public_keys.size());
  for (const meshid::PublicJwk& jwk : public_keys) {
    const meshid::VerificationKey* key = (*reread)->Find(jwk.kid);
    FUZZ_CHECK(key != nullptr && key->alg == jwk.alg);
    if (jwk.alg == meshid::Algorithm::kEdDsa) {
      FUZZ_CHECK(absl::get<meshid::crypto::Ed25519PublicKey>(key->material)
                     .raw() == jwk.x);
    } else {
      const auto& es =
          absl::get<meshid::crypto::EcdsaP256PublicKey>(key->material);
      FUZZ_CHECK(es.x() == jwk.x && es.y() == jwk.y);
    }
  }
  return 0;
}
