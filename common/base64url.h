// Strict base64url (RFC 4648 section 5) as JWS compact serialization needs it.
//
// Decoding accepts exactly one spelling of each byte string: the URL-safe
// alphabet only (no '+', '/', '=' padding, whitespace or line breaks), no
// length of the form 4k+1, and the unused low bits of the final character must
// be zero. Two different strings never decode to the same bytes, so a token
// cannot be re-spelled without changing its signed input.
//
//   std::string bytes;
//   if (!Base64UrlDecode(segment, &bytes)) return VerifyError::kBadBase64;
#ifndef MESHID_COMMON_BASE64URL_H_
#define MESHID_COMMON_BASE64URL_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"

namespace meshid {

// Upper bound of the decoded size of `encoded_size` characters.
constexpr size_t Base64UrlMaxDecodedSize(size_t encoded_size) {
  return encoded_size / 4 * 3 + 2;
}

// Decodes `in` strictly into `out` (replacing its contents). Returns false,
// with `out` unspecified, when `in` is not canonical unpadded base64url.
[[nodiscard]] bool Base64UrlDecode(absl::string_view in, std::string* out);

// Decodes `in` strictly into `out`, which has room for at least
// Base64UrlMaxDecodedSize(in.size()) bytes; stores the length in `*out_size`.
// Returns false, with the contents of `out` unspecified (bytes may have been
// written), when `in` is not canonical unpadded base64url.
[[nodiscard]] bool Base64UrlDecode(absl::string_view in, char* out,
                                   size_t* out_size);

// Appends the unpadded base64url encoding of `in` to `out`.
void Base64UrlEncodeAppend(absl::string_view in, std::string* out);

// Returns the unpadded base64url encoding of `in`.
std::string Base64UrlEncode(absl::string_view in);

}  // namespace meshid

#endif  // MESHID_COMMON_BASE64URL_H_
