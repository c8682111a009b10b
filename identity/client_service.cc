#include "identity/client_service.h"

#include "absl/strings/str_cat.h"
#include "common/base64url.h"
#include "common/crypto/random.h"
#include "common/status_macros.h"
#include "identity/audit.h"
#include "identity/key_operations.h"
#include "identity/principal_lifecycle.h"
#include "identity/principal_service.h"

namespace meshid::identity {
namespace {

absl::Status NotFound(absl::string_view client_id) {
  return absl::NotFoundError(
      absl::StrCat("client '", client_id, "' not found"));
}

ClientInfo ToInfo(const ClientRecord& client, const ClientPolicy& policy,
                  PrincipalState state) {
  return ClientInfo{client.client_id,  client.display_name, policy, state,
                    client.created_at, client.updated_at};
}

// Reads a live client and its principal; NOT_FOUND for missing or deleted.
absl::Status ReadClient(Transaction& tx, absl::string_view client_id,
                        ClientRecord* client, PrincipalRecord* principal) {
  absl::StatusOr<ClientRecord> c = tx.clients().Get(client_id);
  if (absl::IsNotFound(c.status())) return NotFound(client_id);
  RETURN_IF_ERROR(c.status());
  ASSIGN_OR_RETURN(*principal, tx.principals().Get(client_id));
  if (principal->state == PrincipalState::kDeleted) return NotFound(client_id);
  *client = *std::move(c);
  return absl::OkStatus();
}

// Makes the pair key of every audience `policy` grants that has none, and
// retires the keys of audiences it no longer grants.
absl::Status SyncPairKeys(Transaction& tx, const IdentityContext& ctx,
                          absl::string_view client_id,
                          const ClientPolicy& policy, absl::string_view actor,
                          absl::Time now, bool activate_now = false) {
  ASSIGN_OR_RETURN(std::vector<KeyRecord> all, tx.keys().ListAll());
  std::set<std::string> keyed;
  for (KeyRecord& key : all) {
    if (key.alg != Algorithm::kHs256 || key.client_id != client_id) continue;
    const bool live =
        key.state == KeyState::kPending || key.state == KeyState::kActive;
    if (!live) continue;
    if (policy.AllowsAudience(key.audience)) {
      keyed.insert(key.audience);
    } else if (key.state == KeyState::kActive) {
      RETURN_IF_ERROR(MoveKey(tx, ctx, key, KeyState::kRetired, now));
    } else {
      RETURN_IF_ERROR(MoveKey(tx, ctx, key, KeyState::kRevoked, now));
    }
  }
  if (policy.signing_alg != Algorithm::kHs256) return absl::OkStatus();
  for (const auto& [audience, scopes] : policy.audiences) {
    if (keyed.count(audience) != 0) continue;
    RETURN_IF_ERROR(
        InsertKeyAfter(
            tx, ctx, KeySlot::Pair(std::string(client_id), audience),
            activate_now ? absl::ZeroDuration() : ctx.options.activation_delay,
            actor)
            .status());
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> NewClientSecret() {
  ASSIGN_OR_RETURN(crypto::SecretBytes bytes, crypto::RandomSecret(32));
  return absl::StrCat("mid_", Base64UrlEncode(bytes.view()));
}

absl::StatusOr<ClientWithSecret> ClientService::CreateClient(
    absl::string_view client_id, absl::string_view display_name,
    const ClientPolicy& policy, absl::string_view actor,
    const CreateOptions& options) {
  const absl::string_view secret = options.secret;
  RETURN_IF_ERROR(ValidateName("client_id", client_id));
  // A client named like one of meshid's own planes would be that audience's
  // watcher, and WatchKeys would hand it the pair secrets that sign admin
  // tokens.
  if (client_id == ctx_.options.identity_audience ||
      client_id == ctx_.options.keyadmin_audience) {
    return absl::InvalidArgumentError(absl::StrCat(
        "client_id '", client_id, "' is reserved for meshid itself"));
  }
  if (display_name.size() > 256) {
    return absl::InvalidArgumentError("display_name must be at most 256 bytes");
  }
  RETURN_IF_ERROR(policy.Validate(ctx_.options.max_token_ttl));
  ClientWithSecret result;
  if (secret.empty()) {
    ASSIGN_OR_RETURN(result.secret, NewClientSecret());
  } else if (secret.size() < 32 || secret.size() > 512) {
    return absl::InvalidArgumentError("a client secret must be 32-512 bytes");
  } else {
    result.secret = std::string(secret);
  }
  RETURN_IF_ERROR(
      ctx_.store->RunInTransaction([&](Transaction& tx) -> absl::Status {
        const absl::Time now = ctx_.Now();
        ASSIGN_OR_RETURN(
            int64_t version,
            tx.events().Append(ChangeKind::kClientChanged, client_id, now));
        PrincipalRecord principal;
        principal.id = std::string(client_id);
        principal.kind = PrincipalKind::kService;
        principal.state = PrincipalState::kActive;
        principal.created_at = principal.updated_at = now;
        principal.version = version;
        absl::Status inserted = tx.principals().Insert(principal);
        if (absl::IsAlreadyExists(inserted)) {
          return absl::AlreadyExistsError(
              absl::StrCat("client_id '", client_id,
                           "' is or was in use (ids are never reused)"));
        }
        RETURN_IF_ERROR(inserted);
        ClientRecord client;
        client.client_id = std::string(client_id);
        client.display_name = std::string(display_name);
        client.secret_hash = ctx_.master_key->HashClientSecret(result.secret);
        client.policy_json = policy.ToJson();
        client.created_at = client.updated_at = now;
        client.version = version;
        RETURN_IF_ERROR(tx.clients().Insert(client));
        RETURN_IF_ERROR(SyncPairKeys(tx, ctx_, client_id, policy, actor, now,
                                     options.activate_keys_now));
        result.client = ToInfo(client, policy, principal.state);
        return WriteAudit(
            tx,
            {std::string(actor),
             "client.create",
             std::string(client_id),
             "",
             {{"audiences", absl::StrCat(policy.audiences.size())}}},
            now, version);
      }));
  (void)ctx_.views->Refresh();
  return result;
}

absl::StatusOr<ClientInfo> ClientService::GetClient(
    absl::string_view client_id) {
  ClientInfo info;
  RETURN_IF_ERROR(
      ctx_.store->RunInTransaction([&](Transaction& tx) -> absl::Status {
        ClientRecord client;
        PrincipalRecord principal;
        RETURN_IF_ERROR(ReadClient(tx, client_id, &client, &principal));
        ASSIGN_OR_RETURN(ClientPolicy policy,
                         ClientPolicy::FromJson(client.policy_json));
        info = ToInfo(client, policy, principal.state);
        return absl::OkStatus();
      }));
  return info;
}

absl::StatusOr<std::vector<ClientInfo>> ClientService::ListClients() {
  std::vector<ClientInfo> out;
  RETURN_IF_ERROR(
      ctx_.store->RunInTransaction([&](Transaction& tx) -> absl::Status {
        ASSIGN_OR_RETURN(std::vector<ClientRecord> clients,
                         tx.clients().ListAll());
        for (const ClientRecord& client : clients) {
          ASSIGN_OR_RETURN(PrincipalRecord principal,
                           tx.principals().Get(client.client_id));
          if (principal.state == PrincipalState::kDeleted) continue;
          ASSIGN_OR_RETURN(ClientPolicy policy,
                           ClientPolicy::FromJson(client.policy_json));
          out.push_back(ToInfo(client, policy, principal.state));
        }
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<ClientInfo> ClientService::UpdatePolicy(
    absl::string_view client_id, const ClientPolicy& policy,
    absl::string_view actor) {
  RETURN_IF_ERROR(policy.Validate(ctx_.options.max_token_ttl));
  ClientInfo info;
  RETURN_IF_ERROR(
      ctx_.store->RunInTransaction([&](Transaction& tx) -> absl::Status {
        const absl::Time now = ctx_.Now();
        ASSIGN_OR_RETURN(
            int64_t version,
            tx.events().Append(ChangeKind::kClientChanged, client_id, now));
        ClientRecord client;
        PrincipalRecord principal;
        RETURN_IF_ERROR(ReadClient(tx, client_id, &client, &principal));
        client.policy_json = policy.ToJson();
        client.updated_at = now;
        client.version = version;
        RETURN_IF_ERROR(tx.clients().Update(client));
        RETURN_IF_ERROR(SyncPairKeys(tx, ctx_, client_id, policy, actor, now));
        info = ToInfo(client, policy, principal.state);
        return WriteAudit(
            tx,
            {std::string(actor),
             "client.update_policy",
             std::string(client_id),
             "",
             {{"audiences", absl::StrCat(policy.audiences.size())}}},
            now, version);
      }));
  (void)ctx_.views->Refresh();
  return info;
}

absl::StatusOr<ClientWithSecret> ClientService::RotateSecret(
    absl::string_view client_id, absl::string_view actor) {
  ClientWithSecret result;
  ASSIGN_OR_RETURN(result.secret, NewClientSecret());
  RETURN_IF_ERROR(
      ctx_.store->RunInTransaction([&](Transaction& tx) -> absl::Status {
        const absl::Time now = ctx_.Now();
        ASSIGN_OR_RETURN(
            int64_t version,
            tx.events().Append(ChangeKind::kClientChanged, client_id, now));
        ClientRecord client;
        PrincipalRecord principal;
        RETURN_IF_ERROR(ReadClient(tx, client_id, &client, &principal));
        client.secret_hash = ctx_.master_key->HashClientSecret(result.secret);
        client.updated_at = now;
        client.version = version;
        RETURN_IF_ERROR(tx.clients().Update(client));
        ASSIGN_OR_RETURN(ClientPolicy policy,
                         ClientPolicy::FromJson(client.policy_json));
        result.client = ToInfo(client, policy, principal.state);
        return WriteAudit(tx,
                          {std::string(actor),
                           "client.rotate_secret",
                           std::string(client_id),
                           "",
                           {}},
                          now, version);
      }));
  (void)ctx_.views->Refresh();
  return result;
}

absl::Status ClientService::DeleteClient(absl::string_view client_id,
                                         absl::string_view actor) {
  RETURN_IF_ERROR(ctx_.store->RunInTransaction([&](Transaction& tx)
                                                   -> absl::Status {
    const absl::Time now = ctx_.Now();
    ClientRecord client;
    PrincipalRecord principal;
    RETURN_IF_ERROR(ReadClient(tx, client_id, &client, &principal));
    // The principal's "delete" revokes its tokens and its keys.
    ASSIGN_OR_RETURN(principal, TransitionInTx(tx, ctx_, client_id,
                                               PrincipalEvent::kDelete, now));
    return WriteAudit(
        tx,
        {std::string(actor), "client.delete", std::string(client_id), "", {}},
        now, principal.version);
  }));
  (void)ctx_.views->Refresh();
  return absl::OkStatus();
}

}  // namespace meshid::identity
