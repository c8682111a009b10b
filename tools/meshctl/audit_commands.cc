#include "tools/meshctl/audit_commands.h"

#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tools/meshctl/flag_values.h"
#include "tools/meshctl/output.h"
#include "tools/meshctl/paging.h"

namespace meshid::meshctl {
namespace {

namespace ka = keyadmin::v1;
using Stub = ka::KeyAdmin::StubInterface;

// "k1=v1 k2=v2", sorted by key so rows compare across runs.
std::string DetailsText(const ka::AuditEvent& event) {
  const std::map<std::string, std::string> sorted(event.details().begin(),
                                                  event.details().end());
  return absl::StrJoin(sorted, " ", absl::PairFormatter("="));
}

int RunList(CommandContext& c) {
  ka::ListAuditEventsRequest request;
  absl::StatusOr<std::optional<google::protobuf::Timestamp>> since =
      TimeFlag(c.flags(), "since");
  if (!since.ok()) return c.Usage(since.status());
  absl::StatusOr<std::optional<google::protobuf::Timestamp>> until =
      TimeFlag(c.flags(), "until");
  if (!until.ok()) return c.Usage(until.status());
  absl::StatusOr<std::optional<int64_t>> limit = LimitFlag(c.flags());
  if (!limit.ok()) return c.Usage(limit.status());
  if (since->has_value() && until->has_value() &&
      FromProtoTimestamp(**since) > FromProtoTimestamp(**until)) {
    return c.Usage("--since must not be after --until");
  }
  request.set_actor(c.flags().Get("actor").value_or(""));
  request.set_action(c.flags().Get("action").value_or(""));
  request.set_target(c.flags().Get("target").value_or(""));
  request.set_kid(c.flags().Get("kid").value_or(""));
  if (since->has_value()) *request.mutable_since() = **since;
  if (until->has_value()) *request.mutable_until() = **until;

  std::vector<ka::AuditEvent> events;
  grpc::Status status =
      ListAllPages(c, c.keyadmin(), &Stub::ListAuditEvents, request,
                   &ka::ListAuditEventsResponse::events, *limit, &events);
  if (!status.ok()) return c.RpcFailed(status);
  if (c.json()) {
    for (const ka::AuditEvent& event : events) {
      if (int rc = c.PrintJsonResult(event); rc != kExitOk) return rc;
    }
    return kExitOk;
  }
  Table table(
      {"TIME", "ACTOR", "ACTION", "TARGET", "KID", "VERSION", "DETAILS"});
  for (const ka::AuditEvent& event : events) {
    table.AddRow({FormatTime(event.time()), event.actor(), event.action(),
                  event.target(), event.kid(),
                  event.version() == 0 ? "" : absl::StrCat(event.version()),
                  DetailsText(event)});
  }
  table.Print(c.out());
  return kExitOk;
}

}  // namespace

std::vector<CommandSpec> AuditCommands() {
  CommandSpec list = MakeSpec(
      "audit", "list",
      "[--actor A] [--action ACTION] [--target T] [--kid KID] "
      "[--since RFC3339] [--until RFC3339] [--limit N]",
      "list audit events, newest first (every page, or the first N)",
      {"actor", "action", "target", "kid", "since", "until", "limit"}, RunList);
  list.details =
      "  filters match exactly; actions: client.create, "
      "client.update_policy,\n  client.rotate_secret, client.delete, "
      "principal.register, principal.transition,\n  principal.update_roles, "
      "key.create, key.rotate, key.activate, key.retire,\n  key.expire, "
      "key.revoke, subject.revoke, token.revoke";
  return {std::move(list)};
}

}  // namespace meshid::meshctl
