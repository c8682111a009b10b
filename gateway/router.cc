#include "gateway/router.h"

#include <algorithm>

namespace meshid::gateway {

Router::Router(const std::vector<RouteSettings>& routes) {
  for (int i = 0; i < static_cast<int>(routes.size()); ++i) {
    const std::string& prefix = routes[i].method_prefix;
    auto level = std::find_if(by_length_.begin(), by_length_.end(),
                              [&](const PrefixesOfOneLength& l) {
                                return l.length == prefix.size();
                              });
    if (level == by_length_.end()) {
      by_length_.push_back({prefix.size(), {}});
      level = by_length_.end() - 1;
    }
    level->route_by_prefix.emplace(prefix, i);
  }
  std::sort(by_length_.begin(), by_length_.end(),
            [](const PrefixesOfOneLength& a, const PrefixesOfOneLength& b) {
              return a.length > b.length;
            });
}

int Router::Match(absl::string_view method) const {
  for (const PrefixesOfOneLength& level : by_length_) {
    if (level.length > method.size()) continue;
    auto it = level.route_by_prefix.find(method.substr(0, level.length));
    if (it != level.route_by_prefix.end()) return it->second;
  }
  return kNoRoute;
}

}  // namespace meshid::gateway
