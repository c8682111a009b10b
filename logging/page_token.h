// Page tokens of Query: opaque to clients, a position in the newest-first
// order (time, id) bound to the filter it was made for.
//
//   ASSIGN_OR_RETURN(std::optional<PageCursor> after,
//                    DecodePageToken(request.page_token, filter));
//   ... read a page after `after` ...
//   response.next_page_token = EncodePageToken(filter, {last.time, last.id});
//
// The token carries a digest of the filter and the cursor (SHA-256, first
// 16 bytes): a token used with another filter, or damaged, is
// INVALID_ARGUMENT instead of silently paging through something else. It is
// not a secret or a capability: whoever holds logs:read may read any page.
// Tokens stay valid across restarts and replicas (nothing server-side).
#ifndef MESHID_LOGGING_PAGE_TOKEN_H_
#define MESHID_LOGGING_PAGE_TOKEN_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "logging/log_filter.h"

namespace meshid::logging {

// Where a page ended: the last entry's time (whole microseconds since the
// epoch) and id. The next page holds entries strictly before it in
// (time, id) order.
struct PageCursor {
  int64_t time_micros = 0;
  int64_t id = 0;

  bool operator==(const PageCursor& other) const {
    return time_micros == other.time_micros && id == other.id;
  }
};

// Longest token DecodePageToken looks at; real ones are 44 characters.
inline constexpr size_t kMaxPageTokenBytes = 128;

std::string EncodePageToken(const LogFilter& filter, const PageCursor& cursor);

// nullopt for the empty token (the first page); INVALID_ARGUMENT for a
// token that is malformed, damaged or made for another filter.
absl::StatusOr<std::optional<PageCursor>> DecodePageToken(
    absl::string_view token, const LogFilter& filter);

// Query's page_size rule: 0 means 100, above 1000 means 1000, negative is
// INVALID_ARGUMENT.
absl::StatusOr<int> EffectivePageSize(int32_t requested);

}  // namespace meshid::logging

#endif  // MESHID_LOGGING_PAGE_TOKEN_H_
