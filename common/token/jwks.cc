#include "common/token/jwks.h"

#include "absl/strings/str_cat.h"
#include "common/base64url.h"
#include "common/json/json_reader.h"
#include "common/json/json_writer.h"
#include "common/status_macros.h"

namespace meshid {
namespace {

using json::JsonDocument;
using json::JsonNode;
using json::JsonType;

class KeyReader {
 public:
  KeyReader(const JsonDocument& doc, const JsonNode& key, size_t index)
      : doc_(doc), key_(key), where_(absl::StrCat("keys[", index, "]")) {}

  absl::Status Error(absl::string_view what) const {
    return absl::InvalidArgumentError(absl::StrCat(where_, ": ", what));
  }

  // A required string member.
  absl::StatusOr<absl::string_view> String(absl::string_view name) const {
    const JsonNode* m = doc_.FindMember(key_, name);
    if (m == nullptr) {
      return Error(absl::StrCat("missing member '", name, "'"));
    }
    if (m->type != JsonType::kString) {
      return Error(absl::StrCat("member '", name, "' must be a string"));
    }
    return m->text;
  }

  bool Has(absl::string_view name) const {
    return doc_.FindMember(key_, name) != nullptr;
  }

  // A required base64url member; when `size` is nonzero it must decode to
  // exactly that many bytes.
  absl::StatusOr<std::string> Bytes(absl::string_view name, size_t size) const {
    ASSIGN_OR_RETURN(absl::string_view text, String(name));
    std::string bytes;
    if (!Base64UrlDecode(text, &bytes) || (size != 0 && bytes.size() != size)) {
      return Error(absl::StrCat(
          "member '", name, "' must be ",
          size != 0 ? absl::StrCat(size, " bytes of ") : std::string(),
          "unpadded base64url"));
    }
    return bytes;
  }

  absl::Status ExpectString(absl::string_view name,
                            absl::string_view expected) const {
    ASSIGN_OR_RETURN(absl::string_view value, String(name));
    if (value != expected) {
      return Error(
          absl::StrCat("member '", name, "' must be \"", expected, "\""));
    }
    return absl::OkStatus();
  }

 private:
  const JsonDocument& doc_;
  const JsonNode& key_;
  std::string where_;
};

absl::StatusOr<VerificationKey> ReadKey(const KeyReader& r) {
  ASSIGN_OR_RETURN(absl::string_view kty, r.String("kty"));
  ASSIGN_OR_RETURN(absl::string_view kid_view, r.String("kid"));
  if (kid_view.empty()) return r.Error("member 'kid' must not be empty");
  std::string kid(kid_view);
  ASSIGN_OR_RETURN(absl::string_view alg_name, r.String("alg"));
  if (r.Has("use")) RETURN_IF_ERROR(r.ExpectString("use", "sig"));
  const std::optional<Algorithm> alg = ParseAlgorithm(alg_name);

  if (kty == "oct") {
    if (alg != Algorithm::kHs256) {
      return r.Error("an 'oct' key must have alg \"HS256\"");
    }
    ASSIGN_OR_RETURN(std::string secret, r.Bytes("k", 0));
    std::string client_id;
    if (r.Has("client_id")) {
      ASSIGN_OR_RETURN(absl::string_view c, r.String("client_id"));
      client_id = std::string(c);
    }
    auto key = VerificationKey::Hs256(std::move(kid), secret, client_id, "");
    if (!key.ok()) return r.Error(key.status().message());
    return key;
  }
  for (absl::string_view private_member : {"d", "p", "q", "dp", "dq", "qi"}) {
    if (r.Has(private_member)) {
      return r.Error(absl::StrCat("private member '", private_member,
                                  "' is not allowed in a verification key "
                                  "set"));
    }
  }
  if (kty == "OKP") {
    RETURN_IF_ERROR(r.ExpectString("crv", "Ed25519"));
    if (alg != Algorithm::kEdDsa) {
      return r.Error("an Ed25519 key must have alg \"EdDSA\" or \"Ed25519\"");
    }
    ASSIGN_OR_RETURN(std::string x, r.Bytes("x", 32));
    auto key = VerificationKey::Ed25519(std::move(kid), x);
    if (!key.ok()) return r.Error(key.status().message());
    return key;
  }
  if (kty == "EC") {
    RETURN_IF_ERROR(r.ExpectString("crv", "P-256"));
    if (alg != Algorithm::kEs256) {
      return r.Error("a P-256 key must have alg \"ES256\"");
    }
    ASSIGN_OR_RETURN(std::string x, r.Bytes("x", 32));
    ASSIGN_OR_RETURN(std::string y, r.Bytes("y", 32));
    auto key = VerificationKey::Es256(std::move(kid), x, y);
    if (!key.ok()) return r.Error(key.status().message());
    return key;
  }
  return r.Error(
      absl::StrCat("unsupported kty \"", kty, "\" (expected oct, OKP or EC)"));
}

}  // namespace

absl::StatusOr<std::shared_ptr<const KeySet>> ParseJwks(
    absl::string_view json_text) {
  json::JsonLimits limits;
  limits.max_input_bytes = kMaxJwksBytes;
  limits.max_depth = 8;
  limits.max_values = 1 << 20;
  JsonDocument doc;
  const json::JsonError error = doc.Parse(json_text, limits);
  if (error != json::JsonError::kNone) {
    return absl::InvalidArgumentError(
        absl::StrCat("key set is not valid JSON (", JsonErrorName(error), ")"));
  }
  const JsonNode* keys = doc.FindMember(doc.root(), "keys");
  if (keys == nullptr || keys->type != JsonType::kArray) {
    return absl::InvalidArgumentError(
        "key set must be an object with a 'keys' array");
  }
  KeySet::Builder builder;
  absl::flat_hash_map<std::string, size_t> seen;
  size_t index = 0;
  for (const JsonNode* k = doc.FirstChild(*keys); k != nullptr;
       k = doc.NextSibling(*keys, k), ++index) {
    if (k->type != JsonType::kObject) {
      return absl::InvalidArgumentError(
          absl::StrCat("keys[", index, "]: must be an object"));
    }
    ASSIGN_OR_RETURN(VerificationKey key, ReadKey(KeyReader(doc, *k, index)));
    auto [it, inserted] = seen.emplace(key.kid, index);
    if (!inserted) {
      return absl::InvalidArgumentError(absl::StrCat(
          "keys[", index, "]: kid already used by keys[", it->second, "]"));
    }
    builder.AddKey(std::move(key));
  }
  return std::move(builder).Build();
}

std::string SerializePublicJwks(const std::vector<PublicJwk>& keys) {
  std::string out = "{\"keys\":[";
  bool first = true;
  for (const PublicJwk& key : keys) {
    if (!first) out.push_back(',');
    first = false;
    json::ObjectWriter w(&out);
    if (key.alg == Algorithm::kEs256) {
      w.String("kty", "EC").String("crv", "P-256");
    } else {
      w.String("kty", "OKP").String("crv", "Ed25519");
    }
    w.String("kid", key.kid)
        .String("alg", AlgorithmName(key.alg))
        .String("use", "sig")
        .String("x", Base64UrlEncode(key.x));
    if (key.alg == Algorithm::kEs256) w.String("y", Base64UrlEncode(key.y));
    w.Close();
  }
  out += "]}";
  return out;
}

}  // namespace meshid
