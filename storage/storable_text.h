// What text both dialects store alike: PostgreSQL text refuses NUL bytes
// and invalid UTF-8 while SQLite stores anything, so stores check values
// with this first and give one INVALID_ARGUMENT on both.
//
//   if (!IsStorableText(value)) return InvalidArgumentError("...");
#ifndef MESHID_STORAGE_STORABLE_TEXT_H_
#define MESHID_STORAGE_STORABLE_TEXT_H_

#include "absl/strings/string_view.h"

namespace meshid::storage {

// True for strict UTF-8 (RFC 3629: no overlong forms, no surrogates,
// nothing above U+10FFFF) without NUL bytes.
bool IsStorableText(absl::string_view s);

}  // namespace meshid::storage

#endif  // MESHID_STORAGE_STORABLE_TEXT_H_
