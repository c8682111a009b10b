// Checks a parsed GatewayConfig against every rule its schema states
// (proto/meshid/gateway/v1/config.proto) and applies the documented
// defaults. A config that breaks a rule is refused as a whole: the error
// names each offending field by its path and says why, e.g.
//
//   routes[2].upstream: unknown upstream "logz"
//   validation.clock_skew: must be at most 300s, got 600s
//   tls.key_file: required with tls.cert_file
//
//   meshid::gateway::v1::GatewayConfig config = ...;  // JsonStringToMessage
//   absl::StatusOr<GatewaySettings> settings = ValidateGatewayConfig(config);
//
// Beyond the schema's own rules, strings and numbers are bounded (names and
// addresses at most 256 bytes without whitespace, scopes as RFC 6749
// scope-tokens, roles as meshid role names, queue_bound at most 1,000,000)
// so that nothing unbounded reaches a metric label or an allocation.
#ifndef MESHID_GATEWAY_CONFIG_VALIDATOR_H_
#define MESHID_GATEWAY_CONFIG_VALIDATOR_H_

#include "absl/status/statusor.h"
#include "gateway/gateway_settings.h"
#include "meshid/gateway/v1/config.pb.h"

namespace meshid::gateway {

inline constexpr size_t kMaxConfigStringBytes = 256;
inline constexpr uint32_t kMaxAccessLogQueueBound = 1'000'000;
inline constexpr uint32_t kMaxAppendBatch = 1000;  // Log.Append's limit
inline constexpr absl::Duration kMaxClockSkew = absl::Seconds(300);

// The settings with defaults applied, or INVALID_ARGUMENT listing every
// broken rule ("<field path>: <reason>", joined by "; ").
absl::StatusOr<GatewaySettings> ValidateGatewayConfig(
    const v1::GatewayConfig& config);

}  // namespace meshid::gateway

#endif  // MESHID_GATEWAY_CONFIG_VALIDATOR_H_
