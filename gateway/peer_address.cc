#include "gateway/peer_address.h"

#include "absl/strings/match.h"
#include "absl/strings/strip.h"

namespace meshid::gateway {

absl::string_view PeerAddress(absl::string_view peer) {
  absl::string_view rest = peer;
  if (absl::ConsumePrefix(&rest, "ipv4:")) {
    const size_t colon = rest.rfind(':');
    return colon == absl::string_view::npos ? rest : rest.substr(0, colon);
  }
  if (absl::ConsumePrefix(&rest, "ipv6:")) {
    // "[addr]:port", with the brackets possibly percent-encoded.
    if (absl::ConsumePrefix(&rest, "[")) {
      const size_t close = rest.find(']');
      if (close != absl::string_view::npos) return rest.substr(0, close);
    } else if (absl::ConsumePrefix(&rest, "%5B") ||
               absl::ConsumePrefix(&rest, "%5b")) {
      size_t close = rest.find("%5D");
      if (close == absl::string_view::npos) close = rest.find("%5d");
      if (close != absl::string_view::npos) return rest.substr(0, close);
    }
    return peer;
  }
  return peer;
}

}  // namespace meshid::gateway
