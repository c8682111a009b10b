#include "common/token/verify_error.h"

namespace meshid {

absl::string_view VerifyErrorName(VerifyError error) {
  switch (error) {
    case VerifyError::kOk:
      return "ok";
    case VerifyError::kTooLarge:
      return "too_large";
    case VerifyError::kMalformed:
      return "malformed";
    case VerifyError::kBadBase64:
      return "bad_base64";
    case VerifyError::kMalformedHeader:
      return "malformed_header";
    case VerifyError::kHeaderParamForbidden:
      return "header_param_forbidden";
    case VerifyError::kKidMissing:
      return "kid_missing";
    case VerifyError::kKidUnknown:
      return "kid_unknown";
    case VerifyError::kKeyRevoked:
      return "key_revoked";
    case VerifyError::kKeyExpired:
      return "key_expired";
    case VerifyError::kAlgKeyMismatch:
      return "alg_key_mismatch";
    case VerifyError::kBadSignature:
      return "bad_signature";
    case VerifyError::kMalformedPayload:
      return "malformed_payload";
    case VerifyError::kDuplicateMember:
      return "duplicate_member";
    case VerifyError::kTooDeep:
      return "too_deep";
    case VerifyError::kTooManyMembers:
      return "too_many_members";
    case VerifyError::kTypMismatch:
      return "typ_mismatch";
    case VerifyError::kClaimMissing:
      return "claim_missing";
    case VerifyError::kClaimType:
      return "claim_type";
    case VerifyError::kIssMismatch:
      return "iss_mismatch";
    case VerifyError::kAudMismatch:
      return "aud_mismatch";
    case VerifyError::kClientKeyMismatch:
      return "client_key_mismatch";
    case VerifyError::kExpired:
      return "expired";
    case VerifyError::kNotYetValid:
      return "not_yet_valid";
    case VerifyError::kLifetimeTooLong:
      return "lifetime_too_long";
    case VerifyError::kTokenRevoked:
      return "token_revoked";
    case VerifyError::kSubjectRevoked:
      return "subject_revoked";
  }
  return "unknown";
}

}  // namespace meshid
