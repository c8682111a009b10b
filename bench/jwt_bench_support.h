// What jwt_bench's files share: fail-fast helpers for setting up
// benchmark data (a benchmark with broken inputs must not print numbers).
#ifndef MESHID_BENCH_JWT_BENCH_SUPPORT_H_
#define MESHID_BENCH_JWT_BENCH_SUPPORT_H_

#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "common/base64url.h"
#include "common/crypto/random.h"

namespace meshid::jwtbench {

[[noreturn]] inline void Die(absl::string_view what) {
  std::fprintf(stderr, "jwt_bench: %.*s\n", static_cast<int>(what.size()),
               what.data());
  std::abort();
}

template <typename T>
T Must(absl::StatusOr<T> v, absl::string_view what) {
  if (!v.ok()) Die(absl::StrFormat("%s: %s", what, v.status().ToString()));
  return *std::move(v);
}

inline std::string RandomKid() {
  return Base64UrlEncode(Must(crypto::RandomBytes(16), "random kid"));
}

}  // namespace meshid::jwtbench

#endif  // MESHID_BENCH_JWT_BENCH_SUPPORT_H_
