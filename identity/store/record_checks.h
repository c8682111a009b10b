// What a record must look like before either dialect stores it.
//
// PostgreSQL text refuses NUL bytes and invalid UTF-8 while SQLite stores
// anything; checking here gives both the same INVALID_ARGUMENT instead of an
// INTERNAL error on one and a silent write on the other. Times are checked
// where they are encoded (time_codec.h).
#ifndef MESHID_IDENTITY_STORE_RECORD_CHECKS_H_
#define MESHID_IDENTITY_STORE_RECORD_CHECKS_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "identity/store/records.h"

namespace meshid::identity::store_internal {

// OK when `value` is valid UTF-8 without NUL bytes; `what` names the field.
absl::Status CheckText(absl::string_view value, absl::string_view what);

// The same for an identifier, which must also be non-empty.
absl::Status CheckId(absl::string_view value, absl::string_view what);

// Every text field of the record (sealed key material is bytes: unchecked).
absl::Status CheckKeyText(const KeyRecord& key);
absl::Status CheckPrincipalText(const PrincipalRecord& principal);
absl::Status CheckClientText(const ClientRecord& client);
absl::Status CheckAuditText(const AuditEvent& event);

// A positive row limit for List calls.
absl::Status CheckLimit(int limit);

}  // namespace meshid::identity::store_internal

#endif  // MESHID_IDENTITY_STORE_RECORD_CHECKS_H_
