#include "logging/log_grpc_service.h"

#include <string>
#include <utility>
#include <vector>

#include "common/grpc_status.h"
#include "logging/append_rules.h"
#include "logging/entry_limits.h"
#include "logging/log_proto_convert.h"
#include "logging/tail_stream_service.h"

namespace meshid::logging {
namespace {

// The "authorization" metadata value of the call, or empty.
absl::string_view AuthorizationOf(const grpc::CallbackServerContext& context) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find("authorization");
  if (it == metadata.end()) return {};
  return absl::string_view(it->second.data(), it->second.size());
}

}  // namespace

grpc::ServerUnaryReactor* LogGrpcService::Append(
    grpc::CallbackServerContext* context, const v1::AppendRequest* request,
    v1::AppendResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  LogMetrics* metrics = deps_.metrics;
  auto refuse = [&](const absl::Status& status) {
    if (metrics != nullptr) metrics->OnAppend(status.code(), 0, 0);
    reactor->Finish(ToGrpcStatus(status));
    return reactor;
  };
  absl::StatusOr<Principal> caller =
      deps_.authorizer->Authorize(AuthorizationOf(*context), kWriteScope,
                                  "Append", context->peer());
  if (!caller.ok()) return refuse(caller.status());
  // Too many entries: the whole call is refused, nothing is stored.
  if (absl::Status size = CheckAppendSize(request->entries_size());
      !size.ok()) {
    return refuse(size);
  }
  const absl::Time now = deps_.clock->Now();
  std::vector<absl::StatusOr<LogRecord>> converted;
  converted.reserve(request->entries_size());
  for (const v1::LogEntry& entry : request->entries()) {
    converted.push_back(RecordFromProto(entry, now));
  }
  PreparedAppend prepared = PrepareAppend(std::move(converted), *caller);
  const int accepted = static_cast<int>(prepared.accepted.size());
  const int rejected = prepared.rejected;
  response->set_accepted(accepted);
  response->set_rejected(rejected);
  if (accepted == 0) {
    if (metrics != nullptr) {
      metrics->OnAppend(absl::StatusCode::kOk, 0, rejected);
    }
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
  // Finished by the writer once the entries are committed (or failed), so
  // an OK reply always means stored.
  deps_.writer->Submit(
      std::move(prepared.accepted),
      [reactor, metrics, accepted, rejected](const absl::Status& status) {
        if (metrics != nullptr) {
          metrics->OnAppend(status.code(), status.ok() ? accepted : 0,
                            rejected);
        }
        reactor->Finish(ToGrpcStatus(status));
      });
  return reactor;
}

grpc::ServerUnaryReactor* LogGrpcService::Query(
    grpc::CallbackServerContext* context, const v1::QueryRequest* request,
    v1::QueryResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  LogMetrics* metrics = deps_.metrics;
  auto refuse = [&](const absl::Status& status) {
    if (metrics != nullptr) {
      metrics->OnQuery(status.code(), absl::ZeroDuration());
    }
    reactor->Finish(ToGrpcStatus(status));
    return reactor;
  };
  absl::StatusOr<Principal> caller = deps_.authorizer->Authorize(
      AuthorizationOf(*context), kReadScope, "Query", context->peer());
  if (!caller.ok()) return refuse(caller.status());
  absl::StatusOr<LogFilter> filter = FilterFromProto(request->filter());
  if (!filter.ok()) return refuse(filter.status());
  if (absl::Status checked = CheckQueryFilter(*filter); !checked.ok()) {
    return refuse(checked);
  }
  const LogReader* reader = deps_.reader;
  const Clock* clock = deps_.clock;
  // `request` and `response` stay valid until Finish.
  const bool queued = deps_.query_executor->TrySubmit(
      [reactor, request, response, reader, clock, metrics,
       filter = *std::move(filter)] {
        const absl::Time started = clock->Now();
        absl::StatusOr<QueryPage> page =
            reader->Read(filter, request->page_size(), request->page_token());
        if (page.ok()) {
          for (const LogRecord& record : page->entries) {
            ToProto(record, response->add_entries());
          }
          response->set_next_page_token(page->next_page_token);
        }
        const absl::Status status = page.status();
        if (metrics != nullptr) {
          metrics->OnQuery(status.code(), clock->Now() - started);
        }
        reactor->Finish(ToGrpcStatus(status));
      });
  if (!queued) {
    return refuse(absl::ResourceExhaustedError(
        "the Log server is over capacity (too many queries waiting); retry "
        "with backoff"));
  }
  return reactor;
}

grpc::ServerWriteReactor<v1::LogEntry>* LogGrpcService::Tail(
    grpc::CallbackServerContext* context, const v1::TailRequest* request) {
  absl::StatusOr<Principal> caller = deps_.authorizer->Authorize(
      AuthorizationOf(*context), kReadScope, "Tail", context->peer());
  if (!caller.ok()) return new RefusedTail(ToGrpcStatus(caller.status()));
  absl::StatusOr<LogFilter> filter = FilterFromProto(request->filter());
  if (filter.ok()) {
    if (absl::Status checked = CheckTailFilter(*filter); !checked.ok()) {
      filter = checked;
    }
  }
  if (!filter.ok()) return new RefusedTail(ToGrpcStatus(filter.status()));
  return new TailStreamReactor(deps_.tails, deps_.metrics, *std::move(filter));
}

}  // namespace meshid::logging
