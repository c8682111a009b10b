// Log capture and metric reading for the keyset tests.
#ifndef MESHID_TESTS_COMMON_KEYSET_TEST_SUPPORT_H_
#define MESHID_TESTS_COMMON_KEYSET_TEST_SUPPORT_H_

#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/server/json_log.h"
#include "prometheus/registry.h"

namespace meshid::keyset::testing {

// Sends every JSON log line to memory while alive (restores stderr after).
class LogCapture {
 public:
  LogCapture() {
    server::SetLogSinkForTesting([this](absl::string_view line) {
      absl::MutexLock lock(&mu_);
      lines_.emplace_back(line);
    });
  }
  ~LogCapture() { server::SetLogSinkForTesting(nullptr); }

  std::vector<std::string> lines() const {
    absl::MutexLock lock(&mu_);
    return lines_;
  }
  int Count(absl::string_view needle) const {
    absl::MutexLock lock(&mu_);
    return CountLocked(needle);
  }
  // Waits until at least `n` lines contain `needle`.
  bool WaitFor(absl::string_view needle, int n, absl::Duration timeout) const {
    absl::MutexLock lock(&mu_);
    auto reached = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return CountLocked(needle) >= n;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&reached), timeout);
  }

 private:
  int CountLocked(absl::string_view needle) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    int n = 0;
    for (const std::string& line : lines_) {
      if (absl::StrContains(line, needle)) ++n;
    }
    return n;
  }

  mutable absl::Mutex mu_;
  std::vector<std::string> lines_ ABSL_GUARDED_BY(mu_);
};

// The value of the counter or gauge `name` with exactly `labels`; -1 when
// there is none.
inline double MetricValue(
    prometheus::Registry& registry, absl::string_view name,
    const std::map<std::string, std::string>& labels = {}) {
  for (const prometheus::MetricFamily& family : registry.Collect()) {
    if (family.name != name) continue;
    for (const prometheus::ClientMetric& metric : family.metric) {
      std::map<std::string, std::string> got;
      for (const auto& label : metric.label) got[label.name] = label.value;
      if (got != labels) continue;
      return family.type == prometheus::MetricType::Counter
                 ? metric.counter.value
                 : metric.gauge.value;
    }
  }
  return -1;
}

}  // namespace meshid::keyset::testing

#endif  // MESHID_TESTS_COMMON_KEYSET_TEST_SUPPORT_H_
