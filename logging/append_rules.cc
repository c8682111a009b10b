#include "logging/append_rules.h"

#include <utility>

#include "logging/entry_limits.h"

namespace meshid::logging {

PreparedAppend PrepareAppend(std::vector<absl::StatusOr<LogRecord>> entries,
                             const Principal& caller) {
  PreparedAppend prepared;
  prepared.accepted.reserve(entries.size());
  for (absl::StatusOr<LogRecord>& entry : entries) {
    if (!entry.ok()) {
      ++prepared.rejected;
      continue;
    }
    entry->service = caller.subject;
    if (!CheckEntry(*entry).ok()) {
      ++prepared.rejected;
      continue;
    }
    prepared.accepted.push_back(*std::move(entry));
  }
  return prepared;
}

}  // namespace meshid::logging
