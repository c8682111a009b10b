#include "logging/log_metrics.h"

#include <string>

#include "absl/strings/ascii.h"
#include "prometheus/family.h"

namespace meshid::logging {
namespace {

prometheus::Family<prometheus::Counter>& CounterFamily(
    prometheus::Registry& registry, const std::string& name,
    const std::string& help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(registry);
}

prometheus::Counter& Counter(prometheus::Registry& registry,
                             const std::string& name, const std::string& help) {
  return CounterFamily(registry, name, help).Add({});
}

prometheus::Histogram& Histogram(prometheus::Registry& registry,
                                 const std::string& name,
                                 const std::string& help,
                                 prometheus::Histogram::BucketBoundaries b) {
  return prometheus::BuildHistogram()
      .Name(name)
      .Help(help)
      .Register(registry)
      .Add({}, std::move(b));
}

// One counter per status code, labelled with its name ("ok",
// "invalid_argument", ...), all made up front.
void AddCodeCounters(
    prometheus::Family<prometheus::Counter>& family,
    std::array<prometheus::Counter*, kStatusCodeCount>* counters) {
  for (int code = 0; code < kStatusCodeCount; ++code) {
    (*counters)[code] =
        &family.Add({{"code", absl::AsciiStrToLower(absl::StatusCodeToString(
                                  static_cast<absl::StatusCode>(code)))}});
  }
}

int CodeIndex(absl::StatusCode code) {
  const int index = static_cast<int>(code);
  return index >= 0 && index < kStatusCodeCount
             ? index
             : static_cast<int>(absl::StatusCode::kUnknown);
}

const prometheus::Histogram::BucketBoundaries kSecondsBuckets = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};

}  // namespace

LogMetrics::LogMetrics(prometheus::Registry& registry)
    : entries_(CounterFamily(registry, "meshid_log_entries_total",
                             "Entries offered to Append, by result.")),
      accepted_(entries_.Add({{"result", "accepted"}})),
      rejected_(entries_.Add({{"result", "rejected"}})),
      groups_(Counter(registry, "meshid_log_commit_groups_total",
                      "Transactions that committed Append calls.")),
      group_entries_(Histogram(registry, "meshid_log_commit_group_entries",
                               "Entries per committed transaction.",
                               {1, 10, 100, 500, 1000, 2500, 5000, 10000})),
      commit_seconds_(Histogram(registry, "meshid_log_commit_seconds",
                                "Time to store and commit one group.",
                                kSecondsBuckets)),
      commit_failures_(Counter(registry, "meshid_log_commit_failures_total",
                               "Groups whose transaction failed.")),
      overloaded_(Counter(registry, "meshid_log_overloaded_total",
                          "Append calls refused because too many entries "
                          "were waiting.")),
      query_seconds_(Histogram(registry, "meshid_log_query_seconds",
                               "Time to read one Query page.",
                               kSecondsBuckets)),
      tails_(prometheus::BuildGauge()
                 .Name("meshid_log_tails")
                 .Help("Open Tail streams.")
                 .Register(registry)
                 .Add({})),
      tail_overflows_(Counter(registry, "meshid_log_tail_overflows_total",
                              "Tails ended because their buffer was full.")),
      tail_entries_(Counter(registry, "meshid_log_tail_entries_total",
                            "Entries handed to tail buffers.")),
      retention_deleted_(Counter(registry, "meshid_log_retention_deleted_total",
                                 "Entries deleted by the retention sweep.")),
      retention_failures_(Counter(registry,
                                  "meshid_log_retention_failures_total",
                                  "Retention sweeps that failed.")) {
  AddCodeCounters(CounterFamily(registry, "meshid_log_append_calls_total",
                                "Append calls, by gRPC status code."),
                  &append_calls_);
  AddCodeCounters(CounterFamily(registry, "meshid_log_queries_total",
                                "Query calls, by gRPC status code."),
                  &queries_);
}

void LogMetrics::OnAppend(absl::StatusCode code, int accepted, int rejected) {
  append_calls_[CodeIndex(code)]->Increment();
  if (accepted > 0) accepted_.Increment(accepted);
  if (rejected > 0) rejected_.Increment(rejected);
}

void LogMetrics::OnQuery(absl::StatusCode code, absl::Duration took) {
  queries_[CodeIndex(code)]->Increment();
  if (code == absl::StatusCode::kOk) {
    query_seconds_.Observe(absl::ToDoubleSeconds(took));
  }
}

void LogMetrics::OnGroupCommitted(size_t entries, size_t calls,
                                  absl::Duration took) {
  groups_.Increment();
  group_entries_.Observe(static_cast<double>(entries));
  commit_seconds_.Observe(absl::ToDoubleSeconds(took));
}

void LogMetrics::OnGroupFailed(const absl::Status& status) {
  commit_failures_.Increment();
}

}  // namespace meshid::logging
