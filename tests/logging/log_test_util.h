// Shared by the logging tests: a valid entry to start from, and filters.
//
//   LogRecord r = ValidRecord();
//   r.message = std::string(kMaxMessageBytes + 1, 'x');
//   EXPECT_FALSE(CheckEntry(r).ok());
#ifndef MESHID_TESTS_LOGGING_LOG_TEST_UTIL_H_
#define MESHID_TESTS_LOGGING_LOG_TEST_UTIL_H_

#include <string>

#include "absl/time/time.h"
#include "logging/log_record.h"

namespace meshid::logging::testing {

// 2023-11-14T22:13:20Z, a whole second.
inline absl::Time BaseTime() { return absl::FromUnixSeconds(1700000000); }

// An entry that passes CheckEntry; `seconds` after BaseTime().
inline LogRecord ValidRecord(int seconds = 0,
                             std::string message = "request served") {
  LogRecord r;
  r.time = BaseTime() + absl::Seconds(seconds);
  r.service = "careergpt-backend";
  r.level = EntryLevel::kInfo;
  r.kind = EntryKind::kAccess;
  r.subject = "user-1";
  r.client_id = "careergpt-web";
  r.method = "/careergpt.v1.Resume/Get";
  r.status_code = 0;
  r.latency = absl::Milliseconds(12);
  r.peer = "ipv4:10.0.0.7:51234";
  r.message = std::move(message);
  r.attributes = {{"region", "eu"}, {"route", "resume"}};
  return r;
}

}  // namespace meshid::logging::testing

#endif  // MESHID_TESTS_LOGGING_LOG_TEST_UTIL_H_
