#include "common/token/token_verifier.h"

#include <optional>

#include "common/base64url.h"
#include "common/json/json_reader.h"
#include "common/token/algorithm.h"
#include "common/token/jws.h"
#include "common/token/numeric_date.h"
#include "common/token/token_signer.h"

namespace meshid {
namespace {

using json::JsonDocument;
using json::JsonError;
using json::JsonNode;
using json::JsonType;

// Both documents are reused per thread so that parsing allocates nothing
// once warm. Their views point into the caller's stack buffer and are dead
// after VerifyTokenInto returns; the next Parse clears them.
struct ThreadScratch {
  JsonDocument header;
  JsonDocument payload;
};
ThreadScratch& Scratch() {
  thread_local ThreadScratch scratch;
  return scratch;
}

json::JsonLimits TokenJsonLimits() {
  json::JsonLimits limits;
  limits.max_input_bytes = kMaxTokenBytes;
  limits.max_depth = kMaxTokenJsonDepth;
  limits.max_values = kMaxTokenJsonValues;
  return limits;
}

VerifyError JsonFailure(JsonError error, VerifyError syntax_error) {
  switch (error) {
    case JsonError::kDuplicateMember:
      return VerifyError::kDuplicateMember;
    case JsonError::kTooDeep:
      return VerifyError::kTooDeep;
    case JsonError::kTooManyValues:
      return VerifyError::kTooManyMembers;
    default:
      return syntax_error;
  }
}

struct Header {
  absl::string_view alg;
  absl::string_view kid;
  absl::string_view typ;
  bool has_alg = false;
  bool has_kid = false;
  bool has_typ = false;
};

// The header every meshid issuer writes, byte for byte:
//   {"alg":"<alg>","kid":"<kid>","typ":"at+jwt"}
// with a kid of printable ASCII other than '"' and '\\'. Such bytes are a
// JSON object with exactly these three string members, so matching them
// gives the very result the full parse would, without parsing. Anything
// else takes the full parse.
bool MatchCanonicalHeader(absl::string_view bytes, Header* header) {
  constexpr absl::string_view kAlgOpen = "{\"alg\":\"";
  constexpr absl::string_view kKidOpen = "\",\"kid\":\"";
  constexpr absl::string_view kTail = "\",\"typ\":\"at+jwt\"}";
  if (bytes.size() < kAlgOpen.size() + kKidOpen.size() + kTail.size() ||
      bytes.substr(0, kAlgOpen.size()) != kAlgOpen ||
      bytes.substr(bytes.size() - kTail.size()) != kTail) {
    return false;
  }
  const absl::string_view middle = bytes.substr(
      kAlgOpen.size(), bytes.size() - kAlgOpen.size() - kTail.size());
  const size_t split = middle.find(kKidOpen);
  if (split == absl::string_view::npos) return false;
  const absl::string_view alg = middle.substr(0, split);
  const absl::string_view kid = middle.substr(split + kKidOpen.size());
  for (absl::string_view part : {alg, kid}) {
    for (char c : part) {
      if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') return false;
    }
  }
  header->alg = alg;
  header->kid = kid;
  header->typ = "at+jwt";
  header->has_alg = header->has_kid = header->has_typ = true;
  return true;
}

VerifyError ParseHeader(absl::string_view bytes, JsonDocument& doc,
                        Header* header) {
  if (MatchCanonicalHeader(bytes, header)) return VerifyError::kOk;
  const JsonError error = doc.Parse(bytes, TokenJsonLimits());
  if (error != JsonError::kNone) {
    return JsonFailure(error, VerifyError::kMalformedHeader);
  }
  const JsonNode& root = doc.root();
  if (root.type != JsonType::kObject) return VerifyError::kMalformedHeader;
  // Only these three: a header that carries its own key (jwk), points at one
  // (jku, x5u, x5c), or changes how to read the token (crit, b64, cty, zip)
  // asks the validator to trust the token's own say-so.
  for (const JsonNode* m = doc.FirstChild(root); m != nullptr;
       m = doc.NextSibling(root, m)) {
    if (m->key == "alg") {
      header->alg = m->text;
      header->has_alg = true;
    } else if (m->key == "kid") {
      header->kid = m->text;
      header->has_kid = true;
    } else if (m->key == "typ") {
      header->typ = m->text;
      header->has_typ = true;
    } else {
      return VerifyError::kHeaderParamForbidden;
    }
    if (m->type != JsonType::kString) return VerifyError::kMalformedHeader;
  }
  if (!header->has_alg) return VerifyError::kMalformedHeader;
  if (!header->has_kid) return VerifyError::kKidMissing;
  return VerifyError::kOk;
}

// The payload members meshid reads; others are ignored (RFC 7519 section 4)
// but still had to pass the duplicate, depth and size checks.
struct ClaimNodes {
  const JsonNode* iss = nullptr;
  const JsonNode* sub = nullptr;
  const JsonNode* aud = nullptr;
  const JsonNode* exp = nullptr;
  const JsonNode* nbf = nullptr;
  const JsonNode* iat = nullptr;
  const JsonNode* jti = nullptr;
  const JsonNode* client_id = nullptr;
  const JsonNode* scope = nullptr;
  const JsonNode* roles = nullptr;
  const JsonNode* pst = nullptr;
};

// Dispatches on the name's length first: most names are three letters.
const JsonNode** ClaimSlot(absl::string_view k, ClaimNodes* c) {
  switch (k.size()) {
    case 3:
      if (k == "iss") return &c->iss;
      if (k == "sub") return &c->sub;
      if (k == "aud") return &c->aud;
      if (k == "exp") return &c->exp;
      if (k == "nbf") return &c->nbf;
      if (k == "iat") return &c->iat;
      if (k == "jti") return &c->jti;
      if (k == "pst") return &c->pst;
      return nullptr;
    case 5:
      if (k == "scope") return &c->scope;
      if (k == "roles") return &c->roles;
      return nullptr;
    case 9:
      return k == "client_id" ? &c->client_id : nullptr;
    default:
      return nullptr;
  }
}

void CollectClaims(const JsonDocument& doc, ClaimNodes* c) {
  const JsonNode& root = doc.root();
  for (const JsonNode* m = doc.FirstChild(root); m != nullptr;
       m = doc.NextSibling(root, m)) {
    if (const JsonNode** slot = ClaimSlot(m->key, c)) *slot = m;
  }
}

// A required string claim: absent or empty is claim_missing, another JSON
// type is claim_type.
VerifyError RequiredString(const JsonNode* node, absl::string_view* out) {
  if (node == nullptr) return VerifyError::kClaimMissing;
  if (node->type != JsonType::kString) return VerifyError::kClaimType;
  if (node->text.empty()) return VerifyError::kClaimMissing;
  *out = node->text;
  return VerifyError::kOk;
}

VerifyError OptionalString(const JsonNode* node, absl::string_view* out) {
  if (node == nullptr) return VerifyError::kOk;
  if (node->type != JsonType::kString) return VerifyError::kClaimType;
  *out = node->text;
  return VerifyError::kOk;
}

// A NumericDate: any finite JSON number within int64 seconds. Strings,
// booleans, null and out-of-range numbers are claim_type.
VerifyError Date(const JsonNode* node, std::optional<NumericDate>* out) {
  if (node == nullptr) return VerifyError::kOk;
  if (node->type != JsonType::kNumber) return VerifyError::kClaimType;
  *out = NumericDate::Parse(node->text);
  if (!out->has_value()) return VerifyError::kClaimType;
  return VerifyError::kOk;
}

#define MESHID_CHECK(expr)                               \
  do {                                                   \
    const VerifyError meshid_e_ = (expr);                \
    if (meshid_e_ != VerifyError::kOk) return meshid_e_; \
  } while (false)

}  // namespace

VerifyError VerifyTokenInto(absl::string_view token, const KeySet& keys,
                            const VerifyPolicy& policy, absl::Time now,
                            Principal* out) {
  // 1. Shape.
  if (token.size() > kMaxTokenBytes) return VerifyError::kTooLarge;
  const size_t dot1 = token.find('.');
  if (dot1 == absl::string_view::npos) return VerifyError::kMalformed;
  const size_t dot2 = token.find('.', dot1 + 1);
  if (dot2 == absl::string_view::npos ||
      token.find('.', dot2 + 1) != absl::string_view::npos) {
    return VerifyError::kMalformed;
  }
  const absl::string_view signing_input = token.substr(0, dot2);
  // One stack buffer holds all three decoded segments: their decoded sizes
  // add up to less than the token's size.
  char decoded[kMaxTokenBytes];
  size_t header_size = 0, payload_size = 0, signature_size = 0;
  char* const header_bytes = decoded;
  if (!Base64UrlDecode(token.substr(0, dot1), header_bytes, &header_size)) {
    return VerifyError::kBadBase64;
  }
  char* const payload_bytes = header_bytes + header_size;
  if (!Base64UrlDecode(token.substr(dot1 + 1, dot2 - dot1 - 1), payload_bytes,
                       &payload_size)) {
    return VerifyError::kBadBase64;
  }
  char* const signature_bytes = payload_bytes + payload_size;
  if (!Base64UrlDecode(token.substr(dot2 + 1), signature_bytes,
                       &signature_size)) {
    return VerifyError::kBadBase64;
  }

  // 2. Header.
  ThreadScratch& scratch = Scratch();
  Header header;
  MESHID_CHECK(ParseHeader(absl::string_view(header_bytes, header_size),
                           scratch.header, &header));

  // 3. Key lookup, exact bytes, and the key's state.
  const VerificationKey* key = keys.Find(header.kid);
  if (key == nullptr) return VerifyError::kKidUnknown;
  if (key->state == KeyState::kRevoked) return VerifyError::kKeyRevoked;
  if (key->state == KeyState::kExpired || now >= key->verify_until) {
    return VerifyError::kKeyExpired;
  }

  // 4. Algorithm, then signature.
  if (!HeaderNamesAlgorithm(header.alg, key->alg)) {
    return VerifyError::kAlgKeyMismatch;
  }
  if (!VerifyJwsSignature(*key, signing_input,
                          absl::string_view(signature_bytes, signature_size))) {
    return VerifyError::kBadSignature;
  }

  // 5. Payload.
  JsonDocument& doc = scratch.payload;
  const JsonError json_error = doc.Parse(
      absl::string_view(payload_bytes, payload_size), TokenJsonLimits());
  if (json_error != JsonError::kNone) {
    return JsonFailure(json_error, VerifyError::kMalformedPayload);
  }
  if (doc.root().type != JsonType::kObject) {
    return VerifyError::kMalformedPayload;
  }

  // 6. Claims.
  if (!header.has_typ || header.typ != kAccessTokenType) {
    return VerifyError::kTypMismatch;
  }
  ClaimNodes c;
  CollectClaims(doc, &c);
  absl::string_view iss, sub, aud, jti, client_id, scope, pst;
  MESHID_CHECK(RequiredString(c.iss, &iss));
  MESHID_CHECK(RequiredString(c.sub, &sub));
  MESHID_CHECK(RequiredString(c.aud, &aud));
  if (c.exp == nullptr || c.iat == nullptr) return VerifyError::kClaimMissing;
  std::optional<NumericDate> exp, nbf, iat;
  MESHID_CHECK(Date(c.exp, &exp));
  MESHID_CHECK(Date(c.iat, &iat));
  MESHID_CHECK(RequiredString(c.jti, &jti));
  MESHID_CHECK(RequiredString(c.client_id, &client_id));
  MESHID_CHECK(Date(c.nbf, &nbf));
  MESHID_CHECK(OptionalString(c.scope, &scope));
  MESHID_CHECK(OptionalString(c.pst, &pst));
  if (c.roles != nullptr) {
    if (c.roles->type != JsonType::kArray) return VerifyError::kClaimType;
    for (const JsonNode* r = doc.FirstChild(*c.roles); r != nullptr;
         r = doc.NextSibling(*c.roles, r)) {
      if (r->type != JsonType::kString) return VerifyError::kClaimType;
    }
  }

  if (iss != policy.issuer) return VerifyError::kIssMismatch;
  if (aud != policy.audience) return VerifyError::kAudMismatch;
  if (!key->audience.empty() && aud != key->audience) {
    return VerifyError::kAudMismatch;
  }
  // A pair key signs for one client only: a token naming another client was
  // not issued to the client that key belongs to.
  if (!key->client_id.empty() && client_id != key->client_id) {
    return VerifyError::kClientKeyMismatch;
  }

  const NumericDate::Ticks now_ticks = NumericDate::FromTime(now).ticks();
  const NumericDate::Ticks skew = NumericDate::DurationTicks(policy.clock_skew);
  if (!(now_ticks - skew < exp->ticks())) return VerifyError::kExpired;
  if (nbf.has_value() && now_ticks + skew < nbf->ticks()) {
    return VerifyError::kNotYetValid;
  }
  if (now_ticks + skew < iat->ticks()) return VerifyError::kNotYetValid;
  if (exp->ticks() - iat->ticks() >
      NumericDate::DurationTicks(policy.max_lifetime)) {
    return VerifyError::kLifetimeTooLong;
  }

  // 7. Revocation.
  if (keys.IsJtiRevoked(jti)) return VerifyError::kTokenRevoked;
  if (const auto cutoff = keys.SubjectRevokedBefore(sub);
      cutoff.has_value() &&
      iat->ticks() < NumericDate::FromTime(*cutoff).ticks()) {
    return VerifyError::kSubjectRevoked;
  }

  out->subject.assign(sub.data(), sub.size());
  out->client_id.assign(client_id.data(), client_id.size());
  out->audience.assign(aud.data(), aud.size());
  out->scope.assign(scope.data(), scope.size());
  out->state.assign(pst.data(), pst.size());
  out->jti.assign(jti.data(), jti.size());
  out->kid = key->kid;
  out->roles.clear();
  if (c.roles != nullptr) {
    for (const JsonNode* r = doc.FirstChild(*c.roles); r != nullptr;
         r = doc.NextSibling(*c.roles, r)) {
      out->roles.emplace_back(r->text);
    }
  }
  out->issued_at = iat->ToTime();
  out->not_before.reset();
  if (nbf.has_value()) out->not_before = nbf->ToTime();
  out->expires_at = exp->ToTime();
  return VerifyError::kOk;
}

VerifyResult VerifyToken(absl::string_view token, const KeySet& keys,
                         const VerifyPolicy& policy, absl::Time now) {
  Principal principal;
  const VerifyError error =
      VerifyTokenInto(token, keys, policy, now, &principal);
  if (error != VerifyError::kOk) return VerifyResult(error);
  return VerifyResult(std::move(principal));
}

}  // namespace meshid
