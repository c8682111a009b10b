// Why a token was refused: one enum, one stable snake_case name per value.
// Callers show one generic UNAUTHENTICATED message; the name goes to logs and
// to the `reason` label of metrics, so names never change once released.
#ifndef MESHID_COMMON_TOKEN_VERIFY_ERROR_H_
#define MESHID_COMMON_TOKEN_VERIFY_ERROR_H_

#include <cstdint>

#include "absl/strings/string_view.h"

namespace meshid {

// In the order TokenVerifier checks them (see token_verifier.h).
enum class VerifyError : uint8_t {
  kOk = 0,
  // 1. shape
  kTooLarge,   // too_large: longer than 8 KiB
  kMalformed,  // malformed: not exactly three dot-separated segments
  kBadBase64,  // bad_base64: a segment is not canonical base64url
  // 2. header
  kMalformedHeader,       // malformed_header: not a JSON object, or alg/kid/
                          // typ present but not strings
  kHeaderParamForbidden,  // header_param_forbidden: a member other than
                          // alg, kid, typ (jku, jwk, x5u, crit, b64, ...)
  kKidMissing,            // kid_missing
  // 3. key lookup
  kKidUnknown,  // kid_unknown: no key with these exact bytes
  kKeyRevoked,  // key_revoked: the key was revoked; all its tokens fail
  kKeyExpired,  // key_expired: a retired key past its verification window
  // 4. algorithm and signature
  kAlgKeyMismatch,  // alg_key_mismatch: "alg" is not the key's algorithm
  kBadSignature,    // bad_signature
  // 5. payload
  kMalformedPayload,  // malformed_payload: not a JSON object
  kDuplicateMember,   // duplicate_member: in the header or payload
  kTooDeep,           // too_deep: JSON nested deeper than 32 levels
  kTooManyMembers,    // too_many_members
  // 6. claims
  kTypMismatch,        // typ_mismatch: "typ" is not "at+jwt"
  kClaimMissing,       // claim_missing: a required claim is absent or empty
  kClaimType,          // claim_type: a claim has the wrong JSON type/range
  kIssMismatch,        // iss_mismatch
  kAudMismatch,        // aud_mismatch
  kClientKeyMismatch,  // client_key_mismatch: client_id is not the client
                       // the key is bound to
  kExpired,            // expired: now >= exp + skew
  kNotYetValid,        // not_yet_valid: now < nbf - skew, or iat in the future
  kLifetimeTooLong,    // lifetime_too_long: exp - iat above the maximum
  // 7. revocation
  kTokenRevoked,    // token_revoked: its jti is on the revocation list
  kSubjectRevoked,  // subject_revoked: issued before its subject's cut-off
};

inline constexpr int kVerifyErrorCount =
    static_cast<int>(VerifyError::kSubjectRevoked) + 1;

// The stable snake_case name of `error` ("ok" for kOk).
absl::string_view VerifyErrorName(VerifyError error);

}  // namespace meshid

#endif  // MESHID_COMMON_TOKEN_VERIFY_ERROR_H_
