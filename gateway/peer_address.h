// The address part of a gRPC peer name, which is what anomaly detection
// keys on: a client reconnecting from a new port is the same peer.
//
//   PeerAddress("ipv4:10.0.0.7:51234")     == "10.0.0.7"
//   PeerAddress("ipv6:[::1]:51234")        == "::1"
//   PeerAddress("ipv6:%5B::1%5D:51234")    == "::1"
//   PeerAddress("unix:/run/gw.sock")       == "unix:/run/gw.sock"
#ifndef MESHID_GATEWAY_PEER_ADDRESS_H_
#define MESHID_GATEWAY_PEER_ADDRESS_H_

#include "absl/strings/string_view.h"

namespace meshid::gateway {

// A view into `peer`: the IP address without scheme and port, or `peer`
// itself when it is not an ipv4/ipv6 name.
absl::string_view PeerAddress(absl::string_view peer);

}  // namespace meshid::gateway

#endif  // MESHID_GATEWAY_PEER_ADDRESS_H_
