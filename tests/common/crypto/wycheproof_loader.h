// Loads the Wycheproof test-vector files in tests/data/wycheproof/ (MAC,
// Ed25519 and ECDSA-P1363 verify tests) into plain structs with the hex
// fields decoded. It walks only this known layout (see the README there); a
// file that is missing or does not match it is an error, never an empty list.
//
//   absl::StatusOr<wycheproof::File> file =
//       wycheproof::LoadFile(wycheproof::Path("ed25519_test.json"));
//   ASSERT_TRUE(file.ok()) << file.status();  // the message names the path
//   for (const wycheproof::Group& group : file->groups) ...
#ifndef MESHID_TESTS_COMMON_CRYPTO_WYCHEPROOF_LOADER_H_
#define MESHID_TESTS_COMMON_CRYPTO_WYCHEPROOF_LOADER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace meshid::crypto::wycheproof {

enum class Result { kValid, kInvalid, kAcceptable };

// One entry of a group's "tests". Byte fields absent from the entry are empty.
struct Case {
  int64_t tc_id = 0;
  std::string comment;
  Result result = Result::kInvalid;
  std::string key;  // MAC tests
  std::string msg;
  std::string tag;  // MAC tests
  std::string sig;  // signature tests
};

// One entry of "testGroups". Fields absent from the group are 0 / empty.
struct Group {
  std::string type;        // e.g. "MacTest", "EddsaVerify"
  int64_t key_size = 0;    // bits
  int64_t tag_size = 0;    // bits, MAC groups
  std::string public_key;  // publicKey.pk (Ed25519)
  // publicKey.wx and .wy as stored: big-endian integers that may carry a
  // leading 00 or be shorter than 32 bytes.
  std::string wx;
  std::string wy;
  std::string uncompressed;  // publicKey.uncompressed (04 || x || y)
  std::string sha;           // e.g. "SHA-256"
  std::vector<Case> tests;
};

struct File {
  std::string algorithm;
  int64_t number_of_tests = 0;  // as declared by the file
  std::string sha256_hex;       // of the file's bytes, to compare with README
  std::vector<Group> groups;
};

// What a suite saw, to compare with the README's numbers: the expected
// results of the cases run, and what the code under test did with them.
struct Tally {
  int total = 0;
  int valid = 0;
  int invalid = 0;
  int acceptable = 0;
  int accepted = 0;
  int rejected = 0;

  void Add(Result expected, bool was_accepted) {
    ++total;
    if (expected == Result::kValid) ++valid;
    if (expected == Result::kInvalid) ++invalid;
    if (expected == Result::kAcceptable) ++acceptable;
    ++(was_accepted ? accepted : rejected);
  }
};

// MESHID_TEST_DATA_DIR/wycheproof/`file_name`.
std::string Path(absl::string_view file_name);

// Reads and parses `path`. NOT_FOUND (naming the path) when it cannot be
// read; INVALID_ARGUMENT when it is not JSON of the expected layout or a hex
// field is malformed.
absl::StatusOr<File> LoadFile(const std::string& path);

// Decodes lowercase or uppercase hex; INVALID_ARGUMENT on odd length or a
// non-hex character.
absl::StatusOr<std::string> DecodeHex(absl::string_view hex);

}  // namespace meshid::crypto::wycheproof

#endif  // MESHID_TESTS_COMMON_CRYPTO_WYCHEPROOF_LOADER_H_
