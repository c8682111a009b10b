// The payload members meshid reads, as the claim checks see them. Filled
// either from a parsed JsonDocument (the general path, any valid payload) or
// by the profile scanner (claims_scanner.h, the common case), so both paths
// feed the very same checks and reach the same verdict.
//
// Views point into the payload buffer (or the document's unescape buffer)
// and are dead once that buffer is.
#ifndef MESHID_COMMON_TOKEN_CLAIM_SET_H_
#define MESHID_COMMON_TOKEN_CLAIM_SET_H_

#include <cstdint>
#include <vector>

#include "absl/strings/string_view.h"
#include "common/json/json_reader.h"

namespace meshid {

// One member: absent, or its JSON type and text.
struct Claim {
  bool present = false;
  json::JsonType type = json::JsonType::kNull;
  // kString: the unescaped value; kNumber: the literal as written.
  absl::string_view text;
  // Set by the profile scanner for a number of the form 0 or [1-9][0-9]{0,17}
  // (which always fits): its value, so the date checks need not re-read it.
  bool is_small_integer = false;
  int64_t integer = 0;
};

struct ClaimSet {
  Claim iss, sub, aud, exp, nbf, iat, jti, client_id, scope, roles, pst;
  // When `roles` is an array: whether every element is a string, and the
  // elements (filled only when they all are).
  bool roles_all_strings = true;
  std::vector<absl::string_view> role_names;

  // Empties the set; keeps role_names' buffer.
  void Clear();
};

// The member of `c` named `name`, or nullptr for a name meshid ignores.
Claim* ClaimSlot(absl::string_view name, ClaimSet* c);

// Fills `*out` from a parsed payload whose root is an object.
void ClaimSetFromDocument(const json::JsonDocument& doc, ClaimSet* out);

}  // namespace meshid

#endif  // MESHID_COMMON_TOKEN_CLAIM_SET_H_
