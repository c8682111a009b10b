#include "tools/meshctl/client_commands.h"

#include <ostream>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/status_macros.h"
#include "tools/meshctl/enum_names.h"
#include "tools/meshctl/flag_values.h"
#include "tools/meshctl/output.h"
#include "tools/meshctl/paging.h"

namespace meshid::meshctl {
namespace {

namespace ka = keyadmin::v1;
using Stub = ka::KeyAdmin::StubInterface;

constexpr char kPolicySynopsis[] =
    "--audience AUD[=SCOPE,...]... [--max-ttl DUR] "
    "[--signing-alg HS256|EdDSA|ES256]";

constexpr char kPolicyDetails[] =
    "  --audience AUD[=SCOPE,...]  an audience the client may ask tokens for,\n"
    "                              with the scopes allowed for it; repeat per\n"
    "                              audience\n"
    "  --max-ttl DUR               longest token lifetime (default: the "
    "server's maximum)\n"
    "  --signing-alg ALG           HS256 (default: a key per client/audience "
    "pair),\n"
    "                              EdDSA or ES256 (the issuer's key)";

std::string SigningAlgName(ka::KeyAlgorithm alg) {
  return alg == ka::KEY_ALGORITHM_UNSPECIFIED ? "HS256" : AlgorithmName(alg);
}

// "api=read,write logging-service": the same syntax as --audience.
std::string AudiencesText(const ka::ClientPolicy& policy) {
  std::vector<std::string> parts;
  for (const std::string& audience : policy.allowed_audiences()) {
    std::string part = audience;
    for (const ka::AudienceScopes& entry : policy.audience_scopes()) {
      if (entry.audience() == audience && entry.scopes_size() > 0) {
        absl::StrAppend(&part, "=", absl::StrJoin(entry.scopes(), ","));
      }
    }
    parts.push_back(std::move(part));
  }
  return absl::StrJoin(parts, " ");
}

Fields ClientFields(const ka::Client& client) {
  return {
      {"client_id", client.client_id()},
      {"display_name", client.display_name()},
      {"state", EnumShortName(identity::v1::PrincipalState_descriptor(),
                              client.state())},
      {"audiences", AudiencesText(client.policy())},
      {"max_token_ttl", FormatDuration(client.policy().max_token_ttl())},
      {"signing_alg", SigningAlgName(client.policy().signing_alg())},
      {"created_at", FormatTime(client.created_at())},
      {"updated_at", FormatTime(client.updated_at())},
      {"secret_rotated_at", FormatTime(client.secret_rotated_at())},
  };
}

// The one place a client secret is printed. People get it with a note;
// with --json the note goes to stderr so stdout stays one JSON object.
template <typename Response>
int PrintWithSecret(CommandContext& c, const Response& response) {
  const std::string note = absl::StrCat(
      "The client secret is shown only now and cannot be shown again: the "
      "server keeps only an HMAC of it. Store it now; if it is lost, run "
      "'meshctl clients rotate-secret --id ",
      Printable(response.client().client_id()), "'.");
  if (c.json()) {
    c.err() << "meshctl: note: " << note << "\n";
    return c.PrintJsonResult(response);
  }
  PrintFields(c.out(), ClientFields(response.client()));
  c.out() << "\nclient_secret: " << Printable(response.client_secret())
          << "\n\n"
          << note << "\n";
  return kExitOk;
}

int PrintClient(CommandContext& c, const ka::Client& client) {
  if (c.json()) return c.PrintJsonResult(client);
  PrintFields(c.out(), ClientFields(client));
  return kExitOk;
}

int RunCreate(CommandContext& c) {
  ka::CreateClientRequest request;
  absl::StatusOr<std::string> id = c.flags().Required("id");
  if (!id.ok()) return c.Usage(id.status());
  absl::StatusOr<ka::ClientPolicy> policy = ClientPolicyFromFlags(c.flags());
  if (!policy.ok()) return c.Usage(policy.status());
  request.set_client_id(*id);
  request.set_display_name(c.flags().Get("name").value_or(""));
  *request.mutable_policy() = *std::move(policy);
  ka::CreateClientResponse response;
  grpc::Status status = c.Call([&](grpc::ClientContext* ctx) {
    return c.keyadmin().CreateClient(ctx, request, &response);
  });
  if (!status.ok()) return c.RpcFailed(status);
  return PrintWithSecret(c, response);
}

int RunList(CommandContext& c) {
  absl::StatusOr<std::optional<int64_t>> limit = LimitFlag(c.flags());
  if (!limit.ok()) return c.Usage(limit.status());
  std::vector<ka::Client> clients;
  grpc::Status status = ListAllPages(
      c, c.keyadmin(), &Stub::ListClients, ka::ListClientsRequest(),
      &ka::ListClientsResponse::clients, *limit, &clients);
  if (!status.ok()) return c.RpcFailed(status);
  if (c.json()) {
    for (const ka::Client& client : clients) {
      if (int rc = c.PrintJsonResult(client); rc != kExitOk) return rc;
    }
    return kExitOk;
  }
  Table table({"CLIENT_ID", "NAME", "STATE", "SIGNING_ALG", "MAX_TTL",
               "AUDIENCES", "CREATED"});
  for (const ka::Client& client : clients) {
    std::vector<std::string> audiences(
        client.policy().allowed_audiences().begin(),
        client.policy().allowed_audiences().end());
    table.AddRow({client.client_id(), client.display_name(),
                  EnumShortName(identity::v1::PrincipalState_descriptor(),
                                client.state()),
                  SigningAlgName(client.policy().signing_alg()),
                  FormatDuration(client.policy().max_token_ttl()),
                  JoinOrDash(audiences), FormatTime(client.created_at())});
  }
  table.Print(c.out());
  return kExitOk;
}

int RunGet(CommandContext& c) {
  ka::GetClientRequest request;
  absl::StatusOr<std::string> id = c.flags().Required("id");
  if (!id.ok()) return c.Usage(id.status());
  request.set_client_id(*id);
  ka::Client client;
  grpc::Status status = c.Call([&](grpc::ClientContext* ctx) {
    return c.keyadmin().GetClient(ctx, request, &client);
  });
  if (!status.ok()) return c.RpcFailed(status);
  return PrintClient(c, client);
}

int RunPolicy(CommandContext& c) {
  ka::UpdateClientPolicyRequest request;
  absl::StatusOr<std::string> id = c.flags().Required("id");
  if (!id.ok()) return c.Usage(id.status());
  absl::StatusOr<ka::ClientPolicy> policy = ClientPolicyFromFlags(c.flags());
  if (!policy.ok()) return c.Usage(policy.status());
  request.set_client_id(*id);
  *request.mutable_policy() = *std::move(policy);
  ka::Client client;
  grpc::Status status = c.Call([&](grpc::ClientContext* ctx) {
    return c.keyadmin().UpdateClientPolicy(ctx, request, &client);
  });
  if (!status.ok()) return c.RpcFailed(status);
  return PrintClient(c, client);
}

int RunRotateSecret(CommandContext& c) {
  ka::RotateClientSecretRequest request;
  absl::StatusOr<std::string> id = c.flags().Required("id");
  if (!id.ok()) return c.Usage(id.status());
  request.set_client_id(*id);
  ka::RotateClientSecretResponse response;
  grpc::Status status = c.Call([&](grpc::ClientContext* ctx) {
    return c.keyadmin().RotateClientSecret(ctx, request, &response);
  });
  if (!status.ok()) return c.RpcFailed(status);
  return PrintWithSecret(c, response);
}

int RunDelete(CommandContext& c) {
  ka::DeleteClientRequest request;
  absl::StatusOr<std::string> id = c.flags().Required("id");
  if (!id.ok()) return c.Usage(id.status());
  request.set_client_id(*id);
  google::protobuf::Empty empty;
  grpc::Status status = c.Call([&](grpc::ClientContext* ctx) {
    return c.keyadmin().DeleteClient(ctx, request, &empty);
  });
  if (!status.ok()) return c.RpcFailed(status);
  if (c.json()) return c.PrintJsonResult(empty);
  c.out() << "deleted client '" << Printable(*id)
          << "': its principal is DELETED and its keys are revoked\n";
  return kExitOk;
}

}  // namespace

absl::StatusOr<ka::ClientPolicy> ClientPolicyFromFlags(const Flags& flags) {
  ka::ClientPolicy policy;
  std::set<std::string> seen;
  for (const std::string& value : flags.GetAll("audience")) {
    std::pair<std::string, std::string> parts =
        absl::StrSplit(value, absl::MaxSplits('=', 1));
    const std::string& audience = parts.first;
    if (audience.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--audience '", value, "' names no audience"));
    }
    if (!seen.insert(audience).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("--audience '", audience, "' given twice"));
    }
    policy.add_allowed_audiences(audience);
    std::vector<std::string> scopes =
        absl::StrSplit(parts.second, ',', absl::SkipEmpty());
    if (!scopes.empty()) {
      ka::AudienceScopes* entry = policy.add_audience_scopes();
      entry->set_audience(audience);
      for (std::string& scope : scopes) entry->add_scopes(std::move(scope));
    }
  }
  if (policy.allowed_audiences_size() == 0) {
    return absl::InvalidArgumentError(
        "at least one --audience AUD[=SCOPE,...] is required");
  }
  ASSIGN_OR_RETURN(std::optional<google::protobuf::Duration> max_ttl,
                   WholeSecondsFlag(flags, "max-ttl"));
  if (max_ttl.has_value()) {
    if (max_ttl->seconds() == 0) {
      return absl::InvalidArgumentError("--max-ttl must be greater than 0");
    }
    *policy.mutable_max_token_ttl() = *max_ttl;
  }
  ASSIGN_OR_RETURN(ka::KeyAlgorithm alg, AlgorithmFlag(flags, "signing-alg"));
  policy.set_signing_alg(alg);
  return policy;
}

std::vector<CommandSpec> ClientCommands() {
  std::vector<CommandSpec> specs;
  CommandSpec create = MakeSpec(
      "clients", "create", absl::StrCat("--id ID [--name N] ", kPolicySynopsis),
      "create a client; prints its secret once (it cannot be shown again)",
      {"id", "name", "max-ttl", "signing-alg"}, RunCreate);
  create.details = kPolicyDetails;
  create.repeated_flags = {"audience"};
  specs.push_back(std::move(create));
  specs.push_back(MakeSpec("clients", "list", "[--limit N]",
                           "list clients (every page, or the first N)",
                           {"limit"}, RunList));
  specs.push_back(MakeSpec("clients", "get", "--id ID",
                           "show one client (never its secret)", {"id"},
                           RunGet));
  CommandSpec policy = MakeSpec(
      "clients", "policy", absl::StrCat("--id ID ", kPolicySynopsis),
      "replace a client's WHOLE policy (a full replacement, not a patch)",
      {"id", "max-ttl", "signing-alg"}, RunPolicy);
  policy.details = absl::StrCat(
      "  UpdateClientPolicy replaces the whole policy: audiences, scopes, "
      "--max-ttl and\n  --signing-alg not given now are removed or reset to "
      "their defaults. A removed\n  audience's key is retired; its tokens "
      "verify until they expire.\n",
      kPolicyDetails);
  policy.repeated_flags = {"audience"};
  specs.push_back(std::move(policy));
  specs.push_back(MakeSpec(
      "clients", "rotate-secret", "--id ID",
      "replace a client's secret (the old one stops working at once); prints "
      "the new one once",
      {"id"}, RunRotateSecret));
  specs.push_back(MakeSpec(
      "clients", "delete", "--id ID",
      "delete a client for good: its keys and tokens are revoked, the id is "
      "never reused",
      {"id"}, RunDelete));
  return specs;
}

}  // namespace meshid::meshctl
