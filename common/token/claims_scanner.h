// A one-pass scanner for the payloads meshid's own signer writes, so that
// verifying the common token needs no general JSON parse.
//
// It accepts only a subset of JSON, and only when it can vouch for the
// verdict the general reader (json_reader.h, with the verifier's limits)
// would give:
//
//   {"name":value,...}   no whitespace anywhere, nothing after the '}';
//   name                 one of the claims meshid reads (claim_set.h), each
//                        at most once;
//   value                a string of printable ASCII without escapes
//                        (0x20-0x7F other than '"' and '\'), an integer
//                        0 or [1-9][0-9]{0,17}, or an array of such strings;
//   at most kMaxTokenJsonValues values in all (the root counts).
//
// Such bytes are a valid JSON object without duplicates, within every
// limit, whose members and texts are exactly what the general reader would
// produce. For anything else (whitespace, escapes, UTF-8, other names,
// repeated names, other numbers or types, nesting) the scanner declines and
// the caller must take the general reader, which then decides: the scanner
// never rejects a token itself.
#ifndef MESHID_COMMON_TOKEN_CLAIMS_SCANNER_H_
#define MESHID_COMMON_TOKEN_CLAIMS_SCANNER_H_

#include "absl/strings/string_view.h"
#include "common/token/claim_set.h"

namespace meshid {

// Fills `*out` and returns true when `payload` lies in the subset above;
// returns false (with `*out` unspecified) otherwise.
[[nodiscard]] bool ScanProfileClaims(absl::string_view payload, ClaimSet* out);

}  // namespace meshid

#endif  // MESHID_COMMON_TOKEN_CLAIMS_SCANNER_H_
