#include "tools/meshctl/key_commands.h"

#include <ostream>
#include <string>

#include "absl/strings/str_cat.h"
#include "tools/meshctl/enum_names.h"
#include "tools/meshctl/flag_values.h"
#include "tools/meshctl/output.h"
#include "tools/meshctl/paging.h"

namespace meshid::meshctl {
namespace {

namespace ka = keyadmin::v1;
using Stub = ka::KeyAdmin::StubInterface;

constexpr char kSlotSynopsis[] =
    "(--client C --audience A | --issuer-alg EdDSA|ES256)";

std::string StateName(ka::KeyState state) {
  return EnumShortName(ka::KeyState_descriptor(), state);
}

Fields KeyFields(const ka::Key& key) {
  return {
      {"kid", key.kid()},
      {"alg", AlgorithmName(key.alg())},
      {"slot", SlotName(key.slot())},
      {"state", StateName(key.state())},
      {"created_at", FormatTime(key.created_at())},
      {"created_by", key.created_by()},
      {"activated_at", FormatTime(key.activated_at())},
      {"retired_at", FormatTime(key.retired_at())},
      {"expires_at", FormatTime(key.expires_at())},
      {"revoked_at", FormatTime(key.revoked_at())},
      {"revoke_reason", key.revoke_reason()},
  };
}

int PrintKey(CommandContext& c, const ka::Key& key) {
  if (c.json()) return c.PrintJsonResult(key);
  PrintFields(c.out(), KeyFields(key));
  return kExitOk;
}

// The slot of create and rotate, which need one.
absl::StatusOr<ka::KeySlot> RequiredSlot(const Flags& flags) {
  absl::StatusOr<std::optional<ka::KeySlot>> slot = KeySlotFlags(flags);
  if (!slot.ok()) return slot.status();
  if (!slot->has_value()) {
    return absl::InvalidArgumentError(
        "name the slot with --client and --audience, or --issuer-alg");
  }
  return **slot;
}

int RunList(CommandContext& c) {
  ka::ListKeysRequest request;
  absl::StatusOr<std::optional<ka::KeySlot>> slot = KeySlotFlags(c.flags());
  if (!slot.ok()) return c.Usage(slot.status());
  absl::StatusOr<int> state =
      EnumFlag(c.flags(), "state", ka::KeyState_descriptor());
  if (!state.ok()) return c.Usage(state.status());
  absl::StatusOr<std::optional<int64_t>> limit = LimitFlag(c.flags());
  if (!limit.ok()) return c.Usage(limit.status());
  if (slot->has_value()) *request.mutable_slot() = **slot;
  request.set_state(static_cast<ka::KeyState>(*state));

  std::vector<ka::Key> keys;
  grpc::Status status =
      ListAllPages(c, c.keyadmin(), &Stub::ListKeys, request,
                   &ka::ListKeysResponse::keys, *limit, &keys);
  if (!status.ok()) return c.RpcFailed(status);
  if (c.json()) {
    for (const ka::Key& key : keys) {
      if (int rc = c.PrintJsonResult(key); rc != kExitOk) return rc;
    }
    return kExitOk;
  }
  Table table(
      {"KID", "ALG", "SLOT", "STATE", "CREATED", "ACTIVATED", "EXPIRES"});
  for (const ka::Key& key : keys) {
    table.AddRow({key.kid(), AlgorithmName(key.alg()), SlotName(key.slot()),
                  StateName(key.state()), FormatTime(key.created_at()),
                  FormatTime(key.activated_at()),
                  FormatTime(key.expires_at())});
  }
  table.Print(c.out());
  return kExitOk;
}

int RunGet(CommandContext& c) {
  ka::GetKeyRequest request;
  absl::StatusOr<std::string> kid = c.flags().Required("kid");
  if (!kid.ok()) return c.Usage(kid.status());
  request.set_kid(*kid);
  ka::Key key;
  grpc::Status status = c.Call([&](grpc::ClientContext* ctx) {
    return c.keyadmin().GetKey(ctx, request, &key);
  });
  if (!status.ok()) return c.RpcFailed(status);
  return PrintKey(c, key);
}

// Fills the slot and activation delay shared by CreateKeyRequest and
// RotateKeyRequest.
template <typename Request>
absl::Status SlotAndDelay(const Flags& flags, Request* request) {
  absl::StatusOr<ka::KeySlot> slot = RequiredSlot(flags);
  if (!slot.ok()) return slot.status();
  absl::StatusOr<std::optional<google::protobuf::Duration>> delay =
      WholeSecondsFlag(flags, "activation-delay");
  if (!delay.ok()) return delay.status();
  *request->mutable_slot() = *slot;
  if (delay->has_value()) *request->mutable_activation_delay() = **delay;
  return absl::OkStatus();
}

int RunCreate(CommandContext& c) {
  ka::CreateKeyRequest request;
  if (absl::Status s = SlotAndDelay(c.flags(), &request); !s.ok()) {
    return c.Usage(s);
  }
  ka::Key key;
  grpc::Status status = c.Call([&](grpc::ClientContext* ctx) {
    return c.keyadmin().CreateKey(ctx, request, &key);
  });
  if (!status.ok()) return c.RpcFailed(status);
  return PrintKey(c, key);
}

int RunRotate(CommandContext& c) {
  ka::RotateKeyRequest request;
  if (absl::Status s = SlotAndDelay(c.flags(), &request); !s.ok()) {
    return c.Usage(s);
  }
  ka::RotateKeyResponse response;
  grpc::Status status = c.Call([&](grpc::ClientContext* ctx) {
    return c.keyadmin().RotateKey(ctx, request, &response);
  });
  if (!status.ok()) return c.RpcFailed(status);
  if (c.json()) return c.PrintJsonResult(response);
  c.out() << "new key:\n";
  PrintFields(c.out(), KeyFields(response.new_key()));
  if (response.has_previous_key()) {
    c.out() << "\nprevious key:\n";
    PrintFields(c.out(), KeyFields(response.previous_key()));
  } else {
    c.out() << "\nprevious key: none (the slot was empty)\n";
  }
  return kExitOk;
}

int RunRevoke(CommandContext& c) {
  ka::RevokeKeyRequest request;
  absl::StatusOr<std::string> kid = c.flags().Required("kid");
  if (!kid.ok()) return c.Usage(kid.status());
  absl::StatusOr<std::string> reason = c.flags().Required("reason");
  if (!reason.ok()) return c.Usage(reason.status());
  request.set_kid(*kid);
  request.set_reason(*reason);
  ka::Key key;
  grpc::Status status = c.Call([&](grpc::ClientContext* ctx) {
    return c.keyadmin().RevokeKey(ctx, request, &key);
  });
  if (!status.ok()) return c.RpcFailed(status);
  return PrintKey(c, key);
}

int RunRevokeSubject(CommandContext& c) {
  ka::RevokeSubjectRequest request;
  absl::StatusOr<std::string> subject = c.flags().Required("subject");
  if (!subject.ok()) return c.Usage(subject.status());
  absl::StatusOr<std::string> reason = c.flags().Required("reason");
  if (!reason.ok()) return c.Usage(reason.status());
  absl::StatusOr<std::optional<google::protobuf::Timestamp>> before =
      TimeFlag(c.flags(), "before");
  if (!before.ok()) return c.Usage(before.status());
  request.set_subject(*subject);
  request.set_reason(*reason);
  if (before->has_value()) *request.mutable_revoked_before() = **before;
  ka::RevokeSubjectResponse response;
  grpc::Status status = c.Call([&](grpc::ClientContext* ctx) {
    return c.keyadmin().RevokeSubject(ctx, request, &response);
  });
  if (!status.ok()) return c.RpcFailed(status);
  if (c.json()) return c.PrintJsonResult(response);
  PrintFields(
      c.out(),
      {{"subject", response.revoked().subject()},
       {"revoked_before", FormatTime(response.revoked().revoked_before())},
       {"expires_at", FormatTime(response.revoked().expires_at())},
       {"version", absl::StrCat(response.version())}});
  return kExitOk;
}

}  // namespace

std::vector<CommandSpec> KeyCommands() {
  const std::set<std::string> slot_flags = {"client", "audience", "issuer-alg"};
  std::set<std::string> list_flags = slot_flags;
  list_flags.insert({"state", "limit"});
  std::set<std::string> create_flags = slot_flags;
  create_flags.insert("activation-delay");

  std::vector<CommandSpec> specs;
  specs.push_back(MakeSpec(
      "keys", "list",
      absl::StrCat("[--client C --audience A | --issuer-alg EdDSA|ES256] "
                   "[--state ",
                   EnumChoices(ka::KeyState_descriptor()), "] [--limit N]"),
      "list key metadata, newest first (every page, or the first N)",
      list_flags, RunList));
  specs.push_back(MakeSpec("keys", "get", "--kid KID",
                           "show one key's metadata", {"kid"}, RunGet));
  specs.push_back(MakeSpec(
      "keys", "create",
      absl::StrCat(kSlotSynopsis, " [--activation-delay DUR]"),
      "create the first key of an empty slot (PENDING, ACTIVE after the "
      "delay; server default 2s, 0 = at once)",
      create_flags, RunCreate));
  specs.push_back(MakeSpec(
      "keys", "rotate",
      absl::StrCat(kSlotSynopsis, " [--activation-delay DUR]"),
      "rotate one slot: a new key is published, activated after the delay, "
      "and the old one retired",
      create_flags, RunRotate));
  specs.push_back(MakeSpec(
      "keys", "revoke", "--kid KID --reason R",
      "revoke one key: every token it signed fails at once (the reason goes "
      "to the audit log)",
      {"kid", "reason"}, RunRevoke));
  specs.push_back(MakeSpec(
      "subjects", "revoke", "--subject S --reason R [--before RFC3339]",
      "revoke every token of a subject issued before a time (default now)",
      {"subject", "reason", "before"}, RunRevokeSubject));
  return specs;
}

}  // namespace meshid::meshctl
