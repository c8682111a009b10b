// How an AccessRecord is written: one JSON line for stderr (the meshid
// JSON-lines format of common/server/json_log.h, event "access") and one
// meshid.logging.v1.LogEntry for Log.Append (kind ACCESS or AUDIT).
//
//   AccessLineFormatter formatter("meshid-gateway");
//   std::string lines;
//   formatter.Append(record, &lines);     //
//   {"time":...,"event":"access",...}\n FillLogEntry(record,
//   batch.add_entries());
//
// Both carry the method, status code, latency, peer, subject and client_id,
// route and upstream, and for denials the stable reason as the message; a
// token never reaches either, because a record never holds one. LogEntry
// strings are cut to the Log server's limits (256 bytes, message 8 KiB) at
// UTF-8 boundaries, and invalid UTF-8 is replaced, so the server never
// drops an entry for its shape.
#ifndef MESHID_GATEWAY_ACCESS_LOG_FORMAT_H_
#define MESHID_GATEWAY_ACCESS_LOG_FORMAT_H_

#include <cstdint>
#include <string>
#include <utility>

#include "absl/strings/string_view.h"
#include "gateway/access_record.h"
#include "meshid/logging/v1/log.pb.h"

namespace meshid::gateway {

// Writes ACCESS records as the JSON lines json_log.h writes (same members,
// same time format, same escaping and length bound), without its general
// machinery: one line per call is the gateway's largest steady cost after
// gRPC itself, so the time prefix is formatted once per second and strings
// that need no escaping are copied as they are. Not thread-safe (one per
// shipper thread).
class AccessLineFormatter {
 public:
  explicit AccessLineFormatter(std::string service)
      : service_(std::move(service)) {}

  // Appends the line of an ACCESS record, ending in '\n', unless the
  // logger's minimum level hides it. AUDIT records have no line here (the
  // anomaly reporter logs them when they happen).
  void Append(const AccessRecord& record, std::string* out);

 private:
  void AppendTime(absl::Time time, std::string* out);

  const std::string service_;
  int64_t cached_second_ = -1;
  std::string cached_prefix_;  // "2024-05-01T12:00:00"
};

// Overwrites *entry with the Log.Append form of `record`.
void FillLogEntry(const AccessRecord& record, logging::v1::LogEntry* entry);

// `text` as valid UTF-8 of at most `max_bytes` (invalid bytes become '?',
// a cut never splits a character).
std::string BoundedUtf8(absl::string_view text, size_t max_bytes);

}  // namespace meshid::gateway

#endif  // MESHID_GATEWAY_ACCESS_LOG_FORMAT_H_
