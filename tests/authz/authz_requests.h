// One request per RPC of the authorization matrix: minimal, valid-looking,
// and harmless when the caller is let in (an unknown name: NOT_FOUND; an
// invalid filter: INVALID_ARGUMENT; a stream refused after authorization),
// so every cell reads "refused" or "let in" without changing anything.
#ifndef MESHID_TESTS_AUTHZ_AUTHZ_REQUESTS_H_
#define MESHID_TESTS_AUTHZ_AUTHZ_REQUESTS_H_

#include <string>

#include "absl/strings/string_view.h"

namespace meshid::authz {

// Names the requests and the matrix's fixture share.
inline constexpr char kOtherAudience[] = "other-service";
inline constexpr char kUser[] = "authz-user";
inline constexpr char kUserPassword[] = "authz-user-password-0123";

// The serialized request for `method` ("/pkg.Service/Method"); `variant`
// picks between a method's rows ("" for most), `caller_index` keeps names
// the call may create distinct per caller. An unknown method adds a gtest
// failure and returns "".
std::string RequestFor(absl::string_view method, absl::string_view variant,
                       int caller_index);

}  // namespace meshid::authz

#endif  // MESHID_TESTS_AUTHZ_AUTHZ_REQUESTS_H_
