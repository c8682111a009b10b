// Reads meshid-identity's store behind the server's back, so fault tests
// can check what a crash left on disk: the change-log versions and the
// global version counter, on SQLite and PostgreSQL alike.
#ifndef MESHID_TESTS_RELIABILITY_STORE_INSPECTOR_H_
#define MESHID_TESTS_RELIABILITY_STORE_INSPECTOR_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace meshid::reliability {

struct VersionLog {
  // change_events.version, ascending.
  std::vector<int64_t> event_versions;
  // meshid_version.version: the last version handed out.
  int64_t counter = 0;
};

// `store_url` as meshid-identity takes it (sqlite:///path or postgresql://).
absl::StatusOr<VersionLog> ReadVersionLog(const std::string& store_url);

}  // namespace meshid::reliability

#endif  // MESHID_TESTS_RELIABILITY_STORE_INSPECTOR_H_
