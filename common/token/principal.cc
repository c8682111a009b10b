#include "common/token/principal.h"

#include <algorithm>

#include "absl/strings/str_split.h"

namespace meshid {

bool Principal::HasScope(absl::string_view wanted) const {
  if (wanted.empty()) return false;
  for (absl::string_view s : absl::StrSplit(scope, ' ', absl::SkipEmpty())) {
    if (s == wanted) return true;
  }
  return false;
}

bool Principal::HasRole(absl::string_view wanted) const {
  return std::find(roles.begin(), roles.end(), wanted) != roles.end();
}

}  // namespace meshid
