#include "identity/master_key.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/base64url.h"
#include "common/crypto/aes_gcm.h"
#include "common/crypto/constant_time.h"
#include "common/crypto/random.h"
#include "common/status_macros.h"

namespace meshid::identity {
namespace {

constexpr size_t kMasterKeySize = 32;
constexpr size_t kMaxKeyFileSize = 256;

absl::StatusOr<crypto::SecretBytes> DeriveSubkey(
    const crypto::HmacSha256Key& master, absl::string_view label) {
  const crypto::HmacSha256Tag tag = master.Sign(label);
  return crypto::SecretBytes(
      absl::string_view(reinterpret_cast<const char*>(tag.data()), tag.size()));
}

absl::Status WriteNewKeyFile(const std::string& path) {
  ASSIGN_OR_RETURN(crypto::SecretBytes raw,
                   crypto::RandomSecret(kMasterKeySize));
  std::string text = Base64UrlEncode(raw.view()) + "\n";
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
                      S_IRUSR | S_IWUSR);
  if (fd < 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot create master key file ", path, ": ", std::strerror(errno)));
  }
  const ssize_t written = write(fd, text.data(), text.size());
  const bool synced = fsync(fd) == 0;
  close(fd);
  crypto::SecretBytes wipe(std::move(text));  // wiped when it goes
  if (written != static_cast<ssize_t>(wipe.size()) || !synced) {
    unlink(path.c_str());
    return absl::InternalError(
        absl::StrCat("cannot write master key file ", path));
  }
  return absl::OkStatus();
}

absl::StatusOr<crypto::SecretBytes> ReadKeyFile(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) {
      return absl::NotFoundError(
          absl::StrCat("master key file ", path, " does not exist"));
    }
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot open master key file ", path, ": ", std::strerror(errno)));
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return absl::FailedPreconditionError(
        absl::StrCat("master key file ", path, " is not a regular file"));
  }
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    close(fd);
    return absl::FailedPreconditionError(absl::StrCat(
        "master key file ", path,
        " is accessible by group or others; run: chmod 600 ", path));
  }
  char buffer[kMaxKeyFileSize];
  const ssize_t n = read(fd, buffer, sizeof(buffer));
  close(fd);
  crypto::SecretBytes content(
      absl::string_view(buffer, n > 0 ? static_cast<size_t>(n) : 0));
  std::memset(buffer, 0, sizeof(buffer));
  absl::string_view text = content.view();
  absl::ConsumeSuffix(&text, "\n");
  std::string raw;
  if (n <= 0 || static_cast<size_t>(n) >= kMaxKeyFileSize ||
      !Base64UrlDecode(text, &raw) || raw.size() != kMasterKeySize) {
    crypto::SecretBytes wipe(std::move(raw));
    return absl::FailedPreconditionError(absl::StrCat(
        "master key file ", path,
        " must hold 32 bytes as unpadded base64url (43 characters)"));
  }
  return crypto::SecretBytes(std::move(raw));
}

}  // namespace

absl::StatusOr<MasterKey> MasterKey::FromBytes(absl::string_view raw) {
  if (raw.size() != kMasterKeySize) {
    return absl::InvalidArgumentError("master key must be 32 bytes");
  }
  ASSIGN_OR_RETURN(crypto::HmacSha256Key master,
                   crypto::HmacSha256Key::Create(raw));
  ASSIGN_OR_RETURN(crypto::SecretBytes sealing,
                   DeriveSubkey(master, "meshid/v1/seal-key-material"));
  ASSIGN_OR_RETURN(crypto::SecretBytes hashing_bytes,
                   DeriveSubkey(master, "meshid/v1/hash-client-secret"));
  ASSIGN_OR_RETURN(crypto::HmacSha256Key hashing,
                   crypto::HmacSha256Key::Create(hashing_bytes.view()));
  return MasterKey(std::move(sealing), std::move(hashing));
}

absl::StatusOr<MasterKey::LoadResult> MasterKey::LoadOrCreate(
    const std::string& path, bool create_if_missing) {
  bool created = false;
  absl::StatusOr<crypto::SecretBytes> raw = ReadKeyFile(path);
  if (absl::IsNotFound(raw.status()) && create_if_missing) {
    RETURN_IF_ERROR(WriteNewKeyFile(path));
    created = true;
    raw = ReadKeyFile(path);
  }
  if (!raw.ok()) return raw.status();
  ASSIGN_OR_RETURN(MasterKey key, FromBytes(raw->view()));
  return LoadResult{std::move(key), created};
}

absl::StatusOr<std::string> MasterKey::Seal(absl::string_view kid,
                                            absl::string_view material) const {
  return crypto::AesGcmSeal(sealing_, material, kid);
}

absl::StatusOr<crypto::SecretBytes> MasterKey::Open(
    absl::string_view kid, absl::string_view sealed) const {
  return crypto::AesGcmOpen(sealing_, sealed, kid);
}

std::string MasterKey::HashClientSecret(absl::string_view secret) const {
  const crypto::HmacSha256Tag tag = hashing_.Sign(secret);
  return Base64UrlEncode(
      absl::string_view(reinterpret_cast<const char*>(tag.data()), tag.size()));
}

bool MasterKey::VerifyClientSecret(absl::string_view secret,
                                   absl::string_view stored_hash) const {
  return crypto::ConstantTimeEquals(HashClientSecret(secret), stored_hash);
}

}  // namespace meshid::identity
