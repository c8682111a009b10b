#include "tools/meshctl/flag_values.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "tools/meshctl/enum_names.h"

namespace meshid::meshctl {

absl::StatusOr<std::optional<absl::Duration>> DurationFlag(
    const Flags& flags, absl::string_view name) {
  std::optional<std::string> text = flags.Get(name);
  if (!text.has_value()) return std::optional<absl::Duration>();
  absl::Duration duration;
  int64_t seconds;
  if (absl::SimpleAtoi(*text, &seconds)) {
    duration = absl::Seconds(seconds);
  } else if (!absl::ParseDuration(*text, &duration) ||
             duration == absl::InfiniteDuration() ||
             duration == -absl::InfiniteDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", name, " must be a duration such as 30s, 15m or ",
                     "1h30m, got '", *text, "'"));
  }
  return std::optional<absl::Duration>(duration);
}

absl::StatusOr<std::optional<google::protobuf::Duration>> WholeSecondsFlag(
    const Flags& flags, absl::string_view name) {
  ASSIGN_OR_RETURN(std::optional<absl::Duration> duration,
                   DurationFlag(flags, name));
  if (!duration.has_value()) return std::optional<google::protobuf::Duration>();
  if (*duration < absl::ZeroDuration() ||
      absl::Trunc(*duration, absl::Seconds(1)) != *duration) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", name, " must be whole seconds, not negative"));
  }
  google::protobuf::Duration proto;
  proto.set_seconds(absl::ToInt64Seconds(*duration));
  return std::optional<google::protobuf::Duration>(proto);
}

absl::StatusOr<std::optional<google::protobuf::Timestamp>> TimeFlag(
    const Flags& flags, absl::string_view name) {
  std::optional<std::string> text = flags.Get(name);
  if (!text.has_value()) return std::optional<google::protobuf::Timestamp>();
  absl::Time time;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, *text, &time, &error) ||
      time == absl::InfiniteFuture() || time == absl::InfinitePast()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", name, " must be an RFC 3339 time such as ",
                     "2024-05-01T12:00:00Z, got '", *text, "'"));
  }
  return std::optional<google::protobuf::Timestamp>(ToProtoTimestamp(time));
}

absl::StatusOr<std::optional<int64_t>> LimitFlag(const Flags& flags) {
  ASSIGN_OR_RETURN(std::optional<int64_t> limit, flags.Int("limit"));
  if (limit.has_value() && *limit <= 0) {
    return absl::InvalidArgumentError("--limit must be greater than 0");
  }
  return limit;
}

absl::StatusOr<int> EnumFlag(const Flags& flags, absl::string_view name,
                             const google::protobuf::EnumDescriptor* type) {
  std::optional<std::string> text = flags.Get(name);
  if (!text.has_value()) return 0;
  std::optional<int> value = ParseEnumShortName(type, *text);
  if (!value.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", name, " must be one of ", EnumChoices(type),
                     ", got '", *text, "'"));
  }
  return *value;
}

absl::StatusOr<keyadmin::v1::KeyAlgorithm> AlgorithmFlag(
    const Flags& flags, absl::string_view name) {
  std::optional<std::string> text = flags.Get(name);
  if (!text.has_value()) return keyadmin::v1::KEY_ALGORITHM_UNSPECIFIED;
  std::optional<int> value =
      ParseEnumShortName(keyadmin::v1::KeyAlgorithm_descriptor(), *text);
  if (!value.has_value()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--", name, " must be HS256, EdDSA or ES256, got '", *text, "'"));
  }
  return static_cast<keyadmin::v1::KeyAlgorithm>(*value);
}

absl::StatusOr<std::optional<keyadmin::v1::KeySlot>> KeySlotFlags(
    const Flags& flags) {
  const std::optional<std::string> client = flags.Get("client");
  const std::optional<std::string> audience = flags.Get("audience");
  const bool issuer = flags.Has("issuer-alg");
  if (!client.has_value() && !audience.has_value() && !issuer) {
    return std::optional<keyadmin::v1::KeySlot>();
  }
  keyadmin::v1::KeySlot slot;
  if (issuer) {
    if (client.has_value() || audience.has_value()) {
      return absl::InvalidArgumentError(
          "give either --client and --audience (an HS256 pair) or "
          "--issuer-alg, not both");
    }
    ASSIGN_OR_RETURN(keyadmin::v1::KeyAlgorithm alg,
                     AlgorithmFlag(flags, "issuer-alg"));
    if (alg != keyadmin::v1::KEY_ALGORITHM_EDDSA &&
        alg != keyadmin::v1::KEY_ALGORITHM_ES256) {
      return absl::InvalidArgumentError(
          "--issuer-alg must be EdDSA or ES256; HS256 keys belong to a "
          "--client/--audience pair");
    }
    slot.mutable_issuer()->set_alg(alg);
    return std::optional<keyadmin::v1::KeySlot>(slot);
  }
  if (!client.has_value() || !audience.has_value() || client->empty() ||
      audience->empty()) {
    return absl::InvalidArgumentError(
        "--client and --audience name an HS256 pair and go together");
  }
  slot.mutable_pair()->set_client_id(*client);
  slot.mutable_pair()->set_audience(*audience);
  return std::optional<keyadmin::v1::KeySlot>(slot);
}

google::protobuf::Timestamp ToProtoTimestamp(absl::Time time) {
  google::protobuf::Timestamp proto;
  const int64_t seconds = absl::ToUnixSeconds(time);
  proto.set_seconds(seconds);
  proto.set_nanos(static_cast<int32_t>(
      absl::ToInt64Nanoseconds(time - absl::FromUnixSeconds(seconds))));
  return proto;
}

absl::Time FromProtoTimestamp(const google::protobuf::Timestamp& timestamp) {
  return absl::FromUnixSeconds(timestamp.seconds()) +
         absl::Nanoseconds(timestamp.nanos());
}

}  // namespace meshid::meshctl
