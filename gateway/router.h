// Router: picks the route of a call by the longest method_prefix that
// prefixes its full method name ("/package.Service/Method").
//
//   Router router(settings.routes);
//   const int route = router.Match("/careergpt.v1.Resume/Get");
//   if (route == Router::kNoRoute) { /* UNIMPLEMENTED */ }
//
// Method names come from callers, so matching is bounded by the number of
// distinct prefix lengths (one hash lookup per length, longest first), not
// by the method or the number of routes, and nothing is cached per name.
#ifndef MESHID_GATEWAY_ROUTER_H_
#define MESHID_GATEWAY_ROUTER_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "gateway/gateway_settings.h"

namespace meshid::gateway {

class Router {
 public:
  static constexpr int kNoRoute = -1;

  // `routes` have unique prefixes (ValidateGatewayConfig checks that).
  explicit Router(const std::vector<RouteSettings>& routes);

  // The index into `routes` of the best match, or kNoRoute. Thread-safe
  // (read-only after construction); allocates nothing.
  int Match(absl::string_view method) const;

 private:
  struct PrefixesOfOneLength {
    size_t length;
    absl::flat_hash_map<std::string, int> route_by_prefix;
  };
  // Longest first.
  std::vector<PrefixesOfOneLength> by_length_;
};

}  // namespace meshid::gateway

#endif  // MESHID_GATEWAY_ROUTER_H_
