// How record fields that are not plain strings or times are stored: enums as
// their upper-case names (readable in psql/sqlite3, checked by the schema),
// roles and audit details as JSON text. Shared by both dialects so they store
// byte-identical values.
#ifndef MESHID_IDENTITY_STORE_RECORD_CODEC_H_
#define MESHID_IDENTITY_STORE_RECORD_CODEC_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/token/algorithm.h"
#include "common/token/keys.h"
#include "identity/store/records.h"

namespace meshid::identity::store_internal {

// Decoders return INTERNAL: an unknown value means a corrupt row or a schema
// newer than this binary, never bad caller input.
absl::string_view AlgorithmToDb(Algorithm alg);
absl::StatusOr<Algorithm> AlgorithmFromDb(absl::string_view text);

absl::string_view KeyStateToDb(KeyState state);
absl::StatusOr<KeyState> KeyStateFromDb(absl::string_view text);

absl::string_view PrincipalKindToDb(PrincipalKind kind);
absl::StatusOr<PrincipalKind> PrincipalKindFromDb(absl::string_view text);

absl::string_view PrincipalStateToDb(PrincipalState state);
absl::StatusOr<PrincipalState> PrincipalStateFromDb(absl::string_view text);

absl::string_view ChangeKindToDb(ChangeKind kind);
absl::StatusOr<ChangeKind> ChangeKindFromDb(absl::string_view text);

// A JSON array of strings.
std::string RolesToJson(const std::vector<std::string>& roles);
absl::StatusOr<std::vector<std::string>> RolesFromJson(absl::string_view json);

// A JSON object whose values are strings.
std::string DetailsToJson(const std::map<std::string, std::string>& details);
absl::StatusOr<std::map<std::string, std::string>> DetailsFromJson(
    absl::string_view json);

}  // namespace meshid::identity::store_internal

#endif  // MESHID_IDENTITY_STORE_RECORD_CODEC_H_
