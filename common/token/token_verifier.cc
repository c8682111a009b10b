#include "common/token/token_verifier.h"

#include <optional>

#include "common/base64url.h"
#include "common/json/json_reader.h"
#include "common/token/algorithm.h"
#include "common/token/claim_set.h"
#include "common/token/claims_scanner.h"
#include "common/token/jws.h"
#include "common/token/numeric_date.h"
#include "common/token/token_signer.h"
#include "common/token/token_verifier_internal.h"

namespace meshid {
namespace {

using json::JsonDocument;
using json::JsonError;
using json::JsonNode;
using json::JsonType;

// Both documents and the claim set are reused per thread so that parsing
// allocates nothing once warm. Their views point into the caller's stack
// buffer and are dead after VerifyTokenInto returns; the next use clears
// them.
struct ThreadScratch {
  JsonDocument header;
  JsonDocument payload;
  ClaimSet claims;
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
// True when every byte is printable ASCII other than '"' and '\\': the bytes
// a JSON string holds as they are, meaning themselves.
bool AllPlain(absl::string_view s) {
  uint8_t bad = 0;  // branch-free: kids are short
  for (const char ch : s) {
    const auto c = static_cast<uint8_t>(ch);
    bad |= static_cast<uint8_t>((c < 0x20) | (c > 0x7e) | (c == '"') |
                                (c == '\\'));
  }
  return bad == 0;
}

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
  // The alg ends at the first '"' (it may hold none), which must open the
  // kid member.
  const size_t split = middle.find('"');
  if (split == absl::string_view::npos ||
      middle.substr(split, kKidOpen.size()) != kKidOpen) {
    return false;
  }
  const absl::string_view alg = middle.substr(0, split);
  const absl::string_view kid = middle.substr(split + kKidOpen.size());
  if (!AllPlain(alg) || !AllPlain(kid)) return false;
  header->alg = alg;
  header->kid = kid;
  header->typ = "at+jwt";
  header->has_alg = header->has_kid = header->has_typ = true;
  return true;
}

VerifyError ParseHeader(absl::string_view bytes, bool try_canonical,
                        JsonDocument& doc, Header* header) {
  if (try_canonical && MatchCanonicalHeader(bytes, header)) {
    return VerifyError::kOk;
  }
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

// A required string claim: absent or empty is claim_missing, another JSON
// type is claim_type.
VerifyError RequiredString(const Claim& claim, absl::string_view* out) {
  if (!claim.present) return VerifyError::kClaimMissing;
  if (claim.type != JsonType::kString) return VerifyError::kClaimType;
  if (claim.text.empty()) return VerifyError::kClaimMissing;
  *out = claim.text;
  return VerifyError::kOk;
}

VerifyError OptionalString(const Claim& claim, absl::string_view* out) {
  if (!claim.present) return VerifyError::kOk;
  if (claim.type != JsonType::kString) return VerifyError::kClaimType;
  *out = claim.text;
  return VerifyError::kOk;
}

// A NumericDate: any finite JSON number within int64 seconds. Strings,
// booleans, null and out-of-range numbers are claim_type.
VerifyError Date(const Claim& claim, std::optional<NumericDate>* out) {
  if (!claim.present) return VerifyError::kOk;
  if (claim.type != JsonType::kNumber) return VerifyError::kClaimType;
  // The scanner's small integers are exactly what Parse would return.
  *out = claim.is_small_integer ? NumericDate::FromUnixSeconds(claim.integer)
                                : NumericDate::Parse(claim.text);
  if (!out->has_value()) return VerifyError::kClaimType;
  return VerifyError::kOk;
}

#define MESHID_CHECK(expr)                               \
  do {                                                   \
    const VerifyError meshid_e_ = (expr);                \
    if (meshid_e_ != VerifyError::kOk) return meshid_e_; \
  } while (false)

// Step 5: the payload must be a JSON object within the limits, without
// duplicate members. The profile scanner vouches for that itself on the
// bytes meshid's signer writes; anything else takes the general reader.
VerifyError ReadClaims(absl::string_view payload, bool try_scanner,
                       ThreadScratch& scratch) {
  if (try_scanner && ScanProfileClaims(payload, &scratch.claims)) {
    return VerifyError::kOk;
  }
  JsonDocument& doc = scratch.payload;
  const JsonError json_error = doc.Parse(payload, TokenJsonLimits());
  if (json_error != JsonError::kNone) {
    return JsonFailure(json_error, VerifyError::kMalformedPayload);
  }
  if (doc.root().type != JsonType::kObject) {
    return VerifyError::kMalformedPayload;
  }
  ClaimSetFromDocument(doc, &scratch.claims);
  return VerifyError::kOk;
}

// Copies `from` into `to`, reusing the strings `to` already holds.
void AssignRoles(const std::vector<absl::string_view>& from,
                 std::vector<std::string>* to) {
  to->resize(from.size());
  for (size_t i = 0; i < from.size(); ++i) {
    (*to)[i].assign(from[i].data(), from[i].size());
  }
}

}  // namespace

namespace token_internal {

VerifyError VerifyTokenIntoWithPaths(absl::string_view token,
                                     const KeySet& keys,
                                     const VerifyPolicy& policy, absl::Time now,
                                     VerifyPaths paths, Principal* out) {
  // 1. Shape.
  if (token.size() > kMaxTokenBytes) return VerifyError::kTooLarge;
  // A token that is not in cache (one just read from a socket the parser
  // has not touched yet) costs a miss per 64-byte line; asking for every
  // line up front lets the misses overlap instead of queueing behind the
  // scan for the dots.
  for (size_t line = 0; line < token.size(); line += 64) {
    __builtin_prefetch(token.data() + line);
  }
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
                           paths.header_shortcut, scratch.header, &header));

  // 3. Key lookup, exact bytes, and the key's state.
  const VerificationKey* key = keys.Find(header.kid);
  if (key == nullptr) return VerifyError::kKidUnknown;
  if (key->state == KeyState::kRevoked) return VerifyError::kKeyRevoked;
  if (key->state == KeyState::kExpired || now >= key->verify_until) {
    return VerifyError::kKeyExpired;
  }

  // 4. Algorithm, then signature. Nothing below runs on unsigned bytes.
  if (!HeaderNamesAlgorithm(header.alg, key->alg)) {
    return VerifyError::kAlgKeyMismatch;
  }
  if (!VerifyJwsSignature(*key, signing_input,
                          absl::string_view(signature_bytes, signature_size))) {
    return VerifyError::kBadSignature;
  }

  // 5. Payload.
  MESHID_CHECK(ReadClaims(absl::string_view(payload_bytes, payload_size),
                          paths.claims_scanner, scratch));
  const ClaimSet& c = scratch.claims;

  // 6. Claims.
  if (!header.has_typ || header.typ != kAccessTokenType) {
    return VerifyError::kTypMismatch;
  }
  absl::string_view iss, sub, aud, jti, client_id, scope, pst;
  MESHID_CHECK(RequiredString(c.iss, &iss));
  MESHID_CHECK(RequiredString(c.sub, &sub));
  MESHID_CHECK(RequiredString(c.aud, &aud));
  if (!c.exp.present || !c.iat.present) return VerifyError::kClaimMissing;
  std::optional<NumericDate> exp, nbf, iat;
  MESHID_CHECK(Date(c.exp, &exp));
  MESHID_CHECK(Date(c.iat, &iat));
  MESHID_CHECK(RequiredString(c.jti, &jti));
  MESHID_CHECK(RequiredString(c.client_id, &client_id));
  MESHID_CHECK(Date(c.nbf, &nbf));
  MESHID_CHECK(OptionalString(c.scope, &scope));
  MESHID_CHECK(OptionalString(c.pst, &pst));
  if (c.roles.present &&
      (c.roles.type != JsonType::kArray || !c.roles_all_strings)) {
    return VerifyError::kClaimType;
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
  AssignRoles(c.role_names, &out->roles);
  out->issued_at = iat->ToTime();
  out->not_before.reset();
  if (nbf.has_value()) out->not_before = nbf->ToTime();
  out->expires_at = exp->ToTime();
  return VerifyError::kOk;
}

}  // namespace token_internal

VerifyError VerifyTokenInto(absl::string_view token, const KeySet& keys,
                            const VerifyPolicy& policy, absl::Time now,
                            Principal* out) {
  return token_internal::VerifyTokenIntoWithPaths(
      token, keys, policy, now, token_internal::VerifyPaths(), out);
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
