// The two forgeries of the authorization matrix. The attacker holds the
// HS256 key of one client B, as a validator does (WatchKeys hands a
// service the secrets of every pair whose audience it is), and tries to
// act as another client A:
//   SpeakForOther: a token signed with B's key under B's kid that claims
//     A (sub and client_id). DESIGN.md "Tokens" step 6: `client_id` must
//     equal the client the key is bound to, so this is client_key_mismatch
//     (or aud_mismatch where the key belongs to another audience).
//   ResignedWithOtherKey: A's kid in the header, signed with B's secret.
//     Step 4: the signature is checked with the key the kid names, never
//     another: bad_signature.
// Both are otherwise perfect: right issuer, audience, scope and times.
#ifndef MESHID_TESTS_AUTHZ_FORGED_TOKENS_H_
#define MESHID_TESTS_AUTHZ_FORGED_TOKENS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "tests/authz/authz_mesh.h"

namespace meshid::authz {

struct Impersonation {
  std::string issuer;
  std::string audience;
  std::string victim_client;  // A
  std::string scope;          // what the token claims to grant
};

absl::StatusOr<std::string> SpeakForOther(const Impersonation& claims,
                                          const HeldKey& held);

absl::StatusOr<std::string> ResignedWithOtherKey(const Impersonation& claims,
                                                 absl::string_view victim_kid,
                                                 const HeldKey& held);

// The `kid` of a compact JWT's header; empty when unreadable.
std::string KidOf(absl::string_view token);

// The `exp` claim of a compact JWT (whole seconds); 0 when unreadable.
int64_t ExpOf(absl::string_view token);

}  // namespace meshid::authz

#endif  // MESHID_TESTS_AUTHZ_FORGED_TOKENS_H_
