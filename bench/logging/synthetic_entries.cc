#include "bench/logging/synthetic_entries.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace meshid::bench {
namespace {

namespace lg = ::meshid::logging;

// A cheap, fixed mixing of the index so neighbouring rows differ.
uint64_t Mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

constexpr const char* kMessages[] = {"request served", "cache miss",
                                     "upstream slow", "retrying call",
                                     "token refreshed"};

}  // namespace

logging::v1::LogEntry AccessEntry(int64_t i) {
  const uint64_t h = Mix(static_cast<uint64_t>(i));
  logging::v1::LogEntry e;
  e.set_level(logging::v1::LOG_LEVEL_INFO);
  e.set_kind(logging::v1::LOG_KIND_ACCESS);
  e.set_subject(absl::StrCat("user-", h % 10000));
  e.set_client_id("careergpt-web");
  e.set_method(absl::StrCat("/careergpt.v1.Resume/Method", h % 7));
  e.set_status_code(h % 50 == 0 ? 14 : 0);
  e.mutable_latency()->set_nanos(static_cast<int32_t>(h % 50000000));
  e.set_peer(absl::StrFormat("ipv4:10.0.%d.%d:%d", (h >> 8) % 256,
                             (h >> 16) % 256, 40000 + h % 20000));
  e.set_message(kMessages[h % 5]);
  auto& attributes = *e.mutable_attributes();
  attributes["route"] = "resume";
  attributes["upstream"] = absl::StrCat("resume-", h % 3, ":50051");
  attributes["request_id"] = absl::StrFormat("%016x", h);
  return e;
}

std::vector<logging::LogRecord> DatasetRows(int64_t first, int64_t n,
                                            absl::Time now) {
  constexpr int64_t kSpanMicros = int64_t{7} * 24 * 3600 * 1000000;
  constexpr int64_t kRows = 1000000;
  std::vector<lg::LogRecord> rows;
  rows.reserve(n);
  for (int64_t i = first; i < first + n; ++i) {
    const uint64_t h = Mix(static_cast<uint64_t>(i));
    lg::LogRecord r;
    r.time = now - absl::Microseconds(kSpanMicros) +
             absl::Microseconds(kSpanMicros / kRows * (i % kRows));
    const int service = static_cast<int>(h % 20);
    r.service = absl::StrFormat("svc-%02d", service);
    r.subject = absl::StrCat("user-", (h >> 8) % 10000);
    const int level_roll = static_cast<int>((h >> 24) % 100);
    r.level = level_roll < 20   ? lg::EntryLevel::kDebug
              : level_roll < 90 ? lg::EntryLevel::kInfo
              : level_roll < 98 ? lg::EntryLevel::kWarning
                                : lg::EntryLevel::kError;
    const int kind_roll = static_cast<int>((h >> 32) % 100);
    r.kind = kind_roll < 60   ? lg::EntryKind::kAccess
             : kind_roll < 95 ? lg::EntryKind::kApp
                              : lg::EntryKind::kAudit;
    r.client_id = "careergpt-web";
    r.method = absl::StrFormat("/mesh.svc%02d.v1.Api/Method%d", service,
                               static_cast<int>((h >> 40) % 5));
    r.status_code = (h >> 44) % 50 == 0 ? 14 : 0;
    r.latency = absl::Microseconds((h >> 20) % 50000);
    r.peer = absl::StrFormat("ipv4:10.0.%d.%d:%d", (h >> 12) % 256,
                             (h >> 28) % 256, 40000 + h % 20000);
    r.message = (h >> 50) % 1000 == 0 ? "worker panic: index out of range"
                                      : kMessages[(h >> 36) % 5];
    r.attributes = {{"request_id", absl::StrFormat("%016x", h)},
                    {"route", "api"}};
    rows.push_back(std::move(r));
  }
  return rows;
}

std::vector<QueryCase> QueryCases(absl::Time now) {
  std::vector<QueryCase> cases;
  auto add = [&](std::string name, auto set) {
    QueryCase c;
    c.name = std::move(name);
    set(c.filter);
    cases.push_back(std::move(c));
  };
  add("none", [](logging::v1::LogFilter&) {});
  add("service", [](logging::v1::LogFilter& f) { f.set_service("svc-07"); });
  add("subject", [](logging::v1::LogFilter& f) { f.set_subject("user-4242"); });
  add("level>=error", [](logging::v1::LogFilter& f) {
    f.set_level(logging::v1::LOG_LEVEL_ERROR);
  });
  add("kind=audit", [](logging::v1::LogFilter& f) {
    f.set_kind(logging::v1::LOG_KIND_AUDIT);
  });
  add("method_prefix", [](logging::v1::LogFilter& f) {
    f.set_method_prefix("/mesh.svc03.v1.Api/");
  });
  add("text=common",
      [](logging::v1::LogFilter& f) { f.set_text_contains("cache miss"); });
  add("text=rare",
      [](logging::v1::LogFilter& f) { f.set_text_contains("panic"); });
  add("service+last_hour", [now](logging::v1::LogFilter& f) {
    f.set_service("svc-11");
    f.mutable_start_time()->set_seconds(absl::ToUnixSeconds(now) - 3600);
  });
  return cases;
}

}  // namespace meshid::bench
