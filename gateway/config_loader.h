// Reads the gateway's JSON config file and the client secret file it names.
//
//   absl::StatusOr<GatewaySettings> settings = LoadGatewayConfig(path);
//   if (!settings.ok()) return Fail(settings.status());  // field and reason
//   absl::StatusOr<ClientSecret> secret =
//       ReadClientSecretFile(settings->client_secret_file);
//
// The config is parsed with google::protobuf::util::JsonStringToMessage with
// unknown fields rejected (a typo fails the start instead of being
// ignored), then checked by ValidateGatewayConfig.
#ifndef MESHID_GATEWAY_CONFIG_LOADER_H_
#define MESHID_GATEWAY_CONFIG_LOADER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/crypto/secret_bytes.h"
#include "gateway/gateway_settings.h"

namespace meshid::gateway {

inline constexpr size_t kMaxConfigFileBytes = 1 << 20;
inline constexpr size_t kMaxClientSecretBytes = 1024;

// Parses and validates JSON text. INVALID_ARGUMENT with the field path and
// reason (or the JSON parser's message) when it is not a valid config.
absl::StatusOr<GatewaySettings> ParseGatewayConfig(absl::string_view json);

// Reads `path` (at most 1 MiB) and parses it. NOT_FOUND/PERMISSION_DENIED
// when it cannot be read; errors are prefixed with the path.
absl::StatusOr<GatewaySettings> LoadGatewayConfig(const std::string& path);

struct ClientSecret {
  crypto::SecretBytes secret;
  // The file can be read by group or others (it should be mode 0600).
  bool too_permissive = false;
};

// Reads the one-line secret (a trailing "\n" or "\r\n" is stripped; 1 to
// 1024 bytes, no other line break). Errors name the path, never the
// content.
absl::StatusOr<ClientSecret> ReadClientSecretFile(const std::string& path);

}  // namespace meshid::gateway

#endif  // MESHID_GATEWAY_CONFIG_LOADER_H_
