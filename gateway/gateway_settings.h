// GatewaySettings: the gateway's configuration after validation, with every
// default applied, in plain C++ types. Only ValidateGatewayConfig
// (config_validator.h) builds one; the rest of the gateway reads this and
// never the GatewayConfig proto, so each default is decided in one place
// (proto/meshid/gateway/v1/config.proto documents them).
//
//   absl::StatusOr<GatewaySettings> settings = LoadGatewayConfig(path);
//   if (!settings.ok()) { /* "routes[2].upstream: unknown upstream ..." */ }
//   for (const RouteSettings& route : settings->routes) { ... }
#ifndef MESHID_GATEWAY_GATEWAY_SETTINGS_H_
#define MESHID_GATEWAY_GATEWAY_SETTINGS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace meshid::gateway {

// A token bucket. rate_per_second == 0 means unlimited.
struct RateLimitSettings {
  double rate_per_second = 0;
  // Capacity; max(1, ceil(rate)) when the config left it 0.
  uint32_t burst = 0;

  bool limited() const { return rate_per_second > 0; }
};

struct UpstreamSettings {
  std::string name;
  std::string address;
  // `aud` of the token the gateway presents to this upstream.
  std::string audience;
  // Scopes requested for that token; empty means the policy's default.
  std::vector<std::string> scopes;
};

struct RouteSettings {
  std::string method_prefix;
  // Index into GatewaySettings::upstreams.
  size_t upstream_index = 0;
  std::vector<std::string> required_scopes;
  std::vector<std::string> required_roles;
  RateLimitSettings rate_limit;
};

struct AnomalySettings {
  uint32_t failed_validation_burst = 20;
  absl::Duration failed_validation_window = absl::Seconds(10);
  absl::Duration block_duration = absl::Seconds(60);
  double rate_spike_factor = 5;
  absl::Duration rate_spike_window = absl::Seconds(10);
  absl::Duration rate_baseline_window = absl::Minutes(10);
  uint32_t rate_spike_min_calls = 20;
};

struct AccessLogSettings {
  // Empty: entries go to stderr only.
  std::string log_address;
  std::string log_audience = "logging-service";
  uint32_t queue_bound = 10000;
  uint32_t batch_size = 200;
  absl::Duration flush_interval = absl::Seconds(1);

  bool shipping() const { return !log_address.empty(); }
};

// The tls section's file paths (proto TlsOptions); empty when unset.
struct TlsSettings {
  std::string cert_file;
  std::string key_file;
  std::string client_ca_file;
  bool require_client_cert = false;
  std::string upstream_ca_file;
  std::string client_cert_file;
  std::string client_key_file;

  bool serves_tls() const { return !cert_file.empty(); }
  bool dials_tls() const {
    return !upstream_ca_file.empty() || !client_cert_file.empty();
  }
};

struct GatewaySettings {
  std::string listen_address = "0.0.0.0:50050";
  std::string http_listen_address = "0.0.0.0:9100";
  // The gateway's own service name: the audience callers' tokens carry.
  std::string name;

  std::string identity_address;
  std::string keyadmin_address;
  std::string keyadmin_audience = "meshid-keyadmin";

  std::string issuer;
  absl::Duration clock_skew = absl::Seconds(30);
  absl::Duration max_token_lifetime = absl::Hours(1);

  std::string client_id;
  std::string client_secret_file;
  // Cached upstream tokens are refreshed this long before they expire, or
  // at half their lifetime when that comes first.
  absl::Duration refresh_before_expiry = absl::Seconds(60);

  AccessLogSettings access_log;
  std::vector<UpstreamSettings> upstreams;
  std::vector<RouteSettings> routes;
  RateLimitSettings per_subject;
  AnomalySettings anomaly;
  TlsSettings tls;

  // Findings that do not stop the start ("should" rules of the schema),
  // for main to log.
  std::vector<std::string> warnings;
};

}  // namespace meshid::gateway

#endif  // MESHID_GATEWAY_GATEWAY_SETTINGS_H_
