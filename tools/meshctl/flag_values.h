// Typed values of meshctl flags: durations, RFC 3339 times, limits, enums
// and key slots. Each returns nullopt (or the UNSPECIFIED value) when the
// flag is absent and INVALID_ARGUMENT naming the flag when its value is bad.
#ifndef MESHID_TOOLS_MESHCTL_FLAG_VALUES_H_
#define MESHID_TOOLS_MESHCTL_FLAG_VALUES_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/timestamp.pb.h"
#include "meshid/keyadmin/v1/keyadmin.pb.h"
#include "tools/meshctl/command_line.h"

namespace meshid::meshctl {

// "10s", "15m", "1h30m", "0", or a bare integer meaning seconds.
absl::StatusOr<std::optional<absl::Duration>> DurationFlag(
    const Flags& flags, absl::string_view name);

// As DurationFlag, restricted to whole non-negative seconds (the API's
// durations), as a proto Duration.
absl::StatusOr<std::optional<google::protobuf::Duration>> WholeSecondsFlag(
    const Flags& flags, absl::string_view name);

// An RFC 3339 time ("2024-05-01T12:00:00Z", "2024-05-01T14:00:00+02:00").
absl::StatusOr<std::optional<google::protobuf::Timestamp>> TimeFlag(
    const Flags& flags, absl::string_view name);

// --limit N with N > 0.
absl::StatusOr<std::optional<int64_t>> LimitFlag(const Flags& flags);

// An enum by its short name, case-insensitive ("active" for
// KEY_STATE_ACTIVE); 0 (UNSPECIFIED) when absent.
absl::StatusOr<int> EnumFlag(const Flags& flags, absl::string_view name,
                             const google::protobuf::EnumDescriptor* type);

// A signing algorithm: HS256, EdDSA or ES256 (any case).
absl::StatusOr<keyadmin::v1::KeyAlgorithm> AlgorithmFlag(
    const Flags& flags, absl::string_view name);

// The key slot named by --client C --audience A (an HS256 pair) or
// --issuer-alg EdDSA|ES256; nullopt when none of them is given. The pair
// flags go together and exclude --issuer-alg.
absl::StatusOr<std::optional<keyadmin::v1::KeySlot>> KeySlotFlags(
    const Flags& flags);

google::protobuf::Timestamp ToProtoTimestamp(absl::Time time);
absl::Time FromProtoTimestamp(const google::protobuf::Timestamp& timestamp);

}  // namespace meshid::meshctl

#endif  // MESHID_TOOLS_MESHCTL_FLAG_VALUES_H_
