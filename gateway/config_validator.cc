#include "gateway/config_validator.h"

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace meshid::gateway {
namespace {

constexpr double kMaxRatePerSecond = 1e9;
constexpr size_t kMaxRoleBytes = 64;  // identity's role syntax
constexpr int kMaxReportedErrors = 20;

// Collects "<path>: <reason>" findings; the start is refused when any.
class Findings {
 public:
  void Error(absl::string_view path, absl::string_view reason) {
    errors_.push_back(absl::StrCat(path, ": ", reason));
  }
  void Warning(absl::string_view path, absl::string_view reason) {
    warnings_.push_back(absl::StrCat(path, ": ", reason));
  }
  bool ok() const { return errors_.empty(); }
  absl::Status ToStatus() const {
    std::vector<std::string> shown = errors_;
    if (shown.size() > kMaxReportedErrors) {
      const size_t more = shown.size() - kMaxReportedErrors;
      shown.resize(kMaxReportedErrors);
      shown.push_back(absl::StrCat("... and ", more, " more"));
    }
    return absl::InvalidArgumentError(absl::StrJoin(shown, "; "));
  }
  std::vector<std::string> TakeWarnings() { return std::move(warnings_); }

 private:
  std::vector<std::string> errors_;
  std::vector<std::string> warnings_;
};

bool IsPrintableAsciiWithoutSpace(absl::string_view s) {
  for (const char c : s) {
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  return true;
}

// RFC 6749 §3.3 scope-token: %x21 / %x23-5B / %x5D-7E.
bool IsScopeToken(absl::string_view s) {
  if (s.empty()) return false;
  for (const char c : s) {
    const bool ok =
        c == 0x21 || (c >= 0x23 && c <= 0x5b) || (c >= 0x5d && c <= 0x7e);
    if (!ok) return false;
  }
  return true;
}

// meshid role names: 1 to 64 characters from [a-z0-9:._-].
bool IsRoleName(absl::string_view s) {
  if (s.empty() || s.size() > kMaxRoleBytes) return false;
  for (const char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == ':' || c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string Quoted(absl::string_view s) {
  // Config values are not secrets, but they are bounded before being shown.
  if (s.size() > kMaxConfigStringBytes) {
    return absl::StrCat("\"", s.substr(0, 32), "...\"");
  }
  return absl::StrCat("\"", s, "\"");
}

// A name, address or audience: `required` ones must be non-empty; any must
// be at most 256 bytes of printable ASCII without whitespace.
void CheckToken(Findings& f, absl::string_view path, absl::string_view value,
                bool required) {
  if (value.empty()) {
    if (required) f.Error(path, "required");
    return;
  }
  if (value.size() > kMaxConfigStringBytes) {
    f.Error(path,
            absl::StrCat("longer than ", kMaxConfigStringBytes, " bytes"));
    return;
  }
  if (!IsPrintableAsciiWithoutSpace(value)) {
    f.Error(path, "must be printable ASCII without whitespace");
  }
}

enum class ZeroDuration { kAllowed, kRefused };

// A set Duration field: non-negative (and non-zero when refused), at most
// `max` when given. Returns the value, or `fallback` when unset or broken.
absl::Duration CheckDuration(Findings& f, absl::string_view path, bool has,
                             const google::protobuf::Duration& d,
                             absl::Duration fallback, ZeroDuration zero,
                             absl::Duration max = absl::InfiniteDuration()) {
  if (!has) return fallback;
  const absl::Duration value =
      absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
  if (value < absl::ZeroDuration()) {
    f.Error(path, "must not be negative");
    return fallback;
  }
  if (value == absl::ZeroDuration() && zero == ZeroDuration::kRefused) {
    f.Error(path, "must be positive (leave it unset for the default)");
    return fallback;
  }
  if (value > max) {
    f.Error(path, absl::StrCat("must be at most ", absl::FormatDuration(max),
                               ", got ", absl::FormatDuration(value)));
    return fallback;
  }
  return value;
}

RateLimitSettings CheckRateLimit(Findings& f, absl::string_view path,
                                 const v1::RateLimit& limit) {
  RateLimitSettings out;
  const double rate = limit.rate_per_second();
  if (!std::isfinite(rate) || rate < 0 || rate > kMaxRatePerSecond) {
    f.Error(absl::StrCat(path, ".rate_per_second"),
            "must be a number from 0 (unlimited) to 1e9");
    return out;
  }
  if (rate == 0) {
    if (limit.burst() != 0) {
      // Most likely a forgotten rate: refusing beats silently not limiting.
      f.Error(absl::StrCat(path, ".burst"),
              "set without rate_per_second (0 means unlimited)");
    }
    return out;
  }
  out.rate_per_second = rate;
  out.burst = limit.burst() != 0
                  ? limit.burst()
                  : static_cast<uint32_t>(std::max(1.0, std::ceil(rate)));
  return out;
}

void CheckScopes(Findings& f, absl::string_view path,
                 const google::protobuf::RepeatedPtrField<std::string>& in,
                 std::vector<std::string>* out) {
  for (int i = 0; i < in.size(); ++i) {
    const std::string& scope = in.Get(i);
    if (scope.size() > kMaxConfigStringBytes || !IsScopeToken(scope)) {
      f.Error(absl::StrCat(path, "[", i, "]"),
              "must be a scope-token (RFC 6749: printable ASCII, no space, "
              "quote or backslash; at most 256 bytes)");
      continue;
    }
    out->push_back(scope);
  }
}

void CheckIdentity(Findings& f, const v1::GatewayConfig& c,
                   GatewaySettings& s) {
  if (!c.has_identity()) {
    f.Error("identity", "required");
    return;
  }
  const v1::IdentityEndpoints& id = c.identity();
  CheckToken(f, "identity.address", id.address(), /*required=*/true);
  CheckToken(f, "identity.keyadmin_address", id.keyadmin_address(), true);
  CheckToken(f, "identity.keyadmin_audience", id.keyadmin_audience(), false);
  s.identity_address = id.address();
  s.keyadmin_address = id.keyadmin_address();
  if (!id.keyadmin_audience().empty()) {
    s.keyadmin_audience = id.keyadmin_audience();
  }
}

void CheckValidation(Findings& f, const v1::GatewayConfig& c,
                     GatewaySettings& s) {
  if (!c.has_validation()) {
    f.Error("validation", "required (issuer)");
    return;
  }
  const v1::TokenValidation& v = c.validation();
  if (v.issuer().empty()) {
    f.Error("validation.issuer", "required");
  } else if (v.issuer().size() > kMaxConfigStringBytes) {
    f.Error("validation.issuer", "longer than 256 bytes");
  }
  s.issuer = v.issuer();
  s.clock_skew = CheckDuration(f, "validation.clock_skew", v.has_clock_skew(),
                               v.clock_skew(), s.clock_skew,
                               ZeroDuration::kAllowed, kMaxClockSkew);
  s.max_token_lifetime = CheckDuration(
      f, "validation.max_token_lifetime", v.has_max_token_lifetime(),
      v.max_token_lifetime(), s.max_token_lifetime, ZeroDuration::kRefused,
      absl::Hours(24));
}

void CheckCredentials(Findings& f, const v1::GatewayConfig& c,
                      GatewaySettings& s) {
  if (!c.has_credentials()) {
    f.Error("credentials", "required (client_secret_file)");
    return;
  }
  const v1::ClientCredentials& cr = c.credentials();
  CheckToken(f, "credentials.client_id", cr.client_id(), false);
  s.client_id = cr.client_id().empty() ? c.name() : cr.client_id();
  if (!cr.client_id().empty() && !c.name().empty() &&
      cr.client_id() != c.name()) {
    f.Warning("credentials.client_id",
              absl::StrCat("differs from name ", Quoted(c.name()),
                           ": WatchKeys sends HS256 secrets only for the "
                           "watcher's own name, so HS256 tokens for ",
                           Quoted(c.name()), " cannot be verified"));
  }
  if (cr.client_secret_file().empty()) {
    f.Error("credentials.client_secret_file", "required");
  } else if (cr.client_secret_file().size() > 4096) {
    f.Error("credentials.client_secret_file", "path longer than 4096 bytes");
  }
  s.client_secret_file = cr.client_secret_file();
  s.refresh_before_expiry =
      CheckDuration(f, "credentials.refresh_before_expiry",
                    cr.has_refresh_before_expiry(), cr.refresh_before_expiry(),
                    s.refresh_before_expiry, ZeroDuration::kRefused);
}

void CheckAccessLog(Findings& f, const v1::GatewayConfig& c,
                    GatewaySettings& s) {
  const v1::AccessLogConfig& a = c.access_log();
  AccessLogSettings& out = s.access_log;
  CheckToken(f, "access_log.log_address", a.log_address(), false);
  CheckToken(f, "access_log.log_audience", a.log_audience(), false);
  out.log_address = a.log_address();
  if (!a.log_audience().empty()) out.log_audience = a.log_audience();
  if (a.queue_bound() > kMaxAccessLogQueueBound) {
    f.Error("access_log.queue_bound",
            absl::StrCat("must be at most ", kMaxAccessLogQueueBound));
  } else if (a.queue_bound() != 0) {
    out.queue_bound = a.queue_bound();
  }
  if (a.batch_size() > kMaxAppendBatch) {
    f.Error("access_log.batch_size",
            absl::StrCat("must be at most ", kMaxAppendBatch,
                         " (the Log.Append limit)"));
  } else if (a.batch_size() != 0) {
    out.batch_size = a.batch_size();
  }
  out.flush_interval =
      CheckDuration(f, "access_log.flush_interval", a.has_flush_interval(),
                    a.flush_interval(), out.flush_interval,
                    ZeroDuration::kRefused, absl::Minutes(10));
}

// Returns name -> index of the upstreams that passed.
absl::flat_hash_map<std::string, size_t> CheckUpstreams(
    Findings& f, const v1::GatewayConfig& c, GatewaySettings& s) {
  absl::flat_hash_map<std::string, size_t> by_name;
  for (int i = 0; i < c.upstreams_size(); ++i) {
    const v1::Upstream& u = c.upstreams(i);
    const std::string path = absl::StrCat("upstreams[", i, "]");
    CheckToken(f, path + ".name", u.name(), true);
    CheckToken(f, path + ".address", u.address(), true);
    CheckToken(f, path + ".audience", u.audience(), true);
    UpstreamSettings out;
    out.name = u.name();
    out.address = u.address();
    out.audience = u.audience();
    CheckScopes(f, path + ".scopes", u.scopes(), &out.scopes);
    if (!u.name().empty()) {
      auto [it, inserted] = by_name.emplace(u.name(), s.upstreams.size());
      if (!inserted) {
        f.Error(path + ".name",
                absl::StrCat("duplicate upstream ", Quoted(u.name()),
                             " (names must be unique)"));
        continue;
      }
    }
    s.upstreams.push_back(std::move(out));
  }
  return by_name;
}

void CheckRoutes(Findings& f, const v1::GatewayConfig& c,
                 const absl::flat_hash_map<std::string, size_t>& upstreams,
                 GatewaySettings& s) {
  if (c.routes_size() == 0) {
    f.Error("routes", "at least one route is required");
    return;
  }
  absl::flat_hash_map<std::string, int> prefixes;
  std::vector<bool> upstream_used(s.upstreams.size(), false);
  for (int i = 0; i < c.routes_size(); ++i) {
    const v1::Route& r = c.routes(i);
    const std::string path = absl::StrCat("routes[", i, "]");
    RouteSettings out;
    out.method_prefix = r.method_prefix();
    if (r.method_prefix().empty()) {
      f.Error(path + ".method_prefix", "required");
    } else if (r.method_prefix()[0] != '/') {
      f.Error(path + ".method_prefix",
              "must start with \"/\" (a full method is "
              "\"/package.Service/Method\")");
    } else {
      CheckToken(f, path + ".method_prefix", r.method_prefix(), true);
      auto [it, inserted] = prefixes.emplace(r.method_prefix(), i);
      if (!inserted) {
        f.Error(path + ".method_prefix",
                absl::StrCat("duplicate prefix ", Quoted(r.method_prefix()),
                             " (also routes[", it->second, "])"));
      }
    }
    if (r.upstream().empty()) {
      f.Error(path + ".upstream", "required");
    } else {
      auto it = upstreams.find(r.upstream());
      if (it == upstreams.end()) {
        f.Error(path + ".upstream",
                absl::StrCat("unknown upstream ", Quoted(r.upstream())));
      } else {
        out.upstream_index = it->second;
        upstream_used[it->second] = true;
      }
    }
    CheckScopes(f, path + ".required_scopes", r.required_scopes(),
                &out.required_scopes);
    for (int j = 0; j < r.required_roles_size(); ++j) {
      const std::string& role = r.required_roles(j);
      if (!IsRoleName(role)) {
        f.Error(absl::StrCat(path, ".required_roles[", j, "]"),
                "must be 1 to 64 characters from [a-z0-9:._-]");
        continue;
      }
      out.required_roles.push_back(role);
    }
    out.rate_limit = CheckRateLimit(f, path + ".rate_limit", r.rate_limit());
    s.routes.push_back(std::move(out));
  }
  for (size_t i = 0; i < s.upstreams.size(); ++i) {
    if (!upstream_used[i]) {
      f.Warning(absl::StrCat("upstreams[", i, "]"),
                absl::StrCat("upstream ", Quoted(s.upstreams[i].name),
                             " is not used by any route"));
    }
  }
}

void CheckLimits(Findings& f, const v1::GatewayConfig& c, GatewaySettings& s) {
  const v1::Limits& l = c.limits();
  s.per_subject = CheckRateLimit(f, "limits.per_subject", l.per_subject());
  const v1::AnomalyDetection& a = l.anomaly();
  AnomalySettings& out = s.anomaly;
  if (a.failed_validation_burst() > 1'000'000) {
    f.Error("limits.anomaly.failed_validation_burst",
            "must be at most 1000000");
  } else if (a.failed_validation_burst() != 0) {
    out.failed_validation_burst = a.failed_validation_burst();
  }
  out.failed_validation_window = CheckDuration(
      f, "limits.anomaly.failed_validation_window",
      a.has_failed_validation_window(), a.failed_validation_window(),
      out.failed_validation_window, ZeroDuration::kRefused, absl::Hours(24));
  out.block_duration =
      CheckDuration(f, "limits.anomaly.block_duration", a.has_block_duration(),
                    a.block_duration(), out.block_duration,
                    ZeroDuration::kRefused, absl::Hours(24 * 7));
  const double factor = a.rate_spike_factor();
  if (!std::isfinite(factor) || factor < 0 || (factor != 0 && factor <= 1) ||
      factor > 1e6) {
    f.Error("limits.anomaly.rate_spike_factor",
            "must be above 1 (0 means 5) and at most 1e6");
  } else if (factor != 0) {
    out.rate_spike_factor = factor;
  }
  out.rate_spike_window = CheckDuration(
      f, "limits.anomaly.rate_spike_window", a.has_rate_spike_window(),
      a.rate_spike_window(), out.rate_spike_window, ZeroDuration::kRefused,
      absl::Hours(24));
  out.rate_baseline_window = CheckDuration(
      f, "limits.anomaly.rate_baseline_window", a.has_rate_baseline_window(),
      a.rate_baseline_window(), out.rate_baseline_window,
      ZeroDuration::kRefused, absl::Hours(24 * 7));
  if (out.rate_baseline_window <= out.rate_spike_window) {
    f.Error("limits.anomaly.rate_baseline_window",
            absl::StrCat("must be longer than rate_spike_window (",
                         absl::FormatDuration(out.rate_spike_window), ")"));
  }
  if (a.rate_spike_min_calls() > 1'000'000'000) {
    f.Error("limits.anomaly.rate_spike_min_calls",
            "must be at most 1000000000");
  } else if (a.rate_spike_min_calls() != 0) {
    out.rate_spike_min_calls = a.rate_spike_min_calls();
  }
}

// Which tls files go together. The files themselves are read by
// gateway_tls.h (at start and by --check_config), which names the field
// and the file when one is missing or not PEM.
void CheckTls(Findings& f, const v1::GatewayConfig& c, GatewaySettings& s) {
  const v1::TlsOptions& t = c.tls();
  struct Path {
    const char* field;
    const std::string& value;
    std::string* out;
  };
  TlsSettings& out = s.tls;
  for (const Path& path : {
           Path{"tls.cert_file", t.cert_file(), &out.cert_file},
           Path{"tls.key_file", t.key_file(), &out.key_file},
           Path{"tls.client_ca_file", t.client_ca_file(), &out.client_ca_file},
           Path{"tls.upstream_ca_file", t.upstream_ca_file(),
                &out.upstream_ca_file},
           Path{"tls.client_cert_file", t.client_cert_file(),
                &out.client_cert_file},
           Path{"tls.client_key_file", t.client_key_file(),
                &out.client_key_file},
       }) {
    if (path.value.empty()) continue;
    if (path.value.size() > 4096 || absl::StrContains(path.value, '\0')) {
      f.Error(path.field, "must be a file path (at most 4096 bytes)");
      continue;
    }
    *path.out = path.value;
  }
  out.require_client_cert = t.require_client_cert();
  if (!t.cert_file().empty() && t.key_file().empty()) {
    f.Error("tls.key_file", "required with tls.cert_file");
  }
  if (t.cert_file().empty() && !t.key_file().empty()) {
    f.Error("tls.cert_file", "required with tls.key_file");
  }
  if (!t.client_ca_file().empty() && t.cert_file().empty()) {
    f.Error("tls.client_ca_file",
            "needs tls.cert_file and tls.key_file (client certificates are "
            "only asked for over TLS)");
  }
  if (t.require_client_cert() && t.client_ca_file().empty()) {
    f.Error("tls.require_client_cert",
            "needs tls.client_ca_file (the CA that signs callers' "
            "certificates)");
  }
  if (!t.client_cert_file().empty() && t.client_key_file().empty()) {
    f.Error("tls.client_key_file", "required with tls.client_cert_file");
  }
  if (t.client_cert_file().empty() && !t.client_key_file().empty()) {
    f.Error("tls.client_cert_file", "required with tls.client_key_file");
  }
  if (!t.client_ca_file().empty() && !t.require_client_cert()) {
    f.Warning("tls.require_client_cert",
              "false: callers without a certificate are still served "
              "(set it for mutual TLS)");
  }
}

}  // namespace

absl::StatusOr<GatewaySettings> ValidateGatewayConfig(
    const v1::GatewayConfig& c) {
  Findings f;
  GatewaySettings s;
  CheckToken(f, "listen_address", c.listen_address(), false);
  CheckToken(f, "http_listen_address", c.http_listen_address(), false);
  if (!c.listen_address().empty()) s.listen_address = c.listen_address();
  if (!c.http_listen_address().empty()) {
    s.http_listen_address = c.http_listen_address();
  }
  CheckToken(f, "name", c.name(), /*required=*/true);
  s.name = c.name();
  CheckIdentity(f, c, s);
  CheckValidation(f, c, s);
  CheckCredentials(f, c, s);
  CheckAccessLog(f, c, s);
  const absl::flat_hash_map<std::string, size_t> upstreams =
      CheckUpstreams(f, c, s);
  CheckRoutes(f, c, upstreams, s);
  CheckLimits(f, c, s);
  CheckTls(f, c, s);
  if (!f.ok()) return f.ToStatus();
  s.warnings = f.TakeWarnings();
  return s;
}

}  // namespace meshid::gateway
