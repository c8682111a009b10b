// LogReader: Query's rules on plain C++: the filter check, the page size,
// the page token, and one store read per page.
//
//   LogReader reader(store);
//   ASSIGN_OR_RETURN(QueryPage page,
//                    reader.Read(filter, request.page_size(),
//                                request.page_token()));
//   // page.entries newest first; page.next_page_token empty on the last
//
// The store is asked for one entry more than the page holds, so the last
// page is known as the last (no empty extra page) without a COUNT.
#ifndef MESHID_LOGGING_LOG_READER_H_
#define MESHID_LOGGING_LOG_READER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "logging/log_filter.h"
#include "logging/log_record.h"
#include "logging/log_store.h"

namespace meshid::logging {

struct QueryPage {
  std::vector<LogRecord> entries;  // newest first
  std::string next_page_token;     // empty on the last page
};

class LogReader {
 public:
  // `store` (not owned) must outlive the reader.
  explicit LogReader(LogStore* store) : store_(store) {}

  // INVALID_ARGUMENT for a bad filter, page size or page token; the
  // store's error otherwise. Thread-safe; blocks for one store read.
  absl::StatusOr<QueryPage> Read(const LogFilter& filter, int32_t page_size,
                                 absl::string_view page_token) const;

 private:
  LogStore* const store_;
};

}  // namespace meshid::logging

#endif  // MESHID_LOGGING_LOG_READER_H_
