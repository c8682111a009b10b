#include "logging/log_reader.h"

#include "common/status_macros.h"
#include "logging/page_token.h"

namespace meshid::logging {

absl::StatusOr<QueryPage> LogReader::Read(const LogFilter& filter,
                                          int32_t page_size,
                                          absl::string_view page_token) const {
  RETURN_IF_ERROR(CheckQueryFilter(filter));
  ASSIGN_OR_RETURN(const int size, EffectivePageSize(page_size));
  LogQuery query;
  query.filter = filter;
  ASSIGN_OR_RETURN(query.after, DecodePageToken(page_token, filter));
  query.limit = size + 1;
  QueryPage page;
  ASSIGN_OR_RETURN(page.entries, store_->Query(query));
  if (static_cast<int>(page.entries.size()) > size) {
    page.entries.resize(size);
    const LogRecord& last = page.entries.back();
    page.next_page_token = EncodePageToken(
        filter, PageCursor{absl::ToUnixMicros(last.time), last.id});
  }
  return page;
}

}  // namespace meshid::logging
