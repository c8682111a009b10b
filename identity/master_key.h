// MasterKey: the one secret meshid-identity keeps outside its database. It
// seals key material at rest and keys the hash of client secrets, so a copy
// of the database alone yields neither.
//
// The file holds 32 random bytes as unpadded base64url (43 characters, a
// trailing newline allowed), mode 0600 or stricter. Two subkeys are derived
// from it with HMAC-SHA256 and distinct labels, so the sealing key and the
// hashing key are never the same bytes.
//
//   ASSIGN_OR_RETURN(MasterKey mk, MasterKey::LoadOrCreate(path, create));
//   ASSIGN_OR_RETURN(std::string sealed, mk.Seal(kid, material));
#ifndef MESHID_IDENTITY_MASTER_KEY_H_
#define MESHID_IDENTITY_MASTER_KEY_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/crypto/hmac_sha256.h"
#include "common/crypto/secret_bytes.h"

namespace meshid::identity {

class MasterKey {
 public:
  struct LoadResult;
  // Loads `path`. When it does not exist and `create_if_missing`, writes a
  // new random key there (O_EXCL, mode 0600) and reports created = true.
  // FAILED_PRECONDITION when the file is readable by group or others, or is
  // not a valid key; NOT_FOUND when missing and not to be created.
  static absl::StatusOr<LoadResult> LoadOrCreate(const std::string& path,
                                                 bool create_if_missing);
  // From raw bytes (tests).
  static absl::StatusOr<MasterKey> FromBytes(absl::string_view raw);

  // AES-256-GCM under the sealing subkey, `kid` as associated data: sealed
  // material moved to another key's row fails to open.
  absl::StatusOr<std::string> Seal(absl::string_view kid,
                                   absl::string_view material) const;
  // DATA_LOSS when the sealed bytes, the kid or the master key differ.
  absl::StatusOr<crypto::SecretBytes> Open(absl::string_view kid,
                                           absl::string_view sealed) const;

  // base64url(HMAC-SHA256(hashing subkey, secret)): what the store keeps of
  // a client secret.
  std::string HashClientSecret(absl::string_view secret) const;
  // Constant-time comparison of HashClientSecret(secret) with `stored`.
  bool VerifyClientSecret(absl::string_view secret,
                          absl::string_view stored_hash) const;

 private:
  MasterKey(crypto::SecretBytes sealing, crypto::HmacSha256Key hashing)
      : sealing_(std::move(sealing)), hashing_(std::move(hashing)) {}
  crypto::SecretBytes sealing_;
  crypto::HmacSha256Key hashing_;
};

struct MasterKey::LoadResult {
  MasterKey key;
  bool created = false;
};

}  // namespace meshid::identity

#endif  // MESHID_IDENTITY_MASTER_KEY_H_
