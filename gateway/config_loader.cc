#include "gateway/config_loader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gateway/config_validator.h"
#include "google/protobuf/util/json_util.h"

namespace meshid::gateway {
namespace {

// Reads at most `max_bytes` (one more is read to detect a larger file).
absl::StatusOr<std::string> ReadBoundedFile(const std::string& path,
                                            size_t max_bytes,
                                            struct stat* info) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    const std::string why =
        absl::StrCat("cannot open ", path, ": ", std::strerror(err));
    return err == ENOENT   ? absl::NotFoundError(why)
           : err == EACCES ? absl::PermissionDeniedError(why)
                           : absl::UnavailableError(why);
  }
  if (info != nullptr && fstat(fd, info) != 0) {
    close(fd);
    return absl::UnavailableError(absl::StrCat("cannot stat ", path));
  }
  std::string data;
  data.resize(max_bytes + 1);
  size_t got = 0;
  while (got < data.size()) {
    const ssize_t n = read(fd, data.data() + got, data.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      close(fd);
      return absl::UnavailableError(absl::StrCat("cannot read ", path));
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  close(fd);
  if (got > max_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": larger than ", max_bytes, " bytes"));
  }
  data.resize(got);
  return data;
}

}  // namespace

absl::StatusOr<GatewaySettings> ParseGatewayConfig(absl::string_view json) {
  v1::GatewayConfig config;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const auto parsed = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), &config,
      options);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("not a valid GatewayConfig JSON document: ",
                     std::string(parsed.message())));
  }
  return ValidateGatewayConfig(config);
}

absl::StatusOr<GatewaySettings> LoadGatewayConfig(const std::string& path) {
  absl::StatusOr<std::string> text =
      ReadBoundedFile(path, kMaxConfigFileBytes, nullptr);
  if (!text.ok()) return text.status();
  absl::StatusOr<GatewaySettings> settings = ParseGatewayConfig(*text);
  if (!settings.ok()) {
    return absl::Status(
        settings.status().code(),
        absl::StrCat("config ", path, ": ", settings.status().message()));
  }
  return settings;
}

absl::StatusOr<ClientSecret> ReadClientSecretFile(const std::string& path) {
  struct stat info {};
  absl::StatusOr<std::string> text =
      ReadBoundedFile(path, kMaxClientSecretBytes + 2, &info);
  if (!text.ok()) return text.status();
  crypto::SecretBytes raw(*std::move(text));
  absl::string_view secret = raw.view();
  if (absl::EndsWith(secret, "\r\n")) {
    secret.remove_suffix(2);
  } else if (absl::EndsWith(secret, "\n")) {
    secret.remove_suffix(1);
  }
  if (secret.empty() || secret.size() > kMaxClientSecretBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "client secret file ", path, " must hold one line of 1 to ",
        kMaxClientSecretBytes, " bytes"));
  }
  if (secret.find_first_of("\r\n") != absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "client secret file ", path, " must hold exactly one line"));
  }
  ClientSecret out;
  out.secret = crypto::SecretBytes(secret);
  out.too_permissive = (info.st_mode & 077) != 0;
  return out;
}

}  // namespace meshid::gateway
