#include "tools/meshctl/logs_commands.h"

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "common/status_macros.h"
#include "tools/meshctl/enum_names.h"
#include "tools/meshctl/flag_values.h"
#include "tools/meshctl/output.h"

namespace meshid::meshctl {
namespace {

namespace lg = logging::v1;

constexpr int32_t kMaxPageSize = 1000;

// --since / --until: an RFC 3339 time, or a duration ago ("15m", "2h").
absl::StatusOr<std::optional<google::protobuf::Timestamp>> TimeOrAgoFlag(
    const Flags& flags, absl::string_view name, absl::Time now) {
  std::optional<std::string> text = flags.Get(name);
  if (!text.has_value()) return std::optional<google::protobuf::Timestamp>();
  absl::Duration ago;
  if (absl::ParseDuration(*text, &ago) && ago >= absl::ZeroDuration() &&
      ago != absl::InfiniteDuration()) {
    return std::optional<google::protobuf::Timestamp>(
        ToProtoTimestamp(now - ago));
  }
  absl::StatusOr<std::optional<google::protobuf::Timestamp>> time =
      TimeFlag(flags, name);
  if (!time.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", name, " must be an RFC 3339 time such as ",
                     "2024-05-01T12:00:00Z or a duration ago such as 15m"));
  }
  return time;
}

// The filter flags both commands share.
absl::StatusOr<lg::LogFilter> FilterFlags(const Flags& flags) {
  lg::LogFilter filter;
  filter.set_service(flags.Get("service").value_or(""));
  filter.set_subject(flags.Get("subject").value_or(""));
  filter.set_method_prefix(flags.Get("method-prefix").value_or(""));
  filter.set_text_contains(flags.Get("contains").value_or(""));
  ASSIGN_OR_RETURN(int level,
                   EnumFlag(flags, "level", lg::LogLevel_descriptor()));
  filter.set_level(static_cast<lg::LogLevel>(level));
  ASSIGN_OR_RETURN(int kind, EnumFlag(flags, "kind", lg::LogKind_descriptor()));
  filter.set_kind(static_cast<lg::LogKind>(kind));
  return filter;
}

// "k1=v1 k2=v2", sorted by key so rows compare across runs.
std::string AttributesText(const lg::LogEntry& entry) {
  const std::map<std::string, std::string> sorted(entry.attributes().begin(),
                                                  entry.attributes().end());
  return absl::StrJoin(sorted, " ", absl::PairFormatter("="));
}

std::vector<std::string> Row(const lg::LogEntry& entry) {
  const bool access = entry.kind() == lg::LOG_KIND_ACCESS;
  return {FormatTime(entry.time()),
          EnumShortName(lg::LogLevel_descriptor(), entry.level()),
          EnumShortName(lg::LogKind_descriptor(), entry.kind()),
          entry.service(),
          entry.subject(),
          entry.method(),
          access ? absl::StrCat(entry.status_code()) : "",
          entry.message(),
          AttributesText(entry)};
}

const std::vector<std::string> kHeader = {"TIME",    "LEVEL",   "KIND",
                                          "SERVICE", "SUBJECT", "METHOD",
                                          "CODE",    "MESSAGE", "ATTRIBUTES"};

int PrintEntries(CommandContext& c, const std::vector<lg::LogEntry>& entries) {
  if (c.json()) {
    for (const lg::LogEntry& entry : entries) {
      if (int rc = c.PrintJsonResult(entry); rc != kExitOk) return rc;
    }
    return kExitOk;
  }
  Table table(kHeader);
  for (const lg::LogEntry& entry : entries) table.AddRow(Row(entry));
  table.Print(c.out());
  return kExitOk;
}

int RunQuery(CommandContext& c) {
  lg::QueryRequest request;
  const absl::Time now = absl::Now();
  absl::StatusOr<std::optional<google::protobuf::Timestamp>> since =
      TimeOrAgoFlag(c.flags(), "since", now);
  if (!since.ok()) return c.Usage(since.status());
  absl::StatusOr<std::optional<google::protobuf::Timestamp>> until =
      TimeOrAgoFlag(c.flags(), "until", now);
  if (!until.ok()) return c.Usage(until.status());
  if (since->has_value() && until->has_value() &&
      FromProtoTimestamp(**since) > FromProtoTimestamp(**until)) {
    return c.Usage("--since must not be after --until");
  }
  absl::StatusOr<lg::LogFilter> filter = FilterFlags(c.flags());
  if (!filter.ok()) return c.Usage(filter.status());
  *request.mutable_filter() = *std::move(filter);
  if (since->has_value())
    *request.mutable_filter()->mutable_start_time() = **since;
  if (until->has_value())
    *request.mutable_filter()->mutable_end_time() = **until;

  absl::StatusOr<std::optional<int64_t>> limit = LimitFlag(c.flags());
  if (!limit.ok()) return c.Usage(limit.status());
  absl::StatusOr<std::optional<int64_t>> page_size = c.flags().Int("page-size");
  if (!page_size.ok()) return c.Usage(page_size.status());
  if (page_size->has_value() &&
      (**page_size <= 0 || **page_size > kMaxPageSize)) {
    return c.Usage("--page-size must be 1 to 1000");
  }
  const bool all = c.flags().Has("all");
  if (all && limit->has_value()) {
    return c.Usage("give --all or --limit, not both");
  }
  const bool follow = all || limit->has_value();
  int32_t size = page_size->has_value() ? static_cast<int32_t>(**page_size) : 0;
  if (!page_size->has_value() && limit->has_value()) {
    size = static_cast<int32_t>(std::min<int64_t>(**limit, kMaxPageSize));
  }
  request.set_page_size(size);
  request.set_page_token(c.flags().Get("page-token").value_or(""));

  std::vector<lg::LogEntry> entries;
  std::string next;
  while (true) {
    lg::QueryResponse response;
    grpc::Status status = c.Call([&](grpc::ClientContext* context) {
      return c.log().Query(context, request, &response);
    });
    if (!status.ok()) return c.RpcFailed(status);
    for (const lg::LogEntry& entry : response.entries()) {
      if (limit->has_value() &&
          static_cast<int64_t>(entries.size()) >= **limit) {
        break;
      }
      entries.push_back(entry);
    }
    next = response.next_page_token();
    const bool done =
        next.empty() || !follow ||
        (limit->has_value() && static_cast<int64_t>(entries.size()) >= **limit);
    if (done) break;
    if (next == request.page_token()) {
      return c.Failed("the server returned the same page token again");
    }
    request.set_page_token(next);
  }
  if (int rc = PrintEntries(c, entries); rc != kExitOk) return rc;
  // Only a single page hands the rest over to the user; stderr keeps
  // stdout a clean table or JSON stream.
  if (!follow && !next.empty()) {
    c.err() << "more entries: add --page-token " << next << " (or --all)\n";
  }
  return kExitOk;
}

int RunTail(CommandContext& c) {
  lg::TailRequest request;
  absl::StatusOr<lg::LogFilter> filter = FilterFlags(c.flags());
  if (!filter.ok()) return c.Usage(filter.status());
  *request.mutable_filter() = *std::move(filter);
  absl::StatusOr<std::optional<int64_t>> limit = LimitFlag(c.flags());
  if (!limit.ok()) return c.Usage(limit.status());

  grpc::ClientContext context;
  c.PrepareStreamContext(&context);
  std::unique_ptr<grpc::ClientReaderInterface<lg::LogEntry>> stream =
      c.log().Tail(&context, request);
  if (!c.json()) {
    Table header(kHeader);
    header.Print(c.out());
  }
  int64_t seen = 0;
  lg::LogEntry entry;
  while ((!limit->has_value() || seen < **limit) && stream->Read(&entry)) {
    ++seen;
    if (c.json()) {
      if (int rc = c.PrintJsonResult(entry); rc != kExitOk) return rc;
    } else {
      // One line per entry as it comes: no column alignment across lines.
      c.out() << absl::StrJoin(
                     Row(entry), "  ",
                     [](std::string* out, const std::string& cell) {
                       out->append(cell.empty() ? "-" : Printable(cell));
                     })
              << "\n";
    }
    c.out().flush();
  }
  if (limit->has_value() && seen >= **limit) {
    context.TryCancel();
    (void)stream->Finish();  // CANCELLED, by us
    return kExitOk;
  }
  const grpc::Status status = stream->Finish();
  if (!status.ok()) return c.RpcFailed(status);
  return kExitOk;
}

}  // namespace

std::vector<CommandSpec> LogsCommands() {
  const std::set<std::string> filters = {"service",       "subject",  "level",
                                         "method-prefix", "contains", "kind"};
  std::set<std::string> query_flags = filters;
  query_flags.insert({"since", "until", "page-size", "page-token", "limit"});
  CommandSpec query = MakeSpec(
      "logs", "query",
      "[--since T] [--until T] [--service S] [--subject S] [--level L] "
      "[--method-prefix P] [--contains TEXT] [--kind K] [--page-size N] "
      "[--page-token T | --all | --limit N]",
      "query the Log server, newest first (one page, every page with --all, "
      "or the first N entries)",
      query_flags, RunQuery);
  query.plane = Plane::kLog;
  query.bool_flags = {"all"};
  query.details =
      "  --since/--until: RFC 3339 (2024-05-01T12:00:00Z) or a duration ago "
      "(15m, 2h);\n  --level debug|info|warning|error (that level and "
      "above); --kind access|audit|app;\n  --contains is a case-sensitive "
      "substring of the message. The token needs\n  aud=logging-service and "
      "scope logs:read.";

  std::set<std::string> tail_flags = filters;
  tail_flags.insert("limit");
  CommandSpec tail = MakeSpec(
      "logs", "tail",
      "[--service S] [--subject S] [--level L] [--method-prefix P] "
      "[--contains TEXT] [--kind K] [--limit N]",
      "print entries as they are appended, until interrupted (or N entries)",
      tail_flags, RunTail);
  tail.plane = Plane::kLog;
  tail.details =
      "  the server ends a tail that falls behind (RESOURCE_EXHAUSTED): run "
      "it again,\n  and logs query the gap. No deadline unless --timeout is "
      "given.";
  return {std::move(query), std::move(tail)};
}

}  // namespace meshid::meshctl
