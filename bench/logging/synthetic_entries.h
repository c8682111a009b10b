// The entries log_bench writes and searches: shaped like the mesh's real
// traffic (access entries of a few services, some audit and app entries),
// deterministic for a given index so runs compare.
//
//   v1::AppendRequest r;  for (...) *r.add_entries() = AccessEntry(i);
//   std::vector<LogRecord> rows = DatasetRows(first, 5000, now);
//   for (const QueryCase& c : QueryCases()) ... c.filter ...
#ifndef MESHID_BENCH_LOGGING_SYNTHETIC_ENTRIES_H_
#define MESHID_BENCH_LOGGING_SYNTHETIC_ENTRIES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "logging/log_record.h"
#include "meshid/logging/v1/log.pb.h"

namespace meshid::bench {

// One access entry (~300 bytes on the wire): method, code, latency, peer,
// message, three attributes; the time is left for the server to fill.
logging::v1::LogEntry AccessEntry(int64_t i);

// Rows `first`..`first + n - 1` of the query data set, times spread evenly
// over the 7 days before `now` (row 0 oldest). Distribution:
//   service    20 services ("svc-00".."svc-19"), uniform
//   subject    10,000 users, uniform
//   level      DEBUG 20%, INFO 70%, WARNING 8%, ERROR 2%
//   kind       ACCESS 60%, APP 35%, AUDIT 5%
//   method     "/mesh.svcNN.v1.Api/MethodM", 5 methods per service
//   message    mostly "request served"/"cache miss"/..., 0.1% hold "panic"
std::vector<logging::LogRecord> DatasetRows(int64_t first, int64_t n,
                                            absl::Time now);

struct QueryCase {
  std::string name;
  logging::v1::LogFilter filter;
};
// The filtered first pages measured (page size 100): none, service,
// subject, level >= ERROR, kind AUDIT, method prefix, text contains
// (common and rare), service + last hour.
std::vector<QueryCase> QueryCases(absl::Time now);

}  // namespace meshid::bench

#endif  // MESHID_BENCH_LOGGING_SYNTHETIC_ENTRIES_H_
