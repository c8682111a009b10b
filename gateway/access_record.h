// AccessRecord: one access-log or audit event of the gateway, as the
// request path hands it to the access-log queue. Plain data; the background
// shipper turns it into a JSON line on stderr and a Log.Append entry
// (access_log_format.h).
//
// The string_view members point into GatewaySettings or at static reason
// names, which live as long as the process; the strings are copied per call
// into queue slots that keep their capacity, so a warm queue allocates
// nothing.
#ifndef MESHID_GATEWAY_ACCESS_RECORD_H_
#define MESHID_GATEWAY_ACCESS_RECORD_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace meshid::gateway {

enum class RecordKind : uint8_t {
  kAccess,  // one call, allowed or denied
  kAudit,   // an anomaly: a peer blocked, a subject's rate spike
};

struct AccessRecord {
  RecordKind kind = RecordKind::kAccess;
  absl::Time time;             // when the call arrived / the event happened
  int64_t latency_ns = 0;      // arrival to completion (kAccess)
  int status_code = 0;         // gRPC canonical code (kAccess)
  std::string method;          // full method (kAccess)
  std::string peer;            // as gRPC names it, e.g. "ipv4:10.0.0.7:5123"
  std::string subject;         // verified `sub`; empty when none
  std::string client_id;       // verified `client_id`; empty when none
  absl::string_view route;     // the route's method_prefix; empty: none
  absl::string_view upstream;  // the upstream's name; empty: none
  // Denials: the stable reason ("missing_scope", "expired", ...). Audit
  // events: the event ("peer_blocked", "rate_spike"). Empty otherwise.
  absl::string_view reason;
  // Audit events: what happened, in words and numbers. Never a secret.
  std::string detail;
};

}  // namespace meshid::gateway

#endif  // MESHID_GATEWAY_ACCESS_RECORD_H_
