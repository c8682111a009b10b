// How an entry's attributes are stored: one JSON object of strings in a
// text column ("{}" when there are none), in both dialects. Readable with
// any SQL client, and no extra table or join per entry.
//
//   std::string column = EncodeAttributes(record.attributes);
//   ASSIGN_OR_RETURN(record.attributes, DecodeAttributes(column));
#ifndef MESHID_LOGGING_STORE_ATTRIBUTE_CODEC_H_
#define MESHID_LOGGING_STORE_ATTRIBUTE_CODEC_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "logging/log_record.h"

namespace meshid::logging {

// Members in the given order (the records keep them sorted by key).
std::string EncodeAttributes(const std::vector<Attribute>& attributes);

// The members of a stored object, sorted by key. INTERNAL when the column
// holds something EncodeAttributes never writes.
absl::StatusOr<std::vector<Attribute>> DecodeAttributes(absl::string_view json);

}  // namespace meshid::logging

#endif  // MESHID_LOGGING_STORE_ATTRIBUTE_CODEC_H_
